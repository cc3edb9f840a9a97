/* The container lifecycle of the OCI runtime spec: create (the process is
 * set up and waits before execve), start, state, kill, delete, and run. The
 * parent prepares and validates everything it can before cloning, so that a
 * bad config fails before any namespace, cgroup or mount exists; the child
 * reports its own failures over the sync socket as {errno, message}. */
#include <elf.h>
#include <linux/sched.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/sendfile.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include "container.h"

#ifndef CLONE_NEWTIME
#define CLONE_NEWTIME 0x00000080
#endif
#ifndef CLONE_INTO_CGROUP
#define CLONE_INTO_CGROUP 0x200000000ULL
#endif

int container_id_validate(const char *id, Error *reterr) {
        if (!id || !id[0])
                return error_msg(reterr, EINVAL, "container id must not be empty");
        if (strlen(id) > RUNTIME_ID_MAX)
                return error_msg(reterr, EINVAL, "container id is longer than %d characters", RUNTIME_ID_MAX);
        if (strcmp(id, ".") == 0 || strcmp(id, "..") == 0)
                return error_msg(reterr, EINVAL, "invalid container id \"%s\"", id);
        for (const char *c = id; *c; c++)
                if (!(('a' <= *c && *c <= 'z') || ('A' <= *c && *c <= 'Z') || ('0' <= *c && *c <= '9') || *c == '_' ||
                      *c == '-' || *c == '.' || *c == '+'))
                        return error_msg(reterr, EINVAL,
                                         "invalid container id \"%s\": only letters, digits and _ + - . are allowed", id);
        return 0;
}

/* Everything the child needs, made by the parent before clone. */
typedef struct InitArgs {
        const RuntimeContext *ctx;
        const OciSpec *spec;
        ContainerState *state;
        NsPlan ns;
        RootfsPlan rootfs;
        ProcessPlan proc;
        int sync_fd;      /* the child's end */
        int fifo_fd;      /* O_PATH of exec.fifo; -1 when run starts at once */
        int console_sock; /* -1 without a terminal */
        int listener_sock; /* linux.seccomp.listenerPath, connected; or -1 */
        char *listener_state;
        unsigned preserve_fds;
        bool hooks_sync;
        bool new_cgroupns; /* unshared by the child once it is in its cgroups */
} InitArgs;

static char *now_rfc3339_dup(void) {
        char buf[64];
        time_now_rfc3339(buf);
        return strdup(buf);
}

char *state_json_text(const ContainerState *s, OciStatus status) {
        _cleanup_json_ JsonValue *v = state_to_oci_json(s, status);
        return v ? json_dump(v, 0) : NULL;
}

static bool spec_has_hooks(const OciSpec *spec, OciHookKind k) {
        return spec->hooks && spec->hooks->kinds[k].n > 0;
}

static int run_hooks(const OciSpec *spec, OciHookKind k, const ContainerState *s, OciStatus status, Error *reterr) {
        if (!spec_has_hooks(spec, k))
                return 0;
        _cleanup_free_ char *json = state_json_text(s, status);
        if (!json)
                return error_set(reterr, ENOMEM, "hook state");
        return hooks_run(&spec->hooks->kinds[k], k, json, reterr);
}

/* Waits until the parent has moved us into our cgroups, then makes the
 * cgroup namespace (rooted there) and the cgroup mounts. */
static int init_enter_cgroup(InitArgs *a, int rootfd, Error *reterr) {
        SyncMsg m;
        if (sync_recv(a->sync_fd, &m, NULL) < 0 || m.type != SYNC_CGROUP)
                _exit(1);
        if (a->new_cgroupns && unshare(CLONE_NEWCGROUP) < 0)
                return error_set(reterr, errno, "creating the cgroup namespace");
        return rootfs_mount_cgroups(&a->rootfs, rootfd, reterr);
}

