/* spec: config.json (runtime spec 1.x) into OciSpec, through one dispatch
 * table per struct, then the checks that need more than one field or a
 * table of names. Members the spec does not define, or that berth does not
 * use (Windows, Solaris, VM, intelRdt, rdma ...), are ignored, as the spec
 * asks. Freeing is json_dispatch_free() on the same tables. */
#include <inttypes.h>

#include "oci.h"

/* Go's encoding/json, which wrote most configs there are, reads null as "not
 * set" for every field, and some writers emit null for empty slices and
 * maps; so every field here takes null as absent. */
#define NULLABLE JSON_FIELD_NULLABLE
#define REQUIRED (JSON_FIELD_REQUIRED | JSON_FIELD_NULLABLE)

#define FIELD(n, type, T, m, fl) \
        { n, type, offsetof(T, m), fl }
#define OBJ_PTR(n, T, m, sub_, fl) \
        { n, JSON_FIELD_OBJECT_PTR, offsetof(T, m), fl, .sub = sub_, .size = sizeof(*((T *) 0)->m) }
#define OBJ_ARRAY(n, T, m, sub_, fl) \
        { n, JSON_FIELD_OBJECT_ARRAY, offsetof(T, m), fl, .sub = sub_, .size = sizeof(*((T *) 0)->m.items) }

/* ---- process ----------------------------------------------------------------- */

static const JsonField id_mapping_fields[] = {
        FIELD("containerID", JSON_FIELD_U32, OciIdMapping, container_id, REQUIRED),
        FIELD("hostID", JSON_FIELD_U32, OciIdMapping, host_id, REQUIRED),
        FIELD("size", JSON_FIELD_U32, OciIdMapping, size, REQUIRED),
        {},
};

static const JsonField console_size_fields[] = {
        FIELD("height", JSON_FIELD_U32, OciConsoleSize, height, REQUIRED),
        FIELD("width", JSON_FIELD_U32, OciConsoleSize, width, REQUIRED),
        {},
};

static const JsonField user_fields[] = {
        FIELD("uid", JSON_FIELD_U32, OciUser, uid, NULLABLE),
        FIELD("gid", JSON_FIELD_U32, OciUser, gid, NULLABLE),
        FIELD("umask", JSON_FIELD_OPT_U64, OciUser, umask, NULLABLE),
        FIELD("additionalGids", JSON_FIELD_U32_ARRAY, OciUser, additional_gids, NULLABLE),
        FIELD("username", JSON_FIELD_STRING, OciUser, username, NULLABLE),
        {},
};

static const JsonField capabilities_fields[] = {
        FIELD("bounding", JSON_FIELD_STRV, OciCapabilities, bounding, NULLABLE),
        FIELD("effective", JSON_FIELD_STRV, OciCapabilities, effective, NULLABLE),
        FIELD("inheritable", JSON_FIELD_STRV, OciCapabilities, inheritable, NULLABLE),
        FIELD("permitted", JSON_FIELD_STRV, OciCapabilities, permitted, NULLABLE),
        FIELD("ambient", JSON_FIELD_STRV, OciCapabilities, ambient, NULLABLE),
        {},
};

static const JsonField rlimit_fields[] = {
        FIELD("type", JSON_FIELD_STRING, OciRlimit, type, REQUIRED),
        FIELD("hard", JSON_FIELD_U64, OciRlimit, hard, REQUIRED),
        FIELD("soft", JSON_FIELD_U64, OciRlimit, soft, REQUIRED),
        {},
};

static const JsonField io_priority_fields[] = {
        FIELD("class", JSON_FIELD_STRING, OciIoPriority, class, REQUIRED),
        FIELD("priority", JSON_FIELD_I32, OciIoPriority, priority, NULLABLE),
        {},
};

static const JsonField scheduler_fields[] = {
        FIELD("policy", JSON_FIELD_STRING, OciScheduler, policy, REQUIRED),
        FIELD("nice", JSON_FIELD_I32, OciScheduler, nice, NULLABLE),
        FIELD("priority", JSON_FIELD_I32, OciScheduler, priority, NULLABLE),
        FIELD("flags", JSON_FIELD_STRV, OciScheduler, flags, NULLABLE),
        FIELD("runtime", JSON_FIELD_U64, OciScheduler, runtime, NULLABLE),
        FIELD("deadline", JSON_FIELD_U64, OciScheduler, deadline, NULLABLE),
        FIELD("period", JSON_FIELD_U64, OciScheduler, period, NULLABLE),
        {},
};

