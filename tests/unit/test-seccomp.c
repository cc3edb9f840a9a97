/* linux.seccomp: validation messages, then real filters loaded in forked
 * children (errno and kill actions, argument conditions, allow lists with the
 * ENOSYS stub, user notification answered from the parent). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>

#include <seccomp.h>

#include "seccomp-filter.h"

#define NAMES(...) ((char *[]){__VA_ARGS__, NULL})
#define LIST(T, ...) \
        { .items = (T[]){__VA_ARGS__}, .n = sizeof((T[]){__VA_ARGS__}) / sizeof(T) }
#define ERRNO_RET(e) \
        { .value = (e), .set = true }

/* ---- validation ------------------------------------------------------------ */

static void expect_error(const OciSeccomp *s, const char *msg) {
        Error e = {};
        SeccompFilter *f = NULL;
        int r = seccomp_filter_prepare(s, &f, &e);
        if (r >= 0)
                fail_msg("prepare succeeded; expected \"%s\"", msg);
        assert_null(f);
        assert_non_null(e.msg);
        assert_string_equal(e.msg, msg);
        assert_int_equal(-r, e.code);
        error_clear(&e);
}

static SeccompFilter *prepare_ok(const OciSeccomp *s) {
        Error e = {};
        SeccompFilter *f = NULL;
        int r = seccomp_filter_prepare(s, &f, &e);
        if (r < 0)
                fail_msg("prepare: %s", e.msg);
        assert_non_null(f);
        assert_true(seccomp_filter_program(f)->len > 0);
        return f;
}

static void test_bad_default(void **state) {
        expect_error(&(OciSeccomp){}, "linux.seccomp.defaultAction: missing");
        expect_error(&(OciSeccomp){.default_action = "SCMP_ACT_FOO"},
                     "linux.seccomp.defaultAction: unknown action \"SCMP_ACT_FOO\"");
        expect_error(&(OciSeccomp){.default_action = "SCMP_ACT_ALLOW", .default_errno_ret = ERRNO_RET(1)},
                     "linux.seccomp.defaultErrnoRet: SCMP_ACT_ALLOW takes no errno (only SCMP_ACT_ERRNO and "
                     "SCMP_ACT_TRACE do)");
        expect_error(&(OciSeccomp){.default_action = "SCMP_ACT_ERRNO", .default_errno_ret = ERRNO_RET(70000)},
                     "linux.seccomp.defaultErrnoRet: 70000 is out of range (0-65535)");
        expect_error(&(OciSeccomp){.default_action = "SCMP_ACT_NOTIFY", .listener_path = "/x"},
                     "linux.seccomp.defaultAction: SCMP_ACT_NOTIFY cannot be the default action");
}

static void test_bad_arch_and_flags(void **state) {
        expect_error(&(OciSeccomp){.default_action = "SCMP_ACT_ALLOW",
                                   .architectures = NAMES("SCMP_ARCH_X86_64", "SCMP_ARCH_FOO")},
                     "linux.seccomp.architectures[1]: unknown architecture \"SCMP_ARCH_FOO\"");
        if (seccomp_arch_resolve_name("loongarch64") == 0) {
                const struct scmp_version *v = seccomp_version();
                char msg[160];
                snprintf(
                        msg, sizeof msg,
                        "linux.seccomp.architectures[0]: SCMP_ARCH_LOONGARCH64 is not supported by libseccomp %u.%u.%u",
                        v->major, v->minor, v->micro);
                expect_error(&(OciSeccomp){.default_action = "SCMP_ACT_ALLOW",
                                           .architectures = NAMES("SCMP_ARCH_LOONGARCH64")},
                             msg);
        }
        expect_error(&(OciSeccomp){.default_action = "SCMP_ACT_ALLOW", .flags = NAMES("SECCOMP_FILTER_FLAG_FOO")},
                     "linux.seccomp.flags[0]: unknown flag \"SECCOMP_FILTER_FLAG_FOO\"");

#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
        expect_error(&(OciSeccomp){.default_action = "SCMP_ACT_ALLOW",
                                   .architectures = NAMES("SCMP_ARCH_X86", "SCMP_ARCH_S390X")},
                     "linux.seccomp.architectures[1]: SCMP_ARCH_S390X cannot share a filter with this host's "
                     "architecture (the byte order differs)");

        /* Little-endian architectures can share one filter. */
        SeccompFilter *f = prepare_ok(&(OciSeccomp){
                .default_action = "SCMP_ACT_ERRNO",
                .architectures = NAMES("SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32", "SCMP_ARCH_AARCH64",
                                       "SCMP_ARCH_ARM", "SCMP_ARCH_PPC64LE", "SCMP_ARCH_RISCV64", "SCMP_ARCH_MIPSEL64"),
                .syscalls = LIST(OciSeccompSyscall,
                                 {.names = NAMES("read", "write", "exit_group"), .action = "SCMP_ACT_ALLOW"}),
        });
        seccomp_filter_free(f);
#endif
}

