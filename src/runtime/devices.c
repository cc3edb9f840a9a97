/* Device nodes in the container's /dev: Docker's and runc's default set when
 * /dev is a fresh tmpfs, then linux.devices. In a user namespace mknod is
 * refused, so the host's node is bound onto an empty file instead. */
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include "container.h"

typedef struct DefaultDevice {
        const char *name;
        unsigned maj, min;
} DefaultDevice;

static const DefaultDevice default_devices[] = {
        { "null", 1, 3 }, { "zero", 1, 5 }, { "full", 1, 7 }, { "random", 1, 8 }, { "urandom", 1, 9 }, { "tty", 5, 0 },
};

static const struct {
        const char *link, *target;
} default_links[] = {
        { "fd", "/proc/self/fd" },
        { "stdin", "/proc/self/fd/0" },
        { "stdout", "/proc/self/fd/1" },
        { "stderr", "/proc/self/fd/2" },
};

static int device_make(int rootfd, const char *path, mode_t type, dev_t dev, mode_t mode, uid_t uid, gid_t gid,
                       bool bind, Error *reterr) {
        _cleanup_free_ char *clean = path_clean(path);
        if (!clean)
                return error_set(reterr, ENOMEM, "device %s", path);
        char *slash = strrchr(clean, '/');
        if (!slash[1])
                return error_msg(reterr, EINVAL, "device path %s names a directory", path);
        *slash = '\0';
        _cleanup_close_ int dir = path_mkdir_in_root(rootfd, clean[0] ? clean : "/", 0755);
        if (dir < 0)
                return error_set(reterr, dir, "creating the directory of device %s", path);
        const char *base = slash + 1;
        (void) unlinkat(dir, base, 0);

        if (bind) {
                _cleanup_close_ int f = openat(dir, base, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
                if (f < 0)
                        return error_set(reterr, errno, "creating %s", path);
                _cleanup_close_ int target = openat(dir, base, O_PATH | O_NOFOLLOW | O_CLOEXEC);
                char tp[32];
                if (target < 0 || mount(path, fd_proc_path(target, tp), NULL, MS_BIND, NULL) < 0)
                        return error_set(reterr, errno, "binding host device %s", path);
                return 0;
        }
        if (mknodat(dir, base, type | (mode & 07777), dev) < 0)
                return error_set(reterr, errno, "mknod %s", path);
        /* mknod honours the umask; the spec's mode is what the node gets. */
        if (fchmodat(dir, base, mode & 07777, 0) < 0)
                return error_set(reterr, errno, "chmod %s", path);
        if ((uid || gid) && fchownat(dir, base, uid, gid, AT_SYMLINK_NOFOLLOW) < 0)
                return error_set(reterr, errno, "chown %s", path);
        return 0;
}

static int device_type(const char *t, mode_t *ret) {
        if (!t || !t[0] || t[1])
                return -EINVAL;
        switch (t[0]) {
        case 'c':
        case 'u':
                *ret = S_IFCHR;
                return 0;
        case 'b':
                *ret = S_IFBLK;
                return 0;
        case 'p':
                *ret = S_IFIFO;
                return 0;
        }
        return -EINVAL;
}

int devices_create(int rootfd, const OciSpec *spec, bool default_set, bool in_userns, Error *reterr) {
        const OciLinux *l = spec->linux_;
        int r;
        if (default_set) {
                for (size_t i = 0; i < ELEMENTSOF(default_devices); i++) {
                        const DefaultDevice *d = &default_devices[i];
                        char path[32];
                        snprintf(path, sizeof path, "/dev/%s", d->name);
                        bool overridden = false;
                        for (size_t j = 0; l && j < l->devices.n; j++)
                                if (strcmp(l->devices.items[j].path, path) == 0)
                                        overridden = true;
                        if (overridden)
                                continue;
                        r = device_make(rootfd, path, S_IFCHR, makedev(d->maj, d->min), 0666, 0, 0, in_userns, reterr);
                        if (r < 0)
                                return r;
                }
                _cleanup_close_ int dev = path_open_in_root(rootfd, "/dev", O_PATH | O_DIRECTORY, 0);
                if (dev < 0)
                        return error_set(reterr, dev, "opening /dev");
                for (size_t i = 0; i < ELEMENTSOF(default_links); i++)
                        if (symlinkat(default_links[i].target, dev, default_links[i].link) < 0 && errno != EEXIST)
                                return error_set(reterr, errno, "linking /dev/%s", default_links[i].link);
                if (access("/proc/kcore", F_OK) == 0 && symlinkat("/proc/kcore", dev, "core") < 0 && errno != EEXIST)
                        return error_set(reterr, errno, "linking /dev/core");
        }
        for (size_t i = 0; l && i < l->devices.n; i++) {
                const OciDevice *d = &l->devices.items[i];
                mode_t type;
                if (device_type(d->type, &type) < 0)
                        return error_msg(reterr, EINVAL, "linux.devices[%zu]: unknown device type \"%s\"", i,
                                         d->type ? d->type : "");
                if (!d->path || d->path[0] != '/')
                        return error_msg(reterr, EINVAL, "linux.devices[%zu]: path must be absolute", i);
                mode_t mode = d->file_mode.set ? (mode_t) d->file_mode.value : 0666;
                r = device_make(rootfd, d->path, type, makedev(d->major, d->minor), mode,
                                d->uid.set ? (uid_t) d->uid.value : 0, d->gid.set ? (gid_t) d->gid.value : 0,
                                in_userns && type != S_IFIFO, reterr);
                if (r < 0)
                        return r;
        }
        return 0;
}

/* Rules appended after the spec's own, as runc does, so that a "deny all"
 * in linux.resources.devices still leaves the nodes every container gets:
 * mknod of anything, the default set, the pty master and slaves. */
static const OciDeviceRule default_allow_rules[] = {
        { true, "c", { -1, false }, { -1, false }, "m" },
        { true, "b", { -1, false }, { -1, false }, "m" },
        { true, "c", { 1, true }, { 3, true }, "rwm" },   /* null */
        { true, "c", { 1, true }, { 5, true }, "rwm" },   /* zero */
        { true, "c", { 1, true }, { 7, true }, "rwm" },   /* full */
        { true, "c", { 1, true }, { 8, true }, "rwm" },   /* random */
        { true, "c", { 1, true }, { 9, true }, "rwm" },   /* urandom */
        { true, "c", { 5, true }, { 0, true }, "rwm" },   /* tty */
        { true, "c", { 5, true }, { 1, true }, "rwm" },   /* console */
        { true, "c", { 5, true }, { 2, true }, "rwm" },   /* ptmx */
        { true, "c", { 136, true }, { -1, false }, "rwm" }, /* any pts */
};

int devices_cgroup_rules(const OciSpec *spec, OciDeviceRule **ret, size_t *ret_n) {
        const OciResources *res = spec->linux_ ? spec->linux_->resources : NULL;
        size_t user = res ? res->devices.n : 0;
        *ret = NULL;
        *ret_n = 0;
        if (user == 0)
                return 0;
        /* linux.devices get no rule of their own, as with runc: the spec's
         * rules say who may use them. */
        size_t n = user + ELEMENTSOF(default_allow_rules);
        OciDeviceRule *r = calloc(n, sizeof *r);
        if (!r)
                return -ENOMEM;
        /* Shallow copies: the strings stay owned by the spec and the table. */
        memcpy(r, res->devices.items, user * sizeof *r);
        memcpy(r + user, default_allow_rules, sizeof default_allow_rules);
        *ret = r;
        *ret_n = n;
        return 0;
}
