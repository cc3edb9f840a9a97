/* Namespaces: which to create (clone flags) and which to join (fds opened in
 * the parent, so a bad path fails before anything is made), user namespace
 * id maps, and time namespace offsets. */
#include <inttypes.h>
#include <sched.h>
#include <sys/stat.h>

#include "container.h"

#ifndef CLONE_NEWTIME
#define CLONE_NEWTIME 0x00000080
#endif

static char *id_map_format(const OciIdMapping *m, size_t n) {
        size_t cap = n * 40 + 1, len = 0;
        char *s = malloc(cap);
        if (!s)
                return NULL;
        s[0] = '\0';
        for (size_t i = 0; i < n; i++)
                len += (size_t) snprintf(s + len, cap - len, "%u %u %u\n", m[i].container_id, m[i].host_id, m[i].size);
        return s;
}

int ns_plan_make(const OciSpec *spec, NsPlan *ret, Error *reterr) {
        NsPlan p = { .clone_flags = 0 };
        for (int i = 0; i < _OCI_NS_MAX; i++)
                p.join_fd[i] = -1;
        const OciLinux *l = spec->linux_;
        for (size_t i = 0; l && i < l->namespaces.n; i++) {
                const OciNamespace *ns = &l->namespaces.items[i];
                if (ns->path && ns->path[0]) {
                        int fd = open(ns->path, O_RDONLY | O_CLOEXEC);
                        if (fd < 0) {
                                int r = error_set(reterr, errno, "linux.namespaces[%zu]: opening %s namespace %s", i,
                                                  oci_ns_type_to_string(ns->type), ns->path);
                                ns_plan_done(&p);
                                return r;
                        }
                        p.join_fd[ns->type] = fd;
                } else
                        p.clone_flags |= oci_ns_type_to_clone_flag(ns->type);
        }
        p.new_user = p.clone_flags & CLONE_NEWUSER;
        /* Namespaces we make belong to our user namespace, so after joining
         * another one we would hold no rights over them. runc gets round it
         * with an extra process stage that berth does not have yet. */
        if (p.join_fd[OCI_NS_USER] >= 0 && (p.clone_flags & ~CLONE_NEWTIME)) {
                ns_plan_done(&p);
                return error_msg(reterr, EOPNOTSUPP,
                                 "linux.namespaces: joining a user namespace by path while creating other namespaces "
                                 "is not supported yet; join those by path too");
        }
        if (p.new_user) {
                if (!l->uid_mappings.n || !l->gid_mappings.n) {
                        ns_plan_done(&p);
                        return error_msg(reterr, EINVAL,
                                         "linux.uidMappings and linux.gidMappings are required with a new user namespace");
                }
                p.uid_map = id_map_format(l->uid_mappings.items, l->uid_mappings.n);
                p.gid_map = id_map_format(l->gid_mappings.items, l->gid_mappings.n);
                if (!p.uid_map || !p.gid_map) {
                        ns_plan_done(&p);
                        return error_set(reterr, ENOMEM, "id maps");
                }
        }
        if ((p.clone_flags & CLONE_NEWTIME) && access("/proc/self/ns/time", F_OK) < 0) {
                ns_plan_done(&p);
                return error_msg(reterr, EOPNOTSUPP, "time namespace requested but this kernel has none");
        }
        if ((l && (l->time_offset_boottime || l->time_offset_monotonic)) && !(p.clone_flags & CLONE_NEWTIME)) {
                ns_plan_done(&p);
                return error_msg(reterr, EINVAL, "linux.timeOffsets requires a new time namespace");
        }
        *ret = p;
        return 0;
}

void ns_plan_done(NsPlan *p) {
        for (int i = 0; i < _OCI_NS_MAX; i++)
                p->join_fd[i] = safe_close(p->join_fd[i]);
        free(p->uid_map);
        free(p->gid_map);
        p->uid_map = p->gid_map = NULL;
}

