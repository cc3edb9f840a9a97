/* Errors, string vectors and maps, numbers, files, fd passing. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <sys/socket.h>

#include "common.h"

static void test_error(void **state) {
        Error e = {};
        assert_int_equal(error_set(&e, ENOENT, "opening %s", "x"), -ENOENT);
        assert_string_equal(e.msg, "opening x: No such file or directory");
        assert_int_equal(error_wrap(&e, "creating container \"%s\"", "web"), -ENOENT);
        assert_string_equal(e.msg, "creating container \"web\": opening x: No such file or directory");
        assert_int_equal(error_msg(&e, -EINVAL, "bad %d", 3), -EINVAL);
        assert_string_equal(e.msg, "bad 3");
        assert_int_equal(e.code, EINVAL);
        error_clear(&e);
        assert_null(e.msg);
        assert_int_equal(error_set(NULL, EPERM, "ignored"), -EPERM);
}

static void test_strv(void **state) {
        char **v = NULL;
        assert_int_equal(strv_push(&v, strdup("a")), 0);
        assert_int_equal(strv_push(&v, strdup("b")), 0);
        assert_int_equal(strv_length(v), 2);
        assert_true(strv_contains(v, "b"));
        assert_false(strv_contains(v, "c"));
        char **c = strv_copy(v);
        assert_string_equal(c[1], "b");
        assert_null(c[2]);
        strv_free(c);
        strv_free(v);
}

static void test_strmap(void **state) {
        StrMap m = {};
        assert_int_equal(strmap_set(&m, "k", "1"), 0);
        assert_int_equal(strmap_set(&m, "j", "2"), 0);
        assert_int_equal(strmap_set(&m, "k", "3"), 0);
        assert_int_equal(m.n, 2);
        assert_string_equal(strmap_get(&m, "k"), "3");
        assert_null(strmap_get(&m, "x"));
        strmap_clear(&m);
        assert_int_equal(m.n, 0);
}

static void test_numbers(void **state) {
        int64_t i;
        uint64_t u;
        uint32_t u32;
        assert_int_equal(parse_int64("-12", &i), 0);
        assert_int_equal(i, -12);
        assert_int_equal(parse_int64("12x", &i), -EINVAL);
        assert_int_equal(parse_int64("", &i), -EINVAL);
        assert_int_equal(parse_uint64("-1", &u), -EINVAL);
        assert_int_equal(parse_uint64("18446744073709551615", &u), 0);
        assert_true(u == UINT64_MAX);
        assert_int_equal(parse_uint64("18446744073709551616", &u), -ERANGE);
        assert_int_equal(parse_uint32("4294967296", &u32), -ERANGE);
        assert_int_equal(parse_uint32("7", &u32), 0);
        assert_int_equal(u32, 7);
}

static void test_files(void **state) {
        char dir[] = "/tmp/berth-test-common-XXXXXX";
        assert_non_null(mkdtemp(dir));
        char *p = strdup_printf("%s/sub/deep", dir);
        assert_int_equal(mkdir_p(p, 0755), 0);
        char *f = strdup_printf("%s/sub/file", dir);
        assert_int_equal(write_file_atomic(f, "hello", 5, 0600), 0);
        char *buf = NULL;
        size_t len = 0;
        assert_int_equal(read_file(f, 100, &buf, &len), 0);
        assert_int_equal(len, 5);
        assert_string_equal(buf, "hello");
        free(buf);
        assert_int_equal(read_file(f, 2, &buf, &len), -EFBIG);
        int dfd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
        assert_int_equal(rm_rf_at(dfd, "sub"), 0);
        assert_int_equal(access(p, F_OK), -1);
        close(dfd);
        rmdir(dir);
        free(p);
        free(f);
}

static void test_fd_passing(void **state) {
        int sv[2];
        assert_int_equal(socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv), 0);
        int pipefd[2];
        assert_int_equal(pipe2(pipefd, O_CLOEXEC), 0);
        assert_int_equal(send_fd(sv[0], pipefd[1], "hi", 2), 0);
        char buf[8] = {};
        int got = -1;
        assert_int_equal(recv_fd(sv[1], &got, buf, sizeof buf), 2);
        assert_string_equal(buf, "hi");
        assert_true(got >= 0);
        assert_int_equal(write(got, "x", 1), 1);
        char c;
        assert_int_equal(read(pipefd[0], &c, 1), 1);
        assert_int_equal(c, 'x');
        close(got), close(pipefd[0]), close(pipefd[1]), close(sv[0]), close(sv[1]);
}

static void test_close_from(void **state) {
        int a = open("/dev/null", O_RDONLY), b = open("/dev/null", O_RDONLY), c = open("/dev/null", O_RDONLY);
        int keep[] = { b };
        assert_int_equal(fds_close_from(a, keep, 1), 0);
        assert_int_equal(fcntl(a, F_GETFD), -1);
        assert_true(fcntl(b, F_GETFD) >= 0);
        assert_int_equal(fcntl(c, F_GETFD), -1);
        close(b);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_error),   cmocka_unit_test(test_strv),       cmocka_unit_test(test_strmap),
                cmocka_unit_test(test_numbers), cmocka_unit_test(test_files),      cmocka_unit_test(test_fd_passing),
                cmocka_unit_test(test_close_from),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
