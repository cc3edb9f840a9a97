/* cgroup-v1.c: linux.resources as cgroup v1 files, the v1 freezer, and
 * stats from the v1 controllers. A hybrid host's v2 mount is served by
 * cgroup-v2.c for the controllers it holds. */
#include <inttypes.h>
#include <time.h>

#include "cgroup.h"

#define ADD(...)                                                       \
        do {                                                           \
                if (cgroup_plan_add(p, __VA_ARGS__) < 0)               \
                        return error_set(reterr, ENOMEM, "resources"); \
        } while (0)

static int64_t opt_i64(OptI64 o) {
        return o.set ? o.value : 0;
}

static uint64_t opt_u64(OptU64 o) {
        return o.set ? o.value : 0;
}

int cgroup_v1_plan_memory(const OciMemory *mem, bool update, CgroupPlan *p, Error *reterr) {
        /* 0 is "unset", as in runc: the spec's numbers are not optional there. */
        int64_t limit = opt_i64(mem->limit), swap = opt_i64(mem->swap);

        if (limit != 0 && swap != 0) {
                /* memory <= memsw at every moment: raising both needs memsw
                 * first, lowering both needs memory first. Try memory first. */
                ADD("memory", false, "memory.limit_in_bytes", CGROUP_WRITE_SWAP_ON_EINVAL, "%" PRId64, limit);
                ADD("memory", false, "memory.memsw.limit_in_bytes", 0, "%" PRId64, swap);
        } else if (limit != 0) {
                ADD("memory", false, "memory.limit_in_bytes", 0, "%" PRId64, limit);
                /* unlimited memory means unlimited memory+swap, where the
                 * kernel accounts swap */
                if (limit == -1)
                        ADD("memory", false, "memory.memsw.limit_in_bytes", CGROUP_WRITE_OPTIONAL, "-1");
        } else if (swap != 0)
                ADD("memory", false, "memory.memsw.limit_in_bytes", 0, "%" PRId64, swap);

        if (opt_i64(mem->reservation) != 0)
                ADD("memory", false, "memory.soft_limit_in_bytes", 0, "%" PRId64, mem->reservation.value);
        if (mem->kernel.set)
                log_debug("cgroup: linux.resources.memory.kernel is deprecated by the kernel; ignored");
        if (opt_i64(mem->kernel_tcp) != 0)
                ADD("memory", false, "memory.kmem.tcp.limit_in_bytes", CGROUP_WRITE_OPTIONAL, "%" PRId64,
                    mem->kernel_tcp.value);
        if (mem->swappiness.set) {
                if (mem->swappiness.value > 100)
                        return error_msg(reterr, EINVAL,
                                         "linux.resources.memory.swappiness: invalid value %" PRIu64
                                         " (valid range is 0-100)",
                                         mem->swappiness.value);
                ADD("memory", false, "memory.swappiness", 0, "%" PRIu64, mem->swappiness.value);
        }
        if (mem->disable_oom_killer.set && (mem->disable_oom_killer.value || update))
                ADD("memory", false, "memory.oom_control", 0, "%d", mem->disable_oom_killer.value ? 1 : 0);
        return 0;
}

int cgroup_v1_plan_cpu(const OciCpu *cpu, CgroupPlan *p, Error *reterr) {
        uint64_t rt_period = opt_u64(cpu->realtime_period), period = opt_u64(cpu->period);
        int64_t rt_runtime = opt_i64(cpu->realtime_runtime), quota = opt_i64(cpu->quota);

        /* Realtime first: a SCHED_RR task cannot join a group without
         * realtime bandwidth. Period and runtime, and period and quota, are
         * judged against each other's current value: swap on EINVAL. */
        if (rt_period)
                ADD("cpu", false, "cpu.rt_period_us", rt_runtime ? CGROUP_WRITE_SWAP_ON_EINVAL : 0, "%" PRIu64,
                    rt_period);
        if (rt_runtime)
                ADD("cpu", false, "cpu.rt_runtime_us", 0, "%" PRId64, rt_runtime);
        if (opt_u64(cpu->shares))
                ADD("cpu", false, "cpu.shares", CGROUP_WRITE_VERIFY, "%" PRIu64, cpu->shares.value);
        if (period)
                ADD("cpu", false, "cpu.cfs_period_us", quota ? CGROUP_WRITE_SWAP_ON_EINVAL : 0, "%" PRIu64, period);
        if (quota)
                ADD("cpu", false, "cpu.cfs_quota_us", cpu->burst.set ? CGROUP_WRITE_SWAP_ON_EINVAL : 0, "%" PRId64,
                    quota);
        if (cpu->burst.set)
                ADD("cpu", false, "cpu.cfs_burst_us", CGROUP_WRITE_OPTIONAL, "%" PRIu64, cpu->burst.value);
        if (cpu->idle.set)
                ADD("cpu", false, "cpu.idle", 0, "%" PRId64, cpu->idle.value);
        return 0;
}