static _noreturn_ void container_init(InitArgs *a) {
        Error e = {};
        int r, code = 1;
        bool ready = false;
        SyncMsg m;
        const OciSpec *spec = a->spec;

        /* The runtime's memory and fds must not be reachable from the
         * container through /proc before execve resets this. */
        (void) prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
        sigset_t all;
        sigemptyset(&all);
        sigprocmask(SIG_SETMASK, &all, NULL);

        for (;;) {
                int fd = -1;
                if (sync_recv(a->sync_fd, &m, &fd) < 0)
                        _exit(1);
                if (m.type == SYNC_GO)
                        break;
                if (m.type != SYNC_MOUNT_FD || fd < 0 || m.value < 0 || (size_t) m.value >= spec->mounts.n)
                        _exit(1);
                a->rootfs.mounts[m.value].idmap_fd = fd;
        }
        a->state->pid = (pid_t) m.value;
        if (a->listener_sock >= 0 &&
            !(a->listener_state = listener_state_json(a->state, OCI_STATUS_CREATING, spec->linux_->seccomp)))
                _exit(1);

        if ((r = ns_join_all(&a->ns)) < 0) {
                error_set(&e, r, "joining namespaces");
                goto fail;
        }
        if (a->ns.new_user || a->ns.join_fd[OCI_NS_USER] >= 0) {
                if (setresgid(0, 0, 0) < 0 || setresuid(0, 0, 0) < 0) {
                        error_set(&e, errno, "becoming root in the user namespace");
                        goto fail;
                }
        }
        (void) setsid();

        /* The parent moves us into our cgroups meanwhile: on v1 the first
         * migration waits out an RCU grace period, and so does the detach
         * of the old root in pivot, so the two wait together when they can.
         * We must be in the cgroups before the cgroup namespace is made
         * (its root is our cgroup then), before hooks, and before READY;
         * cgroup bind mounts of host paths must precede pivot. */
        int rootfd = -1, master = -1;
        if ((r = rootfs_prepare(&a->rootfs, &rootfd, &master, a->console_sock >= 0, &e)) < 0)
                goto fail;
        bool cgroup_early = a->hooks_sync || (!a->rootfs.cgroupns && rootfs_has_cgroup_mount(&a->rootfs));
        if (cgroup_early && (r = init_enter_cgroup(a, rootfd, &e)) < 0)
                goto fail;
        if (a->hooks_sync) {
                if (sync_send(a->sync_fd, SYNC_HOOKS, 0, 0, NULL) < 0 || sync_recv(a->sync_fd, &m, NULL) < 0 ||
                    m.type != SYNC_HOOKS_DONE)
                        _exit(1);
        }
        if ((r = run_hooks(spec, OCI_HOOK_CREATE_CONTAINER, a->state, OCI_STATUS_CREATING, &e)) < 0)
                goto fail;
        if ((r = rootfs_pivot(&a->rootfs, rootfd, &e)) < 0)
                goto fail;
        if (!cgroup_early && (r = init_enter_cgroup(a, rootfd, &e)) < 0)
                goto fail;
        safe_close(rootfd);
        if ((r = rootfs_finish(&a->rootfs, &e)) < 0)
                goto fail;

        if (spec->hostname && spec->hostname[0] && sethostname(spec->hostname, strlen(spec->hostname)) < 0) {
                error_set(&e, errno, "setting hostname %s", spec->hostname);
                goto fail;
        }
        if (spec->domainname && spec->domainname[0] && setdomainname(spec->domainname, strlen(spec->domainname)) < 0) {
                error_set(&e, errno, "setting domainname %s", spec->domainname);
                goto fail;
        }
        if (master >= 0) {
                r = terminal_send_master(a->console_sock, master, &e);
                safe_close(master);
                a->console_sock = safe_close(a->console_sock);
                if (r < 0)
                        goto fail;
        }

        if (sync_send(a->sync_fd, SYNC_READY, 0, 0, NULL) < 0)
                _exit(1);
        ready = true;

        if (a->fifo_fd >= 0) {
                /* Blocks until `start` opens the fifo for reading. */
                char p[32];
                int w = open(fd_proc_path(a->fifo_fd, p), O_WRONLY | O_CLOEXEC);
                if (w < 0 || write(w, "0", 1) != 1) {
                        error_set(&e, errno, "waiting for start on exec.fifo");
                        goto fail;
                }
                safe_close(w);
                a->fifo_fd = safe_close(a->fifo_fd);
        }
        /* As runc: the user's process has not started yet. */
        if ((r = run_hooks(spec, OCI_HOOK_START_CONTAINER, a->state, OCI_STATUS_CREATED, &e)) < 0)
                goto fail;

        r = process_exec(&a->proc, a->preserve_fds, a->listener_sock, a->listener_state, &code, &e);
fail:
        /* After READY nobody listens on the sync socket: say it on stderr. */
        if (ready)
                dprintf(STDERR_FILENO, "berth-runtime: %s\n", e.msg ? e.msg : strerror(e.code));
        sync_fail(a->sync_fd, &e, code);
}

static int rootfs_resolve(const char *bundle, const OciSpec *spec, char **ret, Error *reterr) {
        if (!spec->root || !spec->root->path || !spec->root->path[0])
                return error_msg(reterr, EINVAL, "config.json: root.path is required");
        _cleanup_free_ char *joined =
                spec->root->path[0] == '/' ? strdup(spec->root->path) : strdup_printf("%s/%s", bundle, spec->root->path);
        if (!joined)
                return error_set(reterr, ENOMEM, "rootfs");
        char *real = realpath(joined, NULL);
        if (!real)
                return error_set(reterr, errno, "root.path %s", joined);
        struct stat st;
        if (stat(real, &st) < 0 || !S_ISDIR(st.st_mode)) {
                free(real);
                return error_msg(reterr, ENOTDIR, "root.path %s is not a directory", joined);
        }
        *ret = real;
        return 0;
}

/* Relative bind sources are relative to the bundle, as runc reads them. */
static int mounts_absolutize(OciSpec *spec, const char *bundle, Error *reterr) {
        for (size_t i = 0; i < spec->mounts.n; i++) {
                OciMount *m = &spec->mounts.items[i];
                bool bind = strv_contains(m->options, "bind") || strv_contains(m->options, "rbind") ||
                            (m->type && strcmp(m->type, "bind") == 0);
                if (!m->source || m->source[0] == '/' || !bind)
                        continue;
                char *abs = strdup_printf("%s/%s", bundle, m->source);
                if (!abs)
                        return error_set(reterr, ENOMEM, "mounts");
                free(m->source);
                m->source = abs;
        }
        return 0;
}

/* The seccomp agent's socket is connected by the parent: the child cannot
 * reach a host path once it has pivoted. */
int listener_connect(const OciSpec *spec, int *ret_sock, Error *reterr) {
        const OciSeccomp *sec = spec->linux_ ? spec->linux_->seccomp : NULL;
        *ret_sock = -1;
        if (!sec || !sec->listener_path || !sec->listener_path[0])
                return 0;
        int fd = unix_connect(sec->listener_path);
        if (fd < 0)
                return error_set(reterr, fd, "connecting to linux.seccomp.listenerPath %s", sec->listener_path);
        *ret_sock = fd;
        return 0;
}

