/* spec-default: the config.json that `spec` writes — runc's example spec
 * (libcontainer/specconv) with berth's hostname, and runc's rootless
 * rewrite of it: no network namespace, a user namespace mapping the caller,
 * /sys bind-mounted instead of a new sysfs, no uid=/gid= mount options and
 * no cgroup resources. */
#include <sys/statfs.h>
#include <sys/vfs.h>

#include "oci.h"

#ifndef CGROUP2_SUPER_MAGIC
#define CGROUP2_SUPER_MAGIC 0x63677270
#endif

typedef struct DefaultMount {
        const char *destination;
        const char *type;
        const char *source;
        char *const *options;
} DefaultMount;

static const DefaultMount default_mounts[] = {
        {"/proc", "proc", "proc", NULL},
        {"/dev", "tmpfs", "tmpfs", (char *const[]){"nosuid", "strictatime", "mode=755", "size=65536k", NULL}},
        {"/dev/pts", "devpts", "devpts",
         (char *const[]){"nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5", NULL}},
        {"/dev/shm", "tmpfs", "shm", (char *const[]){"nosuid", "noexec", "nodev", "mode=1777", "size=65536k", NULL}},
        {"/dev/mqueue", "mqueue", "mqueue", (char *const[]){"nosuid", "noexec", "nodev", NULL}},
        {"/sys", "sysfs", "sysfs", (char *const[]){"nosuid", "noexec", "nodev", "ro", NULL}},
        {"/sys/fs/cgroup", "cgroup", "cgroup", (char *const[]){"nosuid", "noexec", "nodev", "relatime", "ro", NULL}},
};

/* A user namespace cannot mount a new sysfs for a network namespace it
 * does not own, so rootless bind-mounts the host's. */
static const DefaultMount rootless_sys = {
        "/sys",
        "none",
        "/sys",
        (char *const[]){"rbind", "nosuid", "noexec", "nodev", "ro", NULL},
};

static char *const default_caps[] = {"CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE", NULL};

static char *const default_env[] = {"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "TERM=xterm",
                                    NULL};

static char *const masked_paths[] = {"/proc/acpi",
                                     "/proc/asound",
                                     "/proc/kcore",
                                     "/proc/keys",
                                     "/proc/latency_stats",
                                     "/proc/timer_list",
                                     "/proc/timer_stats",
                                     "/proc/sched_debug",
                                     "/sys/firmware",
                                     "/proc/scsi",
                                     "/sys/devices/virtual/tpm",
                                     NULL};

static char *const readonly_paths[] = {"/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger", NULL};

static JsonValue *strv_without_id_options(char *const *options) {
        _cleanup_json_ JsonValue *a = json_new_array();
        if (!a)
                return NULL;
        for (size_t i = 0; options[i]; i++) {
                /* Only the caller's ids exist in the user namespace. */
                if (str_startswith(options[i], "uid=") || str_startswith(options[i], "gid="))
                        continue;
                if (json_arr_append(a, json_new_string(options[i])) < 0)
                        return NULL;
        }
        return TAKE_PTR(a);
}

static JsonValue *mount_new(const DefaultMount *m, bool rootless) {
        _cleanup_json_ JsonValue *o = json_new_object();
        if (!o || json_obj_set_str(o, "destination", m->destination) < 0 || json_obj_set_str(o, "type", m->type) < 0 ||
            json_obj_set_str(o, "source", m->source) < 0)
                return NULL;
        if (m->options &&
            json_obj_set(o, "options", rootless ? strv_without_id_options(m->options) : json_new_strv(m->options)) < 0)
                return NULL;
        return TAKE_PTR(o);
}

static JsonValue *id_mappings_new(uint32_t host_id) {
        _cleanup_json_ JsonValue *a = json_new_array();
        _cleanup_json_ JsonValue *m = json_new_object();
        if (!a || !m || json_obj_set_int(m, "containerID", 0) < 0 || json_obj_set_int(m, "hostID", host_id) < 0 ||
            json_obj_set_int(m, "size", 1) < 0 || json_arr_append(a, TAKE_PTR(m)) < 0)
                return NULL;
        return TAKE_PTR(a);
}

static JsonValue *process_new(void) {
        _cleanup_json_ JsonValue *p = json_new_object();
        _cleanup_json_ JsonValue *user = json_new_object();
        _cleanup_json_ JsonValue *caps = json_new_object();
        _cleanup_json_ JsonValue *rlimits = json_new_array();
        _cleanup_json_ JsonValue *nofile = json_new_object();
        _cleanup_json_ JsonValue *args = json_new_array();
        if (!p || !user || !caps || !rlimits || !nofile || !args)
                return NULL;

        if (json_obj_set_int(user, "uid", 0) < 0 || json_obj_set_int(user, "gid", 0) < 0 ||
            json_arr_append(args, json_new_string("sh")) < 0 ||
            json_obj_set(caps, "bounding", json_new_strv(default_caps)) < 0 ||
            json_obj_set(caps, "effective", json_new_strv(default_caps)) < 0 ||
            json_obj_set(caps, "permitted", json_new_strv(default_caps)) < 0 ||
            json_obj_set_str(nofile, "type", "RLIMIT_NOFILE") < 0 || json_obj_set_int(nofile, "hard", 1024) < 0 ||
            json_obj_set_int(nofile, "soft", 1024) < 0 || json_arr_append(rlimits, TAKE_PTR(nofile)) < 0)
                return NULL;

        if (json_obj_set_bool(p, "terminal", true) < 0 || json_obj_set(p, "user", TAKE_PTR(user)) < 0 ||
            json_obj_set(p, "args", TAKE_PTR(args)) < 0 || json_obj_set(p, "env", json_new_strv(default_env)) < 0 ||
            json_obj_set_str(p, "cwd", "/") < 0 || json_obj_set(p, "capabilities", TAKE_PTR(caps)) < 0 ||
            json_obj_set(p, "rlimits", TAKE_PTR(rlimits)) < 0 || json_obj_set_bool(p, "noNewPrivileges", true) < 0)
                return NULL;
        return TAKE_PTR(p);
}

