/* The container's root filesystem: the rootfs bound onto itself, every mount
 * of the spec made on a target resolved inside it, pivot_root, then masked
 * and read-only paths.
 *
 * Every target is opened with path_*_in_root() and mounted through
 * /proc/self/fd/N, so a symlink planted in the image cannot send a mount
 * outside the rootfs (CVE-2021-30465 class). proc and sysfs are refused on a
 * target that is reached through a symlink at all (CVE-2019-19921 class):
 * masked paths are given as /proc/..., so proc must be at /proc. */
#include <linux/mount.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>

#include "container.h"

#ifndef MS_NOSYMFOLLOW
#define MS_NOSYMFOLLOW 256
#endif

typedef struct MountFlagDef {
        const char *name;
        bool clear;
        unsigned long flag;
} MountFlagDef;

static const MountFlagDef mount_flag_table[] = {
        { "async", true, MS_SYNCHRONOUS },   { "atime", true, MS_NOATIME },
        { "bind", false, MS_BIND },          { "defaults", false, 0 },
        { "dev", true, MS_NODEV },           { "diratime", true, MS_NODIRATIME },
        { "dirsync", false, MS_DIRSYNC },    { "exec", true, MS_NOEXEC },
        { "iversion", false, MS_I_VERSION }, { "lazytime", false, MS_LAZYTIME },
        { "loud", true, MS_SILENT },         { "mand", false, MS_MANDLOCK },
        { "noatime", false, MS_NOATIME },    { "nodev", false, MS_NODEV },
        { "nodiratime", false, MS_NODIRATIME }, { "noexec", false, MS_NOEXEC },
        { "noiversion", true, MS_I_VERSION }, { "nolazytime", true, MS_LAZYTIME },
        { "nomand", true, MS_MANDLOCK },     { "norelatime", true, MS_RELATIME },
        { "nostrictatime", true, MS_STRICTATIME }, { "nosuid", false, MS_NOSUID },
        { "nosymfollow", false, MS_NOSYMFOLLOW }, { "rbind", false, MS_BIND | MS_REC },
        { "relatime", false, MS_RELATIME },  { "remount", false, MS_REMOUNT },
        { "ro", false, MS_RDONLY },          { "rw", true, MS_RDONLY },
        { "silent", false, MS_SILENT },      { "strictatime", false, MS_STRICTATIME },
        { "suid", true, MS_NOSUID },         { "symfollow", true, MS_NOSYMFOLLOW },
        { "sync", false, MS_SYNCHRONOUS },
};

static const struct {
        const char *name;
        unsigned long flag;
} propagation_table[] = {
        { "private", MS_PRIVATE },        { "rprivate", MS_PRIVATE | MS_REC },
        { "shared", MS_SHARED },          { "rshared", MS_SHARED | MS_REC },
        { "slave", MS_SLAVE },            { "rslave", MS_SLAVE | MS_REC },
        { "unbindable", MS_UNBINDABLE },  { "runbindable", MS_UNBINDABLE | MS_REC },
};

/* Recursive (mount_setattr) options: set or clear a MOUNT_ATTR_*. */
static const struct {
        const char *name;
        bool clear;
        uint64_t attr;
} recursive_attr_table[] = {
        { "rro", false, MOUNT_ATTR_RDONLY },           { "rrw", true, MOUNT_ATTR_RDONLY },
        { "rnosuid", false, MOUNT_ATTR_NOSUID },       { "rsuid", true, MOUNT_ATTR_NOSUID },
        { "rnodev", false, MOUNT_ATTR_NODEV },         { "rdev", true, MOUNT_ATTR_NODEV },
        { "rnoexec", false, MOUNT_ATTR_NOEXEC },       { "rexec", true, MOUNT_ATTR_NOEXEC },
        { "rnodiratime", false, MOUNT_ATTR_NODIRATIME }, { "rdiratime", true, MOUNT_ATTR_NODIRATIME },
        { "rrelatime", false, MOUNT_ATTR_RELATIME },   { "rnorelatime", true, MOUNT_ATTR_RELATIME },
        { "rnoatime", false, MOUNT_ATTR_NOATIME },     { "ratime", true, MOUNT_ATTR_NOATIME },
        { "rstrictatime", false, MOUNT_ATTR_STRICTATIME }, { "rnosymfollow", false, MOUNT_ATTR_NOSYMFOLLOW },
        { "rsymfollow", true, MOUNT_ATTR_NOSYMFOLLOW },
};

