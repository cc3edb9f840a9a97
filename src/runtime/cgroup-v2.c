/* cgroup-v2.c: linux.resources as cgroup v2 files (converting the spec's
 * v1-shaped numbers as runc does), controller delegation down the tree,
 * cgroup.freeze and cgroup.kill, and stats. Used for pure v2 and for the
 * controllers a hybrid host keeps on its v2 mount. */
#include <inttypes.h>
#include <poll.h>
#include <time.h>

#include "cgroup.h"

#define ADD(...)                                                       \
        do {                                                           \
                if (cgroup_plan_add(p, __VA_ARGS__) < 0)               \
                        return error_set(reterr, ENOMEM, "resources"); \
        } while (0)

uint64_t cgroup_v2_cpu_weight(uint64_t shares) {
        if (shares == 0)
                return 0;
        if (shares <= 2)
                return 1;
        if (shares >= 262144)
                return 10000;
        return 1 + ((shares - 2) * 9999) / 262142;
}

uint64_t cgroup_v2_io_weight(uint64_t w) {
        if (w == 0)
                return 0;
        if (w < 10)
                w = 10;
        if (w > 1000)
                w = 1000;
        return 1 + (w - 10) * 9999 / 990;
}

/* The spec's swap is memory+swap (v1's memsw); v2's swap.max is swap alone. */
int cgroup_v2_swap_value(int64_t swap, int64_t limit, int64_t *ret, Error *reterr) {
        if (limit == -1 && swap == 0)
                *ret = -1; /* unlimited memory: unlimited swap too, as on v1 */
        else if (swap == -1 || swap == 0 || limit == -1)
                *ret = swap;
        else if (limit == 0)
                return error_msg(reterr, EINVAL,
                                 "linux.resources.memory: a swap limit needs a memory limit on cgroup v2");
        else if (limit < 0)
                return error_msg(reterr, EINVAL, "linux.resources.memory.limit: invalid value %" PRId64, limit);
        else if (swap < limit)
                return error_msg(reterr, EINVAL,
                                 "linux.resources.memory: swap (%" PRId64 ") must be at least the limit (%" PRId64 ")",
                                 swap, limit);
        else
                *ret = swap - limit;
        return 0;
}

static int64_t opt_i64(OptI64 o) {
        return o.set ? o.value : 0;
}

int cgroup_v2_plan_memory(const OciMemory *mem, CgroupPlan *p, Error *reterr) {
        int64_t limit = opt_i64(mem->limit), swap = opt_i64(mem->swap), low = opt_i64(mem->reservation), v2swap;
        int r;
        if (limit != 0 || swap != 0) {
                if ((r = cgroup_v2_swap_value(swap, limit, &v2swap, reterr)) < 0)
                        return r;
                /* without swap accounting there is no memory.swap.max: fine
                 * when asking for no limit or for no swap */
                if (v2swap == -1)
                        ADD("memory", true, "memory.swap.max", CGROUP_WRITE_OPTIONAL, "max");
                else if (v2swap > 0)
                        ADD("memory", true, "memory.swap.max", 0, "%" PRId64, v2swap);
                else if (swap > 0)
                        ADD("memory", true, "memory.swap.max", CGROUP_WRITE_OPTIONAL, "0");
        }
        if (limit == -1)
                ADD("memory", true, "memory.max", 0, "max");
        else if (limit != 0)
                ADD("memory", true, "memory.max", 0, "%" PRId64, limit);
        if (low == -1)
                ADD("memory", true, "memory.low", 0, "max");
        else if (low != 0)
                ADD("memory", true, "memory.low", 0, "%" PRId64, low);
        if (mem->kernel.set || mem->kernel_tcp.set || mem->swappiness.set ||
            (mem->disable_oom_killer.set && mem->disable_oom_killer.value))
                log_debug("cgroup: memory kernel, kernelTCP, swappiness and disableOOMKiller have no cgroup v2 "
                          "equivalent; ignored");
        return 0;
}

