/* image: the OCI image spec's documents — media types, descriptors and
 * platforms, the image index (and Docker's manifest list), the manifest (OCI
 * and Docker schema2), and the image config — read through dispatch tables,
 * validated, and built back into canonical JSON: struct fields in the spec's
 * order and map keys sorted, as Go's encoding/json writes them, so that what
 * berth writes hashes the same every time. Members the specs do not define
 * are ignored, as they ask. */
#include <inttypes.h>
#include <sys/utsname.h>

#include "oci.h"

/* Go's encoding/json, which wrote nearly every manifest and config there is,
 * reads null as "not set"; so every field here does too. */
#define NULLABLE JSON_FIELD_NULLABLE
#define REQUIRED (JSON_FIELD_REQUIRED | JSON_FIELD_NULLABLE)

#define FIELD(n, type, T, m, fl) \
        { n, type, offsetof(T, m), fl }
#define CUSTOM(n, T, m, fl, p, f) \
        { n, JSON_FIELD_CUSTOM, offsetof(T, m), fl, .parse = p, .free = f }
#define OBJ(n, T, m, sub_, fl) \
        { n, JSON_FIELD_OBJECT, offsetof(T, m), fl, .sub = sub_ }
#define OBJ_PTR(n, T, m, sub_, fl) \
        { n, JSON_FIELD_OBJECT_PTR, offsetof(T, m), fl, .sub = sub_, .size = sizeof(*((T *) 0)->m) }
#define OBJ_ARRAY(n, T, m, sub_, fl) \
        { n, JSON_FIELD_OBJECT_ARRAY, offsetof(T, m), fl, .sub = sub_, .size = sizeof(*((T *) 0)->m.items) }

#define SUB(path) (path), *(path) ? "." : ""

/* ---- media types ------------------------------------------------------------------- */

typedef enum MediaKind {
        KIND_OTHER,
        KIND_INDEX,
        KIND_MANIFEST,
        KIND_CONFIG,
        KIND_LAYER,
} MediaKind;

static const struct {
        const char *name;
        MediaKind kind;
        OciCompression compression;
} media_types[_OCI_MEDIA_TYPE_MAX] = {
        [OCI_MEDIA_TYPE_INDEX] = {"application/vnd.oci.image.index.v1+json", KIND_INDEX},
        [OCI_MEDIA_TYPE_MANIFEST] = {"application/vnd.oci.image.manifest.v1+json", KIND_MANIFEST},
        [OCI_MEDIA_TYPE_CONFIG] = {"application/vnd.oci.image.config.v1+json", KIND_CONFIG},
        [OCI_MEDIA_TYPE_LAYER_TAR] = {"application/vnd.oci.image.layer.v1.tar", KIND_LAYER, OCI_COMPRESSION_NONE},
        [OCI_MEDIA_TYPE_LAYER_TAR_GZIP] = {"application/vnd.oci.image.layer.v1.tar+gzip", KIND_LAYER,
                                           OCI_COMPRESSION_GZIP},
        [OCI_MEDIA_TYPE_LAYER_TAR_ZSTD] = {"application/vnd.oci.image.layer.v1.tar+zstd", KIND_LAYER,
                                           OCI_COMPRESSION_ZSTD},
        [OCI_MEDIA_TYPE_LAYER_NONDIST_TAR] = {"application/vnd.oci.image.layer.nondistributable.v1.tar", KIND_LAYER,
                                              OCI_COMPRESSION_NONE},
        [OCI_MEDIA_TYPE_LAYER_NONDIST_TAR_GZIP] = {"application/vnd.oci.image.layer.nondistributable.v1.tar+gzip",
                                                   KIND_LAYER, OCI_COMPRESSION_GZIP},
        [OCI_MEDIA_TYPE_LAYER_NONDIST_TAR_ZSTD] = {"application/vnd.oci.image.layer.nondistributable.v1.tar+zstd",
                                                   KIND_LAYER, OCI_COMPRESSION_ZSTD},
        [OCI_MEDIA_TYPE_EMPTY] = {"application/vnd.oci.empty.v1+json", KIND_OTHER},
        [OCI_MEDIA_TYPE_DOCKER_MANIFEST_LIST] = {"application/vnd.docker.distribution.manifest.list.v2+json",
                                                 KIND_INDEX},
        [OCI_MEDIA_TYPE_DOCKER_MANIFEST] = {"application/vnd.docker.distribution.manifest.v2+json", KIND_MANIFEST},
        [OCI_MEDIA_TYPE_DOCKER_CONFIG] = {"application/vnd.docker.container.image.v1+json", KIND_CONFIG},
        [OCI_MEDIA_TYPE_DOCKER_LAYER_TAR_GZIP] = {"application/vnd.docker.image.rootfs.diff.tar.gzip", KIND_LAYER,
                                                  OCI_COMPRESSION_GZIP},
        [OCI_MEDIA_TYPE_DOCKER_LAYER_FOREIGN_TAR_GZIP] = {"application/vnd.docker.image.rootfs.foreign.diff.tar.gzip",
                                                          KIND_LAYER, OCI_COMPRESSION_GZIP},
        /* Known so that errors can name them; berth does not read schema 1. */
        [OCI_MEDIA_TYPE_DOCKER_MANIFEST_SCHEMA1] = {"application/vnd.docker.distribution.manifest.v1+json", KIND_OTHER},
        [OCI_MEDIA_TYPE_DOCKER_MANIFEST_SCHEMA1_SIGNED] = {"application/vnd.docker.distribution.manifest.v1+prettyjws",
                                                           KIND_OTHER},
};

const char *oci_media_type_to_string(OciMediaType t) {
        return t >= 0 && t < _OCI_MEDIA_TYPE_MAX ? media_types[t].name : NULL;
}

OciMediaType oci_media_type_from_string(const char *s) {
        for (size_t i = 0; s && i < ELEMENTSOF(media_types); i++)
                if (strcmp(media_types[i].name, s) == 0)
                        return (OciMediaType) i;
        return _OCI_MEDIA_TYPE_INVALID;
}

static MediaKind media_kind(OciMediaType t) {
        return t >= 0 && t < _OCI_MEDIA_TYPE_MAX ? media_types[t].kind : KIND_OTHER;
}

bool oci_media_type_is_index(OciMediaType t) {
        return media_kind(t) == KIND_INDEX;
}