static void test_bad_rules(void **state) {
        OciSeccompSyscall ok = {.names = NAMES("getcwd"), .action = "SCMP_ACT_ERRNO"};
        expect_error(&(OciSeccomp){.default_action = "SCMP_ACT_ALLOW",
                                   .syscalls = LIST(OciSeccompSyscall, ok,
                                                    {.names = NAMES("getcwd"), .action = "SCMP_ACT_BAR"})},
                     "linux.seccomp.syscalls[1].action: unknown action \"SCMP_ACT_BAR\"");
        expect_error(&(OciSeccomp){.default_action = "SCMP_ACT_ALLOW",
                                   .syscalls = LIST(OciSeccompSyscall, {.names = NAMES("getcwd")})},
                     "linux.seccomp.syscalls[0].action: missing");
        expect_error(&(OciSeccomp){.default_action = "SCMP_ACT_ERRNO",
                                   .syscalls = LIST(OciSeccompSyscall, {.names = NAMES("getcwd"),
                                                                        .action = "SCMP_ACT_ALLOW",
                                                                        .errno_ret = ERRNO_RET(1)})},
                     "linux.seccomp.syscalls[0].errnoRet: SCMP_ACT_ALLOW takes no errno (only SCMP_ACT_ERRNO and "
                     "SCMP_ACT_TRACE do)");
        expect_error(
                &(OciSeccomp){.default_action = "SCMP_ACT_ALLOW",
                              .syscalls = LIST(OciSeccompSyscall, {.names = NAMES(NULL), .action = "SCMP_ACT_ERRNO"})},
                "linux.seccomp.syscalls[0].names: must name at least one syscall");
        expect_error(
                &(OciSeccomp){
                        .default_action = "SCMP_ACT_ALLOW",
                        .syscalls = LIST(OciSeccompSyscall, ok, ok, ok,
                                         {.names = NAMES("personality"),
                                          .action = "SCMP_ACT_ERRNO",
                                          .args = LIST(OciSeccompArg, {.index = 0, .op = "SCMP_CMP_FOO"})}),
                },
                "linux.seccomp.syscalls[3].args[0].op: unknown operator \"SCMP_CMP_FOO\"");
        expect_error(
                &(OciSeccomp){
                        .default_action = "SCMP_ACT_ALLOW",
                        .syscalls =
                                LIST(OciSeccompSyscall, {.names = NAMES("personality"),
                                                         .action = "SCMP_ACT_ERRNO",
                                                         .args = LIST(OciSeccompArg, {.index = 0, .op = "SCMP_CMP_EQ"},
                                                                      {.index = 6, .op = "SCMP_CMP_EQ"})}),
                },
                "linux.seccomp.syscalls[0].args[1].index: 6 is out of range (0-5)");
        expect_error(&(OciSeccomp){.default_action = "SCMP_ACT_ALLOW",
                                   .syscalls = LIST(OciSeccompSyscall,
                                                    {.names = NAMES("getcwd"), .action = "SCMP_ACT_NOTIFY"})},
                     "linux.seccomp.listenerPath: required when a rule uses SCMP_ACT_NOTIFY");
        expect_error(&(OciSeccomp){.default_action = "SCMP_ACT_ALLOW",
                                   .listener_path = "/run/agent.sock",
                                   .syscalls = LIST(OciSeccompSyscall, {.names = NAMES("getcwd", "sendmsg"),
                                                                        .action = "SCMP_ACT_NOTIFY"})},
                     "linux.seccomp.syscalls[0]: SCMP_ACT_NOTIFY cannot be used for sendmsg: the runtime needs it to "
                     "hand the listener to the agent");
}

