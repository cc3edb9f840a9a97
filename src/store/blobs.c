/* The content store: blobs/sha256/<hex> under the store's root.
 *
 * An ingest writes into blobs/tmp, hashing as it goes, and links the file
 * into blobs/sha256 only after size and digest match and the data is
 * fsynced: a reader never sees an unverified or partial blob. With O_TMPFILE
 * the temp file has no name at all, so a crash leaves nothing; where the
 * filesystem lacks it, a named temp file is removed at the next store_open().
 * That cleanup runs only when no other Store has the root open (an flock on
 * blobs/tmp, shared while open), so it never removes a live ingest. */
#include <inttypes.h>
#include <openssl/evp.h>
#include <sys/file.h>
#include <sys/random.h>
#include <sys/stat.h>

#include "oci.h"
#include "store.h"

#define INGEST_BUFFER_SIZE ((size_t) 256 << 10)

struct Store {
        char *root;
        int root_fd;
        int blobs_fd; /* blobs/sha256 */
        int tmp_fd;   /* blobs/tmp, holds the flock */
};

static inline void evp_md_ctx_freep(EVP_MD_CTX **c) {
        EVP_MD_CTX_free(*c);
}

Store *store_free(Store *s) {
        if (!s)
                return NULL;
        safe_close(s->root_fd);
        safe_close(s->blobs_fd);
        safe_close(s->tmp_fd);
        free(s->root);
        free(s);
        return NULL;
}

static int mkdirat_p(int dirfd, const char *name, mode_t mode) {
        if (mkdirat(dirfd, name, mode) < 0 && errno != EEXIST)
                return -errno;
        int fd = openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        return fd < 0 ? -errno : fd;
}