static const JsonField cpu_affinity_fields[] = {
        FIELD("initial", JSON_FIELD_STRING, OciCpuAffinity, initial, NULLABLE),
        FIELD("final", JSON_FIELD_STRING, OciCpuAffinity, final, NULLABLE),
        {},
};

static const JsonField process_fields[] = {
        FIELD("terminal", JSON_FIELD_BOOL, OciProcess, terminal, NULLABLE),
        OBJ_PTR("consoleSize", OciProcess, console_size, console_size_fields, NULLABLE),
        {"user", JSON_FIELD_OBJECT, offsetof(OciProcess, user), NULLABLE, .sub = user_fields},
        FIELD("args", JSON_FIELD_STRV, OciProcess, args, NULLABLE),
        FIELD("commandLine", JSON_FIELD_STRING, OciProcess, command_line, NULLABLE),
        FIELD("env", JSON_FIELD_STRV, OciProcess, env, NULLABLE),
        FIELD("cwd", JSON_FIELD_STRING, OciProcess, cwd, REQUIRED),
        OBJ_PTR("capabilities", OciProcess, capabilities, capabilities_fields, NULLABLE),
        OBJ_ARRAY("rlimits", OciProcess, rlimits, rlimit_fields, NULLABLE),
        FIELD("noNewPrivileges", JSON_FIELD_BOOL, OciProcess, no_new_privileges, NULLABLE),
        FIELD("apparmorProfile", JSON_FIELD_STRING, OciProcess, apparmor_profile, NULLABLE),
        FIELD("oomScoreAdj", JSON_FIELD_OPT_I64, OciProcess, oom_score_adj, NULLABLE),
        FIELD("selinuxLabel", JSON_FIELD_STRING, OciProcess, selinux_label, NULLABLE),
        OBJ_PTR("ioPriority", OciProcess, io_priority, io_priority_fields, NULLABLE),
        OBJ_PTR("scheduler", OciProcess, scheduler, scheduler_fields, NULLABLE),
        OBJ_PTR("execCPUAffinity", OciProcess, exec_cpu_affinity, cpu_affinity_fields, NULLABLE),
        {},
};

/* ---- root, mounts, hooks --------------------------------------------------------- */

static const JsonField root_fields[] = {
        FIELD("path", JSON_FIELD_STRING, OciRoot, path, REQUIRED),
        FIELD("readonly", JSON_FIELD_BOOL, OciRoot, readonly, NULLABLE),
        {},
};

static const JsonField mount_fields[] = {
        FIELD("destination", JSON_FIELD_STRING, OciMount, destination, REQUIRED),
        FIELD("type", JSON_FIELD_STRING, OciMount, type, NULLABLE),
        FIELD("source", JSON_FIELD_STRING, OciMount, source, NULLABLE),
        FIELD("options", JSON_FIELD_STRV, OciMount, options, NULLABLE),
        OBJ_ARRAY("uidMappings", OciMount, uid_mappings, id_mapping_fields, NULLABLE),
        OBJ_ARRAY("gidMappings", OciMount, gid_mappings, id_mapping_fields, NULLABLE),
        {},
};

static const JsonField hook_fields[] = {
        FIELD("path", JSON_FIELD_STRING, OciHook, path, REQUIRED),
        FIELD("args", JSON_FIELD_STRV, OciHook, args, NULLABLE),
        FIELD("env", JSON_FIELD_STRV, OciHook, env, NULLABLE),
        FIELD("timeout", JSON_FIELD_OPT_I64, OciHook, timeout, NULLABLE),
        {},
};

/* The names are those of oci_hook_kind_to_string(). */
static const JsonField hooks_fields[] = {
        OBJ_ARRAY("prestart", OciHooks, kinds[OCI_HOOK_PRESTART], hook_fields, NULLABLE),
        OBJ_ARRAY("createRuntime", OciHooks, kinds[OCI_HOOK_CREATE_RUNTIME], hook_fields, NULLABLE),
        OBJ_ARRAY("createContainer", OciHooks, kinds[OCI_HOOK_CREATE_CONTAINER], hook_fields, NULLABLE),
        OBJ_ARRAY("startContainer", OciHooks, kinds[OCI_HOOK_START_CONTAINER], hook_fields, NULLABLE),
        OBJ_ARRAY("poststart", OciHooks, kinds[OCI_HOOK_POSTSTART], hook_fields, NULLABLE),
        OBJ_ARRAY("poststop", OciHooks, kinds[OCI_HOOK_POSTSTOP], hook_fields, NULLABLE),
        {},
};

