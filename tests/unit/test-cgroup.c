/* cgroup logic without touching /sys/fs/cgroup: mountinfo into hierarchies,
 * path rules, resources into file writes for v1, hybrid and v2, device rules
 * into v1 strings and into the v2 BPF program (run here by a small
 * interpreter of the instructions it uses), and the state.json round trip.
 * As root, the last two tests also drive real cgroups on this machine. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include <linux/bpf.h>
#include <linux/sched.h>

#include "cgroup.h"

/* This host's layout: hybrid, each v1 controller on its own mount, hugetlb
 * only on the v2 mount. */
static const char hybrid_mountinfo[] =
        "24 1 0:22 / /sys rw,nosuid,nodev,noexec,relatime - sysfs sysfs rw\n"
        "31 23 0:28 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755\n"
        "32 31 0:29 / /sys/fs/cgroup/cpu rw,relatime - cgroup cgroup rw,cpu\n"
        "33 31 0:30 / /sys/fs/cgroup/cpuacct rw,relatime - cgroup cgroup rw,cpuacct\n"
        "34 31 0:31 / /sys/fs/cgroup/cpuset rw,relatime - cgroup cgroup rw,cpuset\n"
        "35 31 0:32 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory\n"
        "36 31 0:33 / /sys/fs/cgroup/devices rw,relatime - cgroup cgroup rw,devices\n"
        "37 31 0:34 / /sys/fs/cgroup/freezer rw,relatime - cgroup cgroup rw,freezer\n"
        "38 31 0:35 / /sys/fs/cgroup/blkio rw,relatime - cgroup cgroup rw,blkio\n"
        "39 31 0:36 / /sys/fs/cgroup/pids rw,relatime - cgroup cgroup rw,pids\n"
        "40 31 0:37 / /sys/fs/cgroup/systemd rw,relatime - cgroup cgroup rw,xattr,name=systemd\n"
        "41 31 0:38 / %s rw,relatime - cgroup2 cgroup2 rw\n";

static const char hybrid_self[] = "9:name=systemd:/\n8:pids:/\n7:blkio:/\n6:freezer:/\n5:devices:/\n"
                                  "4:memory:/process_api/f70a\n3:cpuset:/\n2:cpuacct:/\n1:cpu:/\n0::/\n";

/* A systemd-era host: co-mounted controllers, optional fields, an escaped
 * mount point, a foreign named hierarchy, and a second bind of memory. */
static const char comount_mountinfo[] =
        "25 18 0:21 / /sys/fs/cgroup ro,nosuid,nodev,noexec shared:9 - tmpfs tmpfs ro,mode=755\n"
        "26 25 0:22 / /sys/fs/cgroup/unified rw,nosuid shared:10 - cgroup2 cgroup2 rw,nsdelegate\n"
        "27 25 0:23 / /sys/fs/cgroup/systemd rw,nosuid shared:11 - cgroup cgroup "
        "rw,xattr,name=systemd,release_agent=/lib/systemd/systemd-cgroups-agent\n"
        "30 25 0:26 / /sys/fs/cgroup/cpu,cpuacct rw,nosuid shared:14 - cgroup cgroup rw,cpu,cpuacct\n"
        "31 25 0:27 / /sys/fs/cgroup/net_cls,net_prio rw shared:15 - cgroup cgroup rw,net_cls,net_prio\n"
        "32 25 0:28 /docker/abc /sys/fs/cgroup/memory rw shared:16 - cgroup cgroup rw,memory\n"
        "33 25 0:29 / /sys/fs/cgroup/my\\040stuff rw - cgroup cgroup rw,name=mine\n"
        "34 25 0:30 / /sys/fs/cgroup/hugetlb rw - cgroup cgroup rw,hugetlb\n"
        "35 25 0:31 / /sys/fs/cgroup/rdma rw - cgroup cgroup rw,rdma\n"
        "36 99 0:28 / /mnt/mem\\040again rw - cgroup cgroup rw,memory\n"
        "37 25 0:32 / /sys/fs/cgroup/cpu\\054cpuacct2 rw - cgroup cgroup rw,perf_event\n";

static const char v2_mountinfo[] = "22 1 0:20 / /sys/fs/cgroup rw,nosuid,nodev,noexec - cgroup2 cgroup2 rw,nsdelegate\n"
                                   "40 22 0:40 / /var/lib/other rw - cgroup2 cgroup2 rw\n";

static char tmpdir[64];

static int setup(void **state) {
        strcpy(tmpdir, "/tmp/berth-test-cgroup-XXXXXX");
        assert_non_null(mkdtemp(tmpdir));
        char p[128];
        snprintf(p, sizeof p, "%s/cgroup.controllers", tmpdir);
        FILE *f = fopen(p, "we");
        assert_non_null(f);
        fputs("hugetlb\n", f);
        fclose(f);
        return 0;
}

static int teardown(void **state) {
        char p[128];
        snprintf(p, sizeof p, "%s/cgroup.controllers", tmpdir);
        unlink(p);
        rmdir(tmpdir);
        return 0;
}

static CgroupHierarchy *find_name(CgroupHierarchy *h, size_t n, const char *name) {
        for (size_t i = 0; i < n; i++)
                if (strcmp(h[i].name, name) == 0)
                        return &h[i];
        return NULL;
}

static void test_mountinfo_hybrid(void **state) {
        char buf[4096];
        snprintf(buf, sizeof buf, hybrid_mountinfo, "/sys/fs/cgroup/unified");
        CgroupHierarchy *h = NULL;
        size_t n = 0;
        assert_int_equal(cgroup_parse_mountinfo(buf, NULL, &h, &n), 0);
        assert_int_equal(n, 10);
        assert_true(h[n - 1].v2); /* the v2 mount comes last */
        assert_string_equal(h[n - 1].name, "unified");
        assert_null(h[n - 1].options);
        CgroupHierarchy *cpu = find_name(h, n, "cpu"), *acct = find_name(h, n, "cpuacct");
        assert_non_null(cpu);
        assert_non_null(acct);
        assert_string_equal(cpu->options, "cpu");
        assert_true(strv_contains(cpu->controllers, "cpu") && !strv_contains(cpu->controllers, "cpuacct"));
        CgroupHierarchy *sd = find_name(h, n, "systemd");
        assert_non_null(sd);
        assert_string_equal(sd->options, "none,name=systemd");
        assert_true(strv_contains(sd->controllers, "name=systemd"));
        assert_string_equal(sd->mount_root, "/");
        cgroup_hierarchies_free(h, n);
}

static void test_mountinfo_comount(void **state) {
        CgroupHierarchy *h = NULL;
        size_t n = 0;
        assert_int_equal(cgroup_parse_mountinfo(comount_mountinfo, NULL, &h, &n), 0);
        /* systemd, cpu+cpuacct, net_cls+net_prio, memory (once), hugetlb,
         * rdma, perf_event, then unified; "name=mine" is someone else's */
        assert_int_equal(n, 8);
        CgroupHierarchy *c = find_name(h, n, "cpu,cpuacct");
        assert_non_null(c);
        assert_string_equal(c->options, "cpu,cpuacct");
        CgroupHierarchy *m = find_name(h, n, "memory");
        assert_non_null(m);
        assert_string_equal(m->mount_root, "/docker/abc");
        assert_null(find_name(h, n, "mem again"));
        assert_null(find_name(h, n, "my stuff"));
        CgroupHierarchy *pe = find_name(h, n, "cpu,cpuacct2");
        assert_non_null(pe); /* \054 is a comma */
        assert_string_equal(pe->mount_point, "/sys/fs/cgroup/cpu,cpuacct2");
        assert_string_equal(pe->options, "perf_event");
        assert_true(h[n - 1].v2);
        assert_string_equal(h[n - 1].mount_point, "/sys/fs/cgroup/unified");
        cgroup_hierarchies_free(h, n);
}