typedef struct Spawned {
        pid_t pid;
        int sync_fd;
        CgroupManager *cgroup;
        ContainerState *state;
        OciSpec *spec;
        int dirfd;    /* <root>/<id> */
        int rootfd;   /* <root> */
} Spawned;

static void spawned_done(Spawned *s) {
        s->sync_fd = safe_close(s->sync_fd);
        s->cgroup = cgroup_manager_free(s->cgroup);
        s->state = container_state_free(s->state);
        s->spec = oci_spec_free(s->spec);
        s->dirfd = safe_close(s->dirfd);
        s->rootfd = safe_close(s->rootfd);
}

/* Undoes a create that failed half way: the process, the cgroup, the state
 * directory. Mounts live in the child's namespace and go with it. */
static void spawned_abort(Spawned *s, const char *id) {
        if (s->pid > 0) {
                kill(s->pid, SIGKILL);
                (void) wait_for_pid(s->pid, NULL);
                s->pid = 0;
        }
        if (s->cgroup)
                (void) cgroup_manager_destroy(s->cgroup, NULL);
        if (s->rootfd >= 0)
                (void) rm_rf_at(s->rootfd, id);
}

/* The child stopped talking: its own message if it left one, else what
 * killed it — the OOM killer is the usual suspect during setup. */
static int child_failure(Spawned *s, Error *reterr) {
        SyncMsg m;
        while (sync_recv(s->sync_fd, &m, NULL) >= 0)
                if (m.type == SYNC_ERROR)
                        return error_msg(reterr, m.err, "%s", m.msg);
        uint64_t ooms = 0;
        if (s->cgroup && cgroup_manager_oom_count(s->cgroup, &ooms) >= 0 && ooms > 0)
                return error_msg(reterr, ENOMEM,
                                 "the container process was killed by the OOM killer during setup: "
                                 "linux.resources.memory.limit is too low");
        return error_msg(reterr, EIO, "the container process exited during setup");
}

pid_t clone_child(uint64_t flags, int cgroup_fd) {
        struct clone_args args = {
                .flags = flags | (cgroup_fd >= 0 ? CLONE_INTO_CGROUP : 0),
                .exit_signal = SIGCHLD,
                .cgroup = (uint64_t) (cgroup_fd >= 0 ? cgroup_fd : 0),
        };
        long pid = syscall(SYS_clone3, &args, sizeof args);
        if (pid < 0 && errno == ENOSYS && cgroup_fd < 0) {
                pid = syscall(SYS_clone, (unsigned long) flags | SIGCHLD, NULL, NULL, NULL, 0);
        }
        return (pid_t) pid;
}

/* console_fd: a socket for the pty master when the caller has one of its
 * own (run in the foreground), else -1 and --console-socket is used. */
