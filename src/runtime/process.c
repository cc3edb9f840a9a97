/* The container process's last steps, shared by init and exec: limits,
 * scheduling, identity, capabilities, no_new_privs, seccomp, fds, and
 * execve. Everything that can be judged before forking is judged in
 * process_plan_make(), so the child has little left that can fail. */
#include <grp.h>
#include <inttypes.h>
#include <linux/close_range.h>
#include <linux/ioprio.h>
#include <sched.h>
#include <sys/personality.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>

#include "container.h"

#ifndef SCHED_DEADLINE
#define SCHED_DEADLINE 6
#endif

static const struct {
        const char *name;
        int value;
} sched_policy_table[] = {
        { "SCHED_OTHER", SCHED_OTHER }, { "SCHED_FIFO", SCHED_FIFO },   { "SCHED_RR", SCHED_RR },
        { "SCHED_BATCH", SCHED_BATCH }, { "SCHED_ISO", 4 },             { "SCHED_IDLE", SCHED_IDLE },
        { "SCHED_DEADLINE", SCHED_DEADLINE },
};

static const struct {
        const char *name;
        uint64_t value;
} sched_flag_table[] = {
        { "SCHED_FLAG_RESET_ON_FORK", 0x01 }, { "SCHED_FLAG_RECLAIM", 0x02 },      { "SCHED_FLAG_DL_OVERRUN", 0x04 },
        { "SCHED_FLAG_KEEP_POLICY", 0x08 },   { "SCHED_FLAG_KEEP_PARAMS", 0x10 },  { "SCHED_FLAG_UTIL_CLAMP_MIN", 0x20 },
        { "SCHED_FLAG_UTIL_CLAMP_MAX", 0x40 },
};

static const struct {
        const char *name;
        int value;
} ioprio_class_table[] = {
        { "IOPRIO_CLASS_RT", IOPRIO_CLASS_RT },
        { "IOPRIO_CLASS_BE", IOPRIO_CLASS_BE },
        { "IOPRIO_CLASS_IDLE", IOPRIO_CLASS_IDLE },
};

static const struct {
        const char *name;
        unsigned long value;
} personality_flag_table[] = {
        { "ADDR_NO_RANDOMIZE", ADDR_NO_RANDOMIZE }, { "MMAP_PAGE_ZERO", MMAP_PAGE_ZERO },
        { "ADDR_COMPAT_LAYOUT", ADDR_COMPAT_LAYOUT }, { "READ_IMPLIES_EXEC", READ_IMPLIES_EXEC },
        { "ADDR_LIMIT_32BIT", ADDR_LIMIT_32BIT },   { "SHORT_INODE", SHORT_INODE },
        { "WHOLE_SECONDS", WHOLE_SECONDS },         { "STICKY_TIMEOUTS", STICKY_TIMEOUTS },
        { "ADDR_LIMIT_3GB", ADDR_LIMIT_3GB },
};

struct sched_attr_v1 {
        uint32_t size, sched_policy;
        uint64_t sched_flags;
        int32_t sched_nice;
        uint32_t sched_priority;
        uint64_t sched_runtime, sched_deadline, sched_period;
};

