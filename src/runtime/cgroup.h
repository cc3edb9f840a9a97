/* cgroup: one interface over the v1 and v2 hierarchies. The mode comes from
 * what is mounted at /sys/fs/cgroup: pure v2 (cgroup2 there), v1, or hybrid
 * — v1 controllers, each on its own mount or co-mounted ("cpu,cpuacct"),
 * plus a cgroup2 mount (normally /sys/fs/cgroup/unified) holding whatever v1
 * lacks, hugetlb on some hosts. A hybrid container is placed in that v2
 * mount too, so that its limits there apply and tools that follow the
 * unified hierarchy find it.
 *
 * cgroup.c owns mode detection, path rules, the manager and its state.json
 * form; cgroup-v1.c and cgroup-v2.c turn linux.resources into file writes,
 * freeze, and read stats; cgroup-bpf.c builds the v2 device filter. Internal
 * to the runtime. */
#pragma once

#include "common.h"
#include "json.h"
#include "oci.h"

typedef struct CgroupManager CgroupManager;

typedef enum CgroupMode {
        CGROUP_MODE_V1,     /* legacy, no v2 mount */
        CGROUP_MODE_HYBRID, /* v1 controllers + a cgroup2 mount beside them */
        CGROUP_MODE_V2,     /* unified only */
        _CGROUP_MODE_MAX,
        _CGROUP_MODE_INVALID = -EINVAL,
} CgroupMode;
const char *cgroup_mode_to_string(CgroupMode m); /* "v1", "hybrid", "v2" */
CgroupMode cgroup_mode_from_string(const char *s);
/* statfs of /sys/fs/cgroup (and of /sys/fs/cgroup/unified); -ENOMEDIUM when
 * no cgroup file system is mounted there. */
int cgroup_mode_detect(CgroupMode *ret);

/* One mounted hierarchy the container is placed in. mounts.c lays out the
 * container's /sys/fs/cgroup from these. */
typedef struct CgroupHierarchy {
        char *name;           /* its directory under /sys/fs/cgroup: "memory", "cpu,cpuacct", "systemd",
                               * "unified"; "" for pure v2 */
        char *options;        /* v1 mount data ("cpu,cpuacct", "none,name=systemd"); NULL for v2 */
        char *mount_point;    /* "/sys/fs/cgroup/memory" */
        char *mount_root;     /* the mount's root inside the hierarchy (mountinfo field 4), normally "/" */
        char **controllers;   /* v1: from the mount options; v2: the root's cgroup.controllers */
        char *cgroup;         /* the container's cgroup as /proc/<pid>/cgroup names it */
        char *container_path; /* the container's directory on the host */
        bool v2;
        /* private to cgroup*.c */
        int dirfd;        /* of container_path, opened once */
        unsigned created; /* trailing path components this manager made */
} CgroupHierarchy;

/* cgroups_path is linux.cgroupsPath, resolved in each hierarchy as runc does:
 * absolute is taken from the hierarchy's root; relative is taken from the
 * calling process's own cgroup in that hierarchy (/proc/self/cgroup); NULL or
 * "" means the container id, relative as above. ".." components are refused,
 * and so are systemd's "slice:prefix:name" paths (no systemd here). Reads
 * /proc/self/mountinfo and /proc/self/cgroup once; creates nothing. */
int cgroup_manager_new(const char *cgroups_path, const char *id, CgroupManager **ret, Error *reterr);
/* Re-creates the manager that cgroup_manager_serialize() described
 * (state.json), without reading mountinfo again. */
int cgroup_manager_deserialize(const JsonValue *v, CgroupManager **ret, Error *reterr);
JsonValue *cgroup_manager_serialize(const CgroupManager *m);
CgroupManager *cgroup_manager_free(CgroupManager *m);
static inline void cgroup_manager_freep(CgroupManager **m) {
        cgroup_manager_free(*m);
}

/* Makes the cgroup(s), applies resources (may be NULL) and moves pid in.
 * On failure nothing this call created is left behind (a pid already moved
 * goes back to the parent cgroup first), and the error names the file and
 * value: `writing memory.limit_in_bytes="12": Invalid argument`. */