int propagation_from_string(const char *s, unsigned long *ret) {
        for (size_t i = 0; i < ELEMENTSOF(propagation_table); i++)
                if (strcmp(propagation_table[i].name, s) == 0) {
                        *ret = propagation_table[i].flag;
                        return 0;
                }
        return -EINVAL;
}

static int data_append(char **data, const char *opt) {
        char *n = *data ? strdup_printf("%s,%s", *data, opt) : strdup(opt);
        if (!n)
                return -ENOMEM;
        free(*data);
        *data = n;
        return 0;
}

int mount_options_parse(char *const *options, MountPlan *ret, Error *reterr) {
        MountPlan p = { .idmap_fd = -1 };
        for (size_t i = 0; options && options[i]; i++) {
                const char *o = options[i];
                bool done = false;
                for (size_t j = 0; !done && j < ELEMENTSOF(mount_flag_table); j++)
                        if (strcmp(mount_flag_table[j].name, o) == 0) {
                                if (mount_flag_table[j].clear)
                                        p.flags &= ~mount_flag_table[j].flag;
                                else
                                        p.flags |= mount_flag_table[j].flag;
                                done = true;
                        }
                for (size_t j = 0; !done && j < ELEMENTSOF(propagation_table); j++)
                        if (strcmp(propagation_table[j].name, o) == 0) {
                                p.propagation = propagation_table[j].flag;
                                done = true;
                        }
                for (size_t j = 0; !done && j < ELEMENTSOF(recursive_attr_table); j++)
                        if (strcmp(recursive_attr_table[j].name, o) == 0) {
                                if (recursive_attr_table[j].clear) {
                                        p.attr_clr |= recursive_attr_table[j].attr;
                                        p.attr_set &= ~recursive_attr_table[j].attr;
                                } else {
                                        p.attr_set |= recursive_attr_table[j].attr;
                                        p.attr_clr &= ~recursive_attr_table[j].attr;
                                }
                                /* The atime modes are one field: setting one clears the others. */
                                if (recursive_attr_table[j].attr & MOUNT_ATTR__ATIME)
                                        p.attr_clr |= MOUNT_ATTR__ATIME;
                                p.recursive_attr = true;
                                done = true;
                        }
                if (!done && (strcmp(o, "idmap") == 0 || strcmp(o, "ridmap") == 0)) {
                        p.idmap = true;
                        p.idmap_recursive = o[0] == 'r';
                        done = true;
                }
                /* crun's tmpcopyup and mount(8)'s x-* are for other tools. */
                if (!done && (strcmp(o, "tmpcopyup") == 0 || str_startswith(o, "x-")))
                        done = true;
                if (!done && data_append(&p.data, o) < 0) {
                        mount_plan_done(&p);
                        return error_set(reterr, ENOMEM, "mount options");
                }
        }
        *ret = p;
        return 0;
}

void mount_plan_done(MountPlan *p) {
        free(p->data);
        p->data = NULL;
        p->idmap_fd = safe_close(p->idmap_fd);
}

static bool is_bind(const OciMount *m, const MountPlan *mp) {
        return (mp->flags & MS_BIND) || (m->type && strcmp(m->type, "bind") == 0);
}

