/* Internal to the runtime: the container's saved state, the plan that the
 * parent prepares for the container's first process before cloning it, and
 * the pieces (mounts, devices, capabilities, namespaces, hooks, terminal)
 * that carry it out. */
#pragma once

#include <sched.h>
#include <signal.h>

#include "cgroup.h"
#include "common.h"
#include "json.h"
#include "oci.h"
#include "runtime.h"
#include "seccomp-filter.h"

/* ---- state directory: <root>/<id>/{state.json,config.json,exec.fifo} ---- */

typedef struct ContainerState {
        char *id;
        pid_t pid;
        uint64_t pid_start; /* /proc/<pid>/stat starttime: guards against pid reuse */
        char *bundle;
        char *rootfs;
        char *created;
        char *owner;
        StrMap annotations;
        JsonValue *cgroup; /* cgroup_manager_serialize() */
        bool systemd_cgroup;
} ContainerState;

ContainerState *container_state_free(ContainerState *s);
static inline void container_state_freep(ContainerState **s) { container_state_free(*s); }
int state_root_open(const RuntimeContext *ctx, Error *reterr);
int state_save(int dirfd, const ContainerState *s, Error *reterr);
/* -ENOENT with "container \"ID\" does not exist". */
int state_load(const RuntimeContext *ctx, const char *id, ContainerState **ret, int *ret_dirfd, Error *reterr);
OciStatus state_status(const ContainerState *s, int dirfd);
/* state_load() and state_status() together, as most verbs need both. */
int state_load_status(const RuntimeContext *ctx, const char *id, ContainerState **ret, int *ret_dirfd,
                      OciStatus *ret_status, Error *reterr);
bool pid_is_alive(pid_t pid, uint64_t start_time);
int pid_start_time(pid_t pid, uint64_t *ret);
/* The saved copy of config.json, for hooks and the exec template. */
int state_load_spec(int dirfd, OciSpec **ret, Error *reterr);
JsonValue *state_to_oci_json(const ContainerState *s, OciStatus status);

/* clone3 with SIGCHLD, into a cgroup when cgroup_fd >= 0 (v2). */
pid_t clone_child(uint64_t flags, int cgroup_fd);
/* Waits for pid, passing on every signal we get; returns its exit code. */
int process_wait_forwarding(pid_t pid);
int load_cgroup(const ContainerState *s, CgroupManager **ret, Error *reterr);
/* --pid-file, written atomically as runc does; nothing when path is NULL. */
int pid_file_write(const char *path, pid_t pid, Error *reterr);

/* ---- capabilities ---- */

typedef struct CapSets {
        uint64_t bounding, effective, inheritable, permitted, ambient;
} CapSets;
int cap_from_name(const char *name); /* "CAP_SYS_ADMIN" -> 21, or -EINVAL */
const char *cap_to_name(int cap);
int cap_last_cap(void);
int caps_from_oci(const OciCapabilities *c, CapSets *ret, Error *reterr);
/* In the child: the bounding set is dropped while still root (it needs
 * CAP_SETPCAP), then after setresuid the sets are applied and ambient raised. */
int caps_drop_bounding(const CapSets *c);
int caps_apply(const CapSets *c);

/* ---- namespaces ---- */

typedef struct NsPlan {
        int clone_flags;             /* namespaces to create */
        int join_fd[_OCI_NS_MAX];    /* namespaces to join, else -1 */
        bool new_user;
        char *uid_map, *gid_map;     /* "/proc/PID/uid_map" contents */
} NsPlan;
int ns_plan_make(const OciSpec *spec, NsPlan *ret, Error *reterr);
void ns_plan_done(NsPlan *p);
int ns_write_id_maps(pid_t pid, const NsPlan *p, Error *reterr);
/* In the child: joins every namespace of join_fd (user first). */
int ns_join_all(const NsPlan *p);
/* Refuses settings that would change the host for want of a namespace:
 * hostname without UTS, sysctls not namespaced or without theirs. */
int ns_check_spec(const OciSpec *spec, Error *reterr);
int ns_apply_time_offsets(const OciLinux *l, Error *reterr);

/* ---- mounts and devices (in the child) ---- */

typedef struct MountPlan {
        unsigned long flags;     /* MS_* for mount(2) */
        unsigned long propagation; /* MS_SHARED/... with MS_REC */
        uint64_t attr_set, attr_clr; /* MOUNT_ATTR_* for recursive options */
        bool recursive_attr;
        bool idmap;
        bool idmap_recursive;    /* "ridmap" */
        int idmap_fd;            /* the idmapped detached mount the parent made; -1 */
        char *data;              /* the rest, comma-joined, for the fs */
} MountPlan;
int mount_options_parse(char *const *options, MountPlan *ret, Error *reterr);
void mount_plan_done(MountPlan *p);

typedef struct RootfsPlan {
        const OciSpec *spec;
        const char *rootfs;      /* absolute host path */
        MountPlan *mounts;       /* one per spec->mounts */
        unsigned long rootfs_propagation;
        bool no_pivot;
        bool new_userns;
        const CgroupManager *cgroup;
        bool cgroupns;
} RootfsPlan;
int rootfs_plan_make(const OciSpec *spec, const char *rootfs, RootfsPlan *ret, Error *reterr);
/* In the parent, once the child's user namespace has its maps: a detached,
 * idmapped clone of each "idmap" bind source (the kernel wants this done
 * with rights over the source's filesystem, which the child lacks), sent to
 * the child as SYNC_MOUNT_FD messages, value = the mount's index. */