static void test_lenient(void **state) {
        /* Unknown names are skipped, rules that repeat the default (including
         * its errno) are dropped, errnoRet may be given with TRACE, and an
         * unneeded WAIT_KILLABLE_RECV is ignored. */
        SeccompFilter *f = prepare_ok(&(OciSeccomp){
                .default_action = "SCMP_ACT_ERRNO",
                .flags = NAMES("SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV"),
                .syscalls =
                        LIST(OciSeccompSyscall,
                             {.names = NAMES("no_such_syscall_in_any_kernel", "getcwd"), .action = "SCMP_ACT_ALLOW"},
                             {.names = NAMES("mkdir"), .action = "SCMP_ACT_ERRNO"},
                             {.names = NAMES("rmdir"), .action = "SCMP_ACT_ERRNO", .errno_ret = ERRNO_RET(EPERM)},
                             {.names = NAMES("ptrace"), .action = "SCMP_ACT_TRACE", .errno_ret = ERRNO_RET(7)}),
        });
        assert_false(seccomp_filter_wants_listener(f));
        seccomp_filter_free(f);
}

/* ---- in a child -------------------------------------------------------------
 * The child loads the filter and runs checks; it reports the number of the
 * first failed check as its exit code (it may not be allowed to write). */

#define CHILD_CHECK(id, cond)        \
        do {                         \
                if (!(cond))         \
                        return (id); \
        } while (0)

typedef int (*ChildFn)(void *userdata);

static int child_run(const SeccompFilter *f, ChildFn fn, void *userdata) {
        pid_t pid = fork();
        assert_true(pid >= 0);
        if (pid == 0) {
                int listener = -1;
                if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
                        _exit(200);
                if (seccomp_filter_load(f, &listener) < 0)
                        _exit(201);
                _exit(fn(userdata));
        }
        int status;
        assert_int_equal(waitpid(pid, &status, 0), pid);
        return status;
}

static void assert_child_ok(int status) {
        if (!WIFEXITED(status))
                fail_msg("child killed by signal %d", WTERMSIG(status));
        if (WEXITSTATUS(status) != 0)
                fail_msg("child failed check %d", WEXITSTATUS(status));
}

static int errno_child(void *userdata) {
        char buf[256];
        errno = 0;
        CHILD_CHECK(1, syscall(SYS_getcwd, buf, sizeof buf) < 0 && errno == EXDEV);
        errno = 0;
        CHILD_CHECK(2, mkdirat(AT_FDCWD, "/nonexistent-dir/x", 0700) < 0 && errno == EPERM);
        CHILD_CHECK(3, syscall(SYS_getpid) > 0);
        return 0;
}

static void test_errno(void **state) {
        SeccompFilter *f = prepare_ok(&(OciSeccomp){
                .default_action = "SCMP_ACT_ALLOW",
                .syscalls = LIST(OciSeccompSyscall,
                                 {.names = NAMES("getcwd"), .action = "SCMP_ACT_ERRNO", .errno_ret = ERRNO_RET(EXDEV)},
                                 {.names = NAMES("mkdirat", "mkdir"), .action = "SCMP_ACT_ERRNO"}),
        });
        assert_child_ok(child_run(f, errno_child, NULL));
        seccomp_filter_free(f);
}

static int kill_child(void *userdata) {
        char buf[256];
        syscall(SYS_getcwd, buf, sizeof buf);
        return 1;
}

static void test_kill(void **state) {
        SeccompFilter *f = prepare_ok(&(OciSeccomp){
                .default_action = "SCMP_ACT_ALLOW",
                .flags =
                        NAMES("SECCOMP_FILTER_FLAG_LOG", "SECCOMP_FILTER_FLAG_SPEC_ALLOW", "SECCOMP_FILTER_FLAG_TSYNC"),
                .syscalls = LIST(OciSeccompSyscall, {.names = NAMES("getcwd"), .action = "SCMP_ACT_KILL_PROCESS"}),
        });
        int status = child_run(f, kill_child, NULL);
        assert_true(WIFSIGNALED(status));
        assert_int_equal(WTERMSIG(status), SIGSYS);
        seccomp_filter_free(f);
}