bool oci_media_type_is_manifest(OciMediaType t) {
        return media_kind(t) == KIND_MANIFEST;
}

bool oci_media_type_is_config(OciMediaType t) {
        return media_kind(t) == KIND_CONFIG;
}

bool oci_media_type_is_layer(OciMediaType t) {
        return media_kind(t) == KIND_LAYER;
}

OciCompression oci_media_type_layer_compression(OciMediaType t) {
        return oci_media_type_is_layer(t) ? media_types[t].compression : _OCI_COMPRESSION_INVALID;
}

static const char *const compression_table[_OCI_COMPRESSION_MAX] = {
        [OCI_COMPRESSION_NONE] = "none",
        [OCI_COMPRESSION_GZIP] = "gzip",
        [OCI_COMPRESSION_ZSTD] = "zstd",
};

const char *oci_compression_to_string(OciCompression c) {
        return c >= 0 && c < _OCI_COMPRESSION_MAX ? compression_table[c] : NULL;
}

OciCompression oci_compression_from_string(const char *s) {
        for (size_t i = 0; s && i < ELEMENTSOF(compression_table); i++)
                if (strcmp(compression_table[i], s) == 0)
                        return (OciCompression) i;
        return _OCI_COMPRESSION_INVALID;
}

/* RFC 6838 section 4.2's restricted-name, on both sides of the '/'. */
static bool restricted_name_is_valid(const char *s, size_t n) {
        if (n == 0 || n > 127)
                return false;
        for (size_t i = 0; i < n; i++) {
                char c = s[i];
                bool alnum = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
                if (!alnum && (i == 0 || !strchr("!#$&-^_.+", c)))
                        return false;
        }
        return true;
}

bool oci_media_type_string_is_valid(const char *s) {
        if (!s)
                return false;
        const char *slash = strchr(s, '/');
        return slash && restricted_name_is_valid(s, (size_t) (slash - s)) &&
               restricted_name_is_valid(slash + 1, strlen(slash + 1));
}

/* ---- platforms ------------------------------------------------------------------------ */

/* uname machines and the other spellings people use, to Go's GOARCH
 * (which is what image platforms carry) and the variant implied. */
static const struct {
        const char *machine;
        const char *arch;
        const char *variant;
} machines[] = {
        {"x86_64", "amd64", NULL},      {"x86-64", "amd64", NULL},
        {"amd64", "amd64", NULL},       {"aarch64", "arm64", "v8"},
        {"arm64", "arm64", "v8"},       {"armv8l", "arm", "v7"},
        {"armv7l", "arm", "v7"},        {"armv7", "arm", "v7"},
        {"armhf", "arm", "v7"},         {"arm", "arm", "v7"},
        {"armv6l", "arm", "v6"},        {"armel", "arm", "v6"},
        {"armv5tel", "arm", "v5"},      {"i386", "386", NULL},
        {"i486", "386", NULL},          {"i586", "386", NULL},
        {"i686", "386", NULL},          {"386", "386", NULL},
        {"ppc64le", "ppc64le", NULL},   {"ppc64", "ppc64", NULL},
        {"s390x", "s390x", NULL},       {"riscv64", "riscv64", NULL},
        {"mips64", "mips64", NULL},     {"mips64el", "mips64le", NULL},
        {"mips64le", "mips64le", NULL}, {"loongarch64", "loong64", NULL},
        {"loong64", "loong64", NULL},
};

int oci_platform_from_machine(const char *machine, const char **ret_arch, const char **ret_variant) {
        for (size_t i = 0; machine && i < ELEMENTSOF(machines); i++)
                if (strcmp(machines[i].machine, machine) == 0) {
                        if (ret_arch)
                                *ret_arch = machines[i].arch;
                        if (ret_variant)
                                *ret_variant = machines[i].variant;
                        return 0;
                }
        return -EOPNOTSUPP;
}

const char *oci_platform_normalize_arch(const char *arch) {
        const char *a = NULL;
        return oci_platform_from_machine(arch, &a, NULL) >= 0 ? a : arch;
}

int oci_platform_default(const char **ret_os, const char **ret_arch, const char **ret_variant) {
        struct utsname u;
        if (uname(&u) < 0)
                return -errno;
        int r = oci_platform_from_machine(u.machine, ret_arch, ret_variant);
        if (r < 0)
                return r;
        if (ret_os)
                *ret_os = "linux";
        return 0;
}

/* Architectures whose variants are levels, each running the ones below:
 * arm v7 runs v6 and v5, amd64 v3 runs v2 and v1. The floor is the lowest
 * level there is, the default what an absent variant means. */
static const struct {
        const char *arch;
        int floor;
        int def;
} leveled_archs[] = {
        {"arm", 5, 7},
        {"arm64", 8, 8},
        {"amd64", 1, 1},
};

/* "v7" -> 7, "v8.2" -> 8; NULL or "" -> def; -1 when it is no level. */
static int variant_level(const char *variant, int def) {
        if (!variant || !*variant)
                return def;
        if (variant[0] != 'v' || variant[1] < '1' || variant[1] > '9')
                return -1;
        int n = 0;
        const char *p = variant + 1;
        for (; *p >= '0' && *p <= '9' && n < 1000; p++)
                n = n * 10 + (*p - '0');
        if (*p && *p != '.')
                return -1;
        return n;
}

static bool str_eq_empty(const char *a, const char *b) {
        return strcmp(a ? a : "", b ? b : "") == 0;
}

/* How well a platform suits the wanted one: -1 it does not run, else higher
 * is better. */
static int platform_score(const OciPlatform *p, const char *os, const char *arch, const char *variant) {
        if (!p || !p->os || !p->architecture || strcmp(p->os, os) != 0)
                return -1;
        if (strcmp(oci_platform_normalize_arch(p->architecture), arch) != 0)
                return -1;
        for (size_t i = 0; i < ELEMENTSOF(leveled_archs); i++) {
                if (strcmp(leveled_archs[i].arch, arch) != 0)
                        continue;
                int want = variant_level(variant, leveled_archs[i].def);
                int have = variant_level(p->variant, leveled_archs[i].def);
                if (want < 0 || have < 0)
                        return str_eq_empty(variant, p->variant) ? 0 : -1;
                return have >= leveled_archs[i].floor && have <= want ? have : -1;
        }
        return str_eq_empty(variant, p->variant) ? 0 : -1;
}