static void test_mountinfo_v2(void **state) {
        CgroupHierarchy *h = NULL;
        size_t n = 0;
        assert_int_equal(cgroup_parse_mountinfo(v2_mountinfo, NULL, &h, &n), 0);
        assert_int_equal(n, 1);
        assert_string_equal(h[0].mount_point, "/sys/fs/cgroup");
        cgroup_hierarchies_free(h, n);
        assert_int_equal(cgroup_parse_mountinfo(v2_mountinfo, "/var/lib/other", &h, &n), 0);
        assert_int_equal(n, 1);
        assert_string_equal(h[0].mount_point, "/var/lib/other");
        cgroup_hierarchies_free(h, n);
        assert_int_equal(cgroup_parse_mountinfo("garbage\n\n1 2 3\n", NULL, &h, &n), 0);
        assert_int_equal(n, 0);
        cgroup_hierarchies_free(h, n);
}

static void test_proc_cgroup(void **state) {
        static const char self[] = "12:cpu,cpuacct:/a/b\n11:name=systemd:/user.slice\n3:memory:/m\n0::/unified/x\n";
        char *cpu_ctl[] = {"cpu", "cpuacct", NULL}, *sd_ctl[] = {"name=systemd", NULL}, *pids_ctl[] = {"pids", NULL};
        CgroupHierarchy cpu = {.controllers = cpu_ctl}, sd = {.controllers = sd_ctl}, v2 = {.v2 = true},
                        pids = {.controllers = pids_ctl};
        char *p = NULL;
        assert_int_equal(cgroup_parse_proc_cgroup(self, &cpu, &p), 0);
        assert_string_equal(p, "/a/b");
        free(p);
        assert_int_equal(cgroup_parse_proc_cgroup(self, &sd, &p), 0);
        assert_string_equal(p, "/user.slice");
        free(p);
        assert_int_equal(cgroup_parse_proc_cgroup(self, &v2, &p), 0);
        assert_string_equal(p, "/unified/x");
        free(p);
        assert_int_equal(cgroup_parse_proc_cgroup(self, &pids, &p), -ENOENT);
}

static void test_resolve_path(void **state) {
        Error e = {};
        char *p = NULL;
        assert_int_equal(cgroup_resolve_path("/docker/abc", "id", "/own", &p, &e), 0);
        assert_string_equal(p, "/docker/abc");
        free(p);
        assert_int_equal(cgroup_resolve_path("sub/ctr", "id", "/own/cg", &p, &e), 0);
        assert_string_equal(p, "/own/cg/sub/ctr");
        free(p);
        assert_int_equal(cgroup_resolve_path(NULL, "web", "/own", &p, &e), 0);
        assert_string_equal(p, "/own/web");
        free(p);
        assert_int_equal(cgroup_resolve_path("", "web", "/", &p, &e), 0);
        assert_string_equal(p, "/web");
        free(p);
        assert_int_equal(cgroup_resolve_path("//a//b/", "id", "/", &p, &e), 0);
        assert_string_equal(p, "/a/b");
        free(p);

        assert_int_equal(cgroup_resolve_path("system.slice:docker:abc", "id", "/", &p, &e), -EINVAL);
        assert_non_null(strstr(e.msg, "systemd cgroup driver requested but systemd is not running"));
        assert_int_equal(cgroup_resolve_path("/a/../../etc", "id", "/", &p, &e), -EINVAL);
        assert_non_null(strstr(e.msg, "\"..\""));
        assert_int_equal(cgroup_resolve_path("..", "id", "/own", &p, &e), -EINVAL);
        assert_int_equal(cgroup_resolve_path("/", "id", "/", &p, &e), -EINVAL);
        assert_int_equal(cgroup_resolve_path(NULL, NULL, "/", &p, &e), -EINVAL);
        /* a name with dots is not a parent reference */
        assert_int_equal(cgroup_resolve_path("/a/..b/c..", "id", "/", &p, &e), 0);
        free(p);
        error_clear(&e);
}

static CgroupManager *hybrid_manager(const char *cgroups_path) {
        char buf[4096];
        snprintf(buf, sizeof buf, hybrid_mountinfo, tmpdir);
        CgroupSetup s = {.mode = CGROUP_MODE_HYBRID, .mountinfo = buf, .self_cgroup = hybrid_self};
        CgroupManager *m = NULL;
        Error e = {};
        int r = cgroup_manager_new_with(&s, cgroups_path, "ctr", &m, &e);
        if (r < 0)
                fail_msg("%s", e.msg);
        return m;
}

static void test_manager_paths(void **state) {
        CgroupManager *m = hybrid_manager(NULL);
        const CgroupHierarchy *h;
        size_t n;
        cgroup_manager_hierarchies(m, &h, &n);
        assert_int_equal(n, 10);
        /* relative to the caller's own cgroup, per hierarchy */
        CgroupHierarchy *mem = cgroup_manager_find(m, "memory");
        assert_string_equal(mem->container_path, "/sys/fs/cgroup/memory/process_api/f70a/ctr");
        assert_string_equal(mem->cgroup, "/process_api/f70a/ctr");
        assert_string_equal(cgroup_manager_find(m, "cpu")->container_path, "/sys/fs/cgroup/cpu/ctr");
        /* hugetlb lives on the v2 mount here */
        CgroupHierarchy *hug = cgroup_manager_find(m, "hugetlb");
        assert_non_null(hug);
        assert_true(hug->v2);
        assert_string_equal(hug->name, strrchr(tmpdir, '/') + 1);
        assert_int_equal(cgroup_manager_dirfd(m), -EOPNOTSUPP);
        assert_string_equal(cgroup_manager_path(m), "/ctr");
        cgroup_manager_free(m);

        m = hybrid_manager("/berth/ctr");
        assert_string_equal(cgroup_manager_find(m, "memory")->container_path, "/sys/fs/cgroup/memory/berth/ctr");
        char want[128];
        snprintf(want, sizeof want, "%s/berth/ctr", tmpdir);
        assert_string_equal(cgroup_manager_v2(m)->container_path, want);
        cgroup_manager_free(m);

        /* a mount whose root is a subtree (bind mount, no cgroupns) */
        static const char sub_mountinfo[] =
                "32 25 0:28 /docker/abc /sys/fs/cgroup/memory rw - cgroup cgroup rw,memory\n";
        CgroupSetup s = {.mode = CGROUP_MODE_V1, .mountinfo = sub_mountinfo, .self_cgroup = "3:memory:/docker/abc\n"};
        Error e = {};
        assert_int_equal(cgroup_manager_new_with(&s, "inner", "id", &m, &e), 0);
        assert_string_equal(m->h[0].container_path, "/sys/fs/cgroup/memory/inner");
        assert_string_equal(m->h[0].cgroup, "/docker/abc/inner");
        cgroup_manager_free(m);
        assert_int_equal(cgroup_manager_new_with(&s, "/abs", "id", &m, &e), 0);
        assert_string_equal(m->h[0].container_path, "/sys/fs/cgroup/memory/abs");
        cgroup_manager_free(m);

        /* no systemd here */
        assert_int_equal(cgroup_manager_new_with(&s, "system.slice:berth:x", "id", &m, &e), -EINVAL);
        assert_non_null(strstr(e.msg, "systemd is not running"));
        error_clear(&e);
}