int ns_write_id_maps(pid_t pid, const NsPlan *p, Error *reterr) {
        char path[64];
        if (!p->new_user)
                return 0;
        /* setgroups stays allowed: the writer is privileged, so the kernel
         * takes the gid map without it being denied (additionalGids need it). */
        snprintf(path, sizeof path, "/proc/%d/uid_map", (int) pid);
        int r = write_file_at(AT_FDCWD, path, p->uid_map, strlen(p->uid_map));
        if (r < 0)
                return error_set(reterr, r, "writing uid map %s", path);
        snprintf(path, sizeof path, "/proc/%d/gid_map", (int) pid);
        r = write_file_at(AT_FDCWD, path, p->gid_map, strlen(p->gid_map));
        if (r < 0)
                return error_set(reterr, r, "writing gid map %s", path);
        return 0;
}

int ns_join_all(const NsPlan *p) {
        /* The user namespace first: joining it is what gives the rights to
         * join the namespaces it owns. */
        if (p->join_fd[OCI_NS_USER] >= 0 && setns(p->join_fd[OCI_NS_USER], CLONE_NEWUSER) < 0)
                return -errno;
        for (int i = 0; i < _OCI_NS_MAX; i++) {
                /* pid and time are joined by the parent before cloning: they
                 * only apply to children. */
                if (i == OCI_NS_USER || i == OCI_NS_PID || i == OCI_NS_TIME || p->join_fd[i] < 0)
                        continue;
                if (setns(p->join_fd[i], oci_ns_type_to_clone_flag(i)) < 0)
                        return -errno;
        }
        return 0;
}

int ns_apply_time_offsets(const OciLinux *l, Error *reterr) {
        char buf[128];
        int len = 0;
        if (l->time_offset_monotonic)
                len += snprintf(buf + len, sizeof buf - len, "monotonic %" PRId64 " %u\n",
                                l->time_offset_monotonic->secs, l->time_offset_monotonic->nanosecs);
        if (l->time_offset_boottime)
                len += snprintf(buf + len, sizeof buf - len, "boottime %" PRId64 " %u\n",
                                l->time_offset_boottime->secs, l->time_offset_boottime->nanosecs);
        if (len == 0)
                return 0;
        int r = write_file_at(AT_FDCWD, "/proc/self/timens_offsets", buf, (size_t) len);
        if (r < 0)
                return error_set(reterr, r, "writing linux.timeOffsets to /proc/self/timens_offsets");
        return 0;
}

/* Which namespace makes a sysctl private: only those may be set, and only
 * when the container has that namespace, or they would change the host's. */
static OciNamespaceType sysctl_namespace(const char *key) {
        static const char *const ipc[] = { "kernel.msgmax", "kernel.msgmnb", "kernel.msgmni", "kernel.sem",
                                           "kernel.shmall", "kernel.shmmax", "kernel.shmmni", "kernel.shm_rmid_forced" };
        for (size_t i = 0; i < ELEMENTSOF(ipc); i++)
                if (strcmp(key, ipc[i]) == 0)
                        return OCI_NS_IPC;
        if (str_startswith(key, "fs.mqueue."))
                return OCI_NS_IPC;
        if (str_startswith(key, "net."))
                return OCI_NS_NETWORK;
        if (strcmp(key, "kernel.hostname") == 0 || strcmp(key, "kernel.domainname") == 0)
                return OCI_NS_UTS;
        return _OCI_NS_INVALID;
}

int ns_check_spec(const OciSpec *spec, Error *reterr) {
        const OciLinux *l = spec->linux_;
        bool uts = oci_spec_find_namespace(spec, OCI_NS_UTS) != NULL;
        if (spec->hostname && spec->hostname[0] && !uts)
                return error_msg(reterr, EINVAL, "hostname is set but the container has no UTS namespace of its own");
        if (spec->domainname && spec->domainname[0] && !uts)
                return error_msg(reterr, EINVAL, "domainname is set but the container has no UTS namespace of its own");
        for (size_t i = 0; l && i < l->sysctl.n; i++) {
                const char *key = l->sysctl.keys[i];
                OciNamespaceType t = sysctl_namespace(key);
                if (t < 0)
                        return error_msg(reterr, EINVAL, "linux.sysctl: \"%s\" is not a namespaced sysctl; refusing to set it",
                                         key);
                if (!oci_spec_find_namespace(spec, t))
                        return error_msg(reterr, EINVAL,
                                         "linux.sysctl: \"%s\" needs a %s namespace of the container's own", key,
                                         oci_ns_type_to_string(t));
        }
        return 0;
}