static bool cgroup2_unified(void) {
        struct statfs fs;
        return statfs("/sys/fs/cgroup", &fs) == 0 && (unsigned long) fs.f_type == CGROUP2_SUPER_MAGIC;
}

static JsonValue *linux_new(bool rootless, uid_t uid, gid_t gid) {
        static const OciNamespaceType namespaces[] = {OCI_NS_PID, OCI_NS_NETWORK, OCI_NS_IPC, OCI_NS_UTS, OCI_NS_MOUNT};
        _cleanup_json_ JsonValue *l = json_new_object();
        _cleanup_json_ JsonValue *ns = json_new_array();
        if (!l || !ns)
                return NULL;

        for (size_t i = 0; i < ELEMENTSOF(namespaces); i++) {
                if (rootless && namespaces[i] == OCI_NS_NETWORK)
                        continue;
                _cleanup_json_ JsonValue *o = json_new_object();
                if (!o || json_obj_set_str(o, "type", oci_ns_type_to_string(namespaces[i])) < 0 ||
                    json_arr_append(ns, TAKE_PTR(o)) < 0)
                        return NULL;
        }
        /* As runc: a cgroup namespace only where the host has the unified
         * hierarchy, where it gives the container a clean /sys/fs/cgroup. */
        OciNamespaceType extra[2];
        size_t n_extra = 0;
        if (cgroup2_unified())
                extra[n_extra++] = OCI_NS_CGROUP;
        if (rootless)
                extra[n_extra++] = OCI_NS_USER;
        for (size_t i = 0; i < n_extra; i++) {
                _cleanup_json_ JsonValue *o = json_new_object();
                if (!o || json_obj_set_str(o, "type", oci_ns_type_to_string(extra[i])) < 0 ||
                    json_arr_append(ns, TAKE_PTR(o)) < 0)
                        return NULL;
        }

        if (rootless) {
                if (json_obj_set(l, "uidMappings", id_mappings_new((uint32_t) uid)) < 0 ||
                    json_obj_set(l, "gidMappings", id_mappings_new((uint32_t) gid)) < 0)
                        return NULL;
        } else {
                _cleanup_json_ JsonValue *resources = json_new_object();
                _cleanup_json_ JsonValue *devices = json_new_array();
                _cleanup_json_ JsonValue *deny_all = json_new_object();
                if (!resources || !devices || !deny_all || json_obj_set_bool(deny_all, "allow", false) < 0 ||
                    json_obj_set_str(deny_all, "access", "rwm") < 0 ||
                    json_arr_append(devices, TAKE_PTR(deny_all)) < 0 ||
                    json_obj_set(resources, "devices", TAKE_PTR(devices)) < 0 ||
                    json_obj_set(l, "resources", TAKE_PTR(resources)) < 0)
                        return NULL;
        }

        if (json_obj_set(l, "namespaces", TAKE_PTR(ns)) < 0 ||
            json_obj_set(l, "maskedPaths", json_new_strv(masked_paths)) < 0 ||
            json_obj_set(l, "readonlyPaths", json_new_strv(readonly_paths)) < 0)
                return NULL;
        return TAKE_PTR(l);
}

int oci_spec_default_json(bool rootless, uid_t uid, gid_t gid, char **ret) {
        _cleanup_json_ JsonValue *spec = json_new_object();
        _cleanup_json_ JsonValue *root = json_new_object();
        _cleanup_json_ JsonValue *mounts = json_new_array();
        if (!spec || !root || !mounts)
                return -ENOMEM;

        for (size_t i = 0; i < ELEMENTSOF(default_mounts); i++) {
                const DefaultMount *m = &default_mounts[i];
                if (rootless && strcmp(m->destination, "/sys") == 0)
                        m = &rootless_sys;
                if (json_arr_append(mounts, mount_new(m, rootless)) < 0)
                        return -ENOMEM;
        }

        if (json_obj_set_str(root, "path", "rootfs") < 0 || json_obj_set_bool(root, "readonly", true) < 0 ||
            json_obj_set_str(spec, "ociVersion", OCI_VERSION) < 0 || json_obj_set(spec, "process", process_new()) < 0 ||
            json_obj_set(spec, "root", TAKE_PTR(root)) < 0 || json_obj_set_str(spec, "hostname", "berth") < 0 ||
            json_obj_set(spec, "mounts", TAKE_PTR(mounts)) < 0 ||
            json_obj_set(spec, "linux", linux_new(rootless, uid, gid)) < 0)
                return -ENOMEM;

        char *text = json_dump(spec, JSON_DUMP_PRETTY);
        if (!text)
                return -ENOMEM;
        *ret = text;
        return 0;
}