static void test_manager_v2_root(void **state) {
        char buf[512];
        snprintf(buf, sizeof buf,
                 "22 1 0:20 / /sys/fs/cgroup rw - cgroup2 cgroup2 rw\n41 31 0:38 / %s rw - cgroup2 cgroup2 rw\n",
                 tmpdir);
        CgroupSetup s = {.mode = CGROUP_MODE_V2, .v2_root = tmpdir, .mountinfo = buf, .self_cgroup = "0::/\n"};
        CgroupManager *m = NULL;
        Error e = {};
        assert_int_equal(cgroup_manager_new_with(&s, NULL, "ctr", &m, &e), 0);
        assert_int_equal(m->n, 1);
        assert_string_equal(m->h[0].name, "");
        assert_true(strv_contains(m->h[0].controllers, "hugetlb"));
        assert_int_equal(cgroup_manager_dirfd(m), -EBADF); /* not prepared yet */
        cgroup_manager_free(m);
        s.v2_root = "/nowhere";
        assert_int_equal(cgroup_manager_new_with(&s, NULL, "ctr", &m, &e), -ENOENT);
        error_clear(&e);
}

static void test_serialize(void **state) {
        CgroupManager *m = hybrid_manager("/berth/ctr"), *m2 = NULL;
        JsonValue *v = cgroup_manager_serialize(m);
        assert_non_null(v);
        Error e = {};
        if (cgroup_manager_deserialize(v, &m2, &e) < 0)
                fail_msg("%s", e.msg);
        assert_int_equal(m2->mode, CGROUP_MODE_HYBRID);
        assert_int_equal(m2->n, m->n);
        for (size_t i = 0; i < m->n; i++) {
                assert_string_equal(m2->h[i].name, m->h[i].name);
                assert_string_equal(m2->h[i].container_path, m->h[i].container_path);
                assert_int_equal(m2->h[i].v2, m->h[i].v2);
                assert_int_equal(m2->h[i].dirfd, -1);
                if (m->h[i].options)
                        assert_string_equal(m2->h[i].options, m->h[i].options);
        }
        assert_string_equal(cgroup_manager_path(m2), cgroup_manager_path(m));
        cgroup_manager_free(m2);

        /* a path outside its mount is refused */
        JsonValue *hs = json_obj_get(v, "hierarchies");
        json_obj_set_str(json_arr_at(hs, 0), "dir", "/etc");
        assert_int_equal(cgroup_manager_deserialize(v, &m2, &e), -EINVAL);
        json_obj_set_str(json_arr_at(hs, 0), "dir", "/sys/fs/cgroup/cpu/../../../etc");
        assert_int_equal(cgroup_manager_deserialize(v, &m2, &e), -EINVAL);
        json_obj_set_str(v, "mode", "v3");
        assert_int_equal(cgroup_manager_deserialize(v, &m2, &e), -EINVAL);
        error_clear(&e);
        json_unref(v);
        cgroup_manager_free(m);
}

/* ---- plans ---- */

static char *v1_all[] = {"cpu",   "cpuacct", "cpuset",  "memory",   "devices", "freezer",
                         "blkio", "pids",    "net_cls", "net_prio", "hugetlb", NULL};
static char *v1_hybrid[] = {"cpu", "cpuacct", "cpuset", "memory", "devices", "freezer", "blkio", "pids", NULL};
static char *v2_hybrid[] = {"hugetlb", NULL};

static const CgroupWrite *plan_find(const CgroupPlan *p, const char *file, size_t nth) {
        for (size_t i = 0; i < p->n; i++)
                if (strcmp(p->w[i].file, file) == 0 && nth-- == 0)
                        return &p->w[i];
        return NULL;
}

static void expect(const CgroupPlan *p, size_t i, const char *file, const char *value, unsigned flags) {
        assert_true(i < p->n);
        assert_string_equal(p->w[i].file, file);
        assert_string_equal(p->w[i].value, value);
        assert_int_equal(p->w[i].flags, flags);
}

static int plan(CgroupMode mode, bool update, const OciResources *r, CgroupPlan *p, Error *e) {
        CgroupPlanContext c = {
                .mode = mode,
                .v1_controllers = mode == CGROUP_MODE_V1       ? v1_all
                                  : mode == CGROUP_MODE_HYBRID ? v1_hybrid
                                                               : NULL,
                .v2_controllers = mode == CGROUP_MODE_HYBRID ? v2_hybrid : NULL,
                .update = update,
        };
        return cgroup_plan_resources(&c, r, p, e);
}

static void test_plan_memory(void **state) {
        OciMemory mem = {.limit = {1 << 30, true},
                         .swap = {2LL << 30, true},
                         .reservation = {1 << 29, true},
                         .swappiness = {10, true},
                         .disable_oom_killer = {true, true},
                         .kernel = {1, true}};
        OciResources r = {.memory = &mem};
        CgroupPlan p = {};
        Error e = {};
        assert_int_equal(plan(CGROUP_MODE_V1, false, &r, &p, &e), 0);
        assert_int_equal(p.n, 5);
        expect(&p, 0, "memory.limit_in_bytes", "1073741824", CGROUP_WRITE_SWAP_ON_EINVAL);
        expect(&p, 1, "memory.memsw.limit_in_bytes", "2147483648", 0);
        expect(&p, 2, "memory.soft_limit_in_bytes", "536870912", 0);
        expect(&p, 3, "memory.swappiness", "10", 0);
        expect(&p, 4, "memory.oom_control", "1", 0);
        assert_string_equal(p.w[0].controller, "memory");
        assert_false(p.w[0].v2);
        cgroup_plan_clear(&p);

        /* v2: swap.max is swap alone, reservation is memory.low */
        assert_int_equal(plan(CGROUP_MODE_V2, false, &r, &p, &e), 0);
        assert_int_equal(p.n, 3);
        expect(&p, 0, "memory.swap.max", "1073741824", 0);
        expect(&p, 1, "memory.max", "1073741824", 0);
        expect(&p, 2, "memory.low", "536870912", 0);
        assert_true(p.w[0].v2);
        cgroup_plan_clear(&p);

        /* unlimited memory: unlimited swap as well */
        OciMemory unl = {.limit = {-1, true}};
        r.memory = &unl;
        assert_int_equal(plan(CGROUP_MODE_V1, false, &r, &p, &e), 0);
        expect(&p, 0, "memory.limit_in_bytes", "-1", 0);
        expect(&p, 1, "memory.memsw.limit_in_bytes", "-1", CGROUP_WRITE_OPTIONAL);
        cgroup_plan_clear(&p);
        assert_int_equal(plan(CGROUP_MODE_V2, false, &r, &p, &e), 0);
        expect(&p, 0, "memory.swap.max", "max", CGROUP_WRITE_OPTIONAL);
        expect(&p, 1, "memory.max", "max", 0);
        cgroup_plan_clear(&p);

        /* swap == limit: no swap at all */
        OciMemory noswap = {.limit = {4096 * 100, true}, .swap = {4096 * 100, true}};
        r.memory = &noswap;
        assert_int_equal(plan(CGROUP_MODE_V2, false, &r, &p, &e), 0);
        expect(&p, 0, "memory.swap.max", "0", CGROUP_WRITE_OPTIONAL);
        cgroup_plan_clear(&p);

        /* errors */
        OciMemory bad = {.limit = {100, true}, .swap = {50, true}};
        r.memory = &bad;
        assert_int_equal(plan(CGROUP_MODE_V2, false, &r, &p, &e), -EINVAL);
        cgroup_plan_clear(&p);
        OciMemory swaponly = {.swap = {50, true}};
        r.memory = &swaponly;
        assert_int_equal(plan(CGROUP_MODE_V2, false, &r, &p, &e), -EINVAL);
        cgroup_plan_clear(&p);
        assert_int_equal(plan(CGROUP_MODE_V1, false, &r, &p, &e), 0); /* v1 can */
        expect(&p, 0, "memory.memsw.limit_in_bytes", "50", 0);
        cgroup_plan_clear(&p);
        OciMemory swappy = {.swappiness = {101, true}};
        r.memory = &swappy;
        assert_int_equal(plan(CGROUP_MODE_V1, false, &r, &p, &e), -EINVAL);
        assert_non_null(strstr(e.msg, "swappiness"));
        cgroup_plan_clear(&p);
        error_clear(&e);

        int64_t v;
        assert_int_equal(cgroup_v2_swap_value(0, -1, &v, NULL), 0);
        assert_int_equal(v, -1);
        assert_int_equal(cgroup_v2_swap_value(-1, 100, &v, NULL), 0);
        assert_int_equal(v, -1);
        assert_int_equal(cgroup_v2_swap_value(300, 100, &v, NULL), 0);
        assert_int_equal(v, 200);
        assert_int_equal(cgroup_v2_swap_value(0, 100, &v, NULL), 0);
        assert_int_equal(v, 0);
}

