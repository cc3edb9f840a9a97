/* exec: a new process in a running container. The parent enters the
 * container's pid (and time) namespace for its children, forks, and the
 * child joins the rest, becomes non-dumpable until execve so that the
 * container cannot reach into it through /proc, and finishes like init. */
#include <sched.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>

#include "container.h"

#ifndef CLONE_NEWTIME
#define CLONE_NEWTIME 0x00000080
#endif

int container_process_template(const RuntimeContext *ctx, const char *id, OciProcess **ret, Error *reterr) {
        _cleanup_(container_state_freep) ContainerState *s = NULL;
        _cleanup_close_ int dir = -1;
        _cleanup_(oci_spec_freep) OciSpec *spec = NULL;
        int r = state_load(ctx, id, &s, &dir, reterr);
        if (r < 0 || (r = state_load_spec(dir, &spec, reterr)) < 0)
                return r;
        if (!spec->process)
                return error_msg(reterr, EINVAL, "container \"%s\" has no process in its config", id);
        *ret = TAKE_PTR(spec->process);
        return 0;
}

typedef struct ExecArgs {
        NsPlan ns;
        ProcessPlan proc;
        int sync_fd;
        int console_sock;
        int listener_sock;
        char *listener_state;
        unsigned preserve_fds;
} ExecArgs;

static _noreturn_ void exec_child(ExecArgs *a) {
        Error e = {};
        int code = 1, r;
        SyncMsg m;
        (void) prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
        sigset_t none;
        sigemptyset(&none);
        sigprocmask(SIG_SETMASK, &none, NULL);
        if (sync_recv(a->sync_fd, &m, NULL) < 0 || m.type != SYNC_GO)
                _exit(1);
        if ((r = ns_join_all(&a->ns)) < 0) {
                error_set(&e, r, "joining the container's namespaces");
                goto fail;
        }
        if (a->ns.join_fd[OCI_NS_USER] >= 0 && (setresgid(0, 0, 0) < 0 || setresuid(0, 0, 0) < 0)) {
                error_set(&e, errno, "becoming root in the user namespace");
                goto fail;
        }
        if (a->console_sock >= 0) {
                (void) setsid();
                _cleanup_close_ int root = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
                int slave = -1;
                _cleanup_close_ int master = root < 0 ? -1 : terminal_new_pty(root, &slave, &e);
                if (master < 0)
                        goto fail;
                r = terminal_setup_slave(slave, a->proc.proc->console_size);
                safe_close(slave);
                if (r < 0) {
                        error_set(&e, r, "making the pty the controlling terminal");
                        goto fail;
                }
                if ((r = terminal_send_master(a->console_sock, master, &e)) < 0)
                        goto fail;
                a->console_sock = safe_close(a->console_sock);
        }
        r = process_exec(&a->proc, a->preserve_fds, a->listener_sock, a->listener_state, &code, &e);
fail:
        sync_fail(a->sync_fd, &e, code);
}