static int clean_tmp(int tmp_fd) {
        _cleanup_close_ int fd = openat(tmp_fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (fd < 0)
                return -errno;
        _cleanup_closedir_ DIR *d = fdopendir(fd);
        if (!d)
                return -errno;
        TAKE_FD(fd);
        int ret = 0;
        struct dirent *de;
        while ((de = readdir(d))) {
                if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
                        continue;
                log_debug("store: removing interrupted ingest blobs/tmp/%s", de->d_name);
                int r = rm_rf_at(dirfd(d), de->d_name);
                if (r < 0 && ret == 0)
                        ret = r;
        }
        return ret;
}

int store_open(const char *root, Store **ret, Error *reterr) {
        _cleanup_(store_freep) Store *s = calloc(1, sizeof *s);
        if (!s)
                return error_set(reterr, ENOMEM, "opening store");
        s->root_fd = s->blobs_fd = s->tmp_fd = -1;
        s->root = strdup(root);
        if (!s->root)
                return error_set(reterr, ENOMEM, "opening store");

        int r = mkdir_p(root, 0700);
        if (r < 0)
                return error_set(reterr, r, "creating store root %s", root);
        s->root_fd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (s->root_fd < 0)
                return error_set(reterr, errno, "opening store root %s", root);
        _cleanup_close_ int blobs = mkdirat_p(s->root_fd, "blobs", 0700);
        if (blobs < 0)
                return error_set(reterr, blobs, "creating %s/blobs", root);
        s->blobs_fd = mkdirat_p(blobs, "sha256", 0700);
        if (s->blobs_fd < 0)
                return error_set(reterr, s->blobs_fd, "creating %s/blobs/sha256", root);
        s->tmp_fd = mkdirat_p(blobs, "tmp", 0700);
        if (s->tmp_fd < 0)
                return error_set(reterr, s->tmp_fd, "creating %s/blobs/tmp", root);

        if (flock(s->tmp_fd, LOCK_EX | LOCK_NB) == 0) {
                r = clean_tmp(s->tmp_fd);
                if (r < 0)
                        return error_set(reterr, r, "removing interrupted ingests in %s/blobs/tmp", root);
        } else if (errno != EWOULDBLOCK)
                return error_set(reterr, errno, "locking %s/blobs/tmp", root);
        /* Converting is not atomic, but a second opener that slips in between
         * only skips the cleanup, which is harmless. */
        if (flock(s->tmp_fd, LOCK_SH) < 0)
                return error_set(reterr, errno, "locking %s/blobs/tmp", root);

        *ret = TAKE_PTR(s);
        return 0;
}

int store_digest_parse(const char *digest, Sha256 *ret) {
        OciDigest d;
        int r = digest ? oci_digest_parse(digest, &d, NULL) : -EINVAL;
        if (r < 0)
                return r;
        /* Well formed, but the store names its blobs by sha256 only. */
        if (strcmp(d.algorithm, "sha256") != 0)
                return -EOPNOTSUPP;
        Sha256 out;
        for (size_t k = 0; k < sizeof out.bytes; k++) {
                /* oci_digest_parse() guarantees lowercase hex. */
                int hi = d.hex[2 * k], lo = d.hex[2 * k + 1];
                hi = hi <= '9' ? hi - '0' : hi - 'a' + 10;
                lo = lo <= '9' ? lo - '0' : lo - 'a' + 10;
                out.bytes[k] = (uint8_t) (hi << 4 | lo);
        }
        if (ret)
                *ret = out;
        return 0;
}

char *store_digest_format(const Sha256 *d) {
        char hex[65];
        sha256_hex(d, hex);
        return strdup_printf("sha256:%s", hex);
}

/* Parses digest and fills hex with its file name; the error says which. */
static int blob_name(const char *digest, char hex[static 65], Error *reterr) {
        Sha256 d;
        int r = store_digest_parse(digest, &d);
        if (r == -EOPNOTSUPP)
                return error_msg(reterr, r, "blob %s: unsupported digest algorithm", digest);
        if (r < 0)
                return error_msg(reterr, r, "invalid digest \"%s\"", digest ? digest : "");
        sha256_hex(&d, hex);
        return 0;
}

/* Moves the verified temp file into place. An O_TMPFILE file gets its first
 * name with linkat; if the blob already exists, the one there has the same
 * verified content and stays. */
static int blob_publish(Store *s, int fd, const char *tmp_name, const char *hex) {
        if (tmp_name) {
                if (renameat(s->tmp_fd, tmp_name, s->blobs_fd, hex) < 0)
                        return -errno;
        } else if (linkat(fd, "", s->blobs_fd, hex, AT_EMPTY_PATH) < 0) {
                if (errno == EEXIST)
                        return 0;
                /* AT_EMPTY_PATH needs CAP_DAC_READ_SEARCH; /proc does not. */
                char p[32];
                if (errno != ENOENT && errno != EPERM)
                        return -errno;
                if (linkat(AT_FDCWD, fd_proc_path(fd, p), s->blobs_fd, hex, AT_SYMLINK_FOLLOW) < 0 && errno != EEXIST)
                        return -errno;
        }
        if (fsync(s->blobs_fd) < 0)
                return -errno;
        return 0;
}

static int tmp_create(Store *s, char **ret_name) {
        int fd = openat(s->tmp_fd, ".", O_TMPFILE | O_RDWR | O_CLOEXEC, 0444);
        if (fd >= 0) {
                *ret_name = NULL;
                return fd;
        }
        if (errno != EOPNOTSUPP && errno != EISDIR && errno != EINVAL)
                return -errno;
        for (int tries = 0; tries < 16; tries++) {
                uint64_t rnd;
                if (getrandom(&rnd, sizeof rnd, 0) != sizeof rnd)
                        return -EIO;
                char *name = strdup_printf("ingest-%016llx", (unsigned long long) rnd);
                if (!name)
                        return -ENOMEM;
                fd = openat(s->tmp_fd, name, O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0444);
                if (fd >= 0) {
                        *ret_name = name;
                        return fd;
                }
                free(name);
                if (errno != EEXIST)
                        return -errno;
        }
        return -EEXIST;
}

/* The ingest behind both entry points: from fd when src_fd >= 0, else from
 * buf. */
static int ingest(Store *s, int src_fd, const void *buf, size_t len, const char *expected_digest, int64_t expected_size,
                  char **ret_digest, Error *reterr) {
        char want_hex[65] = "";
        int r;
        if (expected_digest && (r = blob_name(expected_digest, want_hex, reterr)) < 0)
                return r;
        const char *label = expected_digest ? expected_digest : "ingest";
        if (expected_size >= 0 && (uint64_t) expected_size > STORE_BLOB_SIZE_MAX)
                return error_msg(reterr, EFBIG, "blob %s: size %" PRId64 " exceeds the limit of %" PRIu64 " bytes",
                                 label, expected_size, STORE_BLOB_SIZE_MAX);

        _cleanup_free_ char *tmp_name = NULL;
        _cleanup_close_ int fd = tmp_create(s, &tmp_name);
        if (fd < 0)
                return error_set(reterr, fd, "blob %s: creating temp file in %s/blobs/tmp", label, s->root);

        _cleanup_(evp_md_ctx_freep) EVP_MD_CTX *ctx = EVP_MD_CTX_new();
        _cleanup_free_ uint8_t *chunk = src_fd >= 0 ? malloc(INGEST_BUFFER_SIZE) : NULL;
        if (!ctx || (src_fd >= 0 && !chunk) || EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) != 1) {
                r = error_set(reterr, ENOMEM, "blob %s: starting sha256", label);
                goto fail;
        }

        uint64_t total = 0;
        uint64_t limit = expected_size >= 0 ? (uint64_t) expected_size : STORE_BLOB_SIZE_MAX;
        for (size_t off = 0;;) {
                const uint8_t *data;
                size_t n;
                if (src_fd >= 0) {
                        ssize_t k = read(src_fd, chunk, INGEST_BUFFER_SIZE);
                        if (k < 0 && errno == EINTR)
                                continue;
                        if (k < 0) {
                                r = error_set(reterr, errno, "blob %s: reading", label);
                                goto fail;
                        }
                        data = chunk;
                        n = (size_t) k;
                } else {
                        data = (const uint8_t *) buf + off;
                        n = len - off < INGEST_BUFFER_SIZE ? len - off : INGEST_BUFFER_SIZE;
                        off += n;
                }
                if (n == 0)
                        break;
                if (n > limit - total) {
                        if (expected_size >= 0)
                                r = error_msg(reterr, EINVAL,
                                              "blob %s: size mismatch: expected %" PRId64 " bytes, got more", label,
                                              expected_size);
                        else
                                r = error_msg(reterr, EFBIG, "blob %s: larger than the limit of %" PRIu64 " bytes",
                                              label, STORE_BLOB_SIZE_MAX);
                        goto fail;
                }
                total += n;
                if (EVP_DigestUpdate(ctx, data, n) != 1) {
                        r = error_set(reterr, EIO, "blob %s: sha256", label);
                        goto fail;
                }
                r = write_all(fd, data, n);
                if (r < 0) {
                        r = error_set(reterr, r, "blob %s: writing %s/blobs/tmp", label, s->root);
                        goto fail;
                }
        }
        if (expected_size >= 0 && total != (uint64_t) expected_size) {
                r = error_msg(reterr, EINVAL, "blob %s: size mismatch: expected %" PRId64 " bytes, got %" PRIu64, label,
                              expected_size, total);
                goto fail;
        }

        Sha256 got;
        unsigned int dlen = 0;
        if (EVP_DigestFinal_ex(ctx, got.bytes, &dlen) != 1 || dlen != sizeof got.bytes) {
                r = error_set(reterr, EIO, "blob %s: sha256", label);
                goto fail;
        }
        char got_hex[65];
        sha256_hex(&got, got_hex);
        if (expected_digest && strcmp(got_hex, want_hex) != 0) {
                r = error_msg(reterr, EINVAL, "blob %s: digest mismatch: got sha256:%s", expected_digest, got_hex);
                goto fail;
        }
        if (fsync(fd) < 0) {
                r = error_set(reterr, errno, "blob sha256:%s: fsync", got_hex);
                goto fail;
        }
        r = blob_publish(s, fd, tmp_name, got_hex);
        if (r < 0) {
                r = error_set(reterr, r, "blob sha256:%s: moving into %s/blobs/sha256", got_hex, s->root);
                goto fail;
        }
        if (ret_digest) {
                *ret_digest = strdup_printf("sha256:%s", got_hex);
                if (!*ret_digest)
                        return error_set(reterr, ENOMEM, "blob sha256:%s", got_hex);
        }
        return 0;

fail:
        if (tmp_name)
                (void) unlinkat(s->tmp_fd, tmp_name, 0);
        return r;
}