static void test_plan_cpu(void **state) {
        assert_int_equal(cgroup_v2_cpu_weight(0), 0);
        assert_int_equal(cgroup_v2_cpu_weight(2), 1);
        assert_int_equal(cgroup_v2_cpu_weight(1024), 39);
        assert_int_equal(cgroup_v2_cpu_weight(512), 20);
        assert_int_equal(cgroup_v2_cpu_weight(262144), 10000);
        assert_int_equal(cgroup_v2_cpu_weight(1000000), 10000);

        OciCpu cpu = {.shares = {1024, true},
                      .quota = {50000, true},
                      .period = {100000, true},
                      .cpus = "0-1",
                      .mems = "0",
                      .idle = {0, true}};
        OciResources r = {.cpu = &cpu};
        CgroupPlan p = {};
        Error e = {};
        assert_int_equal(plan(CGROUP_MODE_V1, false, &r, &p, &e), 0);
        assert_int_equal(p.n, 6);
        expect(&p, 0, "cpu.shares", "1024", CGROUP_WRITE_VERIFY);
        expect(&p, 1, "cpu.cfs_period_us", "100000", CGROUP_WRITE_SWAP_ON_EINVAL); /* period first */
        expect(&p, 2, "cpu.cfs_quota_us", "50000", 0);
        expect(&p, 3, "cpu.idle", "0", 0);
        expect(&p, 4, "cpuset.cpus", "0-1", 0);
        expect(&p, 5, "cpuset.mems", "0", 0);
        assert_string_equal(p.w[4].controller, "cpuset");
        cgroup_plan_clear(&p);

        assert_int_equal(plan(CGROUP_MODE_V2, false, &r, &p, &e), 0);
        expect(&p, 0, "cpu.idle", "0", 0);
        expect(&p, 1, "cpu.weight", "39", 0);
        expect(&p, 2, "cpu.max", "50000 100000", 0);
        expect(&p, 3, "cpuset.cpus", "0-1", 0);
        cgroup_plan_clear(&p);

        /* the forms of cpu.max */
        OciCpu q = {.quota = {-1, true}};
        r.cpu = &q;
        assert_int_equal(plan(CGROUP_MODE_V2, false, &r, &p, &e), 0);
        expect(&p, 0, "cpu.max", "max", 0);
        cgroup_plan_clear(&p);
        OciCpu per = {.period = {20000, true}, .burst = {1000, true}};
        r.cpu = &per;
        assert_int_equal(plan(CGROUP_MODE_V2, false, &r, &p, &e), 0);
        expect(&p, 0, "cpu.max", "max 20000", CGROUP_WRITE_SWAP_ON_EINVAL);
        expect(&p, 1, "cpu.max.burst", "1000", CGROUP_WRITE_OPTIONAL);
        cgroup_plan_clear(&p);
        assert_int_equal(plan(CGROUP_MODE_V2, true, &r, &p, &e), 0); /* update keeps the quota */
        expect(&p, 0, "cpu.max", "20000", CGROUP_WRITE_KEEP_QUOTA | CGROUP_WRITE_SWAP_ON_EINVAL);
        cgroup_plan_clear(&p);

        /* realtime: v1 yes (first), v2 no */
        OciCpu rt = {.realtime_runtime = {950000, true}, .realtime_period = {1000000, true}};
        r.cpu = &rt;
        assert_int_equal(plan(CGROUP_MODE_V1, false, &r, &p, &e), 0);
        expect(&p, 0, "cpu.rt_period_us", "1000000", CGROUP_WRITE_SWAP_ON_EINVAL);
        expect(&p, 1, "cpu.rt_runtime_us", "950000", 0);
        cgroup_plan_clear(&p);
        assert_int_equal(plan(CGROUP_MODE_V2, false, &r, &p, &e), -EOPNOTSUPP);
        cgroup_plan_clear(&p);
        error_clear(&e);
}

static void test_plan_pids_blkio(void **state) {
        OciPids pids = {.limit = 0};
        OciResources r = {.pids = &pids};
        CgroupPlan p = {};
        Error e = {};
        assert_int_equal(plan(CGROUP_MODE_V1, false, &r, &p, &e), 0);
        expect(&p, 0, "pids.max", "max", 0);
        cgroup_plan_clear(&p);
        pids.limit = -1;
        assert_int_equal(plan(CGROUP_MODE_V2, false, &r, &p, &e), 0);
        expect(&p, 0, "pids.max", "max", 0);
        cgroup_plan_clear(&p);
        pids.limit = 42;
        assert_int_equal(plan(CGROUP_MODE_V2, false, &r, &p, &e), 0);
        expect(&p, 0, "pids.max", "42", 0);
        cgroup_plan_clear(&p);

        assert_int_equal(cgroup_v2_io_weight(10), 1);
        assert_int_equal(cgroup_v2_io_weight(500), 4950);
        assert_int_equal(cgroup_v2_io_weight(1000), 10000);
        OciWeightDevice wd = {.major = 8, .minor = 0, .weight = {300, true}};
        OciThrottleDevice td = {.major = 8, .minor = 16, .rate = 1048576};
        OciBlockIO b = {.weight = {500, true}};
        b.weight_device.items = &wd;
        b.weight_device.n = 1;
        b.throttle_read_bps_device.items = &td;
        b.throttle_read_bps_device.n = 1;
        b.throttle_write_iops_device.items = &td;
        b.throttle_write_iops_device.n = 1;
        r = (OciResources){.block_io = &b};
        assert_int_equal(plan(CGROUP_MODE_V1, false, &r, &p, &e), 0);
        assert_int_equal(p.n, 6);
        expect(&p, 0, "blkio.weight", "500", CGROUP_WRITE_OR_NEXT);
        expect(&p, 1, "blkio.bfq.weight", "500", 0);
        expect(&p, 2, "blkio.weight_device", "8:0 300", CGROUP_WRITE_OR_NEXT);
        expect(&p, 3, "blkio.bfq.weight_device", "8:0 300", 0);
        expect(&p, 4, "blkio.throttle.read_bps_device", "8:16 1048576", 0);
        expect(&p, 5, "blkio.throttle.write_iops_device", "8:16 1048576", 0);
        cgroup_plan_clear(&p);
        assert_int_equal(plan(CGROUP_MODE_V2, false, &r, &p, &e), 0);
        assert_int_equal(p.n, 6);
        expect(&p, 0, "io.bfq.weight", "500", CGROUP_WRITE_OR_NEXT);
        expect(&p, 1, "io.weight", "4950", 0);
        expect(&p, 2, "io.bfq.weight", "8:0 300", CGROUP_WRITE_OR_NEXT);
        expect(&p, 3, "io.weight", "8:0 2930", 0);
        expect(&p, 4, "io.max", "8:16 rbps=1048576", 0);
        expect(&p, 5, "io.max", "8:16 wiops=1048576", 0);
        cgroup_plan_clear(&p);
}