int cgroup_v2_plan_cpu(const OciCpu *cpu, bool update, CgroupPlan *p, Error *reterr) {
        int64_t quota = cpu->quota.set ? cpu->quota.value : 0;
        uint64_t period = cpu->period.set ? cpu->period.value : 0;
        if (opt_i64(cpu->realtime_runtime) || (cpu->realtime_period.set && cpu->realtime_period.value))
                return error_msg(reterr, EOPNOTSUPP,
                                 "linux.resources.cpu: realtime limits are not supported on cgroup v2");
        if (cpu->idle.set)
                ADD("cpu", true, "cpu.idle", 0, "%" PRId64, cpu->idle.value);
        if (cpu->shares.set && cpu->shares.value)
                ADD("cpu", true, "cpu.weight", 0, "%" PRIu64, cgroup_v2_cpu_weight(cpu->shares.value));

        /* cpu.max is "quota [period]"; the period alone cannot be written. */
        unsigned burst_order = cpu->burst.set ? CGROUP_WRITE_SWAP_ON_EINVAL : 0;
        if (quota != 0 && period != 0) {
                if (quota > 0)
                        ADD("cpu", true, "cpu.max", burst_order, "%" PRId64 " %" PRIu64, quota, period);
                else
                        ADD("cpu", true, "cpu.max", burst_order, "max %" PRIu64, period);
        } else if (quota != 0) {
                if (quota > 0)
                        ADD("cpu", true, "cpu.max", burst_order, "%" PRId64, quota);
                else
                        ADD("cpu", true, "cpu.max", burst_order, "max");
        } else if (period != 0) {
                if (update)
                        ADD("cpu", true, "cpu.max", CGROUP_WRITE_KEEP_QUOTA | burst_order, "%" PRIu64, period);
                else
                        ADD("cpu", true, "cpu.max", burst_order, "max %" PRIu64, period);
        }
        if (cpu->burst.set)
                ADD("cpu", true, "cpu.max.burst", CGROUP_WRITE_OPTIONAL, "%" PRIu64, cpu->burst.value);
        return 0;
}

static int plan_io_max(const char *key, const OciThrottleDevice *d, size_t n, CgroupPlan *p, Error *reterr) {
        for (size_t i = 0; i < n; i++)
                ADD("io", true, "io.max", 0, "%" PRId64 ":%" PRId64 " %s=%" PRIu64, d[i].major, d[i].minor, key,
                    d[i].rate);
        return 0;
}

int cgroup_v2_plan_io(const OciBlockIO *b, CgroupPlan *p, Error *reterr) {
        int r;
        /* BFQ takes blkio's own scale; io.weight (iocost) needs converting. */
        if (b->weight.set && b->weight.value) {
                ADD("io", true, "io.bfq.weight", CGROUP_WRITE_OR_NEXT, "%" PRIu64, b->weight.value);
                ADD("io", true, "io.weight", 0, "%" PRIu64, cgroup_v2_io_weight(b->weight.value));
        }
        for (size_t i = 0; i < b->weight_device.n; i++) {
                const OciWeightDevice *d = &b->weight_device.items[i];
                if (!d->weight.set)
                        continue;
                ADD("io", true, "io.bfq.weight", CGROUP_WRITE_OR_NEXT, "%" PRId64 ":%" PRId64 " %" PRIu64, d->major,
                    d->minor, d->weight.value);
                ADD("io", true, "io.weight", 0, "%" PRId64 ":%" PRId64 " %" PRIu64, d->major, d->minor,
                    cgroup_v2_io_weight(d->weight.value));
        }
        if (b->leaf_weight.set)
                log_debug("cgroup: blockIO.leafWeight has no cgroup v2 equivalent; ignored");
        const struct {
                const char *key;
                const OciThrottleDevice *d;
                size_t n;
        } throttles[] = {
                {"rbps", b->throttle_read_bps_device.items, b->throttle_read_bps_device.n},
                {"wbps", b->throttle_write_bps_device.items, b->throttle_write_bps_device.n},
                {"riops", b->throttle_read_iops_device.items, b->throttle_read_iops_device.n},
                {"wiops", b->throttle_write_iops_device.items, b->throttle_write_iops_device.n},
        };
        for (size_t i = 0; i < ELEMENTSOF(throttles); i++)
                if ((r = plan_io_max(throttles[i].key, throttles[i].d, throttles[i].n, p, reterr)) < 0)
                        return r;
        return 0;
}