int process_plan_make(const OciProcess *proc, const OciSeccomp *sec, const OciPersonality *pers, int seccomp_cache_dirfd,
                      ProcessPlan *ret, Error *reterr) {
        ProcessPlan p = { .proc = proc, .ioprio = -1 };
        int r;
        if (!proc || !proc->args || !proc->args[0])
                return error_msg(reterr, EINVAL, "process.args must not be empty");
        if (proc->capabilities) {
                if ((r = caps_from_oci(proc->capabilities, &p.caps, reterr)) < 0)
                        return r;
                p.has_caps = true;
        }
        if (proc->rlimits.n) {
                p.rlimit_ids = calloc(proc->rlimits.n, sizeof(int));
                if (!p.rlimit_ids)
                        return error_set(reterr, ENOMEM, "rlimits");
                for (size_t i = 0; i < proc->rlimits.n; i++) {
                        int id = oci_rlimit_from_string(proc->rlimits.items[i].type);
                        if (id < 0) {
                                process_plan_done(&p);
                                return error_msg(reterr, EINVAL, "process.rlimits[%zu]: unknown type \"%s\"", i,
                                                 proc->rlimits.items[i].type);
                        }
                        p.rlimit_ids[i] = id;
                }
        }
        if (proc->io_priority) {
                int cls = -1;
                for (size_t i = 0; i < ELEMENTSOF(ioprio_class_table); i++)
                        if (proc->io_priority->class && strcmp(proc->io_priority->class, ioprio_class_table[i].name) == 0)
                                cls = ioprio_class_table[i].value;
                if (cls < 0 || proc->io_priority->priority < 0 || proc->io_priority->priority > 7) {
                        process_plan_done(&p);
                        return error_msg(reterr, EINVAL, "process.ioPriority: invalid class \"%s\" or priority %d",
                                         proc->io_priority->class ? proc->io_priority->class : "",
                                         proc->io_priority->priority);
                }
                p.ioprio = IOPRIO_PRIO_VALUE(cls, proc->io_priority->priority);
        }
        if (proc->scheduler) {
                bool ok = false;
                for (size_t i = 0; i < ELEMENTSOF(sched_policy_table); i++)
                        ok |= proc->scheduler->policy && strcmp(proc->scheduler->policy, sched_policy_table[i].name) == 0;
                for (size_t i = 0; ok && proc->scheduler->flags && proc->scheduler->flags[i]; i++) {
                        bool f = false;
                        for (size_t j = 0; j < ELEMENTSOF(sched_flag_table); j++)
                                f |= strcmp(proc->scheduler->flags[i], sched_flag_table[j].name) == 0;
                        if (!f) {
                                process_plan_done(&p);
                                return error_msg(reterr, EINVAL, "process.scheduler.flags: unknown flag \"%s\"",
                                                 proc->scheduler->flags[i]);
                        }
                }
                if (!ok) {
                        process_plan_done(&p);
                        return error_msg(reterr, EINVAL, "process.scheduler.policy: unknown policy \"%s\"",
                                         proc->scheduler->policy ? proc->scheduler->policy : "");
                }
                p.has_sched = true;
        }
        if (pers) {
                if (!pers->domain || (strcmp(pers->domain, "LINUX") != 0 && strcmp(pers->domain, "LINUX32") != 0)) {
                        process_plan_done(&p);
                        return error_msg(reterr, EINVAL, "linux.personality.domain: unknown domain \"%s\"",
                                         pers->domain ? pers->domain : "");
                }
                p.personality = strcmp(pers->domain, "LINUX32") == 0 ? PER_LINUX32 : PER_LINUX;
                for (size_t i = 0; pers->flags && pers->flags[i]; i++) {
                        bool f = false;
                        for (size_t j = 0; j < ELEMENTSOF(personality_flag_table); j++)
                                if (strcmp(pers->flags[i], personality_flag_table[j].name) == 0) {
                                        p.personality |= personality_flag_table[j].value;
                                        f = true;
                                }
                        if (!f) {
                                process_plan_done(&p);
                                return error_msg(reterr, EINVAL, "linux.personality.flags: unknown flag \"%s\"",
                                                 pers->flags[i]);
                        }
                }
                p.has_personality = true;
        }
        if (proc->apparmor_profile && proc->apparmor_profile[0] &&
            access("/sys/kernel/security/apparmor", F_OK) < 0) {
                process_plan_done(&p);
                return error_msg(reterr, EOPNOTSUPP,
                                 "process.apparmorProfile \"%s\" requested but AppArmor is not enabled on this host",
                                 proc->apparmor_profile);
        }
        if (proc->selinux_label && proc->selinux_label[0] && access("/sys/fs/selinux/enforce", F_OK) < 0) {
                process_plan_done(&p);
                return error_msg(reterr, EOPNOTSUPP,
                                 "process.selinuxLabel \"%s\" requested but SELinux is not enabled on this host",
                                 proc->selinux_label);
        }
        if (sec && (r = seccomp_cache_dirfd >= 0 ? seccomp_filter_prepare_cached(sec, seccomp_cache_dirfd, &p.seccomp, reterr)
                                                 : seccomp_filter_prepare(sec, &p.seccomp, reterr)) < 0) {
                process_plan_done(&p);
                return r;
        }
        *ret = p;
        return 0;
}