static void test_plan_hugetlb_unified(void **state) {
        OciHugepageLimit hl = {.page_size = "2MB", .limit = 4194304};
        OciResources r = {};
        r.hugepage_limits.items = &hl;
        r.hugepage_limits.n = 1;
        CgroupPlan p = {};
        Error e = {};
        assert_int_equal(plan(CGROUP_MODE_V1, false, &r, &p, &e), 0);
        expect(&p, 0, "hugetlb.2MB.limit_in_bytes", "4194304", 0);
        assert_false(p.w[0].v2);
        cgroup_plan_clear(&p);
        /* hybrid with hugetlb only on the v2 mount: v2 files, there */
        assert_int_equal(plan(CGROUP_MODE_HYBRID, false, &r, &p, &e), 0);
        assert_int_equal(p.n, 2);
        expect(&p, 0, "hugetlb.2MB.max", "4194304", 0);
        expect(&p, 1, "hugetlb.2MB.rsvd.max", "4194304", CGROUP_WRITE_OPTIONAL);
        assert_true(p.w[0].v2 && p.w[1].v2);
        cgroup_plan_clear(&p);
        hl.page_size = "../2MB";
        assert_int_equal(plan(CGROUP_MODE_V2, false, &r, &p, &e), -EINVAL);
        cgroup_plan_clear(&p);
        r.hugepage_limits.n = 0;

        assert_int_equal(strmap_set(&r.unified, "hugetlb.1GB.max", "0"), 0);
        assert_int_equal(plan(CGROUP_MODE_HYBRID, false, &r, &p, &e), 0);
        expect(&p, 0, "hugetlb.1GB.max", "0", CGROUP_WRITE_LINES);
        assert_true(p.w[0].v2);
        cgroup_plan_clear(&p);
        assert_int_equal(plan(CGROUP_MODE_V1, false, &r, &p, &e), -EOPNOTSUPP);
        cgroup_plan_clear(&p);
        assert_int_equal(strmap_set(&r.unified, "memory.high", "1G"), 0);
        assert_int_equal(plan(CGROUP_MODE_HYBRID, false, &r, &p, &e), -EOPNOTSUPP); /* memory is v1 here */
        assert_non_null(strstr(e.msg, "memory.high"));
        cgroup_plan_clear(&p);
        assert_int_equal(plan(CGROUP_MODE_V2, false, &r, &p, &e), 0);
        assert_int_equal(p.n, 2);
        cgroup_plan_clear(&p);
        strmap_clear(&r.unified);
        assert_int_equal(strmap_set(&r.unified, "../../memory.max", "1"), 0);
        assert_int_equal(plan(CGROUP_MODE_V2, false, &r, &p, &e), -EINVAL);
        cgroup_plan_clear(&p);
        strmap_clear(&r.unified);
        assert_int_equal(cgroup_v2_unified_key_check("..", NULL), -EINVAL);
        assert_int_equal(cgroup_v2_unified_key_check("memory.max", NULL), 0);
        assert_int_equal(cgroup_v2_unified_key_check("a/b.c", NULL), -EINVAL);
        error_clear(&e);

        char *s = cgroup_hugepage_size_name(2048);
        assert_string_equal(s, "2MB");
        free(s);
        s = cgroup_hugepage_size_name(1048576);
        assert_string_equal(s, "1GB");
        free(s);
        s = cgroup_hugepage_size_name(64);
        assert_string_equal(s, "64KB");
        free(s);
        assert_true(cgroup_hugepage_size_valid("2MB"));
        assert_false(cgroup_hugepage_size_valid("2mb"));
        assert_false(cgroup_hugepage_size_valid("MB"));
        assert_false(cgroup_hugepage_size_valid("2MB/x"));
}

static void test_plan_network_devices(void **state) {
        OciNetPriority prio = {.name = "eth0", .priority = 5};
        OciNetwork net = {.class_id = {0x100001, true}};
        net.priorities.items = &prio;
        net.priorities.n = 1;
        OciResources r = {.network = &net};
        CgroupPlan p = {};
        Error e = {};
        assert_int_equal(plan(CGROUP_MODE_V1, false, &r, &p, &e), 0);
        expect(&p, 0, "net_cls.classid", "1048577", 0);
        expect(&p, 1, "net_prio.ifpriomap", "eth0 5", 0);
        cgroup_plan_clear(&p);
        assert_int_equal(plan(CGROUP_MODE_HYBRID, false, &r, &p, &e), 0); /* not mounted there: skipped */
        assert_int_equal(p.n, 0);
        cgroup_plan_clear(&p);

        OciDeviceRule rules[] = {
                {.allow = false, .access = "rwm"},
                {.allow = true, .type = "c", .major = {1, true}, .minor = {3, true}, .access = "rwm"},
                {.allow = true, .type = "c", .access = "m"},
                {.allow = false, .type = "b", .major = {8, true}, .access = "w"},
        };
        r = (OciResources){};
        r.devices.items = rules;
        r.devices.n = ELEMENTSOF(rules);
        assert_int_equal(plan(CGROUP_MODE_V1, false, &r, &p, &e), 0);
        assert_int_equal(p.n, 4); /* the rules' own deny-all is the first write */
        expect(&p, 0, "devices.deny", "a", 0);
        expect(&p, 1, "devices.allow", "c 1:3 rwm", 0);
        expect(&p, 2, "devices.allow", "c *:* m", 0);
        expect(&p, 3, "devices.deny", "b 8:* w", 0);
        cgroup_plan_clear(&p);
        r.devices.items = rules + 1; /* without it, one is added */
        r.devices.n = ELEMENTSOF(rules) - 1;
        assert_int_equal(plan(CGROUP_MODE_V1, false, &r, &p, &e), 0);
        assert_int_equal(p.n, 4);
        expect(&p, 0, "devices.deny", "a", 0);
        expect(&p, 1, "devices.allow", "c 1:3 rwm", 0);
        cgroup_plan_clear(&p);
        r.devices.items = rules;
        r.devices.n = ELEMENTSOF(rules);
        assert_int_equal(plan(CGROUP_MODE_V2, false, &r, &p, &e), 0); /* BPF, not files */
        assert_int_equal(p.n, 0);
        cgroup_plan_clear(&p);

        OciDeviceRule bad = {.allow = true, .type = "x"};
        char *s = NULL;
        assert_int_equal(cgroup_v1_device_rule_string(&bad, &s, &e), -EINVAL);
        bad = (OciDeviceRule){.allow = true, .type = "c", .access = "rwx"};
        assert_int_equal(cgroup_v1_device_rule_string(&bad, &s, &e), -EINVAL);
        bad = (OciDeviceRule){.allow = true, .type = "c", .major = {-2, true}};
        assert_int_equal(cgroup_v1_device_rule_string(&bad, &s, &e), -EINVAL);
        error_clear(&e);
        (void) plan_find;
}

/* ---- BPF ---- */

/* Runs the instructions the generator emits against one access, the way
 * the kernel would: 1 allows, 0 denies. */