int cgroup_v2_plan_hugetlb(const OciHugepageLimit *l, size_t n, CgroupPlan *p, Error *reterr) {
        for (size_t i = 0; i < n; i++) {
                _cleanup_free_ char *max = strdup_printf("hugetlb.%s.max", l[i].page_size);
                _cleanup_free_ char *rsvd = strdup_printf("hugetlb.%s.rsvd.max", l[i].page_size);
                if (!max || !rsvd)
                        return error_set(reterr, ENOMEM, "resources");
                ADD("hugetlb", true, max, 0, "%" PRIu64, l[i].limit);
                /* reservations are limited too where the kernel has them (5.7) */
                ADD("hugetlb", true, rsvd, CGROUP_WRITE_OPTIONAL, "%" PRIu64, l[i].limit);
        }
        return 0;
}

int cgroup_v2_unified_key_check(const char *key, Error *reterr) {
        if (!key[0] || strchr(key, '/') || strcmp(key, ".") == 0 || strcmp(key, "..") == 0 ||
            key[strcspn(key, "\n\r\t ")] || !strchr(key, '.'))
                return error_msg(reterr, EINVAL,
                                 "linux.resources.unified: \"%s\" is not a cgroup file name (controller.parameter)",
                                 key);
        return 0;
}

/* ---- delegation ------------------------------------------------------------------- */

static const char *const managed_v2[] = {"cpuset", "cpu", "io", "memory", "hugetlb", "pids", "rdma", "misc"};

static int read_words(const char *path, char ***ret) {
        _cleanup_free_ char *buf = NULL;
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
        *ret = TAKE_PTR(v);
        return 0;
}

/* Enables what of want is not on yet at level; returns what is on after. */
static int enable_at(const char *level, char *const *want, char ***ret_enabled, Error *reterr) {
        _cleanup_free_ char *file = strdup_printf("%s/cgroup.subtree_control", level);
        _cleanup_strv_free_ char **on = NULL;
        if (!file)
                return error_set(reterr, ENOMEM, "cgroup");
        int r = read_words(file, &on);
        if (r < 0)
                return error_set(reterr, r, "reading %s", file);
        char buf[256] = "";
        size_t len = 0;
        for (size_t i = 0; want && want[i]; i++)
                if (!strv_contains(on, want[i]))
                        len += (size_t) snprintf(buf + len, sizeof buf - len, "%s+%s", len ? " " : "", want[i]);
        if (len > 0 && len < sizeof buf) {
                /* One write for all; if the kernel refuses one of them (a
                 * process in a non-root level, threaded mode), each alone,
                 * and whatever stays off shows up as a missing file later. */
                if (write_file_at(AT_FDCWD, file, buf, len) < 0)
                        for (size_t i = 0; want[i]; i++)
                                if (!strv_contains(on, want[i])) {
                                        char one[32];
                                        int n = snprintf(one, sizeof one, "+%s", want[i]);
                                        r = write_file_at(AT_FDCWD, file, one, (size_t) n);
                                        if (r < 0)
                                                log_debug("cgroup: enabling %s in %s: %s", want[i], file, strerror(-r));
                                }
                strv_free(TAKE_PTR(on));
                if ((r = read_words(file, &on)) < 0)
                        return error_set(reterr, r, "reading %s", file);
        }
        *ret_enabled = TAKE_PTR(on);
        return 0;
}