int oci_index_select(const OciIndex *idx, const char *os, const char *arch, const char *variant,
                     const OciDescriptor **ret_desc, Error *reterr) {
        if (!idx || !os || !arch)
                return error_msg(reterr, EINVAL, "selecting a manifest: no platform given");
        const char *want_arch = oci_platform_normalize_arch(arch);
        const OciDescriptor *best = NULL;
        int best_score = -1;
        for (size_t i = 0; i < idx->manifests.n; i++) {
                const OciDescriptor *d = &idx->manifests.items[i];
                if (!oci_media_type_is_manifest(d->type))
                        continue;
                int s = platform_score(d->platform, os, want_arch, variant);
                if (s > best_score) {
                        best = d;
                        best_score = s;
                }
        }
        if (!best)
                return error_msg(reterr, ENOENT, "no matching manifest for %s/%s%s%s in the manifest list entries", os,
                                 want_arch, variant && *variant ? "/" : "", variant ? variant : "");
        *ret_desc = best;
        return 0;
}

/* ---- descriptors ------------------------------------------------------------------------ */

static int parse_digest(const JsonValue *v, void *dst, const char *path, Error *reterr) {
        if (!json_is_string(v))
                return error_msg(reterr, EINVAL, "%s: expected string, got %s", path, json_type_name(v));
        int r = oci_digest_parse(json_str(v), dst, reterr);
        return r < 0 ? error_wrap(reterr, "%s", path) : 0;
}

typedef ARRAY(OciDigest) DigestArray;

static int parse_digest_array(const JsonValue *v, void *dst, const char *path, Error *reterr) {
        DigestArray *a = dst;
        if (!json_is_array(v))
                return error_msg(reterr, EINVAL, "%s: expected array, got %s", path, json_type_name(v));
        size_t n = json_arr_len(v);
        if (n == 0)
                return 0;
        _cleanup_free_ OciDigest *items = calloc(n, sizeof *items);
        if (!items)
                return error_set(reterr, ENOMEM, "%s", path);
        for (size_t i = 0; i < n; i++) {
                _cleanup_free_ char *p = json_path_index(path, i);
                if (!p)
                        return error_set(reterr, ENOMEM, "%s", path);
                int r = parse_digest(json_arr_at(v, i), &items[i], p, reterr);
                if (r < 0)
                        return r;
        }
        a->items = TAKE_PTR(items);
        a->n = n;
        return 0;
}

static void free_digest_array(void *dst) {
        DigestArray *a = dst;
        free(a->items);
        *a = (DigestArray){};
}

static const JsonField platform_fields[] = {
        FIELD("architecture", JSON_FIELD_STRING, OciPlatform, architecture, REQUIRED),
        FIELD("os", JSON_FIELD_STRING, OciPlatform, os, REQUIRED),
        FIELD("os.version", JSON_FIELD_STRING, OciPlatform, os_version, NULLABLE),
        FIELD("os.features", JSON_FIELD_STRV, OciPlatform, os_features, NULLABLE),
        FIELD("variant", JSON_FIELD_STRING, OciPlatform, variant, NULLABLE),
        FIELD("features", JSON_FIELD_STRV, OciPlatform, features, NULLABLE),
        {},
};

static const JsonField descriptor_fields[] = {
        FIELD("mediaType", JSON_FIELD_STRING, OciDescriptor, media_type, REQUIRED),
        CUSTOM("digest", OciDescriptor, digest, REQUIRED, parse_digest, NULL),
        FIELD("size", JSON_FIELD_I64, OciDescriptor, size, REQUIRED),
        FIELD("urls", JSON_FIELD_STRV, OciDescriptor, urls, NULLABLE),
        FIELD("annotations", JSON_FIELD_STRMAP, OciDescriptor, annotations, NULLABLE),
        OBJ_PTR("platform", OciDescriptor, platform, platform_fields, NULLABLE),
        FIELD("artifactType", JSON_FIELD_STRING, OciDescriptor, artifact_type, NULLABLE),
        FIELD("data", JSON_FIELD_STRING, OciDescriptor, data, NULLABLE),
        {},
};

void oci_platform_clear(OciPlatform *p) {
        if (p)
                json_dispatch_free(platform_fields, p);
}

OciPlatform *oci_platform_free(OciPlatform *p) {
        oci_platform_clear(p);
        free(p);
        return NULL;
}

void oci_descriptor_clear(OciDescriptor *d) {
        if (!d)
                return;
        json_dispatch_free(descriptor_fields, d);
        *d = (OciDescriptor){};
}

static int strv_copy_checked(char *const *v, char ***ret) {
        if (!v) {
                *ret = NULL;
                return 0;
        }
        return (*ret = strv_copy(v)) ? 0 : -ENOMEM;
}

static int strdup_checked(const char *s, char **ret) {
        if (!s) {
                *ret = NULL;
                return 0;
        }
        return (*ret = strdup(s)) ? 0 : -ENOMEM;
}

static int strmap_copy(const StrMap *m, StrMap *ret) {
        for (size_t i = 0; i < m->n; i++) {
                int r = strmap_set(ret, m->keys[i], m->values[i]);
                if (r < 0)
                        return r;
        }
        return 0;
}

static int platform_copy(const OciPlatform *p, OciPlatform **ret) {
        *ret = NULL;
        if (!p)
                return 0;
        OciPlatform *c = calloc(1, sizeof *c);
        if (!c)
                return -ENOMEM;
        *ret = c;
        if (strdup_checked(p->architecture, &c->architecture) < 0 || strdup_checked(p->os, &c->os) < 0 ||
            strdup_checked(p->os_version, &c->os_version) < 0 ||
            strv_copy_checked(p->os_features, &c->os_features) < 0 || strdup_checked(p->variant, &c->variant) < 0 ||
            strv_copy_checked(p->features, &c->features) < 0)
                return -ENOMEM;
        return 0;
}

int oci_descriptor_copy(const OciDescriptor *d, OciDescriptor *ret) {
        /* type is looked up again: a descriptor built in code may have left
         * it zero, which is a valid media type. */
        OciDescriptor c = {.type = oci_media_type_from_string(d->media_type), .digest = d->digest, .size = d->size};
        int r = strdup_checked(d->media_type, &c.media_type);
        if (r >= 0)
                r = strv_copy_checked(d->urls, &c.urls);
        if (r >= 0)
                r = strmap_copy(&d->annotations, &c.annotations);
        if (r >= 0)
                r = platform_copy(d->platform, &c.platform);
        if (r >= 0)
                r = strdup_checked(d->artifact_type, &c.artifact_type);
        if (r >= 0)
                r = strdup_checked(d->data, &c.data);
        if (r < 0) {
                oci_descriptor_clear(&c);
                return r;
        }
        *ret = c;
        return 0;
}