void process_plan_done(ProcessPlan *p) {
        free(p->rlimit_ids);
        p->rlimit_ids = NULL;
        p->seccomp = seccomp_filter_free(p->seccomp);
}

static int apply_rlimits(const ProcessPlan *p, Error *reterr) {
        const OciProcess *proc = p->proc;
        for (size_t i = 0; i < proc->rlimits.n; i++) {
                const OciRlimit *l = &proc->rlimits.items[i];
                struct rlimit rl = { .rlim_cur = l->soft, .rlim_max = l->hard };
                if (setrlimit(p->rlimit_ids[i], &rl) == 0)
                        continue;
                int e = errno;
                struct rlimit cur = {};
                getrlimit(p->rlimit_ids[i], &cur);
                if (e == EPERM && l->hard > cur.rlim_max)
                        return error_msg(reterr, EPERM,
                                         "process.rlimits: %s hard limit %" PRIu64 " is above the current hard limit %llu, "
                                         "and raising it needs CAP_SYS_RESOURCE, which this runtime does not have",
                                         l->type, l->hard, (unsigned long long) cur.rlim_max);
                return error_set(reterr, e, "process.rlimits: setting %s to soft %" PRIu64 " hard %" PRIu64, l->type,
                                 l->soft, l->hard);
        }
        return 0;
}

static int apply_scheduler(const OciScheduler *s, Error *reterr) {
        struct sched_attr_v1 a = { .size = sizeof a };
        for (size_t i = 0; i < ELEMENTSOF(sched_policy_table); i++)
                if (strcmp(s->policy, sched_policy_table[i].name) == 0)
                        a.sched_policy = (uint32_t) sched_policy_table[i].value;
        for (size_t i = 0; s->flags && s->flags[i]; i++)
                for (size_t j = 0; j < ELEMENTSOF(sched_flag_table); j++)
                        if (strcmp(s->flags[i], sched_flag_table[j].name) == 0)
                                a.sched_flags |= sched_flag_table[j].value;
        a.sched_nice = s->nice;
        a.sched_priority = (uint32_t) s->priority;
        a.sched_runtime = s->runtime;
        a.sched_deadline = s->deadline;
        a.sched_period = s->period;
        if (syscall(SYS_sched_setattr, 0, &a, 0) < 0)
                return error_set(reterr, errno, "process.scheduler: setting policy %s", s->policy);
        return 0;
}

int cpu_list_parse(const char *s, cpu_set_t *set) {
        CPU_ZERO(set);
        while (s && *s) {
                char *end;
                unsigned long a = strtoul(s, &end, 10), b = a;
                if (end == s)
                        return -EINVAL;
                if (*end == '-') {
                        s = end + 1;
                        b = strtoul(s, &end, 10);
                        if (end == s || b < a)
                                return -EINVAL;
                }
                for (unsigned long c = a; c <= b && c < CPU_SETSIZE; c++)
                        CPU_SET(c, set);
                s = *end == ',' ? end + 1 : end;
                if (*end && *end != ',')
                        return -EINVAL;
        }
        return 0;
}

/* HOME from the container's /etc/passwd when the spec leaves it out, as runc
 * and docker do; "/" when there is no entry. */
static char *home_for_uid(uid_t uid) {
        _cleanup_free_ char *home = NULL;
        if (passwd_lookup_uid("/etc/passwd", uid, NULL, &home) >= 0)
                return strdup_printf("HOME=%s", home);
        return strdup("HOME=/");
}

static bool env_has(char *const *env, const char *name) {
        size_t n = strlen(name);
        for (size_t i = 0; env && env[i]; i++)
                if (strncmp(env[i], name, n) == 0 && env[i][n] == '=')
                        return true;
        return false;
}

static const char *env_get(char *const *env, const char *name) {
        size_t n = strlen(name);
        for (size_t i = 0; env && env[i]; i++)
                if (strncmp(env[i], name, n) == 0 && env[i][n] == '=')
                        return env[i] + n + 1;
        return NULL;
}