static int plan_throttle(const char *file, const OciThrottleDevice *d, size_t n, CgroupPlan *p, Error *reterr) {
        for (size_t i = 0; i < n; i++)
                ADD("blkio", false, file, 0, "%" PRId64 ":%" PRId64 " %" PRIu64, d[i].major, d[i].minor, d[i].rate);
        return 0;
}

int cgroup_v1_plan_blkio(const OciBlockIO *b, CgroupPlan *p, Error *reterr) {
        int r;
        /* CFQ's files went with CFQ (Linux 5.0); BFQ's take the same values. */
        if (opt_u64(b->weight)) {
                ADD("blkio", false, "blkio.weight", CGROUP_WRITE_OR_NEXT, "%" PRIu64, b->weight.value);
                ADD("blkio", false, "blkio.bfq.weight", 0, "%" PRIu64, b->weight.value);
        }
        if (opt_u64(b->leaf_weight))
                ADD("blkio", false, "blkio.leaf_weight", 0, "%" PRIu64, b->leaf_weight.value);
        for (size_t i = 0; i < b->weight_device.n; i++) {
                const OciWeightDevice *d = &b->weight_device.items[i];
                if (d->weight.set) {
                        ADD("blkio", false, "blkio.weight_device", CGROUP_WRITE_OR_NEXT,
                            "%" PRId64 ":%" PRId64 " %" PRIu64, d->major, d->minor, d->weight.value);
                        ADD("blkio", false, "blkio.bfq.weight_device", 0, "%" PRId64 ":%" PRId64 " %" PRIu64, d->major,
                            d->minor, d->weight.value);
                }
                if (d->leaf_weight.set)
                        ADD("blkio", false, "blkio.leaf_weight_device", 0, "%" PRId64 ":%" PRId64 " %" PRIu64, d->major,
                            d->minor, d->leaf_weight.value);
        }
        if ((r = plan_throttle("blkio.throttle.read_bps_device", b->throttle_read_bps_device.items,
                               b->throttle_read_bps_device.n, p, reterr)) < 0 ||
            (r = plan_throttle("blkio.throttle.write_bps_device", b->throttle_write_bps_device.items,
                               b->throttle_write_bps_device.n, p, reterr)) < 0 ||
            (r = plan_throttle("blkio.throttle.read_iops_device", b->throttle_read_iops_device.items,
                               b->throttle_read_iops_device.n, p, reterr)) < 0 ||
            (r = plan_throttle("blkio.throttle.write_iops_device", b->throttle_write_iops_device.items,
                               b->throttle_write_iops_device.n, p, reterr)) < 0)
                return r;
        return 0;
}

int cgroup_v1_plan_hugetlb(const OciHugepageLimit *l, size_t n, CgroupPlan *p, Error *reterr) {
        for (size_t i = 0; i < n; i++) {
                _cleanup_free_ char *file = strdup_printf("hugetlb.%s.limit_in_bytes", l[i].page_size);
                if (!file)
                        return error_set(reterr, ENOMEM, "resources");
                ADD("hugetlb", false, file, 0, "%" PRIu64, l[i].limit);
        }
        return 0;
}

