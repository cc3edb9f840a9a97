/* oci: the OCI data model. The runtime spec's config.json and state, parsed
 * into typed structs (through common/json.h's dispatch tables) and emitted;
 * and the image spec's index, manifest, config and descriptors. Parsing
 * validates shape and types; what only the kernel can judge (does this
 * namespace exist here?) is the runtime's business. */
#pragma once

#include "common.h"
#include "json.h"

/* ---- runtime spec: config.json ------------------------------------------- */

typedef struct OciIdMapping {
        uint32_t container_id;
        uint32_t host_id;
        uint32_t size;
} OciIdMapping;

typedef struct OciMount {
        char *destination;
        char *type;
        char *source;
        char **options;
        ARRAY(OciIdMapping) uid_mappings;
        ARRAY(OciIdMapping) gid_mappings;
} OciMount;

/* "RLIMIT_NOFILE" <-> RLIMIT_NOFILE; -EINVAL for a name Linux lacks. */
int oci_rlimit_from_string(const char *s);
const char *oci_rlimit_to_string(int resource);

typedef struct OciRlimit {
        char *type; /* "RLIMIT_NOFILE" */
        uint64_t hard;
        uint64_t soft;
} OciRlimit;

typedef struct OciCapabilities {
        char **bounding;
        char **effective;
        char **inheritable;
        char **permitted;
        char **ambient;
} OciCapabilities;

typedef struct OciUser {
        uint32_t uid;
        uint32_t gid;
        OptU64 umask;
        ARRAY(uint32_t) additional_gids;
        char *username; /* Windows only; ignored */
} OciUser;

typedef struct OciConsoleSize {
        uint32_t height;
        uint32_t width;
} OciConsoleSize;

typedef struct OciIoPriority {
        char *class; /* IOPRIO_CLASS_RT, IOPRIO_CLASS_BE, IOPRIO_CLASS_IDLE */
        int32_t priority;
} OciIoPriority;

typedef struct OciScheduler {
        char *policy; /* SCHED_OTHER, SCHED_FIFO, ... */
        int32_t nice;
        int32_t priority;
        char **flags;
        uint64_t runtime;
        uint64_t deadline;
        uint64_t period;
} OciScheduler;

typedef struct OciCpuAffinity {
        char *initial;
        char *final;
} OciCpuAffinity;

typedef struct OciProcess {
        bool terminal;
        OciConsoleSize *console_size;
        OciUser user;
        char **args;
        char *command_line;
        char **env;
        char *cwd;
        OciCapabilities *capabilities;
        ARRAY(OciRlimit) rlimits;
        bool no_new_privileges;
        char *apparmor_profile;
        OptI64 oom_score_adj;
        char *selinux_label;
        OciIoPriority *io_priority;
        OciScheduler *scheduler;
        OciCpuAffinity *exec_cpu_affinity;
} OciProcess;

typedef struct OciRoot {
        char *path;
        bool readonly;
} OciRoot;

typedef struct OciHook {
        char *path;
        char **args;
        char **env;
        OptI64 timeout; /* seconds */
} OciHook;

typedef ARRAY(OciHook) OciHookList;

typedef enum OciHookKind {
        OCI_HOOK_PRESTART,
        OCI_HOOK_CREATE_RUNTIME,
        OCI_HOOK_CREATE_CONTAINER,
        OCI_HOOK_START_CONTAINER,
        OCI_HOOK_POSTSTART,
        OCI_HOOK_POSTSTOP,
        _OCI_HOOK_KIND_MAX,
        _OCI_HOOK_KIND_INVALID = -EINVAL,
} OciHookKind;
const char *oci_hook_kind_to_string(OciHookKind k); /* "createRuntime" */
OciHookKind oci_hook_kind_from_string(const char *s);

typedef struct OciHooks {
        OciHookList kinds[_OCI_HOOK_KIND_MAX];
} OciHooks;