int rootfs_plan_make(const OciSpec *spec, const char *rootfs, RootfsPlan *ret, Error *reterr) {
        RootfsPlan p = { .spec = spec, .rootfs = rootfs };
        p.mounts = calloc(spec->mounts.n + 1, sizeof(MountPlan));
        if (!p.mounts)
                return error_set(reterr, ENOMEM, "mounts");
        for (size_t i = 0; i < spec->mounts.n; i++) {
                const OciMount *m = &spec->mounts.items[i];
                int r = mount_options_parse(m->options, &p.mounts[i], reterr);
                if (r < 0) {
                        rootfs_plan_done(&p);
                        return error_wrap(reterr, "mounts[%zu] (%s)", i, m->destination);
                }
                if (!m->destination || !m->destination[0]) {
                        rootfs_plan_done(&p);
                        return error_msg(reterr, EINVAL, "mounts[%zu]: destination is empty", i);
                }
                if (p.mounts[i].idmap && !is_bind(m, &p.mounts[i])) {
                        rootfs_plan_done(&p);
                        return error_msg(reterr, EINVAL, "mounts[%zu] (%s): \"idmap\" is supported on bind mounts only",
                                         i, m->destination);
                }
                if (p.mounts[i].idmap && !oci_spec_find_namespace(spec, OCI_NS_USER)) {
                        rootfs_plan_done(&p);
                        return error_msg(reterr, EINVAL, "mounts[%zu] (%s): \"idmap\" needs a user namespace", i,
                                         m->destination);
                }
                if (m->uid_mappings.n || m->gid_mappings.n) {
                        rootfs_plan_done(&p);
                        return error_msg(reterr, EOPNOTSUPP,
                                         "mounts[%zu] (%s): per-mount uidMappings/gidMappings are not supported yet; "
                                         "use \"idmap\" with the container's user namespace",
                                         i, m->destination);
                }
        }
        const OciLinux *l = spec->linux_;
        if (l && l->rootfs_propagation && l->rootfs_propagation[0] &&
            propagation_from_string(l->rootfs_propagation, &p.rootfs_propagation) < 0) {
                rootfs_plan_done(&p);
                return error_msg(reterr, EINVAL, "linux.rootfsPropagation: unknown propagation \"%s\"",
                                 l->rootfs_propagation);
        }
        *ret = p;
        return 0;
}

void rootfs_plan_done(RootfsPlan *p) {
        for (size_t i = 0; p->mounts && i < p->spec->mounts.n; i++)
                mount_plan_done(&p->mounts[i]);
        free(p->mounts);
        p->mounts = NULL;
}

/* Flags that a mount inherited from a less privileged place keeps locked:
 * a remount in a user namespace must repeat them or the kernel says EPERM. */
static unsigned long locked_flags(const char *path) {
        struct statvfs sv;
        unsigned long f = 0;
        if (statvfs(path, &sv) < 0)
                return 0;
        if (sv.f_flag & ST_NOSUID)
                f |= MS_NOSUID;
        if (sv.f_flag & ST_NODEV)
                f |= MS_NODEV;
        if (sv.f_flag & ST_NOEXEC)
                f |= MS_NOEXEC;
        if (sv.f_flag & ST_RDONLY)
                f |= MS_RDONLY;
        if (sv.f_flag & ST_NOATIME)
                f |= MS_NOATIME;
        if (sv.f_flag & ST_NODIRATIME)
                f |= MS_NODIRATIME;
        if (sv.f_flag & ST_RELATIME)
                f |= MS_RELATIME;
        return f;
}

static int remount_bind(const char *target, unsigned long flags) {
        unsigned long f = MS_REMOUNT | MS_BIND | flags;
        if (mount(NULL, target, NULL, f, NULL) == 0)
                return 0;
        if (errno != EPERM)
                return -errno;
        if (mount(NULL, target, NULL, f | (locked_flags(target) & ~(flags & MS_RDONLY ? 0 : MS_RDONLY)), NULL) < 0)
                return -errno;
        return 0;
}

/* The path a target fd resolves to, relative to the rootfs, to detect
 * symlinks on the way. */
static bool target_is_exact(const RootfsPlan *p, int fd, const char *dest) {
        char proc[32], real[4096];
        ssize_t n = readlink(fd_proc_path(fd, proc), real, sizeof real - 1);
        if (n < 0)
                return false;
        real[n] = '\0';
        _cleanup_free_ char *want = path_clean(dest);
        size_t rl = strlen(p->rootfs);
        if (!want || strncmp(real, p->rootfs, rl) != 0)
                return false;
        const char *rest = real + rl;
        return strcmp(rest[0] ? rest : "/", want) == 0;
}