int cgroup_v1_plan_network(const OciNetwork *net, bool with_cls, bool with_prio, CgroupPlan *p, Error *reterr) {
        if (net->class_id.set) {
                if (with_cls)
                        ADD("net_cls", false, "net_cls.classid", 0, "%" PRIu64, net->class_id.value);
                else
                        log_debug("cgroup: no net_cls hierarchy; classID ignored");
        }
        for (size_t i = 0; i < net->priorities.n; i++) {
                const OciNetPriority *np = &net->priorities.items[i];
                if (!np->name || !np->name[0] || np->name[strcspn(np->name, " \t\n")])
                        return error_msg(reterr, EINVAL, "linux.resources.network.priorities[%zu]: bad interface name",
                                         i);
                if (!with_prio) {
                        log_debug("cgroup: no net_prio hierarchy; priorities ignored");
                        break;
                }
                ADD("net_prio", false, "net_prio.ifpriomap", 0, "%s %" PRIu32, np->name, np->priority);
        }
        return 0;
}

int cgroup_v1_device_rule_string(const OciDeviceRule *rule, char **ret, Error *reterr) {
        const char *type = rule->type && rule->type[0] ? rule->type : "a";
        const char *access = rule->access && rule->access[0] ? rule->access : "rwm";
        if (type[1] || !strchr("acb", type[0]))
                return error_msg(reterr, EINVAL, "device rule: bad type \"%s\"", type);
        if (strlen(access) > 3 || access[strspn(access, "rwm")])
                return error_msg(reterr, EINVAL, "device rule: bad access \"%s\"", access);
        if ((rule->major.set && (rule->major.value < 0 || rule->major.value > UINT32_MAX)) ||
            (rule->minor.set && (rule->minor.value < 0 || rule->minor.value > UINT32_MAX)))
                return error_msg(reterr, EINVAL, "device rule: bad major or minor number");
        /* "a" alone: the kernel ignores the rest of an "a" line */
        if (type[0] == 'a') {
                *ret = strdup("a");
                return *ret ? 0 : error_set(reterr, ENOMEM, "device rule");
        }
        char maj[24] = "*", min[24] = "*";
        if (rule->major.set)
                snprintf(maj, sizeof maj, "%" PRId64, rule->major.value);
        if (rule->minor.set)
                snprintf(min, sizeof min, "%" PRId64, rule->minor.value);
        *ret = strdup_printf("%c %s:%s %s", type[0], maj, min, access);
        return *ret ? 0 : error_set(reterr, ENOMEM, "device rule");
}

int cgroup_v1_plan_devices(const OciDeviceRule *rules, size_t n, CgroupPlan *p, Error *reterr) {
        /* Deny everything, then the rules in order, so that the result does
         * not depend on what the parent allowed. */
        bool starts_with_deny_all =
                n > 0 && !rules[0].allow && (!rules[0].type || !rules[0].type[0] || strcmp(rules[0].type, "a") == 0);
        if (!starts_with_deny_all)
                ADD("devices", false, "devices.deny", 0, "a");
        for (size_t i = 0; i < n; i++) {
                _cleanup_free_ char *s = NULL;
                int r = cgroup_v1_device_rule_string(&rules[i], &s, reterr);
                if (r < 0)
                        return error_wrap(reterr, "linux.resources.devices[%zu]", i);
                ADD("devices", false, rules[i].allow ? "devices.allow" : "devices.deny", 0, "%s", s);
        }
        return 0;
}

/* ---- cpuset ---------------------------------------------------------------------- */

/* Returns the value the directory ends up with. */
static int cpuset_fill(const char *mount_point, const char *dir, const char *file, char **ret, Error *reterr) {
        _cleanup_free_ char *path = strdup_printf("%s/%s", dir, file), *value = NULL;
        if (!path)
                return error_set(reterr, ENOMEM, "cpuset");
        int r = cgroup_read_at(AT_FDCWD, path, &value);
        if (r < 0)
                return error_set(reterr, r, "reading %s", path);
        if (!value[0]) {
                if (strlen(dir) <= strlen(mount_point))
                        return error_msg(reterr, ENOSPC, "%s is empty at the root of the cpuset hierarchy", path);
                _cleanup_free_ char *parent = strndup(dir, (size_t) (strrchr(dir, '/') - dir));
                if (!parent)
                        return error_set(reterr, ENOMEM, "cpuset");
                free(value);
                value = NULL;
                if ((r = cpuset_fill(mount_point, parent, file, &value, reterr)) < 0)
                        return r;
                if ((r = write_file_at(AT_FDCWD, path, value, strlen(value))) < 0)
                        return error_set(reterr, r, "writing %s=\"%s\"", path, value);
        }
        if (ret)
                *ret = TAKE_PTR(value);
        return 0;
}