typedef enum OciNamespaceType {
        OCI_NS_PID,
        OCI_NS_NETWORK,
        OCI_NS_MOUNT,
        OCI_NS_IPC,
        OCI_NS_UTS,
        OCI_NS_USER,
        OCI_NS_CGROUP,
        OCI_NS_TIME,
        _OCI_NS_MAX,
        _OCI_NS_INVALID = -EINVAL,
} OciNamespaceType;
const char *oci_ns_type_to_string(OciNamespaceType t);   /* "network" */
OciNamespaceType oci_ns_type_from_string(const char *s);
const char *oci_ns_type_to_proc_name(OciNamespaceType t); /* "net" as in /proc/PID/ns/ */
int oci_ns_type_to_clone_flag(OciNamespaceType t);       /* CLONE_NEWNET */

typedef struct OciNamespace {
        OciNamespaceType type;
        char *path; /* join this one instead of making a new one */
} OciNamespace;

typedef struct OciTimeOffset {
        int64_t secs;
        uint32_t nanosecs;
} OciTimeOffset;

typedef struct OciDevice {
        char *type; /* c, b, u, p */
        char *path;
        int64_t major;
        int64_t minor;
        OptU64 file_mode;
        OptU64 uid;
        OptU64 gid;
} OciDevice;

typedef struct OciDeviceRule {
        bool allow;
        char *type; /* a, c, b; NULL means all */
        OptI64 major;
        OptI64 minor;
        char *access; /* rwm */
} OciDeviceRule;

typedef struct OciMemory {
        OptI64 limit;
        OptI64 reservation;
        OptI64 swap;
        OptI64 kernel;
        OptI64 kernel_tcp;
        OptU64 swappiness;
        OptBool disable_oom_killer;
        OptBool use_hierarchy;
        OptBool check_before_update;
} OciMemory;

typedef struct OciCpu {
        OptU64 shares;
        OptI64 quota;
        OptU64 burst;
        OptU64 period;
        OptI64 realtime_runtime;
        OptU64 realtime_period;
        char *cpus;
        char *mems;
        OptI64 idle;
} OciCpu;

typedef struct OciPids {
        int64_t limit;
} OciPids;

typedef struct OciWeightDevice {
        int64_t major;
        int64_t minor;
        OptU64 weight;
        OptU64 leaf_weight;
} OciWeightDevice;

typedef struct OciThrottleDevice {
        int64_t major;
        int64_t minor;
        uint64_t rate;
} OciThrottleDevice;

typedef struct OciBlockIO {
        OptU64 weight;
        OptU64 leaf_weight;
        ARRAY(OciWeightDevice) weight_device;
        ARRAY(OciThrottleDevice) throttle_read_bps_device;
        ARRAY(OciThrottleDevice) throttle_write_bps_device;
        ARRAY(OciThrottleDevice) throttle_read_iops_device;
        ARRAY(OciThrottleDevice) throttle_write_iops_device;
} OciBlockIO;

typedef struct OciHugepageLimit {
        char *page_size; /* "2MB" */
        uint64_t limit;
} OciHugepageLimit;

typedef struct OciNetPriority {
        char *name;
        uint32_t priority;
} OciNetPriority;

typedef struct OciNetwork {
        OptU64 class_id;
        ARRAY(OciNetPriority) priorities;
} OciNetwork;

typedef struct OciResources {
        ARRAY(OciDeviceRule) devices;
        OciMemory *memory;
        OciCpu *cpu;
        OciPids *pids;
        OciBlockIO *block_io;
        ARRAY(OciHugepageLimit) hugepage_limits;
        OciNetwork *network;
        StrMap unified;
} OciResources;

typedef struct OciSeccompArg {
        uint32_t index;
        uint64_t value;
        uint64_t value_two;
        char *op; /* SCMP_CMP_EQ, ... */
} OciSeccompArg;

typedef struct OciSeccompSyscall {
        char **names;
        char *action; /* SCMP_ACT_ERRNO, ... */
        OptU64 errno_ret;
        ARRAY(OciSeccompArg) args;
} OciSeccompSyscall;

typedef struct OciSeccomp {
        char *default_action;
        OptU64 default_errno_ret;
        char **architectures;
        char **flags;
        char *listener_path;
        char *listener_metadata;
        ARRAY(OciSeccompSyscall) syscalls;
} OciSeccomp;