static int args_child(void *userdata) {
        errno = 0;
        CHILD_CHECK(1, syscall(SYS_personality, 0xffffffffUL) < 0 && errno == EXDEV);
        CHILD_CHECK(2, syscall(SYS_personality, 0UL) >= 0);
        /* MASKED_EQ: (flags & (NEWUSER|NEWNS)) == NEWUSER. */
        errno = 0;
        CHILD_CHECK(3, unshare(CLONE_NEWUSER) < 0 && errno == ENOTBLK);
        errno = 0;
        CHILD_CHECK(4, unshare(CLONE_NEWUSER | CLONE_NEWNS) == 0 || errno != ENOTBLK);
        CHILD_CHECK(5, unshare(0) == 0);
        /* Two conditions on one argument: either matches. */
        errno = 0;
        CHILD_CHECK(6, dup(1000) < 0 && errno == ENOTBLK);
        errno = 0;
        CHILD_CHECK(7, dup(1001) < 0 && errno == ENOTBLK);
        errno = 0;
        CHILD_CHECK(8, dup(1002) < 0 && errno == EBADF);
        /* Two conditions on different arguments: both must match. */
        errno = 0;
        CHILD_CHECK(9, dup2(1000, 1001) < 0 && errno == ENOTBLK);
        errno = 0;
        CHILD_CHECK(10, dup2(1000, 1003) < 0 && errno == EBADF);
        return 0;
}

static void test_args(void **state) {
        SeccompFilter *f = prepare_ok(&(OciSeccomp){
                .default_action = "SCMP_ACT_ALLOW",
                .syscalls = LIST(OciSeccompSyscall,
                                 {.names = NAMES("personality"),
                                  .action = "SCMP_ACT_ERRNO",
                                  .errno_ret = ERRNO_RET(EXDEV),
                                  .args = LIST(OciSeccompArg, {.index = 0, .value = 0xffffffff, .op = "SCMP_CMP_EQ"})},
                                 {.names = NAMES("unshare"),
                                  .action = "SCMP_ACT_ERRNO",
                                  .errno_ret = ERRNO_RET(ENOTBLK),
                                  .args = LIST(OciSeccompArg, {.index = 0,
                                                               .value = CLONE_NEWUSER | CLONE_NEWNS,
                                                               .value_two = CLONE_NEWUSER,
                                                               .op = "SCMP_CMP_MASKED_EQ"})},
                                 {.names = NAMES("dup"),
                                  .action = "SCMP_ACT_ERRNO",
                                  .errno_ret = ERRNO_RET(ENOTBLK),
                                  .args = LIST(OciSeccompArg, {.index = 0, .value = 1000, .op = "SCMP_CMP_EQ"},
                                               {.index = 0, .value = 1001, .op = "SCMP_CMP_EQ"})},
                                 {.names = NAMES("dup2", "dup3"),
                                  .action = "SCMP_ACT_ERRNO",
                                  .errno_ret = ERRNO_RET(ENOTBLK),
                                  .args = LIST(OciSeccompArg, {.index = 0, .value = 1000, .op = "SCMP_CMP_EQ"},
                                               {.index = 1, .value = 1002, .op = "SCMP_CMP_LT"})}),
        });
        assert_child_ok(child_run(f, args_child, NULL));
        seccomp_filter_free(f);
}

/* Only exit_group, exit, getppid and a few more are allowed; anything else is
 * EPERM, and syscalls numbered above all of those get ENOSYS from the stub. */
typedef struct AllowlistCase {
        bool stub;
        bool x32;  /* SCMP_ARCH_X32 and SCMP_ARCH_X86 in the filter */
        bool ia32; /* the kernel runs i386 syscalls (int $0x80) */
} AllowlistCase;

#ifdef __x86_64__
/* An i386 syscall from a 64-bit process: the kernel reports AUDIT_ARCH_I386. */
static long int80(long nr) {
        long ret;
        __asm__ volatile("int $0x80"
                         : "=a"(ret)
                         : "a"(nr), "b"(0), "c"(0), "d"(0)
                         : "memory", "r8", "r9", "r10", "r11");
        return ret;
}
#define I386_getpid      20
#define I386_getppid     64
#define I386_futex_waitv 449
#endif

