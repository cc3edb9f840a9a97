/* names: the string tables of the runtime spec — namespace types (with their
 * /proc name and clone flag), hook kinds, container statuses and rlimit
 * names. Each has one table; _to_string and _from_string both read it. */
#include <sched.h>
#include <sys/resource.h>

#include "oci.h"

#ifndef CLONE_NEWCGROUP
#define CLONE_NEWCGROUP 0x02000000
#endif
#ifndef CLONE_NEWTIME
#define CLONE_NEWTIME 0x00000080
#endif

static int name_lookup(const char *const *table, size_t n, const char *s) {
        if (!s)
                return -EINVAL;
        for (size_t i = 0; i < n; i++)
                if (table[i] && strcmp(table[i], s) == 0)
                        return (int) i;
        return -EINVAL;
}

static const struct {
        const char *name;
        const char *proc_name;
        int clone_flag;
} ns_table[_OCI_NS_MAX] = {
        [OCI_NS_PID] = {"pid", "pid", CLONE_NEWPID},
        [OCI_NS_NETWORK] = {"network", "net", CLONE_NEWNET},
        [OCI_NS_MOUNT] = {"mount", "mnt", CLONE_NEWNS},
        [OCI_NS_IPC] = {"ipc", "ipc", CLONE_NEWIPC},
        [OCI_NS_UTS] = {"uts", "uts", CLONE_NEWUTS},
        [OCI_NS_USER] = {"user", "user", CLONE_NEWUSER},
        [OCI_NS_CGROUP] = {"cgroup", "cgroup", CLONE_NEWCGROUP},
        [OCI_NS_TIME] = {"time", "time", CLONE_NEWTIME},
};

const char *oci_ns_type_to_string(OciNamespaceType t) {
        return t >= 0 && t < _OCI_NS_MAX ? ns_table[t].name : NULL;
}

OciNamespaceType oci_ns_type_from_string(const char *s) {
        for (size_t i = 0; s && i < ELEMENTSOF(ns_table); i++)
                if (strcmp(ns_table[i].name, s) == 0)
                        return (OciNamespaceType) i;
        return _OCI_NS_INVALID;
}

const char *oci_ns_type_to_proc_name(OciNamespaceType t) {
        return t >= 0 && t < _OCI_NS_MAX ? ns_table[t].proc_name : NULL;
}

int oci_ns_type_to_clone_flag(OciNamespaceType t) {
        return t >= 0 && t < _OCI_NS_MAX ? ns_table[t].clone_flag : -EINVAL;
}

static const char *const hook_kind_table[_OCI_HOOK_KIND_MAX] = {
        [OCI_HOOK_PRESTART] = "prestart",
        [OCI_HOOK_CREATE_RUNTIME] = "createRuntime",
        [OCI_HOOK_CREATE_CONTAINER] = "createContainer",
        [OCI_HOOK_START_CONTAINER] = "startContainer",
        [OCI_HOOK_POSTSTART] = "poststart",
        [OCI_HOOK_POSTSTOP] = "poststop",
};

const char *oci_hook_kind_to_string(OciHookKind k) {
        return k >= 0 && k < _OCI_HOOK_KIND_MAX ? hook_kind_table[k] : NULL;
}

OciHookKind oci_hook_kind_from_string(const char *s) {
        return (OciHookKind) name_lookup(hook_kind_table, ELEMENTSOF(hook_kind_table), s);
}

static const char *const status_table[_OCI_STATUS_MAX] = {
        [OCI_STATUS_CREATING] = "creating", [OCI_STATUS_CREATED] = "created", [OCI_STATUS_RUNNING] = "running",
        [OCI_STATUS_PAUSED] = "paused",     [OCI_STATUS_STOPPED] = "stopped",
};

const char *oci_status_to_string(OciStatus s) {
        return s >= 0 && s < _OCI_STATUS_MAX ? status_table[s] : NULL;
}

OciStatus oci_status_from_string(const char *s) {
        return (OciStatus) name_lookup(status_table, ELEMENTSOF(status_table), s);
}

/* Indexed by the RLIMIT_ constant, which runs 0..RLIMIT_NLIMITS-1 on Linux. */
static const char *const rlimit_table[] = {
        [RLIMIT_AS] = "RLIMIT_AS",
        [RLIMIT_CORE] = "RLIMIT_CORE",
        [RLIMIT_CPU] = "RLIMIT_CPU",
        [RLIMIT_DATA] = "RLIMIT_DATA",
        [RLIMIT_FSIZE] = "RLIMIT_FSIZE",
        [RLIMIT_LOCKS] = "RLIMIT_LOCKS",
        [RLIMIT_MEMLOCK] = "RLIMIT_MEMLOCK",
        [RLIMIT_MSGQUEUE] = "RLIMIT_MSGQUEUE",
        [RLIMIT_NICE] = "RLIMIT_NICE",
        [RLIMIT_NOFILE] = "RLIMIT_NOFILE",
        [RLIMIT_NPROC] = "RLIMIT_NPROC",
        [RLIMIT_RSS] = "RLIMIT_RSS",
        [RLIMIT_RTPRIO] = "RLIMIT_RTPRIO",
        [RLIMIT_RTTIME] = "RLIMIT_RTTIME",
        [RLIMIT_SIGPENDING] = "RLIMIT_SIGPENDING",
        [RLIMIT_STACK] = "RLIMIT_STACK",
};

const char *oci_rlimit_to_string(int resource) {
        return resource >= 0 && (size_t) resource < ELEMENTSOF(rlimit_table) ? rlimit_table[resource] : NULL;
}

int oci_rlimit_from_string(const char *s) {
        return name_lookup(rlimit_table, ELEMENTSOF(rlimit_table), s);
}