/* Finds args[0] along the process's own PATH (not the runtime's), as runc. */
static int find_executable(const char *name, char *const *env, char *buf, size_t len) {
        if (strchr(name, '/')) {
                snprintf(buf, len, "%s", name);
                return 0;
        }
        const char *path = env_get(env, "PATH");
        if (!path)
                path = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
        int found_noexec = 0;
        for (const char *p = path; *p;) {
                const char *e = strchrnul(p, ':');
                int n = (int) (e - p);
                snprintf(buf, len, "%.*s/%s", n ? n : 1, n ? p : ".", name);
                struct stat st;
                if (stat(buf, &st) == 0 && S_ISREG(st.st_mode)) {
                        if (access(buf, X_OK) == 0)
                                return 0;
                        found_noexec = 1;
                }
                p = *e ? e + 1 : e;
        }
        return found_noexec ? -EACCES : -ENOENT;
}

/* The agent gets the listener at once: any later syscall of ours that the
 * filter sends to it would otherwise wait for an agent without the fd. */
static int seccomp_load_and_pass(const ProcessPlan *p, int listener_sock, const char *listener_state, Error *reterr) {
        int listener = -1;
        int r = seccomp_filter_load(p->seccomp, &listener);
        if (r < 0)
                return error_set(reterr, r, "loading the seccomp filter");
        if (listener < 0)
                return 0;
        r = listener_sock >= 0 ? send_fd(listener_sock, listener, listener_state, strlen(listener_state)) : -ENOTCONN;
        safe_close(listener);
        if (r < 0)
                return error_set(reterr, r, "passing the seccomp listener to linux.seccomp.listenerPath");
        return 0;
}