static int spawn(const RuntimeContext *ctx, const CreateOptions *o, bool with_fifo, int console_fd, Spawned *ret,
                 Error *reterr) {
        Spawned s = { .sync_fd = -1, .dirfd = -1, .rootfd = -1 };
        InitArgs a = { .ctx = ctx, .fifo_fd = -1, .console_sock = -1, .listener_sock = -1, .preserve_fds = o->preserve_fds };
        _cleanup_free_ char *bundle = NULL, *config_path = NULL, *rootfs = NULL;
        _cleanup_close_ int fifo = -1, seccomp_cache = -1;
        int pair[2] = { -1, -1 };
        int r;
        for (int i = 0; i < _OCI_NS_MAX; i++)
                a.ns.join_fd[i] = -1;

        if ((r = container_id_validate(o->id, reterr)) < 0)
                return r;
        bundle = realpath(o->bundle ? o->bundle : ".", NULL);
        if (!bundle)
                return error_set(reterr, errno, "bundle %s", o->bundle ? o->bundle : ".");
        config_path = o->config_path ? strdup(o->config_path) : strdup_printf("%s/config.json", bundle);
        _cleanup_free_ char *config_buf = NULL;
        size_t config_len = 0;
        if (!config_path)
                return error_set(reterr, ENOMEM, "config");
        if ((r = json_read_file(config_path, &config_buf, &config_len, reterr)) < 0 ||
            (r = oci_spec_parse(config_buf, config_len, &s.spec, reterr)) < 0)
                return r;
        const OciSpec *spec = s.spec;
        if (!spec->process)
                r = error_msg(reterr, EINVAL, "config.json: process is required to create a container");
        else if (!oci_spec_find_namespace(spec, OCI_NS_MOUNT))
                r = error_msg(reterr, EINVAL, "config.json: linux.namespaces must include a mount namespace");
        else if (spec->process->terminal && !o->console_socket && console_fd < 0)
                r = error_msg(reterr, EINVAL, "process.terminal is true but no --console-socket was given");
        else
                r = ns_check_spec(spec, reterr);
        if (r < 0 || (r = rootfs_resolve(bundle, spec, &rootfs, reterr)) < 0 ||
            (r = mounts_absolutize(s.spec, bundle, reterr)) < 0)
                goto done;

        a.spec = spec;
        if ((r = ns_plan_make(spec, &a.ns, reterr)) < 0)
                goto done;
        if ((r = rootfs_plan_make(spec, rootfs, &a.rootfs, reterr)) < 0)
                goto done;
        a.rootfs.no_pivot = o->no_pivot;
        a.rootfs.new_userns = a.ns.new_user || a.ns.join_fd[OCI_NS_USER] >= 0;
        a.rootfs.cgroupns = oci_spec_find_namespace(spec, OCI_NS_CGROUP) != NULL;
        seccomp_cache = spec->linux_ && spec->linux_->seccomp ? seccomp_cache_open(ctx) : -1;
        if ((r = process_plan_make(spec->process, spec->linux_ ? spec->linux_->seccomp : NULL,
                                   spec->linux_ ? spec->linux_->personality : NULL, seccomp_cache, &a.proc, reterr)) < 0)
                goto done;
        if ((r = cgroup_manager_new(spec->linux_ ? spec->linux_->cgroups_path : NULL, o->id, &s.cgroup, reterr)) < 0)
                goto done;
        a.rootfs.cgroup = s.cgroup;

        s.state = calloc(1, sizeof *s.state);
        if (!s.state || !(s.state->id = strdup(o->id)) || !(s.state->bundle = strdup(bundle)) ||
            !(s.state->created = now_rfc3339_dup()) || !(s.state->owner = strdup(""))) {
                r = error_set(reterr, ENOMEM, "state");
                goto done;
        }
        s.state->rootfs = TAKE_PTR(rootfs);
        for (size_t i = 0; i < spec->annotations.n; i++)
                if (strmap_set(&s.state->annotations, spec->annotations.keys[i], spec->annotations.values[i]) < 0) {
                        r = error_set(reterr, ENOMEM, "state");
                        goto done;
                }
        a.state = s.state;

        /* From here on things exist that a failure must remove. */
        if ((s.rootfd = state_root_open(ctx, reterr)) < 0) {
                r = s.rootfd;
                goto done;
        }
        if (mkdirat(s.rootfd, o->id, 0711) < 0) {
                r = errno == EEXIST ? error_msg(reterr, EEXIST, "container \"%s\" already exists", o->id)
                                    : error_set(reterr, errno, "creating the state of container \"%s\"", o->id);
                s.rootfd = safe_close(s.rootfd);
                goto done;
        }
        s.dirfd = openat(s.rootfd, o->id, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (s.dirfd < 0) {
                r = error_set(reterr, errno, "opening the state of container \"%s\"", o->id);
                goto fail;
        }
        {
                _cleanup_close_ int cfd = openat(s.dirfd, "config.json", O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
                if (cfd < 0 || write_all(cfd, config_buf, config_len) < 0) {
                        r = error_set(reterr, errno, "saving config.json");
                        goto fail;
                }
        }
        if (with_fifo) {
                if (mknodat(s.dirfd, "exec.fifo", S_IFIFO | 0600, 0) < 0) {
                        r = error_set(reterr, errno, "creating exec.fifo");
                        goto fail;
                }
                fifo = openat(s.dirfd, "exec.fifo", O_PATH | O_CLOEXEC);
                if (fifo < 0) {
                        r = error_set(reterr, errno, "opening exec.fifo");
                        goto fail;
                }
                a.fifo_fd = fifo;
        }
        if (spec->process->terminal && console_fd >= 0)
                a.console_sock = fcntl(console_fd, F_DUPFD_CLOEXEC, 3);
        else if (spec->process->terminal && (a.console_sock = unix_connect(o->console_socket)) < 0) {
                r = error_set(reterr, a.console_sock, "connecting to console socket %s", o->console_socket);
                goto fail;
        }
        if ((r = listener_connect(spec, &a.listener_sock, reterr)) < 0)
                goto fail;
        {
                const OciResources *res = spec->linux_ ? spec->linux_->resources : NULL;
                OciResources with_defaults;
                _cleanup_free_ OciDeviceRule *rules = NULL;
                size_t n_rules = 0;
                if (devices_cgroup_rules(spec, &rules, &n_rules) < 0) {
                        r = error_set(reterr, ENOMEM, "device rules");
                        goto fail;
                }
                if (rules) {
                        with_defaults = *res;
                        with_defaults.devices.items = rules;
                        with_defaults.devices.n = n_rules;
                        res = &with_defaults;
                }
                if ((r = cgroup_manager_prepare(s.cgroup, res, reterr)) < 0)
                        goto fail;
        }
        if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, pair) < 0) {
                r = error_set(reterr, errno, "socketpair");
                goto fail;
        }
        a.sync_fd = pair[1];
        a.hooks_sync = spec_has_hooks(spec, OCI_HOOK_PRESTART) || spec_has_hooks(spec, OCI_HOOK_CREATE_RUNTIME);

        /* pid and time namespaces apply to children: the parent enters or
         * makes them first. */
        if (a.ns.join_fd[OCI_NS_PID] >= 0 && setns(a.ns.join_fd[OCI_NS_PID], CLONE_NEWPID) < 0) {
                r = error_set(reterr, errno, "joining the pid namespace");
                goto fail;
        }
        if (a.ns.join_fd[OCI_NS_TIME] >= 0 && setns(a.ns.join_fd[OCI_NS_TIME], CLONE_NEWTIME) < 0) {
                r = error_set(reterr, errno, "joining the time namespace");
                goto fail;
        }
        uint64_t flags = (uint64_t) a.ns.clone_flags;
        a.new_cgroupns = flags & CLONE_NEWCGROUP;
        flags &= ~(uint64_t) CLONE_NEWCGROUP;
        if (flags & CLONE_NEWTIME) {
                if (unshare(CLONE_NEWTIME) < 0) {
                        r = error_set(reterr, errno, "creating the time namespace");
                        goto fail;
                }
                if ((r = ns_apply_time_offsets(spec->linux_, reterr)) < 0)
                        goto fail;
                flags &= ~(uint64_t) CLONE_NEWTIME;
        }

        sigset_t all, old;
        sigfillset(&all);
        sigprocmask(SIG_BLOCK, &all, &old);
        log_debug("container %s: prepared, cloning", o->id);
        s.pid = clone_child(flags, cgroup_manager_dirfd(s.cgroup));
        if (s.pid == 0) {
                safe_close(pair[0]);
                container_init(&a);
        }
        int saved = errno;
        sigprocmask(SIG_SETMASK, &old, NULL);
        safe_close(pair[1]);
        s.sync_fd = pair[0];
        if (s.pid < 0) {
                s.pid = 0;
                r = error_set(reterr, saved, "cloning the container process");
                goto fail;
        }

        /* Read while the child surely waits for GO: once it runs it may
         * exit at any time, and a zombie has no start time to read. */
        if ((r = pid_start_time(s.pid, &s.state->pid_start)) < 0) {
                r = error_set(reterr, r, "reading the start time of pid %d", (int) s.pid);
                goto fail;
        }
        s.state->pid = s.pid;
        if ((r = ns_write_id_maps(s.pid, &a.ns, reterr)) < 0 ||
            (r = rootfs_send_idmapped_mounts(&a.rootfs, s.pid, s.sync_fd, reterr)) < 0)
                goto fail;
        if ((r = sync_send(s.sync_fd, SYNC_GO, 0, s.pid, NULL)) < 0) {
                r = child_failure(&s, reterr);
                goto fail;
        }
        if (cgroup_manager_dirfd(s.cgroup) < 0 && (r = cgroup_manager_add_pid(s.cgroup, s.pid, reterr)) < 0)
                goto fail;
        log_debug("container %s: pid %d is in its cgroups", o->id, (int) s.pid);
        if ((r = sync_send(s.sync_fd, SYNC_CGROUP, 0, 0, NULL)) < 0) {
                r = child_failure(&s, reterr);
                goto fail;
        }
        s.state->cgroup = cgroup_manager_serialize(s.cgroup);

        for (;;) {
                SyncMsg m;
                if ((r = sync_recv(s.sync_fd, &m, NULL)) < 0) {
                        r = child_failure(&s, reterr);
                        goto fail;
                }
                if (m.type == SYNC_ERROR) {
                        r = error_msg(reterr, m.err, "%s", m.msg);
                        goto fail;
                }
                if (m.type == SYNC_HOOKS) {
                        if ((r = run_hooks(spec, OCI_HOOK_PRESTART, s.state, OCI_STATUS_CREATING, reterr)) < 0 ||
                            (r = run_hooks(spec, OCI_HOOK_CREATE_RUNTIME, s.state, OCI_STATUS_CREATING, reterr)) < 0)
                                goto fail;
                        if ((r = sync_send(s.sync_fd, SYNC_HOOKS_DONE, 0, 0, NULL)) < 0) {
                                r = child_failure(&s, reterr);
                                goto fail;
                        }
                        continue;
                }
                if (m.type == SYNC_READY) {
                        log_debug("container %s: set up", o->id);
                        break;
                }
        }
        if ((r = state_save(s.dirfd, s.state, reterr)) < 0)
                goto fail;
        if ((r = pid_file_write(o->pid_file, s.pid, reterr)) < 0)
                goto fail;

        *ret = s;
        s = (Spawned){ .sync_fd = -1, .dirfd = -1, .rootfd = -1 };
        r = 0;
        goto done;
fail:
        spawned_abort(&s, o->id);
done:
        ns_plan_done(&a.ns);
        rootfs_plan_done(&a.rootfs);
        process_plan_done(&a.proc);
        safe_close(a.console_sock);
        safe_close(a.listener_sock);
        free(a.listener_state);
        spawned_done(&s);
        return r;
}