int store_blob_ingest_fd(Store *s, int fd, const char *expected_digest, int64_t expected_size, char **ret_digest,
                         Error *reterr) {
        if (fd < 0)
                return error_msg(reterr, EBADF, "blob ingest: no input");
        return ingest(s, fd, NULL, 0, expected_digest, expected_size, ret_digest, reterr);
}

int store_blob_ingest_buf(Store *s, const void *buf, size_t len, const char *expected_digest, char **ret_digest,
                          Error *reterr) {
        if (!buf && len > 0)
                return error_msg(reterr, EINVAL, "blob ingest: no input");
        return ingest(s, -1, buf ? buf : "", len, expected_digest, (int64_t) len, ret_digest, reterr);
}

int store_blob_open(Store *s, const char *digest, int *ret_fd, Error *reterr) {
        char hex[65];
        int r = blob_name(digest, hex, reterr);
        if (r < 0)
                return r;
        int fd = openat(s->blobs_fd, hex, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
        if (fd < 0)
                return errno == ENOENT ? error_msg(reterr, ENOENT, "blob %s: not in the store", digest)
                                       : error_set(reterr, errno, "blob %s: opening", digest);
        *ret_fd = fd;
        return 0;
}

int store_blob_exists(Store *s, const char *digest) {
        char hex[65];
        int r = blob_name(digest, hex, NULL);
        if (r < 0)
                return r;
        struct stat st;
        if (fstatat(s->blobs_fd, hex, &st, AT_SYMLINK_NOFOLLOW) < 0)
                return errno == ENOENT ? 0 : -errno;
        return S_ISREG(st.st_mode) ? 1 : -EUCLEAN;
}

int store_blob_size(Store *s, const char *digest, uint64_t *ret_size) {
        char hex[65];
        int r = blob_name(digest, hex, NULL);
        if (r < 0)
                return r;
        struct stat st;
        if (fstatat(s->blobs_fd, hex, &st, AT_SYMLINK_NOFOLLOW) < 0)
                return -errno;
        if (!S_ISREG(st.st_mode))
                return -EUCLEAN;
        *ret_size = (uint64_t) st.st_size;
        return 0;
}

int store_blob_delete(Store *s, const char *digest) {
        char hex[65];
        int r = blob_name(digest, hex, NULL);
        if (r < 0)
                return r;
        if (unlinkat(s->blobs_fd, hex, 0) < 0)
                return -errno;
        return 0;
}

int store_blob_read(Store *s, const char *digest, size_t max, char **ret, size_t *ret_len, Error *reterr) {
        if (max == 0 || max > STORE_BLOB_MEMORY_MAX)
                max = STORE_BLOB_MEMORY_MAX;
        _cleanup_close_ int fd = -1;
        int r = store_blob_open(s, digest, &fd, reterr);
        if (r < 0)
                return r;
        struct stat st;
        if (fstat(fd, &st) < 0)
                return error_set(reterr, errno, "blob %s: stat", digest);
        if ((uint64_t) st.st_size > max)
                return error_msg(reterr, EFBIG, "blob %s: %lld bytes, more than the limit of %zu for this kind of blob",
                                 digest, (long long) st.st_size, max);
        _cleanup_free_ char *buf = malloc((size_t) st.st_size + 1);
        if (!buf)
                return error_set(reterr, ENOMEM, "blob %s", digest);
        r = read_all(fd, buf, (size_t) st.st_size);
        if (r < 0)
                return error_set(reterr, r, "blob %s: reading", digest);
        size_t len = (size_t) r;
        buf[len] = '\0';
        Sha256 want, got;
        if (store_digest_parse(digest, &want) < 0 || sha256_buf(buf, len, &got) < 0)
                return error_set(reterr, EIO, "blob %s: sha256", digest);
        if (memcmp(want.bytes, got.bytes, sizeof want.bytes) != 0) {
                char hex[65];
                sha256_hex(&got, hex);
                return error_msg(reterr, EUCLEAN, "blob %s: digest mismatch: got sha256:%s (corrupt on disk)", digest,
                                 hex);
        }
        *ret = TAKE_PTR(buf);
        if (ret_len)
                *ret_len = len;
        return 0;
}