static int allowlist_child(void *userdata) {
        const AllowlistCase *c = userdata;
        errno = 0;
        CHILD_CHECK(1, syscall(SYS_getpid) < 0 && errno == EPERM);
        CHILD_CHECK(2, syscall(SYS_getppid) > 0);
#ifdef SYS_futex_waitv
        errno = 0;
        CHILD_CHECK(3, syscall(SYS_futex_waitv, NULL, 0, 0, NULL, 0) < 0 && errno == (c->stub ? ENOSYS : EPERM));
#endif
#if defined(__x86_64__) && defined(SYS_futex_waitv)
        /* x32 numbers carry bit 30: they have a limit of their own (x32's
         * own syscalls go up to 547, sigaltstack is 525), and below it
         * libseccomp's x32 rules apply. Without x32 in the filter they would
         * be killed as a foreign architecture. */
        if (c->x32) {
                errno = 0;
                CHILD_CHECK(4, syscall(0x40000000 | 600) < 0 && errno == ENOSYS);
                errno = 0;
                CHILD_CHECK(5, syscall(0x40000000 | SYS_getpid) < 0 && errno == EPERM);
        }
        if (c->x32 && c->ia32) {
                CHILD_CHECK(6, int80(I386_getpid) == -EPERM);
                CHILD_CHECK(7, int80(I386_getppid) > 0);
                CHILD_CHECK(8, int80(I386_futex_waitv) == -ENOSYS);
        }
#endif
        return 0;
}

static void test_allowlist(void **state) {
        /* Memory management and write for sanitizer builds, whose runtime
         * maps memory lazily and reports through stderr. */
        OciSeccompSyscall allow = {.names = NAMES("exit_group", "exit", "getppid", "no_such_syscall_xyz", "mmap",
                                                  "munmap", "mprotect", "madvise", "write", "sigaltstack"),
                                   .action = "SCMP_ACT_ALLOW"};
        SeccompFilter *f = prepare_ok(&(OciSeccomp){
                .default_action = "SCMP_ACT_ERRNO",
                .syscalls = LIST(OciSeccompSyscall, allow),
        });
        assert_child_ok(child_run(f, allowlist_child, &(AllowlistCase){.stub = true}));
        size_t with_stub = seccomp_filter_program(f)->len;
        seccomp_filter_free(f);

        /* As Docker's profile lists them on x86_64. */
        f = prepare_ok(&(OciSeccomp){
                .default_action = "SCMP_ACT_ERRNO",
                .architectures = NAMES("SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32"),
                .syscalls = LIST(OciSeccompSyscall, allow),
        });
        AllowlistCase c = {.stub = true, .x32 = true};
#ifdef __x86_64__
        c.ia32 = int80(I386_getpid) == getpid();
        if (!c.ia32)
                print_message("not checking i386 syscalls: the kernel does not run them\n");
#endif
        assert_child_ok(child_run(f, allowlist_child, &c));
        seccomp_filter_free(f);

        /* A default of ENOSYS needs no stub. */
        f = prepare_ok(&(OciSeccomp){
                .default_action = "SCMP_ACT_ERRNO",
                .default_errno_ret = ERRNO_RET(ENOSYS),
                .syscalls = LIST(OciSeccompSyscall, allow),
        });
        assert_true(seccomp_filter_program(f)->len < with_stub);
        seccomp_filter_free(f);
}

static void assert_programs_equal(const SeccompFilter *a, const SeccompFilter *b) {
        const struct sock_fprog *pa = seccomp_filter_program(a), *pb = seccomp_filter_program(b);
        assert_int_equal(pa->len, pb->len);
        assert_memory_equal(pa->filter, pb->filter, pa->len * sizeof(struct sock_filter));
        assert_int_equal(seccomp_filter_wants_listener(a), seccomp_filter_wants_listener(b));
}

/* Milliseconds per prepare; *ret gets the last filter. */
static double time_prepare(const OciSeccomp *s, int cache_dirfd, int rounds, SeccompFilter **ret) {
        struct timespec t0, t1;
        clock_gettime(CLOCK_MONOTONIC, &t0);
        for (int i = 0; i < rounds; i++) {
                seccomp_filter_free(*ret);
                *ret = NULL;
                Error e = {};
                if (seccomp_filter_prepare_cached(s, cache_dirfd, ret, &e) < 0)
                        fail_msg("prepare: %s", e.msg);
        }
        clock_gettime(CLOCK_MONOTONIC, &t1);
        return ((t1.tv_sec - t0.tv_sec) * 1e3 + (t1.tv_nsec - t0.tv_nsec) / 1e6) / rounds;
}