/* What every descriptor must satisfy, whatever it points at. */
static int check_descriptor(OciDescriptor *d, const char *path, Error *reterr) {
        if (!oci_media_type_string_is_valid(d->media_type))
                return error_msg(reterr, EINVAL, "%s%smediaType: \"%.128s\" is not a media type (type/subtype)",
                                 SUB(path), d->media_type);
        d->type = oci_media_type_from_string(d->media_type);
        if (d->size < 0)
                return error_msg(reterr, EINVAL, "%s%ssize: must not be negative, got %" PRId64, SUB(path), d->size);
        /* Only foreign layers are fetched from urls, and only over HTTP(S):
         * file:// or the like from a manifest would read the host. */
        for (size_t i = 0; d->urls && d->urls[i]; i++)
                if (!str_startswith(d->urls[i], "http://") && !str_startswith(d->urls[i], "https://"))
                        return error_msg(reterr, EINVAL, "%s%surls[%zu]: \"%.128s\" is not an http or https URL",
                                         SUB(path), i, d->urls[i]);
        if (d->artifact_type && !oci_media_type_string_is_valid(d->artifact_type))
                return error_msg(reterr, EINVAL, "%s%sartifactType: \"%.128s\" is not a media type (type/subtype)",
                                 SUB(path), d->artifact_type);
        return 0;
}

/* ---- documents: parsing -------------------------------------------------------------------------- */

static int check_schema_version(uint32_t v, Error *reterr) {
        if (v == 1)
                return error_msg(reterr, EINVAL,
                                 "schemaVersion: Docker schema 1 manifests are not supported (expected 2)");
        if (v != 2)
                return error_msg(reterr, EINVAL, "schemaVersion: expected 2, got %" PRIu32, v);
        return 0;
}

/* versioned: the document has a schemaVersion, checked before the rest so
 * that a schema 1 manifest is called that rather than missing fields. */
static int parse_document(const char *buf, size_t len, size_t max, const char *what, bool versioned,
                          const JsonField *table, void *obj, JsonValue **ret_json, Error *reterr) {
        if (len > max)
                return error_msg(reterr, EFBIG, "%s is larger than the limit of %zu bytes", what, max);
        _cleanup_json_ JsonValue *v = NULL;
        int r = json_parse_buf(buf, len, NULL, &v, reterr);
        if (r < 0)
                return r;
        if (!json_is_object(v))
                return error_msg(reterr, EINVAL, "%s: expected an object, got %s", what, json_type_name(v));
        const JsonValue *version = json_obj_get(v, "schemaVersion");
        if (versioned && json_is_integer(version) && json_int(version) == 1)
                return check_schema_version(1, reterr);
        r = json_dispatch(v, table, obj, "", 0, reterr);
        if (r < 0)
                return r;
        if (ret_json)
                *ret_json = TAKE_PTR(v);
        return 0;
}

/* ---- index ------------------------------------------------------------------------------- */

static const JsonField index_fields[] = {
        FIELD("schemaVersion", JSON_FIELD_U32, OciIndex, schema_version, REQUIRED),
        FIELD("mediaType", JSON_FIELD_STRING, OciIndex, media_type, NULLABLE),
        FIELD("artifactType", JSON_FIELD_STRING, OciIndex, artifact_type, NULLABLE),
        OBJ_ARRAY("manifests", OciIndex, manifests, descriptor_fields, REQUIRED),
        OBJ_PTR("subject", OciIndex, subject, descriptor_fields, NULLABLE),
        FIELD("annotations", JSON_FIELD_STRMAP, OciIndex, annotations, NULLABLE),
        {},
};

static int check_index(OciIndex *idx, const JsonValue *v, Error *reterr) {
        int r = check_schema_version(idx->schema_version, reterr);
        if (r < 0)
                return r;
        if (idx->media_type) {
                OciMediaType t = oci_media_type_from_string(idx->media_type);
                if (!oci_media_type_is_index(t))
                        return error_msg(reterr, EINVAL, "mediaType: \"%.128s\" is not an image index or manifest list",
                                         idx->media_type);
        } else if (json_obj_get(v, "config") || json_obj_get(v, "layers"))
                return error_msg(reterr, EINVAL, "this is an image manifest, not an index");
        for (size_t i = 0; i < idx->manifests.n; i++) {
                char path[48];
                snprintf(path, sizeof path, "manifests[%zu]", i);
                if ((r = check_descriptor(&idx->manifests.items[i], path, reterr)) < 0)
                        return r;
        }
        if (idx->subject && (r = check_descriptor(idx->subject, "subject", reterr)) < 0)
                return r;
        return 0;
}

int oci_index_parse(const char *buf, size_t len, OciIndex **ret, Error *reterr) {
        _cleanup_free_ OciIndex *idx = calloc(1, sizeof *idx);
        if (!idx)
                return error_set(reterr, ENOMEM, "parsing index");
        _cleanup_json_ JsonValue *v = NULL;
        int r = parse_document(buf, len, OCI_MANIFEST_MAX_SIZE, "index", true, index_fields, idx, &v, reterr);
        if (r < 0)
                return r;
        if ((r = check_index(idx, v, reterr)) < 0) {
                json_dispatch_free(index_fields, idx);
                return r;
        }
        *ret = TAKE_PTR(idx);
        return 0;
}

OciIndex *oci_index_free(OciIndex *idx) {
        if (!idx)
                return NULL;
        json_dispatch_free(index_fields, idx);
        free(idx);
        return NULL;
}

OciIndex *oci_index_new(void) {
        OciIndex *idx = calloc(1, sizeof *idx);
        if (!idx)
                return NULL;
        idx->schema_version = 2;
        if (!(idx->media_type = strdup(oci_media_type_to_string(OCI_MEDIA_TYPE_INDEX))))
                return oci_index_free(idx);
        return idx;
}