/* ---- linux.resources ----------------------------------------------------------------- */

static const JsonField device_rule_fields[] = {
        FIELD("allow", JSON_FIELD_BOOL, OciDeviceRule, allow, REQUIRED),
        FIELD("type", JSON_FIELD_STRING, OciDeviceRule, type, NULLABLE),
        FIELD("major", JSON_FIELD_OPT_I64, OciDeviceRule, major, NULLABLE),
        FIELD("minor", JSON_FIELD_OPT_I64, OciDeviceRule, minor, NULLABLE),
        FIELD("access", JSON_FIELD_STRING, OciDeviceRule, access, NULLABLE),
        {},
};

static const JsonField memory_fields[] = {
        FIELD("limit", JSON_FIELD_OPT_I64, OciMemory, limit, NULLABLE),
        FIELD("reservation", JSON_FIELD_OPT_I64, OciMemory, reservation, NULLABLE),
        FIELD("swap", JSON_FIELD_OPT_I64, OciMemory, swap, NULLABLE),
        FIELD("kernel", JSON_FIELD_OPT_I64, OciMemory, kernel, NULLABLE),
        FIELD("kernelTCP", JSON_FIELD_OPT_I64, OciMemory, kernel_tcp, NULLABLE),
        FIELD("swappiness", JSON_FIELD_OPT_U64, OciMemory, swappiness, NULLABLE),
        FIELD("disableOOMKiller", JSON_FIELD_OPT_BOOL, OciMemory, disable_oom_killer, NULLABLE),
        FIELD("useHierarchy", JSON_FIELD_OPT_BOOL, OciMemory, use_hierarchy, NULLABLE),
        FIELD("checkBeforeUpdate", JSON_FIELD_OPT_BOOL, OciMemory, check_before_update, NULLABLE),
        {},
};

static const JsonField cpu_fields[] = {
        FIELD("shares", JSON_FIELD_OPT_U64, OciCpu, shares, NULLABLE),
        FIELD("quota", JSON_FIELD_OPT_I64, OciCpu, quota, NULLABLE),
        FIELD("burst", JSON_FIELD_OPT_U64, OciCpu, burst, NULLABLE),
        FIELD("period", JSON_FIELD_OPT_U64, OciCpu, period, NULLABLE),
        FIELD("realtimeRuntime", JSON_FIELD_OPT_I64, OciCpu, realtime_runtime, NULLABLE),
        FIELD("realtimePeriod", JSON_FIELD_OPT_U64, OciCpu, realtime_period, NULLABLE),
        FIELD("cpus", JSON_FIELD_STRING, OciCpu, cpus, NULLABLE),
        FIELD("mems", JSON_FIELD_STRING, OciCpu, mems, NULLABLE),
        FIELD("idle", JSON_FIELD_OPT_I64, OciCpu, idle, NULLABLE),
        {},
};

/* limit is REQUIRED in 1.2 but optional from 1.3 on, and 1.3 is accepted. */
static const JsonField pids_fields[] = {
        FIELD("limit", JSON_FIELD_I64, OciPids, limit, NULLABLE),
        {},
};

static const JsonField weight_device_fields[] = {
        FIELD("major", JSON_FIELD_I64, OciWeightDevice, major, REQUIRED),
        FIELD("minor", JSON_FIELD_I64, OciWeightDevice, minor, REQUIRED),
        FIELD("weight", JSON_FIELD_OPT_U64, OciWeightDevice, weight, NULLABLE),
        FIELD("leafWeight", JSON_FIELD_OPT_U64, OciWeightDevice, leaf_weight, NULLABLE),
        {},
};

static const JsonField throttle_device_fields[] = {
        FIELD("major", JSON_FIELD_I64, OciThrottleDevice, major, REQUIRED),
        FIELD("minor", JSON_FIELD_I64, OciThrottleDevice, minor, REQUIRED),
        FIELD("rate", JSON_FIELD_U64, OciThrottleDevice, rate, REQUIRED),
        {},
};

static const JsonField block_io_fields[] = {
        FIELD("weight", JSON_FIELD_OPT_U64, OciBlockIO, weight, NULLABLE),
        FIELD("leafWeight", JSON_FIELD_OPT_U64, OciBlockIO, leaf_weight, NULLABLE),
        OBJ_ARRAY("weightDevice", OciBlockIO, weight_device, weight_device_fields, NULLABLE),
        OBJ_ARRAY("throttleReadBpsDevice", OciBlockIO, throttle_read_bps_device, throttle_device_fields, NULLABLE),
        OBJ_ARRAY("throttleWriteBpsDevice", OciBlockIO, throttle_write_bps_device, throttle_device_fields, NULLABLE),
        OBJ_ARRAY("throttleReadIOPSDevice", OciBlockIO, throttle_read_iops_device, throttle_device_fields, NULLABLE),
        OBJ_ARRAY("throttleWriteIOPSDevice", OciBlockIO, throttle_write_iops_device, throttle_device_fields, NULLABLE),
        {},
};