int cgroup_v2_enable_controllers(const char *mount_point, const char *dir, char *const *root_controllers,
                                 Error *reterr) {
        _cleanup_strv_free_ char **want = NULL;
        for (size_t i = 0; i < ELEMENTSOF(managed_v2); i++)
                if (strv_contains(root_controllers, managed_v2[i])) {
                        char *c = strdup(managed_v2[i]);
                        if (!c || strv_push(&want, c) < 0)
                                return error_set(reterr, ENOMEM, "cgroup");
                }
        if (!want)
                return 0;
        /* top-down, the root to dir's parent: each level can only pass on
         * what its parent gave it */
        size_t end = strlen(mount_point), parent_len = (size_t) (strrchr(dir, '/') - dir);
        for (;;) {
                _cleanup_free_ char *level = strndup(dir, end);
                _cleanup_strv_free_ char **on = NULL;
                if (!level)
                        return error_set(reterr, ENOMEM, "cgroup");
                int r = enable_at(level, want, &on, reterr);
                if (r < 0)
                        return r;
                for (size_t i = 0; want[i];)
                        if (!strv_contains(on, want[i])) {
                                free(want[i]);
                                memmove(want + i, want + i + 1, (strv_length(want + i + 1) + 1) * sizeof(char *));
                        } else
                                i++;
                if (!want[0] || end >= parent_len)
                        break;
                end = (size_t) (strchrnul(dir + end + 1, '/') - dir);
        }
        return 0;
}

/* ---- freezer and kill ------------------------------------------------------------- */

static uint64_t now_ms(void) {
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (uint64_t) ts.tv_sec * 1000u + (uint64_t) ts.tv_nsec / 1000000u;
}

static int events_frozen(int fd, bool *ret) {
        char buf[512];
        ssize_t n = pread(fd, buf, sizeof buf - 1, 0);
        if (n < 0)
                return -errno;
        buf[n] = '\0';
        uint64_t v;
        int r = cgroup_keyed_u64(buf, "frozen", &v);
        if (r < 0)
                return r;
        *ret = v != 0;
        return 0;
}

#define FREEZE_TIMEOUT_MS 5000

int cgroup_v2_freeze(CgroupManager *m, bool frozen, Error *reterr) {
        CgroupHierarchy *h = cgroup_manager_v2(m);
        int dfd = h ? cgroup_hierarchy_open(h, reterr) : error_msg(reterr, ENOENT, "no cgroup v2 hierarchy");
        if (dfd < 0)
                return dfd;
        int r = write_file_at(dfd, "cgroup.freeze", frozen ? "1" : "0", 1);
        if (r < 0)
                return error_set(reterr, r, "writing cgroup.freeze=\"%d\"", frozen);
        _cleanup_close_ int efd = openat(dfd, "cgroup.events", O_RDONLY | O_CLOEXEC);
        if (efd < 0)
                return error_set(reterr, errno, "opening cgroup.events");
        /* the kernel signals changes of cgroup.events with POLLPRI */
        uint64_t deadline = now_ms() + FREEZE_TIMEOUT_MS;
        for (;;) {
                bool state;
                if ((r = events_frozen(efd, &state)) < 0)
                        return error_set(reterr, r, "reading cgroup.events");
                if (state == frozen)
                        return 0;
                uint64_t now = now_ms();
                if (now >= deadline)
                        break;
                struct pollfd pfd = {.fd = efd, .events = POLLPRI};
                int wait = (int) (deadline - now) < 100 ? (int) (deadline - now) : 100;
                if (poll(&pfd, 1, wait) < 0 && errno != EINTR)
                        return error_set(reterr, errno, "waiting on cgroup.events");
        }
        if (frozen)
                (void) write_file_at(dfd, "cgroup.freeze", "0", 1);
        return error_msg(reterr, ETIMEDOUT, "%s %s: not done after %ds", frozen ? "freezing" : "thawing",
                         h->container_path, FREEZE_TIMEOUT_MS / 1000);
}

