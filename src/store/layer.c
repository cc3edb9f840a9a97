/* Layer unpacking: a (compressed) tar from an image into a directory, with
 * the OCI whiteouts applied in overlay or vfs form.
 *
 * One pass, no temp file. Two libarchive readers are chained: the first
 * reads the blob through our read callback (which hashes the compressed bytes
 * for the blob digest) with only the decompression filter and the "raw"
 * format, so its data is the uncompressed tar stream; the second reader's
 * read callback pulls those blocks, hashes them for the diff_id and hands
 * them on to the tar format. libarchive does not otherwise let one see the
 * uncompressed bytes that its tar reader consumes, and decompressing by hand
 * would duplicate its filters. Whatever follows the end-of-archive marker is
 * drained and hashed too, since the diff_id covers the whole stream.
 *
 * Safety: entry paths are cleaned lexically first ("/etc/x" is "etc/x"; a
 * ".." that would climb above the root refuses the layer), then the parent
 * is resolved inside the destination with openat2(RESOLVE_IN_ROOT), so a
 * symlink from this layer ("a -> /etc", "a -> ../..") can only ever lead
 * back inside. The last component is made relative to that parent fd with
 * O_EXCL / O_NOFOLLOW calls after removing whatever was there (unless both
 * are directories), so nothing is ever written through a symlink or into an
 * inode that another name shares. */
#include <archive.h>
#include <archive_entry.h>
#include <inttypes.h>
#include <openssl/evp.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>

#include "store.h"

#define READ_BUFFER_SIZE     ((size_t) 256 << 10)
#define NAME_MAX_BYTES       255
#define XATTR_NAME_MAX_BYTES 255
/* Paths kept for directory times and for vfs whiteouts. */
#define BOOKKEEPING_MAX      ((size_t) 256 << 20)
#define SHOWN_MAX            1024
#define WHITEOUT_PREFIX      ".wh."
#define WHITEOUT_META_PREFIX ".wh..wh."
#define WHITEOUT_OPAQUE      ".wh..wh..opq"
#define OVERLAY_OPAQUE_XATTR "trusted.overlay.opaque"

static const char *const compression_table[_STORE_COMPRESSION_MAX] = {
        [STORE_COMPRESSION_AUTO] = "auto", [STORE_COMPRESSION_NONE] = "none", [STORE_COMPRESSION_GZIP] = "gzip",
        [STORE_COMPRESSION_ZSTD] = "zstd", [STORE_COMPRESSION_XZ] = "xz",
};

static const char *const whiteout_table[_STORE_WHITEOUT_MAX] = {
        [STORE_WHITEOUT_OVERLAY] = "overlay",
        [STORE_WHITEOUT_VFS] = "vfs",
};

static const char *const devices_table[_STORE_DEVICES_MAX] = {
        [STORE_DEVICES_SKIP] = "skip",
        [STORE_DEVICES_REFUSE] = "refuse",
        [STORE_DEVICES_ALLOW] = "allow",
};

const char *store_device_policy_to_string(StoreDevicePolicy p) {
        return p >= 0 && p < _STORE_DEVICES_MAX ? devices_table[p] : NULL;
}

StoreDevicePolicy store_device_policy_from_string(const char *s) {
        for (int i = 0; s && i < _STORE_DEVICES_MAX; i++)
                if (strcmp(s, devices_table[i]) == 0)
                        return (StoreDevicePolicy) i;
        return _STORE_DEVICES_INVALID;
}

const char *store_compression_to_string(StoreCompression c) {
        return c >= 0 && c < _STORE_COMPRESSION_MAX ? compression_table[c] : NULL;
}

StoreCompression store_compression_from_string(const char *s) {
        for (int i = 0; s && i < _STORE_COMPRESSION_MAX; i++)
                if (strcmp(s, compression_table[i]) == 0)
                        return (StoreCompression) i;
        return _STORE_COMPRESSION_INVALID;
}

const char *store_whiteout_mode_to_string(StoreWhiteoutMode m) {
        return m >= 0 && m < _STORE_WHITEOUT_MAX ? whiteout_table[m] : NULL;
}

StoreWhiteoutMode store_whiteout_mode_from_string(const char *s) {
        for (int i = 0; s && i < _STORE_WHITEOUT_MAX; i++)
                if (strcmp(s, whiteout_table[i]) == 0)
                        return (StoreWhiteoutMode) i;
        return _STORE_WHITEOUT_INVALID;
}

/* ---- a set of paths, for vfs whiteouts ----------------------------------
 * Whiteouts may hide only what lower layers made, never an entry of their
 * own layer (OCI layer.md), in whatever order the tar has them. In vfs mode
 * both live in the same directory, so the layer's own paths are remembered.
 * Keys come from the tar: the hash is seeded so that no one can choose
 * colliding names in advance. */

typedef struct PathSet {
        char **slots;
        size_t n, cap; /* cap is a power of two */
        uint64_t seed;
} PathSet;

static uint64_t path_hash(const PathSet *s, const char *p, size_t len) {
        uint64_t h = 0xcbf29ce484222325ULL ^ s->seed;
        for (size_t i = 0; i < len; i++)
                h = (h ^ (uint8_t) p[i]) * 0x100000001b3ULL;
        h ^= h >> 33;
        h *= 0xff51afd7ed558ccdULL;
        h ^= h >> 33;
        return h;
}

static char **path_set_slot(const PathSet *s, const char *p, size_t len) {
        for (size_t i = path_hash(s, p, len) & (s->cap - 1);; i = (i + 1) & (s->cap - 1))
                if (!s->slots[i] || (strncmp(s->slots[i], p, len) == 0 && s->slots[i][len] == '\0'))
                        return &s->slots[i];
}

static bool path_set_contains_n(const PathSet *s, const char *p, size_t len) {
        return s->cap > 0 && *path_set_slot(s, p, len) != NULL;
}

static bool path_set_contains(const PathSet *s, const char *p) {
        return path_set_contains_n(s, p, strlen(p));
}

static int path_set_grow(PathSet *s) {
        size_t cap = s->cap ? s->cap * 2 : 1024;
        PathSet n = {.slots = calloc(cap, sizeof(char *)), .cap = cap, .seed = s->seed};
        if (!n.slots)
                return -ENOMEM;
        for (size_t i = 0; i < s->cap; i++)
                if (s->slots[i])
                        *path_set_slot(&n, s->slots[i], strlen(s->slots[i])) = s->slots[i];
        n.n = s->n;
        free(s->slots);
        *s = n;
        return 0;
}

