/* cgroup.c: what is mounted where, which directory the container gets in
 * each hierarchy, the manager object and its state.json form, and the
 * writes, reads and removals both backends share. Which file a resource
 * becomes is cgroup-v1.c's and cgroup-v2.c's business. */
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <time.h>

#include <linux/magic.h>

#include "cgroup.h"

static const char *const cgroup_mode_table[_CGROUP_MODE_MAX] = {
        [CGROUP_MODE_V1] = "v1",
        [CGROUP_MODE_HYBRID] = "hybrid",
        [CGROUP_MODE_V2] = "v2",
};

const char *cgroup_mode_to_string(CgroupMode m) {
        return m >= 0 && m < _CGROUP_MODE_MAX ? cgroup_mode_table[m] : NULL;
}

CgroupMode cgroup_mode_from_string(const char *s) {
        for (int i = 0; s && i < _CGROUP_MODE_MAX; i++)
                if (strcmp(cgroup_mode_table[i], s) == 0)
                        return (CgroupMode) i;
        return _CGROUP_MODE_INVALID;
}

int cgroup_mode_detect(CgroupMode *ret) {
        struct statfs fs;
        if (statfs(CGROUP_ROOT "/", &fs) < 0)
                return -errno;
        if (fs.f_type == CGROUP2_SUPER_MAGIC) {
                *ret = CGROUP_MODE_V2;
                return 0;
        }
        if (fs.f_type != TMPFS_MAGIC && fs.f_type != CGROUP_SUPER_MAGIC)
                return -ENOMEDIUM;
        if (statfs(CGROUP_ROOT "/unified/", &fs) >= 0 && fs.f_type == CGROUP2_SUPER_MAGIC)
                *ret = CGROUP_MODE_HYBRID;
        else
                *ret = CGROUP_MODE_V1;
        return 0;
}

/* ---- mountinfo -------------------------------------------------------------- */

/* The v1 controllers we place containers in. Anything else in a mount's
 * options (rw, xattr, release_agent=, clone_children, ...) is not one. */
static const char *const managed_v1[] = {
        "cpu",  "cpuacct", "cpuset",  "memory",   "devices",    "freezer", "blkio",
        "pids", "hugetlb", "net_cls", "net_prio", "perf_event", "rdma",    "misc",
};

static bool is_managed_v1(const char *c) {
        for (size_t i = 0; i < ELEMENTSOF(managed_v1); i++)
                if (strcmp(managed_v1[i], c) == 0)
                        return true;
        return false;
}

static void hierarchy_clear(CgroupHierarchy *h) {
        free(h->name);
        free(h->options);
        free(h->mount_point);
        free(h->mount_root);
        strv_free(h->controllers);
        free(h->cgroup);
        free(h->container_path);
        if (h->dirfd >= 0)
                safe_close(h->dirfd);
        *h = (CgroupHierarchy){.dirfd = -1};
}

void cgroup_hierarchies_free(CgroupHierarchy *h, size_t n) {
        for (size_t i = 0; h && i < n; i++)
                hierarchy_clear(&h[i]);
        free(h);
}

/* mountinfo escapes space, tab, newline and backslash as \ooo. */
static void unescape_octal(char *s) {
        char *o = s;
        for (char *p = s; *p;) {
                if (p[0] == '\\' && p[1] >= '0' && p[1] <= '3' && p[2] >= '0' && p[2] <= '7' && p[3] >= '0' &&
                    p[3] <= '7') {
                        *o++ = (char) (((p[1] - '0') << 6) | ((p[2] - '0') << 3) | (p[3] - '0'));
                        p += 4;
                } else
                        *o++ = *p++;
        }
        *o = '\0';
}

static char *strv_join(char *const *v, const char *sep) {
        size_t len = 1;
        for (size_t i = 0; v && v[i]; i++)
                len += strlen(v[i]) + strlen(sep);
        char *s = malloc(len), *p = s;
        if (!s)
                return NULL;
        *p = '\0';
        for (size_t i = 0; v && v[i]; i++)
                p = stpcpy(stpcpy(p, i ? sep : ""), v[i]);
        return s;
}