int container_exec(const RuntimeContext *ctx, const char *id, const OciProcess *p, const ExecOptions *o,
                   int *ret_exit_code, Error *reterr) {
        _cleanup_(container_state_freep) ContainerState *s = NULL;
        _cleanup_(oci_spec_freep) OciSpec *spec = NULL;
        _cleanup_(cgroup_manager_freep) CgroupManager *cg = NULL;
        _cleanup_close_ int dir = -1, sync_fd = -1, seccomp_cache = -1;
        ExecArgs a = { .console_sock = -1, .listener_sock = -1, .preserve_fds = o->preserve_fds };
        pid_t pid = 0;
        OciStatus st;
        int r = state_load_status(ctx, id, &s, &dir, &st, reterr);
        if (r < 0)
                return r;
        if (st != OCI_STATUS_RUNNING && st != OCI_STATUS_CREATED)
                return error_msg(reterr, EBUSY, "cannot exec in container \"%s\": it is %s", id, oci_status_to_string(st));
        if ((r = state_load_spec(dir, &spec, reterr)) < 0)
                return r;
        if (p->terminal && !o->console_socket)
                return error_msg(reterr, EINVAL, "process.terminal is true but no --console-socket was given");

        for (int i = 0; i < _OCI_NS_MAX; i++)
                a.ns.join_fd[i] = -1;
        for (size_t i = 0; spec->linux_ && i < spec->linux_->namespaces.n; i++) {
                OciNamespaceType t = spec->linux_->namespaces.items[i].type;
                char path[64];
                snprintf(path, sizeof path, "/proc/%d/ns/%s", (int) s->pid, oci_ns_type_to_proc_name(t));
                a.ns.join_fd[t] = open(path, O_RDONLY | O_CLOEXEC);
                if (a.ns.join_fd[t] < 0) {
                        r = error_set(reterr, errno, "opening %s", path);
                        goto out;
                }
        }
        /* The pid must still be the container's after we opened its
         * namespaces, or they may be a stranger's. */
        if (!pid_is_alive(s->pid, s->pid_start)) {
                r = error_msg(reterr, ESRCH, "container \"%s\" is not running", id);
                goto out;
        }
        seccomp_cache = spec->linux_ && spec->linux_->seccomp ? seccomp_cache_open(ctx) : -1;
        if ((r = process_plan_make(p, spec->linux_ ? spec->linux_->seccomp : NULL,
                                   spec->linux_ ? spec->linux_->personality : NULL, seccomp_cache, &a.proc, reterr)) < 0)
                goto out;
        if ((r = load_cgroup(s, &cg, reterr)) < 0)
                goto out;
        if (p->terminal && (a.console_sock = unix_connect(o->console_socket)) < 0) {
                r = error_set(reterr, a.console_sock, "connecting to console socket %s", o->console_socket);
                goto out;
        }
        if ((r = listener_connect(spec, &a.listener_sock, reterr)) < 0)
                goto out;
        if (a.listener_sock >= 0 && !(a.listener_state = listener_state_json(s, st, spec->linux_->seccomp))) {
                r = error_set(reterr, ENOMEM, "seccomp listener state");
                goto out;
        }
        int pair[2];
        if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, pair) < 0) {
                r = error_set(reterr, errno, "socketpair");
                goto out;
        }
        a.sync_fd = pair[1];
        if (a.ns.join_fd[OCI_NS_PID] >= 0 && setns(a.ns.join_fd[OCI_NS_PID], CLONE_NEWPID) < 0) {
                safe_close(pair[0]);
                safe_close(pair[1]);
                r = error_set(reterr, errno, "joining the container's pid namespace");
                goto out;
        }
        if (a.ns.join_fd[OCI_NS_TIME] >= 0 && setns(a.ns.join_fd[OCI_NS_TIME], CLONE_NEWTIME) < 0) {
                safe_close(pair[0]);
                safe_close(pair[1]);
                r = error_set(reterr, errno, "joining the container's time namespace");
                goto out;
        }

        sigset_t all, old;
        sigfillset(&all);
        sigprocmask(SIG_BLOCK, &all, &old);
        pid = clone_child(0, -1);
        if (pid == 0) {
                safe_close(pair[0]);
                exec_child(&a);
        }
        int saved = errno;
        sigprocmask(SIG_SETMASK, &old, NULL);
        safe_close(pair[1]);
        sync_fd = pair[0];
        if (pid < 0) {
                pid = 0;
                r = error_set(reterr, saved, "forking the exec process");
                goto out;
        }
        if ((r = cgroup_manager_add_pid(cg, pid, reterr)) < 0)
                goto kill;
        if ((r = sync_send(sync_fd, SYNC_GO, 0, pid, NULL)) < 0) {
                r = error_set(reterr, r, "starting the exec process");
                goto kill;
        }
        /* EOF means execve succeeded: the sync socket is close-on-exec. */
        for (;;) {
                SyncMsg m;
                r = sync_recv(sync_fd, &m, NULL);
                if (r == -ECONNRESET) {
                        r = 0;
                        break;
                }
                if (r < 0) {
                        r = error_set(reterr, r, "waiting for the exec process");
                        goto kill;
                }
                if (m.type == SYNC_ERROR) {
                        *ret_exit_code = (int) m.value;
                        (void) wait_for_pid(pid, NULL);
                        pid = 0;
                        r = error_msg(reterr, m.err, "%s", m.msg);
                        goto out;
                }
        }
        if (p->exec_cpu_affinity && p->exec_cpu_affinity->final) {
                /* The runtime's own work ran on "initial"; the process, now
                 * exec'd, gets "final". */
                cpu_set_t set;
                if (cpu_list_parse(p->exec_cpu_affinity->final, &set) < 0) {
                        r = error_msg(reterr, EINVAL, "process.execCPUAffinity.final: invalid CPU list \"%s\"",
                                      p->exec_cpu_affinity->final);
                        goto kill;
                }
                if (sched_setaffinity(pid, sizeof set, &set) < 0) {
                        r = error_set(reterr, errno, "process.execCPUAffinity.final");
                        goto kill;
                }
        }
        if ((r = pid_file_write(o->pid_file, pid, reterr)) < 0)
                goto kill;
        *ret_exit_code = o->detach ? 0 : process_wait_forwarding(pid);
        r = 0;
        goto out;
kill:
        if (pid > 0) {
                kill(pid, SIGKILL);
                (void) wait_for_pid(pid, NULL);
        }
out:
        ns_plan_done(&a.ns);
        process_plan_done(&a.proc);
        safe_close(a.console_sock);
        safe_close(a.listener_sock);
        free(a.listener_state);
        return r;
}
