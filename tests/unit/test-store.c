/* The content store and layer unpacking: ingest and its failures, unpacking
 * of every entry type, whiteouts in both forms, every way a layer might try
 * to write outside its directory, and the limits. Tar streams are built in
 * memory with libarchive's writer. The whole group runs twice: with openat2,
 * and in a child where seccomp makes openat2 fail with ENOSYS, so that the
 * escape tests also hold for the component-walking fallback. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <archive.h>
#include <archive_entry.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>

#include "store.h"

/* ---- building tar streams -------------------------------------------------- */

typedef struct Ent {
        const char *path;
        mode_t mode; /* type and permissions */
        const char *data;
        const char *link;     /* symlink target */
        const char *hardlink; /* hard link target */
        int uid, gid;
        time_t mtime;
        unsigned rmajor, rminor;
        const char *xname;
        const void *xvalue;
        size_t xsize;
} Ent;

typedef struct Tar {
        struct archive *a;
        char *buf;
        size_t cap, used;
} Tar;

static Tar *tar_new(void) {
        Tar *t = calloc(1, sizeof *t);
        assert_non_null(t);
        t->cap = 32 << 20;
        t->buf = malloc(t->cap);
        t->a = archive_write_new();
        assert_int_equal(archive_write_set_format_pax(t->a), ARCHIVE_OK);
        assert_int_equal(archive_write_open_memory(t->a, t->buf, t->cap, &t->used), ARCHIVE_OK);
        return t;
}

static void tar_add(Tar *t, Ent x) {
        struct archive_entry *e = archive_entry_new();
        archive_entry_set_pathname(e, x.path);
        mode_t mode = x.mode ? x.mode : S_IFREG | 0644;
        archive_entry_set_mode(e, mode);
        archive_entry_set_uid(e, x.uid);
        archive_entry_set_gid(e, x.gid);
        archive_entry_set_mtime(e, x.mtime ? x.mtime : 1600000000, 0);
        if (x.link)
                archive_entry_set_symlink(e, x.link);
        if (x.hardlink)
                archive_entry_set_hardlink(e, x.hardlink);
        if (S_ISCHR(mode) || S_ISBLK(mode)) {
                archive_entry_set_rdevmajor(e, x.rmajor);
                archive_entry_set_rdevminor(e, x.rminor);
        }
        if (x.xname)
                archive_entry_xattr_add_entry(e, x.xname, x.xvalue, x.xsize);
        size_t len = x.data ? strlen(x.data) : 0;
        archive_entry_set_size(e, S_ISREG(mode) && !x.hardlink ? (la_int64_t) len : 0);
        /* ARCHIVE_WARN: a name not in the locale's charset, written raw. */
        assert_true(archive_write_header(t->a, e) >= ARCHIVE_WARN);
        if (len && S_ISREG(mode) && !x.hardlink)
                assert_int_equal(archive_write_data(t->a, x.data, len), (la_ssize_t) len);
        archive_entry_free(e);
}

/* Ends the archive; the caller owns the returned buffer. */
static char *tar_finish(Tar *t, size_t *ret_len) {
        assert_int_equal(archive_write_close(t->a), ARCHIVE_OK);
        archive_write_free(t->a);
        char *b = t->buf;
        *ret_len = t->used;
        free(t);
        return b;
}

static char *tar_of(const Ent *ents, size_t n, size_t *ret_len) {
        Tar *t = tar_new();
        for (size_t i = 0; i < n; i++)
                tar_add(t, ents[i]);
        return tar_finish(t, ret_len);
}

/* Compresses bytes as they are (the "raw" format writes one entry's data
 * with no framing), so that the diff_id is known. */
static char *compress_buf(const char *in, size_t len, StoreCompression c, size_t *ret_len) {
        if (c == STORE_COMPRESSION_NONE) {
                char *b = malloc(len ? len : 1);
                memcpy(b, in, len);
                *ret_len = len;
                return b;
        }
        struct archive *a = archive_write_new();
        assert_int_equal(archive_write_set_format_raw(a), ARCHIVE_OK);
        if (c == STORE_COMPRESSION_GZIP)
                assert_int_equal(archive_write_add_filter_gzip(a), ARCHIVE_OK);
        else if (c == STORE_COMPRESSION_ZSTD)
                assert_int_equal(archive_write_add_filter_zstd(a), ARCHIVE_OK);
        else
                assert_int_equal(archive_write_add_filter_xz(a), ARCHIVE_OK);
        size_t cap = len + (1 << 20), used = 0;
        char *out = malloc(cap);
        assert_int_equal(archive_write_open_memory(a, out, cap, &used), ARCHIVE_OK);
        struct archive_entry *e = archive_entry_new();
        archive_entry_set_pathname(e, "data");
        archive_entry_set_mode(e, S_IFREG | 0644);
        archive_entry_set_size(e, (la_int64_t) len);
        assert_int_equal(archive_write_header(a, e), ARCHIVE_OK);
        if (len)
                assert_int_equal(archive_write_data(a, in, len), (la_ssize_t) len);
        archive_entry_free(e);
        assert_int_equal(archive_write_close(a), ARCHIVE_OK);
        archive_write_free(a);
        *ret_len = used;
        return out;
}

static char *digest_of(const void *buf, size_t len) {
        Sha256 d;
        assert_int_equal(sha256_buf(buf, len, &d), 0);
        return store_digest_format(&d);
}

/* ---- the test environment ------------------------------------------------------
 * base/root is the store, base/dest the layer's directory, base/sentinel a
 * file that no layer may touch. */

typedef struct Env {
        char base[64];
        int base_fd;
        Store *store;
        int dest;
        struct stat sentinel;
} Env;