int cgroup_v1_cpuset_inherit(const char *mount_point, const char *dir, Error *reterr) {
        int r = cpuset_fill(mount_point, dir, "cpuset.cpus", NULL, reterr);
        return r < 0 ? r : cpuset_fill(mount_point, dir, "cpuset.mems", NULL, reterr);
}

/* ---- freezer ---------------------------------------------------------------------- */

static CgroupHierarchy *freezer(CgroupManager *m, Error *reterr) {
        CgroupHierarchy *h = cgroup_manager_find(m, "freezer");
        if (!h || h->v2) {
                error_msg(reterr, EOPNOTSUPP, "no freezer cgroup hierarchy is mounted");
                return NULL;
        }
        return h;
}

int cgroup_v1_is_frozen(CgroupManager *m, bool *ret) {
        CgroupHierarchy *h = freezer(m, NULL);
        if (!h)
                return -EOPNOTSUPP;
        int fd = cgroup_hierarchy_open(h, NULL);
        if (fd < 0)
                return fd;
        _cleanup_free_ char *state = NULL;
        int r = cgroup_read_at(fd, "freezer.state", &state);
        if (r < 0)
                return r;
        *ret = strcmp(state, "FROZEN") == 0;
        return 0;
}

static uint64_t now_ns(void) {
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (uint64_t) ts.tv_sec * 1000000000u + (uint64_t) ts.tv_nsec;
}

#define FREEZE_TIMEOUT_NS (5ull * 1000000000ull)

int cgroup_v1_freeze(CgroupManager *m, bool frozen, Error *reterr) {
        CgroupHierarchy *h = freezer(m, reterr);
        if (!h)
                return -EOPNOTSUPP;
        int fd = cgroup_hierarchy_open(h, reterr);
        if (fd < 0)
                return fd;
        const char *want = frozen ? "FROZEN" : "THAWED";
        uint64_t deadline = now_ns() + FREEZE_TIMEOUT_NS;
        _cleanup_free_ char *state = NULL;
        for (unsigned i = 0;; i++) {
                /* A task in vfork() or uninterruptible sleep can hold the
                 * group in FREEZING; writing FROZEN again retries it. */
                int r;
                if (i % 25 == 0 && (r = write_file_at(fd, "freezer.state", want, strlen(want))) < 0)
                        return error_set(reterr, r, "writing freezer.state=\"%s\"", want);
                free(state);
                state = NULL;
                if ((r = cgroup_read_at(fd, "freezer.state", &state)) < 0)
                        return error_set(reterr, r, "reading freezer.state");
                if (strcmp(state, want) == 0)
                        return 0;
                if (now_ns() > deadline)
                        break;
                struct timespec ts = {0, (long) (i < 10 ? 100000 : 10000000)};
                nanosleep(&ts, NULL);
        }
        if (frozen)
                (void) write_file_at(fd, "freezer.state", "THAWED", strlen("THAWED"));
        return error_msg(reterr, ETIMEDOUT, "%s %s: still %s after 5s", frozen ? "freezing" : "thawing",
                         h->container_path, state);
}

/* ---- stats ------------------------------------------------------------------------- */

static bool read_u64(int fd, const char *file, uint64_t *v) {
        *v = 0;
        return fd >= 0 && cgroup_read_u64_at(fd, file, v) >= 0;
}