int pid_file_write(const char *path, pid_t pid, Error *reterr) {
        char buf[32];
        int n = snprintf(buf, sizeof buf, "%d", (int) pid);
        int r = path ? write_file_atomic(path, buf, (size_t) n, 0644) : 0;
        return r < 0 ? error_set(reterr, r, "writing pid file %s", path) : 0;
}

int container_create(const RuntimeContext *ctx, const CreateOptions *o, Error *reterr) {
        Spawned s;
        int r = spawn(ctx, o, true, -1, &s, reterr);
        if (r < 0)
                return r;
        spawned_done(&s);
        return 0;
}

static void poststart(const OciSpec *spec, const ContainerState *st) {
        (void) run_hooks(spec, OCI_HOOK_POSTSTART, st, OCI_STATUS_RUNNING, NULL);
}

int container_start(const RuntimeContext *ctx, const char *id, Error *reterr) {
        _cleanup_(container_state_freep) ContainerState *s = NULL;
        _cleanup_close_ int dir = -1;
        OciStatus st;
        int r = state_load_status(ctx, id, &s, &dir, &st, reterr);
        if (r < 0)
                return r;
        if (st != OCI_STATUS_CREATED)
                return error_msg(reterr, EBUSY, "cannot start container \"%s\": it is %s, not created", id,
                                 oci_status_to_string(st));
        _cleanup_close_ int fifo = openat(dir, "exec.fifo", O_RDONLY | O_NONBLOCK | O_CLOEXEC);
        if (fifo < 0)
                return error_set(reterr, errno, "opening exec.fifo of container \"%s\"", id);
        /* Bounded: the process is alive and about to write; if it dies the
         * check below notices within one poll interval. */
        for (int i = 0;; i++) {
                struct pollfd p = { .fd = fifo, .events = POLLIN };
                int n = poll(&p, 1, 100);
                if (n > 0 && (p.revents & POLLIN)) {
                        char c;
                        if (read(fifo, &c, 1) == 1)
                                break;
                }
                if (!pid_is_alive(s->pid, s->pid_start))
                        return error_msg(reterr, ESRCH, "container \"%s\" exited before it was started", id);
                if (i > 600)
                        return error_msg(reterr, ETIMEDOUT, "container \"%s\" did not answer start", id);
        }
        (void) unlinkat(dir, "exec.fifo", 0);
        _cleanup_(oci_spec_freep) OciSpec *spec = NULL;
        if (state_load_spec(dir, &spec, NULL) >= 0)
                poststart(spec, s);
        return 0;
}