typedef struct OciPersonality {
        char *domain; /* LINUX, LINUX32 */
        char **flags;
} OciPersonality;

typedef struct OciLinux {
        ARRAY(OciNamespace) namespaces;
        ARRAY(OciIdMapping) uid_mappings;
        ARRAY(OciIdMapping) gid_mappings;
        OciTimeOffset *time_offset_monotonic;
        OciTimeOffset *time_offset_boottime;
        ARRAY(OciDevice) devices;
        char *cgroups_path;
        OciResources *resources;
        StrMap sysctl;
        OciSeccomp *seccomp;
        char *rootfs_propagation;
        char **masked_paths;
        char **readonly_paths;
        char *mount_label;
        OciPersonality *personality;
} OciLinux;

typedef struct OciSpec {
        char *oci_version;
        OciProcess *process;
        OciRoot *root;
        char *hostname;
        char *domainname;
        ARRAY(OciMount) mounts;
        OciHooks *hooks;
        StrMap annotations;
        OciLinux *linux_; /* "linux" is a predefined macro in GNU C */
} OciSpec;

/* Parses and validates config.json (any 1.x ociVersion). Errors name the
 * field: "config.json: linux.namespaces[2].type: unknown namespace type \"foo\"". */
int oci_spec_parse(const char *buf, size_t len, OciSpec **ret, Error *reterr);
int oci_spec_load(const char *path, OciSpec **ret, Error *reterr);
OciSpec *oci_spec_free(OciSpec *s);
static inline void oci_spec_freep(OciSpec **s) { oci_spec_free(*s); }

/* Reads a process.json (runc exec --process) into an OciProcess, validated as
 * config.json's process is. Messages name fields from the document's top
 * ("args: must not be empty"); the caller prefixes the file name. */
int oci_process_parse(const char *buf, size_t len, OciProcess **ret, Error *reterr);
OciProcess *oci_process_free(OciProcess *p);
static inline void oci_process_freep(OciProcess **p) { oci_process_free(*p); }

/* Reads a resources document (runc update -r FILE: the linux.resources
 * shape). Messages as oci_process_parse(). */
int oci_resources_parse(const char *buf, size_t len, OciResources **ret, Error *reterr);
OciResources *oci_resources_free(OciResources *r);
static inline void oci_resources_freep(OciResources **r) { oci_resources_free(*r); }

/* The default spec (`spec`), as runc writes it; rootless maps the caller's
 * uid/gid and drops what an unprivileged user cannot have. */
int oci_spec_default_json(bool rootless, uid_t uid, gid_t gid, char **ret);

/* The find helper the runtime uses most. */
const OciNamespace *oci_spec_find_namespace(const OciSpec *s, OciNamespaceType t);

/* ---- runtime spec: state ---------------------------------------------------- */

typedef enum OciStatus {
        OCI_STATUS_CREATING,
        OCI_STATUS_CREATED,
        OCI_STATUS_RUNNING,
        OCI_STATUS_PAUSED,
        OCI_STATUS_STOPPED,
        _OCI_STATUS_MAX,
        _OCI_STATUS_INVALID = -EINVAL,
} OciStatus;
const char *oci_status_to_string(OciStatus s);
OciStatus oci_status_from_string(const char *s);

#define OCI_VERSION "1.2.0"

/* ==== image spec ================================================================
 * The OCI image spec (index, manifest, config, descriptors) and the Docker
 * schema2 documents that registries still serve, read into typed structs,
 * validated, and emitted as canonical JSON; image references by Docker's
 * rules. Implemented in image.c and reference.c. */

/* ---- media types ---------------------------------------------------------------- */