static int percpu_array(int fd, const char *file, JsonValue *o, const char *key) {
        _cleanup_free_ char *buf = NULL;
        if (cgroup_read_at(fd, file, &buf) < 0 || !buf[0])
                return 0; /* omitempty */
        JsonValue *a = json_new_array();
        if (!a)
                return -ENOMEM;
        char *save = NULL;
        for (char *t = strtok_r(buf, " \n", &save); t; t = strtok_r(NULL, " \n", &save)) {
                uint64_t v;
                if (parse_uint64(t, &v) >= 0 &&
                    json_arr_append(a, json_new_int(v > INT64_MAX ? INT64_MAX : (int64_t) v)) < 0) {
                        json_unref(a);
                        return -ENOMEM;
                }
        }
        return json_obj_set(o, key, a);
}

static int stats_cpu(CgroupManager *m, JsonValue *stats) {
        CgroupHierarchy *acct = cgroup_manager_find(m, "cpuacct"), *cpu = cgroup_manager_find(m, "cpu");
        int afd = acct ? cgroup_hierarchy_open(acct, NULL) : -1, cfd = cpu ? cgroup_hierarchy_open(cpu, NULL) : -1;
        _cleanup_json_ JsonValue *o = json_new_object(), *usage = json_new_object(), *thr = json_new_object();
        uint64_t v;
        int r = 0;
        if (!o || !usage || !thr)
                return -ENOMEM;
        if (afd >= 0) {
                _cleanup_free_ char *st = NULL;
                uint64_t user = 0, sys = 0;
                long hz = sysconf(_SC_CLK_TCK);
                if (cgroup_read_at(afd, "cpuacct.stat", &st) >= 0) {
                        (void) cgroup_keyed_u64(st, "user", &user);
                        (void) cgroup_keyed_u64(st, "system", &sys);
                }
                /* cpuacct.stat counts USER_HZ ticks */
                if (hz > 0) {
                        user = user * 1000000000u / (uint64_t) hz;
                        sys = sys * 1000000000u / (uint64_t) hz;
                }
                if ((read_u64(afd, "cpuacct.usage", &v) && (r = cgroup_json_set_u64(usage, "total", v, true)) < 0) ||
                    (r = percpu_array(afd, "cpuacct.usage_percpu", usage, "percpu")) < 0 ||
                    (r = percpu_array(afd, "cpuacct.usage_percpu_sys", usage, "percpu_kernel")) < 0 ||
                    (r = percpu_array(afd, "cpuacct.usage_percpu_user", usage, "percpu_user")) < 0 ||
                    (r = cgroup_json_set_u64(usage, "kernel", sys, false)) < 0 ||
                    (r = cgroup_json_set_u64(usage, "user", user, false)) < 0)
                        return r;
        }
        _cleanup_free_ char *cst = NULL;
        if (cfd >= 0 && cgroup_read_at(cfd, "cpu.stat", &cst) >= 0) {
                static const char *const keys[][2] = {
                        {"nr_periods", "periods"},
                        {"nr_throttled", "throttledPeriods"},
                        {"throttled_time", "throttledTime"},
                };
                for (size_t i = 0; i < ELEMENTSOF(keys); i++)
                        if (cgroup_keyed_u64(cst, keys[i][0], &v) >= 0 &&
                            (r = cgroup_json_set_u64(thr, keys[i][1], v, true)) < 0)
                                return r;
        }
        if (json_obj_set(o, "usage", TAKE_PTR(usage)) < 0 || json_obj_set(o, "throttling", TAKE_PTR(thr)) < 0 ||
            json_obj_set(stats, "cpu", TAKE_PTR(o)) < 0)
                return -ENOMEM;
        return 0;
}

/* runc's MemoryEntry: limit and failcnt always, usage and max when not 0;
 * the whole entry only when its files exist. */
static int memory_entry(int fd, const char *prefix, JsonValue *o, const char *key) {
        char f[96];
        uint64_t usage, max, failcnt, limit;
        snprintf(f, sizeof f, "%s.usage_in_bytes", prefix);
        if (!read_u64(fd, f, &usage))
                return 0;
        snprintf(f, sizeof f, "%s.max_usage_in_bytes", prefix);
        (void) read_u64(fd, f, &max);
        snprintf(f, sizeof f, "%s.failcnt", prefix);
        (void) read_u64(fd, f, &failcnt);
        snprintf(f, sizeof f, "%s.limit_in_bytes", prefix);
        (void) read_u64(fd, f, &limit);
        JsonValue *e = json_new_object();
        if (!e || cgroup_json_set_u64(e, "limit", limit, false) < 0 ||
            cgroup_json_set_u64(e, "usage", usage, true) < 0 || cgroup_json_set_u64(e, "max", max, true) < 0 ||
            cgroup_json_set_u64(e, "failcnt", failcnt, false) < 0) {
                json_unref(e);
                return -ENOMEM;
        }
        return json_obj_set(o, key, e);
}