int process_wait_forwarding(pid_t pid) {
        sigset_t set;
        sigfillset(&set);
        sigdelset(&set, SIGSEGV);
        sigdelset(&set, SIGBUS);
        sigdelset(&set, SIGILL);
        sigdelset(&set, SIGFPE);
        sigprocmask(SIG_BLOCK, &set, NULL);
        for (;;) {
                int status;
                pid_t w = waitpid(pid, &status, WNOHANG);
                if (w == pid)
                        return status_to_exit_code(status);
                if (w < 0 && errno != EINTR)
                        return 255;
                siginfo_t si;
                struct timespec ts = { .tv_sec = 1 };
                int sig = sigtimedwait(&set, &si, &ts);
                if (sig > 0 && sig != SIGCHLD)
                        kill(pid, sig);
        }
}

static int destroy(const RuntimeContext *ctx, ContainerState *s, int rootfd, Error *reterr) {
        log_debug("container %s: destroying", s->id);
        _cleanup_(oci_spec_freep) OciSpec *spec = NULL;
        _cleanup_close_ int dir = openat(rootfd, s->id, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (dir >= 0)
                (void) state_load_spec(dir, &spec, NULL);
        if (s->cgroup) {
                _cleanup_(cgroup_manager_freep) CgroupManager *m = NULL;
                int r = cgroup_manager_deserialize(s->cgroup, &m, reterr);
                if (r >= 0)
                        r = cgroup_manager_destroy(m, reterr);
                if (r < 0)
                        return r;
        }
        log_debug("container %s: cgroup removed", s->id);
        int r = rm_rf_at(rootfd, s->id);
        if (r < 0)
                return error_set(reterr, r, "removing the state of container \"%s\"", s->id);
        if (spec)
                (void) run_hooks(spec, OCI_HOOK_POSTSTOP, s, OCI_STATUS_STOPPED, NULL);
        return 0;
}

int container_run(const RuntimeContext *ctx, const CreateOptions *o, bool detach, int *ret_exit_code,
                  Error *reterr) {
        Spawned s;
        _cleanup_close_ int console_ours = -1, console_theirs = -1, master = -1;
        if (!detach && !o->console_socket) {
                int sv[2];
                if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0)
                        return error_set(reterr, errno, "socketpair");
                console_ours = sv[0];
                console_theirs = sv[1];
        }
        int r = spawn(ctx, o, false, console_theirs, &s, reterr);
        if (r < 0)
                return r;
        console_theirs = safe_close(console_theirs);
        if (console_ours >= 0 && s.spec->process->terminal) {
                char name[64];
                if (recv_fd(console_ours, &master, name, sizeof name) < 0 || master < 0) {
                        kill(s.pid, SIGKILL);
                        r = error_msg(reterr, EIO, "receiving the container's terminal");
                        (void) process_wait_forwarding(s.pid);
                        (void) destroy(ctx, s.state, s.rootfd, NULL);
                        spawned_done(&s);
                        return r;
                }
        }
        poststart(s.spec, s.state);
        *ret_exit_code = 0;
        if (!detach) {
                *ret_exit_code = master >= 0 ? terminal_proxy_and_wait(master, s.pid) : process_wait_forwarding(s.pid);
                log_debug("container %s: exited with %d", o->id, *ret_exit_code);
                if (!o->keep && (r = destroy(ctx, s.state, s.rootfd, reterr)) < 0) {
                        spawned_done(&s);
                        return r;
                }
        }
        spawned_done(&s);
        return 0;
}

int container_state_json(const RuntimeContext *ctx, const char *id, JsonValue **ret, Error *reterr) {
        _cleanup_(container_state_freep) ContainerState *s = NULL;
        _cleanup_close_ int dir = -1;
        int r = state_load(ctx, id, &s, &dir, reterr);
        if (r < 0)
                return r;
        JsonValue *v = state_to_oci_json(s, state_status(s, dir));
        if (!v)
                return error_set(reterr, ENOMEM, "state");
        *ret = v;
        return 0;
}

int load_cgroup(const ContainerState *s, CgroupManager **ret, Error *reterr) {
        if (!s->cgroup)
                return error_msg(reterr, ENOENT, "container \"%s\" has no cgroup", s->id);
        return cgroup_manager_deserialize(s->cgroup, ret, reterr);
}