int cgroup_v2_is_frozen(CgroupManager *m, bool *ret) {
        CgroupHierarchy *h = cgroup_manager_v2(m);
        int dfd = h ? cgroup_hierarchy_open(h, NULL) : -ENOENT;
        if (dfd < 0)
                return dfd;
        _cleanup_close_ int efd = openat(dfd, "cgroup.events", O_RDONLY | O_CLOEXEC);
        if (efd < 0)
                return -errno;
        return events_frozen(efd, ret);
}

/* Once a cgroup has been through cgroup.kill, this kernel (6.18) also
 * SIGKILLs any child later cloned into it with CLONE_INTO_CGROUP (the kill
 * sequence is compared against the parent's cgroup); a fork followed by a
 * cgroup.procs write is not affected, which is how exec joins. */
int cgroup_v2_kill(CgroupManager *m, Error *reterr) {
        CgroupHierarchy *h = cgroup_manager_v2(m);
        int dfd = h ? cgroup_hierarchy_open(h, reterr) : error_msg(reterr, ENOENT, "no cgroup v2 hierarchy");
        if (dfd < 0)
                return dfd;
        int r = write_file_at(dfd, "cgroup.kill", "1", 1);
        if (r < 0)
                return error_set(reterr, r, "writing cgroup.kill=\"1\"");
        return 0;
}

/* ---- stats ---------------------------------------------------------------------- */

static bool read_u64(int fd, const char *file, uint64_t *v) {
        *v = 0;
        return cgroup_read_u64_at(fd, file, v) >= 0;
}

static int stats_cpu(int fd, JsonValue *stats) {
        _cleanup_json_ JsonValue *o = json_new_object(), *usage = json_new_object(), *thr = json_new_object();
        _cleanup_free_ char *st = NULL;
        if (!o || !usage || !thr)
                return -ENOMEM;
        if (cgroup_read_at(fd, "cpu.stat", &st) >= 0) {
                static const struct {
                        const char *file_key, *json_key;
                        bool usec, in_usage, omit_zero;
                } keys[] = {
                        {"usage_usec", "total", true, true, true},
                        {"system_usec", "kernel", true, true, false},
                        {"user_usec", "user", true, true, false},
                        {"nr_periods", "periods", false, false, true},
                        {"nr_throttled", "throttledPeriods", false, false, true},
                        {"throttled_usec", "throttledTime", true, false, true},
                };
                for (size_t i = 0; i < ELEMENTSOF(keys); i++) {
                        uint64_t v;
                        if (cgroup_keyed_u64(st, keys[i].file_key, &v) < 0)
                                continue;
                        if (cgroup_json_set_u64(keys[i].in_usage ? usage : thr, keys[i].json_key,
                                                keys[i].usec ? v * 1000 : v, keys[i].omit_zero) < 0)
                                return -ENOMEM;
                }
        }
        if (json_obj_set(o, "usage", TAKE_PTR(usage)) < 0 || json_obj_set(o, "throttling", TAKE_PTR(thr)) < 0)
                return -ENOMEM;
        return json_obj_set(stats, "cpu", TAKE_PTR(o));
}