static const JsonField hugepage_limit_fields[] = {
        FIELD("pageSize", JSON_FIELD_STRING, OciHugepageLimit, page_size, REQUIRED),
        FIELD("limit", JSON_FIELD_U64, OciHugepageLimit, limit, REQUIRED),
        {},
};

static const JsonField net_priority_fields[] = {
        FIELD("name", JSON_FIELD_STRING, OciNetPriority, name, REQUIRED),
        FIELD("priority", JSON_FIELD_U32, OciNetPriority, priority, REQUIRED),
        {},
};

static const JsonField network_fields[] = {
        FIELD("classID", JSON_FIELD_OPT_U64, OciNetwork, class_id, NULLABLE),
        OBJ_ARRAY("priorities", OciNetwork, priorities, net_priority_fields, NULLABLE),
        {},
};

static const JsonField resources_fields[] = {
        OBJ_ARRAY("devices", OciResources, devices, device_rule_fields, NULLABLE),
        OBJ_PTR("memory", OciResources, memory, memory_fields, NULLABLE),
        OBJ_PTR("cpu", OciResources, cpu, cpu_fields, NULLABLE),
        OBJ_PTR("pids", OciResources, pids, pids_fields, NULLABLE),
        OBJ_PTR("blockIO", OciResources, block_io, block_io_fields, NULLABLE),
        OBJ_ARRAY("hugepageLimits", OciResources, hugepage_limits, hugepage_limit_fields, NULLABLE),
        OBJ_PTR("network", OciResources, network, network_fields, NULLABLE),
        FIELD("unified", JSON_FIELD_STRMAP, OciResources, unified, NULLABLE),
        {},
};

/* ---- linux ------------------------------------------------------------------------- */

static int parse_ns_type(const JsonValue *v, void *dst, const char *path, Error *reterr) {
        const char *s = json_str(v);
        if (!s)
                return error_msg(reterr, EINVAL, "%s: expected string, got %s", path, json_type_name(v));
        OciNamespaceType t = oci_ns_type_from_string(s);
        if (t < 0)
                return error_msg(reterr, EINVAL, "%s: unknown namespace type \"%s\"", path, s);
        *(OciNamespaceType *) dst = t;
        return 0;
}

static const JsonField namespace_fields[] = {
        {"type", JSON_FIELD_CUSTOM, offsetof(OciNamespace, type), REQUIRED, .parse = parse_ns_type},
        FIELD("path", JSON_FIELD_STRING, OciNamespace, path, NULLABLE),
        {},
};

static const JsonField time_offset_fields[] = {
        FIELD("secs", JSON_FIELD_I64, OciTimeOffset, secs, NULLABLE),
        FIELD("nanosecs", JSON_FIELD_U32, OciTimeOffset, nanosecs, NULLABLE),
        {},
};

/* Offsets are within OciLinux: timeOffsets fills two of its members. */
static const JsonField time_offsets_fields[] = {
        OBJ_PTR("monotonic", OciLinux, time_offset_monotonic, time_offset_fields, NULLABLE),
        OBJ_PTR("boottime", OciLinux, time_offset_boottime, time_offset_fields, NULLABLE),
        {},
};

#define LINUX_OF_TIME_OFFSETS(dst) ((OciLinux *) ((char *) (dst) -offsetof(OciLinux, time_offset_monotonic)))

/* Strict: the kernel has offsets for these two clocks only, and a clock we
 * would silently skip is a clock the container would silently not get. */
static int parse_time_offsets(const JsonValue *v, void *dst, const char *path, Error *reterr) {
        return json_dispatch(v, time_offsets_fields, LINUX_OF_TIME_OFFSETS(dst), path, JSON_DISPATCH_STRICT, reterr);
}

static void free_time_offsets(void *dst) {
        json_dispatch_free(time_offsets_fields, LINUX_OF_TIME_OFFSETS(dst));
}

