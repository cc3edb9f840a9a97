/* Paths from a container or an image, resolved inside its root.
 *
 * openat2(RESOLVE_IN_ROOT) makes the kernel treat rootfd as "/" for the whole
 * walk: ".." stops at it and absolute symlinks restart from it, so a symlink
 * in an image cannot lead outside (CVE-2021-30465 class). Kernels before 5.6
 * lack it; the fallback walks one component at a time with O_NOFOLLOW and
 * applies the same rules by hand. Each step holds an fd, not a path, so a
 * rename racing the walk cannot move it outside the root either. */
#include <linux/openat2.h>
#include <sys/stat.h>
#include <sys/syscall.h>

#include "common.h"

#define PATH_MAX_SYMLINKS 40

static int openat2_state; /* 0 unknown, 1 works, -1 missing */

void path_reset_openat2_probe(void) {
        openat2_state = 0;
}

bool path_has_openat2(void) {
        return openat2_state >= 0;
}

const char *fd_proc_path(int fd, char buf[static 32]) {
        snprintf(buf, 32, "/proc/self/fd/%d", fd);
        return buf;
}

char *path_clean(const char *path) {
        size_t len = strlen(path);
        char *out = malloc(len + 2);
        if (!out)
                return NULL;
        size_t o = 0;
        const char *p = path;
        while (*p) {
                while (*p == '/')
                        p++;
                const char *e = strchrnul(p, '/');
                size_t n = (size_t) (e - p);
                if (n == 0 || (n == 1 && p[0] == '.')) {
                } else if (n == 2 && p[0] == '.' && p[1] == '.') {
                        while (o > 0 && out[o - 1] != '/')
                                o--;
                        if (o > 0)
                                o--;
                } else {
                        out[o++] = '/';
                        memcpy(out + o, p, n);
                        o += n;
                }
                p = e;
        }
        if (o == 0)
                out[o++] = '/';
        out[o] = '\0';
        return out;
}

typedef struct WalkStack {
        char *names[256]; /* directories below root, each a heap copy */
        size_t depth;
} WalkStack;

static void walk_stack_truncate(WalkStack *w, size_t depth) {
        while (w->depth > depth)
                free(w->names[--w->depth]);
}

/* Reopens the directory that root/names[0]/.../names[depth-1] is, each
 * component opened without following symlinks. */