/* Adds p and its ancestors, so that an opaque directory above keeps the
 * directories that lead to this layer's entries. Returns the bytes stored. */
static int path_set_add(PathSet *s, const char *p, size_t *bytes) {
        for (size_t len = strlen(p); len > 0;) {
                if ((s->n + 1) * 4 >= s->cap * 3 && path_set_grow(s) < 0)
                        return -ENOMEM;
                char **slot = path_set_slot(s, p, len);
                if (*slot)
                        break; /* its ancestors are in already */
                *slot = strndup(p, len);
                if (!*slot)
                        return -ENOMEM;
                s->n++;
                *bytes += len + 1 + sizeof(char *);
                while (len > 0 && p[len - 1] != '/')
                        len--;
                if (len > 0)
                        len--;
        }
        return 0;
}

static void path_set_clear(PathSet *s) {
        for (size_t i = 0; i < s->cap; i++)
                free(s->slots[i]);
        free(s->slots);
        *s = (PathSet){};
}

/* ---- the unpack state ----------------------------------------------------- */

typedef struct DirTimes {
        char *path;
        struct timespec ts[2];
} DirTimes;

typedef struct Unpack {
        StoreUnpackOptions o;
        const char *name;
        int in_fd;
        int root; /* the destination, O_RDONLY */
        EVP_MD_CTX *blob_ctx, *diff_ctx;
        uint64_t tar_bytes, declared_bytes, entries;
        uint8_t *inbuf;
        struct archive *raw, *tar;
        int cb_errno; /* set by our callbacks when they fail */
        char *cb_msg;

        DirTimes *dirs;
        size_t n_dirs, cap_dirs;
        PathSet mine;    /* vfs mode */
        PathSet skipped; /* device nodes left out */
        size_t bookkeeping;

        const char *entry; /* the raw path of the entry at hand */
        char shown[2][4 * SHOWN_MAX + 8];
} Unpack;

/* A name as a person reads it: control characters escaped (names come from
 * the tar and end up on terminals), long names cut. Two buffers, so that one
 * message can show an entry and its link target. */
static const char *shown(Unpack *u, int which, const char *s) {
        char *out = u->shown[which];
        size_t o = 0;
        for (size_t i = 0; s && s[i]; i++) {
                if (i >= SHOWN_MAX) {
                        memcpy(out + o, "...", 3);
                        o += 3;
                        break;
                }
                unsigned char c = (unsigned char) s[i];
                if (c == '"' || c == '\\') {
                        out[o++] = '\\';
                        out[o++] = (char) c;
                } else if (c < 0x20 || c == 0x7f)
                        o += (size_t) snprintf(out + o, 5, "\\x%02x", c);
                else
                        out[o++] = (char) c;
        }
        out[o] = '\0';
        return out;
}

static int entry_err(Unpack *u, Error *reterr, int errnum, const char *what) {
        return error_set(reterr, errnum, "layer %s: entry \"%s\": %s", u->name, shown(u, 0, u->entry), what);
}

static int entry_msg(Unpack *u, Error *reterr, int errnum, const char *what) {
        return error_msg(reterr, errnum, "layer %s: entry \"%s\": %s", u->name, shown(u, 0, u->entry), what);
}

static int bookkeep(Unpack *u, size_t bytes, Error *reterr) {
        if (bytes > BOOKKEEPING_MAX - u->bookkeeping)
                return error_msg(reterr, EFBIG, "layer %s: too many long paths (more than %zu bytes of them)", u->name,
                                 BOOKKEEPING_MAX);
        u->bookkeeping += bytes;
        return 0;
}

/* ---- the two chained readers ---------------------------------------------- */

static la_ssize_t raw_read(struct archive *a, void *data, const void **buf) {
        Unpack *u = data;
        ssize_t n;
        do
                n = read(u->in_fd, u->inbuf, READ_BUFFER_SIZE);
        while (n < 0 && errno == EINTR);
        if (n < 0) {
                u->cb_errno = errno;
                archive_set_error(a, errno, "reading the layer: %s", strerror(errno));
                return -1;
        }
        if (n > 0 && EVP_DigestUpdate(u->blob_ctx, u->inbuf, (size_t) n) != 1) {
                u->cb_errno = EIO;
                archive_set_error(a, EIO, "sha256");
                return -1;
        }
        *buf = u->inbuf;
        return n;
}

static int tar_fail(Unpack *u, struct archive *a, int errnum, char *msg) {
        u->cb_errno = errnum;
        free(u->cb_msg);
        u->cb_msg = msg;
        archive_set_error(a, errnum, "%s", msg ? msg : strerror(errnum));
        return -1;
}

/* Feeds the tar reader: the next block of uncompressed bytes. */
static la_ssize_t tar_read(struct archive *a, void *data, const void **buf) {
        Unpack *u = data;
        for (;;) {
                size_t size = 0;
                la_int64_t off = 0;
                int r = archive_read_data_block(u->raw, buf, &size, &off);
                if (r == ARCHIVE_EOF)
                        return 0;
                if (r < ARCHIVE_WARN) {
                        if (u->cb_errno)
                                return tar_fail(u, a, u->cb_errno, strdup_printf("%s", archive_error_string(u->raw)));
                        return tar_fail(u, a, EINVAL, strdup_printf("decompressing: %s", archive_error_string(u->raw)));
                }
                if (size == 0)
                        continue;
                if (size > u->o.max_size - u->tar_bytes)
                        return tar_fail(u, a, EFBIG,
                                        strdup_printf("uncompressed size exceeds the limit of %" PRIu64 " bytes",
                                                      u->o.max_size));
                u->tar_bytes += size;
                if (EVP_DigestUpdate(u->diff_ctx, *buf, size) != 1)
                        return tar_fail(u, a, EIO, NULL);
                return (la_ssize_t) size;
        }
}