int container_kill(const RuntimeContext *ctx, const char *id, int sig, bool all, Error *reterr) {
        _cleanup_(container_state_freep) ContainerState *s = NULL;
        _cleanup_close_ int dir = -1;
        OciStatus st;
        int r = state_load_status(ctx, id, &s, &dir, &st, reterr);
        if (r < 0)
                return r;
        if (st == OCI_STATUS_STOPPED && !all)
                return error_msg(reterr, ESRCH, "container \"%s\" is not running", id);
        if (all) {
                _cleanup_(cgroup_manager_freep) CgroupManager *m = NULL;
                if ((r = load_cgroup(s, &m, reterr)) < 0)
                        return r;
                return cgroup_manager_kill(m, sig, reterr);
        }
        /* Signal through a pidfd taken after the start-time check, so a
         * recycled pid cannot receive it. */
        int pfd = (int) syscall(SYS_pidfd_open, s->pid, 0);
        if (pfd < 0 || !pid_is_alive(s->pid, s->pid_start)) {
                safe_close(pfd);
                return error_msg(reterr, ESRCH, "container \"%s\" is not running", id);
        }
        r = (int) syscall(SYS_pidfd_send_signal, pfd, sig, NULL, 0);
        r = r < 0 ? -errno : 0;
        safe_close(pfd);
        if (r < 0)
                return error_set(reterr, r, "sending signal %d to container \"%s\"", sig, id);
        return 0;
}

static void wait_gone(pid_t pid, uint64_t start) {
        int pfd = (int) syscall(SYS_pidfd_open, pid, 0);
        if (pfd >= 0) {
                struct pollfd p = { .fd = pfd, .events = POLLIN };
                (void) poll(&p, 1, 10000);
                safe_close(pfd);
        }
        /* The pidfd tells that it exited; reaping by its parent may lag. */
        for (int i = 0; i < 100 && pid_is_alive(pid, start); i++)
                usleep(10000);
}