static int walk_stack_reopen(int rootfd, const WalkStack *w) {
        int fd = openat(rootfd, ".", O_PATH | O_DIRECTORY | O_CLOEXEC);
        for (size_t i = 0; fd >= 0 && i < w->depth; i++) {
                int nfd = openat(fd, w->names[i], O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
                safe_close(fd);
                fd = nfd;
        }
        return fd < 0 ? -errno : fd;
}

static int open_in_root_fallback(int rootfd, const char *path, int flags, mode_t mode) {
        WalkStack w = {};
        _cleanup_free_ char *walk = strdup(path);
        int links = 0, r;
        if (!walk)
                return -ENOMEM;
        _cleanup_close_ int cur = walk_stack_reopen(rootfd, &w);
        if (cur < 0)
                return cur;

        const char *p = walk;
        for (;;) {
                while (*p == '/')
                        p++;
                if (*p == '\0') {
                        /* The path ends at a directory we already hold. */
                        r = openat(cur, ".", (flags & ~(O_CREAT | O_EXCL | O_NOFOLLOW)) | O_CLOEXEC, mode);
                        r = r < 0 ? -errno : r;
                        break;
                }
                const char *e = strchrnul(p, '/');
                _cleanup_free_ char *comp = strndup(p, (size_t) (e - p));
                if (!comp) {
                        r = -ENOMEM;
                        break;
                }
                p = e;
                const char *rest = p;
                while (*rest == '/')
                        rest++;
                bool last = *rest == '\0';

                if (strcmp(comp, ".") == 0)
                        continue;
                if (strcmp(comp, "..") == 0) {
                        walk_stack_truncate(&w, w.depth > 0 ? w.depth - 1 : 0);
                        safe_close(cur);
                        cur = walk_stack_reopen(rootfd, &w);
                        if (cur < 0) {
                                r = cur;
                                break;
                        }
                        continue;
                }

                if (last && !(flags & O_PATH)) {
                        r = openat(cur, comp, flags | O_NOFOLLOW | O_CLOEXEC, mode);
                        if (r >= 0)
                                break;
                        /* ELOOP without the caller's O_NOFOLLOW: a symlink to follow. */
                        if (errno != ELOOP || (flags & O_NOFOLLOW)) {
                                r = -errno;
                                break;
                        }
                }
                _cleanup_close_ int fd = openat(cur, comp, O_PATH | O_NOFOLLOW | O_CLOEXEC);
                struct stat st;
                if (fd < 0 || fstat(fd, &st) < 0) {
                        r = -errno;
                        break;
                }
                if (S_ISLNK(st.st_mode) && !(last && (flags & O_NOFOLLOW))) {
                        char target[4096];
                        ssize_t n = readlinkat(fd, "", target, sizeof target - 1);
                        if (n < 0) {
                                r = -errno;
                                break;
                        }
                        if (++links > PATH_MAX_SYMLINKS) {
                                r = -ELOOP;
                                break;
                        }
                        target[n] = '\0';
                        char *next = strdup_printf("%s/%s", target, rest);
                        if (!next) {
                                r = -ENOMEM;
                                break;
                        }
                        free(walk);
                        walk = next;
                        p = walk;
                        if (target[0] == '/') {
                                walk_stack_truncate(&w, 0);
                                safe_close(cur);
                                cur = walk_stack_reopen(rootfd, &w);
                                if (cur < 0) {
                                        r = cur;
                                        break;
                                }
                        }
                        continue;
                }
                if (last) {
                        /* Only O_PATH lookups get here (others opened above). */
                        r = (flags & O_DIRECTORY) && !S_ISDIR(st.st_mode) ? -ENOTDIR : TAKE_FD(fd);
                        break;
                }
                if (!S_ISDIR(st.st_mode)) {
                        r = -ENOTDIR;
                        break;
                }
                if (w.depth >= ELEMENTSOF(w.names)) {
                        r = -ENAMETOOLONG;
                        break;
                }
                w.names[w.depth++] = TAKE_PTR(comp);
                safe_close(cur);
                cur = TAKE_FD(fd);
        }
        walk_stack_truncate(&w, 0);
        return r;
}

int path_open_in_root(int rootfd, const char *path, int flags, mode_t mode) {
        if (openat2_state >= 0) {
                struct open_how how = {
                        .flags = (uint64_t) (flags | O_CLOEXEC),
                        .mode = (flags & (O_CREAT | O_TMPFILE)) ? mode : 0,
                        .resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS,
                };
                for (int tries = 0; tries < 32; tries++) {
                        long fd = syscall(SYS_openat2, rootfd, path, &how, sizeof how);
                        if (fd >= 0) {
                                openat2_state = 1;
                                return (int) fd;
                        }
                        /* EAGAIN: a concurrent rename anywhere on the system
                         * made the kernel give up on a ".."; try again. */
                        if (errno == EAGAIN)
                                continue;
                        if (errno == ENOSYS || (errno == EPERM && openat2_state == 0)) {
                                openat2_state = -1;
                                break;
                        }
                        return -errno;
                }
                if (openat2_state >= 0)
                        return -EAGAIN;
        }
        return open_in_root_fallback(rootfd, path, flags, mode);
}

static int mkdir_in_root(int rootfd, const char *path, mode_t mode, int links) {
        _cleanup_free_ char *clean = path_clean(path);
        if (!clean)
                return -ENOMEM;
        int fd = path_open_in_root(rootfd, "/", O_PATH | O_DIRECTORY, 0);
        /* Walk prefixes so that each existing component is resolved in root,
         * symlinks included, and each missing one is made in its resolved
         * parent. */
        for (char *s = clean + 1; fd >= 0 && *s;) {
                char *e = strchrnul(s, '/');
                char saved = *e;
                *e = '\0';
                int nfd = path_open_in_root(rootfd, clean, O_PATH | O_DIRECTORY, 0);
                if (nfd == -ENOENT) {
                        if (mkdirat(fd, s, mode) == 0)
                                nfd = path_open_in_root(rootfd, clean, O_PATH | O_DIRECTORY, 0);
                        else if (errno != EEXIST)
                                nfd = -errno;
                        else {
                                /* A dangling symlink: make what it points to,
                                 * inside the root, as the kernel would follow it. */
                                char target[4096];
                                ssize_t n = readlinkat(fd, s, target, sizeof target - 1);
                                if (n < 0 || ++links > PATH_MAX_SYMLINKS)
                                        nfd = n < 0 ? -EEXIST : -ELOOP;
                                else {
                                        target[n] = '\0';
                                        *s = '\0'; /* clean is now the parent, with its trailing '/' */
                                        _cleanup_free_ char *next = strdup_printf(
                                                "%s/%s/%s", target[0] == '/' ? "" : clean, target, saved ? e + 1 : "");
                                        safe_close(fd);
                                        return next ? mkdir_in_root(rootfd, next, mode, links) : -ENOMEM;
                                }
                        }
                }
                safe_close(fd);
                fd = nfd;
                *e = saved;
                s = saved ? e + 1 : e;
        }
        return fd;
}

int path_mkdir_in_root(int rootfd, const char *path, mode_t mode) {
        return mkdir_in_root(rootfd, path, mode, 0);
}

int path_mkfile_in_root(int rootfd, const char *path, mode_t mode) {
        int fd = path_open_in_root(rootfd, path, O_PATH, 0);
        if (fd != -ENOENT)
                return fd;
        _cleanup_free_ char *clean = path_clean(path);
        if (!clean)
                return -ENOMEM;
        char *slash = strrchr(clean, '/');
        if (!slash[1])
                return -EISDIR;
        *slash = '\0';
        _cleanup_close_ int dfd = path_mkdir_in_root(rootfd, clean[0] ? clean : "/", 0755);
        if (dfd < 0)
                return dfd;
        _cleanup_close_ int dir = openat(dfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (dir < 0)
                return -errno;
        int f = openat(dir, slash + 1, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode);
        if (f < 0 && errno != EEXIST)
                return -errno;
        safe_close(f);
        *slash = '/';
        return path_open_in_root(rootfd, clean, O_PATH, 0);
}