static int memory_entry(int fd, const char *prefix, uint64_t add_usage, uint64_t add_limit, JsonValue *o,
                        const char *key) {
        char f[64];
        uint64_t usage, limit, max = 0, failcnt = 0;
        snprintf(f, sizeof f, "%s.current", prefix);
        if (!read_u64(fd, f, &usage))
                return 0;
        snprintf(f, sizeof f, "%s.max", prefix);
        (void) read_u64(fd, f, &limit);
        snprintf(f, sizeof f, "%s.peak", prefix);
        (void) read_u64(fd, f, &max);
        _cleanup_free_ char *ev = NULL;
        snprintf(f, sizeof f, "%s.events", prefix);
        if (cgroup_read_at(fd, f, &ev) >= 0)
                (void) cgroup_keyed_u64(ev, "max", &failcnt);
        /* v1's swap numbers count memory+swap; runc reports v2's that way */
        usage += add_usage;
        if (limit != UINT64_MAX && add_limit != UINT64_MAX)
                limit += add_limit;
        else
                limit = UINT64_MAX;
        if (add_usage)
                max = 0;
        JsonValue *e = json_new_object();
        if (!e || cgroup_json_set_u64(e, "limit", limit, false) < 0 ||
            cgroup_json_set_u64(e, "usage", usage, true) < 0 || cgroup_json_set_u64(e, "max", max, true) < 0 ||
            cgroup_json_set_u64(e, "failcnt", failcnt, false) < 0) {
                json_unref(e);
                return -ENOMEM;
        }
        return json_obj_set(o, key, e);
}