static const JsonField device_fields[] = {
        FIELD("type", JSON_FIELD_STRING, OciDevice, type, REQUIRED),
        FIELD("path", JSON_FIELD_STRING, OciDevice, path, REQUIRED),
        FIELD("major", JSON_FIELD_I64, OciDevice, major, NULLABLE),
        FIELD("minor", JSON_FIELD_I64, OciDevice, minor, NULLABLE),
        FIELD("fileMode", JSON_FIELD_OPT_U64, OciDevice, file_mode, NULLABLE),
        FIELD("uid", JSON_FIELD_OPT_U64, OciDevice, uid, NULLABLE),
        FIELD("gid", JSON_FIELD_OPT_U64, OciDevice, gid, NULLABLE),
        {},
};

static const JsonField seccomp_arg_fields[] = {
        FIELD("index", JSON_FIELD_U32, OciSeccompArg, index, REQUIRED),
        FIELD("value", JSON_FIELD_U64, OciSeccompArg, value, REQUIRED),
        FIELD("valueTwo", JSON_FIELD_U64, OciSeccompArg, value_two, NULLABLE),
        FIELD("op", JSON_FIELD_STRING, OciSeccompArg, op, REQUIRED),
        {},
};

static const JsonField seccomp_syscall_fields[] = {
        FIELD("names", JSON_FIELD_STRV, OciSeccompSyscall, names, REQUIRED),
        FIELD("action", JSON_FIELD_STRING, OciSeccompSyscall, action, REQUIRED),
        FIELD("errnoRet", JSON_FIELD_OPT_U64, OciSeccompSyscall, errno_ret, NULLABLE),
        OBJ_ARRAY("args", OciSeccompSyscall, args, seccomp_arg_fields, NULLABLE),
        {},
};

static const JsonField seccomp_fields[] = {
        FIELD("defaultAction", JSON_FIELD_STRING, OciSeccomp, default_action, REQUIRED),
        FIELD("defaultErrnoRet", JSON_FIELD_OPT_U64, OciSeccomp, default_errno_ret, NULLABLE),
        FIELD("architectures", JSON_FIELD_STRV, OciSeccomp, architectures, NULLABLE),
        FIELD("flags", JSON_FIELD_STRV, OciSeccomp, flags, NULLABLE),
        FIELD("listenerPath", JSON_FIELD_STRING, OciSeccomp, listener_path, NULLABLE),
        FIELD("listenerMetadata", JSON_FIELD_STRING, OciSeccomp, listener_metadata, NULLABLE),
        OBJ_ARRAY("syscalls", OciSeccomp, syscalls, seccomp_syscall_fields, NULLABLE),
        {},
};

static const JsonField personality_fields[] = {
        FIELD("domain", JSON_FIELD_STRING, OciPersonality, domain, REQUIRED),
        FIELD("flags", JSON_FIELD_STRV, OciPersonality, flags, NULLABLE),
        {},
};

static const JsonField linux_fields[] = {
        OBJ_ARRAY("namespaces", OciLinux, namespaces, namespace_fields, NULLABLE),
        OBJ_ARRAY("uidMappings", OciLinux, uid_mappings, id_mapping_fields, NULLABLE),
        OBJ_ARRAY("gidMappings", OciLinux, gid_mappings, id_mapping_fields, NULLABLE),
        {"timeOffsets", JSON_FIELD_CUSTOM, offsetof(OciLinux, time_offset_monotonic), NULLABLE,
         .parse = parse_time_offsets, .free = free_time_offsets},
        OBJ_ARRAY("devices", OciLinux, devices, device_fields, NULLABLE),
        FIELD("cgroupsPath", JSON_FIELD_STRING, OciLinux, cgroups_path, NULLABLE),
        OBJ_PTR("resources", OciLinux, resources, resources_fields, NULLABLE),
        FIELD("sysctl", JSON_FIELD_STRMAP, OciLinux, sysctl, NULLABLE),
        OBJ_PTR("seccomp", OciLinux, seccomp, seccomp_fields, NULLABLE),
        FIELD("rootfsPropagation", JSON_FIELD_STRING, OciLinux, rootfs_propagation, NULLABLE),
        FIELD("maskedPaths", JSON_FIELD_STRV, OciLinux, masked_paths, NULLABLE),
        FIELD("readonlyPaths", JSON_FIELD_STRV, OciLinux, readonly_paths, NULLABLE),
        FIELD("mountLabel", JSON_FIELD_STRING, OciLinux, mount_label, NULLABLE),
        OBJ_PTR("personality", OciLinux, personality, personality_fields, NULLABLE),
        {},
};