int oci_index_add(OciIndex *idx, const OciDescriptor *desc, const char *ref_name) {
        OciDescriptor c;
        int r = oci_descriptor_copy(desc, &c);
        if (r < 0)
                return r;
        if (ref_name && (r = strmap_set(&c.annotations, OCI_ANNOTATION_REF_NAME, ref_name)) < 0) {
                oci_descriptor_clear(&c);
                return r;
        }
        OciDescriptor *items = realloc(idx->manifests.items, (idx->manifests.n + 1) * sizeof *items);
        if (!items) {
                oci_descriptor_clear(&c);
                return -ENOMEM;
        }
        items[idx->manifests.n++] = c;
        idx->manifests.items = items;
        return 0;
}

/* ---- manifest ---------------------------------------------------------------------------- */

static const JsonField manifest_fields[] = {
        FIELD("schemaVersion", JSON_FIELD_U32, OciManifest, schema_version, REQUIRED),
        FIELD("mediaType", JSON_FIELD_STRING, OciManifest, media_type, NULLABLE),
        FIELD("artifactType", JSON_FIELD_STRING, OciManifest, artifact_type, NULLABLE),
        OBJ("config", OciManifest, config, descriptor_fields, REQUIRED),
        OBJ_ARRAY("layers", OciManifest, layers, descriptor_fields, NULLABLE),
        OBJ_PTR("subject", OciManifest, subject, descriptor_fields, NULLABLE),
        FIELD("annotations", JSON_FIELD_STRMAP, OciManifest, annotations, NULLABLE),
        {},
};

static int check_manifest(OciManifest *m, Error *reterr) {
        int r = check_schema_version(m->schema_version, reterr);
        if (r < 0)
                return r;
        if (m->media_type) {
                OciMediaType t = oci_media_type_from_string(m->media_type);
                if (oci_media_type_is_index(t))
                        return error_msg(reterr, EINVAL, "mediaType: \"%s\" is an image index, not a manifest",
                                         m->media_type);
                if (!oci_media_type_is_manifest(t))
                        return error_msg(reterr, EINVAL, "mediaType: unsupported manifest media type \"%.128s\"",
                                         m->media_type);
        }

        if ((r = check_descriptor(&m->config, "config", reterr)) < 0)
                return r;
        if (!oci_media_type_is_config(m->config.type))
                return error_msg(reterr, EINVAL, "config.mediaType: unsupported config media type \"%.128s\"",
                                 m->config.media_type);
        if (m->config.size > (int64_t) JSON_MAX_SIZE)
                return error_msg(reterr, EFBIG, "config.size: %" PRId64 " is larger than the limit of %u bytes",
                                 m->config.size, JSON_MAX_SIZE);

        if (m->layers.n > OCI_IMAGE_MAX_LAYERS)
                return error_msg(reterr, EINVAL, "layers: %zu layers is more than the limit of %d", m->layers.n,
                                 OCI_IMAGE_MAX_LAYERS);
        for (size_t i = 0; i < m->layers.n; i++) {
                OciDescriptor *l = &m->layers.items[i];
                char path[32];
                snprintf(path, sizeof path, "layers[%zu]", i);
                if ((r = check_descriptor(l, path, reterr)) < 0)
                        return r;
                if (!oci_media_type_is_layer(l->type))
                        return error_msg(reterr, EINVAL, "%s.mediaType: unsupported layer media type \"%.128s\"", path,
                                         l->media_type);
        }
        if (m->subject && (r = check_descriptor(m->subject, "subject", reterr)) < 0)
                return r;
        return 0;
}

int oci_manifest_parse(const char *buf, size_t len, OciManifest **ret, Error *reterr) {
        _cleanup_free_ OciManifest *m = calloc(1, sizeof *m);
        if (!m)
                return error_set(reterr, ENOMEM, "parsing manifest");
        int r = parse_document(buf, len, OCI_MANIFEST_MAX_SIZE, "manifest", true, manifest_fields, m, NULL, reterr);
        if (r < 0)
                return r;
        if ((r = check_manifest(m, reterr)) < 0) {
                json_dispatch_free(manifest_fields, m);
                return r;
        }
        *ret = TAKE_PTR(m);
        return 0;
}

OciManifest *oci_manifest_free(OciManifest *m) {
        if (!m)
                return NULL;
        json_dispatch_free(manifest_fields, m);
        free(m);
        return NULL;
}

/* ---- image config ----------------------------------------------------------------------- */

/* {"80/tcp": {}} and {"/data": {}}: Go's map[string]struct{}, which reads
 * an object (or null) per key and nothing else. */
typedef struct KeySetContext {
        const char *path;
        char **keys;
        Error *reterr;
} KeySetContext;

static int key_set_add(const char *key, JsonValue *value, void *userdata) {
        KeySetContext *c = userdata;
        if (!json_is_object(value) && !json_is_null(value))
                return error_msg(c->reterr, EINVAL, "%s.%s: expected object, got %s", c->path, key,
                                 json_type_name(value));
        char *k = strdup(key);
        if (!k)
                return error_set(c->reterr, ENOMEM, "%s", c->path);
        int r = strv_push(&c->keys, k);
        return r < 0 ? error_set(c->reterr, -r, "%s", c->path) : 0;
}

static int parse_key_set(const JsonValue *v, void *dst, const char *path, Error *reterr) {
        if (!json_is_object(v))
                return error_msg(reterr, EINVAL, "%s: expected object, got %s", path, json_type_name(v));
        KeySetContext c = {path, NULL, reterr};
        int r = json_obj_foreach(v, key_set_add, &c);
        if (r < 0) {
                strv_free(c.keys);
                return r;
        }
        *(char ***) dst = c.keys;
        return 0;
}

static void free_strv(void *dst) {
        char ***v = dst;
        *v = strv_free(*v);
}

static const JsonField healthcheck_fields[] = {
        FIELD("Test", JSON_FIELD_STRV, OciHealthcheck, test, NULLABLE),
        FIELD("Interval", JSON_FIELD_I64, OciHealthcheck, interval, NULLABLE),
        FIELD("Timeout", JSON_FIELD_I64, OciHealthcheck, timeout, NULLABLE),
        FIELD("StartPeriod", JSON_FIELD_I64, OciHealthcheck, start_period, NULLABLE),
        FIELD("StartInterval", JSON_FIELD_I64, OciHealthcheck, start_interval, NULLABLE),
        FIELD("Retries", JSON_FIELD_I64, OciHealthcheck, retries, NULLABLE),
        {},
};