int cgroup_manager_create(CgroupManager *m, pid_t pid, const OciResources *r, Error *reterr);
/* create() without the pid, for every mode: afterwards, on pure v2,
 * cgroup_manager_dirfd() is an O_DIRECTORY fd of the container's cgroup for
 * clone3's CLONE_INTO_CGROUP; on v1 and hybrid it is -EOPNOTSUPP and the
 * caller moves the process in with cgroup_manager_add_pid(). */
int cgroup_manager_prepare(CgroupManager *m, const OciResources *r, Error *reterr);
int cgroup_manager_dirfd(CgroupManager *m);
/* Writes pid to cgroup.procs in every hierarchy (runc exec uses it too). */
int cgroup_manager_add_pid(CgroupManager *m, pid_t pid, Error *reterr);
/* runc update: applies only the fields r sets. */
int cgroup_manager_update(CgroupManager *m, const OciResources *r, Error *reterr);
/* Returns once the kernel reports the state reached (bounded: -ETIMEDOUT,
 * after thawing again, when freezing does not finish). */
int cgroup_manager_freeze(CgroupManager *m, bool frozen, Error *reterr);
int cgroup_manager_is_frozen(CgroupManager *m, bool *ret);
/* Every process of the cgroup and of the cgroups below it. */
int cgroup_manager_pids(CgroupManager *m, pid_t **ret, size_t *ret_n, Error *reterr);
/* Sends sig to every process in the cgroup (kill --all, delete --force):
 * cgroup.kill for SIGKILL where the kernel has it, else each pid with the
 * cgroup frozen meanwhile so that nothing forks past the signal. */
int cgroup_manager_kill(CgroupManager *m, int sig, Error *reterr);
/* runc's `events --stats` "data" object: cpu, memory, pids, blkio, hugetlb,
 * with runc's member names (types/events.go). */
int cgroup_manager_stats(CgroupManager *m, JsonValue **ret, Error *reterr);
/* OOM kills the kernel counted in the cgroup (memory.events or
 * memory.oom_control "oom_kill"). */
int cgroup_manager_oom_count(CgroupManager *m, uint64_t *ret);
/* Removes the cgroup(s) and any cgroup below them. Processes still inside
 * get SIGKILL and a bounded wait. */
int cgroup_manager_destroy(CgroupManager *m, Error *reterr);
/* The container's cgroup as /proc/<pid>/cgroup names it: in the v2
 * hierarchy on pure v2, else in the first v1 hierarchy (paths differ per
 * hierarchy only when a relative cgroupsPath met different own cgroups). */
const char *cgroup_manager_path(const CgroupManager *m);
CgroupMode cgroup_manager_mode(const CgroupManager *m);
void cgroup_manager_hierarchies(const CgroupManager *m, const CgroupHierarchy **ret, size_t *ret_n);

/* ---- for cgroup*.c and tests/unit/test-cgroup.c only ---------------------- */

#define CGROUP_ROOT "/sys/fs/cgroup"

struct CgroupManager {
        CgroupMode mode;
        CgroupHierarchy *h;
        size_t n;
        char *path; /* cgroup_manager_path() */
};

/* What cgroup_manager_new() reads from the system, so that tests can hand
 * in their own. NULL members are read from the usual places; v2_root picks
 * the cgroup2 mount to use in pure v2 mode (the tests point it at the
 * hybrid's /sys/fs/cgroup/unified). */
typedef struct CgroupSetup {
        CgroupMode mode; /* _CGROUP_MODE_INVALID: detect */
        const char *v2_root;
        const char *mountinfo;
        const char *self_cgroup;
} CgroupSetup;
int cgroup_manager_new_with(const CgroupSetup *s, const char *cgroups_path, const char *id, CgroupManager **ret,
                            Error *reterr);

/* The cgroup mounts in mountinfo: each v1 hierarchy with a controller we
 * manage (or name=systemd) once, then one cgroup2 mount — the one at
 * v2_prefer if there is one, else the first. Only name, options,
 * mount_point, mount_root, controllers (v1) and v2 are filled. */
int cgroup_parse_mountinfo(const char *buf, const char *v2_prefer, CgroupHierarchy **ret, size_t *ret_n);
void cgroup_hierarchies_free(CgroupHierarchy *h, size_t n);
/* The path of /proc/<pid>/cgroup's line for h: "N::path" for v2, the line
 * whose controller list equals h's for v1. */
