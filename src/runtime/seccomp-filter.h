/* seccomp-filter: turns linux.seccomp into a BPF program with libseccomp before the
 * container's process is forked, and loads it in that process late: just
 * before execve, or, without no_new_privs, while it still has CAP_SYS_ADMIN.
 * All the work (validation, libseccomp, flag probing) happens in prepare, in
 * the runtime; the child makes one syscall. Internal to the runtime. */
#pragma once

#include "common.h"
#include "json.h"
#include "oci.h"

typedef struct SeccompFilter SeccompFilter;

/* Validates linux.seccomp and compiles it. Errors name the bad field
 * ("linux.seccomp.syscalls[3].args[0].op: unknown operator \"SCMP_CMP_FOO\"")
 * and a flag the kernel lacks is an error here, not in the child. Syscall
 * names this libseccomp does not know are skipped (debug log), as runc and
 * crun do, so that profiles written for newer kernels still load; syscalls
 * newer than every one the profile names get ENOSYS rather than the default
 * action (runc's behaviour), so that libc falls back (clone3 -> clone). */
int seccomp_filter_prepare(const OciSeccomp *s, SeccompFilter **ret, Error *reterr);
/* The same, with compiled filters kept in cache_dirfd (a directory only the
 * runtime writes, on tmpfs, e.g. under the state root; -1: no cache). A hit
 * costs well under a millisecond instead of libseccomp's ~10 ms for Docker's
 * profile; failing to read or write the cache only costs a compile. */
int seccomp_filter_prepare_cached(const OciSeccomp *s, int cache_dirfd, SeccompFilter **ret, Error *reterr);
SeccompFilter *seccomp_filter_free(SeccompFilter *f);
static inline void seccomp_filter_freep(SeccompFilter **f) { seccomp_filter_free(*f); }
/* Whether the filter returns a user-notification fd (SCMP_ACT_NOTIFY used). */
bool seccomp_filter_wants_listener(const SeccompFilter *f);
/* The program as it will be loaded, for tests and debug output. */
struct sock_fprog;
const struct sock_fprog *seccomp_filter_program(const SeccompFilter *f);

/* Loads the filter into the calling thread: seccomp(2) with the spec's flags
 * (prctl(PR_SET_SECCOMP) when no flag is needed and seccomp(2) is missing).
 * For a forked child: no allocation, no libseccomp. Without no_new_privs the
 * caller needs CAP_SYS_ADMIN. *ret_listener_fd gets the notify fd
 * (close-on-exec) or -1. After this returns, every syscall the caller makes
 * goes through the filter: the listener must be passed on before any syscall
 * that the filter may send to the (not yet connected) agent, which is why
 * prepare refuses SCMP_ACT_NOTIFY for sendmsg and as the default action. */
int seccomp_filter_load(const SeccompFilter *f, int *ret_listener_fd);

/* Connects to the unix socket at listener_path and sends state_json (the
 * spec's containerProcessState) with listener_fd attached, in one sendmsg. */
int seccomp_send_listener(const char *listener_path, int listener_fd, const char *state_json, Error *reterr);