static const JsonField run_config_fields[] = {
        FIELD("User", JSON_FIELD_STRING, OciImageRunConfig, user, NULLABLE),
        CUSTOM("ExposedPorts", OciImageRunConfig, exposed_ports, NULLABLE, parse_key_set, free_strv),
        FIELD("Env", JSON_FIELD_STRV, OciImageRunConfig, env, NULLABLE),
        FIELD("Entrypoint", JSON_FIELD_STRV, OciImageRunConfig, entrypoint, NULLABLE),
        FIELD("Cmd", JSON_FIELD_STRV, OciImageRunConfig, cmd, NULLABLE),
        CUSTOM("Volumes", OciImageRunConfig, volumes, NULLABLE, parse_key_set, free_strv),
        FIELD("WorkingDir", JSON_FIELD_STRING, OciImageRunConfig, working_dir, NULLABLE),
        FIELD("Labels", JSON_FIELD_STRMAP, OciImageRunConfig, labels, NULLABLE),
        FIELD("StopSignal", JSON_FIELD_STRING, OciImageRunConfig, stop_signal, NULLABLE),
        FIELD("ArgsEscaped", JSON_FIELD_BOOL, OciImageRunConfig, args_escaped, NULLABLE),
        OBJ_PTR("Healthcheck", OciImageRunConfig, healthcheck, healthcheck_fields, NULLABLE),
        FIELD("OnBuild", JSON_FIELD_STRV, OciImageRunConfig, on_build, NULLABLE),
        FIELD("Shell", JSON_FIELD_STRV, OciImageRunConfig, shell, NULLABLE),
        {},
};

static const JsonField rootfs_fields[] = {
        FIELD("type", JSON_FIELD_STRING, OciRootfs, type, REQUIRED),
        CUSTOM("diff_ids", OciRootfs, diff_ids, NULLABLE, parse_digest_array, free_digest_array),
        {},
};

static const JsonField history_fields[] = {
        FIELD("created", JSON_FIELD_STRING, OciHistory, created, NULLABLE),
        FIELD("created_by", JSON_FIELD_STRING, OciHistory, created_by, NULLABLE),
        FIELD("author", JSON_FIELD_STRING, OciHistory, author, NULLABLE),
        FIELD("comment", JSON_FIELD_STRING, OciHistory, comment, NULLABLE),
        FIELD("empty_layer", JSON_FIELD_BOOL, OciHistory, empty_layer, NULLABLE),
        {},
};

/* architecture and os are REQUIRED by the image spec, but Docker only
 * insists on rootfs, and old images lack the others. */
static const JsonField image_config_fields[] = {
        FIELD("created", JSON_FIELD_STRING, OciImageConfig, created, NULLABLE),
        FIELD("author", JSON_FIELD_STRING, OciImageConfig, author, NULLABLE),
        FIELD("architecture", JSON_FIELD_STRING, OciImageConfig, architecture, NULLABLE),
        FIELD("os", JSON_FIELD_STRING, OciImageConfig, os, NULLABLE),
        FIELD("os.version", JSON_FIELD_STRING, OciImageConfig, os_version, NULLABLE),
        FIELD("os.features", JSON_FIELD_STRV, OciImageConfig, os_features, NULLABLE),
        FIELD("variant", JSON_FIELD_STRING, OciImageConfig, variant, NULLABLE),
        OBJ("config", OciImageConfig, config, run_config_fields, NULLABLE),
        OBJ("rootfs", OciImageConfig, rootfs, rootfs_fields, REQUIRED),
        OBJ_ARRAY("history", OciImageConfig, history, history_fields, NULLABLE),
        {},
};

static int check_image_config(const OciImageConfig *c, Error *reterr) {
        if (strcmp(c->rootfs.type, "layers") != 0)
                return error_msg(reterr, EINVAL, "rootfs.type: expected \"layers\", got \"%.128s\"", c->rootfs.type);
        if (c->rootfs.diff_ids.n > OCI_IMAGE_MAX_LAYERS)
                return error_msg(reterr, EINVAL, "rootfs.diff_ids: %zu layers is more than the limit of %d",
                                 c->rootfs.diff_ids.n, OCI_IMAGE_MAX_LAYERS);
        const OciHealthcheck *h = c->config.healthcheck;
        if (h) {
                static const char *const names[] = {"Interval", "Timeout", "StartPeriod", "StartInterval", "Retries"};
                const int64_t values[] = {h->interval, h->timeout, h->start_period, h->start_interval, h->retries};
                for (size_t i = 0; i < ELEMENTSOF(names); i++)
                        if (values[i] < 0)
                                return error_msg(reterr, EINVAL, "config.Healthcheck.%s: must not be negative",
                                                 names[i]);
        }
        return 0;
}

int oci_image_config_parse(const char *buf, size_t len, OciImageConfig **ret, Error *reterr) {
        _cleanup_free_ OciImageConfig *c = calloc(1, sizeof *c);
        if (!c)
                return error_set(reterr, ENOMEM, "parsing image config");
        int r = parse_document(buf, len, JSON_MAX_SIZE, "image config", false, image_config_fields, c, NULL, reterr);
        if (r < 0)
                return r;
        if ((r = check_image_config(c, reterr)) < 0) {
                json_dispatch_free(image_config_fields, c);
                return r;
        }
        if (!(c->raw = malloc(len + 1))) {
                json_dispatch_free(image_config_fields, c);
                return error_set(reterr, ENOMEM, "parsing image config");
        }
        memcpy(c->raw, buf, len);
        c->raw[len] = '\0';
        c->raw_len = len;
        *ret = TAKE_PTR(c);
        return 0;
}

OciImageConfig *oci_image_config_free(OciImageConfig *c) {
        if (!c)
                return NULL;
        json_dispatch_free(image_config_fields, c);
        free(c->raw);
        free(c);
        return NULL;
}

bool oci_image_config_history_matches(const OciImageConfig *c) {
        if (!c || c->history.n == 0)
                return true;
        size_t n = 0;
        for (size_t i = 0; i < c->history.n; i++)
                if (!c->history.items[i].empty_layer)
                        n++;
        return n == c->rootfs.diff_ids.n;
}