static const JsonField spec_fields[] = {
        FIELD("ociVersion", JSON_FIELD_STRING, OciSpec, oci_version, REQUIRED),
        OBJ_PTR("process", OciSpec, process, process_fields, NULLABLE),
        OBJ_PTR("root", OciSpec, root, root_fields, NULLABLE),
        FIELD("hostname", JSON_FIELD_STRING, OciSpec, hostname, NULLABLE),
        FIELD("domainname", JSON_FIELD_STRING, OciSpec, domainname, NULLABLE),
        OBJ_ARRAY("mounts", OciSpec, mounts, mount_fields, NULLABLE),
        OBJ_PTR("hooks", OciSpec, hooks, hooks_fields, NULLABLE),
        FIELD("annotations", JSON_FIELD_STRMAP, OciSpec, annotations, NULLABLE),
        OBJ_PTR("linux", OciSpec, linux_, linux_fields, NULLABLE),
        {},
};

/* ---- checks beyond types ------------------------------------------------------------- */

/* path + "." when path is not empty, for "%s%sfield" messages. */
#define SUB(path) (path), (*(path) ? "." : "")

static bool str_in(const char *s, const char *const *set) {
        for (; s && *set; set++)
                if (strcmp(s, *set) == 0)
                        return true;
        return false;
}

static int check_version(const char *v, Error *reterr) {
        /* 1.x: the spec keeps compatibility within a major version. */
        if (!str_startswith(v, "1.") || v[2] < '0' || v[2] > '9')
                return error_msg(reterr, EINVAL, "ociVersion: unsupported version \"%s\" (berth supports 1.x)", v);
        return 0;
}

static int check_process(const OciProcess *p, const char *path, Error *reterr) {
        static const char *const ioprio_classes[] = {"IOPRIO_CLASS_RT", "IOPRIO_CLASS_BE", "IOPRIO_CLASS_IDLE", NULL};
        static const char *const sched_policies[] = {"SCHED_OTHER", "SCHED_FIFO", "SCHED_RR",       "SCHED_BATCH",
                                                     "SCHED_ISO",   "SCHED_IDLE", "SCHED_DEADLINE", NULL};

        if (!p->args || !p->args[0])
                return error_msg(reterr, EINVAL, "%s%sargs: must not be empty", SUB(path));
        if (p->cwd[0] != '/')
                return error_msg(reterr, EINVAL, "%s%scwd: must be an absolute path, got \"%s\"", SUB(path), p->cwd);

        bool seen[64] = {};
        for (size_t i = 0; i < p->rlimits.n; i++) {
                const OciRlimit *rl = &p->rlimits.items[i];
                int id = oci_rlimit_from_string(rl->type);
                if (id < 0)
                        return error_msg(reterr, EINVAL, "%s%srlimits[%zu].type: unknown rlimit \"%s\"", SUB(path), i,
                                         rl->type);
                if ((size_t) id < ELEMENTSOF(seen) && seen[id])
                        return error_msg(reterr, EINVAL, "%s%srlimits[%zu].type: \"%s\" is set twice", SUB(path), i,
                                         rl->type);
                if ((size_t) id < ELEMENTSOF(seen))
                        seen[id] = true;
                if (rl->soft > rl->hard)
                        return error_msg(reterr, EINVAL,
                                         "%s%srlimits[%zu]: soft limit %" PRIu64 " is above the hard limit %" PRIu64,
                                         SUB(path), i, rl->soft, rl->hard);
        }

        if (p->io_priority) {
                if (!str_in(p->io_priority->class, ioprio_classes))
                        return error_msg(reterr, EINVAL,
                                         "%s%sioPriority.class: unknown class \"%s\" (IOPRIO_CLASS_RT, IOPRIO_CLASS_BE "
                                         "or IOPRIO_CLASS_IDLE)",
                                         SUB(path), p->io_priority->class);
                if (p->io_priority->priority < 0 || p->io_priority->priority > 7)
                        return error_msg(reterr, EINVAL, "%s%sioPriority.priority: %d is out of range (0..7)",
                                         SUB(path), (int) p->io_priority->priority);
        }
        if (p->scheduler && !str_in(p->scheduler->policy, sched_policies))
                return error_msg(reterr, EINVAL, "%s%sscheduler.policy: unknown policy \"%s\"", SUB(path),
                                 p->scheduler->policy);
        return 0;
}