int rootfs_send_idmapped_mounts(const RootfsPlan *p, pid_t child, int sync_fd, Error *reterr);
void rootfs_plan_done(RootfsPlan *p);
/* Everything up to (not including) pivot_root; returns an fd of the rootfs. */
int rootfs_prepare(const RootfsPlan *p, int *ret_rootfd, int *ret_console_master, bool want_console,
                   Error *reterr);
int rootfs_pivot(const RootfsPlan *p, int rootfd, Error *reterr);
/* The "cgroup" mounts, which rootfs_prepare() leaves out: they must show the
 * container's cgroup namespace, made only once it is in its cgroups. rootfd
 * stays valid after pivot_root. */
int rootfs_mount_cgroups(const RootfsPlan *p, int rootfd, Error *reterr);
bool rootfs_has_cgroup_mount(const RootfsPlan *p);
/* After pivot_root: sysctls, masked and read-only paths, read-only root. */
int rootfs_finish(const RootfsPlan *p, Error *reterr);
int devices_create(int rootfd, const OciSpec *spec, bool default_set, bool in_userns, Error *reterr);
/* linux.resources.devices plus the rules every container needs (shallow:
 * free only the array). Empty when the spec has no device rules. */
int devices_cgroup_rules(const OciSpec *spec, OciDeviceRule **ret, size_t *ret_n);
int propagation_from_string(const char *s, unsigned long *ret);
int mount_option_names(JsonValue *arr); /* appends every option we know */

/* ---- hooks ---- */

/* Runs hooks in order with state_json on stdin. poststart and poststop only
 * warn and go on; any other kind stops at the first failure. */
int hooks_run(const OciHookList *hooks, OciHookKind kind, const char *state_json, Error *reterr);

/* ---- terminal ---- */

/* Opens a new pty from the devpts at <rootfd>/dev/pts; returns the master,
 * and the slave's fd in *ret_slave. */
int terminal_new_pty(int rootfd, int *ret_slave, Error *reterr);
int terminal_setup_slave(int slave, const OciConsoleSize *size);
int terminal_send_master(int sock, int master, Error *reterr);
/* run without --console-socket: our stdio becomes the container's terminal
 * (raw mode, window size, signals passed on) until pid exits; its code. */
int terminal_proxy_and_wait(int master, pid_t pid);

/* ---- process setup shared by init and exec ---- */

typedef struct ProcessPlan {
        const OciProcess *proc;
        CapSets caps;
        bool has_caps;
        int *rlimit_ids;            /* per proc->rlimits */
        SeccompFilter *seccomp;
        char **env;                 /* final environment */
        int ioprio;                 /* -1: leave */
        bool has_sched;
        unsigned long personality;  /* ~0UL: leave */
        bool has_personality;
} ProcessPlan;
/* seccomp_cache_dirfd: where compiled filters are kept (see seccomp-filter.h), or -1. */
int process_plan_make(const OciProcess *proc, const OciSeccomp *sec, const OciPersonality *pers, int seccomp_cache_dirfd,
                      ProcessPlan *ret, Error *reterr);
/* <root>/seccomp-cache, made on first use; -1 if it cannot be had. */
int seccomp_cache_open(const RuntimeContext *ctx);
void process_plan_done(ProcessPlan *p);
/* "0-3,5" -> a cpu_set_t; -EINVAL on anything else. */
int cpu_list_parse(const char *s, cpu_set_t *set);
/* Identity, limits, privileges, seccomp, and execve; returns only on error
 * (with a message in reterr and the exit code docker/runc use: 126/127).
 * A seccomp notify fd goes to listener_sock with listener_state as body. */
int process_exec(const ProcessPlan *p, unsigned preserve_fds, int listener_sock, const char *listener_state,
                 int *ret_exit_code, Error *reterr);
/* The seccomp agent's message: the containerProcessState of the spec. */
char *listener_state_json(const ContainerState *s, OciStatus status, const OciSeccomp *sec);
char *state_json_text(const ContainerState *s, OciStatus status);
int listener_connect(const OciSpec *spec, int *ret_sock, Error *reterr);

/* ---- the sync channel between the parent and the container's process ---- */

typedef enum SyncType {
        SYNC_GO = 1,       /* parent -> child: id maps are in place; value is the host pid */
        SYNC_CGROUP,       /* parent -> child: the child is in its cgroups */
        SYNC_HOOKS,        /* child -> parent: namespaces ready, run createRuntime hooks */
        SYNC_HOOKS_DONE,   /* parent -> child */
        SYNC_READY,        /* child -> parent: set up; about to wait for start / exec */
        SYNC_ERROR,        /* child -> parent: errno and message */
        SYNC_MOUNT_FD,     /* parent -> child: a detached mount (SCM_RIGHTS); value = mounts[] index */
} SyncType;

typedef struct SyncMsg {
        int32_t type;
        int32_t err;
        int64_t value;
        char msg[2048];
} SyncMsg;
int sync_send(int fd, SyncType type, int err, int64_t value, const char *msg);
/* Waits for one message; -ECONNRESET at EOF. */
int sync_recv(int fd, SyncMsg *ret, int *ret_fd);
/* Reports reterr to the parent and exits: the child's end of an error. */
_noreturn_ void sync_fail(int fd, const Error *e, int exit_code);