typedef enum OciMediaType {
        OCI_MEDIA_TYPE_INDEX,
        OCI_MEDIA_TYPE_MANIFEST,
        OCI_MEDIA_TYPE_CONFIG,
        OCI_MEDIA_TYPE_LAYER_TAR,
        OCI_MEDIA_TYPE_LAYER_TAR_GZIP,
        OCI_MEDIA_TYPE_LAYER_TAR_ZSTD,
        OCI_MEDIA_TYPE_LAYER_NONDIST_TAR,
        OCI_MEDIA_TYPE_LAYER_NONDIST_TAR_GZIP,
        OCI_MEDIA_TYPE_LAYER_NONDIST_TAR_ZSTD,
        OCI_MEDIA_TYPE_EMPTY,
        OCI_MEDIA_TYPE_DOCKER_MANIFEST_LIST,
        OCI_MEDIA_TYPE_DOCKER_MANIFEST,
        OCI_MEDIA_TYPE_DOCKER_CONFIG,
        OCI_MEDIA_TYPE_DOCKER_LAYER_TAR_GZIP,
        OCI_MEDIA_TYPE_DOCKER_LAYER_FOREIGN_TAR_GZIP,
        OCI_MEDIA_TYPE_DOCKER_MANIFEST_SCHEMA1,
        OCI_MEDIA_TYPE_DOCKER_MANIFEST_SCHEMA1_SIGNED,
        _OCI_MEDIA_TYPE_MAX,
        _OCI_MEDIA_TYPE_INVALID = -EINVAL,
} OciMediaType;
const char *oci_media_type_to_string(OciMediaType t);
OciMediaType oci_media_type_from_string(const char *s);
bool oci_media_type_is_index(OciMediaType t);    /* OCI index, Docker manifest list */
bool oci_media_type_is_manifest(OciMediaType t); /* OCI manifest, Docker schema2 (not schema1) */
bool oci_media_type_is_config(OciMediaType t);
bool oci_media_type_is_layer(OciMediaType t);
/* RFC 6838's type "/" subtype, as descriptors must carry. */
bool oci_media_type_string_is_valid(const char *s);

typedef enum OciCompression {
        OCI_COMPRESSION_NONE,
        OCI_COMPRESSION_GZIP,
        OCI_COMPRESSION_ZSTD,
        _OCI_COMPRESSION_MAX,
        _OCI_COMPRESSION_INVALID = -EINVAL,
} OciCompression;
const char *oci_compression_to_string(OciCompression c); /* "none", "gzip", "zstd" */
OciCompression oci_compression_from_string(const char *s);
/* A layer's compression; -EINVAL for what is not a layer. */
OciCompression oci_media_type_layer_compression(OciMediaType t);

/* ---- digests ------------------------------------------------------------------- */

typedef struct OciDigest {
        char algorithm[16]; /* "sha256", "sha512"; "" when unset */
        char hex[129];      /* lowercase */
} OciDigest;
#define OCI_DIGEST_STRING_MAX (sizeof(((OciDigest *) 0)->algorithm) + sizeof(((OciDigest *) 0)->hex))

/* "sha256:<64 lowercase hex>" or "sha512:<128>". -EINVAL for a malformed
 * digest, -EOPNOTSUPP for a well-formed one of another algorithm; the
 * message says which part is wrong. */
int oci_digest_parse(const char *s, OciDigest *ret, Error *reterr);
bool oci_digest_is_valid(const char *s);
bool oci_digest_is_set(const OciDigest *d);
bool oci_digest_equal(const OciDigest *a, const OciDigest *b);
/* Writes "algorithm:hex" into buf and returns it; "" when unset. */
const char *oci_digest_to_string(const OciDigest *d, char buf[static OCI_DIGEST_STRING_MAX]);

/* Inline so that only what calls them links libcrypto (sha256_dep): the
 * runtime links this library and never hashes. */
static inline int oci_digest_compute(const void *buf, size_t len, OciDigest *ret) {
        Sha256 h;
        int r = sha256_buf(buf, len, &h);
        if (r < 0)
                return r;
        *ret = (OciDigest){.algorithm = "sha256"};
        sha256_hex(&h, ret->hex);
        return 0;
}
/* "sha256:<hex>" of buf, newly allocated; NULL on failure. */
static inline char *oci_digest_compute_string(const void *buf, size_t len) {
        OciDigest d;
        char s[OCI_DIGEST_STRING_MAX];
        if (oci_digest_compute(buf, len, &d) < 0)
                return NULL;
        return strdup(oci_digest_to_string(&d, s));
}

/* ---- descriptors and platforms ----------------------------------------------------- */