static int check_hooks(const OciHooks *h, Error *reterr) {
        for (OciHookKind k = 0; k < _OCI_HOOK_KIND_MAX; k++)
                for (size_t i = 0; i < h->kinds[k].n; i++) {
                        const OciHook *hook = &h->kinds[k].items[i];
                        if (hook->path[0] != '/')
                                return error_msg(reterr, EINVAL,
                                                 "hooks.%s[%zu].path: must be an absolute path, got \"%s\"",
                                                 oci_hook_kind_to_string(k), i, hook->path);
                        if (hook->timeout.set && hook->timeout.value <= 0)
                                return error_msg(reterr, EINVAL, "hooks.%s[%zu].timeout: must be greater than zero",
                                                 oci_hook_kind_to_string(k), i);
                }
        return 0;
}

static int check_resources(const OciResources *r, const char *path, Error *reterr) {
        static const char *const rule_types[] = {"a", "c", "b", NULL};
        for (size_t i = 0; i < r->devices.n; i++) {
                const OciDeviceRule *d = &r->devices.items[i];
                if (d->type && !str_in(d->type, rule_types))
                        return error_msg(reterr, EINVAL,
                                         "%s%sdevices[%zu].type: unknown device type \"%s\" (a, c or b)", SUB(path), i,
                                         d->type);
                if (d->access && strspn(d->access, "rwm") != strlen(d->access))
                        return error_msg(reterr, EINVAL,
                                         "%s%sdevices[%zu].access: \"%s\" is not a combination of r, w and m",
                                         SUB(path), i, d->access);
        }
        /* The runtime spec's range. 0 means unset: docker sends it so. */
        const OciBlockIO *b = r->block_io;
        if (b && b->weight.set && b->weight.value && (b->weight.value < 10 || b->weight.value > 1000))
                return error_msg(reterr, EINVAL, "%s%sblockIO.weight: %" PRIu64 " is out of range (10-1000)", SUB(path),
                                 b->weight.value);
        if (b && b->leaf_weight.set && b->leaf_weight.value && (b->leaf_weight.value < 10 || b->leaf_weight.value > 1000))
                return error_msg(reterr, EINVAL, "%s%sblockIO.leafWeight: %" PRIu64 " is out of range (10-1000)",
                                 SUB(path), b->leaf_weight.value);
        for (size_t i = 0; b && i < b->weight_device.n; i++) {
                const OciWeightDevice *w = &b->weight_device.items[i];
                if ((w->weight.set && w->weight.value && (w->weight.value < 10 || w->weight.value > 1000)) ||
                    (w->leaf_weight.set && w->leaf_weight.value &&
                     (w->leaf_weight.value < 10 || w->leaf_weight.value > 1000)))
                        return error_msg(reterr, EINVAL, "%s%sblockIO.weightDevice[%zu]: weight is out of range (10-1000)",
                                         SUB(path), i);
        }
        return 0;
}

static int check_linux(const OciLinux *l, Error *reterr) {
        static const char *const device_types[] = {"c", "b", "u", "p", NULL};
        static const char *const domains[] = {"LINUX", "LINUX32", NULL};

        bool seen[_OCI_NS_MAX] = {};
        for (size_t i = 0; i < l->namespaces.n; i++) {
                OciNamespaceType t = l->namespaces.items[i].type;
                if (seen[t])
                        return error_msg(reterr, EINVAL, "linux.namespaces[%zu].type: duplicate namespace type \"%s\"",
                                         i, oci_ns_type_to_string(t));
                seen[t] = true;
        }

        const struct {
                const char *name;
                const OciTimeOffset *o;
        } offsets[] = {{"monotonic", l->time_offset_monotonic}, {"boottime", l->time_offset_boottime}};
        for (size_t i = 0; i < ELEMENTSOF(offsets); i++)
                if (offsets[i].o && offsets[i].o->nanosecs >= 1000000000u)
                        return error_msg(reterr, EINVAL,
                                         "linux.timeOffsets.%s.nanosecs: %" PRIu32 " is out of range (0..999999999)",
                                         offsets[i].name, offsets[i].o->nanosecs);

        for (size_t i = 0; i < l->devices.n; i++) {
                const OciDevice *d = &l->devices.items[i];
                if (!str_in(d->type, device_types))
                        return error_msg(reterr, EINVAL,
                                         "linux.devices[%zu].type: unknown device type \"%s\" (c, b, u or p)", i,
                                         d->type);
                const struct {
                        const char *name;
                        const OptU64 *v;
                } ids[] = {{"fileMode", &d->file_mode}, {"uid", &d->uid}, {"gid", &d->gid}};
                for (size_t j = 0; j < ELEMENTSOF(ids); j++)
                        if (ids[j].v->set && ids[j].v->value > UINT32_MAX)
                                return error_msg(reterr, EINVAL,
                                                 "linux.devices[%zu].%s: %" PRIu64 " is out of range (0..4294967295)",
                                                 i, ids[j].name, ids[j].v->value);
        }

        int r;
        if (l->resources && (r = check_resources(l->resources, "linux.resources", reterr)) < 0)
                return r;
        if (l->personality && !str_in(l->personality->domain, domains))
                return error_msg(reterr, EINVAL, "linux.personality.domain: unknown domain \"%s\" (LINUX or LINUX32)",
                                 l->personality->domain);
        return 0;
}