/* Milliseconds for seccomp_filter_load() in a child, averaged. */
static double time_load(const SeccompFilter *f) {
        enum { ROUNDS = 20 };
        double total = 0;
        for (int i = 0; i < ROUNDS; i++) {
                int pipefd[2];
                assert_int_equal(pipe2(pipefd, O_CLOEXEC), 0);
                pid_t pid = fork();
                assert_true(pid >= 0);
                if (pid == 0) {
                        int listener;
                        struct timespec t0, t1;
                        if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
                                _exit(1);
                        clock_gettime(CLOCK_MONOTONIC, &t0);
                        if (seccomp_filter_load(f, &listener) < 0)
                                _exit(2);
                        clock_gettime(CLOCK_MONOTONIC, &t1);
                        double ms = (t1.tv_sec - t0.tv_sec) * 1e3 + (t1.tv_nsec - t0.tv_nsec) / 1e6;
                        _exit(write(pipefd[1], &ms, sizeof ms) == sizeof ms ? 0 : 3);
                }
                close(pipefd[1]);
                double ms = 0;
                assert_int_equal(read(pipefd[0], &ms, sizeof ms), sizeof ms);
                close(pipefd[0]);
                int status;
                assert_int_equal(waitpid(pid, &status, 0), pid);
                assert_child_ok(status);
                total += ms;
        }
        return total / ROUNDS;
}

/* A profile of every syscall this libseccomp knows, like Docker's: compile
 * time is on the container start path. */
static int big_child(void *userdata) {
        CHILD_CHECK(1, syscall(SYS_getpid) > 0);
        errno = 0;
        CHILD_CHECK(2, syscall(SYS_personality, 0xffffffffUL) < 0 && errno == EPERM);
        return 0;
}

static void test_big_profile(void **state) {
        char *names[1100];
        size_t n = 0;
        uint32_t native = seccomp_arch_native();
        for (int nr = 0; nr < 1024 && n < ELEMENTSOF(names) - 1; nr++) {
                char *name = seccomp_syscall_resolve_num_arch(native, nr);
                if (name && strcmp(name, "personality") != 0)
                        names[n++] = name;
                else
                        free(name);
        }
        names[n] = NULL;
        assert_true(n > 300);
        OciSeccomp s = {
                .default_action = "SCMP_ACT_ERRNO",
                .architectures = NAMES("SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32"),
                .syscalls = LIST(OciSeccompSyscall, {.names = names, .action = "SCMP_ACT_ALLOW"},
                                 {.names = NAMES("personality"),
                                  .action = "SCMP_ACT_ALLOW",
                                  .args = LIST(OciSeccompArg, {.index = 0, .value = 0, .op = "SCMP_CMP_EQ"})},
                                 {.names = NAMES("personality"),
                                  .action = "SCMP_ACT_ALLOW",
                                  .args = LIST(OciSeccompArg, {.index = 0, .value = 8, .op = "SCMP_CMP_EQ"})}),
        };

        SeccompFilter *f = NULL;
        double plain = time_prepare(&s, -1, 5, &f);
        assert_child_ok(child_run(f, big_child, NULL));

        char dir[] = "/tmp/test-seccomp-XXXXXX";
        assert_non_null(mkdtemp(dir));
        int dfd = open(dir, O_DIRECTORY | O_CLOEXEC);
        assert_true(dfd >= 0);
        SeccompFilter *miss_f = NULL, *cached = NULL;
        double miss = time_prepare(&s, dfd, 1, &miss_f);
        double hit = time_prepare(&s, dfd, 50, &cached);
        assert_programs_equal(miss_f, cached);
        /* Cached filters are compiled as a binary tree. */
        assert_child_ok(child_run(cached, big_child, NULL));
        print_message("load in the child: %.3f ms linear, %.3f ms tree\n", time_load(f), time_load(cached));
        seccomp_filter_free(miss_f);
        print_message("%zu syscalls, 3 architectures: %u BPF instructions; prepare %.2f ms, cache miss %.2f ms, "
                      "cache hit %.3f ms\n",
                      n, seccomp_filter_program(f)->len, plain, miss, hit);
        seccomp_filter_free(cached);
        seccomp_filter_free(f);
        rm_rf_at(AT_FDCWD, dir);
        close(dfd);
        for (size_t i = 0; i < n; i++)
                free(names[i]);
}

/* ---- the cache ------------------------------------------------------------------ */