static int archive_fail(Unpack *u, struct archive *a, Error *reterr, const char *doing) {
        if (u->cb_errno)
                return error_msg(reterr, u->cb_errno, "layer %s: %s", u->name,
                                 u->cb_msg ? u->cb_msg : strerror(u->cb_errno));
        int e = archive_errno(a);
        const char *m = archive_error_string(a);
        /* libarchive reports a malformed archive as -1 or EILSEQ; to the
         * caller that is bad input. */
        if (e <= 0 || e == EILSEQ)
                e = EINVAL;
        if (u->entry)
                return error_msg(reterr, e, "layer %s: entry \"%s\": %s: %s", u->name, shown(u, 0, u->entry), doing,
                                 m ? m : strerror(e));
        return error_msg(reterr, e, "layer %s: %s: %s", u->name, doing, m ? m : strerror(e));
}

static int readers_open(Unpack *u, Error *reterr) {
        static const struct {
                int code;
                int (*support)(struct archive *);
        } filters[] = {
                [STORE_COMPRESSION_GZIP] = {ARCHIVE_FILTER_GZIP, archive_read_support_filter_gzip},
                [STORE_COMPRESSION_ZSTD] = {ARCHIVE_FILTER_ZSTD, archive_read_support_filter_zstd},
                [STORE_COMPRESSION_XZ] = {ARCHIVE_FILTER_XZ, archive_read_support_filter_xz},
        };
        u->raw = archive_read_new();
        u->tar = archive_read_new();
        if (!u->raw || !u->tar)
                return error_set(reterr, ENOMEM, "layer %s", u->name);
        /* All three even when the media type names one, so that a mismatch
         * gets a clear error. Only these: for filters it lacks a library for,
         * libarchive would run an external program. */
        for (int c = STORE_COMPRESSION_GZIP; c <= STORE_COMPRESSION_XZ; c++)
                if (filters[c].support(u->raw) != ARCHIVE_OK)
                        return error_msg(reterr, EOPNOTSUPP, "layer %s: libarchive lacks %s support", u->name,
                                         compression_table[c]);
        if (archive_read_support_format_raw(u->raw) != ARCHIVE_OK ||
            archive_read_support_format_tar(u->tar) != ARCHIVE_OK ||
            archive_read_support_format_empty(u->tar) != ARCHIVE_OK)
                return error_msg(reterr, EOPNOTSUPP, "layer %s: libarchive lacks tar support", u->name);

        if (archive_read_open(u->raw, u, NULL, raw_read, NULL) != ARCHIVE_OK)
                return archive_fail(u, u->raw, reterr, "opening");
        struct archive_entry *e;
        int r = archive_read_next_header(u->raw, &e);
        if (r < ARCHIVE_WARN)
                return archive_fail(u, u->raw, reterr, "decompressing");

        int code = archive_filter_code(u->raw, 0);
        if (u->o.compression == STORE_COMPRESSION_NONE && code != ARCHIVE_FILTER_NONE)
                return error_msg(reterr, EINVAL, "layer %s: compressed (%s), but an uncompressed tar was expected",
                                 u->name, archive_filter_name(u->raw, 0));
        if (u->o.compression >= STORE_COMPRESSION_GZIP && code != filters[u->o.compression].code)
                return error_msg(reterr, EINVAL, "layer %s: not %s-compressed", u->name,
                                 compression_table[u->o.compression]);

        if (archive_read_open(u->tar, u, NULL, tar_read, NULL) != ARCHIVE_OK)
                return archive_fail(u, u->tar, reterr, "not a tar archive");
        return 0;
}

/* After the tar's end marker: the rest of the stream still counts for both
 * digests. */
static int readers_drain(Unpack *u, Error *reterr) {
        for (;;) {
                const void *buf;
                la_ssize_t n = tar_read(u->tar, u, &buf);
                if (n == 0)
                        break;
                if (n < 0)
                        return archive_fail(u, u->tar, reterr, "reading past the end of the tar");
        }
        for (;;) {
                const void *buf;
                la_ssize_t n = raw_read(u->raw, u, &buf);
                if (n == 0)
                        return 0;
                if (n < 0)
                        return archive_fail(u, u->raw, reterr, "reading");
        }
}

/* ---- entry paths ---------------------------------------------------------- */

static const char *entry_str(const char *mbs, const char *utf8) {
        /* Without a UTF-8 locale libarchive cannot convert pax's UTF-8 names
         * to the locale's charset; Linux names are bytes, so take them raw. */
        return mbs ? mbs : utf8;
}

/* Lexically cleans an entry path into "a/b/c" ("" for the root itself).
 * -EXDEV if a ".." climbs above the root. */
static int clean_path(const char *in, char **ret, size_t *ret_depth) {
        size_t len = strlen(in);
        _cleanup_free_ char *out = malloc(len + 1);
        if (!out)
                return -ENOMEM;
        size_t o = 0, depth = 0;
        for (const char *p = in; *p;) {
                while (*p == '/')
                        p++;
                const char *e = strchrnul(p, '/');
                size_t n = (size_t) (e - p);
                if (n == 0 || (n == 1 && p[0] == '.')) {
                } else if (n == 2 && p[0] == '.' && p[1] == '.') {
                        if (depth == 0)
                                return -EXDEV;
                        while (o > 0 && out[o - 1] != '/')
                                o--;
                        if (o > 0)
                                o--;
                        depth--;
                } else {
                        if (n > NAME_MAX_BYTES)
                                return -ENAMETOOLONG;
                        if (o > 0)
                                out[o++] = '/';
                        memcpy(out + o, p, n);
                        o += n;
                        depth++;
                }
                p = e;
        }
        out[o] = '\0';
        *ret = TAKE_PTR(out);
        if (ret_depth)
                *ret_depth = depth;
        return 0;
}

