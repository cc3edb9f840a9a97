/* store: the engine's image store under --root (/var/lib/berth). This part
 * owns the content store of blobs by digest (blobs/sha256/<hex>) and the
 * unpacking of layer tarballs into directories, whiteouts included.
 *
 * A blob is visible only after its size and digest are verified: it is
 * streamed into blobs/tmp, hashed on the way, fsynced, and only then linked
 * into place. Layer entries are resolved inside the destination directory
 * (openat2 RESOLVE_IN_ROOT), so no entry can write outside it. */
#pragma once

#include "common.h"

/* Digests are "sha256:<64 lowercase hex>" (the only algorithm images use in
 * practice; others are refused with -EOPNOTSUPP). */
#define STORE_DIGEST_STRLEN (7 + 64)

/* Largest blob the store accepts at all, and the largest it reads into
 * memory (manifests, indexes, image configs). */
#define STORE_BLOB_SIZE_MAX   (UINT64_C(64) << 30)
#define STORE_BLOB_MEMORY_MAX ((size_t) 4 << 20)

typedef struct Store Store;

/* Opens (and creates) the store under root. When no other Store has the same
 * root open, ingests that a crash interrupted are removed from blobs/tmp. */
int store_open(const char *root, Store **ret, Error *reterr);
Store *store_free(Store *s);
static inline void store_freep(Store **s) {
        store_free(*s);
}
#define _cleanup_store_ _cleanup_(store_freep)

/* -EINVAL for a malformed digest, -EOPNOTSUPP for another algorithm. */
int store_digest_parse(const char *digest, Sha256 *ret);
/* "sha256:<hex>", malloc'd. */
char *store_digest_format(const Sha256 *d);

/* Streams fd to its end into the store. expected_digest (or NULL) and
 * expected_size (or -1) are checked before the blob becomes visible; on any
 * failure nothing is left behind. ret_digest (may be NULL) gets the digest. */
int store_blob_ingest_fd(Store *s, int fd, const char *expected_digest, int64_t expected_size, char **ret_digest,
                         Error *reterr);
int store_blob_ingest_buf(Store *s, const void *buf, size_t len, const char *expected_digest, char **ret_digest,
                          Error *reterr);
/* Read-only, close-on-exec fd of the blob; -ENOENT if absent. */
int store_blob_open(Store *s, const char *digest, int *ret_fd, Error *reterr);
/* 1 if present, 0 if not, -errno on error. */
int store_blob_exists(Store *s, const char *digest);
int store_blob_size(Store *s, const char *digest, uint64_t *ret_size);
/* -ENOENT if absent. */
int store_blob_delete(Store *s, const char *digest);
/* Reads a small blob (at most max bytes, and never more than
 * STORE_BLOB_MEMORY_MAX) into a NUL-terminated buffer and verifies its digest
 * again, since what is parsed from memory is trusted afterwards. */
int store_blob_read(Store *s, const char *digest, size_t max, char **ret, size_t *ret_len, Error *reterr);

/* ---- layers --------------------------------------------------------------- */

typedef enum StoreCompression {
        STORE_COMPRESSION_AUTO, /* detect gzip, zstd, xz or none */
        STORE_COMPRESSION_NONE,
        STORE_COMPRESSION_GZIP,
        STORE_COMPRESSION_ZSTD,
        STORE_COMPRESSION_XZ,
        _STORE_COMPRESSION_MAX,
        _STORE_COMPRESSION_INVALID = -EINVAL,
} StoreCompression;

const char *store_compression_to_string(StoreCompression c);
StoreCompression store_compression_from_string(const char *s);

typedef enum StoreWhiteoutMode {
        /* The directory becomes an overlayfs upper/lower layer on its own:
         * ".wh.<name>" becomes a 0/0 character device <name>, ".wh..wh..opq"
         * the xattr trusted.overlay.opaque=y on its directory. */
        STORE_WHITEOUT_OVERLAY,
        /* The directory already holds a full copy of the lower layers: a
         * whiteout deletes what it names there, an opaque marker empties its
         * directory of everything the lower layers put in it. */
        STORE_WHITEOUT_VFS,
        _STORE_WHITEOUT_MAX,
        _STORE_WHITEOUT_INVALID = -EINVAL,
} StoreWhiteoutMode;

const char *store_whiteout_mode_to_string(StoreWhiteoutMode m);
StoreWhiteoutMode store_whiteout_mode_from_string(const char *s);

typedef enum StoreDevicePolicy {
        /* Device nodes in a layer are left out (debug note): images built
         * with debootstrap carry /dev nodes that no container needs, since
         * the runtime makes /dev, and failing the pull over them would break
         * real images. */
        STORE_DEVICES_SKIP,
        STORE_DEVICES_REFUSE, /* the layer is refused */
        STORE_DEVICES_ALLOW,  /* created as in the tar */
        _STORE_DEVICES_MAX,
        _STORE_DEVICES_INVALID = -EINVAL,
} StoreDevicePolicy;

const char *store_device_policy_to_string(StoreDevicePolicy p);
StoreDevicePolicy store_device_policy_from_string(const char *s);

#define STORE_LAYER_ENTRIES_MAX     UINT64_C(1000000)
#define STORE_LAYER_SIZE_MAX        (UINT64_C(256) << 30) /* uncompressed tar bytes */
#define STORE_LAYER_PATH_MAX        4096                  /* bytes, as the kernel's PATH_MAX */
#define STORE_LAYER_DEPTH_MAX       256                   /* path components */
#define STORE_LAYER_XATTR_VALUE_MAX 65536                 /* the kernel's XATTR_SIZE_MAX */
#define STORE_LAYER_XATTRS_MAX      1024                  /* per entry */

/* Zero-initialised means: detect compression, overlay whiteouts, skip
 * devices, default limits, syncfs at the end. */
typedef struct StoreUnpackOptions {
        StoreCompression compression;
        StoreWhiteoutMode whiteouts;
        StoreDevicePolicy devices;
        uint64_t max_entries; /* 0: STORE_LAYER_ENTRIES_MAX */
        uint64_t max_size;    /* 0: STORE_LAYER_SIZE_MAX */
        bool no_sync;         /* skip the final syncfs (tests, fuzzing) */
} StoreUnpackOptions;

/* Unpacks the layer blob into dest_fd (a directory; empty in overlay mode)
 * and returns its diff_id, the sha256 of the uncompressed tar, as
 * "sha256:<hex>". The blob's own digest is verified again on the way, since
 * the blob may have rotted on disk since its ingest. On failure the contents
 * of dest_fd are removed and the error names the entry at fault. The caller
 * marks the layer complete only after this returns, so that a crash leaves a
 * directory the store can recognise as half unpacked and remove. */
int store_layer_unpack(Store *s, const char *blob_digest, const StoreUnpackOptions *opts, int dest_fd,
                       char **ret_diff_id, Error *reterr);
/* The same from any fd (a pipe while downloading, a docker-archive member):
 * name labels the layer in messages; ret_blob_digest (may be NULL) gets the
 * digest of the bytes read from fd, ret_diff_id that of the tar. */
int store_layer_unpack_fd(int fd, const char *name, const StoreUnpackOptions *opts, int dest_fd, char **ret_diff_id,
                          char **ret_blob_digest, Error *reterr);