static int bpf_run(const struct bpf_insn *p, size_t n, uint32_t type, uint32_t access, uint32_t major, uint32_t minor) {
        uint32_t ctx[3] = {access << 16 | type, major, minor};
        uint64_t reg[11] = {};
        for (size_t pc = 0; pc < n; pc++) {
                const struct bpf_insn *i = &p[pc];
                uint8_t cls = BPF_CLASS(i->code);
                uint64_t src = BPF_SRC(i->code) == BPF_X ? reg[i->src_reg] : (uint64_t) (int64_t) i->imm;
                switch (cls) {
                case BPF_LDX:
                        assert_int_equal(i->code, BPF_LDX | BPF_MEM | BPF_W);
                        assert_int_equal(i->src_reg, 1);
                        reg[i->dst_reg] = ctx[i->off / 4];
                        break;
                case BPF_ALU:
                case BPF_ALU64: {
                        uint64_t d = reg[i->dst_reg];
                        switch (BPF_OP(i->code)) {
                        case BPF_AND:
                                d &= src;
                                break;
                        case BPF_RSH:
                                d = (uint32_t) d >> src;
                                break;
                        case BPF_MOV:
                                d = src;
                                break;
                        default:
                                fail_msg("unexpected ALU op %#x", i->code);
                        }
                        reg[i->dst_reg] = cls == BPF_ALU ? (uint32_t) d : d;
                        break;
                }
                case BPF_JMP:
                        if (BPF_OP(i->code) == BPF_EXIT)
                                return (int) reg[0];
                        if (BPF_OP(i->code) == BPF_JNE ? reg[i->dst_reg] != src : reg[i->dst_reg] == src) {
                                assert_true(BPF_OP(i->code) == BPF_JNE || BPF_OP(i->code) == BPF_JEQ);
                                pc += (size_t) i->off;
                                assert_true(pc + 1 < n); /* never past the end */
                        }
                        break;
                default:
                        fail_msg("unexpected class %#x", i->code);
                }
        }
        fail_msg("fell off the end");
        return -1;
}

#define C BPF_DEVCG_DEV_CHAR
#define B BPF_DEVCG_DEV_BLOCK
#define R BPF_DEVCG_ACC_READ
#define W BPF_DEVCG_ACC_WRITE
#define M BPF_DEVCG_ACC_MKNOD

static void test_bpf_default_set(void **state) {
        /* docker's default: deny all, then a few devices, mknod of any char */
        OciDeviceRule rules[] = {
                {.allow = false, .access = "rwm"},
                {.allow = true, .type = "c", .access = "m"},
                {.allow = true, .type = "b", .access = "m"},
                {.allow = true, .type = "c", .major = {1, true}, .minor = {3, true}, .access = "rwm"},
                {.allow = true, .type = "c", .major = {136, true}, .access = "rwm"},
                {.allow = false, .type = "c", .major = {1, true}, .minor = {3, true}, .access = "w"},
        };
        struct bpf_insn *p = NULL;
        size_t n = 0;
        Error e = {};
        assert_int_equal(cgroup_bpf_device_program(rules, ELEMENTSOF(rules), &p, &n, &e), 0);
        /* prologue 6; deny c 1:3 w: 1+3+1+1+2; c 136:* rwm: 1+1+2; c 1:3 rwm:
         * 1+1+1+2; b m: 1+3+2; c m: 1+3+2; deny-all: 2 and nothing after */
        assert_int_equal(n, 6 + 8 + 4 + 5 + 6 + 6 + 2);
        assert_int_equal(p[n - 1].code, BPF_JMP | BPF_EXIT);
        assert_int_equal(p[n - 2].imm, 0);

        assert_int_equal(bpf_run(p, n, C, R, 1, 3), 1);
        assert_int_equal(bpf_run(p, n, C, W, 1, 3), 0); /* the later deny wins */
        assert_int_equal(bpf_run(p, n, C, R | W, 1, 3), 0);
        assert_int_equal(bpf_run(p, n, C, R | W, 136, 7), 1);
        assert_int_equal(bpf_run(p, n, C, M, 10, 200), 1);
        assert_int_equal(bpf_run(p, n, C, R, 10, 200), 0);
        assert_int_equal(bpf_run(p, n, B, M, 8, 0), 1);
        assert_int_equal(bpf_run(p, n, B, R, 8, 0), 0);
        free(p);
}

static void test_bpf_shapes(void **state) {
        struct bpf_insn *p = NULL;
        size_t n = 0;
        Error e = {};

        OciDeviceRule allow_all[] = {{.allow = true, .type = "a", .access = "rwm"}};
        assert_int_equal(cgroup_bpf_device_program(allow_all, 1, &p, &n, &e), 0);
        assert_int_equal(n, 8);
        assert_int_equal(bpf_run(p, n, B, R | W, 8, 0), 1);
        free(p);

        /* later rules win: allow all, then deny writes to 1:3 */
        OciDeviceRule later[] = {
                {.allow = true, .type = "a"},
                {.allow = false, .type = "c", .major = {1, true}, .minor = {3, true}, .access = "w"},
        };
        assert_int_equal(cgroup_bpf_device_program(later, 2, &p, &n, &e), 0);
        assert_int_equal(n, 6 + 8 + 2);
        assert_int_equal(bpf_run(p, n, C, W, 1, 3), 0);
        assert_int_equal(bpf_run(p, n, C, R, 1, 3), 1);
        assert_int_equal(bpf_run(p, n, C, W, 1, 5), 1);
        free(p);

        /* no wildcard: an implicit deny at the end */
        OciDeviceRule one[] = {{.allow = true, .type = "c", .major = {1, true}, .minor = {5, true}, .access = "rw"}};
        assert_int_equal(cgroup_bpf_device_program(one, 1, &p, &n, &e), 0);
        assert_int_equal(n, 6 + 8 + 2);
        assert_int_equal(bpf_run(p, n, C, R | W, 1, 5), 1);
        assert_int_equal(bpf_run(p, n, C, M, 1, 5), 0);
        assert_int_equal(bpf_run(p, n, B, R, 1, 5), 0);
        free(p);

        /* rules before a wildcard are never generated */
        OciDeviceRule shadowed[] = {{.allow = true, .type = "c", .major = {1, true}, .minor = {5, true}},
                                    {.allow = false}};
        assert_int_equal(cgroup_bpf_device_program(shadowed, 2, &p, &n, &e), 0);
        assert_int_equal(n, 8);
        assert_int_equal(bpf_run(p, n, C, R, 1, 5), 0);
        free(p);

        OciDeviceRule bad[] = {{.allow = true, .type = "z"}};
        assert_int_equal(cgroup_bpf_device_program(bad, 1, &p, &n, &e), -EINVAL);
        assert_non_null(strstr(e.msg, "devices[0]"));
        OciDeviceRule bad2[] = {{.allow = true, .type = "c", .access = "q"}};
        assert_int_equal(cgroup_bpf_device_program(bad2, 1, &p, &n, &e), -EINVAL);
        error_clear(&e);
}

static void test_keyed(void **state) {
        uint64_t v;
        const char *buf = "populated 1\nfrozen 0\noom_kill 7\n";
        assert_int_equal(cgroup_keyed_u64(buf, "frozen", &v), 0);
        assert_int_equal(v, 0);
        assert_int_equal(cgroup_keyed_u64(buf, "oom_kill", &v), 0);
        assert_int_equal(v, 7);
        assert_int_equal(cgroup_keyed_u64(buf, "oom", &v), -ENOENT);
        assert_int_equal(cgroup_mode_from_string("hybrid"), CGROUP_MODE_HYBRID);
        assert_int_equal(cgroup_mode_from_string("v9"), _CGROUP_MODE_INVALID);
        assert_string_equal(cgroup_mode_to_string(CGROUP_MODE_V2), "v2");
}

/* ---- on this machine's cgroups (root only) ----
 * Real cgroups named after this process, so that two builds testing at once
 * do not meet; the teardown kills what the test started and removes what
 * it made even when an assertion failed half way. */

static CgroupManager *live_m;
static pid_t live_pids[4];
static char live_top[64];

static pid_t live_spawn(void) {
        pid_t pid = fork();
        if (pid == 0) {
                execlp("sleep", "sleep", "60", (char *) NULL);
                _exit(127);
        }
        assert_true(pid > 0);
        for (size_t i = 0; i < ELEMENTSOF(live_pids); i++)
                if (live_pids[i] <= 0) {
                        live_pids[i] = pid;
                        break;
                }
        return pid;
}