int oci_image_check_layers(const OciManifest *m, const OciImageConfig *c, Error *reterr) {
        if (m->layers.n != c->rootfs.diff_ids.n)
                return error_msg(reterr, EINVAL, "the manifest has %zu layers but the config's rootfs.diff_ids has %zu",
                                 m->layers.n, c->rootfs.diff_ids.n);
        return 0;
}

/* ---- emission ------------------------------------------------------------------------------- */

typedef struct MapEntry {
        const char *key;
        const char *value;
} MapEntry;

static int map_entry_compare(const void *a, const void *b) {
        return strcmp(((const MapEntry *) a)->key, ((const MapEntry *) b)->key);
}

/* A map in Go's order: keys sorted. values NULL makes {"key": {}} for each. */
static int json_sorted_map(char *const *keys, char *const *values, size_t n, JsonValue **ret) {
        _cleanup_json_ JsonValue *o = json_new_object();
        _cleanup_free_ MapEntry *entries = calloc(n ? n : 1, sizeof *entries);
        if (!o || !entries)
                return -ENOMEM;
        for (size_t i = 0; i < n; i++)
                entries[i] = (MapEntry){keys[i], values ? values[i] : NULL};
        qsort(entries, n, sizeof *entries, map_entry_compare);
        for (size_t i = 0; i < n; i++) {
                int r = values ? json_obj_set_str(o, entries[i].key, entries[i].value)
                               : json_obj_set(o, entries[i].key, json_new_object());
                if (r < 0)
                        return r;
        }
        *ret = TAKE_PTR(o);
        return 0;
}

/* Empty maps and lists are left out, as Go's omitempty does. */
static int set_strmap(JsonValue *o, const char *key, const StrMap *m) {
        if (m->n == 0)
                return 0;
        JsonValue *v = NULL;
        int r = json_sorted_map(m->keys, m->values, m->n, &v);
        return r < 0 ? r : json_obj_set(o, key, v);
}

static int set_key_set(JsonValue *o, const char *key, char *const *keys) {
        if (!keys || !keys[0])
                return 0;
        JsonValue *v = NULL;
        int r = json_sorted_map(keys, NULL, strv_length(keys), &v);
        return r < 0 ? r : json_obj_set(o, key, v);
}

static int set_strv(JsonValue *o, const char *key, char *const *v) {
        return v ? json_obj_set(o, key, json_new_strv(v)) : 0;
}

static int set_digest(JsonValue *o, const char *key, const OciDigest *d) {
        char buf[OCI_DIGEST_STRING_MAX];
        return oci_digest_is_set(d) ? json_obj_set_str(o, key, oci_digest_to_string(d, buf)) : 0;
}

static int platform_to_json(const OciPlatform *p, JsonValue **ret) {
        _cleanup_json_ JsonValue *o = json_new_object();
        if (!o)
                return -ENOMEM;
        int r = json_obj_set_str(o, "architecture", p->architecture);
        if (r >= 0)
                r = json_obj_set_str(o, "os", p->os);
        if (r >= 0)
                r = json_obj_set_str(o, "os.version", p->os_version);
        if (r >= 0 && p->os_features && p->os_features[0])
                r = set_strv(o, "os.features", p->os_features);
        if (r >= 0)
                r = json_obj_set_str(o, "variant", p->variant);
        if (r >= 0 && p->features && p->features[0])
                r = set_strv(o, "features", p->features);
        if (r < 0)
                return r;
        *ret = TAKE_PTR(o);
        return 0;
}

static int descriptor_to_json(const OciDescriptor *d, JsonValue **ret) {
        _cleanup_json_ JsonValue *o = json_new_object();
        if (!o)
                return -ENOMEM;
        int r = json_obj_set_str(o, "mediaType", d->media_type);
        if (r >= 0)
                r = set_digest(o, "digest", &d->digest);
        if (r >= 0)
                r = json_obj_set_int(o, "size", d->size);
        if (r >= 0 && d->urls && d->urls[0])
                r = set_strv(o, "urls", d->urls);
        if (r >= 0)
                r = set_strmap(o, "annotations", &d->annotations);
        if (r >= 0)
                r = json_obj_set_str(o, "data", d->data);
        if (r >= 0 && d->platform) {
                JsonValue *p = NULL;
                r = platform_to_json(d->platform, &p);
                if (r >= 0)
                        r = json_obj_set(o, "platform", p);
        }
        if (r >= 0)
                r = json_obj_set_str(o, "artifactType", d->artifact_type);
        if (r < 0)
                return r;
        *ret = TAKE_PTR(o);
        return 0;
}

static int set_descriptor(JsonValue *o, const char *key, const OciDescriptor *d) {
        JsonValue *v = NULL;
        int r = descriptor_to_json(d, &v);
        return r < 0 ? r : json_obj_set(o, key, v);
}

static int set_descriptors(JsonValue *o, const char *key, const OciDescriptor *items, size_t n) {
        _cleanup_json_ JsonValue *a = json_new_array();
        if (!a)
                return -ENOMEM;
        for (size_t i = 0; i < n; i++) {
                JsonValue *v = NULL;
                int r = descriptor_to_json(&items[i], &v);
                if (r >= 0)
                        r = json_arr_append(a, v);
                if (r < 0)
                        return r;
        }
        return json_obj_set(o, key, TAKE_PTR(a));
}

static int dump(const JsonValue *o, char **ret) {
        char *s = json_dump(o, 0);
        if (!s)
                return -ENOMEM;
        *ret = s;
        return 0;
}

int oci_index_to_json(const OciIndex *idx, char **ret) {
        _cleanup_json_ JsonValue *o = json_new_object();
        if (!o)
                return -ENOMEM;
        int r = json_obj_set_int(o, "schemaVersion", idx->schema_version);
        if (r >= 0)
                r = json_obj_set_str(o, "mediaType", idx->media_type);
        if (r >= 0)
                r = json_obj_set_str(o, "artifactType", idx->artifact_type);
        if (r >= 0)
                r = set_descriptors(o, "manifests", idx->manifests.items, idx->manifests.n);
        if (r >= 0 && idx->subject)
                r = set_descriptor(o, "subject", idx->subject);
        if (r >= 0)
                r = set_strmap(o, "annotations", &idx->annotations);
        return r < 0 ? r : dump(o, ret);
}