static int check_path(Unpack *u, const char *raw, const char *what, char **ret, Error *reterr) {
        if (!raw || !*raw)
                return error_msg(reterr, EINVAL, "layer %s: entry \"%s\": %s is empty", u->name, shown(u, 0, u->entry),
                                 what);
        if (strlen(raw) >= STORE_LAYER_PATH_MAX)
                return error_msg(reterr, ENAMETOOLONG, "layer %s: entry \"%s\": %s is longer than %d bytes", u->name,
                                 shown(u, 0, u->entry), what, STORE_LAYER_PATH_MAX - 1);
        size_t depth = 0;
        _cleanup_free_ char *clean = NULL;
        int r = clean_path(raw, &clean, &depth);
        if (r == -EXDEV && raw == u->entry)
                return error_msg(reterr, EXDEV, "layer %s: entry \"%s\" resolves outside the layer", u->name,
                                 shown(u, 0, raw));
        if (r == -EXDEV)
                return error_msg(reterr, EXDEV, "layer %s: entry \"%s\": %s \"%s\" resolves outside the layer", u->name,
                                 shown(u, 0, u->entry), what, shown(u, 1, raw));
        if (r == -ENAMETOOLONG)
                return error_msg(reterr, ENAMETOOLONG,
                                 "layer %s: entry \"%s\": a name in the %s is longer than %d bytes", u->name,
                                 shown(u, 0, u->entry), what, NAME_MAX_BYTES);
        if (r < 0)
                return error_set(reterr, r, "layer %s", u->name);
        if (depth > STORE_LAYER_DEPTH_MAX)
                return error_msg(reterr, ENAMETOOLONG, "layer %s: entry \"%s\": %s is deeper than %d directories",
                                 u->name, shown(u, 0, u->entry), what, STORE_LAYER_DEPTH_MAX);
        *ret = TAKE_PTR(clean);
        return 0;
}

static size_t parent_len(const char *path) {
        const char *slash = strrchr(path, '/');
        return slash ? (size_t) (slash - path) : 0;
}

static const char *last_name(const char *path) {
        const char *slash = strrchr(path, '/');
        return slash ? slash + 1 : path;
}

/* O_PATH fd of the parent of path, resolved inside the destination (so a
 * symlink on the way leads back inside), and made if missing and mkdir. */
static int open_parent(Unpack *u, const char *path, bool mkdir, Error *reterr) {
        size_t plen = parent_len(path);
        _cleanup_free_ char *parent = strndup(path, plen);
        if (!parent)
                return error_set(reterr, ENOMEM, "layer %s", u->name);
        const char *p = plen > 0 ? parent : ".";
        int fd = path_open_in_root(u->root, p, O_PATH | O_DIRECTORY, 0);
        if (fd == -ENOENT && mkdir)
                fd = path_mkdir_in_root(u->root, p, 0755);
        if (fd == -ENOTDIR || fd == -EEXIST)
                return entry_msg(u, reterr, ENOTDIR, "a parent directory is not a directory");
        if (fd == -ENOENT && !mkdir)
                return -ENOENT;
        if (fd < 0)
                return entry_err(u, reterr, fd, "resolving its parent directory");
        return fd;
}

/* Clears the last component, unless it and the entry are both directories:
 * returns 1 if a directory was kept. */