int cgroup_parse_proc_cgroup(const char *buf, const CgroupHierarchy *h, char **ret);
/* linux.cgroupsPath -> the cgroup path in one hierarchy, given the caller's
 * own cgroup there. */
int cgroup_resolve_path(const char *cgroups_path, const char *id, const char *own, char **ret, Error *reterr);

/* ---- resources as file writes ----
 * linux.resources become an ordered list of writes; cgroup.c carries them
 * out. Kernel ordering rules (memory before memsw or after, period before
 * quota or after) are expressed as flags rather than as reads of the
 * current values, so that a fresh cgroup costs one write per value. */

enum {
        CGROUP_WRITE_OPTIONAL = 1 << 0,       /* the file may be missing (ENOENT is not an error) */
        CGROUP_WRITE_SWAP_ON_EINVAL = 1 << 1, /* on EINVAL, do the next write first, then this one again */
        CGROUP_WRITE_VERIFY = 1 << 2,         /* read back: the kernel clamps cpu.shares silently */
        CGROUP_WRITE_KEEP_QUOTA = 1 << 3,     /* value is the period; keep cpu.max's quota */
        CGROUP_WRITE_LINES = 1 << 4,          /* one write() per line (unified values) */
        CGROUP_WRITE_OR_NEXT = 1 << 5,        /* the next write is the alternative when this file is missing,
                                               * and is skipped when it is not (blkio.weight, blkio.bfq.weight) */
};

typedef struct CgroupWrite {
        const char *controller; /* static: which hierarchy, for v1 */
        bool v2;                /* goes to the v2 hierarchy (always on pure v2) */
        char *file;
        char *value;
        unsigned flags;
} CgroupWrite;

typedef struct CgroupPlan {
        CgroupWrite *w;
        size_t n;
} CgroupPlan;
void cgroup_plan_clear(CgroupPlan *p);
int cgroup_plan_add(CgroupPlan *p, const char *controller, bool v2, const char *file, unsigned flags, const char *fmt,
                    ...) _printf_(6, 7);

typedef struct CgroupPlanContext {
        CgroupMode mode;
        char **v1_controllers; /* mounted v1 controllers; v1 and hybrid */
        char **v2_controllers; /* the v2 mount's; hybrid */
        bool update;           /* runc update rather than create */
} CgroupPlanContext;
/* Devices go in the plan on v1 only; pure v2 uses cgroup_bpf_*(). */
int cgroup_plan_resources(const CgroupPlanContext *c, const OciResources *r, CgroupPlan *p, Error *reterr);

/* cpuset and pids files are named alike in v1 and v2 */
int cgroup_plan_cpuset(const OciCpu *cpu, bool v2, CgroupPlan *p, Error *reterr);
int cgroup_plan_pids(const OciPids *pids, bool v2, CgroupPlan *p, Error *reterr);

/* cgroup-v1.c */
int cgroup_v1_plan_memory(const OciMemory *mem, bool update, CgroupPlan *p, Error *reterr);
int cgroup_v1_plan_cpu(const OciCpu *cpu, CgroupPlan *p, Error *reterr);
int cgroup_v1_plan_blkio(const OciBlockIO *b, CgroupPlan *p, Error *reterr);
int cgroup_v1_plan_hugetlb(const OciHugepageLimit *l, size_t n, CgroupPlan *p, Error *reterr);
int cgroup_v1_plan_network(const OciNetwork *net, bool with_cls, bool with_prio, CgroupPlan *p, Error *reterr);
int cgroup_v1_plan_devices(const OciDeviceRule *rules, size_t n, CgroupPlan *p, Error *reterr);
/* "c 1:3 rwm", "a", "b *:* m" */
int cgroup_v1_device_rule_string(const OciDeviceRule *rule, char **ret, Error *reterr);
/* Fills an empty cpuset.cpus/mems of a new cpuset cgroup from its nearest
 * non-empty ancestor, else no task may join it (ENOSPC). dir is the
 * container's directory, mount_point the hierarchy's root. */