int oci_manifest_to_json(const OciManifest *m, char **ret) {
        _cleanup_json_ JsonValue *o = json_new_object();
        if (!o)
                return -ENOMEM;
        int r = json_obj_set_int(o, "schemaVersion", m->schema_version);
        if (r >= 0)
                r = json_obj_set_str(o, "mediaType", m->media_type);
        if (r >= 0)
                r = json_obj_set_str(o, "artifactType", m->artifact_type);
        if (r >= 0)
                r = set_descriptor(o, "config", &m->config);
        if (r >= 0)
                r = set_descriptors(o, "layers", m->layers.items, m->layers.n);
        if (r >= 0 && m->subject)
                r = set_descriptor(o, "subject", m->subject);
        if (r >= 0)
                r = set_strmap(o, "annotations", &m->annotations);
        return r < 0 ? r : dump(o, ret);
}

static int healthcheck_to_json(const OciHealthcheck *h, JsonValue **ret) {
        _cleanup_json_ JsonValue *o = json_new_object();
        if (!o)
                return -ENOMEM;
        int r = set_strv(o, "Test", h->test);
        if (r >= 0 && h->interval)
                r = json_obj_set_int(o, "Interval", h->interval);
        if (r >= 0 && h->timeout)
                r = json_obj_set_int(o, "Timeout", h->timeout);
        if (r >= 0 && h->start_period)
                r = json_obj_set_int(o, "StartPeriod", h->start_period);
        if (r >= 0 && h->start_interval)
                r = json_obj_set_int(o, "StartInterval", h->start_interval);
        if (r >= 0 && h->retries)
                r = json_obj_set_int(o, "Retries", h->retries);
        if (r < 0)
                return r;
        *ret = TAKE_PTR(o);
        return 0;
}

static int run_config_to_json(const OciImageRunConfig *c, JsonValue **ret) {
        _cleanup_json_ JsonValue *o = json_new_object();
        if (!o)
                return -ENOMEM;
        int r = json_obj_set_str(o, "User", c->user);
        if (r >= 0)
                r = set_key_set(o, "ExposedPorts", c->exposed_ports);
        if (r >= 0)
                r = set_strv(o, "Env", c->env);
        if (r >= 0)
                r = set_strv(o, "Entrypoint", c->entrypoint);
        if (r >= 0)
                r = set_strv(o, "Cmd", c->cmd);
        if (r >= 0)
                r = set_key_set(o, "Volumes", c->volumes);
        if (r >= 0)
                r = json_obj_set_str(o, "WorkingDir", c->working_dir);
        if (r >= 0)
                r = set_strmap(o, "Labels", &c->labels);
        if (r >= 0)
                r = json_obj_set_str(o, "StopSignal", c->stop_signal);
        if (r >= 0 && c->args_escaped)
                r = json_obj_set_bool(o, "ArgsEscaped", true);
        if (r >= 0 && c->healthcheck) {
                JsonValue *h = NULL;
                r = healthcheck_to_json(c->healthcheck, &h);
                if (r >= 0)
                        r = json_obj_set(o, "Healthcheck", h);
        }
        if (r >= 0)
                r = set_strv(o, "OnBuild", c->on_build);
        if (r >= 0)
                r = set_strv(o, "Shell", c->shell);
        if (r < 0)
                return r;
        *ret = TAKE_PTR(o);
        return 0;
}

static int rootfs_to_json(const OciRootfs *rootfs, JsonValue **ret) {
        _cleanup_json_ JsonValue *o = json_new_object();
        _cleanup_json_ JsonValue *ids = json_new_array();
        if (!o || !ids)
                return -ENOMEM;
        int r = json_obj_set_str(o, "type", rootfs->type ? rootfs->type : "layers");
        for (size_t i = 0; r >= 0 && i < rootfs->diff_ids.n; i++) {
                char buf[OCI_DIGEST_STRING_MAX];
                r = json_arr_append(ids, json_new_string(oci_digest_to_string(&rootfs->diff_ids.items[i], buf)));
        }
        if (r >= 0)
                r = json_obj_set(o, "diff_ids", TAKE_PTR(ids));
        if (r < 0)
                return r;
        *ret = TAKE_PTR(o);
        return 0;
}

static int history_to_json(const OciHistory *items, size_t n, JsonValue **ret) {
        _cleanup_json_ JsonValue *a = json_new_array();
        if (!a)
                return -ENOMEM;
        for (size_t i = 0; i < n; i++) {
                const OciHistory *h = &items[i];
                JsonValue *o = json_new_object();
                if (!o)
                        return -ENOMEM;
                int r = json_obj_set_str(o, "created", h->created);
                if (r >= 0)
                        r = json_obj_set_str(o, "created_by", h->created_by);
                if (r >= 0)
                        r = json_obj_set_str(o, "author", h->author);
                if (r >= 0)
                        r = json_obj_set_str(o, "comment", h->comment);
                if (r >= 0 && h->empty_layer)
                        r = json_obj_set_bool(o, "empty_layer", true);
                if (r < 0) {
                        json_unref(o);
                        return r;
                }
                if ((r = json_arr_append(a, o)) < 0)
                        return r;
        }
        *ret = TAKE_PTR(a);
        return 0;
}

int oci_image_config_to_json(const OciImageConfig *c, char **ret) {
        _cleanup_json_ JsonValue *o = json_new_object();
        if (!o)
                return -ENOMEM;
        JsonValue *v = NULL;
        int r = json_obj_set_str(o, "created", c->created);
        if (r >= 0)
                r = json_obj_set_str(o, "author", c->author);
        if (r >= 0)
                r = json_obj_set_str(o, "architecture", c->architecture);
        if (r >= 0)
                r = json_obj_set_str(o, "variant", c->variant);
        if (r >= 0)
                r = json_obj_set_str(o, "os", c->os);
        if (r >= 0)
                r = json_obj_set_str(o, "os.version", c->os_version);
        if (r >= 0 && c->os_features && c->os_features[0])
                r = set_strv(o, "os.features", c->os_features);
        if (r >= 0 && (r = run_config_to_json(&c->config, &v)) >= 0)
                r = json_obj_set(o, "config", v);
        if (r >= 0 && (r = rootfs_to_json(&c->rootfs, &v)) >= 0)
                r = json_obj_set(o, "rootfs", v);
        if (r >= 0 && c->history.n > 0 && (r = history_to_json(c->history.items, c->history.n, &v)) >= 0)
                r = json_obj_set(o, "history", v);
        return r < 0 ? r : dump(o, ret);
}