static int stats_memory(int fd, JsonValue *stats) {
        _cleanup_json_ JsonValue *o = json_new_object(), *raw = json_new_object();
        _cleanup_free_ char *st = NULL;
        int r;
        if (!o || !raw)
                return -ENOMEM;
        if (cgroup_read_at(fd, "memory.stat", &st) >= 0) {
                char *save = NULL;
                for (char *l = strtok_r(st, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
                        char *sp = strchr(l, ' ');
                        uint64_t v;
                        if (!sp)
                                continue;
                        *sp = '\0';
                        if (parse_uint64(sp + 1, &v) < 0)
                                continue;
                        if (strcmp(l, "file") == 0 && cgroup_json_set_u64(o, "cache", v, true) < 0)
                                return -ENOMEM;
                        if (cgroup_json_set_u64(raw, l, v, false) < 0)
                                return -ENOMEM;
                }
                if (json_obj_set(o, "raw", TAKE_PTR(raw)) < 0)
                        return -ENOMEM;
        }
        uint64_t usage = 0, limit = UINT64_MAX;
        (void) read_u64(fd, "memory.current", &usage);
        if (!read_u64(fd, "memory.max", &limit))
                limit = UINT64_MAX;
        if ((r = memory_entry(fd, "memory", 0, 0, o, "usage")) < 0 ||
            (r = memory_entry(fd, "memory.swap", usage, limit, o, "swap")) < 0)
                return r;
        return json_obj_set(stats, "memory", TAKE_PTR(o));
}

static int stats_pids(int fd, JsonValue *stats) {
        _cleanup_json_ JsonValue *o = json_new_object();
        uint64_t v;
        if (!o)
                return -ENOMEM;
        if (read_u64(fd, "pids.current", &v) && cgroup_json_set_u64(o, "current", v, true) < 0)
                return -ENOMEM;
        if (read_u64(fd, "pids.max", &v) && v != UINT64_MAX && cgroup_json_set_u64(o, "limit", v, true) < 0)
                return -ENOMEM;
        return json_obj_set(stats, "pids", TAKE_PTR(o));
}

/* io.stat: "8:0 rbytes=1 wbytes=2 rios=3 wios=4 dbytes=0 dios=0" */
static int stats_io(int fd, JsonValue *stats) {
        _cleanup_json_ JsonValue *o = json_new_object(), *bytes = json_new_array(), *ios = json_new_array();
        _cleanup_free_ char *st = NULL;
        if (!o || !bytes || !ios)
                return -ENOMEM;
        if (cgroup_read_at(fd, "io.stat", &st) >= 0) {
                char *save = NULL;
                for (char *l = strtok_r(st, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
                        unsigned maj, min;
                        int off = 0;
                        if (sscanf(l, "%u:%u%n", &maj, &min, &off) != 2)
                                continue;
                        char *fsave = NULL;
                        for (char *kv = strtok_r(l + off, " ", &fsave); kv; kv = strtok_r(NULL, " ", &fsave)) {
                                char *eq = strchr(kv, '=');
                                uint64_t v;
                                if (!eq)
                                        continue;
                                *eq = '\0';
                                if (parse_uint64(eq + 1, &v) < 0)
                                        continue;
                                JsonValue *arr = NULL;
                                const char *op = NULL;
                                if (strcmp(kv, "rbytes") == 0)
                                        arr = bytes, op = "Read";
                                else if (strcmp(kv, "wbytes") == 0)
                                        arr = bytes, op = "Write";
                                else if (strcmp(kv, "rios") == 0)
                                        arr = ios, op = "Read";
                                else if (strcmp(kv, "wios") == 0)
                                        arr = ios, op = "Write";
                                if (!arr)
                                        continue;
                                JsonValue *e = json_new_object();
                                if (!e || json_arr_append(arr, e) < 0 ||
                                    cgroup_json_set_u64(e, "major", maj, true) < 0 ||
                                    cgroup_json_set_u64(e, "minor", min, true) < 0 ||
                                    json_obj_set_str(e, "op", op) < 0 || cgroup_json_set_u64(e, "value", v, true) < 0)
                                        return -ENOMEM;
                        }
                }
        }
        if ((json_arr_len(bytes) > 0 && json_obj_set(o, "ioServiceBytesRecursive", TAKE_PTR(bytes)) < 0) ||
            (json_arr_len(ios) > 0 && json_obj_set(o, "ioServicedRecursive", TAKE_PTR(ios)) < 0))
                return -ENOMEM;
        return json_obj_set(stats, "blkio", TAKE_PTR(o));
}

int cgroup_v2_stats_hugetlb(int fd, JsonValue *stats) {
        _cleanup_json_ JsonValue *o = json_new_object();
        _cleanup_strv_free_ char **sizes = NULL;
        if (!o)
                return -ENOMEM;
        if (cgroup_hugepage_sizes(&sizes) >= 0)
                for (size_t i = 0; sizes && sizes[i]; i++) {
                        char f[96];
                        uint64_t usage, max = 0, failcnt = 0;
                        snprintf(f, sizeof f, "hugetlb.%s.current", sizes[i]);
                        if (!read_u64(fd, f, &usage))
                                continue;
                        snprintf(f, sizeof f, "hugetlb.%s.max", sizes[i]);
                        (void) read_u64(fd, f, &max);
                        _cleanup_free_ char *ev = NULL;
                        snprintf(f, sizeof f, "hugetlb.%s.events", sizes[i]);
                        if (cgroup_read_at(fd, f, &ev) >= 0)
                                (void) cgroup_keyed_u64(ev, "max", &failcnt);
                        JsonValue *e = json_new_object();
                        if (!e || json_obj_set(o, sizes[i], e) < 0 ||
                            cgroup_json_set_u64(e, "usage", usage, true) < 0 ||
                            (max != UINT64_MAX && cgroup_json_set_u64(e, "max", max, true) < 0) ||
                            cgroup_json_set_u64(e, "failcnt", failcnt, false) < 0)
                                return -ENOMEM;
                }
        return json_obj_set(stats, "hugetlb", TAKE_PTR(o));
}

int cgroup_v2_stats(CgroupManager *m, JsonValue *ret, Error *reterr) {
        int fd = cgroup_hierarchy_open(&m->h[0], reterr);
        if (fd < 0)
                return fd;
        int r;
        if ((r = stats_cpu(fd, ret)) < 0 || (r = stats_memory(fd, ret)) < 0 || (r = stats_pids(fd, ret)) < 0 ||
            (r = stats_io(fd, ret)) < 0 || (r = cgroup_v2_stats_hugetlb(fd, ret)) < 0)
                return error_set(reterr, r, "reading cgroup stats");
        return 0;
}