int process_exec(const ProcessPlan *p, unsigned preserve_fds, int listener_sock, const char *listener_state,
                 int *ret_exit_code, Error *reterr) {
        const OciProcess *proc = p->proc;
        int r;
        *ret_exit_code = 1;

        if ((r = apply_rlimits(p, reterr)) < 0)
                return r;
        if (proc->oom_score_adj.set) {
                char v[32];
                int n = snprintf(v, sizeof v, "%" PRId64, proc->oom_score_adj.value);
                r = write_file_at(AT_FDCWD, "/proc/self/oom_score_adj", v, (size_t) n);
                if (r < 0)
                        return error_set(reterr, r,
                                         "process.oomScoreAdj: writing %s (lowering it needs CAP_SYS_RESOURCE)", v);
        }
        if (p->ioprio >= 0 && syscall(SYS_ioprio_set, IOPRIO_WHO_PROCESS, 0, p->ioprio) < 0)
                return error_set(reterr, errno, "process.ioPriority");
        if (p->has_sched && (r = apply_scheduler(proc->scheduler, reterr)) < 0)
                return r;
        if (p->has_personality && personality(p->personality) < 0)
                return error_set(reterr, errno, "linux.personality");
        if (proc->exec_cpu_affinity && proc->exec_cpu_affinity->initial) {
                cpu_set_t set;
                if (cpu_list_parse(proc->exec_cpu_affinity->initial, &set) < 0)
                        return error_msg(reterr, EINVAL, "process.execCPUAffinity.initial: invalid CPU list \"%s\"",
                                         proc->exec_cpu_affinity->initial);
                if (sched_setaffinity(0, sizeof set, &set) < 0)
                        return error_set(reterr, errno, "process.execCPUAffinity.initial");
        }
        umask(proc->user.umask.set ? (mode_t) proc->user.umask.value : 022);

        const char *cwd = proc->cwd && proc->cwd[0] ? proc->cwd : "/";
        if (chdir(cwd) < 0)
                return error_set(reterr, errno, "process.cwd: chdir to %s", cwd);
        /* A cwd reached through an fd leaked from outside (a /proc/self/fd/N
         * path) lies outside our root: getcwd() then fails or says
         * "(unreachable)" (CVE-2024-21626 class). */
        char here[4096];
        if (!getcwd(here, sizeof here) || here[0] != '/')
                return error_msg(reterr, EPERM, "process.cwd %s is outside the container's root; refusing", cwd);

        _cleanup_strv_free_ char **env = strv_copy(proc->env);
        if (!env)
                return error_set(reterr, ENOMEM, "env");
        if (!env_has(env, "HOME")) {
                char *h = home_for_uid(proc->user.uid);
                if (!h || strv_push(&env, h) < 0)
                        return error_set(reterr, ENOMEM, "env");
        }

        /* Without no_new_privs, loading a filter needs CAP_SYS_ADMIN, which
         * the user may not keep: load it while we still have it. */
        bool seccomp_early = p->seccomp && !proc->no_new_privileges;
        if (seccomp_early && (r = seccomp_load_and_pass(p, listener_sock, listener_state, reterr)) < 0)
                return r;

        if (p->has_caps && (r = caps_drop_bounding(&p->caps)) < 0)
                return error_set(reterr, r, "dropping capabilities from the bounding set");
        gid_t *groups = (gid_t *) proc->user.additional_gids.items;
        if (setgroups(proc->user.additional_gids.n, groups) < 0 && errno != EPERM)
                return error_set(reterr, errno, "setting additional groups");
        if (setresgid(proc->user.gid, proc->user.gid, proc->user.gid) < 0)
                return error_set(reterr, errno, "setting gid %u", proc->user.gid);
        if (p->has_caps && prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) < 0)
                return error_set(reterr, errno, "PR_SET_KEEPCAPS");
        if (setresuid(proc->user.uid, proc->user.uid, proc->user.uid) < 0)
                return error_set(reterr, errno, "setting uid %u", proc->user.uid);
        if (p->has_caps) {
                if (prctl(PR_SET_KEEPCAPS, 0, 0, 0, 0) < 0)
                        return error_set(reterr, errno, "PR_SET_KEEPCAPS");
                if ((r = caps_apply(&p->caps)) < 0)
                        return error_set(reterr, r, "applying capabilities");
        }
        if (proc->no_new_privileges && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
                return error_set(reterr, errno, "setting no_new_privs");

        char exe[4096];
        r = find_executable(proc->args[0], env, exe, sizeof exe);
        if (r < 0) {
                *ret_exit_code = r == -EACCES ? 126 : 127;
                return error_msg(reterr, -r, "exec: \"%s\": %s", proc->args[0],
                                 r == -EACCES ? "permission denied" : "executable file not found in $PATH");
        }

        /* Nothing of ours may reach the process (CVE-2024-21626 class): every
         * fd past stdio and the preserved ones closes at execve. */
        if (syscall(SYS_close_range, 3 + preserve_fds, ~0U, CLOSE_RANGE_CLOEXEC) < 0)
                return error_set(reterr, errno, "marking fds close-on-exec");

        if (p->seccomp && !seccomp_early && (r = seccomp_load_and_pass(p, listener_sock, listener_state, reterr)) < 0)
                return r;

        execve(exe, proc->args, env);
        int e = errno;
        *ret_exit_code = e == ENOENT ? 127 : 126;
        return error_set(reterr, e, "exec %s", exe);
}

/* ---- sync channel ---- */

int sync_send(int fd, SyncType type, int err, int64_t value, const char *msg) {
        SyncMsg m = { .type = type, .err = err, .value = value };
        size_t len = offsetof(SyncMsg, msg);
        if (msg) {
                snprintf(m.msg, sizeof m.msg, "%s", msg);
                len += strlen(m.msg) + 1;
        }
        ssize_t n;
        do
                n = send(fd, &m, len, MSG_NOSIGNAL);
        while (n < 0 && errno == EINTR);
        return n < 0 ? -errno : 0;
}

int sync_recv(int fd, SyncMsg *ret, int *ret_fd) {
        memset(ret, 0, sizeof *ret);
        int passed = -1;
        int n = recv_fd(fd, &passed, ret, sizeof *ret);
        if (n < 0)
                return n;
        if (n < (int) offsetof(SyncMsg, msg)) {
                safe_close(passed);
                return -ECONNRESET;
        }
        ret->msg[sizeof ret->msg - 1] = '\0';
        if (ret_fd)
                *ret_fd = passed;
        else
                safe_close(passed);
        return 0;
}

void sync_fail(int fd, const Error *e, int exit_code) {
        (void) sync_send(fd, SYNC_ERROR, e->code ? e->code : EIO, exit_code, e->msg ? e->msg : strerror(e->code));
        _exit(exit_code ? exit_code : 1);
}