static int env_setup(void **state) {
        Env *env = calloc(1, sizeof *env);
        strcpy(env->base, "/tmp/berth-test-store-XXXXXX");
        assert_non_null(mkdtemp(env->base));
        env->base_fd = open(env->base, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        assert_true(env->base_fd >= 0);
        char *root = strdup_printf("%s/root", env->base);
        Error e = {};
        assert_int_equal(store_open(root, &env->store, &e), 0);
        free(root);
        assert_int_equal(mkdirat(env->base_fd, "dest", 0755), 0);
        env->dest = openat(env->base_fd, "dest", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        assert_true(env->dest >= 0);
        int fd = openat(env->base_fd, "sentinel", O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
        assert_int_equal(write_all(fd, "sentinel", 8), 0);
        assert_int_equal(fstat(fd, &env->sentinel), 0);
        close(fd);
        *state = env;
        return 0;
}

static int env_teardown(void **state) {
        Env *env = *state;
        store_free(env->store);
        close(env->dest);
        close(env->base_fd);
        assert_int_equal(rm_rf_at(AT_FDCWD, env->base), 0);
        free(env);
        return 0;
}

/* Nothing outside dest changed: the sentinel is the same file with the same
 * content, and base holds only what the test made. */
static void assert_outside_untouched(Env *env) {
        struct stat st;
        assert_int_equal(fstatat(env->base_fd, "sentinel", &st, AT_SYMLINK_NOFOLLOW), 0);
        assert_true(S_ISREG(st.st_mode));
        assert_int_equal(st.st_ino, env->sentinel.st_ino);
        assert_int_equal(st.st_size, 8);
        assert_int_equal(st.st_nlink, 1);
        assert_int_equal(st.st_mtim.tv_sec, env->sentinel.st_mtim.tv_sec);
        assert_int_equal(st.st_mtim.tv_nsec, env->sentinel.st_mtim.tv_nsec);
        char *buf = NULL;
        assert_int_equal(read_file_at(env->base_fd, "sentinel", 100, &buf, NULL), 0);
        assert_string_equal(buf, "sentinel");
        free(buf);
        DIR *d = opendir(env->base);
        struct dirent *de;
        int n = 0;
        while ((de = readdir(d)))
                if (de->d_name[0] != '.') {
                        assert_true(strcmp(de->d_name, "root") == 0 || strcmp(de->d_name, "dest") == 0 ||
                                    strcmp(de->d_name, "sentinel") == 0 || strcmp(de->d_name, "lower") == 0);
                        n++;
                }
        closedir(d);
        assert_true(n >= 3);
        /* And nothing at the host paths that the tests aim at. */
        assert_int_equal(access("/berth-test-escape", F_OK), -1);
}

static int count_entries(int dirfd) {
        int fd = openat(dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        DIR *d = fdopendir(fd);
        struct dirent *de;
        int n = 0;
        while ((de = readdir(d)))
                if (strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0)
                        n++;
        closedir(d);
        return n;
}

static void dest_reset(Env *env) {
        close(env->dest);
        assert_int_equal(rm_rf_at(env->base_fd, "dest"), 0);
        assert_int_equal(mkdirat(env->base_fd, "dest", 0755), 0);
        env->dest = openat(env->base_fd, "dest", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        assert_true(env->dest >= 0);
}

/* Ingests the tar (compressed as asked) and unpacks it into dest. */
static int unpack_tar(Env *env, const char *tar, size_t len, StoreCompression c, const StoreUnpackOptions *opts,
                      char **ret_diff_id, Error *e) {
        size_t clen;
        char *blob = compress_buf(tar, len, c, &clen);
        char *digest = NULL;
        assert_int_equal(store_blob_ingest_buf(env->store, blob, clen, NULL, &digest, e), 0);
        free(blob);
        int r = store_layer_unpack(env->store, digest, opts, env->dest, ret_diff_id, e);
        free(digest);
        return r;
}

static int unpack_ents(Env *env, const Ent *ents, size_t n, const StoreUnpackOptions *opts, Error *e) {
        size_t len;
        char *tar = tar_of(ents, n, &len);
        char *diff_id = NULL;
        int r = unpack_tar(env, tar, len, STORE_COMPRESSION_GZIP, opts, &diff_id, e);
        free(diff_id);
        free(tar);
        return r;
}

/* An unpack that must be refused: the error names the entry, dest is
 * emptied and nothing outside changed. */
static void assert_refused(Env *env, const Ent *ents, size_t n, int err, const char *msg_part) {
        Error e = {};
        dest_reset(env);
        int r = unpack_ents(env, ents, n, NULL, &e);
        if (r != -err || !strstr(e.msg ? e.msg : "", msg_part))
                fail_msg("expected -%d containing \"%s\", got %d: %s", err, msg_part, r, e.msg ? e.msg : "(null)");
        assert_int_equal(count_entries(env->dest), 0);
        assert_outside_untouched(env);
        error_clear(&e);
}

static char *read_at(int dirfd, const char *path) {
        char *buf = NULL;
        if (read_file_at(dirfd, path, 1 << 20, &buf, NULL) < 0)
                return NULL;
        return buf;
}

static bool have_root(void) {
        return geteuid() == 0;
}

/* ---- digests and blobs ------------------------------------------------------------ */

static void test_digest_parse(void **state) {
        Sha256 d;
        const char *good = "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
        assert_int_equal(store_digest_parse(good, &d), 0);
        char *s = store_digest_format(&d);
        assert_string_equal(s, good);
        free(s);
        assert_int_equal(
                store_digest_parse("sha256:E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855", &d),
                -EINVAL);
        assert_int_equal(store_digest_parse("sha256:abc", &d), -EINVAL);
        assert_int_equal(store_digest_parse("sha512:abc", &d), -EINVAL);
        assert_int_equal(store_digest_parse("sha512:" "cf83e1357eefb8bdf1542850d66d8007d620e4050b5715dc83f4a921d36ce9ce"
                                            "47d0d13c5d85f2b0ff8318d2877eec2f63b931bd47417a81a538327af927da3e",
                                            &d),
                         -EOPNOTSUPP);
        assert_int_equal(store_digest_parse("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", &d),
                         -EINVAL);
        assert_int_equal(store_digest_parse(":abc", &d), -EINVAL);
        assert_int_equal(store_digest_parse("Sha256:abc", &d), -EINVAL);
        assert_int_equal(store_digest_parse(NULL, &d), -EINVAL);
        assert_string_equal(store_compression_to_string(STORE_COMPRESSION_ZSTD), "zstd");
        assert_int_equal(store_compression_from_string("gzip"), STORE_COMPRESSION_GZIP);
        assert_int_equal(store_compression_from_string("lz4"), _STORE_COMPRESSION_INVALID);
        assert_int_equal(store_whiteout_mode_from_string("vfs"), STORE_WHITEOUT_VFS);
        assert_string_equal(store_whiteout_mode_to_string(STORE_WHITEOUT_OVERLAY), "overlay");
        assert_int_equal(store_device_policy_from_string("refuse"), STORE_DEVICES_REFUSE);
        assert_string_equal(store_device_policy_to_string(STORE_DEVICES_SKIP), "skip");
        assert_null(store_device_policy_to_string(_STORE_DEVICES_MAX));
}

static void assert_store_clean(Env *env) {
        /* No blob and no temp file left. */
        int fd = openat(env->base_fd, "root/blobs/sha256", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        assert_int_equal(count_entries(fd), 0);
        close(fd);
        fd = openat(env->base_fd, "root/blobs/tmp", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        assert_int_equal(count_entries(fd), 0);
        close(fd);
}

static void test_blob_ingest(void **state) {
        Env *env = *state;
        Error e = {};
        char *digest = NULL;
        char *want = digest_of("hello", 5);
        assert_int_equal(store_blob_exists(env->store, want), 0);
        assert_int_equal(store_blob_ingest_buf(env->store, "hello", 5, want, &digest, &e), 0);
        assert_string_equal(digest, want);
        assert_int_equal(store_blob_exists(env->store, want), 1);
        uint64_t size = 0;
        assert_int_equal(store_blob_size(env->store, want, &size), 0);
        assert_int_equal(size, 5);
        /* Again: already there is fine. */
        assert_int_equal(store_blob_ingest_buf(env->store, "hello", 5, NULL, NULL, &e), 0);

        int fd = -1;
        assert_int_equal(store_blob_open(env->store, want, &fd, &e), 0);
        char buf[16] = {};
        assert_int_equal(read(fd, buf, sizeof buf), 5);
        assert_string_equal(buf, "hello");
        assert_true(fcntl(fd, F_GETFD) & FD_CLOEXEC);
        close(fd);

        char *mem = NULL;
        size_t len = 0;
        assert_int_equal(store_blob_read(env->store, want, 0, &mem, &len, &e), 0);
        assert_int_equal(len, 5);
        assert_string_equal(mem, "hello");
        free(mem);
        assert_int_equal(store_blob_read(env->store, want, 4, &mem, &len, &e), -EFBIG);
        assert_non_null(strstr(e.msg, "more than the limit"));

        /* From an fd, with the size known. */
        int pfd[2];
        assert_int_equal(pipe(pfd), 0);
        assert_int_equal(write_all(pfd[1], "world!", 6), 0);
        close(pfd[1]);
        char *d2 = NULL;
        assert_int_equal(store_blob_ingest_fd(env->store, pfd[0], NULL, 6, &d2, &e), 0);
        close(pfd[0]);
        char *want2 = digest_of("world!", 6);
        assert_string_equal(d2, want2);

        assert_int_equal(store_blob_delete(env->store, want), 0);
        assert_int_equal(store_blob_delete(env->store, want), -ENOENT);
        assert_int_equal(store_blob_exists(env->store, want), 0);
        assert_int_equal(store_blob_open(env->store, want, &fd, &e), -ENOENT);
        assert_non_null(strstr(e.msg, "not in the store"));
        assert_int_equal(store_blob_delete(env->store, want2), 0);
        assert_int_equal(store_blob_open(env->store, "sha256:nothex", &fd, &e), -EINVAL);
        assert_string_equal(e.msg, "invalid digest \"sha256:nothex\"");
        assert_store_clean(env);
        free(want);
        free(want2);
        free(digest);
        free(d2);
        error_clear(&e);
}

static int memfd_with(const char *data, size_t len) {
        int fd = memfd_create("blob", MFD_CLOEXEC);
        assert_true(fd >= 0);
        assert_int_equal(write_all(fd, data, len), 0);
        assert_int_equal(lseek(fd, 0, SEEK_SET), 0);
        return fd;
}

static void test_blob_ingest_mismatch(void **state) {
        Env *env = *state;
        Error e = {};
        char *hello = digest_of("hello", 5);
        char *other = digest_of("other", 5);
        char *digest = NULL;

        int fd = memfd_with("hello", 5);
        assert_int_equal(store_blob_ingest_fd(env->store, fd, other, -1, &digest, &e), -EINVAL);
        char *msg = strdup_printf("blob %s: digest mismatch: got %s", other, hello);
        assert_string_equal(e.msg, msg);
        assert_null(digest);
        assert_int_equal(store_blob_exists(env->store, other), 0);
        assert_int_equal(store_blob_exists(env->store, hello), 0);
        assert_store_clean(env);
        close(fd);

        /* Truncated: fewer bytes than the descriptor said. */
        fd = memfd_with("hell", 4);
        assert_int_equal(store_blob_ingest_fd(env->store, fd, hello, 5, &digest, &e), -EINVAL);
        assert_non_null(strstr(e.msg, "size mismatch: expected 5 bytes, got 4"));
        assert_store_clean(env);
        close(fd);

        /* Longer than said: refused before it is all read. */
        fd = memfd_with("hello, world", 12);
        assert_int_equal(store_blob_ingest_fd(env->store, fd, NULL, 5, &digest, &e), -EINVAL);
        assert_non_null(strstr(e.msg, "expected 5 bytes, got more"));
        assert_store_clean(env);
        close(fd);

        /* Malformed or foreign digests. */
        char sha512[7 + 128 + 1] = "sha512:";
        memset(sha512 + 7, '0', 128);
        sha512[7 + 128] = '\0';
        assert_int_equal(store_blob_ingest_buf(env->store, "x", 1, sha512, NULL, &e), -EOPNOTSUPP);
        assert_int_equal(store_blob_ingest_buf(env->store, "x", 1, "sha512:00", NULL, &e), -EINVAL);
        assert_int_equal(store_blob_ingest_buf(env->store, "x", 1, "md5", NULL, &e), -EINVAL);
        assert_int_equal(store_blob_ingest_fd(env->store, 0, NULL, (int64_t) STORE_BLOB_SIZE_MAX + 1, NULL, &e),
                         -EFBIG);
        assert_store_clean(env);

        free(msg);
        free(hello);
        free(other);
        error_clear(&e);
}

static void test_blob_open_cleans_tmp(void **state) {
        Env *env = *state;
        Error e = {};
        /* What a crash mid-ingest leaves where O_TMPFILE is missing. */
        int fd = openat(env->base_fd, "root/blobs/tmp/ingest-0123456789abcdef", O_WRONLY | O_CREAT | O_CLOEXEC, 0444);
        assert_true(fd >= 0);
        close(fd);
        char *root = strdup_printf("%s/root", env->base);
        /* Another Store has the root open: nothing is removed. */
        Store *s2 = NULL;
        assert_int_equal(store_open(root, &s2, &e), 0);
        assert_int_equal(faccessat(env->base_fd, "root/blobs/tmp/ingest-0123456789abcdef", F_OK, 0), 0);
        store_free(s2);
        store_free(env->store);
        env->store = NULL;
        assert_int_equal(store_open(root, &env->store, &e), 0);
        assert_int_equal(faccessat(env->base_fd, "root/blobs/tmp/ingest-0123456789abcdef", F_OK, 0), -1);
        assert_store_clean(env);

        /* A blob that rotted on disk is caught when read. */
        char *d = NULL;
        assert_int_equal(store_blob_ingest_buf(env->store, "{\"a\":1}", 7, NULL, &d, &e), 0);
        char *p = strdup_printf("root/blobs/sha256/%s", d + 7);
        fd = openat(env->base_fd, p, O_WRONLY | O_CLOEXEC);
        assert_int_equal(write_all(fd, "{\"a\":2}", 7), 0);
        close(fd);
        char *mem = NULL;
        assert_int_equal(store_blob_read(env->store, d, 0, &mem, NULL, &e), -EUCLEAN);
        assert_non_null(strstr(e.msg, "digest mismatch"));
        assert_int_equal(store_blob_delete(env->store, d), 0);
        free(p);
        free(d);
        free(root);
        error_clear(&e);
}

/* ---- unpacking ---------------------------------------------------------------------- */

static const uint8_t cap_net_raw[20] = {0x01, 0x00, 0x00, 0x02, 0x00, 0x20, 0x00, 0x00}; /* v2, CAP_NET_RAW */

static void check_normal_layer(Env *env) {
        struct stat st;
        char *s = read_at(env->dest, "etc/hostname");
        assert_string_equal(s, "box\n");
        free(s);
        assert_int_equal(fstatat(env->dest, "etc/hostname", &st, AT_SYMLINK_NOFOLLOW), 0);
        assert_int_equal(st.st_mode & 07777, 0640);
        assert_int_equal(st.st_mtim.tv_sec, 1500000000);
        if (have_root()) {
                assert_int_equal(st.st_uid, 1000);
                assert_int_equal(st.st_gid, 2000);
        }
        assert_int_equal(st.st_nlink, 2);
        struct stat st2;
        assert_int_equal(fstatat(env->dest, "etc/hostname.link", &st2, AT_SYMLINK_NOFOLLOW), 0);
        assert_int_equal(st2.st_ino, st.st_ino);

        assert_int_equal(fstatat(env->dest, "usr/bin/su", &st, AT_SYMLINK_NOFOLLOW), 0);
        assert_int_equal(st.st_mode & 07777, 04755);
        assert_int_equal(fstatat(env->dest, "tmp", &st, AT_SYMLINK_NOFOLLOW), 0);
        assert_true(S_ISDIR(st.st_mode));
        assert_int_equal(st.st_mode & 07777, 01777);
        assert_int_equal(fstatat(env->dest, "etc", &st, AT_SYMLINK_NOFOLLOW), 0);
        assert_int_equal(st.st_mtim.tv_sec, 1400000000); /* set after its contents */
        assert_int_equal(st.st_mode & 07777, 0755);
        /* A parent that the tar never listed. */
        assert_int_equal(fstatat(env->dest, "usr/bin", &st, AT_SYMLINK_NOFOLLOW), 0);
        assert_true(S_ISDIR(st.st_mode));

        char target[64] = {};
        assert_int_equal(readlinkat(env->dest, "bin", target, sizeof target), 7);
        assert_string_equal(target, "usr/bin");
        assert_int_equal(fstatat(env->dest, "bin", &st, AT_SYMLINK_NOFOLLOW), 0);
        assert_int_equal(st.st_mtim.tv_sec, 1300000000);
        assert_int_equal(fstatat(env->dest, "run/fifo", &st, AT_SYMLINK_NOFOLLOW), 0);
        assert_true(S_ISFIFO(st.st_mode));
        assert_int_equal(st.st_mode & 07777, 0620);
        assert_int_equal(fstatat(env->dest, "empty", &st, AT_SYMLINK_NOFOLLOW), 0);
        assert_int_equal(st.st_size, 0);
        s = read_at(env->dest, "caf\xc3\xa9");
        assert_string_equal(s, "utf-8");
        free(s);

        char val[64] = {};
        char *p = strdup_printf("%s/dest/usr/bin/ping", env->base);
        ssize_t n = getxattr(p, "user.comment", val, sizeof val);
        if (n >= 0 || errno != EOPNOTSUPP) {
                assert_int_equal(n, 5);
                assert_memory_equal(val, "hello", 5);
        }
        if (have_root()) {
                /* The capability survives its file's chown. */
                free(p);
                p = strdup_printf("%s/dest/usr/bin/ping2", env->base);
                uint8_t cap[32];
                assert_int_equal(getxattr(p, "security.capability", cap, sizeof cap), 20);
                assert_memory_equal(cap, cap_net_raw, 20);
                /* trusted.* from a layer is dropped. */
                free(p);
                p = strdup_printf("%s/dest/etc/hostname", env->base);
                assert_int_equal(getxattr(p, "trusted.overlay.redirect", val, sizeof val), -1);
                assert_int_equal(errno, ENODATA);
        }
        free(p);
}

static void test_unpack_normal(void **state) {
        Env *env = *state;
        const Ent ents[] = {
                {.path = "./", .mode = S_IFDIR | 0755},
                {.path = "etc/", .mode = S_IFDIR | 0755, .mtime = 1400000000},
                {.path = "etc/hostname",
                 .mode = S_IFREG | 0640,
                 .data = "box\n",
                 .uid = 1000,
                 .gid = 2000,
                 .mtime = 1500000000,
                 .xname = "trusted.overlay.redirect",
                 .xvalue = "/x",
                 .xsize = 2},
                {.path = "etc/hostname.link", .hardlink = "etc/hostname"},
                {.path = "usr/bin/su", .mode = S_IFREG | 04755, .data = "#!su"},
                {.path = "usr/bin/ping",
                 .mode = S_IFREG | 0755,
                 .data = "ping",
                 .xname = "user.comment",
                 .xvalue = "hello",
                 .xsize = 5},
                {.path = "tmp", .mode = S_IFDIR | 01777},
                {.path = "bin", .mode = S_IFLNK | 0777, .link = "usr/bin", .mtime = 1300000000},
                {.path = "run/fifo", .mode = S_IFIFO | 0620},
                {.path = "empty", .mode = S_IFREG | 0600},
                {.path = "caf\xc3\xa9", .mode = S_IFREG | 0644, .data = "utf-8"},
        };
        Tar *t = tar_new();
        for (size_t i = 0; i < ELEMENTSOF(ents); i++)
                tar_add(t, ents[i]);
        tar_add(t, (Ent){.path = "usr/bin/ping2",
                         .mode = S_IFREG | 0755,
                         .data = "p",
                         .uid = 1000,
                         .xname = "security.capability",
                         .xvalue = cap_net_raw,
                         .xsize = sizeof cap_net_raw});
        size_t len;
        char *tar = tar_finish(t, &len);
        char *want = digest_of(tar, len);

        for (StoreCompression c = STORE_COMPRESSION_NONE; c <= STORE_COMPRESSION_XZ; c++) {
                for (int explicit = 0; explicit < 2; explicit ++) {
                        dest_reset(env);
                        StoreUnpackOptions o = {.compression = explicit ? c : STORE_COMPRESSION_AUTO};
                        Error e = {};
                        char *diff_id = NULL;
                        int r = unpack_tar(env, tar, len, c, &o, &diff_id, &e);
                        if (r < 0)
                                fail_msg("%s: %s", store_compression_to_string(c), e.msg);
                        assert_string_equal(diff_id, want);
                        check_normal_layer(env);
                        free(diff_id);
                }
        }
        assert_outside_untouched(env);

        /* The media type says zstd, the bytes are gzip. */
        dest_reset(env);
        Error e = {};
        StoreUnpackOptions o = {.compression = STORE_COMPRESSION_ZSTD};
        assert_int_equal(unpack_tar(env, tar, len, STORE_COMPRESSION_GZIP, &o, NULL, &e), -EINVAL);
        assert_non_null(strstr(e.msg, "not zstd-compressed"));
        o.compression = STORE_COMPRESSION_NONE;
        assert_int_equal(unpack_tar(env, tar, len, STORE_COMPRESSION_GZIP, &o, NULL, &e), -EINVAL);
        assert_non_null(strstr(e.msg, "an uncompressed tar was expected"));
        assert_int_equal(count_entries(env->dest), 0);

        /* Overlay mode wants an empty directory. */
        assert_int_equal(mkdirat(env->dest, "x", 0755), 0);
        assert_int_equal(unpack_tar(env, tar, len, STORE_COMPRESSION_NONE, NULL, NULL, &e), -ENOTEMPTY);
        assert_int_equal(faccessat(env->dest, "x", F_OK, 0), 0);
        error_clear(&e);
        free(want);
        free(tar);
}

static void test_unpack_empty_layer(void **state) {
        Env *env = *state;
        /* Docker's well-known empty layer: 1024 zero bytes. */
        char zeros[1024] = {};
        Error e = {};
        char *diff_id = NULL;
        assert_int_equal(unpack_tar(env, zeros, sizeof zeros, STORE_COMPRESSION_GZIP, NULL, &diff_id, &e), 0);
        assert_string_equal(diff_id, "sha256:5f70bf18a086007016e948b04aed3b82103a36bea41755b6cddfaf10ace3c6ef");
        assert_int_equal(count_entries(env->dest), 0);
        free(diff_id);

        /* Bytes after the end marker count for the diff_id too. */
        size_t len;
        const Ent ents[] = {{.path = "a", .data = "a"}};
        char *tar = tar_of(ents, 1, &len);
        char *padded = malloc(len + 4096);
        memcpy(padded, tar, len);
        memset(padded + len, 0, 4096);
        char *want = digest_of(padded, len + 4096);
        dest_reset(env);
        assert_int_equal(unpack_tar(env, padded, len + 4096, STORE_COMPRESSION_ZSTD, NULL, &diff_id, &e), 0);
        assert_string_equal(diff_id, want);
        free(diff_id);
        free(want);
        free(padded);
        free(tar);
        error_clear(&e);
}

static void test_unpack_replace(void **state) {
        Env *env = *state;
        Error e = {};
        const Ent ents[] = {
                {.path = "a", .data = "first"},
                {.path = "a", .data = "second"},
                {.path = "d/x", .data = "x"},
                {.path = "d", .mode = S_IFDIR | 0700}, /* kept, with its contents */
                {.path = "f", .mode = S_IFDIR | 0755},
                {.path = "f", .data = "file now"}, /* the directory goes */
                {.path = "g", .mode = S_IFLNK | 0777, .link = "a"},
                {.path = "g", .mode = S_IFDIR | 0755},
        };
        assert_int_equal(unpack_ents(env, ents, ELEMENTSOF(ents), NULL, &e), 0);
        char *s = read_at(env->dest, "a");
        assert_string_equal(s, "second");
        free(s);
        struct stat st;
        assert_int_equal(fstatat(env->dest, "d", &st, 0), 0);
        assert_int_equal(st.st_mode & 07777, 0700);
        assert_int_equal(faccessat(env->dest, "d/x", F_OK, 0), 0);
        s = read_at(env->dest, "f");
        assert_string_equal(s, "file now");
        free(s);
        assert_int_equal(fstatat(env->dest, "g", &st, AT_SYMLINK_NOFOLLOW), 0);
        assert_true(S_ISDIR(st.st_mode));
        error_clear(&e);
}

/* ---- whiteouts -------------------------------------------------------------------------- */

static bool have_trusted_xattrs(Env *env) {
        if (!have_root())
                return false;
        char *p = strdup_printf("%s/dest", env->base);
        bool ok = setxattr(p, "trusted.berth-test", "1", 1, 0) == 0;
        if (ok)
                removexattr(p, "trusted.berth-test");
        free(p);
        return ok;
}

static void test_whiteout_overlay(void **state) {
        Env *env = *state;
        if (!have_trusted_xattrs(env)) {
                print_message("skipped: overlay whiteouts need root and trusted xattrs on /tmp\n");
                skip();
        }
        Error e = {};
        const Ent ents[] = {
                {.path = "etc/.wh.passwd"},
                {.path = "var/", .mode = S_IFDIR | 0755},
                {.path = "var/.wh..wh..opq"},
                {.path = "var/new", .data = "new"},
                {.path = "keep", .data = "mine"},
                {.path = ".wh.keep"}, /* cannot hide this layer's own file */
                {.path = ".wh.later"},
                {.path = "later", .data = "back"}, /* replaces the whiteout */
                {.path = "deep/er/.wh.gone"},
                {.path = ".wh..wh.plnk/123"},
        };
        assert_int_equal(unpack_ents(env, ents, ELEMENTSOF(ents), NULL, &e), 0);
        struct stat st;
        assert_int_equal(fstatat(env->dest, "etc/passwd", &st, AT_SYMLINK_NOFOLLOW), 0);
        assert_true(S_ISCHR(st.st_mode));
        assert_int_equal(st.st_rdev, makedev(0, 0));
        assert_int_equal(faccessat(env->dest, "etc/.wh.passwd", F_OK, AT_SYMLINK_NOFOLLOW), -1);
        assert_int_equal(fstatat(env->dest, "deep/er/gone", &st, AT_SYMLINK_NOFOLLOW), 0);
        assert_true(S_ISCHR(st.st_mode));
        char *p = strdup_printf("%s/dest/var", env->base);
        char v[8] = {};
        assert_int_equal(getxattr(p, "trusted.overlay.opaque", v, sizeof v), 1);
        assert_int_equal(v[0], 'y');
        free(p);
        assert_int_equal(faccessat(env->dest, "var/.wh..wh..opq", F_OK, AT_SYMLINK_NOFOLLOW), -1);
        char *s = read_at(env->dest, "var/new");
        assert_string_equal(s, "new");
        free(s);
        s = read_at(env->dest, "keep");
        assert_string_equal(s, "mine");
        free(s);
        s = read_at(env->dest, "later");
        assert_string_equal(s, "back");
        free(s);
        assert_int_equal(faccessat(env->dest, ".wh..wh.plnk", F_OK, AT_SYMLINK_NOFOLLOW), -1);

        const Ent bad[] = {{.path = "x/.wh.."}};
        assert_refused(env, bad, 1, EINVAL, "entry \"x/.wh..\": invalid whiteout");
        error_clear(&e);
}

static void test_whiteout_vfs(void **state) {
        Env *env = *state;
        Error e = {};
        /* dest is a copy of the lower layers. */
        const Ent lower[] = {
                {.path = "etc/passwd", .data = "root"},        {.path = "etc/group", .data = "root"},
                {.path = "var/lib/old", .data = "old"},        {.path = "var/lib/keep/sub/old", .data = "old"},
                {.path = "var/cache", .mode = S_IFDIR | 0755}, {.path = "opt/tree/a/b", .data = "b"},
        };
        StoreUnpackOptions o = {.whiteouts = STORE_WHITEOUT_VFS};
        assert_int_equal(unpack_ents(env, lower, ELEMENTSOF(lower), &o, &e), 0);

        const Ent upper[] = {
                {.path = "etc/.wh.passwd"},   {.path = "var/lib/keep/new", .data = "new"}, /* before the marker */
                {.path = "var/.wh..wh..opq"}, {.path = "var/added", .data = "added"},      /* after it */
                {.path = "opt/.wh.tree"},     {.path = "mine", .data = "mine"},
                {.path = ".wh.mine"},         {.path = "nothere/.wh.x"}, /* nothing to hide: no directory made */
        };
        assert_int_equal(unpack_ents(env, upper, ELEMENTSOF(upper), &o, &e), 0);
        assert_int_equal(faccessat(env->dest, "etc/passwd", F_OK, AT_SYMLINK_NOFOLLOW), -1);
        assert_int_equal(faccessat(env->dest, "etc/group", F_OK, AT_SYMLINK_NOFOLLOW), 0);
        assert_int_equal(faccessat(env->dest, "var/lib/old", F_OK, AT_SYMLINK_NOFOLLOW), -1);
        assert_int_equal(faccessat(env->dest, "var/lib/keep/sub", F_OK, AT_SYMLINK_NOFOLLOW), -1);
        assert_int_equal(faccessat(env->dest, "var/cache", F_OK, AT_SYMLINK_NOFOLLOW), -1);
        char *s = read_at(env->dest, "var/lib/keep/new");
        assert_string_equal(s, "new");
        free(s);
        s = read_at(env->dest, "var/added");
        assert_string_equal(s, "added");
        free(s);
        assert_int_equal(faccessat(env->dest, "opt/tree", F_OK, AT_SYMLINK_NOFOLLOW), -1);
        assert_int_equal(faccessat(env->dest, "opt", F_OK, AT_SYMLINK_NOFOLLOW), 0);
        s = read_at(env->dest, "mine");
        assert_string_equal(s, "mine");
        free(s);
        assert_int_equal(faccessat(env->dest, "nothere", F_OK, AT_SYMLINK_NOFOLLOW), -1);
        /* No whiteout devices, no markers. */
        assert_int_equal(faccessat(env->dest, "etc/.wh.passwd", F_OK, AT_SYMLINK_NOFOLLOW), -1);
        assert_int_equal(faccessat(env->dest, "var/.wh..wh..opq", F_OK, AT_SYMLINK_NOFOLLOW), -1);
        assert_outside_untouched(env);
        error_clear(&e);
}

/* ---- escapes ---------------------------------------------------------------------------------- */

static void test_escape_dotdot(void **state) {
        Env *env = *state;
        const Ent a[] = {{.path = "ok", .data = "ok"}, {.path = "../../etc/passwd", .data = "pwned"}};
        char *layer_msg = NULL;
        assert_refused(env, a, ELEMENTSOF(a), EXDEV, "entry \"../../etc/passwd\" resolves outside the layer");
        const Ent b[] = {{.path = "../sentinel", .data = "pwned"}};
        assert_refused(env, b, 1, EXDEV, "resolves outside the layer");
        const Ent c[] = {{.path = "a/../../sentinel", .data = "pwned"}};
        assert_refused(env, c, 1, EXDEV, "resolves outside the layer");
        const Ent d[] = {{.path = "/../sentinel", .data = "pwned"}};
        assert_refused(env, d, 1, EXDEV, "resolves outside the layer");

        /* The message starts with the layer's digest. */
        Error e = {};
        size_t len;
        char *tar = tar_of(a, ELEMENTSOF(a), &len);
        char *digest = NULL;
        assert_int_equal(store_blob_ingest_buf(env->store, tar, len, NULL, &digest, &e), 0);
        dest_reset(env);
        assert_int_equal(store_layer_unpack(env->store, digest, NULL, env->dest, NULL, &e), -EXDEV);
        layer_msg = strdup_printf("layer %s: entry \"../../etc/passwd\" resolves outside the layer", digest);
        assert_string_equal(e.msg, layer_msg);
        free(layer_msg);
        free(digest);
        free(tar);

        /* ".." that stays inside is only a name. */
        dest_reset(env);
        const Ent ok[] = {{.path = "a/../b", .data = "b"}, {.path = "./c/./d", .data = "d"}};
        assert_int_equal(unpack_ents(env, ok, ELEMENTSOF(ok), NULL, &e), 0);
        assert_int_equal(faccessat(env->dest, "b", F_OK, 0), 0);
        assert_int_equal(faccessat(env->dest, "c/d", F_OK, 0), 0);
        assert_outside_untouched(env);
        error_clear(&e);
}

static void test_escape_absolute(void **state) {
        Env *env = *state;
        Error e = {};
        char *abs = strdup_printf("%s/sentinel", env->base);
        const Ent ents[] = {
                {.path = "/berth-test-escape", .data = "inside"},
                {.path = abs, .data = "pwned"},
        };
        assert_int_equal(unpack_ents(env, ents, ELEMENTSOF(ents), NULL, &e), 0);
        char *s = read_at(env->dest, "berth-test-escape");
        assert_string_equal(s, "inside");
        free(s);
        s = read_at(env->dest, abs + 1);
        assert_string_equal(s, "pwned");
        free(s);
        assert_outside_untouched(env);
        free(abs);
        error_clear(&e);
}

static void test_escape_symlink_parent(void **state) {
        Env *env = *state;
        Error e = {};
        /* A symlink of the layer, then entries written "through" it: they
         * land inside, where the link points when dest is the root. */
        const Ent ents[] = {
                {.path = "abs", .mode = S_IFLNK | 0777, .link = env->base},
                {.path = "abs/sentinel", .data = "pwned"},
                {.path = "rel", .mode = S_IFLNK | 0777, .link = "../../../.."},
                {.path = "rel/sentinel", .data = "rel"},
                {.path = "etc", .mode = S_IFLNK | 0777, .link = "/"},
                {.path = "etc/berth-test-escape", .data = "inside"},
                {.path = "chain1", .mode = S_IFLNK | 0777, .link = "chain2/.."},
                {.path = "chain2", .mode = S_IFLNK | 0777, .link = "/.."},
                {.path = "chain1/x", .data = "x"},
        };
        assert_int_equal(unpack_ents(env, ents, ELEMENTSOF(ents), NULL, &e), 0);
        char *inner = strdup_printf("%s/sentinel", env->base + 1);
        char *s = read_at(env->dest, inner);
        assert_string_equal(s, "pwned");
        free(s);
        s = read_at(env->dest, "sentinel");
        assert_string_equal(s, "rel");
        free(s);
        s = read_at(env->dest, "berth-test-escape");
        assert_string_equal(s, "inside");
        free(s);
        s = read_at(env->dest, "x");
        assert_string_equal(s, "x");
        free(s);
        assert_outside_untouched(env);
        free(inner);
        error_clear(&e);
}

static void test_escape_replace_symlink(void **state) {
        Env *env = *state;
        Error e = {};
        char *abs = strdup_printf("%s/sentinel", env->base);
        /* A file replaced by a symlink to the sentinel, then written to; a
         * hard link to that symlink; a directory over a symlink. */
        const Ent ents[] = {
                {.path = "f", .data = "first"},
                {.path = "f", .mode = S_IFLNK | 0777, .link = abs},
                {.path = "f", .data = "pwned", .mode = S_IFREG | 0666},
                {.path = "g", .mode = S_IFLNK | 0777, .link = abs},
                {.path = "h", .hardlink = "g"},
                {.path = "d", .mode = S_IFLNK | 0777, .link = env->base},
                {.path = "d", .mode = S_IFDIR | 0700},
                {.path = "d/sentinel", .data = "pwned"},
                {.path = "rel", .mode = S_IFLNK | 0777, .link = "../sentinel"},
                {.path = "rel", .mode = S_IFIFO | 0600},
        };
        assert_int_equal(unpack_ents(env, ents, ELEMENTSOF(ents), NULL, &e), 0);
        struct stat st;
        assert_int_equal(fstatat(env->dest, "f", &st, AT_SYMLINK_NOFOLLOW), 0);
        assert_true(S_ISREG(st.st_mode));
        char *s = read_at(env->dest, "f");
        assert_string_equal(s, "pwned");
        free(s);
        assert_int_equal(fstatat(env->dest, "h", &st, AT_SYMLINK_NOFOLLOW), 0);
        assert_true(S_ISLNK(st.st_mode));
        assert_int_equal(st.st_nlink, 2);
        assert_int_equal(fstatat(env->dest, "d", &st, AT_SYMLINK_NOFOLLOW), 0);
        assert_true(S_ISDIR(st.st_mode));
        s = read_at(env->dest, "d/sentinel");
        assert_string_equal(s, "pwned");
        free(s);
        assert_int_equal(fstatat(env->dest, "rel", &st, AT_SYMLINK_NOFOLLOW), 0);
        assert_true(S_ISFIFO(st.st_mode));
        assert_outside_untouched(env);
        free(abs);
        error_clear(&e);
}

static void test_escape_hardlink(void **state) {
        Env *env = *state;
        Error e = {};
        const Ent out[] = {{.path = "h", .hardlink = "../sentinel"}};
        assert_refused(env, out, 1, EXDEV, "entry \"h\": hard link target \"../sentinel\" resolves outside the layer");

        char *abs = strdup_printf("%s/sentinel", env->base);
        /* An absolute target means inside, where nothing is. */
        const Ent absent[] = {{.path = "h", .hardlink = abs}};
        char *msg = strdup_printf("entry \"h\": hard link target \"%s\" not found", abs);
        assert_refused(env, absent, 1, ENOENT, msg);
        free(msg);

        /* Through a symlink to outside: resolved inside, so not found. */
        const Ent through[] = {
                {.path = "l", .mode = S_IFLNK | 0777, .link = env->base},
                {.path = "h", .hardlink = "l/sentinel"},
        };
        assert_refused(env, through, ELEMENTSOF(through), ENOENT, "hard link target \"l/sentinel\" not found");
        const Ent through_rel[] = {
                {.path = "l", .mode = S_IFLNK | 0777, .link = "../.."},
                {.path = "h", .hardlink = "l/sentinel"},
        };
        assert_refused(env, through_rel, ELEMENTSOF(through_rel), ENOENT, "not found");

        /* Through a symlink to a file inside: that file. */
        dest_reset(env);
        const Ent in[] = {
                {.path = "in/f", .data = "f"},        {.path = "l", .mode = S_IFLNK | 0777, .link = "/in"},
                {.path = "h", .hardlink = "l/f"},     {.path = "self", .data = "s"},
                {.path = "self", .hardlink = "self"},
        };
        assert_int_equal(unpack_ents(env, in, ELEMENTSOF(in), NULL, &e), 0);
        struct stat a, b;
        assert_int_equal(fstatat(env->dest, "in/f", &a, AT_SYMLINK_NOFOLLOW), 0);
        assert_int_equal(fstatat(env->dest, "h", &b, AT_SYMLINK_NOFOLLOW), 0);
        assert_int_equal(a.st_ino, b.st_ino);
        char *s = read_at(env->dest, "self");
        assert_string_equal(s, "s");
        free(s);

        const Ent dir[] = {{.path = "d", .mode = S_IFDIR | 0755}, {.path = "h", .hardlink = "d"}};
        assert_refused(env, dir, ELEMENTSOF(dir), EPERM, "is a directory");
        const Ent root[] = {{.path = "h", .hardlink = "./"}};
        assert_refused(env, root, 1, EPERM, "root directory");
        assert_outside_untouched(env);
        free(abs);
        error_clear(&e);
}

static void test_escape_misc(void **state) {
        Env *env = *state;
        /* The root replaced by a file; a parent that is a file. */
        const Ent root[] = {{.path = ".", .mode = S_IFLNK | 0777, .link = "/etc"}};
        assert_refused(env, root, 1, EINVAL, "would replace the layer's root directory");
        const Ent file_parent[] = {{.path = "f", .data = "f"}, {.path = "f/x", .data = "x"}};
        assert_refused(env, file_parent, ELEMENTSOF(file_parent), ENOTDIR,
                       "entry \"f/x\": a parent directory is not a directory");
        /* A name that would garble a terminal is escaped. */
        const Ent ctl[] = {{.path = "../\x1b[31mred\n", .data = "x"}};
        assert_refused(env, ctl, 1, EXDEV, "entry \"../\\x1b[31mred\\x0a\" resolves outside the layer");
        /* Symlink loops fail cleanly. */
        const Ent loop[] = {
                {.path = "a", .mode = S_IFLNK | 0777, .link = "b"},
                {.path = "b", .mode = S_IFLNK | 0777, .link = "a"},
                {.path = "a/x", .data = "x"},
        };
        assert_refused(env, loop, ELEMENTSOF(loop), ELOOP, "entry \"a/x\"");
}

static void test_devices(void **state) {
        Env *env = *state;
        Error e = {};
        const Ent ents[] = {
                {.path = "dev/null", .mode = S_IFCHR | 0666, .rmajor = 1, .rminor = 3},
                {.path = "dev/sda", .mode = S_IFBLK | 0660, .rmajor = 8, .rminor = 0},
                {.path = "dev/fifo", .mode = S_IFIFO | 0600},
                {.path = "dev/null2", .hardlink = "dev/null"},
        };
        /* Default: devices left out, fifos made. */
        assert_int_equal(unpack_ents(env, ents, ELEMENTSOF(ents), NULL, &e), 0);
        assert_int_equal(faccessat(env->dest, "dev/null", F_OK, AT_SYMLINK_NOFOLLOW), -1);
        assert_int_equal(faccessat(env->dest, "dev/sda", F_OK, AT_SYMLINK_NOFOLLOW), -1);
        assert_int_equal(faccessat(env->dest, "dev/fifo", F_OK, AT_SYMLINK_NOFOLLOW), 0);
        assert_int_equal(faccessat(env->dest, "dev/null2", F_OK, AT_SYMLINK_NOFOLLOW), -1);

        dest_reset(env);
        StoreUnpackOptions o = {.devices = STORE_DEVICES_REFUSE};
        assert_int_equal(unpack_ents(env, ents, ELEMENTSOF(ents), &o, &e), -EPERM);
        assert_non_null(strstr(e.msg, "entry \"dev/null\": device nodes from layers are refused"));
        assert_int_equal(count_entries(env->dest), 0);

        if (!have_root()) {
                print_message("skipped: making device nodes needs root\n");
                error_clear(&e);
                return;
        }
        o.devices = STORE_DEVICES_ALLOW;
        assert_int_equal(unpack_ents(env, ents, ELEMENTSOF(ents), &o, &e), 0);
        struct stat st;
        assert_int_equal(fstatat(env->dest, "dev/null", &st, AT_SYMLINK_NOFOLLOW), 0);
        assert_true(S_ISCHR(st.st_mode));
        assert_int_equal(st.st_rdev, makedev(1, 3));
        assert_int_equal(st.st_mode & 07777, 0666);
        assert_int_equal(fstatat(env->dest, "dev/sda", &st, AT_SYMLINK_NOFOLLOW), 0);
        assert_true(S_ISBLK(st.st_mode));
        struct stat st2;
        assert_int_equal(fstatat(env->dest, "dev/null2", &st2, AT_SYMLINK_NOFOLLOW), 0);
        assert_int_equal(fstatat(env->dest, "dev/null", &st, AT_SYMLINK_NOFOLLOW), 0);
        assert_int_equal(st.st_ino, st2.st_ino);
        assert_outside_untouched(env);
        error_clear(&e);
}

/* ---- limits and damage ------------------------------------------------------------------------- */

static void test_limits(void **state) {
        Env *env = *state;
        Error e = {};
        const Ent five[] = {
                {.path = "1", .data = "1"}, {.path = "2", .data = "2"}, {.path = "3", .data = "3"},
                {.path = "4", .data = "4"}, {.path = "5", .data = "5"},
        };
        StoreUnpackOptions o = {.max_entries = 3};
        assert_int_equal(unpack_ents(env, five, ELEMENTSOF(five), &o, &e), -E2BIG);
        assert_non_null(strstr(e.msg, "more than 3 entries"));
        assert_int_equal(count_entries(env->dest), 0);

        /* Total size: the uncompressed stream, and what entries declare. */
        char *big = malloc(100001);
        memset(big, 'x', 100000);
        big[100000] = '\0';
        const Ent large[] = {{.path = "big", .data = big}};
        o = (StoreUnpackOptions){.max_size = 50000};
        assert_int_equal(unpack_ents(env, large, 1, &o, &e), -EFBIG);
        assert_non_null(strstr(e.msg, "limit of 50000 bytes"));
        assert_int_equal(count_entries(env->dest), 0);
        free(big);

        /* A path at the kernel's limit. */
        char *longp = malloc(STORE_LAYER_PATH_MAX + 1);
        for (int i = 0; i < STORE_LAYER_PATH_MAX; i++)
                longp[i] = i % 100 == 99 ? '/' : 'a';
        longp[STORE_LAYER_PATH_MAX] = '\0';
        const Ent lp[] = {{.path = longp, .data = "x"}};
        assert_refused(env, lp, 1, ENAMETOOLONG, "path is longer than 4095 bytes");
        free(longp);

        char name[300];
        memset(name, 'n', 299);
        name[299] = '\0';
        const Ent ln[] = {{.path = name, .data = "x"}};
        assert_refused(env, ln, 1, ENAMETOOLONG, "longer than 255 bytes");

        char deep[2 * (STORE_LAYER_DEPTH_MAX + 2) + 1];
        for (int i = 0; i < STORE_LAYER_DEPTH_MAX + 2; i++) {
                deep[2 * i] = 'd';
                deep[2 * i + 1] = '/';
        }
        deep[2 * (STORE_LAYER_DEPTH_MAX + 1) + 1] = '\0';
        const Ent dp[] = {{.path = deep, .data = "x"}};
        assert_refused(env, dp, 1, ENAMETOOLONG, "deeper than 256 directories");

        uint8_t *xv = calloc(1, STORE_LAYER_XATTR_VALUE_MAX + 1);
        const Ent xa[] = {{.path = "x",
                           .data = "x",
                           .xname = "user.big",
                           .xvalue = xv,
                           .xsize = STORE_LAYER_XATTR_VALUE_MAX + 1}};
        assert_refused(env, xa, 1, E2BIG, "xattr \"user.big\" is too large");
        free(xv);

        Tar *t = tar_new();
        struct archive_entry *ae = archive_entry_new();
        archive_entry_set_pathname(ae, "x");
        archive_entry_set_mode(ae, S_IFREG | 0644);
        archive_entry_set_uid(ae, UINT32_MAX);
        archive_entry_set_size(ae, 0);
        assert_int_equal(archive_write_header(t->a, ae), ARCHIVE_OK);
        archive_entry_free(ae);
        size_t len;
        char *tar = tar_finish(t, &len);
        dest_reset(env);
        assert_int_equal(unpack_tar(env, tar, len, STORE_COMPRESSION_NONE, NULL, NULL, &e), -EINVAL);
        assert_non_null(strstr(e.msg, "entry \"x\": owner 4294967295:0 out of range"));
        free(tar);
        error_clear(&e);
}

static void test_damaged(void **state) {
        Env *env = *state;
        Error e = {};
        const Ent ents[] = {{.path = "a", .data = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"}, {.path = "b", .data = "b"}};
        size_t len, clen;
        char *tar = tar_of(ents, ELEMENTSOF(ents), &len);

        /* Cut short: compressed, and plain in the middle of an entry. */
        char *gz = compress_buf(tar, len, STORE_COMPRESSION_GZIP, &clen);
        for (int i = 0; i < 2; i++) {
                char *digest = NULL;
                const char *blob = i == 0 ? gz : tar;
                size_t blen = i == 0 ? clen / 2 : 1100;
                assert_int_equal(store_blob_ingest_buf(env->store, blob, blen, NULL, &digest, &e), 0);
                dest_reset(env);
                int r = store_layer_unpack(env->store, digest, NULL, env->dest, NULL, &e);
                assert_true(r < 0);
                assert_non_null(e.msg);
                assert_non_null(strstr(e.msg, "layer sha256:"));
                assert_int_equal(count_entries(env->dest), 0);
                free(digest);
        }

        /* Not a tar at all. */
        char *digest = NULL;
        char junk[2048];
        memset(junk, 'j', sizeof junk);
        assert_int_equal(store_blob_ingest_buf(env->store, junk, sizeof junk, NULL, &digest, &e), 0);
        dest_reset(env);
        assert_int_equal(store_layer_unpack(env->store, digest, NULL, env->dest, NULL, &e), -EINVAL);
        assert_non_null(strstr(e.msg, "not a tar archive"));
        free(digest);

        /* A blob that rotted on disk after its ingest. */
        assert_int_equal(store_blob_ingest_buf(env->store, tar, len, NULL, &digest, &e), 0);
        char *p = strdup_printf("root/blobs/sha256/%s", digest + 7);
        int fd = openat(env->base_fd, p, O_WRONLY | O_CLOEXEC);
        assert_int_equal(pwrite(fd, "z", 1, 512), 1);
        close(fd);
        dest_reset(env);
        assert_int_equal(store_layer_unpack(env->store, digest, NULL, env->dest, NULL, &e), -EUCLEAN);
        assert_non_null(strstr(e.msg, "corrupt on disk"));
        assert_int_equal(count_entries(env->dest), 0);
        free(p);
        free(digest);

        /* Absent blob. */
        assert_int_equal(store_layer_unpack(env->store,
                                            "sha256:0000000000000000000000000000000000000000000000000000000000000000",
                                            NULL, env->dest, NULL, &e),
                         -ENOENT);
        assert_non_null(strstr(e.msg, "not in the store"));

        /* From a pipe, both digests come back. */
        int pfd[2];
        assert_int_equal(pipe(pfd), 0);
        assert_int_equal(write_all(pfd[1], gz, clen), 0);
        close(pfd[1]);
        char *diff_id = NULL, *blob = NULL;
        assert_int_equal(store_layer_unpack_fd(pfd[0], "pipe", NULL, env->dest, &diff_id, &blob, &e), 0);
        close(pfd[0]);
        char *want_diff = digest_of(tar, len), *want_blob = digest_of(gz, clen);
        assert_string_equal(diff_id, want_diff);
        assert_string_equal(blob, want_blob);
        free(diff_id);
        free(blob);
        free(want_diff);
        free(want_blob);
        free(gz);
        free(tar);
        assert_outside_untouched(env);
        error_clear(&e);
}

static void test_root_entry(void **state) {
        Env *env = *state;
        Error e = {};
        const Ent ents[] = {
                {.path = "./", .mode = S_IFDIR | 0750, .mtime = 1234567890},
                {.path = "x", .data = "x"},
        };
        assert_int_equal(unpack_ents(env, ents, ELEMENTSOF(ents), NULL, &e), 0);
        struct stat st;
        assert_int_equal(fstat(env->dest, &st), 0);
        assert_int_equal(st.st_mode & 07777, 0750);
        assert_int_equal(st.st_mtim.tv_sec, 1234567890);
        error_clear(&e);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_digest_parse),
                cmocka_unit_test_setup_teardown(test_blob_ingest, env_setup, env_teardown),
                cmocka_unit_test_setup_teardown(test_blob_ingest_mismatch, env_setup, env_teardown),
                cmocka_unit_test_setup_teardown(test_blob_open_cleans_tmp, env_setup, env_teardown),
                cmocka_unit_test_setup_teardown(test_unpack_normal, env_setup, env_teardown),
                cmocka_unit_test_setup_teardown(test_unpack_empty_layer, env_setup, env_teardown),
                cmocka_unit_test_setup_teardown(test_unpack_replace, env_setup, env_teardown),
                cmocka_unit_test_setup_teardown(test_root_entry, env_setup, env_teardown),
                cmocka_unit_test_setup_teardown(test_whiteout_overlay, env_setup, env_teardown),
                cmocka_unit_test_setup_teardown(test_whiteout_vfs, env_setup, env_teardown),
                cmocka_unit_test_setup_teardown(test_escape_dotdot, env_setup, env_teardown),
                cmocka_unit_test_setup_teardown(test_escape_absolute, env_setup, env_teardown),
                cmocka_unit_test_setup_teardown(test_escape_symlink_parent, env_setup, env_teardown),
                cmocka_unit_test_setup_teardown(test_escape_replace_symlink, env_setup, env_teardown),
                cmocka_unit_test_setup_teardown(test_escape_hardlink, env_setup, env_teardown),
                cmocka_unit_test_setup_teardown(test_escape_misc, env_setup, env_teardown),
                cmocka_unit_test_setup_teardown(test_devices, env_setup, env_teardown),
                cmocka_unit_test_setup_teardown(test_limits, env_setup, env_teardown),
                cmocka_unit_test_setup_teardown(test_damaged, env_setup, env_teardown),
        };
        int r = cmocka_run_group_tests_name("store (openat2)", tests, NULL, NULL);

        fflush(NULL);
        pid_t pid = fork();
        if (pid < 0)
                return 1;
        if (pid == 0) {
                struct sock_filter f[] = {
                        BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
                        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_openat2, 0, 1),
                        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | ENOSYS),
                        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
                };
                struct sock_fprog prog = {.len = ELEMENTSOF(f), .filter = f};
                if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0 || prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog) < 0)
                        _exit(100);
                path_reset_openat2_probe();
                int c = cmocka_run_group_tests_name("store (no openat2)", tests, NULL, NULL);
                if (path_has_openat2())
                        c++;
                fflush(NULL);
                _exit(c > 99 ? 99 : c);
        }
        int status;
        if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) || WEXITSTATUS(status) != 0)
                r++;
        return r;
}