static void only_entry(int dfd, char name[static 256]) {
        DIR *d = fdopendir(dup(dfd));
        assert_non_null(d);
        /* The dup shares the position an earlier call left at the end. */
        rewinddir(d);
        int n = 0;
        for (struct dirent *de; (de = readdir(d));) {
                if (de->d_name[0] == '.')
                        continue;
                snprintf(name, 256, "%s", de->d_name);
                n++;
        }
        closedir(d);
        assert_int_equal(n, 1);
}

static SeccompFilter *prepare_cached_ok(const OciSeccomp *s, int dfd) {
        Error e = {};
        SeccompFilter *f = NULL;
        if (seccomp_filter_prepare_cached(s, dfd, &f, &e) < 0)
                fail_msg("prepare: %s", e.msg);
        return f;
}

static void test_cache(void **state) {
        OciSeccomp a = {
                .default_action = "SCMP_ACT_ERRNO",
                .syscalls = LIST(OciSeccompSyscall,
                                 {.names = NAMES("read", "write", "exit_group"), .action = "SCMP_ACT_ALLOW"}),
        };
        OciSeccomp b = {
                .default_action = "SCMP_ACT_ALLOW",
                .listener_path = "/run/agent.sock",
                .syscalls = LIST(OciSeccompSyscall, {.names = NAMES("mkdir"), .action = "SCMP_ACT_NOTIFY"}),
        };
        char dir_a[] = "/tmp/test-seccomp-XXXXXX", dir_b[] = "/tmp/test-seccomp-XXXXXX";
        assert_non_null(mkdtemp(dir_a));
        assert_non_null(mkdtemp(dir_b));
        int da = open(dir_a, O_DIRECTORY | O_CLOEXEC), db = open(dir_b, O_DIRECTORY | O_CLOEXEC);
        assert_true(da >= 0 && db >= 0);

        SeccompFilter *fa = prepare_ok(&a);
        SeccompFilter *fb = NULL;
        Error e = {};
        if (seccomp_filter_prepare(&b, &fb, &e) < 0) {
                print_message("skipping: %s\n", e.msg);
                error_clear(&e);
                seccomp_filter_free(fa);
                skip();
        }

        /* Miss, then hit: the same program and flags either way. */
        for (int i = 0; i < 2; i++) {
                SeccompFilter *f = prepare_cached_ok(&a, da);
                assert_programs_equal(fa, f);
                assert_false(seccomp_filter_wants_listener(f));
                seccomp_filter_free(f);
                f = prepare_cached_ok(&b, db);
                assert_programs_equal(fb, f);
                assert_true(seccomp_filter_wants_listener(f));
                seccomp_filter_free(f);
        }
        char slot_a[256], slot_b[256];
        only_entry(da, slot_a);
        only_entry(db, slot_b);

        /* a's entry where b's belongs: its key differs, so it is recompiled. */
        assert_int_equal(renameat(da, slot_a, db, slot_b), 0);
        SeccompFilter *f = prepare_cached_ok(&b, db);
        assert_programs_equal(fb, f);
        seccomp_filter_free(f);

        /* A damaged program fails the checksum. */
        int fd = openat(db, slot_b, O_WRONLY | O_CLOEXEC);
        assert_true(fd >= 0);
        struct stat st;
        assert_int_equal(fstat(fd, &st), 0);
        assert_int_equal(pwrite(fd, "\xff\xff\xff\xff", 4, st.st_size - 4), 4);
        close(fd);
        f = prepare_cached_ok(&b, db);
        assert_programs_equal(fb, f);
        seccomp_filter_free(f);

        /* Bad input is still reported, and nothing is cached for it. */
        expect_error(&(OciSeccomp){.default_action = "SCMP_ACT_FOO"}, "linux.seccomp.defaultAction: unknown action "
                                                                      "\"SCMP_ACT_FOO\"");
        assert_int_equal(seccomp_filter_prepare_cached(&(OciSeccomp){.default_action = "SCMP_ACT_FOO"}, db, &f, &e),
                         -EINVAL);
        assert_string_equal(e.msg, "linux.seccomp.defaultAction: unknown action \"SCMP_ACT_FOO\"");
        error_clear(&e);
        only_entry(db, slot_b);

        seccomp_filter_free(fa);
        seccomp_filter_free(fb);
        close(da), close(db);
        rm_rf_at(AT_FDCWD, dir_a);
        rm_rf_at(AT_FDCWD, dir_b);
}