static int live_wait(pid_t pid) {
        int st = 0;
        assert_int_equal(waitpid(pid, &st, 0), pid);
        for (size_t i = 0; i < ELEMENTSOF(live_pids); i++)
                if (live_pids[i] == pid)
                        live_pids[i] = 0;
        return WIFSIGNALED(st) ? WTERMSIG(st) : -1;
}

static int live_teardown(void **state) {
        for (size_t i = 0; i < ELEMENTSOF(live_pids); i++)
                if (live_pids[i] > 0) {
                        kill(live_pids[i], SIGKILL);
                        waitpid(live_pids[i], NULL, 0);
                        live_pids[i] = 0;
                }
        if (live_m) {
                (void) cgroup_manager_destroy(live_m, NULL);
                for (size_t i = 0; i < live_m->n; i++) {
                        char p[512];
                        snprintf(p, sizeof p, "%s%s", live_m->h[i].mount_point, live_top);
                        rmdir(p);
                }
                live_m = cgroup_manager_free(live_m);
        }
        return 0;
}

static bool live_skip_unless_root(void) {
        if (geteuid() == 0)
                return false;
        print_message("skipped: creating cgroups needs root\n");
        return true;
}

static void file_equal(const char *dir, const char *file, const char *want) {
        char p[512], *v = NULL;
        snprintf(p, sizeof p, "%s/%s", dir, file);
        if (read_file(p, 1 << 20, &v, NULL) < 0)
                fail_msg("reading %s: %m", p);
        v[strcspn(v, "\n")] = '\0';
        if (strcmp(v, want) != 0)
                fail_msg("%s is \"%s\", want \"%s\"", p, v, want);
        free(v);
}

static bool file_exists(const char *dir, const char *file) {
        char p[512];
        snprintf(p, sizeof p, "%s/%s", dir, file);
        return access(p, F_OK) == 0;
}

static void test_live_v1(void **state) {
        CgroupMode mode;
        if (live_skip_unless_root())
                skip();
        if (cgroup_mode_detect(&mode) < 0 || mode == CGROUP_MODE_V2) {
                print_message("skipped: no cgroup v1 here\n");
                skip();
        }
        Error e = {};
        char path[96];
        snprintf(live_top, sizeof live_top, "/berth-unit-%d", (int) getpid());
        snprintf(path, sizeof path, "%s/ctr", live_top);
        if (cgroup_manager_new(path, "ctr", &live_m, &e) < 0)
                fail_msg("%s", e.msg);

        /* a bad value: the error names file and value, and nothing stays */
        OciCpu badcpu = {.cpus = "999"};
        OciResources bad = {.cpu = &badcpu};
        pid_t pid = live_spawn();
        assert_true(cgroup_manager_create(live_m, pid, &bad, &e) < 0);
        assert_non_null(strstr(e.msg, "writing cpuset.cpus=\"999\""));
        for (size_t i = 0; i < live_m->n; i++) {
                char p[512];
                snprintf(p, sizeof p, "%s%s", live_m->h[i].mount_point, live_top);
                if (access(p, F_OK) == 0)
                        fail_msg("%s was left behind", p);
        }

        CgroupHierarchy *mem = cgroup_manager_find(live_m, "memory"), *pids = cgroup_manager_find(live_m, "pids"),
                        *cpu = cgroup_manager_find(live_m, "cpu"), *freezer = cgroup_manager_find(live_m, "freezer");
        OciMemory m1 = {.limit = {64 << 20, true}, .reservation = {32 << 20, true}};
        OciCpu c1 = {.shares = {512, true}, .quota = {50000, true}, .period = {100000, true}};
        OciPids p1 = {.limit = 20};
        OciDeviceRule rules[] = {
                {.allow = false, .access = "rwm"},
                {.allow = true, .type = "c", .major = {1, true}, .minor = {3, true}, .access = "rwm"},
        };
        OciResources r = {.memory = &m1, .cpu = &c1, .pids = &p1};
        r.devices.items = rules;
        r.devices.n = ELEMENTSOF(rules);
        if (cgroup_manager_create(live_m, pid, &r, &e) < 0)
                fail_msg("%s", e.msg);
        char pidstr[16];
        snprintf(pidstr, sizeof pidstr, "%d", (int) pid);
        for (size_t i = 0; i < live_m->n; i++)
                file_equal(live_m->h[i].container_path, "cgroup.procs", pidstr);
        if (mem) {
                file_equal(mem->container_path, "memory.limit_in_bytes", "67108864");
                file_equal(mem->container_path, "memory.soft_limit_in_bytes", "33554432");
        }
        if (pids)
                file_equal(pids->container_path, "pids.max", "20");
        if (cpu) {
                file_equal(cpu->container_path, "cpu.shares", "512");
                file_equal(cpu->container_path, "cpu.cfs_quota_us", "50000");
        }
        CgroupHierarchy *dev = cgroup_manager_find(live_m, "devices");
        if (dev)
                file_equal(dev->container_path, "devices.list", "c 1:3 rwm");

        /* everything below through the state.json copy */
        JsonValue *st = cgroup_manager_serialize(live_m);
        CgroupManager *m2 = NULL;
        assert_int_equal(cgroup_manager_deserialize(st, &m2, &e), 0);
        json_unref(st);
        if (mem && file_exists(mem->container_path, "memory.memsw.limit_in_bytes")) {
                /* raising both needs memsw first, lowering both memory first */
                OciMemory up = {.limit = {256 << 20, true}, .swap = {512 << 20, true}};
                OciResources u = {.memory = &up};
                if (cgroup_manager_update(m2, &u, &e) < 0)
                        fail_msg("%s", e.msg);
                file_equal(mem->container_path, "memory.memsw.limit_in_bytes", "536870912");
                OciMemory down = {.limit = {32 << 20, true}, .swap = {48 << 20, true}};
                u.memory = &down;
                if (cgroup_manager_update(m2, &u, &e) < 0)
                        fail_msg("%s", e.msg);
                file_equal(mem->container_path, "memory.limit_in_bytes", "33554432");
                file_equal(mem->container_path, "memory.memsw.limit_in_bytes", "50331648");
        }
        if (freezer) {
                bool frozen = false;
                assert_int_equal(cgroup_manager_freeze(m2, true, &e), 0);
                file_equal(freezer->container_path, "freezer.state", "FROZEN");
                assert_int_equal(cgroup_manager_is_frozen(m2, &frozen), 0);
                assert_true(frozen);
                assert_int_equal(cgroup_manager_freeze(m2, false, &e), 0);
                assert_int_equal(cgroup_manager_is_frozen(m2, &frozen), 0);
                assert_false(frozen);
        }
        pid_t *list = NULL;
        size_t n = 0;
        assert_int_equal(cgroup_manager_pids(m2, &list, &n, &e), 0);
        assert_int_equal(n, 1);
        assert_int_equal(list[0], pid);
        free(list);
        JsonValue *stats = NULL;
        assert_int_equal(cgroup_manager_stats(m2, &stats, &e), 0);
        if (pids)
                assert_int_equal(json_int(json_obj_get(json_obj_get(stats, "pids"), "current")), 1);
        if (mem)
                assert_int_equal(json_int(json_obj_get(json_obj_get(json_obj_get(stats, "memory"), "usage"), "limit")),
                                 mem && file_exists(mem->container_path, "memory.memsw.limit_in_bytes") ? 32 << 20
                                                                                                        : 64 << 20);
        json_unref(stats);
        assert_int_equal(cgroup_manager_kill(m2, SIGTERM, &e), 0);
        assert_int_equal(live_wait(pid), SIGTERM);

        /* destroy kills what is still inside */
        pid = live_spawn();
        assert_int_equal(cgroup_manager_add_pid(m2, pid, &e), 0);
        assert_int_equal(cgroup_manager_destroy(m2, &e), 0);
        assert_int_equal(live_wait(pid), SIGKILL);
        for (size_t i = 0; i < m2->n; i++)
                if (access(m2->h[i].container_path, F_OK) == 0)
                        fail_msg("%s is still there", m2->h[i].container_path);
        cgroup_manager_free(m2);
        error_clear(&e);
}

