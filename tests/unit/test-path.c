/* Paths inside a root: the same checks run once with openat2 and once in a
 * child where a seccomp filter makes openat2 fail with ENOSYS, which forces
 * the component-walking fallback (fault injection, as crun does). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include "common.h"

static char root[64];
static int rootfd = -1;

static void mk(const char *rel, bool dir) {
        char p[4096];
        snprintf(p, sizeof p, "%s/%s", root, rel);
        if (dir)
                assert_int_equal(mkdir(p, 0755), 0);
        else {
                int fd = open(p, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
                assert_true(fd >= 0);
                close(fd);
        }
}

static void ln(const char *target, const char *rel) {
        char p[4096];
        snprintf(p, sizeof p, "%s/%s", root, rel);
        assert_int_equal(symlink(target, p), 0);
}

static int setup(void **state) {
        strcpy(root, "/tmp/berth-test-path-XXXXXX");
        assert_non_null(mkdtemp(root));
        mk("a", true);
        mk("a/b", true);
        mk("a/b/file", false);
        ln("/a", "abs");
        ln("../../../../a", "rel");
        ln("/etc", "out");
        ln("loop2", "loop1");
        ln("loop1", "loop2");
        ln("/created-through-link", "dangling");
        ln("/proc/self/root", "magic");
        ln("/made/through/link", "dangling-dir");
        rootfd = open(root, O_PATH | O_DIRECTORY | O_CLOEXEC);
        assert_true(rootfd >= 0);
        return 0;
}

static int teardown(void **state) {
        char cmd[4200];
        snprintf(cmd, sizeof cmd, "rm -rf '%s'", root);
        assert_int_equal(system(cmd), 0);
        close(rootfd);
        return 0;
}

static ino_t ino_of(const char *rel) {
        struct stat st;
        char p[4096];
        snprintf(p, sizeof p, "%s/%s", root, rel);
        if (lstat(p, &st) < 0)
                return 0;
        return st.st_ino;
}

static ino_t ino_fd(int fd) {
        struct stat st;
        if (fd < 0 || fstat(fd, &st) < 0)
                return 0;
        return st.st_ino;
}

/* Returns the number of failed checks, so a forked child can report it. */
static int check_resolution(void) {
        int fails = 0, fd;
#define CHECK(cond)                                                                   \
        do {                                                                          \
                if (!(cond)) {                                                        \
                        fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond); \
                        fails++;                                                      \
                }                                                                     \
        } while (0)

        fd = path_open_in_root(rootfd, "abs/b/file", O_RDONLY, 0);
        CHECK(ino_fd(fd) == ino_of("a/b/file"));
        safe_close(fd);
        fd = path_open_in_root(rootfd, "/rel/b", O_PATH | O_DIRECTORY, 0);
        CHECK(ino_fd(fd) == ino_of("a/b"));
        safe_close(fd);
        fd = path_open_in_root(rootfd, "../../../a/./b/../b", O_PATH, 0);
        CHECK(ino_fd(fd) == ino_of("a/b"));
        safe_close(fd);
        /* An absolute link into "/etc" means the root's etc, which is absent. */
        CHECK(path_open_in_root(rootfd, "out/passwd", O_RDONLY, 0) == -ENOENT);
        CHECK(path_open_in_root(rootfd, "loop1", O_RDONLY, 0) == -ELOOP);
        CHECK(path_open_in_root(rootfd, "a/b/file/x", O_RDONLY, 0) == -ENOTDIR);
        /* O_NOFOLLOW on the last component gives the link itself (O_PATH). */
        fd = path_open_in_root(rootfd, "abs", O_PATH | O_NOFOLLOW, 0);
        CHECK(ino_fd(fd) == ino_of("abs"));
        safe_close(fd);
        /* Creating through a dangling absolute link lands inside the root. */
        fd = path_open_in_root(rootfd, "dangling", O_WRONLY | O_CREAT, 0644);
        CHECK(fd >= 0);
        safe_close(fd);
        CHECK(ino_of("created-through-link") != 0);
        unlinkat(rootfd, "created-through-link", 0);
        /* A magic link must not be followed out of the root. */
        fd = path_open_in_root(rootfd, "magic/etc/passwd", O_RDONLY, 0);
        CHECK(fd < 0);
        safe_close(fd);

        fd = path_mkdir_in_root(rootfd, "abs/new/deeper", 0755);
        CHECK(ino_fd(fd) == ino_of("a/new/deeper"));
        safe_close(fd);
        fd = path_mkdir_in_root(rootfd, "out/inside", 0755);
        CHECK(ino_fd(fd) == ino_of("etc/inside"));
        safe_close(fd);
        /* A dangling absolute link is followed inside the root and made there. */
        fd = path_mkdir_in_root(rootfd, "dangling-dir/x", 0755);
        CHECK(ino_fd(fd) == ino_of("made/through/link/x"));
        safe_close(fd);
        fd = path_mkfile_in_root(rootfd, "rel/b/newfile", 0644);
        CHECK(ino_fd(fd) == ino_of("a/b/newfile"));
        safe_close(fd);
        return fails;
#undef CHECK
}

static void test_openat2(void **state) {
        path_reset_openat2_probe();
        assert_int_equal(check_resolution(), 0);
}

static void test_fallback(void **state) {
        pid_t pid = fork();
        assert_true(pid >= 0);
        if (pid == 0) {
                struct sock_filter f[] = {
                        BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
                        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_openat2, 0, 1),
                        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | ENOSYS),
                        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
                };
                struct sock_fprog prog = { .len = ELEMENTSOF(f), .filter = f };
                if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0 || prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog) < 0)
                        _exit(100);
                path_reset_openat2_probe();
                int fails = check_resolution();
                if (path_has_openat2())
                        fails++;
                _exit(fails > 99 ? 99 : fails);
        }
        int status;
        assert_int_equal(waitpid(pid, &status, 0), pid);
        assert_true(WIFEXITED(status));
        assert_int_equal(WEXITSTATUS(status), 0);
}

static void test_clean(void **state) {
        static const char *const cases[][2] = {
                { "", "/" },          { "/", "/" },           { "a//b/./c", "/a/b/c" }, { "/a/../../b", "/b" },
                { "../..", "/" },     { "/a/b/..", "/a" },    { "a/./", "/a" },         { "/x/y/../../z/", "/z" },
        };
        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                char *c = path_clean(cases[i][0]);
                assert_string_equal(c, cases[i][1]);
                free(c);
        }
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_clean),
                cmocka_unit_test_setup_teardown(test_openat2, setup, teardown),
                cmocka_unit_test_setup_teardown(test_fallback, setup, teardown),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