/* ---- user notification -------------------------------------------------------- */

#define NOTIFY_STATE "{\"ociVersion\":\"1.2.0\",\"fds\":[\"seccompFd\"],\"pid\":1,\"metadata\":\"m\",\"state\":{}}"

static void test_notify(void **state) {
        char dir[] = "/tmp/test-seccomp-XXXXXX";
        assert_non_null(mkdtemp(dir));
        char path[64];
        snprintf(path, sizeof path, "%s/agent.sock", dir);

        OciSeccomp s = {
                .default_action = "SCMP_ACT_ALLOW",
                .listener_path = path,
                .listener_metadata = "m",
                .flags = NAMES("SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV", "SECCOMP_FILTER_FLAG_TSYNC"),
                .syscalls = LIST(OciSeccompSyscall, {.names = NAMES("getcwd"), .action = "SCMP_ACT_NOTIFY"}),
        };
        Error e = {};
        SeccompFilter *f = NULL;
        if (seccomp_filter_prepare(&s, &f, &e) < 0 && e.code == EOPNOTSUPP) {
                /* Kernels before 5.19 lack WAIT_KILLABLE_RECV. */
                error_clear(&e);
                s.flags = NULL;
                seccomp_filter_prepare(&s, &f, &e);
        }
        if (!f) {
                print_message("skipping: the kernel refuses seccomp user notification: %s\n", e.msg);
                error_clear(&e);
                rmdir(dir);
                skip();
        }
        assert_true(seccomp_filter_wants_listener(f));

        int agent = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        assert_true(agent >= 0);
        struct sockaddr_un sa = {.sun_family = AF_UNIX};
        strcpy(sa.sun_path, path);
        assert_int_equal(bind(agent, (struct sockaddr *) &sa, sizeof sa), 0);
        assert_int_equal(listen(agent, 1), 0);
        struct timeval tv = {.tv_sec = 10};
        assert_int_equal(setsockopt(agent, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv), 0);

        pid_t pid = fork();
        assert_true(pid >= 0);
        if (pid == 0) {
                int listener;
                if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0 || seccomp_filter_load(f, &listener) < 0)
                        _exit(1);
                if (listener < 0 || seccomp_send_listener(path, listener, NOTIFY_STATE, NULL) < 0)
                        _exit(2);
                close(listener);
                char buf[64];
                /* The agent answers for the kernel. */
                _exit(syscall(SYS_getcwd, buf, sizeof buf) == 4242 ? 0 : 3);
        }

        int conn = accept4(agent, NULL, NULL, SOCK_CLOEXEC);
        if (conn < 0)
                kill(pid, SIGKILL);
        assert_true(conn >= 0);
        char buf[256] = {};
        int notify_fd = -1;
        int n = recv_fd(conn, &notify_fd, buf, sizeof buf - 1);
        assert_int_equal(n, (int) strlen(NOTIFY_STATE));
        assert_string_equal(buf, NOTIFY_STATE);
        assert_true(notify_fd >= 0);

        struct pollfd p = {.fd = notify_fd, .events = POLLIN};
        if (poll(&p, 1, 10000) != 1)
                kill(pid, SIGKILL);
        struct seccomp_notif req = {};
        assert_int_equal(ioctl(notify_fd, SECCOMP_IOCTL_NOTIF_RECV, &req), 0);
        assert_int_equal(req.pid, pid);
        assert_int_equal(req.data.nr, SYS_getcwd);
        struct seccomp_notif_resp resp = {.id = req.id, .val = 4242};
        assert_int_equal(ioctl(notify_fd, SECCOMP_IOCTL_NOTIF_SEND, &resp), 0);

        int status;
        assert_int_equal(waitpid(pid, &status, 0), pid);
        assert_child_ok(status);
        close(notify_fd), close(conn), close(agent);
        unlink(path), rmdir(dir);
        seccomp_filter_free(f);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_bad_default), cmocka_unit_test(test_bad_arch_and_flags),
                cmocka_unit_test(test_bad_rules),   cmocka_unit_test(test_lenient),
                cmocka_unit_test(test_errno),       cmocka_unit_test(test_kill),
                cmocka_unit_test(test_args),        cmocka_unit_test(test_allowlist),
                cmocka_unit_test(test_big_profile), cmocka_unit_test(test_cache),
                cmocka_unit_test(test_notify),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
