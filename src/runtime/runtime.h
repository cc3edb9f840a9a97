/* runtime: the low-level OCI runtime — namespaces, rootfs and mounts,
 * cgroups, capabilities, seccomp, rlimits, devices, hooks, terminal, exec and
 * the state directory — behind the verbs of runc's command line. The
 * berth-runtime program only parses flags into these calls and prints. */
#pragma once

#include "common.h"
#include "json.h"
#include "oci.h"

#define RUNTIME_DEFAULT_ROOT "/run/berth-runtime"
#define RUNTIME_ID_MAX 1024

typedef struct RuntimeContext {
        const char *root;   /* state directory (--root) */
        bool systemd_cgroup; /* --systemd-cgroup */
} RuntimeContext;

typedef struct CreateOptions {
        const char *id;
        const char *bundle;         /* directory with config.json; NULL = cwd */
        const char *config_path;    /* NULL = <bundle>/config.json */
        const char *pid_file;
        const char *console_socket; /* unix socket to send the pty master to */
        unsigned preserve_fds;      /* fds 3..3+N-1 are passed to the process */
        bool no_pivot;
        bool no_new_keyring;
        bool keep;                  /* run: keep the state after exit */
} CreateOptions;

int container_id_validate(const char *id, Error *reterr);

/* create: sets everything up; the process waits before execve until start. */
int container_create(const RuntimeContext *ctx, const CreateOptions *o, Error *reterr);
int container_start(const RuntimeContext *ctx, const char *id, Error *reterr);
/* run: create + start. Detached returns once the process runs; otherwise
 * waits for it, forwards signals, deletes, and returns its exit code in
 * *ret_exit_code. */
int container_run(const RuntimeContext *ctx, const CreateOptions *o, bool detach, int *ret_exit_code,
                  Error *reterr);
/* The state JSON of the runtime spec (runc's shape). */
int container_state_json(const RuntimeContext *ctx, const char *id, JsonValue **ret, Error *reterr);
int container_kill(const RuntimeContext *ctx, const char *id, int sig, bool all, Error *reterr);
int container_delete(const RuntimeContext *ctx, const char *id, bool force, Error *reterr);
int container_pause(const RuntimeContext *ctx, const char *id, Error *reterr);
int container_resume(const RuntimeContext *ctx, const char *id, Error *reterr);
int container_pids(const RuntimeContext *ctx, const char *id, pid_t **ret, size_t *ret_n, Error *reterr);
int container_update(const RuntimeContext *ctx, const char *id, const OciResources *r, Error *reterr);
/* `events --stats` data object (see cgroup stats), plus the container id. */
int container_stats(const RuntimeContext *ctx, const char *id, JsonValue **ret, Error *reterr);
/* Whether the container's cgroup saw an OOM kill since the last call. */
int container_oom_count(const RuntimeContext *ctx, const char *id, uint64_t *ret, Error *reterr);

typedef struct ContainerSummary {
        char *id;
        pid_t pid;
        OciStatus status;
        char *bundle;
        char *created; /* RFC 3339 */
        char *owner;
} ContainerSummary;
int container_list(const RuntimeContext *ctx, ContainerSummary **ret, size_t *ret_n, Error *reterr);
void container_summary_free_many(ContainerSummary *s, size_t n);

typedef struct ExecOptions {
        const char *pid_file;
        const char *console_socket;
        unsigned preserve_fds;
        bool detach;
} ExecOptions;
/* Runs p inside the container (its namespaces, cgroup, and p's own user,
 * caps, env, cwd, rlimits, seccomp as the container has it unless p says
 * otherwise). Attached: waits and returns the exit code in *ret_exit_code. */
int container_exec(const RuntimeContext *ctx, const char *id, const OciProcess *p, const ExecOptions *o,
                   int *ret_exit_code, Error *reterr);

/* The runtime binary must run from a sealed copy, so that a container
 * process that reaches /proc/<pid>/exe cannot overwrite the host's file
 * (CVE-2019-5736). Re-executes itself from a sealed memfd when it is not
 * already one; returns only on failure or when nothing needs doing. */
int runtime_ensure_cloned_binary(char **argv, char **envp);

/* `features`: what this build supports, as runc prints it. */
int runtime_features_json(JsonValue **ret);

/* The container's own process (from the config saved at create), for exec's
 * flag form to start from. */
int container_process_template(const RuntimeContext *ctx, const char *id, OciProcess **ret, Error *reterr);

/* libseccomp's version, for --version as runc prints it. */
const char *runtime_seccomp_version(void);