typedef struct OciPlatform {
        char *architecture; /* Go's GOARCH: amd64, arm64, arm, 386, ppc64le, s390x, riscv64 */
        char *os;           /* GOOS: linux */
        char *os_version;
        char **os_features;
        char *variant; /* v7, v8 */
        char **features;
} OciPlatform;

typedef struct OciDescriptor {
        char *media_type;
        OciMediaType type; /* media_type looked up; _OCI_MEDIA_TYPE_INVALID when unknown */
        OciDigest digest;
        int64_t size;
        char **urls;
        StrMap annotations;
        OciPlatform *platform;
        char *artifact_type;
        char *data; /* base64, as found */
} OciDescriptor;

void oci_platform_clear(OciPlatform *p);
OciPlatform *oci_platform_free(OciPlatform *p);
void oci_descriptor_clear(OciDescriptor *d);
int oci_descriptor_copy(const OciDescriptor *d, OciDescriptor *ret);

/* uname's machine ("x86_64", "aarch64", "armv7l") as GOARCH and variant
 * (variant NULL when the architecture has none). -EOPNOTSUPP when unknown. */
int oci_platform_from_machine(const char *machine, const char **ret_arch, const char **ret_variant);
/* This host: "linux" and its architecture, as above. */
int oci_platform_default(const char **ret_os, const char **ret_arch, const char **ret_variant);
/* Accepts Go and uname spellings ("x86_64", "aarch64"); returns the GOARCH
 * name, or arch itself when unknown. */
const char *oci_platform_normalize_arch(const char *arch);

/* ---- image index / Docker manifest list ----------------------------------------------- */

#define OCI_ANNOTATION_REF_NAME "org.opencontainers.image.ref.name"
/* Registries refuse bigger manifests (distribution's limit). */
#define OCI_MANIFEST_MAX_SIZE (4u << 20)
/* overlayfs stacks at most this many lower layers (Docker's overlay2 limit). */
#define OCI_IMAGE_MAX_LAYERS 128

typedef struct OciIndex {
        uint32_t schema_version;
        char *media_type; /* NULL when the document has none (OCI allows that) */
        char *artifact_type;
        ARRAY(OciDescriptor) manifests;
        OciDescriptor *subject;
        StrMap annotations;
} OciIndex;

/* Messages name the field ("manifests[2].digest: ..."); the caller says
 * which document it was. */
int oci_index_parse(const char *buf, size_t len, OciIndex **ret, Error *reterr);
OciIndex *oci_index_free(OciIndex *idx);
static inline void oci_index_freep(OciIndex **i) {
        oci_index_free(*i);
}
/* The manifest for os/arch/variant (variant NULL: the host's default for
 * that arch). An arm v7 host also runs v6 and v5 images, amd64 v3 runs v2
 * and v1; the highest one that runs wins, then document order. -ENOENT
 * with Docker's message when none matches. */
int oci_index_select(const OciIndex *idx, const char *os, const char *arch, const char *variant,
                     const OciDescriptor **ret_desc, Error *reterr);
/* Builders for an OCI layout's index.json: an empty OCI index, and a copy of
 * desc appended with ref_name (may be NULL) as its ref.name annotation. */
OciIndex *oci_index_new(void);
int oci_index_add(OciIndex *idx, const OciDescriptor *desc, const char *ref_name);
int oci_index_to_json(const OciIndex *idx, char **ret);

/* ---- manifest ------------------------------------------------------------------------- */

typedef struct OciManifest {
        uint32_t schema_version;
        char *media_type; /* NULL when the document has none */
        char *artifact_type;
        OciDescriptor config;
        ARRAY(OciDescriptor) layers;
        OciDescriptor *subject;
        StrMap annotations;
} OciManifest;

/* OCI image manifests and Docker schema2 manifests whose config and layers
 * berth can use; anything else is an error naming the field. */
int oci_manifest_parse(const char *buf, size_t len, OciManifest **ret, Error *reterr);
OciManifest *oci_manifest_free(OciManifest *m);
static inline void oci_manifest_freep(OciManifest **m) {
        oci_manifest_free(*m);
}
int oci_manifest_to_json(const OciManifest *m, char **ret);