static int make_room(Unpack *u, int pfd, const char *name, bool keep_dir, Error *reterr) {
        struct stat st;
        if (fstatat(pfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0) {
                if (errno == ENOENT)
                        return 0;
                return entry_err(u, reterr, errno, "inspecting what is there");
        }
        if (keep_dir && S_ISDIR(st.st_mode))
                return 1;
        int r = rm_rf_at(pfd, name);
        if (r < 0)
                return entry_err(u, reterr, r, "removing what is there");
        return 0;
}

/* ---- metadata -------------------------------------------------------------- */

static int entry_owner(Unpack *u, struct archive_entry *e, uid_t *uid, gid_t *gid, Error *reterr) {
        la_int64_t a = archive_entry_uid(e), b = archive_entry_gid(e);
        /* (uid_t) -1 would mean "leave unchanged" to chown. */
        if (a < 0 || a >= UINT32_MAX || b < 0 || b >= UINT32_MAX)
                return error_msg(reterr, EINVAL, "layer %s: entry \"%s\": owner %lld:%lld out of range", u->name,
                                 shown(u, 0, u->entry), (long long) a, (long long) b);
        *uid = (uid_t) a;
        *gid = (gid_t) b;
        return 0;
}

static void entry_times(struct archive_entry *e, struct timespec ts[2]) {
        long mns = archive_entry_mtime_nsec(e);
        ts[1] = archive_entry_mtime_is_set(e) ? (struct timespec){.tv_sec = archive_entry_mtime(e),
                                                                  .tv_nsec = mns >= 0 && mns < 1000000000 ? mns : 0}
                                              : (struct timespec){.tv_nsec = UTIME_OMIT};
        long ans = archive_entry_atime_nsec(e);
        ts[0] = archive_entry_atime_is_set(e) ? (struct timespec){.tv_sec = archive_entry_atime(e),
                                                                  .tv_nsec = ans >= 0 && ans < 1000000000 ? ans : 0}
                                              : ts[1];
}

/* Which xattrs from a layer are applied. trusted.* is overlayfs's own
 * metadata (trusted.overlay.redirect or .origin from a layer would point the
 * kernel at other paths) and security.selinux is the engine's labelling, not
 * the image's; the other security.* and system.* names are kernel policy. */
static bool xattr_wanted(const char *name) {
        return str_startswith(name, "user.") || strcmp(name, "security.capability") == 0 ||
               strcmp(name, "system.posix_acl_access") == 0 || strcmp(name, "system.posix_acl_default") == 0;
}

static int apply_xattrs(Unpack *u, int fd, struct archive_entry *e, Error *reterr) {
        int n = archive_entry_xattr_reset(e);
        if (n > STORE_LAYER_XATTRS_MAX)
                return error_msg(reterr, E2BIG, "layer %s: entry \"%s\": %d xattrs, more than %d", u->name,
                                 shown(u, 0, u->entry), n, STORE_LAYER_XATTRS_MAX);
        const char *name;
        const void *value;
        size_t size;
        while (archive_entry_xattr_next(e, &name, &value, &size) == ARCHIVE_OK) {
                if (!name || !*name)
                        continue;
                if (strlen(name) > XATTR_NAME_MAX_BYTES || size > STORE_LAYER_XATTR_VALUE_MAX)
                        return error_msg(reterr, E2BIG, "layer %s: entry \"%s\": xattr \"%s\" is too large", u->name,
                                         shown(u, 0, u->entry), shown(u, 1, name));
                if (!xattr_wanted(name)) {
                        log_debug("layer %s: entry \"%s\": skipping xattr %s", u->name, shown(u, 0, u->entry),
                                  shown(u, 1, name));
                        continue;
                }
                if (fsetxattr(fd, name, value, size, 0) < 0) {
                        if (errno == EOPNOTSUPP) {
                                log_debug("layer %s: entry \"%s\": filesystem does not take xattr %s", u->name,
                                          shown(u, 0, u->entry), shown(u, 1, name));
                                continue;
                        }
                        return error_set(reterr, errno, "layer %s: entry \"%s\": setting xattr \"%s\"", u->name,
                                         shown(u, 0, u->entry), shown(u, 1, name));
                }
        }
        return 0;
}

/* Owner before mode (chown clears set-id bits) before xattrs (chown clears
 * security.capability), on an fd of the new file or directory. */
static int apply_meta_fd(Unpack *u, int fd, struct archive_entry *e, bool times, Error *reterr) {
        uid_t uid;
        gid_t gid;
        int r = entry_owner(u, e, &uid, &gid, reterr);
        if (r < 0)
                return r;
        if (fchown(fd, uid, gid) < 0)
                return entry_err(u, reterr, errno, "setting its owner");
        if (fchmod(fd, archive_entry_perm(e) & 07777) < 0)
                return entry_err(u, reterr, errno, "setting its mode");
        r = apply_xattrs(u, fd, e, reterr);
        if (r < 0)
                return r;
        struct timespec ts[2];
        entry_times(e, ts);
        if (times && futimens(fd, ts) < 0)
                return entry_err(u, reterr, errno, "setting its times");
        return 0;
}

/* The same for symlinks, fifos and devices, which cannot be opened for
 * writing: by name in their parent, never following the last component.
 * Their xattrs are left out (the kernel takes user.* on files and
 * directories only, and capabilities mean nothing there). */
static int apply_meta_at(Unpack *u, int pfd, const char *name, struct archive_entry *e, bool symlink, Error *reterr) {
        uid_t uid;
        gid_t gid;
        int r = entry_owner(u, e, &uid, &gid, reterr);
        if (r < 0)
                return r;
        if (fchownat(pfd, name, uid, gid, AT_SYMLINK_NOFOLLOW) < 0)
                return entry_err(u, reterr, errno, "setting its owner");
        if (!symlink && fchmodat(pfd, name, archive_entry_perm(e) & 07777, AT_SYMLINK_NOFOLLOW) < 0)
                return entry_err(u, reterr, errno, "setting its mode");
        struct timespec ts[2];
        entry_times(e, ts);
        if (utimensat(pfd, name, ts, AT_SYMLINK_NOFOLLOW) < 0)
                return entry_err(u, reterr, errno, "setting its times");
        if (archive_entry_xattr_count(e) > 0)
                log_debug("layer %s: entry \"%s\": skipping xattrs of a special file", u->name, shown(u, 0, u->entry));
        return 0;
}

/* Directory times are set last: making entries inside changes them. */
static int record_dir(Unpack *u, const char *path, struct archive_entry *e, Error *reterr) {
        if (u->n_dirs == u->cap_dirs) {
                size_t cap = u->cap_dirs ? u->cap_dirs * 2 : 64;
                DirTimes *d = reallocarray(u->dirs, cap, sizeof *d);
                if (!d)
                        return error_set(reterr, ENOMEM, "layer %s", u->name);
                u->dirs = d;
                u->cap_dirs = cap;
        }
        int r = bookkeep(u, strlen(path) + 1 + sizeof(DirTimes), reterr);
        if (r < 0)
                return r;
        DirTimes *d = &u->dirs[u->n_dirs];
        d->path = strdup(path);
        if (!d->path)
                return error_set(reterr, ENOMEM, "layer %s", u->name);
        entry_times(e, d->ts);
        u->n_dirs++;
        return 0;
}

static int apply_dir_times(Unpack *u, Error *reterr) {
        for (size_t i = 0; i < u->n_dirs; i++) {
                const char *p = u->dirs[i].path[0] ? u->dirs[i].path : ".";
                _cleanup_close_ int fd = path_open_in_root(u->root, p, O_RDONLY | O_DIRECTORY | O_NOFOLLOW, 0);
                if (fd < 0) /* a later entry replaced it */
                        continue;
                if (futimens(fd, u->dirs[i].ts) < 0)
                        return error_set(reterr, errno, "layer %s: directory \"%s\": setting its times", u->name,
                                         shown(u, 0, u->dirs[i].path));
        }
        return 0;
}

/* ---- entries --------------------------------------------------------------- */

static int pwrite_all(int fd, const void *buf, size_t len, off_t off) {
        const char *p = buf;
        while (len > 0) {
                ssize_t n = pwrite(fd, p, len, off);
                if (n < 0 && errno == EINTR)
                        continue;
                if (n < 0)
                        return -errno;
                p += n;
                off += n;
                len -= (size_t) n;
        }
        return 0;
}

static int unpack_file(Unpack *u, struct archive_entry *e, int pfd, const char *name, int64_t size, Error *reterr) {
        int r = make_room(u, pfd, name, false, reterr);
        if (r < 0)
                return r;
        _cleanup_close_ int fd = openat(pfd, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
        if (fd < 0)
                return entry_err(u, reterr, errno, "creating it");
        for (;;) {
                const void *buf;
                size_t n;
                la_int64_t off;
                r = archive_read_data_block(u->tar, &buf, &n, &off);
                if (r == ARCHIVE_EOF)
                        break;
                if (r < ARCHIVE_WARN)
                        return archive_fail(u, u->tar, reterr, "reading its data");
                if (off < 0 || off > size || (uint64_t) n > (uint64_t) (size - off))
                        return entry_msg(u, reterr, EINVAL, "data beyond the entry's size");
                r = pwrite_all(fd, buf, n, (off_t) off);
                if (r < 0)
                        return entry_err(u, reterr, r, "writing it");
        }
        /* A sparse file may end in a hole. */
        if (ftruncate(fd, (off_t) size) < 0)
                return entry_err(u, reterr, errno, "setting its size");
        return apply_meta_fd(u, fd, e, true, reterr);
}

static int unpack_dir(Unpack *u, struct archive_entry *e, const char *path, int pfd, const char *name, Error *reterr) {
        int r = make_room(u, pfd, name, true, reterr);
        if (r < 0)
                return r;
        if (r == 0 && mkdirat(pfd, name, 0700) < 0)
                return entry_err(u, reterr, errno, "creating it");
        _cleanup_close_ int fd = openat(pfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (fd < 0)
                return entry_err(u, reterr, errno, "opening it");
        r = apply_meta_fd(u, fd, e, false, reterr);
        if (r < 0)
                return r;
        return record_dir(u, path, e, reterr);
}

static int unpack_symlink(Unpack *u, struct archive_entry *e, int pfd, const char *name, Error *reterr) {
        const char *target = entry_str(archive_entry_symlink(e), archive_entry_symlink_utf8(e));
        if (!target || !*target)
                return entry_msg(u, reterr, EINVAL, "symbolic link without a target");
        if (strlen(target) >= STORE_LAYER_PATH_MAX)
                return entry_msg(u, reterr, ENAMETOOLONG, "symbolic link target too long");
        int r = make_room(u, pfd, name, false, reterr);
        if (r < 0)
                return r;
        /* The target is only a string here: every later lookup of this
         * unpack resolves it inside the destination. */
        if (symlinkat(target, pfd, name) < 0)
                return entry_err(u, reterr, errno, "creating it");
        return apply_meta_at(u, pfd, name, e, true, reterr);
}

static int unpack_hardlink(Unpack *u, const char *path, int pfd, const char *name, const char *raw_target,
                           Error *reterr) {
        _cleanup_free_ char *target = NULL;
        int r = check_path(u, raw_target, "hard link target", &target, reterr);
        if (r < 0)
                return r;
        if (strcmp(target, path) == 0)
                return 0;
        if (!*target)
                return entry_msg(u, reterr, EPERM, "hard link to the layer's root directory");
        /* The target's parent is resolved inside the destination like any
         * path; its last component is linked itself, never followed. */
        _cleanup_close_ int tpfd = open_parent(u, target, false, reterr);
        const char *tname = last_name(target);
        struct stat tst, st;
        if (tpfd == -ENOENT || (tpfd >= 0 && fstatat(tpfd, tname, &tst, AT_SYMLINK_NOFOLLOW) < 0)) {
                if (path_set_contains(&u->skipped, target)) {
                        log_debug("layer %s: entry \"%s\": skipping hard link to a device node", u->name,
                                  shown(u, 0, u->entry));
                        return 0;
                }
                return error_msg(reterr, ENOENT, "layer %s: entry \"%s\": hard link target \"%s\" not found", u->name,
                                 shown(u, 0, u->entry), shown(u, 1, raw_target));
        }
        if (tpfd < 0)
                return tpfd;
        if (S_ISDIR(tst.st_mode))
                return error_msg(reterr, EPERM, "layer %s: entry \"%s\": hard link target \"%s\" is a directory",
                                 u->name, shown(u, 0, u->entry), shown(u, 1, raw_target));
        if (fstatat(pfd, name, &st, AT_SYMLINK_NOFOLLOW) == 0 && st.st_dev == tst.st_dev && st.st_ino == tst.st_ino)
                return 0;
        r = make_room(u, pfd, name, false, reterr);
        if (r < 0)
                return r;
        if (linkat(tpfd, tname, pfd, name, 0) < 0)
                return error_set(reterr, errno, "layer %s: entry \"%s\": linking to \"%s\"", u->name,
                                 shown(u, 0, u->entry), shown(u, 1, raw_target));
        return 0;
}

static int unpack_node(Unpack *u, struct archive_entry *e, const char *path, int pfd, const char *name, mode_t type,
                       Error *reterr) {
        if (type != S_IFIFO) {
                if (u->o.devices == STORE_DEVICES_SKIP) {
                        log_debug("layer %s: entry \"%s\": skipping device node", u->name, shown(u, 0, u->entry));
                        /* Remembered, so that hard links to it go too. */
                        size_t added = 0;
                        if (path_set_add(&u->skipped, path, &added) < 0)
                                return error_set(reterr, ENOMEM, "layer %s", u->name);
                        return bookkeep(u, added, reterr);
                }
                if (u->o.devices == STORE_DEVICES_REFUSE)
                        return entry_msg(u, reterr, EPERM, "device nodes from layers are refused");
        }
        int r = make_room(u, pfd, name, false, reterr);
        if (r < 0)
                return r;
        dev_t dev = type == S_IFIFO ? 0 : makedev(archive_entry_rdevmajor(e), archive_entry_rdevminor(e));
        if (mknodat(pfd, name, type | 0600, dev) < 0)
                return entry_err(u, reterr, errno, "creating it");
        return apply_meta_at(u, pfd, name, e, false, reterr);
}

/* ".wh.<name>": hides <name> of the lower layers, but never an entry of this
 * layer, in whichever order the two come. */
static int unpack_whiteout(Unpack *u, const char *path, const char *hidden, Error *reterr) {
        if (!*hidden || strcmp(hidden, ".") == 0 || strcmp(hidden, "..") == 0)
                return entry_msg(u, reterr, EINVAL, "invalid whiteout");
        bool overlay = u->o.whiteouts == STORE_WHITEOUT_OVERLAY;
        _cleanup_close_ int pfd = open_parent(u, path, overlay, reterr);
        if (pfd == -ENOENT)
                return 0; /* vfs: nothing below to hide */
        if (pfd < 0)
                return pfd;
        if (overlay) {
                struct stat st;
                if (fstatat(pfd, hidden, &st, AT_SYMLINK_NOFOLLOW) == 0)
                        return 0;
                /* overlayfs's whiteout: a character device 0/0. */
                if (mknodat(pfd, hidden, S_IFCHR, makedev(0, 0)) < 0)
                        return entry_err(u, reterr, errno, "making the overlay whiteout");
                return 0;
        }
        size_t plen = parent_len(path);
        _cleanup_free_ char *target = plen > 0 ? strdup_printf("%.*s/%s", (int) plen, path, hidden) : strdup(hidden);
        if (!target)
                return error_set(reterr, ENOMEM, "layer %s", u->name);
        if (path_set_contains(&u->mine, target))
                return 0;
        int r = rm_rf_at(pfd, hidden);
        if (r < 0)
                return entry_err(u, reterr, r, "removing what it hides");
        return 0;
}

/* vfs opaque directory: removes what the lower layers put below dir, keeping
 * this layer's entries and the directories that lead to them. */
static int vfs_empty(Unpack *u, int dfd, const char *dir, Error *reterr) {
        int fd = openat(dfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (fd < 0)
                return entry_err(u, reterr, errno, "opening its directory");
        _cleanup_closedir_ DIR *d = fdopendir(fd);
        if (!d) {
                safe_close(fd);
                return entry_err(u, reterr, errno, "opening its directory");
        }
        struct dirent *de;
        while ((de = readdir(d))) {
                if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
                        continue;
                _cleanup_free_ char *child = *dir ? strdup_printf("%s/%s", dir, de->d_name) : strdup(de->d_name);
                if (!child)
                        return error_set(reterr, ENOMEM, "layer %s", u->name);
                int r;
                if (!path_set_contains(&u->mine, child))
                        r = rm_rf_at(dirfd(d), de->d_name);
                else {
                        /* Only directories of this layer are in the set, and
                         * their depth is bounded, so this recursion is too. */
                        _cleanup_close_ int cfd =
                                openat(dirfd(d), de->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
                        if (cfd < 0)
                                continue;
                        r = vfs_empty(u, cfd, child, reterr);
                        if (r < 0)
                                return r;
                }
                if (r < 0)
                        return error_set(reterr, r, "layer %s: entry \"%s\": removing \"%s\"", u->name,
                                         shown(u, 0, u->entry), shown(u, 1, child));
        }
        return 0;
}

/* ".wh..wh..opq": its directory hides everything of the lower layers. */
static int unpack_opaque(Unpack *u, const char *path, Error *reterr) {
        _cleanup_close_ int pfd = open_parent(u, path, true, reterr);
        if (pfd < 0)
                return pfd;
        if (u->o.whiteouts == STORE_WHITEOUT_VFS) {
                _cleanup_free_ char *dir = strndup(path, parent_len(path));
                return dir ? vfs_empty(u, pfd, dir, reterr) : error_set(reterr, ENOMEM, "layer %s", u->name);
        }
        _cleanup_close_ int fd = openat(pfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (fd < 0)
                return entry_err(u, reterr, errno, "opening its directory");
        if (fsetxattr(fd, OVERLAY_OPAQUE_XATTR, "y", 1, 0) < 0)
                return entry_err(u, reterr, errno,
                                 "setting " OVERLAY_OPAQUE_XATTR " (overlay whiteouts need root and trusted xattrs)");
        return 0;
}

static int unpack_entry(Unpack *u, struct archive_entry *e, Error *reterr) {
        const char *raw = entry_str(archive_entry_pathname(e), archive_entry_pathname_utf8(e));
        u->entry = raw ? raw : "";
        _cleanup_free_ char *path = NULL;
        int r = check_path(u, raw, "path", &path, reterr);
        if (r < 0)
                return r;

        int64_t size = archive_entry_size_is_set(e) ? archive_entry_size(e) : 0;
        if (size < 0 || (uint64_t) size > u->o.max_size - u->declared_bytes)
                return error_msg(reterr, EFBIG,
                                 "layer %s: entry \"%s\": size %lld exceeds the layer's limit of %" PRIu64 " bytes",
                                 u->name, shown(u, 0, u->entry), (long long) size, u->o.max_size);
        u->declared_bytes += (uint64_t) size;

        const char *hardlink = entry_str(archive_entry_hardlink(e), archive_entry_hardlink_utf8(e));
        mode_t type = archive_entry_filetype(e);
        if (!*path) {
                if (hardlink || type != AE_IFDIR)
                        return entry_msg(u, reterr, EINVAL, "would replace the layer's root directory");
                r = apply_meta_fd(u, u->root, e, false, reterr);
                return r < 0 ? r : record_dir(u, "", e, reterr);
        }

        const char *name = last_name(path);
        if (str_startswith(name, WHITEOUT_PREFIX) || str_startswith(path, WHITEOUT_META_PREFIX)) {
                if (strcmp(name, WHITEOUT_OPAQUE) == 0)
                        return unpack_opaque(u, path, reterr);
                if (str_startswith(name, WHITEOUT_META_PREFIX) || str_startswith(path, WHITEOUT_META_PREFIX)) {
                        /* aufs's own metadata (.wh..wh.plnk/ and the like). */
                        log_debug("layer %s: skipping \"%s\"", u->name, shown(u, 0, u->entry));
                        return 0;
                }
                return unpack_whiteout(u, path, name + strlen(WHITEOUT_PREFIX), reterr);
        }

        _cleanup_close_ int pfd = open_parent(u, path, true, reterr);
        if (pfd < 0)
                return pfd;
        if (hardlink)
                r = unpack_hardlink(u, path, pfd, name, hardlink, reterr);
        else
                switch (type) {
                case AE_IFREG:
                        r = unpack_file(u, e, pfd, name, size, reterr);
                        break;
                case AE_IFDIR:
                        r = unpack_dir(u, e, path, pfd, name, reterr);
                        break;
                case AE_IFLNK:
                        r = unpack_symlink(u, e, pfd, name, reterr);
                        break;
                case AE_IFCHR:
                case AE_IFBLK:
                case AE_IFIFO:
                        r = unpack_node(u, e, path, pfd, name, type, reterr);
                        break;
                default:
                        log_debug("layer %s: entry \"%s\": skipping file type 0%o", u->name, shown(u, 0, u->entry),
                                  (unsigned) type);
                        return 0;
                }
        if (r < 0 || u->o.whiteouts != STORE_WHITEOUT_VFS)
                return r;
        size_t added = 0;
        if (path_set_add(&u->mine, path, &added) < 0)
                return error_set(reterr, ENOMEM, "layer %s", u->name);
        return bookkeep(u, added, reterr);
}

/* ---- the whole layer ------------------------------------------------------- */

static void unpack_done(Unpack *u) {
        if (u->tar)
                archive_read_free(u->tar);
        if (u->raw)
                archive_read_free(u->raw);
        EVP_MD_CTX_free(u->blob_ctx);
        EVP_MD_CTX_free(u->diff_ctx);
        free(u->inbuf);
        free(u->cb_msg);
        for (size_t i = 0; i < u->n_dirs; i++)
                free(u->dirs[i].path);
        free(u->dirs);
        path_set_clear(&u->mine);
        path_set_clear(&u->skipped);
        safe_close(u->root);
}

static int dir_is_empty(int fd) {
        int dfd = openat(fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (dfd < 0)
                return -errno;
        _cleanup_closedir_ DIR *d = fdopendir(dfd);
        if (!d) {
                safe_close(dfd);
                return -errno;
        }
        struct dirent *de;
        while ((de = readdir(d)))
                if (strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0)
                        return 0;
        return 1;
}

/* A refused layer leaves nothing behind. */
static void dest_clear(int fd) {
        int dfd = openat(fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (dfd < 0)
                return;
        _cleanup_closedir_ DIR *d = fdopendir(dfd);
        if (!d) {
                safe_close(dfd);
                return;
        }
        struct dirent *de;
        while ((de = readdir(d)))
                if (strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0)
                        (void) rm_rf_at(dirfd(d), de->d_name);
}

static int digest_final(EVP_MD_CTX *ctx, char **ret) {
        Sha256 d;
        unsigned int n = 0;
        if (EVP_DigestFinal_ex(ctx, d.bytes, &n) != 1 || n != sizeof d.bytes)
                return -EIO;
        *ret = store_digest_format(&d);
        return *ret ? 0 : -ENOMEM;
}

static int unpack_run(Unpack *u, Error *reterr) {
        int r = readers_open(u, reterr);
        if (r < 0)
                return r;
        for (;;) {
                struct archive_entry *e;
                u->entry = NULL;
                r = archive_read_next_header(u->tar, &e);
                if (r == ARCHIVE_EOF)
                        break;
                if (r < ARCHIVE_WARN)
                        return archive_fail(u, u->tar, reterr, "reading the tar");
                if (r == ARCHIVE_WARN)
                        log_debug("layer %s: %s", u->name, archive_error_string(u->tar));
                if (++u->entries > u->o.max_entries)
                        return error_msg(reterr, E2BIG, "layer %s: more than %" PRIu64 " entries", u->name,
                                         u->o.max_entries);
                r = unpack_entry(u, e, reterr);
                if (r < 0)
                        return r;
        }
        u->entry = NULL;
        r = readers_drain(u, reterr);
        if (r < 0)
                return r;
        r = apply_dir_times(u, reterr);
        if (r < 0)
                return r;
        /* The caller records the layer as complete next; its files must be on
         * disk before that record is. */
        if (!u->o.no_sync && syncfs(u->root) < 0)
                return error_set(reterr, errno, "layer %s: syncfs", u->name);
        return 0;
}

int store_layer_unpack_fd(int fd, const char *name, const StoreUnpackOptions *opts, int dest_fd, char **ret_diff_id,
                          char **ret_blob_digest, Error *reterr) {
        _cleanup_(unpack_done) Unpack u = {.in_fd = fd, .root = -1, .name = name ? name : "(stream)"};
        if (opts)
                u.o = *opts;
        if (u.o.compression < 0 || u.o.compression >= _STORE_COMPRESSION_MAX || u.o.whiteouts < 0 ||
            u.o.whiteouts >= _STORE_WHITEOUT_MAX || u.o.devices < 0 || u.o.devices >= _STORE_DEVICES_MAX)
                return error_msg(reterr, EINVAL, "layer %s: invalid unpack options", u.name);
        if (u.o.max_entries == 0)
                u.o.max_entries = STORE_LAYER_ENTRIES_MAX;
        if (u.o.max_size == 0)
                u.o.max_size = STORE_LAYER_SIZE_MAX;

        u.root = openat(dest_fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (u.root < 0)
                return error_set(reterr, errno, "layer %s: opening the destination", u.name);
        if (u.o.whiteouts == STORE_WHITEOUT_OVERLAY) {
                /* Overlay whiteouts and the cleanup on failure both assume
                 * that everything in the directory came from this layer. */
                int r = dir_is_empty(u.root);
                if (r < 0)
                        return error_set(reterr, r, "layer %s: reading the destination", u.name);
                if (r == 0)
                        return error_msg(reterr, ENOTEMPTY, "layer %s: destination is not empty", u.name);
        }
        u.blob_ctx = EVP_MD_CTX_new();
        u.diff_ctx = EVP_MD_CTX_new();
        u.inbuf = malloc(READ_BUFFER_SIZE);
        if (!u.blob_ctx || !u.diff_ctx || !u.inbuf || EVP_DigestInit_ex(u.blob_ctx, EVP_sha256(), NULL) != 1 ||
            EVP_DigestInit_ex(u.diff_ctx, EVP_sha256(), NULL) != 1)
                return error_set(reterr, ENOMEM, "layer %s", u.name);
        if (getrandom(&u.mine.seed, sizeof u.mine.seed, 0) != sizeof u.mine.seed)
                u.mine.seed = (uint64_t) (uintptr_t) &u ^ (uint64_t) getpid();
        u.skipped.seed = u.mine.seed;

        int r = unpack_run(&u, reterr);
        _cleanup_free_ char *diff_id = NULL, *blob_digest = NULL;
        if (r >= 0 && (digest_final(u.diff_ctx, &diff_id) < 0 || digest_final(u.blob_ctx, &blob_digest) < 0))
                r = error_set(reterr, ENOMEM, "layer %s: sha256", u.name);
        if (r < 0) {
                dest_clear(u.root);
                return r;
        }
        if (ret_diff_id)
                *ret_diff_id = TAKE_PTR(diff_id);
        if (ret_blob_digest)
                *ret_blob_digest = TAKE_PTR(blob_digest);
        return 0;
}

int store_layer_unpack(Store *s, const char *blob_digest, const StoreUnpackOptions *opts, int dest_fd,
                       char **ret_diff_id, Error *reterr) {
        _cleanup_close_ int fd = -1;
        int r = store_blob_open(s, blob_digest, &fd, reterr);
        if (r < 0)
                return error_wrap(reterr, "layer %s", blob_digest);
        _cleanup_free_ char *diff_id = NULL, *got = NULL;
        r = store_layer_unpack_fd(fd, blob_digest, opts, dest_fd, &diff_id, &got, reterr);
        if (r < 0)
                return r;
        if (strcmp(got, blob_digest) != 0) {
                _cleanup_close_ int root = openat(dest_fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
                if (root >= 0)
                        dest_clear(root);
                return error_msg(reterr, EUCLEAN, "layer %s: digest mismatch: got %s (the blob is corrupt on disk)",
                                 blob_digest, got);
        }
        if (ret_diff_id)
                *ret_diff_id = TAKE_PTR(diff_id);
        return 0;
}
