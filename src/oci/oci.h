/* oci: the OCI data model. The runtime spec's config.json and state, parsed
 * into typed structs (through common/json.h's dispatch tables) and emitted;
 * later the image spec's index, manifest, config and descriptors. Parsing
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