/* "key value" lines into a JSON object of numbers */
static int keyed_object(const char *buf, JsonValue **ret) {
        _cleanup_json_ JsonValue *o = json_new_object();
        _cleanup_free_ char *copy = strdup(buf);
        if (!o || !copy)
                return -ENOMEM;
        char *save = NULL;
        for (char *l = strtok_r(copy, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
                char *sp = strchr(l, ' ');
                uint64_t v;
                if (!sp)
                        continue;
                *sp = '\0';
                if (parse_uint64(sp + 1, &v) >= 0 && cgroup_json_set_u64(o, l, v, false) < 0)
                        return -ENOMEM;
        }
        *ret = TAKE_PTR(o);
        return 0;
}

static int stats_memory(CgroupManager *m, JsonValue *stats) {
        CgroupHierarchy *h = cgroup_manager_find(m, "memory");
        _cleanup_json_ JsonValue *o = json_new_object();
        int r;
        if (!o)
                return -ENOMEM;
        int fd = h && !h->v2 ? cgroup_hierarchy_open(h, NULL) : -1;
        if (fd >= 0) {
                _cleanup_free_ char *st = NULL;
                if (cgroup_read_at(fd, "memory.stat", &st) >= 0) {
                        JsonValue *raw = NULL;
                        uint64_t cache;
                        if (cgroup_keyed_u64(st, "cache", &cache) >= 0 &&
                            (r = cgroup_json_set_u64(o, "cache", cache, true)) < 0)
                                return r;
                        if ((r = keyed_object(st, &raw)) < 0 || (r = json_obj_set(o, "raw", raw)) < 0)
                                return r;
                }
                if ((r = memory_entry(fd, "memory", o, "usage")) < 0 ||
                    (r = memory_entry(fd, "memory.memsw", o, "swap")) < 0 ||
                    (r = memory_entry(fd, "memory.kmem", o, "kernel")) < 0 ||
                    (r = memory_entry(fd, "memory.kmem.tcp", o, "kernelTCP")) < 0)
                        return r;
        }
        return json_obj_set(stats, "memory", TAKE_PTR(o));
}

static int stats_pids(CgroupManager *m, JsonValue *stats) {
        CgroupHierarchy *h = cgroup_manager_find(m, "pids");
        _cleanup_json_ JsonValue *o = json_new_object();
        uint64_t v;
        int r;
        if (!o)
                return -ENOMEM;
        int fd = h ? cgroup_hierarchy_open(h, NULL) : -1;
        if (read_u64(fd, "pids.current", &v) && (r = cgroup_json_set_u64(o, "current", v, true)) < 0)
                return r;
        /* "max" is no limit: runc reports 0 */
        if (read_u64(fd, "pids.max", &v) && v != UINT64_MAX && (r = cgroup_json_set_u64(o, "limit", v, true)) < 0)
                return r;
        return json_obj_set(stats, "pids", TAKE_PTR(o));
}

/* "8:0 Read 4096" lines; the closing "Total N" has no device. */
static int blkio_entries(int fd, const char *file, JsonValue *o, const char *key) {
        _cleanup_free_ char *buf = NULL;
        if (cgroup_read_at(fd, file, &buf) < 0)
                return 0;
        _cleanup_json_ JsonValue *a = json_new_array();
        if (!a)
                return -ENOMEM;
        char *save = NULL;
        for (char *l = strtok_r(buf, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
                unsigned maj, min;
                char op[32];
                uint64_t v;
                if (sscanf(l, "%u:%u %31s %" SCNu64, &maj, &min, op, &v) != 4)
                        continue;
                JsonValue *e = json_new_object();
                if (!e || json_arr_append(a, e) < 0 || cgroup_json_set_u64(e, "major", maj, true) < 0 ||
                    cgroup_json_set_u64(e, "minor", min, true) < 0 || json_obj_set_str(e, "op", op) < 0 ||
                    cgroup_json_set_u64(e, "value", v, true) < 0)
                        return -ENOMEM;
        }
        if (json_arr_len(a) == 0)
                return 0;
        return json_obj_set(o, key, TAKE_PTR(a));
}

static int stats_blkio(CgroupManager *m, JsonValue *stats) {
        CgroupHierarchy *h = cgroup_manager_find(m, "blkio");
        _cleanup_json_ JsonValue *o = json_new_object();
        int r;
        if (!o)
                return -ENOMEM;
        int fd = h && !h->v2 ? cgroup_hierarchy_open(h, NULL) : -1;
        if (fd >= 0) {
                /* CFQ's counters where CFQ exists, else BFQ's, else the
                 * throttle layer's, which count every I/O. */
                const char *prefix = faccessat(fd, "blkio.io_service_bytes_recursive", F_OK, 0) >= 0 ? "blkio"
                                     : faccessat(fd, "blkio.bfq.io_service_bytes_recursive", F_OK, 0) >= 0
                                             ? "blkio.bfq"
                                             : "blkio.throttle";
                char f1[96], f2[96];
                snprintf(f1, sizeof f1, "%s.io_service_bytes_recursive", prefix);
                snprintf(f2, sizeof f2, "%s.io_serviced_recursive", prefix);
                if ((r = blkio_entries(fd, f1, o, "ioServiceBytesRecursive")) < 0 ||
                    (r = blkio_entries(fd, f2, o, "ioServicedRecursive")) < 0)
                        return r;
        }
        return json_obj_set(stats, "blkio", TAKE_PTR(o));
}

static int stats_hugetlb(CgroupManager *m, JsonValue *stats) {
        CgroupHierarchy *h = cgroup_manager_find(m, "hugetlb");
        _cleanup_json_ JsonValue *o = json_new_object();
        _cleanup_strv_free_ char **sizes = NULL;
        int r;
        if (!o)
                return -ENOMEM;
        int fd = h ? cgroup_hierarchy_open(h, NULL) : -1;
        if (fd >= 0 && h->v2) {
                json_unref(TAKE_PTR(o));
                return cgroup_v2_stats_hugetlb(fd, stats);
        }
        if (fd >= 0 && cgroup_hugepage_sizes(&sizes) >= 0)
                for (size_t i = 0; sizes && sizes[i]; i++) {
                        char f[96];
                        uint64_t usage, max, failcnt;
                        snprintf(f, sizeof f, "hugetlb.%s.usage_in_bytes", sizes[i]);
                        if (!read_u64(fd, f, &usage))
                                continue;
                        snprintf(f, sizeof f, "hugetlb.%s.max_usage_in_bytes", sizes[i]);
                        (void) read_u64(fd, f, &max);
                        snprintf(f, sizeof f, "hugetlb.%s.failcnt", sizes[i]);
                        (void) read_u64(fd, f, &failcnt);
                        JsonValue *e = json_new_object();
                        if (!e || json_obj_set(o, sizes[i], e) < 0 ||
                            cgroup_json_set_u64(e, "usage", usage, true) < 0 ||
                            cgroup_json_set_u64(e, "max", max, true) < 0 ||
                            cgroup_json_set_u64(e, "failcnt", failcnt, false) < 0)
                                return -ENOMEM;
                }
        if ((r = json_obj_set(stats, "hugetlb", TAKE_PTR(o))) < 0)
                return r;
        return 0;
}

int cgroup_v1_stats(CgroupManager *m, JsonValue *ret, Error *reterr) {
        int r;
        if ((r = stats_cpu(m, ret)) < 0 || (r = stats_memory(m, ret)) < 0 || (r = stats_pids(m, ret)) < 0 ||
            (r = stats_blkio(m, ret)) < 0 || (r = stats_hugetlb(m, ret)) < 0)
                return error_set(reterr, r, "reading cgroup stats");
        return 0;
}