static pid_t clone_into(int cgfd, const char *open_path, int flags) {
        struct clone_args a = {.flags = CLONE_INTO_CGROUP, .exit_signal = SIGCHLD, .cgroup = (uint64_t) cgfd};
        long pid = syscall(SYS_clone3, &a, sizeof a);
        if (pid == 0) {
                if (open_path) {
                        int fd = open(open_path, flags | O_CLOEXEC);
                        _exit(fd >= 0 ? 0 : errno);
                }
                execlp("sleep", "sleep", "60", (char *) NULL);
                _exit(127);
        }
        assert_true(pid > 0);
        return (pid_t) pid;
}

static int open_in(int cgfd, const char *path, int flags) {
        int st;
        pid_t pid = clone_into(cgfd, path, flags);
        assert_int_equal(waitpid(pid, &st, 0), pid);
        return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/* Pure v2 backend: on the real root of a v2 host, else on a hybrid host's
 * v2 mount, where only some controllers are. */
static void test_live_v2(void **state) {
        CgroupMode mode;
        if (live_skip_unless_root())
                skip();
        if (cgroup_mode_detect(&mode) < 0 || mode == CGROUP_MODE_V1) {
                print_message("skipped: no cgroup v2 mount here\n");
                skip();
        }
        Error e = {};
        CgroupSetup s = {.mode = CGROUP_MODE_V2,
                         .v2_root = mode == CGROUP_MODE_V2 ? CGROUP_ROOT : CGROUP_ROOT "/unified"};
        char path[96];
        snprintf(live_top, sizeof live_top, "/berth-unit-v2-%d", (int) getpid());
        snprintf(path, sizeof path, "%s/ctr", live_top);
        if (cgroup_manager_new_with(&s, path, "ctr", &live_m, &e) < 0)
                fail_msg("%s", e.msg);
        bool hugetlb = strv_contains(live_m->h[0].controllers, "hugetlb");
        OciDeviceRule rules[] = {
                {.allow = false, .access = "rwm"},
                {.allow = true, .type = "c", .major = {1, true}, .minor = {3, true}, .access = "r"},
        };
        OciHugepageLimit hl = {.page_size = "2MB", .limit = 4 << 20};
        OciResources r = {};
        r.devices.items = rules;
        r.devices.n = ELEMENTSOF(rules);
        if (hugetlb && access("/sys/kernel/mm/hugepages/hugepages-2048kB", F_OK) == 0) {
                r.hugepage_limits.items = &hl;
                r.hugepage_limits.n = 1;
        }
        if (cgroup_manager_prepare(live_m, &r, &e) < 0)
                fail_msg("%s", e.msg);
        const char *dir = live_m->h[0].container_path;
        if (r.hugepage_limits.n)
                file_equal(dir, "hugetlb.2MB.max", "4194304");
        int cgfd = cgroup_manager_dirfd(live_m);
        assert_true(cgfd >= 0);

        /* the device filter, and its replacement */
        assert_int_equal(open_in(cgfd, "/dev/null", O_RDONLY), 0);
        assert_int_equal(open_in(cgfd, "/dev/null", O_WRONLY), EPERM);
        assert_int_equal(open_in(cgfd, "/dev/zero", O_RDONLY), EPERM);
        rules[1] = (OciDeviceRule){.allow = true, .type = "c", .major = {1, true}, .access = "rw"};
        if (cgroup_manager_update(live_m, &r, &e) < 0)
                fail_msg("%s", e.msg);
        assert_int_equal(open_in(cgfd, "/dev/null", O_WRONLY), 0);
        assert_int_equal(open_in(cgfd, "/dev/zero", O_RDONLY), 0);
        uint32_t ids[8];
        union bpf_attr q = {.query.target_fd = (uint32_t) cgfd,
                            .query.attach_type = BPF_CGROUP_DEVICE,
                            .query.prog_ids = (uint64_t) (uintptr_t) ids,
                            .query.prog_cnt = 8};
        assert_int_equal(syscall(SYS_bpf, BPF_PROG_QUERY, &q, sizeof q), 0);
        assert_int_equal(q.query.prog_cnt, 1); /* replaced, not stacked */

        pid_t pid = clone_into(cgfd, NULL, 0);
        for (size_t i = 0; i < ELEMENTSOF(live_pids); i++)
                if (live_pids[i] <= 0) {
                        live_pids[i] = pid;
                        break;
                }
        char want[32], pc[64], *self = NULL;
        snprintf(want, sizeof want, "%d", (int) pid);
        file_equal(dir, "cgroup.procs", want);
        snprintf(pc, sizeof pc, "/proc/%d/cgroup", (int) pid);
        assert_int_equal(read_file(pc, 4096, &self, NULL), 0);
        char line[128];
        snprintf(line, sizeof line, "0::%s\n", path);
        assert_non_null(strstr(self, line));
        free(self);

        if (!strv_contains(live_m->h[0].controllers, "memory")) {
                OciMemory mem = {.limit = {64 << 20, true}};
                OciResources mr = {.memory = &mem};
                assert_int_equal(cgroup_manager_update(live_m, &mr, &e), -ENOENT);
                assert_non_null(strstr(e.msg, "memory.max=\"67108864\": no such file (the memory controller"));
        }

        bool frozen = false;
        assert_int_equal(cgroup_manager_freeze(live_m, true, &e), 0);
        assert_int_equal(cgroup_manager_is_frozen(live_m, &frozen), 0);
        assert_true(frozen);
        assert_int_equal(cgroup_manager_freeze(live_m, false, &e), 0);
        assert_int_equal(cgroup_manager_is_frozen(live_m, &frozen), 0);
        assert_false(frozen);
        JsonValue *stats = NULL;
        assert_int_equal(cgroup_manager_stats(live_m, &stats, &e), 0);
        assert_non_null(json_obj_get(stats, "cpu"));
        json_unref(stats);
        assert_int_equal(cgroup_manager_kill(live_m, SIGKILL, &e), 0);
        assert_int_equal(live_wait(pid), SIGKILL);
        assert_int_equal(cgroup_manager_destroy(live_m, &e), 0);
        assert_int_equal(access(dir, F_OK), -1);
        error_clear(&e);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_mountinfo_hybrid),
                cmocka_unit_test(test_mountinfo_comount),
                cmocka_unit_test(test_mountinfo_v2),
                cmocka_unit_test(test_proc_cgroup),
                cmocka_unit_test(test_resolve_path),
                cmocka_unit_test_setup_teardown(test_manager_paths, setup, teardown),
                cmocka_unit_test_setup_teardown(test_manager_v2_root, setup, teardown),
                cmocka_unit_test_setup_teardown(test_serialize, setup, teardown),
                cmocka_unit_test(test_plan_memory),
                cmocka_unit_test(test_plan_cpu),
                cmocka_unit_test(test_plan_pids_blkio),
                cmocka_unit_test(test_plan_hugetlb_unified),
                cmocka_unit_test(test_plan_network_devices),
                cmocka_unit_test(test_bpf_default_set),
                cmocka_unit_test(test_bpf_shapes),
                cmocka_unit_test(test_keyed),
                cmocka_unit_test_teardown(test_live_v1, live_teardown),
                cmocka_unit_test_teardown(test_live_v2, live_teardown),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
