/* Capabilities: names from the spec checked in the parent, applied in the
 * child with capset(2), PR_CAPBSET_DROP and PR_CAP_AMBIENT. */
#include <linux/capability.h>
#include <sys/prctl.h>
#include <sys/syscall.h>

#include "container.h"

static const char *const cap_table[] = {
        "CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_DAC_READ_SEARCH", "CAP_FOWNER", "CAP_FSETID", "CAP_KILL",
        "CAP_SETGID", "CAP_SETUID", "CAP_SETPCAP", "CAP_LINUX_IMMUTABLE", "CAP_NET_BIND_SERVICE",
        "CAP_NET_BROADCAST", "CAP_NET_ADMIN", "CAP_NET_RAW", "CAP_IPC_LOCK", "CAP_IPC_OWNER",
        "CAP_SYS_MODULE", "CAP_SYS_RAWIO", "CAP_SYS_CHROOT", "CAP_SYS_PTRACE", "CAP_SYS_PACCT",
        "CAP_SYS_ADMIN", "CAP_SYS_BOOT", "CAP_SYS_NICE", "CAP_SYS_RESOURCE", "CAP_SYS_TIME",
        "CAP_SYS_TTY_CONFIG", "CAP_MKNOD", "CAP_LEASE", "CAP_AUDIT_WRITE", "CAP_AUDIT_CONTROL",
        "CAP_SETFCAP", "CAP_MAC_OVERRIDE", "CAP_MAC_ADMIN", "CAP_SYSLOG", "CAP_WAKE_ALARM",
        "CAP_BLOCK_SUSPEND", "CAP_AUDIT_READ", "CAP_PERFMON", "CAP_BPF", "CAP_CHECKPOINT_RESTORE",
};

int cap_from_name(const char *name) {
        for (size_t i = 0; i < ELEMENTSOF(cap_table); i++)
                if (strcasecmp(cap_table[i], name) == 0 || strcasecmp(cap_table[i] + 4, name) == 0)
                        return (int) i;
        return -EINVAL;
}

const char *cap_to_name(int cap) {
        return cap >= 0 && (size_t) cap < ELEMENTSOF(cap_table) ? cap_table[cap] : NULL;
}

int cap_last_cap(void) {
        static int last = -1;
        if (last >= 0)
                return last;
        _cleanup_free_ char *s = NULL;
        uint32_t v;
        if (read_file("/proc/sys/kernel/cap_last_cap", 64, &s, NULL) >= 0) {
                s[strcspn(s, "\n")] = '\0';
                if (parse_uint32(s, &v) >= 0 && v < 64)
                        return last = (int) v;
        }
        return last = (int) ELEMENTSOF(cap_table) - 1;
}

static int caps_set_from_names(char *const *names, const char *set, uint64_t *ret, Error *reterr) {
        uint64_t mask = 0;
        int last = cap_last_cap();
        for (size_t i = 0; names && names[i]; i++) {
                int c = cap_from_name(names[i]);
                if (c < 0)
                        return error_msg(reterr, EINVAL, "process.capabilities.%s: unknown capability \"%s\"", set,
                                         names[i]);
                /* A capability the kernel does not know is skipped, as runc
                 * does, so that one spec serves old and new kernels. */
                if (c > last) {
                        log_debug("capability %s not known to this kernel, skipped", names[i]);
                        continue;
                }
                mask |= UINT64_C(1) << c;
        }
        *ret = mask;
        return 0;
}

int caps_from_oci(const OciCapabilities *c, CapSets *ret, Error *reterr) {
        CapSets s = {};
        int r;
        if (!c) {
                *ret = s;
                return 0;
        }
        if ((r = caps_set_from_names(c->bounding, "bounding", &s.bounding, reterr)) < 0 ||
            (r = caps_set_from_names(c->effective, "effective", &s.effective, reterr)) < 0 ||
            (r = caps_set_from_names(c->inheritable, "inheritable", &s.inheritable, reterr)) < 0 ||
            (r = caps_set_from_names(c->permitted, "permitted", &s.permitted, reterr)) < 0 ||
            (r = caps_set_from_names(c->ambient, "ambient", &s.ambient, reterr)) < 0)
                return r;
        *ret = s;
        return 0;
}

int caps_drop_bounding(const CapSets *c) {
        int last = cap_last_cap();
        for (int i = 0; i <= last; i++)
                if (!(c->bounding & (UINT64_C(1) << i)) && prctl(PR_CAPBSET_DROP, i, 0, 0, 0) < 0 && errno != EINVAL)
                        return -errno;
        return 0;
}

int caps_apply(const CapSets *c) {
        int last = cap_last_cap();
        struct __user_cap_header_struct h = { .version = _LINUX_CAPABILITY_VERSION_3, .pid = 0 };
        struct __user_cap_data_struct d[2] = {
                { (uint32_t) c->effective, (uint32_t) c->permitted, (uint32_t) c->inheritable },
                { (uint32_t) (c->effective >> 32), (uint32_t) (c->permitted >> 32),
                  (uint32_t) (c->inheritable >> 32) },
        };
        if (syscall(SYS_capset, &h, d) < 0)
                return -errno;

        if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0 && errno != EINVAL)
                return -errno;
        for (int i = 0; i <= last; i++)
                /* The kernel refuses an ambient cap that is not both permitted
                 * and inheritable; runc ignores that too. */
                if ((c->ambient & (UINT64_C(1) << i)) && prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, i, 0, 0) < 0)
                        log_debug("cannot raise ambient capability %d: %m", i);
        return 0;
}