int cgroup_v1_cpuset_inherit(const char *mount_point, const char *dir, Error *reterr);
int cgroup_v1_freeze(CgroupManager *m, bool frozen, Error *reterr);
int cgroup_v1_is_frozen(CgroupManager *m, bool *ret);
int cgroup_v1_stats(CgroupManager *m, JsonValue *ret, Error *reterr);

/* cgroup-v2.c */
uint64_t cgroup_v2_cpu_weight(uint64_t shares);      /* 1 + ((shares-2)*9999)/262142, 0 stays unset */
uint64_t cgroup_v2_io_weight(uint64_t blkio_weight); /* [10,1000] -> [1,10000] */
/* memory.swap.max from the spec's swap (memory+swap) and limit, as runc:
 * -1 means "max", 0 means leave alone. */
int cgroup_v2_swap_value(int64_t swap, int64_t limit, int64_t *ret, Error *reterr);
int cgroup_v2_plan_memory(const OciMemory *mem, CgroupPlan *p, Error *reterr);
int cgroup_v2_plan_cpu(const OciCpu *cpu, bool update, CgroupPlan *p, Error *reterr);
int cgroup_v2_plan_io(const OciBlockIO *b, CgroupPlan *p, Error *reterr);
int cgroup_v2_plan_hugetlb(const OciHugepageLimit *l, size_t n, CgroupPlan *p, Error *reterr);
/* A unified key must be a plain file name: "memory.high", not "../x". */
int cgroup_v2_unified_key_check(const char *key, Error *reterr);
/* Enables, from the hierarchy root down to dir's parent, every controller
 * we manage that the root offers (root_controllers: its cgroup.controllers)
 * in cgroup.subtree_control. */
int cgroup_v2_enable_controllers(const char *mount_point, const char *dir, char *const *root_controllers,
                                 Error *reterr);
int cgroup_v2_freeze(CgroupManager *m, bool frozen, Error *reterr);
int cgroup_v2_is_frozen(CgroupManager *m, bool *ret);
int cgroup_v2_kill(CgroupManager *m, Error *reterr); /* cgroup.kill; -ENOENT when the kernel lacks it */
int cgroup_v2_stats(CgroupManager *m, JsonValue *ret, Error *reterr);
/* hugetlb in a v2 directory: used by pure v2 and by the hybrid's v2 mount */
int cgroup_v2_stats_hugetlb(int dirfd, JsonValue *stats);

/* cgroup.c, shared by the backends */
CgroupHierarchy *cgroup_manager_find(CgroupManager *m, const char *controller); /* v1 first, then v2 */
CgroupHierarchy *cgroup_manager_v2(CgroupManager *m);
int cgroup_hierarchy_open(CgroupHierarchy *h, Error *reterr);       /* opens dirfd once; returns it */
int cgroup_read_at(int dirfd, const char *file, char **ret);        /* trailing newline dropped */
int cgroup_read_u64_at(int dirfd, const char *file, uint64_t *ret); /* "max" reads as UINT64_MAX */
/* "key value" lines: the value of key, -ENOENT if absent */
int cgroup_keyed_u64(const char *buf, const char *key, uint64_t *ret);
/* Hugepage sizes of this machine as cgroup names them ("2MB", "1GB"). */
int cgroup_hugepage_sizes(char ***ret);
/* "2048kB" -> "2MB" the way the kernel names hugetlb.<size>.* files */
char *cgroup_hugepage_size_name(uint64_t kb);
bool cgroup_hugepage_size_valid(const char *s);
/* JSON helpers with runc's omitempty: 0 is left out. */
int cgroup_json_set_u64(JsonValue *o, const char *key, uint64_t v, bool omit_zero);

/* cgroup-bpf.c: the v2 device controller. Rules are evaluated last to first
 * and the first that matches decides, so later rules win as in v1; an empty
 * rule list denies everything. */
struct bpf_insn;
int cgroup_bpf_device_program(const OciDeviceRule *rules, size_t n, struct bpf_insn **ret, size_t *ret_n,
                              Error *reterr);
/* Loads the program and attaches it to the cgroup (BPF_F_ALLOW_MULTI),
 * replacing and detaching whatever device programs were there. */
int cgroup_bpf_apply_devices(int dirfd, const OciDeviceRule *rules, size_t n, Error *reterr);