/* ---- image config ---------------------------------------------------------------------- */

typedef struct OciHealthcheck {
        char **test;      /* ["NONE"], ["CMD", ...], ["CMD-SHELL", "..."] */
        int64_t interval; /* nanoseconds, as Go's time.Duration; 0 inherits */
        int64_t timeout;
        int64_t start_period;
        int64_t start_interval;
        int64_t retries;
} OciHealthcheck;

typedef struct OciImageRunConfig {
        char *user;
        char **exposed_ports; /* the keys of {"80/tcp": {}} */
        char **env;
        char **entrypoint;
        char **cmd;
        char **volumes; /* the keys of {"/data": {}} */
        char *working_dir;
        StrMap labels;
        char *stop_signal;
        bool args_escaped;
        OciHealthcheck *healthcheck;
        char **on_build;
        char **shell;
} OciImageRunConfig;

typedef struct OciRootfs {
        char *type; /* "layers" */
        ARRAY(OciDigest) diff_ids;
} OciRootfs;

typedef struct OciHistory {
        char *created;
        char *created_by;
        char *author;
        char *comment;
        bool empty_layer;
} OciHistory;

typedef struct OciImageConfig {
        char *created; /* RFC 3339, as found */
        char *author;
        char *architecture;
        char *os;
        char *os_version;
        char **os_features;
        char *variant;
        OciImageRunConfig config;
        OciRootfs rootfs;
        ARRAY(OciHistory) history;
        /* The bytes parsed: an image's ID is the digest of exactly these, and
         * re-serializing would change it. NULL for a config being built. */
        char *raw;
        size_t raw_len;
} OciImageConfig;

int oci_image_config_parse(const char *buf, size_t len, OciImageConfig **ret, Error *reterr);
OciImageConfig *oci_image_config_free(OciImageConfig *c);
static inline void oci_image_config_freep(OciImageConfig **c) {
        oci_image_config_free(*c);
}
/* Whether the non-empty history entries, if any, are as many as diff_ids;
 * images in the wild disagree often enough that this is only a warning. */
bool oci_image_config_history_matches(const OciImageConfig *c);
/* A manifest and its config describe the same layers: as many of them. */
int oci_image_check_layers(const OciManifest *m, const OciImageConfig *c, Error *reterr);
/* Canonical JSON of the typed fields (raw is not used). */
int oci_image_config_to_json(const OciImageConfig *c, char **ret);

/* ---- image references ---------------------------------------------------------------------
 * Docker's reference rules: "busybox" is docker.io/library/busybox:latest, a
 * first component with '.' or ':' or "localhost" is a registry. */

#define OCI_REFERENCE_DEFAULT_DOMAIN "docker.io"
#define OCI_REFERENCE_DEFAULT_TAG    "latest"
#define OCI_REFERENCE_NAME_MAX       255

typedef struct OciReference {
        char *domain;     /* "docker.io", "localhost:5000" */
        char *path;       /* "library/busybox" */
        char *tag;        /* "latest" when neither tag nor digest was given */
        char *digest;     /* "sha256:..." or NULL */
        bool tag_implied; /* the tag is that default, not the user's */
} OciReference;

/* Errors read as Docker's: "invalid reference format: repository name must be lowercase". */
int oci_reference_parse(const char *s, OciReference **ret, Error *reterr);
OciReference *oci_reference_free(OciReference *r);
static inline void oci_reference_freep(OciReference **r) {
        oci_reference_free(*r);
}
/* "docker.io/library/busybox:latest", "...@sha256:...": everything explicit. */
char *oci_reference_to_string(const OciReference *r);
/* "docker.io/library/busybox" */
char *oci_reference_name(const OciReference *r);
/* Docker's short form: "busybox:latest", "user/repo:tag", "localhost:5000/x:tag". */
char *oci_reference_familiar(const OciReference *r);
/* A tag alone, as `docker tag` checks it: [A-Za-z0-9_][A-Za-z0-9_.-]{0,127}. */
bool oci_reference_tag_is_valid(const char *tag);
