/* OCI hooks: each runs with the container's state JSON on stdin, its own
 * args and env, and an optional timeout after which it is killed. */
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>

#include "container.h"

static int hook_run(const OciHook *h, const char *what, const char *state_json, Error *reterr) {
        int in[2];
        if (pipe2(in, O_CLOEXEC) < 0)
                return error_set(reterr, errno, "%s hook %s: pipe", what, h->path);
        pid_t pid = fork();
        if (pid < 0) {
                safe_close(in[0]);
                safe_close(in[1]);
                return error_set(reterr, errno, "%s hook %s: fork", what, h->path);
        }
        if (pid == 0) {
                dup2(in[0], STDIN_FILENO);
                fds_close_from(3, NULL, 0);
                char *const empty[] = { NULL };
                char *const argv0[] = { h->path, NULL };
                execve(h->path, h->args && h->args[0] ? h->args : argv0, h->env ? h->env : empty);
                _exit(127);
        }
        safe_close(in[0]);
        /* A hook that does not read its stdin must not block us: ignore EPIPE. */
        struct sigaction ign = { .sa_handler = SIG_IGN }, old;
        sigaction(SIGPIPE, &ign, &old);
        (void) write_all(in[1], state_json, strlen(state_json));
        sigaction(SIGPIPE, &old, NULL);
        safe_close(in[1]);

        int status = 0;
        if (h->timeout.set && h->timeout.value > 0) {
                int pfd = (int) syscall(SYS_pidfd_open, pid, 0);
                if (pfd >= 0) {
                        struct pollfd p = { .fd = pfd, .events = POLLIN };
                        int64_t ms = h->timeout.value * 1000;
                        int r;
                        do
                                r = poll(&p, 1, ms > INT32_MAX ? INT32_MAX : (int) ms);
                        while (r < 0 && errno == EINTR);
                        safe_close(pfd);
                        if (r == 0) {
                                kill(pid, SIGKILL);
                                (void) wait_for_pid(pid, NULL);
                                return error_msg(reterr, ETIMEDOUT, "%s hook %s: timed out after %" PRId64 "s", what,
                                                 h->path, h->timeout.value);
                        }
                }
        }
        int r = wait_for_pid(pid, &status);
        if (r < 0)
                return error_set(reterr, r, "%s hook %s: waiting", what, h->path);
        if (r == 127 && WIFEXITED(status))
                return error_msg(reterr, ENOENT, "%s hook %s: cannot execute (exit status 127)", what, h->path);
        if (r != 0)
                return error_msg(reterr, EIO, "%s hook %s: exit status %d", what, h->path, r);
        return 0;
}

int hooks_run(const OciHookList *hooks, OciHookKind kind, const char *state_json, Error *reterr) {
        /* poststart and poststop failures are warnings, and the hooks after
         * a failed one still run (runtime spec); the others stop at the first. */
        bool warn_only = kind == OCI_HOOK_POSTSTART || kind == OCI_HOOK_POSTSTOP;
        for (size_t i = 0; hooks && i < hooks->n; i++) {
                Error e = {};
                int r = hook_run(&hooks->items[i], oci_hook_kind_to_string(kind), state_json, &e);
                if (r < 0 && warn_only)
                        log_warn("%s", e.msg);
                else if (r < 0) {
                        if (reterr) {
                                error_clear(reterr);
                                *reterr = e;
                        } else
                                error_clear(&e);
                        return r;
                }
                error_clear(&e);
        }
        return 0;
}