static int hierarchy_from_v1_options(const char *superopts, char ***ret_controllers, char **ret_options) {
        _cleanup_strv_free_ char **ctl = NULL;
        _cleanup_free_ char *opts = strdup(superopts), *name = NULL;
        if (!opts)
                return -ENOMEM;
        char *save = NULL;
        for (char *t = strtok_r(opts, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
                if (str_startswith(t, "name=")) {
                        free(name);
                        if (!(name = strdup(t)))
                                return -ENOMEM;
                } else if (is_managed_v1(t)) {
                        char *c = strdup(t);
                        if (!c || strv_push(&ctl, c) < 0)
                                return -ENOMEM;
                }
        }
        /* Named hierarchies other than systemd's belong to someone else. */
        if (name && strcmp(name, "name=systemd") != 0 && !ctl)
                return 0;
        if (!name && !ctl)
                return 0;
        _cleanup_free_ char *joined = strv_join(ctl, ",");
        if (!joined)
                return -ENOMEM;
        char *options = name ? strdup_printf("%s%s%s", ctl ? joined : "none", ",", name) : TAKE_PTR(joined);
        if (!options)
                return -ENOMEM;
        if (name && strv_push(&ctl, TAKE_PTR(name)) < 0) {
                free(options);
                return -ENOMEM;
        }
        *ret_controllers = TAKE_PTR(ctl);
        *ret_options = options;
        return 1;
}

static bool hierarchy_seen(const CgroupHierarchy *h, size_t n, const char *options, bool v2) {
        for (size_t i = 0; i < n; i++) {
                if (v2 && h[i].v2)
                        return true;
                if (!v2 && !h[i].v2 && strcmp(h[i].options, options) == 0)
                        return true;
        }
        return false;
}

int cgroup_parse_mountinfo(const char *buf, const char *v2_prefer, CgroupHierarchy **ret, size_t *ret_n) {
        _cleanup_free_ char *copy = strdup(buf);
        CgroupHierarchy *h = NULL;
        size_t n = 0;
        int r = 0;
        if (!copy)
                return -ENOMEM;

        char *save = NULL;
        for (char *line = strtok_r(copy, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
                /* id parent maj:min root mount-point options [optional...] - fstype source superopts */
                char *f[6] = {};
                size_t nf = 0;
                char *lsave = NULL;
                for (char *t = strtok_r(line, " ", &lsave); t && nf < 5; t = strtok_r(NULL, " ", &lsave))
                        f[nf++] = t;
                if (nf < 5)
                        continue;
                char *t, *fstype = NULL, *superopts = NULL;
                while ((t = strtok_r(NULL, " ", &lsave)))
                        if (strcmp(t, "-") == 0) {
                                fstype = strtok_r(NULL, " ", &lsave);
                                (void) strtok_r(NULL, " ", &lsave);
                                superopts = strtok_r(NULL, " ", &lsave);
                                break;
                        }
                if (!fstype || !superopts)
                        continue;
                bool v2 = strcmp(fstype, "cgroup2") == 0;
                if (!v2 && strcmp(fstype, "cgroup") != 0)
                        continue;

                _cleanup_strv_free_ char **ctl = NULL;
                _cleanup_free_ char *options = NULL;
                if (!v2) {
                        r = hierarchy_from_v1_options(superopts, &ctl, &options);
                        if (r < 0)
                                goto fail;
                        if (r == 0)
                                continue;
                }
                unescape_octal(f[3]);
                unescape_octal(f[4]);
                if (v2 && v2_prefer && strcmp(f[4], v2_prefer) == 0)
                        for (size_t i = 0; i < n; i++)
                                if (h[i].v2) {
                                        hierarchy_clear(&h[i]);
                                        memmove(h + i, h + i + 1, (n - i - 1) * sizeof *h);
                                        n--;
                                        break;
                                }
                if (hierarchy_seen(h, n, options, v2))
                        continue;
                CgroupHierarchy *nh = realloc(h, (n + 1) * sizeof *h);
                if (!nh) {
                        r = -ENOMEM;
                        goto fail;
                }
                h = nh;
                const char *base = strrchr(f[4], '/');
                h[n] = (CgroupHierarchy){
                        .name = strdup(base ? base + 1 : f[4]),
                        .options = TAKE_PTR(options),
                        .mount_point = strdup(f[4]),
                        .mount_root = strdup(f[3]),
                        .controllers = TAKE_PTR(ctl),
                        .v2 = v2,
                        .dirfd = -1,
                };
                n++;
                if (!h[n - 1].name || !h[n - 1].mount_point || !h[n - 1].mount_root) {
                        r = -ENOMEM;
                        goto fail;
                }
        }

        /* The v2 mount last: v1 hierarchies are looked up first. */
        for (size_t i = 0; i + 1 < n; i++)
                if (h[i].v2) {
                        CgroupHierarchy v = h[i];
                        memmove(h + i, h + i + 1, (n - i - 1) * sizeof *h);
                        h[n - 1] = v;
                        break;
                }
        *ret = h;
        *ret_n = n;
        return 0;
fail:
        cgroup_hierarchies_free(h, n);
        return r;
}

static bool controller_lists_overlap(char *const *ours, const char *theirs) {
        _cleanup_free_ char *copy = strdup(theirs);
        char *save = NULL;
        if (!copy)
                return false;
        for (char *t = strtok_r(copy, ",", &save); t; t = strtok_r(NULL, ",", &save))
                if (strv_contains(ours, t))
                        return true;
        return false;
}

int cgroup_parse_proc_cgroup(const char *buf, const CgroupHierarchy *h, char **ret) {
        for (const char *line = buf; line && *line;) {
                const char *end = strchrnul(line, '\n');
                const char *c1 = memchr(line, ':', (size_t) (end - line));
                const char *c2 = c1 ? memchr(c1 + 1, ':', (size_t) (end - c1 - 1)) : NULL;
                if (c2) {
                        _cleanup_free_ char *ctl = strndup(c1 + 1, (size_t) (c2 - c1 - 1));
                        if (!ctl)
                                return -ENOMEM;
                        bool match = h->v2 ? (c1 - line == 1 && line[0] == '0' && !ctl[0])
                                           : (ctl[0] && controller_lists_overlap(h->controllers, ctl));
                        if (match) {
                                *ret = strndup(c2 + 1, (size_t) (end - c2 - 1));
                                return *ret ? 0 : -ENOMEM;
                        }
                }
                line = *end ? end + 1 : end;
        }
        return -ENOENT;
}

static bool path_has_dotdot(const char *p) {
        for (const char *s = p; (s = strstr(s, "..")); s += 2)
                if ((s == p || s[-1] == '/') && (s[2] == '\0' || s[2] == '/'))
                        return true;
        return false;
}

int cgroup_resolve_path(const char *cgroups_path, const char *id, const char *own, char **ret, Error *reterr) {
        const char *p = cgroups_path && cgroups_path[0] ? cgroups_path : id;
        if (!p || !p[0])
                return error_msg(reterr, EINVAL, "no cgroupsPath and no container id to name the cgroup");
        /* systemd's "slice:prefix:name" form */
        if (p[0] != '/') {
                const char *c1 = strchr(p, ':');
                if (c1 && strchr(c1 + 1, ':') && !strchr(c1 + 1, '/'))
                        return error_msg(
                                reterr, EINVAL,
                                "cgroupsPath \"%s\": systemd cgroup driver requested but systemd is not running", p);
        }
        if (path_has_dotdot(p))
                return error_msg(reterr, EINVAL, "cgroupsPath \"%s\": \"..\" is not allowed", p);
        _cleanup_free_ char *joined = p[0] == '/' ? strdup(p) : strdup_printf("%s/%s", own ? own : "/", p);
        char *clean = joined ? path_clean(joined) : NULL;
        if (!clean)
                return error_set(reterr, ENOMEM, "cgroupsPath");
        if (strcmp(clean, "/") == 0) {
                free(clean);
                return error_msg(reterr, EINVAL, "cgroupsPath \"%s\" names the root cgroup", p);
        }
        *ret = clean;
        return 0;
}

/* ---- the manager ---------------------------------------------------------------- */

static CgroupManager *manager_alloc(void) {
        return calloc(1, sizeof(CgroupManager));
}

CgroupManager *cgroup_manager_free(CgroupManager *m) {
        if (!m)
                return NULL;
        cgroup_hierarchies_free(m->h, m->n);
        free(m->path);
        free(m);
        return NULL;
}

CgroupMode cgroup_manager_mode(const CgroupManager *m) {
        return m->mode;
}

const char *cgroup_manager_path(const CgroupManager *m) {
        return m->path;
}

void cgroup_manager_hierarchies(const CgroupManager *m, const CgroupHierarchy **ret, size_t *ret_n) {
        *ret = m->h;
        *ret_n = m->n;
}

CgroupHierarchy *cgroup_manager_v2(CgroupManager *m) {
        return m->n > 0 && m->h[m->n - 1].v2 ? &m->h[m->n - 1] : NULL;
}

CgroupHierarchy *cgroup_manager_find(CgroupManager *m, const char *controller) {
        for (size_t i = 0; i < m->n; i++)
                if (!m->h[i].v2 && strv_contains(m->h[i].controllers, controller))
                        return &m->h[i];
        CgroupHierarchy *v2 = cgroup_manager_v2(m);
        if (v2 && (m->mode == CGROUP_MODE_V2 || strv_contains(v2->controllers, controller)))
                return v2;
        return NULL;
}

static int read_controllers(const char *mount_point, char ***ret) {
        _cleanup_free_ char *path = strdup_printf("%s/cgroup.controllers", mount_point), *buf = NULL;
        if (!path)
                return -ENOMEM;
        int r = read_file(path, 4096, &buf, NULL);
        if (r < 0)
                return r;
        _cleanup_strv_free_ char **v = NULL;
        char *save = NULL;
        for (char *t = strtok_r(buf, " \n", &save); t; t = strtok_r(NULL, " \n", &save)) {
                char *c = strdup(t);
                if (!c || strv_push(&v, c) < 0)
                        return -ENOMEM;
        }
        if (!v && !(v = calloc(1, sizeof(char *))))
                return -ENOMEM;
        *ret = TAKE_PTR(v);
        return 0;
}

/* The container's directory: the cgroup path seen from the mount, whose root
 * may be a subtree of the hierarchy (a bind mount without a cgroup
 * namespace). */
static int hierarchy_place(CgroupHierarchy *h, const char *cgroups_path, const char *id, const char *self,
                           Error *reterr) {
        _cleanup_free_ char *own = NULL;
        bool absolute = cgroups_path && cgroups_path[0] == '/';
        int r;
        if (!absolute) {
                r = self ? cgroup_parse_proc_cgroup(self, h, &own) : -ENOENT;
                if (r == -ENOMEM)
                        return error_set(reterr, r, "reading /proc/self/cgroup");
                if (r < 0)
                        return error_msg(reterr, ENOENT, "/proc/self/cgroup has no line for the cgroup mount at %s",
                                         h->mount_point);
        }
        _cleanup_free_ char *cg = NULL;
        if ((r = cgroup_resolve_path(cgroups_path, id, own, &cg, reterr)) < 0)
                return r;
        const char *rel = cg;
        if (absolute) {
                if (strcmp(h->mount_root, "/") != 0) {
                        char *full = strdup_printf("%s%s", h->mount_root, cg);
                        if (!full)
                                return error_set(reterr, ENOMEM, "cgroup path");
                        free(TAKE_PTR(cg));
                        cg = full;
                        rel = cg + strlen(h->mount_root);
                }
        } else if (strcmp(h->mount_root, "/") != 0) {
                size_t l = strlen(h->mount_root);
                if (strncmp(cg, h->mount_root, l) == 0 && (cg[l] == '/' || cg[l] == '\0'))
                        rel = cg + l;
        }
        h->container_path = strdup_printf("%s%s", h->mount_point, rel);
        if (!h->container_path)
                return error_set(reterr, ENOMEM, "cgroup path");
        h->cgroup = TAKE_PTR(cg);
        return 0;
}

int cgroup_manager_new_with(const CgroupSetup *s, const char *cgroups_path, const char *id, CgroupManager **ret,
                            Error *reterr) {
        _cleanup_(cgroup_manager_freep) CgroupManager *m = manager_alloc();
        _cleanup_free_ char *mountinfo = NULL, *self = NULL;
        CgroupHierarchy *all = NULL;
        size_t n_all = 0;
        int r;
        if (!m)
                return error_set(reterr, ENOMEM, "cgroup manager");

        m->mode = s->mode;
        if (m->mode < 0 && (r = cgroup_mode_detect(&m->mode)) < 0)
                return error_set(reterr, r, "detecting the cgroup version at " CGROUP_ROOT);

        /* Refuse a bad path before reading anything else. */
        _cleanup_free_ char *probe = NULL;
        if ((r = cgroup_resolve_path(cgroups_path, id, "/", &probe, reterr)) < 0)
                return r;

        if (!s->mountinfo && (r = read_file("/proc/self/mountinfo", 4u << 20, &mountinfo, NULL)) < 0)
                return error_set(reterr, r, "reading /proc/self/mountinfo");
        const char *v2_root = s->v2_root ? s->v2_root : CGROUP_ROOT;
        const char *prefer = m->mode == CGROUP_MODE_V2 ? v2_root : CGROUP_ROOT "/unified";
        r = cgroup_parse_mountinfo(s->mountinfo ? s->mountinfo : mountinfo, prefer, &all, &n_all);
        if (r < 0)
                return error_set(reterr, r, "parsing /proc/self/mountinfo");
        m->h = calloc(n_all ? n_all : 1, sizeof *m->h);
        if (!m->h) {
                cgroup_hierarchies_free(all, n_all);
                return error_set(reterr, ENOMEM, "cgroup manager");
        }
        for (size_t i = 0; i < n_all; i++) {
                bool keep = m->mode == CGROUP_MODE_V2 ? all[i].v2 && strcmp(all[i].mount_point, v2_root) == 0
                                                      : !all[i].v2 || m->mode == CGROUP_MODE_HYBRID;
                if (keep)
                        m->h[m->n++] = all[i];
                else
                        hierarchy_clear(&all[i]);
        }
        free(all); /* its entries were moved or cleared above */
        if (m->mode == CGROUP_MODE_V2 && m->n == 0)
                return error_msg(reterr, ENOENT, "no cgroup2 file system is mounted at %s", v2_root);
        if (m->n == 0)
                return error_msg(reterr, ENOENT, "no cgroup hierarchy is mounted under " CGROUP_ROOT);

        CgroupHierarchy *v2 = cgroup_manager_v2(m);
        if (v2) {
                if (m->mode == CGROUP_MODE_V2) {
                        free(v2->name);
                        if (!(v2->name = strdup("")))
                                return error_set(reterr, ENOMEM, "cgroup manager");
                }
                if ((r = read_controllers(v2->mount_point, &v2->controllers)) < 0)
                        return error_set(reterr, r, "reading %s/cgroup.controllers", v2->mount_point);
        }

        bool absolute = cgroups_path && cgroups_path[0] == '/';
        if (!absolute && !s->self_cgroup && (r = read_file("/proc/self/cgroup", 1u << 20, &self, NULL)) < 0)
                return error_set(reterr, r, "reading /proc/self/cgroup");
        const char *own = s->self_cgroup ? s->self_cgroup : self;
        for (size_t i = 0; i < m->n; i++)
                if ((r = hierarchy_place(&m->h[i], cgroups_path, id, own, reterr)) < 0)
                        return r;
        if (!(m->path = strdup(m->h[0].cgroup)))
                return error_set(reterr, ENOMEM, "cgroup manager");
        *ret = TAKE_PTR(m);
        return 0;
}

int cgroup_manager_new(const char *cgroups_path, const char *id, CgroupManager **ret, Error *reterr) {
        return cgroup_manager_new_with(&(CgroupSetup){.mode = _CGROUP_MODE_INVALID}, cgroups_path, id, ret, reterr);
}

/* ---- state.json -------------------------------------------------------------------- */

JsonValue *cgroup_manager_serialize(const CgroupManager *m) {
        _cleanup_json_ JsonValue *o = json_new_object(), *arr = json_new_array();
        if (!o || !arr || json_obj_set_str(o, "mode", cgroup_mode_to_string(m->mode)) < 0 ||
            json_obj_set_str(o, "path", m->path) < 0)
                return NULL;
        for (size_t i = 0; i < m->n; i++) {
                const CgroupHierarchy *h = &m->h[i];
                JsonValue *e = json_new_object();
                if (!e || json_arr_append(arr, e) < 0)
                        return NULL;
                if (json_obj_set_str(e, "name", h->name) < 0 || json_obj_set_str(e, "options", h->options) < 0 ||
                    json_obj_set_str(e, "mount", h->mount_point) < 0 ||
                    json_obj_set_str(e, "root", h->mount_root) < 0 ||
                    (h->controllers && json_obj_set(e, "controllers", json_new_strv(h->controllers)) < 0) ||
                    json_obj_set_str(e, "cgroup", h->cgroup) < 0 || json_obj_set_str(e, "dir", h->container_path) < 0 ||
                    json_obj_set_bool(e, "v2", h->v2) < 0)
                        return NULL;
        }
        if (json_obj_set(o, "hierarchies", TAKE_PTR(arr)) < 0)
                return NULL;
        return TAKE_PTR(o);
}

typedef struct SerializedManager {
        char *mode;
        char *path;
        ARRAY(CgroupHierarchy) h;
} SerializedManager;

static const JsonField hierarchy_fields[] = {
        {"name", JSON_FIELD_STRING, offsetof(CgroupHierarchy, name), JSON_FIELD_REQUIRED},
        {"options", JSON_FIELD_STRING, offsetof(CgroupHierarchy, options), JSON_FIELD_NULLABLE},
        {"mount", JSON_FIELD_STRING, offsetof(CgroupHierarchy, mount_point), JSON_FIELD_REQUIRED},
        {"root", JSON_FIELD_STRING, offsetof(CgroupHierarchy, mount_root), JSON_FIELD_REQUIRED},
        {"controllers", JSON_FIELD_STRV, offsetof(CgroupHierarchy, controllers), JSON_FIELD_NULLABLE},
        {"cgroup", JSON_FIELD_STRING, offsetof(CgroupHierarchy, cgroup), JSON_FIELD_REQUIRED},
        {"dir", JSON_FIELD_STRING, offsetof(CgroupHierarchy, container_path), JSON_FIELD_REQUIRED},
        {"v2", JSON_FIELD_BOOL, offsetof(CgroupHierarchy, v2)},
        {},
};

static const JsonField manager_fields[] = {
        {"mode", JSON_FIELD_STRING, offsetof(SerializedManager, mode), JSON_FIELD_REQUIRED},
        {"path", JSON_FIELD_STRING, offsetof(SerializedManager, path), JSON_FIELD_REQUIRED},
        {"hierarchies", JSON_FIELD_OBJECT_ARRAY, offsetof(SerializedManager, h), JSON_FIELD_REQUIRED,
         .sub = hierarchy_fields, .size = sizeof(CgroupHierarchy)},
        {},
};

/* state.json is ours, but a path from it is still checked before anything
 * is removed below it. */
static bool hierarchy_valid(const CgroupHierarchy *h) {
        size_t l = strlen(h->mount_point);
        return h->mount_point[0] == '/' && !path_has_dotdot(h->mount_point) && !path_has_dotdot(h->container_path) &&
               strncmp(h->container_path, h->mount_point, l) == 0 && h->container_path[l] == '/' &&
               h->container_path[l + 1] && (h->v2 || h->controllers) && (!h->v2 || !h->options);
}

int cgroup_manager_deserialize(const JsonValue *v, CgroupManager **ret, Error *reterr) {
        SerializedManager s = {};
        int r = json_dispatch(v, manager_fields, &s, "cgroup", 0, reterr);
        if (r < 0)
                return r;
        _cleanup_(cgroup_manager_freep) CgroupManager *m = manager_alloc();
        if (!m) {
                json_dispatch_free(manager_fields, &s);
                return error_set(reterr, ENOMEM, "cgroup manager");
        }
        _cleanup_free_ char *mode = TAKE_PTR(s.mode);
        m->mode = cgroup_mode_from_string(mode);
        m->path = TAKE_PTR(s.path);
        m->h = TAKE_PTR(s.h.items);
        m->n = s.h.n;
        for (size_t i = 0; i < m->n; i++)
                m->h[i].dirfd = -1;
        if (m->mode < 0)
                return error_msg(reterr, EINVAL, "cgroup: unknown mode \"%s\"", mode);
        for (size_t i = 0; i < m->n; i++) {
                bool last = i + 1 == m->n;
                if (!hierarchy_valid(&m->h[i]) || (m->h[i].v2 && !last) || (m->mode == CGROUP_MODE_V2 && !m->h[i].v2) ||
                    (m->mode == CGROUP_MODE_V1 && m->h[i].v2))
                        return error_msg(reterr, EINVAL, "cgroup: hierarchies[%zu] is not valid", i);
        }
        if (m->n == 0)
                return error_msg(reterr, EINVAL, "cgroup: no hierarchies");
        *ret = TAKE_PTR(m);
        return 0;
}

/* ---- files ------------------------------------------------------------------------- */

int cgroup_hierarchy_open(CgroupHierarchy *h, Error *reterr) {
        if (h->dirfd >= 0)
                return h->dirfd;
        h->dirfd = open(h->container_path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (h->dirfd < 0)
                return errno == ENOENT ? error_msg(reterr, ENOENT, "cgroup %s does not exist", h->container_path)
                                       : error_set(reterr, errno, "opening %s", h->container_path);
        return h->dirfd;
}

int cgroup_read_at(int dirfd, const char *file, char **ret) {
        size_t len = 0;
        char *buf = NULL;
        int r = read_file_at(dirfd, file, 16u << 20, &buf, &len);
        if (r < 0)
                return r;
        while (len > 0 && buf[len - 1] == '\n')
                buf[--len] = '\0';
        *ret = buf;
        return 0;
}

int cgroup_read_u64_at(int dirfd, const char *file, uint64_t *ret) {
        _cleanup_free_ char *s = NULL;
        int r = cgroup_read_at(dirfd, file, &s);
        if (r < 0)
                return r;
        if (strcmp(s, "max") == 0) {
                *ret = UINT64_MAX;
                return 0;
        }
        return parse_uint64(s, ret);
}

int cgroup_keyed_u64(const char *buf, const char *key, uint64_t *ret) {
        size_t kl = strlen(key);
        for (const char *l = buf; l && *l;) {
                const char *end = strchrnul(l, '\n');
                if ((size_t) (end - l) > kl && strncmp(l, key, kl) == 0 && l[kl] == ' ') {
                        char num[32];
                        size_t nl = (size_t) (end - l) - kl - 1;
                        if (nl == 0 || nl >= sizeof num)
                                return -EINVAL;
                        memcpy(num, l + kl + 1, nl);
                        num[nl] = '\0';
                        return parse_uint64(num, ret);
                }
                l = *end ? end + 1 : end;
        }
        return -ENOENT;
}

int cgroup_json_set_u64(JsonValue *o, const char *key, uint64_t v, bool omit_zero) {
        if (omit_zero && v == 0)
                return 0;
        /* jansson holds signed 64-bit numbers; v2's "max" reads as UINT64_MAX */
        return json_obj_set_int(o, key, v > INT64_MAX ? INT64_MAX : (int64_t) v);
}

char *cgroup_hugepage_size_name(uint64_t kb) {
        static const char *const units[] = {"KB", "MB", "GB", "TB"};
        size_t u = 0;
        while (u + 1 < ELEMENTSOF(units) && kb >= 1024 && kb % 1024 == 0) {
                kb /= 1024;
                u++;
        }
        return strdup_printf("%" PRIu64 "%s", kb, units[u]);
}

bool cgroup_hugepage_size_valid(const char *s) {
        size_t d = strspn(s, "0123456789");
        return d > 0 && d < 12 && s[0] != '0' &&
               (strcmp(s + d, "KB") == 0 || strcmp(s + d, "MB") == 0 || strcmp(s + d, "GB") == 0 ||
                strcmp(s + d, "TB") == 0);
}

int cgroup_hugepage_sizes(char ***ret) {
        _cleanup_closedir_ DIR *d = opendir("/sys/kernel/mm/hugepages");
        _cleanup_strv_free_ char **v = NULL;
        if (!d)
                return errno == ENOENT ? (*ret = NULL, 0) : -errno;
        struct dirent *de;
        while ((de = readdir(d))) {
                uint64_t kb;
                if (!str_startswith(de->d_name, "hugepages-"))
                        continue;
                _cleanup_free_ char *num = strdup(de->d_name + strlen("hugepages-"));
                char *k = num ? strstr(num, "kB") : NULL;
                if (!k || k[2])
                        continue;
                *k = '\0';
                if (parse_uint64(num, &kb) < 0)
                        continue;
                char *name = cgroup_hugepage_size_name(kb);
                if (!name || strv_push(&v, name) < 0)
                        return -ENOMEM;
        }
        *ret = TAKE_PTR(v);
        return 0;
}

/* ---- writes -------------------------------------------------------------------------- */

void cgroup_plan_clear(CgroupPlan *p) {
        for (size_t i = 0; i < p->n; i++) {
                free(p->w[i].file);
                free(p->w[i].value);
        }
        free(p->w);
        *p = (CgroupPlan){};
}

int cgroup_plan_add(CgroupPlan *p, const char *controller, bool v2, const char *file, unsigned flags, const char *fmt,
                    ...) {
        va_list ap;
        char *value = NULL;
        va_start(ap, fmt);
        int r = vasprintf(&value, fmt, ap);
        va_end(ap);
        if (r < 0)
                return -ENOMEM;
        char *f = strdup(file);
        CgroupWrite *nw = f ? realloc(p->w, (p->n + 1) * sizeof *p->w) : NULL;
        if (!nw) {
                free(f);
                free(value);
                return -ENOMEM;
        }
        p->w = nw;
        p->w[p->n++] = (CgroupWrite){.controller = controller, .v2 = v2, .file = f, .value = value, .flags = flags};
        return 0;
}

typedef enum Placement {
        PLACE_NONE,
        PLACE_V1,
        PLACE_V2,
} Placement;

static Placement placement(const CgroupPlanContext *c, const char *controller) {
        if (c->mode == CGROUP_MODE_V2)
                return PLACE_V2;
        if (strv_contains(c->v1_controllers, controller))
                return PLACE_V1;
        if (c->mode == CGROUP_MODE_HYBRID && strv_contains(c->v2_controllers, controller))
                return PLACE_V2;
        return PLACE_NONE;
}

static int unplaced(const char *what) {
        /* runc skips what no mounted hierarchy can hold */
        log_debug("cgroup: no %s controller is mounted; its limits are ignored", what);
        return 0;
}

/* Hybrid: a unified key goes to the v2 mount when that mount has the key's
 * controller; the "cgroup." files exist in every v2 cgroup. */
static int plan_unified(const CgroupPlanContext *c, const StrMap *u, CgroupPlan *p, Error *reterr) {
        for (size_t i = 0; i < u->n; i++) {
                const char *k = u->keys[i];
                int r = cgroup_v2_unified_key_check(k, reterr);
                if (r < 0)
                        return r;
                if (c->mode != CGROUP_MODE_V2) {
                        _cleanup_free_ char *ctl = strndup(k, strcspn(k, "."));
                        if (!ctl)
                                return error_set(reterr, ENOMEM, "unified");
                        if (c->mode == CGROUP_MODE_V1 ||
                            (strcmp(ctl, "cgroup") != 0 && !strv_contains(c->v2_controllers, ctl)))
                                return error_msg(reterr, EOPNOTSUPP,
                                                 "linux.resources.unified[\"%s\"]: the %s controller is not on a "
                                                 "cgroup v2 hierarchy here (cgroup v1)",
                                                 k, ctl);
                }
                if (cgroup_plan_add(p, "unified", true, k, CGROUP_WRITE_LINES, "%s", u->values[i]) < 0)
                        return error_set(reterr, ENOMEM, "unified");
        }
        return 0;
}

int cgroup_plan_cpuset(const OciCpu *cpu, bool v2, CgroupPlan *p, Error *reterr) {
        if (cpu->cpus && cpu->cpus[0] && cgroup_plan_add(p, "cpuset", v2, "cpuset.cpus", 0, "%s", cpu->cpus) < 0)
                return error_set(reterr, ENOMEM, "resources");
        if (cpu->mems && cpu->mems[0] && cgroup_plan_add(p, "cpuset", v2, "cpuset.mems", 0, "%s", cpu->mems) < 0)
                return error_set(reterr, ENOMEM, "resources");
        return 0;
}

int cgroup_plan_pids(const OciPids *pids, bool v2, CgroupPlan *p, Error *reterr) {
        int r = pids->limit > 0 ? cgroup_plan_add(p, "pids", v2, "pids.max", 0, "%" PRId64, pids->limit)
                                : cgroup_plan_add(p, "pids", v2, "pids.max", 0, "max");
        return r < 0 ? error_set(reterr, ENOMEM, "resources") : 0;
}

int cgroup_plan_resources(const CgroupPlanContext *c, const OciResources *r, CgroupPlan *p, Error *reterr) {
        int k = 0;
        if (!r)
                return 0;
        if (r->memory) {
                Placement pl = placement(c, "memory");
                k = pl == PLACE_V1   ? cgroup_v1_plan_memory(r->memory, c->update, p, reterr)
                    : pl == PLACE_V2 ? cgroup_v2_plan_memory(r->memory, p, reterr)
                                     : unplaced("memory");
                if (k < 0)
                        return k;
        }
        if (r->cpu) {
                Placement pl = placement(c, "cpu");
                k = pl == PLACE_V1   ? cgroup_v1_plan_cpu(r->cpu, p, reterr)
                    : pl == PLACE_V2 ? cgroup_v2_plan_cpu(r->cpu, c->update, p, reterr)
                                     : unplaced("cpu");
                if (k < 0)
                        return k;
                pl = placement(c, "cpuset");
                k = pl != PLACE_NONE ? cgroup_plan_cpuset(r->cpu, pl == PLACE_V2, p, reterr)
                                     : (r->cpu->cpus || r->cpu->mems ? unplaced("cpuset") : 0);
                if (k < 0)
                        return k;
        }
        if (r->pids) {
                Placement pl = placement(c, "pids");
                k = pl != PLACE_NONE ? cgroup_plan_pids(r->pids, pl == PLACE_V2, p, reterr) : unplaced("pids");
                if (k < 0)
                        return k;
        }
        if (r->block_io) {
                Placement pl = placement(c, c->mode == CGROUP_MODE_V2 ? "io" : "blkio");
                if (pl == PLACE_NONE && c->mode == CGROUP_MODE_HYBRID)
                        pl = placement(c, "io");
                k = pl == PLACE_V1   ? cgroup_v1_plan_blkio(r->block_io, p, reterr)
                    : pl == PLACE_V2 ? cgroup_v2_plan_io(r->block_io, p, reterr)
                                     : unplaced("blkio");
                if (k < 0)
                        return k;
        }
        if (r->hugepage_limits.n > 0) {
                const OciHugepageLimit *l = r->hugepage_limits.items;
                for (size_t i = 0; i < r->hugepage_limits.n; i++)
                        if (!l[i].page_size || !cgroup_hugepage_size_valid(l[i].page_size))
                                return error_msg(reterr, EINVAL, "linux.resources.hugepageLimits[%zu]: bad pageSize \"%s\"",
                                                 i, l[i].page_size ? l[i].page_size : "");
                Placement pl = placement(c, "hugetlb");
                k = pl == PLACE_V1   ? cgroup_v1_plan_hugetlb(r->hugepage_limits.items, r->hugepage_limits.n, p, reterr)
                    : pl == PLACE_V2 ? cgroup_v2_plan_hugetlb(r->hugepage_limits.items, r->hugepage_limits.n, p, reterr)
                                     : unplaced("hugetlb");
                if (k < 0)
                        return k;
        }
        if (r->network) {
                if (c->mode == CGROUP_MODE_V2)
                        log_debug("cgroup: linux.resources.network has no cgroup v2 equivalent; ignored");
                else if ((k = cgroup_v1_plan_network(r->network, placement(c, "net_cls") == PLACE_V1,
                                                     placement(c, "net_prio") == PLACE_V1, p, reterr)) < 0)
                        return k;
        }
        if (r->devices.n > 0 && c->mode != CGROUP_MODE_V2) {
                if (placement(c, "devices") == PLACE_V1) {
                        if ((k = cgroup_v1_plan_devices(r->devices.items, r->devices.n, p, reterr)) < 0)
                                return k;
                } else
                        unplaced("devices");
        }
        if (r->unified.n > 0 && (k = plan_unified(c, &r->unified, p, reterr)) < 0)
                return k;
        return 0;
}

static int write_value(int dirfd, const CgroupWrite *w, Error *reterr) {
        const char *value = w->value;
        _cleanup_free_ char *composed = NULL;
        int r;
        if (w->flags & CGROUP_WRITE_KEEP_QUOTA) {
                _cleanup_free_ char *cur = NULL;
                if ((r = cgroup_read_at(dirfd, w->file, &cur)) < 0)
                        return error_set(reterr, r, "reading %s", w->file);
                cur[strcspn(cur, " ")] = '\0';
                if (!(composed = strdup_printf("%s %s", cur, w->value)))
                        return error_set(reterr, ENOMEM, "cpu.max");
                value = composed;
        }
        if (w->flags & CGROUP_WRITE_LINES) {
                for (const char *l = value; *l;) {
                        size_t len = strcspn(l, "\n");
                        if (len > 0 && (r = write_file_at(dirfd, w->file, l, len)) < 0)
                                return error_set(reterr, r, "writing %s=\"%.*s\"", w->file, (int) len, l);
                        l += len + (l[len] == '\n');
                }
                return 0;
        }
        r = write_file_at(dirfd, w->file, value, strlen(value));
        if (r == -ENOENT && (w->flags & CGROUP_WRITE_OPTIONAL))
                return 0;
        if (r == -EBUSY && strcmp(w->file, "memory.limit_in_bytes") == 0) {
                uint64_t usage = 0, peak = 0;
                (void) cgroup_read_u64_at(dirfd, "memory.usage_in_bytes", &usage);
                (void) cgroup_read_u64_at(dirfd, "memory.max_usage_in_bytes", &peak);
                return error_msg(reterr, EBUSY,
                                 "writing %s=\"%s\": the limit is below the current usage (%" PRIu64
                                 " bytes, peak %" PRIu64 ")",
                                 w->file, value, usage, peak);
        }
        if (r == -ENOENT && w->v2)
                return error_msg(reterr, ENOENT,
                                 "writing %s=\"%s\": no such file (the %.*s controller is not available "
                                 "to this cgroup)",
                                 w->file, value, (int) strcspn(w->file, "."), w->file);
        if (r < 0)
                return error_set(reterr, r, "writing %s=\"%s\"", w->file, value);
        if (w->flags & CGROUP_WRITE_VERIFY) {
                uint64_t want, got;
                if (parse_uint64(value, &want) >= 0 && cgroup_read_u64_at(dirfd, w->file, &got) >= 0 && want != got)
                        return error_msg(reterr, EINVAL, "writing %s=\"%s\": the %s allowed is %" PRIu64, w->file,
                                         value, want > got ? "maximum" : "minimum", got);
        }
        return 0;
}

static int plan_dirfd(CgroupManager *m, const CgroupWrite *w, Error *reterr) {
        CgroupHierarchy *h = w->v2 ? cgroup_manager_v2(m) : cgroup_manager_find(m, w->controller);
        if (!h)
                return error_msg(reterr, ENOENT, "writing %s: no %s hierarchy", w->file, w->controller);
        return cgroup_hierarchy_open(h, reterr);
}

static int plan_execute(CgroupManager *m, const CgroupPlan *p, Error *reterr) {
        for (size_t i = 0; i < p->n; i++) {
                const CgroupWrite *w = &p->w[i];
                int fd = plan_dirfd(m, w, reterr);
                if (fd < 0)
                        return fd;
                int r = write_value(fd, w, reterr);
                if ((w->flags & CGROUP_WRITE_OR_NEXT) && i + 1 < p->n) {
                        if (r != -ENOENT) {
                                if (r < 0)
                                        return r;
                                i++;
                                continue;
                        }
                        error_clear(reterr);
                        continue;
                }
                if (r == -EINVAL && (w->flags & CGROUP_WRITE_SWAP_ON_EINVAL) && i + 1 < p->n) {
                        /* the kernel judges each value against the other's current one */
                        error_clear(reterr);
                        int nfd = plan_dirfd(m, &p->w[i + 1], reterr);
                        if (nfd < 0)
                                return nfd;
                        if ((r = write_value(nfd, &p->w[i + 1], reterr)) < 0)
                                return r;
                        if ((r = write_value(fd, w, reterr)) < 0)
                                return r;
                        i++;
                        continue;
                }
                if (r < 0)
                        return r;
        }
        return 0;
}

static int plan_context(CgroupManager *m, bool update, CgroupPlanContext *c, char ***ret_v1) {
        _cleanup_strv_free_ char **v1 = NULL;
        for (size_t i = 0; i < m->n; i++)
                for (size_t j = 0; !m->h[i].v2 && m->h[i].controllers && m->h[i].controllers[j]; j++) {
                        char *s = strdup(m->h[i].controllers[j]);
                        if (!s || strv_push(&v1, s) < 0)
                                return -ENOMEM;
                }
        CgroupHierarchy *v2 = cgroup_manager_v2(m);
        *c = (CgroupPlanContext){
                .mode = m->mode,
                .v1_controllers = v1,
                .v2_controllers = v2 ? v2->controllers : NULL,
                .update = update,
        };
        *ret_v1 = TAKE_PTR(v1);
        return 0;
}

static int apply_resources(CgroupManager *m, const OciResources *r, bool update, Error *reterr) {
        _cleanup_strv_free_ char **v1 = NULL;
        _cleanup_(cgroup_plan_clear) CgroupPlan p = {};
        CgroupPlanContext c;
        int k;
        if (!r)
                return 0;
        if ((k = plan_context(m, update, &c, &v1)) < 0)
                return error_set(reterr, k, "cgroup");
        if ((k = cgroup_plan_resources(&c, r, &p, reterr)) < 0)
                return k;
        if ((k = plan_execute(m, &p, reterr)) < 0)
                return k;
        if (m->mode == CGROUP_MODE_V2 && r->devices.n > 0) {
                int fd = cgroup_hierarchy_open(&m->h[0], reterr);
                if (fd < 0)
                        return fd;
                if ((k = cgroup_bpf_apply_devices(fd, r->devices.items, r->devices.n, reterr)) < 0)
                        return k;
        }
        return 0;
}

/* ---- directories ------------------------------------------------------------------- */

static int hierarchy_mkdir(CgroupHierarchy *h, Error *reterr) {
        size_t ml = strlen(h->mount_point);
        if (mkdir(h->container_path, 0755) >= 0)
                h->created = 1;
        else if (errno == EEXIST)
                h->created = 0;
        else if (errno == ENOENT) {
                /* Some ancestors are missing: make them top-down and count
                 * them, so that a failure removes exactly these. */
                _cleanup_free_ char *p = strdup(h->container_path);
                if (!p)
                        return error_set(reterr, ENOMEM, "cgroup path");
                unsigned made = 0;
                for (char *s = p + ml + 1;; s++) {
                        if (*s != '/' && *s != '\0')
                                continue;
                        char c = *s;
                        *s = '\0';
                        if (mkdir(p, 0755) >= 0)
                                made++;
                        else if (errno != EEXIST || made > 0) {
                                int k = error_set(reterr, errno, "creating %s", p);
                                for (; made > 0; made--) {
                                        *strrchr(p, '/') = '\0';
                                        (void) rmdir(p);
                                }
                                return k;
                        }
                        *s = c;
                        if (!c)
                                break;
                }
                h->created = made;
        } else
                return error_set(reterr, errno, "creating %s", h->container_path);

        int r = 0;
        if (h->v2)
                r = cgroup_v2_enable_controllers(h->mount_point, h->container_path, h->controllers, reterr);
        else if (strv_contains(h->controllers, "cpuset"))
                r = cgroup_v1_cpuset_inherit(h->mount_point, h->container_path, reterr);
        if (r < 0)
                return r;
        r = cgroup_hierarchy_open(h, reterr);
        return r < 0 ? r : 0;
}

static void hierarchy_unmake(CgroupHierarchy *h) {
        _cleanup_free_ char *p = strdup(h->container_path);
        h->dirfd = h->dirfd >= 0 ? safe_close(h->dirfd) : -1;
        for (; p && h->created > 0; h->created--) {
                if (rmdir(p) < 0 && errno != ENOENT) {
                        log_debug("cgroup: removing %s: %m", p);
                        break;
                }
                char *slash = strrchr(p, '/');
                if (!slash)
                        break;
                *slash = '\0';
        }
}

static void manager_unmake(CgroupManager *m) {
        for (size_t i = 0; i < m->n; i++)
                hierarchy_unmake(&m->h[i]);
}

int cgroup_manager_prepare(CgroupManager *m, const OciResources *r, Error *reterr) {
        int k = 0;
        for (size_t i = 0; i < m->n && k >= 0; i++)
                k = hierarchy_mkdir(&m->h[i], reterr);
        if (k >= 0)
                k = apply_resources(m, r, false, reterr);
        if (k < 0)
                manager_unmake(m);
        return k;
}

int cgroup_manager_dirfd(CgroupManager *m) {
        if (m->mode != CGROUP_MODE_V2)
                return -EOPNOTSUPP;
        return m->h[0].dirfd >= 0 ? m->h[0].dirfd : -EBADF;
}

/* Returns how many hierarchies took the pid before a failure, in *ret_done. */
static int add_pid(CgroupManager *m, pid_t pid, size_t *ret_done, Error *reterr) {
        char buf[32];
        int len = snprintf(buf, sizeof buf, "%d", (int) pid);
        for (*ret_done = 0; *ret_done < m->n; (*ret_done)++) {
                CgroupHierarchy *h = &m->h[*ret_done];
                int fd = cgroup_hierarchy_open(h, reterr);
                if (fd < 0)
                        return fd;
                int r = write_file_at(fd, "cgroup.procs", buf, (size_t) len);
                if (r < 0)
                        return error_set(reterr, r, "adding pid %d to %s", (int) pid, h->container_path);
        }
        return 0;
}

int cgroup_manager_add_pid(CgroupManager *m, pid_t pid, Error *reterr) {
        size_t done;
        return add_pid(m, pid, &done, reterr);
}

int cgroup_manager_create(CgroupManager *m, pid_t pid, const OciResources *r, Error *reterr) {
        size_t done = 0;
        int k = cgroup_manager_prepare(m, r, reterr);
        if (k < 0)
                return k;
        if ((k = add_pid(m, pid, &done, reterr)) >= 0)
                return 0;
        /* A cgroup with a process in it cannot be removed: the pid goes
         * back up a level first (cpu refuses a SCHED_RR task without
         * realtime bandwidth, so the failure can come late). */
        char buf[32];
        int len = snprintf(buf, sizeof buf, "%d", (int) pid);
        for (size_t i = 0; i < done; i++) {
                int w = write_file_at(m->h[i].dirfd, "../cgroup.procs", buf, (size_t) len);
                if (w < 0)
                        log_debug("cgroup: moving pid %d out of %s: %s", (int) pid, m->h[i].container_path,
                                  strerror(-w));
        }
        manager_unmake(m);
        return k;
}

int cgroup_manager_update(CgroupManager *m, const OciResources *r, Error *reterr) {
        return apply_resources(m, r, true, reterr);
}

int cgroup_manager_freeze(CgroupManager *m, bool frozen, Error *reterr) {
        return m->mode == CGROUP_MODE_V2 ? cgroup_v2_freeze(m, frozen, reterr) : cgroup_v1_freeze(m, frozen, reterr);
}

int cgroup_manager_is_frozen(CgroupManager *m, bool *ret) {
        return m->mode == CGROUP_MODE_V2 ? cgroup_v2_is_frozen(m, ret) : cgroup_v1_is_frozen(m, ret);
}

/* ---- processes ------------------------------------------------------------------------ */

typedef struct PidSet {
        pid_t *pids;
        size_t n, cap;
} PidSet;

#define CGROUP_MAX_DEPTH 64

static int collect_pids(int dirfd, unsigned depth, PidSet *s) {
        _cleanup_free_ char *buf = NULL;
        int r = cgroup_read_at(dirfd, "cgroup.procs", &buf);
        if (r < 0)
                return r;
        char *save = NULL;
        for (char *t = strtok_r(buf, "\n", &save); t; t = strtok_r(NULL, "\n", &save)) {
                uint32_t pid;
                if (parse_uint32(t, &pid) < 0 || pid == 0)
                        continue;
                if (s->n == s->cap) {
                        size_t cap = s->cap ? s->cap * 2 : 16;
                        pid_t *np = realloc(s->pids, cap * sizeof *np);
                        if (!np)
                                return -ENOMEM;
                        s->pids = np;
                        s->cap = cap;
                }
                s->pids[s->n++] = (pid_t) pid;
        }
        if (depth >= CGROUP_MAX_DEPTH)
                return 0;
        int dup = openat(dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (dup < 0)
                return -errno;
        _cleanup_closedir_ DIR *d = fdopendir(dup);
        if (!d) {
                safe_close(dup);
                return -errno;
        }
        struct dirent *de;
        while ((de = readdir(d))) {
                if (de->d_type != DT_DIR || de->d_name[0] == '.')
                        continue;
                _cleanup_close_ int sub = openat(dirfd, de->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
                if (sub < 0)
                        continue; /* removed meanwhile */
                if ((r = collect_pids(sub, depth + 1, s)) < 0 && r != -ENOENT)
                        return r;
        }
        return 0;
}

/* v1 hierarchies all hold the same processes; the freezer's is the one
 * kill() freezes, so that is the one read. */
static CgroupHierarchy *procs_hierarchy(CgroupManager *m) {
        static const char *const prefer[] = {"freezer", "pids", "memory", "cpu"};
        for (size_t i = 0; i < ELEMENTSOF(prefer); i++) {
                CgroupHierarchy *h = cgroup_manager_find(m, prefer[i]);
                if (h && !h->v2)
                        return h;
        }
        return &m->h[0];
}

int cgroup_manager_pids(CgroupManager *m, pid_t **ret, size_t *ret_n, Error *reterr) {
        CgroupHierarchy *h = m->mode == CGROUP_MODE_V2 ? &m->h[0] : procs_hierarchy(m);
        PidSet s = {};
        int fd = cgroup_hierarchy_open(h, reterr);
        if (fd < 0)
                return fd;
        int r = collect_pids(fd, 0, &s);
        if (r < 0) {
                free(s.pids);
                return error_set(reterr, r, "reading the processes of %s", h->container_path);
        }
        *ret = s.pids;
        *ret_n = s.n;
        return 0;
}

int cgroup_manager_kill(CgroupManager *m, int sig, Error *reterr) {
        int r;
        if (m->mode == CGROUP_MODE_V2 && sig == SIGKILL) {
                r = cgroup_v2_kill(m, reterr);
                if (r != -ENOENT)
                        return r;
                error_clear(reterr);
        }
        /* Frozen, nothing can fork a child that misses the signal. */
        bool was_frozen = false, froze = false;
        bool can_freeze = m->mode == CGROUP_MODE_V2 || cgroup_manager_find(m, "freezer");
        if (can_freeze && cgroup_manager_is_frozen(m, &was_frozen) >= 0 && !was_frozen)
                froze = cgroup_manager_freeze(m, true, NULL) >= 0;
        _cleanup_free_ pid_t *pids = NULL;
        size_t n = 0;
        r = cgroup_manager_pids(m, &pids, &n, reterr);
        for (size_t i = 0; r >= 0 && i < n; i++)
                if (kill(pids[i], sig) < 0 && errno != ESRCH)
                        r = error_set(reterr, errno, "sending signal %d to pid %d", sig, (int) pids[i]);
        if (froze)
                (void) cgroup_manager_freeze(m, false, NULL);
        return r;
}

int cgroup_manager_oom_count(CgroupManager *m, uint64_t *ret) {
        CgroupHierarchy *h = cgroup_manager_find(m, "memory");
        if (!h)
                return -ENOENT;
        int fd = cgroup_hierarchy_open(h, NULL);
        if (fd < 0)
                return fd;
        _cleanup_free_ char *buf = NULL;
        int r = cgroup_read_at(fd, h->v2 ? "memory.events" : "memory.oom_control", &buf);
        if (r < 0)
                return r;
        return cgroup_keyed_u64(buf, "oom_kill", ret);
}

int cgroup_manager_stats(CgroupManager *m, JsonValue **ret, Error *reterr) {
        _cleanup_json_ JsonValue *o = json_new_object();
        if (!o)
                return error_set(reterr, ENOMEM, "stats");
        int r = m->mode == CGROUP_MODE_V2 ? cgroup_v2_stats(m, o, reterr) : cgroup_v1_stats(m, o, reterr);
        if (r < 0)
                return r;
        *ret = TAKE_PTR(o);
        return 0;
}

/* ---- removal -------------------------------------------------------------------------- */

/* cgroupfs directories hold only kernel files: rmdir is enough, children
 * first. */
static int rmdir_tree(int parentfd, const char *name, unsigned depth) {
        if (unlinkat(parentfd, name, AT_REMOVEDIR) >= 0)
                return 0;
        if (errno == ENOENT)
                return 0;
        if (errno != EBUSY || depth >= CGROUP_MAX_DEPTH)
                return -errno;
        int fd = openat(parentfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (fd < 0)
                return errno == ENOENT ? 0 : -errno;
        _cleanup_closedir_ DIR *d = fdopendir(fd);
        if (!d) {
                safe_close(fd);
                return -errno;
        }
        bool had_children = false;
        struct dirent *de;
        while ((de = readdir(d))) {
                if (de->d_type != DT_DIR || de->d_name[0] == '.')
                        continue;
                had_children = true;
                int r = rmdir_tree(dirfd(d), de->d_name, depth + 1);
                if (r < 0)
                        return r;
        }
        if (!had_children)
                return -EBUSY;
        return unlinkat(parentfd, name, AT_REMOVEDIR) < 0 && errno != ENOENT ? -errno : 0;
}

static int hierarchy_remove(CgroupHierarchy *h) {
        _cleanup_free_ char *parent = strdup(h->container_path);
        char *slash = parent ? strrchr(parent, '/') : NULL;
        if (!slash)
                return -ENOMEM;
        *slash = '\0';
        _cleanup_close_ int pfd = open(parent[0] ? parent : "/", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (pfd < 0)
                return errno == ENOENT ? 0 : -errno;
        return rmdir_tree(pfd, slash + 1, 0);
}

/* SIGKILL to what is left in one hierarchy's part of the container: this
 * hierarchy's own list, since the others may already be gone. */
static void kill_remaining(CgroupHierarchy *h) {
        _cleanup_close_ int fd = open(h->container_path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (fd < 0)
                return;
        if (h->v2 && write_file_at(fd, "cgroup.kill", "1", 1) >= 0)
                return;
        PidSet s = {};
        if (collect_pids(fd, 0, &s) >= 0)
                for (size_t i = 0; i < s.n; i++)
                        (void) kill(s.pids[i], SIGKILL);
        free(s.pids);
}

int cgroup_manager_destroy(CgroupManager *m, Error *reterr) {
        int r = 0;
        for (size_t i = 0; i < m->n; i++) {
                CgroupHierarchy *h = &m->h[i];
                h->dirfd = h->dirfd >= 0 ? safe_close(h->dirfd) : -1;
                /* Exiting processes leave the cgroup a little after they are
                 * reaped; stragglers are killed. ~1.3s in all. */
                int k = hierarchy_remove(h);
                for (unsigned attempt = 0; k == -EBUSY && attempt < 12; attempt++) {
                        kill_remaining(h);
                        struct timespec ts = {0, (long) (1000000L << (attempt < 8 ? attempt : 8))};
                        nanosleep(&ts, NULL);
                        k = hierarchy_remove(h);
                }
                if (k < 0 && r >= 0)
                        r = error_set(reterr, k, "removing cgroup %s", h->container_path);
        }
        return r;
}