static int mount_cgroup(const RootfsPlan *p, int rootfd, const OciMount *m, const MountPlan *mp,
                        const char *target, Error *reterr) {
        unsigned long fl = mp->flags & ~(MS_BIND | MS_REC);
        const CgroupHierarchy *h = NULL;
        size_t n = 0;
        cgroup_manager_hierarchies(p->cgroup, &h, &n);

        if (cgroup_manager_mode(p->cgroup) == CGROUP_MODE_V2) {
                if (p->cgroupns) {
                        if (mount("cgroup2", target, "cgroup2", fl, NULL) < 0)
                                return error_set(reterr, errno, "mounting cgroup2 on %s", m->destination);
                        return 0;
                }
                for (size_t i = 0; i < n; i++)
                        if (h[i].v2) {
                                if (mount(h[i].container_path, target, NULL, MS_BIND | MS_REC, NULL) < 0)
                                        return error_set(reterr, errno, "binding %s on %s", h[i].container_path,
                                                         m->destination);
                                int r = remount_bind(target, fl);
                                if (r < 0)
                                        return error_set(reterr, r, "remounting %s", m->destination);
                        }
                return 0;
        }

        /* v1 (and hybrid): a tmpfs with one directory per hierarchy, as
         * docker and runc lay it out. */
        if (mount("tmpfs", target, "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, "mode=755") < 0)
                return error_set(reterr, errno, "mounting tmpfs for cgroups on %s", m->destination);
        _cleanup_close_ int dir = path_open_in_root(rootfd, m->destination, O_PATH | O_DIRECTORY, 0);
        if (dir < 0)
                return error_set(reterr, dir, "opening %s", m->destination);
        for (size_t i = 0; i < n; i++) {
                if (mkdirat(dir, h[i].name, 0755) < 0 && errno != EEXIST)
                        return error_set(reterr, errno, "creating %s/%s", m->destination, h[i].name);
                _cleanup_close_ int sub = openat(dir, h[i].name, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
                char sp[32];
                if (sub < 0)
                        return error_set(reterr, errno, "opening %s/%s", m->destination, h[i].name);
                int r;
                if (p->cgroupns)
                        r = mount("cgroup", fd_proc_path(sub, sp), h[i].v2 ? "cgroup2" : "cgroup", fl,
                                  h[i].v2 ? NULL : h[i].options) < 0
                                    ? -errno
                                    : 0;
                else {
                        r = mount(h[i].container_path, fd_proc_path(sub, sp), NULL, MS_BIND | MS_REC, NULL) < 0 ? -errno : 0;
                        if (r >= 0) {
                                _cleanup_close_ int top = openat(dir, h[i].name, O_PATH | O_DIRECTORY | O_CLOEXEC);
                                r = top < 0 ? -errno : remount_bind(fd_proc_path(top, sp), fl);
                        }
                }
                if (r < 0)
                        return error_set(reterr, r, "mounting cgroup %s on %s/%s", h[i].options ? h[i].options : "v2",
                                         m->destination, h[i].name);
                /* co-mounted controllers ("cpu,cpuacct") get a link per name */
                if (strchr(h[i].name, ',')) {
                        _cleanup_free_ char *names = strdup(h[i].name);
                        char *save = NULL;
                        for (char *t = names ? strtok_r(names, ",", &save) : NULL; t; t = strtok_r(NULL, ",", &save))
                                if (symlinkat(h[i].name, dir, t) < 0 && errno != EEXIST)
                                        return error_set(reterr, errno, "linking %s/%s", m->destination, t);
                }
        }
        if (mp->flags & MS_RDONLY) {
                char dp[32];
                if (mount(NULL, fd_proc_path(dir, dp), NULL, MS_REMOUNT | MS_NOSUID | MS_NODEV | MS_NOEXEC | MS_RDONLY,
                          "mode=755") < 0)
                        return error_set(reterr, errno, "remounting %s read-only", m->destination);
        }
        return 0;
}

static int mount_one(const RootfsPlan *p, int rootfd, size_t i, Error *reterr) {
        const OciMount *m = &p->spec->mounts.items[i];
        const MountPlan *mp = &p->mounts[i];
        const char *type = m->type;
        bool bind = is_bind(m, mp);
        char tp[32];
        int r;

        _cleanup_close_ int fd = -1;
        if (bind) {
                struct stat st;
                if (!m->source || stat(m->source, &st) < 0)
                        return error_set(reterr, m->source ? errno : EINVAL, "mounts[%zu]: bind source %s", i,
                                         m->source ? m->source : "(none)");
                fd = S_ISDIR(st.st_mode) ? path_mkdir_in_root(rootfd, m->destination, 0755)
                                         : path_mkfile_in_root(rootfd, m->destination, 0644);
        } else
                fd = path_mkdir_in_root(rootfd, m->destination, 0755);
        if (fd < 0)
                return error_set(reterr, fd, "mounts[%zu]: preparing destination %s", i, m->destination);

        bool special = type && (strcmp(type, "proc") == 0 || strcmp(type, "sysfs") == 0);
        if (special && !target_is_exact(p, fd, m->destination))
                return error_msg(reterr, EPERM, "mounts[%zu]: %s destination %s is reached through a symlink; refusing",
                                 i, type, m->destination);

        const char *target = fd_proc_path(fd, tp);
        unsigned long flags = mp->flags & ~(MS_BIND | MS_REC | MS_REMOUNT);
        /* /dev is filled with device nodes before it becomes read-only. */
        bool late_ro = type && strcmp(type, "tmpfs") == 0 && strcmp(m->destination, "/dev") == 0;

        if (type && strcmp(type, "cgroup") == 0)
                r = mount_cgroup(p, rootfd, m, mp, target, reterr);
        else if (bind) {
                if (mp->idmap_fd >= 0) {
                        if (syscall(SYS_move_mount, mp->idmap_fd, "", fd, "",
                                    MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0)
                                return error_set(reterr, errno, "mounts[%zu]: attaching the idmapped %s on %s", i,
                                                 m->source, m->destination);
                } else if (mount(m->source, target, NULL, MS_BIND | (mp->flags & MS_REC), NULL) < 0)
                        return error_set(reterr, errno, "mounts[%zu]: binding %s on %s", i, m->source, m->destination);
                r = 0;
                if (flags) {
                        /* Remount through a fresh fd: the old one is the directory under the new mount. */
                        _cleanup_close_ int top = path_open_in_root(rootfd, m->destination, O_PATH, 0);
                        r = top < 0 ? top : remount_bind(fd_proc_path(top, tp), flags);
                        if (r < 0)
                                return error_set(reterr, r, "mounts[%zu]: remounting %s", i, m->destination);
                }
        } else {
                if (mount(m->source ? m->source : type, target, type, late_ro ? flags & ~MS_RDONLY : flags, mp->data) < 0) {
                        r = -errno;
                        /* sysfs needs a network namespace owned by our user
                         * namespace; without one, bind the host's, as runc does. */
                        if (r == -EPERM && type && strcmp(type, "sysfs") == 0) {
                                if (mount("/sys", target, NULL, MS_BIND | MS_REC, NULL) < 0)
                                        return error_set(reterr, errno, "mounts[%zu]: binding /sys on %s", i,
                                                         m->destination);
                                r = 0;
                        } else
                                return error_set(reterr, r, "mounts[%zu]: mounting %s on %s", i, type ? type : "(none)",
                                                 m->destination);
                }
                r = 0;
        }
        if (r < 0)
                return r;

        if (mp->propagation || mp->recursive_attr) {
                _cleanup_close_ int top = path_open_in_root(rootfd, m->destination, O_PATH, 0);
                if (top < 0)
                        return error_set(reterr, top, "mounts[%zu]: reopening %s", i, m->destination);
                if (mp->propagation && mount(NULL, fd_proc_path(top, tp), NULL, mp->propagation, NULL) < 0)
                        return error_set(reterr, errno, "mounts[%zu]: setting propagation of %s", i, m->destination);
                if (mp->recursive_attr) {
                        struct mount_attr attr = { .attr_set = mp->attr_set, .attr_clr = mp->attr_clr };
                        if (syscall(SYS_mount_setattr, top, "", AT_EMPTY_PATH | AT_RECURSIVE, &attr, sizeof attr) < 0)
                                return error_set(reterr, errno, "mounts[%zu]: setting recursive attributes of %s", i,
                                                 m->destination);
                }
        }
        return 0;
}

int rootfs_send_idmapped_mounts(const RootfsPlan *p, pid_t child, int sync_fd, Error *reterr) {
        _cleanup_close_ int userns = -1;
        for (size_t i = 0; i < p->spec->mounts.n; i++) {
                const OciMount *m = &p->spec->mounts.items[i];
                const MountPlan *mp = &p->mounts[i];
                if (!mp->idmap)
                        continue;
                if (userns < 0) {
                        char path[64];
                        snprintf(path, sizeof path, "/proc/%d/ns/user", (int) child);
                        if ((userns = open(path, O_RDONLY | O_CLOEXEC)) < 0)
                                return error_set(reterr, errno, "opening the container's user namespace");
                }
                bool rec = (mp->flags & MS_REC) || mp->idmap_recursive;
                _cleanup_close_ int fd = (int) syscall(SYS_open_tree, AT_FDCWD, m->source,
                                                       OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | (rec ? AT_RECURSIVE : 0));
                if (fd < 0)
                        return error_set(reterr, errno, "mounts[%zu]: cloning %s", i, m->source);
                struct mount_attr attr = { .attr_set = MOUNT_ATTR_IDMAP, .userns_fd = (uint64_t) userns };
                if (syscall(SYS_mount_setattr, fd, "", AT_EMPTY_PATH | (mp->idmap_recursive ? AT_RECURSIVE : 0), &attr,
                            sizeof attr) < 0)
                        return error_set(reterr, errno, "mounts[%zu]: idmapping %s (does its filesystem support it?)", i,
                                         m->source);
                SyncMsg msg = { .type = SYNC_MOUNT_FD, .value = (int64_t) i };
                int r = send_fd(sync_fd, fd, &msg, offsetof(SyncMsg, msg));
                if (r < 0)
                        return error_set(reterr, r, "passing the idmapped mount of %s", m->destination);
        }
        return 0;
}

int rootfs_prepare(const RootfsPlan *p, int *ret_rootfd, int *ret_console_master, bool want_console,
                   Error *reterr) {
        const OciSpec *spec = p->spec;
        unsigned long root_prop = MS_SLAVE | MS_REC;
        if (p->rootfs_propagation & MS_PRIVATE)
                root_prop = MS_PRIVATE | MS_REC;
        /* Nothing we mount may propagate back to the host. */
        if (mount(NULL, "/", NULL, root_prop, NULL) < 0)
                return error_set(reterr, errno, "making / %s", root_prop & MS_PRIVATE ? "rprivate" : "rslave");
        if (mount(p->rootfs, p->rootfs, NULL, MS_BIND | MS_REC, NULL) < 0)
                return error_set(reterr, errno, "binding rootfs %s", p->rootfs);
        /* pivot_root refuses a shared new root. */
        if (mount(NULL, p->rootfs, NULL, MS_PRIVATE, NULL) < 0)
                return error_set(reterr, errno, "making rootfs private");
        _cleanup_close_ int rootfd = open(p->rootfs, O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (rootfd < 0)
                return error_set(reterr, errno, "opening rootfs %s", p->rootfs);

        bool dev_tmpfs = false, has_devpts = false;
        for (size_t i = 0; i < spec->mounts.n; i++) {
                const OciMount *m = &spec->mounts.items[i];
                if (m->type && strcmp(m->type, "cgroup") == 0)
                        continue; /* rootfs_mount_cgroups(), once we are in our cgroup namespace */
                int r = mount_one(p, rootfd, i, reterr);
                if (r < 0)
                        return r;
                if (m->type && strcmp(m->type, "tmpfs") == 0 && strcmp(m->destination, "/dev") == 0)
                        dev_tmpfs = true;
                if (m->type && strcmp(m->type, "devpts") == 0 && strcmp(m->destination, "/dev/pts") == 0)
                        has_devpts = true;
        }

        /* A cwd missing from the image is made, as runc does; if it cannot
         * be (a read-only rootfs), chdir says so later. */
        if (spec->process && spec->process->cwd && spec->process->cwd[0] == '/') {
                int cwd = path_mkdir_in_root(rootfd, spec->process->cwd, 0755);
                safe_close(cwd);
        }

        int r = devices_create(rootfd, spec, dev_tmpfs, p->new_userns, reterr);
        if (r < 0)
                return r;
        if (has_devpts) {
                _cleanup_close_ int dev = path_open_in_root(rootfd, "/dev", O_PATH | O_DIRECTORY, 0);
                if (dev >= 0) {
                        (void) unlinkat(dev, "ptmx", 0);
                        if (symlinkat("pts/ptmx", dev, "ptmx") < 0 && errno != EEXIST)
                                return error_set(reterr, errno, "linking /dev/ptmx");
                }
        }

        *ret_console_master = -1;
        if (want_console) {
                int slave = -1;
                int master = terminal_new_pty(rootfd, &slave, reterr);
                if (master < 0)
                        return master;
                _cleanup_close_ int console = path_mkfile_in_root(rootfd, "/dev/console", 0600);
                char sp[32], cp[32];
                if (console < 0 || mount(fd_proc_path(slave, sp), fd_proc_path(console, cp), NULL, MS_BIND, NULL) < 0) {
                        r = error_set(reterr, console < 0 ? console : errno, "binding the pty on /dev/console");
                        safe_close(master);
                        safe_close(slave);
                        return r;
                }
                r = terminal_setup_slave(slave, spec->process ? spec->process->console_size : NULL);
                safe_close(slave);
                if (r < 0) {
                        safe_close(master);
                        return error_set(reterr, r, "making the pty the controlling terminal");
                }
                *ret_console_master = master;
        }
        *ret_rootfd = TAKE_FD(rootfd);
        return 0;
}

int rootfs_mount_cgroups(const RootfsPlan *p, int rootfd, Error *reterr) {
        for (size_t i = 0; i < p->spec->mounts.n; i++) {
                const OciMount *m = &p->spec->mounts.items[i];
                int r;
                if (m->type && strcmp(m->type, "cgroup") == 0 && (r = mount_one(p, rootfd, i, reterr)) < 0)
                        return r;
        }
        return 0;
}

bool rootfs_has_cgroup_mount(const RootfsPlan *p) {
        for (size_t i = 0; i < p->spec->mounts.n; i++)
                if (p->spec->mounts.items[i].type && strcmp(p->spec->mounts.items[i].type, "cgroup") == 0)
                        return true;
        return false;
}

int rootfs_pivot(const RootfsPlan *p, int rootfd, Error *reterr) {
        if (fchdir(rootfd) < 0)
                return error_set(reterr, errno, "entering rootfs");
        if (p->no_pivot) {
                if (mount(".", "/", NULL, MS_MOVE, NULL) < 0)
                        return error_set(reterr, errno, "moving rootfs to /");
                if (chroot(".") < 0)
                        return error_set(reterr, errno, "chroot");
        } else {
                /* pivot_root(".", ".") stacks the old root on top of the new
                 * one. "." must then name the old root for certain before it
                 * is made rslave (so that the unmount does not propagate to
                 * the host): resolved from a cwd in the new root, mount(2)
                 * would reach the new root and undo every propagation the
                 * spec asked for. */
                _cleanup_close_ int oldroot = open("/", O_DIRECTORY | O_RDONLY | O_CLOEXEC);
                if (oldroot < 0)
                        return error_set(reterr, errno, "opening the old root");
                if (syscall(SYS_pivot_root, ".", ".") < 0)
                        return error_set(reterr, errno, "pivot_root");
                if (fchdir(oldroot) < 0)
                        return error_set(reterr, errno, "entering the old root");
                if (mount(NULL, ".", NULL, MS_SLAVE | MS_REC, NULL) < 0)
                        return error_set(reterr, errno, "making the old root rslave");
                if (umount2(".", MNT_DETACH) < 0)
                        return error_set(reterr, errno, "detaching the old root");
        }
        if (chdir("/") < 0)
                return error_set(reterr, errno, "chdir /");
        return 0;
}

static int mask_path(const char *path, Error *reterr) {
        struct stat st;
        if (lstat(path, &st) < 0)
                return errno == ENOENT ? 0 : error_set(reterr, errno, "masking %s", path);
        if (S_ISDIR(st.st_mode)) {
                if (mount("tmpfs", path, "tmpfs", MS_RDONLY, "size=0k") < 0)
                        return error_set(reterr, errno, "masking %s with a tmpfs", path);
        } else if (mount("/dev/null", path, NULL, MS_BIND, NULL) < 0)
                return error_set(reterr, errno, "masking %s with /dev/null", path);
        return 0;
}

static int readonly_path(const char *path, Error *reterr) {
        if (mount(path, path, NULL, MS_BIND | MS_REC, NULL) < 0)
                return errno == ENOENT ? 0 : error_set(reterr, errno, "binding %s read-only", path);
        int r = remount_bind(path, MS_RDONLY | MS_REC | MS_NOSUID | MS_NODEV | MS_NOEXEC);
        if (r < 0)
                r = remount_bind(path, MS_RDONLY | MS_REC);
        if (r < 0)
                return error_set(reterr, r, "remounting %s read-only", path);
        return 0;
}

static int sysctl_write(const char *key, const char *value, Error *reterr) {
        _cleanup_free_ char *path = strdup_printf("/proc/sys/%s", key);
        if (!path)
                return error_set(reterr, ENOMEM, "sysctl");
        if (strstr(key, "..") || key[0] == '/')
                return error_msg(reterr, EINVAL, "linux.sysctl: invalid key \"%s\"", key);
        for (char *c = path + 10; *c; c++)
                if (*c == '.')
                        *c = '/';
        int r = write_file_at(AT_FDCWD, path, value, strlen(value));
        if (r < 0)
                return error_set(reterr, r, "linux.sysctl: writing %s=%s", key, value);
        return 0;
}

int rootfs_finish(const RootfsPlan *p, Error *reterr) {
        const OciSpec *spec = p->spec;
        const OciLinux *l = spec->linux_;
        int r;
        /* sysctls go through /proc/sys before it becomes read-only below. */
        for (size_t i = 0; l && i < l->sysctl.n; i++)
                if ((r = sysctl_write(l->sysctl.keys[i], l->sysctl.values[i], reterr)) < 0)
                        return r;
        for (size_t i = 0; l && l->masked_paths && l->masked_paths[i]; i++)
                if ((r = mask_path(l->masked_paths[i], reterr)) < 0)
                        return r;
        for (size_t i = 0; l && l->readonly_paths && l->readonly_paths[i]; i++)
                if ((r = readonly_path(l->readonly_paths[i], reterr)) < 0)
                        return r;
        for (size_t i = 0; i < spec->mounts.n; i++) {
                const OciMount *m = &spec->mounts.items[i];
                if (m->type && strcmp(m->type, "tmpfs") == 0 && strcmp(m->destination, "/dev") == 0 &&
                    (p->mounts[i].flags & MS_RDONLY) &&
                    mount(NULL, "/dev", NULL, MS_REMOUNT | (p->mounts[i].flags & ~(MS_BIND | MS_REC)), p->mounts[i].data) < 0)
                        return error_set(reterr, errno, "remounting /dev read-only");
        }
        if (spec->root && spec->root->readonly && (r = remount_bind("/", MS_RDONLY)) < 0)
                return error_set(reterr, r, "remounting the root read-only");
        if (p->rootfs_propagation && mount(NULL, "/", NULL, p->rootfs_propagation, NULL) < 0)
                return error_set(reterr, errno, "setting rootfs propagation %s", l->rootfs_propagation);
        return 0;
}

int mount_option_names(JsonValue *arr) {
        for (size_t i = 0; i < ELEMENTSOF(mount_flag_table); i++)
                if (json_arr_append(arr, json_new_string(mount_flag_table[i].name)) < 0)
                        return -ENOMEM;
        for (size_t i = 0; i < ELEMENTSOF(propagation_table); i++)
                if (json_arr_append(arr, json_new_string(propagation_table[i].name)) < 0)
                        return -ENOMEM;
        for (size_t i = 0; i < ELEMENTSOF(recursive_attr_table); i++)
                if (json_arr_append(arr, json_new_string(recursive_attr_table[i].name)) < 0)
                        return -ENOMEM;
        if (json_arr_append(arr, json_new_string("idmap")) < 0 || json_arr_append(arr, json_new_string("ridmap")) < 0)
                return -ENOMEM;
        return 0;
}