int container_delete(const RuntimeContext *ctx, const char *id, bool force, Error *reterr) {
        _cleanup_(container_state_freep) ContainerState *s = NULL;
        _cleanup_close_ int dir = -1;
        OciStatus st;
        int r = state_load_status(ctx, id, &s, &dir, &st, reterr);
        if (r < 0)
                return r;
        if (st == OCI_STATUS_RUNNING || st == OCI_STATUS_PAUSED) {
                if (!force)
                        return error_msg(reterr, EBUSY, "cannot delete container \"%s\" that is not stopped: %s", id,
                                         oci_status_to_string(st));
        }
        if (st != OCI_STATUS_STOPPED) {
                _cleanup_(cgroup_manager_freep) CgroupManager *m = NULL;
                if (load_cgroup(s, &m, NULL) >= 0) {
                        if (st == OCI_STATUS_PAUSED)
                                (void) cgroup_manager_freeze(m, false, NULL);
                        (void) cgroup_manager_kill(m, SIGKILL, NULL);
                }
                if (pid_is_alive(s->pid, s->pid_start))
                        kill(s->pid, SIGKILL);
                wait_gone(s->pid, s->pid_start);
        }
        _cleanup_close_ int root = open(ctx->root, O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (root < 0)
                return error_set(reterr, errno, "opening %s", ctx->root);
        return destroy(ctx, s, root, reterr);
}

static int freeze(const RuntimeContext *ctx, const char *id, bool frozen, Error *reterr) {
        _cleanup_(container_state_freep) ContainerState *s = NULL;
        _cleanup_close_ int dir = -1;
        OciStatus st;
        int r = state_load_status(ctx, id, &s, &dir, &st, reterr);
        if (r < 0)
                return r;
        if (st != (frozen ? OCI_STATUS_RUNNING : OCI_STATUS_PAUSED))
                return error_msg(reterr, EBUSY, "container \"%s\" is %s, not %s", id, oci_status_to_string(st),
                                 frozen ? "running" : "paused");
        _cleanup_(cgroup_manager_freep) CgroupManager *m = NULL;
        if ((r = load_cgroup(s, &m, reterr)) < 0)
                return r;
        return cgroup_manager_freeze(m, frozen, reterr);
}

int container_pause(const RuntimeContext *ctx, const char *id, Error *reterr) {
        return freeze(ctx, id, true, reterr);
}

int container_resume(const RuntimeContext *ctx, const char *id, Error *reterr) {
        return freeze(ctx, id, false, reterr);
}

static int with_cgroup(const RuntimeContext *ctx, const char *id, CgroupManager **ret, Error *reterr) {
        _cleanup_(container_state_freep) ContainerState *s = NULL;
        _cleanup_close_ int dir = -1;
        int r = state_load(ctx, id, &s, &dir, reterr);
        if (r < 0)
                return r;
        if (state_status(s, dir) == OCI_STATUS_STOPPED)
                return error_msg(reterr, ESRCH, "container \"%s\" is not running", id);
        return load_cgroup(s, ret, reterr);
}

int container_pids(const RuntimeContext *ctx, const char *id, pid_t **ret, size_t *ret_n, Error *reterr) {
        _cleanup_(cgroup_manager_freep) CgroupManager *m = NULL;
        int r = with_cgroup(ctx, id, &m, reterr);
        return r < 0 ? r : cgroup_manager_pids(m, ret, ret_n, reterr);
}

int container_update(const RuntimeContext *ctx, const char *id, const OciResources *res, Error *reterr) {
        _cleanup_(cgroup_manager_freep) CgroupManager *m = NULL;
        int r = with_cgroup(ctx, id, &m, reterr);
        return r < 0 ? r : cgroup_manager_update(m, res, reterr);
}

int container_stats(const RuntimeContext *ctx, const char *id, JsonValue **ret, Error *reterr) {
        _cleanup_(cgroup_manager_freep) CgroupManager *m = NULL;
        int r = with_cgroup(ctx, id, &m, reterr);
        return r < 0 ? r : cgroup_manager_stats(m, ret, reterr);
}

void container_summary_free_many(ContainerSummary *s, size_t n) {
        for (size_t i = 0; i < n; i++) {
                free(s[i].id);
                free(s[i].bundle);
                free(s[i].created);
                free(s[i].owner);
        }
        free(s);
}

int container_list(const RuntimeContext *ctx, ContainerSummary **ret, size_t *ret_n, Error *reterr) {
        *ret = NULL;
        *ret_n = 0;
        _cleanup_closedir_ DIR *d = opendir(ctx->root);
        if (!d)
                return errno == ENOENT ? 0 : error_set(reterr, errno, "listing %s", ctx->root);
        ContainerSummary *list = NULL;
        size_t n = 0;
        struct dirent *de;
        while ((de = readdir(d))) {
                if (de->d_name[0] == '.')
                        continue;
                _cleanup_(container_state_freep) ContainerState *s = NULL;
                _cleanup_close_ int dir = -1;
                if (state_load(ctx, de->d_name, &s, &dir, NULL) < 0)
                        continue;
                ContainerSummary *nl = realloc(list, (n + 1) * sizeof *list);
                if (!nl) {
                        container_summary_free_many(list, n);
                        return error_set(reterr, ENOMEM, "list");
                }
                list = nl;
                OciStatus st = state_status(s, dir);
                /* runc's list shows who owns the state directory. */
                struct stat sb;
                if ((!s->owner || !s->owner[0]) && fstat(dir, &sb) == 0) {
                        char *name = NULL;
                        free(s->owner);
                        s->owner = passwd_lookup_uid("/etc/passwd", sb.st_uid, &name, NULL) >= 0
                                           ? name
                                           : strdup_printf("#%u", (unsigned) sb.st_uid);
                }
                list[n++] = (ContainerSummary){
                        .id = TAKE_PTR(s->id),
                        .pid = st == OCI_STATUS_STOPPED ? 0 : s->pid,
                        .status = st,
                        .bundle = TAKE_PTR(s->bundle),
                        .created = TAKE_PTR(s->created),
                        .owner = TAKE_PTR(s->owner),
                };
        }
        *ret = list;
        *ret_n = n;
        return 0;
}

/* How much of an ELF file execve needs: up to the end of the last segment
 * the program headers name. Section headers and debug info, which follow,
 * are left out of the copy (half of berth-runtime's size). The whole file
 * when it does not look like the ELF we expect. */
static _unused_ off_t elf_loaded_size(int fd) {
        struct stat st;
        if (fstat(fd, &st) < 0)
                return -errno;
        Elf64_Ehdr eh;
        if (pread(fd, &eh, sizeof eh, 0) != (ssize_t) sizeof eh || memcmp(eh.e_ident, ELFMAG, SELFMAG) != 0 ||
            eh.e_ident[EI_CLASS] != ELFCLASS64 || eh.e_phentsize != sizeof(Elf64_Phdr) || eh.e_phnum == 0 ||
            eh.e_phnum > 64)
                return st.st_size;
        Elf64_Phdr ph[64];
        size_t len = eh.e_phnum * sizeof(Elf64_Phdr);
        if (pread(fd, ph, len, (off_t) eh.e_phoff) != (ssize_t) len)
                return st.st_size;
        uint64_t end = eh.e_phoff + len;
        for (size_t i = 0; i < eh.e_phnum; i++)
                if (ph[i].p_offset + ph[i].p_filesz > end)
                        end = ph[i].p_offset + ph[i].p_filesz;
        return end < (uint64_t) st.st_size ? (off_t) end : st.st_size;
}

int runtime_ensure_cloned_binary(char **argv, char **envp) {
        const int want = F_SEAL_SEAL | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE;
        _cleanup_close_ int self = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);
        if (self < 0)
                return -errno;
        int seals = fcntl(self, F_GET_SEALS);
        if (seals >= 0 && (seals & want) == want)
                return 0;
#if defined(__SANITIZE_ADDRESS__)
        /* The sanitizers read the symbols and section headers of the running
         * binary when they report: give them the whole file. */
        struct stat st;
        if (fstat(self, &st) < 0)
                return -errno;
        off_t size = st.st_size;
#else
        off_t size = elf_loaded_size(self);
#endif
        if (size < 0)
                return (int) size;
        /* MFD_EXEC (6.3+) keeps a vm.memfd_noexec=1 host from refusing it. */
        int mfd = memfd_create("berth-runtime", MFD_CLOEXEC | MFD_ALLOW_SEALING | 0x0010U);
        if (mfd < 0 && errno == EINVAL)
                mfd = memfd_create("berth-runtime", MFD_CLOEXEC | MFD_ALLOW_SEALING);
        if (mfd < 0)
                return -errno;
        for (off_t left = size; left > 0;) {
                ssize_t n = sendfile(mfd, self, NULL, (size_t) left);
                if (n <= 0) {
                        int e = n < 0 ? errno : EIO;
                        safe_close(mfd);
                        return -e;
                }
                left -= n;
        }
        if (fcntl(mfd, F_ADD_SEALS, want) < 0) {
                int e = errno;
                safe_close(mfd);
                return -e;
        }
        fexecve(mfd, argv, envp);
        int e = errno;
        safe_close(mfd);
        return -e;
}

int container_oom_count(const RuntimeContext *ctx, const char *id, uint64_t *ret, Error *reterr) {
        _cleanup_(cgroup_manager_freep) CgroupManager *m = NULL;
        int r = with_cgroup(ctx, id, &m, reterr);
        if (r < 0)
                return r;
        r = cgroup_manager_oom_count(m, ret);
        return r < 0 ? error_set(reterr, r, "reading the OOM count of container \"%s\"", id) : 0;
}