static int check_spec(const void *p, Error *reterr) {
        const OciSpec *s = p;
        int r;
        if ((r = check_version(s->oci_version, reterr)) < 0)
                return r;
        if (s->process && (r = check_process(s->process, "process", reterr)) < 0)
                return r;
        if (s->hooks && (r = check_hooks(s->hooks, reterr)) < 0)
                return r;
        if (s->linux_ && (r = check_linux(s->linux_, reterr)) < 0)
                return r;
        return 0;
}

static int check_process_doc(const void *p, Error *reterr) {
        return check_process(p, "", reterr);
}

static int check_resources_doc(const void *p, Error *reterr) {
        return check_resources(p, "", reterr);
}

/* ---- entry points ----------------------------------------------------------------- */

/* what names the document in messages, or NULL when the caller will. */
static int parse_document(const char *buf, size_t len, const char *what, const JsonField *table, size_t size,
                          int (*check)(const void *obj, Error *reterr), void **ret, Error *reterr) {
        _cleanup_json_ JsonValue *v = NULL;
        int r = json_parse_buf(buf, len, what, &v, reterr);
        if (r < 0)
                return r;
        void *obj = calloc(1, size);
        if (!obj)
                return error_set(reterr, ENOMEM, "%s", what ? what : "parsing");
        r = json_dispatch(v, table, obj, "", 0, reterr);
        if (r >= 0)
                r = check(obj, reterr);
        if (r < 0) {
                json_dispatch_free(table, obj);
                free(obj);
                return what ? error_wrap(reterr, "%s", what) : r;
        }
        *ret = obj;
        return 0;
}

static int spec_parse_named(const char *buf, size_t len, const char *what, OciSpec **ret, Error *reterr) {
        void *obj = NULL;
        int r = parse_document(buf, len, what, spec_fields, sizeof(OciSpec), check_spec, &obj, reterr);
        if (r >= 0)
                *ret = obj;
        return r;
}

int oci_spec_parse(const char *buf, size_t len, OciSpec **ret, Error *reterr) {
        return spec_parse_named(buf, len, "config.json", ret, reterr);
}

int oci_spec_load(const char *path, OciSpec **ret, Error *reterr) {
        _cleanup_free_ char *buf = NULL;
        size_t len = 0;
        int r = json_read_file(path, &buf, &len, reterr);
        return r < 0 ? r : spec_parse_named(buf, len, path, ret, reterr);
}

OciSpec *oci_spec_free(OciSpec *s) {
        if (!s)
                return NULL;
        json_dispatch_free(spec_fields, s);
        free(s);
        return NULL;
}

int oci_process_parse(const char *buf, size_t len, OciProcess **ret, Error *reterr) {
        void *obj = NULL;
        int r = parse_document(buf, len, NULL, process_fields, sizeof(OciProcess), check_process_doc, &obj, reterr);
        if (r >= 0)
                *ret = obj;
        return r;
}

OciProcess *oci_process_free(OciProcess *p) {
        if (!p)
                return NULL;
        json_dispatch_free(process_fields, p);
        free(p);
        return NULL;
}

int oci_resources_parse(const char *buf, size_t len, OciResources **ret, Error *reterr) {
        void *obj = NULL;
        int r = parse_document(buf, len, NULL, resources_fields, sizeof(OciResources), check_resources_doc, &obj,
                               reterr);
        if (r >= 0)
                *ret = obj;
        return r;
}

OciResources *oci_resources_free(OciResources *r) {
        if (!r)
                return NULL;
        json_dispatch_free(resources_fields, r);
        free(r);
        return NULL;
}

const OciNamespace *oci_spec_find_namespace(const OciSpec *s, OciNamespaceType t) {
        if (!s || !s->linux_)
                return NULL;
        for (size_t i = 0; i < s->linux_->namespaces.n; i++)
                if (s->linux_->namespaces.items[i].type == t)
                        return &s->linux_->namespaces.items[i];
        return NULL;
}
