/* Unit tests for oci/spec.c, names.c and spec-default.c: config.json as runc
 * writes it, a config with every field set, each validation error, the
 * process and resources documents, the name tables and the default spec. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <sched.h>
#include <sys/resource.h>

#include "oci.h"
#include "test-util.h"


static OciSpec *spec_ok(const char *text) {
        _cleanup_free_ char *s = q(text);
        _cleanup_error_ Error e = {};
        OciSpec *spec = NULL;
        if (oci_spec_parse(s, strlen(s), &spec, &e) < 0)
                fail_msg("parse failed: %s", e.msg);
        assert_non_null(spec);
        return spec;
}

static void spec_fails(const char *text, const char *msg) {
        _cleanup_free_ char *s = q(text);
        _cleanup_error_ Error e = {};
        OciSpec *spec = NULL;
        int r = oci_spec_parse(s, strlen(s), &spec, &e);
        if (r >= 0)
                fail_msg("parse of %s succeeded; expected \"%s\"", s, msg);
        assert_int_equal(r, -EINVAL);
        assert_null(spec);
        assert_error_msg(s, &e, msg);
}

/* What runc spec writes (runc 1.1), as tests/fixtures/make-bundle.sh has it. */
static const char busybox_config[] =
        "{\n"
        "\t'ociVersion': '1.0.2-dev',\n"
        "\t'process': {\n"
        "\t\t'terminal': true,\n"
        "\t\t'user': {'uid': 0, 'gid': 0},\n"
        "\t\t'args': ['sh'],\n"
        "\t\t'env': ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', 'TERM=xterm'],\n"
        "\t\t'cwd': '/',\n"
        "\t\t'capabilities': {\n"
        "\t\t\t'bounding': ['CAP_AUDIT_WRITE', 'CAP_KILL', 'CAP_NET_BIND_SERVICE'],\n"
        "\t\t\t'effective': ['CAP_AUDIT_WRITE', 'CAP_KILL', 'CAP_NET_BIND_SERVICE'],\n"
        "\t\t\t'permitted': ['CAP_AUDIT_WRITE', 'CAP_KILL', 'CAP_NET_BIND_SERVICE'],\n"
        "\t\t\t'ambient': ['CAP_AUDIT_WRITE', 'CAP_KILL', 'CAP_NET_BIND_SERVICE']\n"
        "\t\t},\n"
        "\t\t'rlimits': [{'type': 'RLIMIT_NOFILE', 'hard': 1024, 'soft': 1024}],\n"
        "\t\t'noNewPrivileges': true\n"
        "\t},\n"
        "\t'root': {'path': 'rootfs', 'readonly': true},\n"
        "\t'hostname': 'runc',\n"
        "\t'mounts': [\n"
        "\t\t{'destination': '/proc', 'type': 'proc', 'source': 'proc'},\n"
        "\t\t{'destination': '/dev', 'type': 'tmpfs', 'source': 'tmpfs',\n"
        "\t\t 'options': ['nosuid', 'strictatime', 'mode=755', 'size=65536k']},\n"
        "\t\t{'destination': '/dev/pts', 'type': 'devpts', 'source': 'devpts',\n"
        "\t\t 'options': ['nosuid', 'noexec', 'newinstance', 'ptmxmode=0666', 'mode=0620', 'gid=5']},\n"
        "\t\t{'destination': '/dev/shm', 'type': 'tmpfs', 'source': 'shm',\n"
        "\t\t 'options': ['nosuid', 'noexec', 'nodev', 'mode=1777', 'size=65536k']},\n"
        "\t\t{'destination': '/dev/mqueue', 'type': 'mqueue', 'source': 'mqueue',\n"
        "\t\t 'options': ['nosuid', 'noexec', 'nodev']},\n"
        "\t\t{'destination': '/sys', 'type': 'sysfs', 'source': 'sysfs', 'options': ['nosuid', 'noexec', 'nodev', "
        "'ro']},\n"
        "\t\t{'destination': '/sys/fs/cgroup', 'type': 'cgroup', 'source': 'cgroup',\n"
        "\t\t 'options': ['nosuid', 'noexec', 'nodev', 'relatime', 'ro']}\n"
        "\t],\n"
        "\t'linux': {\n"
        "\t\t'resources': {'devices': [{'allow': false, 'access': 'rwm'}]},\n"
        "\t\t'namespaces': [{'type': 'pid'}, {'type': 'network'}, {'type': 'ipc'}, {'type': 'uts'},\n"
        "\t\t               {'type': 'mount'}],\n"
        "\t\t'maskedPaths': ['/proc/acpi', '/proc/asound', '/proc/kcore', '/proc/keys', '/proc/latency_stats',\n"
        "\t\t                '/proc/timer_list', '/proc/timer_stats', '/proc/sched_debug', '/sys/firmware',\n"
        "\t\t                '/proc/scsi'],\n"
        "\t\t'readonlyPaths': ['/proc/bus', '/proc/fs', '/proc/irq', '/proc/sys', '/proc/sysrq-trigger']\n"
        "\t}\n"
        "}\n";

static void test_busybox_config(void **state) {
        _cleanup_(oci_spec_freep) OciSpec *s = spec_ok(busybox_config);
        assert_string_equal(s->oci_version, "1.0.2-dev");
        OciProcess *p = s->process;
        assert_non_null(p);
        assert_true(p->terminal);
        assert_null(p->console_size);
        assert_int_equal(p->user.uid, 0);
        assert_int_equal(strv_length(p->args), 1);
        assert_string_equal(p->args[0], "sh");
        assert_int_equal(strv_length(p->env), 2);
        assert_string_equal(p->cwd, "/");
        assert_non_null(p->capabilities);
        assert_int_equal(strv_length(p->capabilities->bounding), 3);
        assert_null(p->capabilities->inheritable);
        assert_string_equal(p->capabilities->ambient[2], "CAP_NET_BIND_SERVICE");
        assert_int_equal(p->rlimits.n, 1);
        assert_string_equal(p->rlimits.items[0].type, "RLIMIT_NOFILE");
        assert_int_equal(p->rlimits.items[0].hard, 1024);
        assert_true(p->no_new_privileges);
        assert_false(p->oom_score_adj.set);
        assert_string_equal(s->root->path, "rootfs");
        assert_true(s->root->readonly);
        assert_string_equal(s->hostname, "runc");
        assert_int_equal(s->mounts.n, 7);
        assert_string_equal(s->mounts.items[2].destination, "/dev/pts");
        assert_string_equal(s->mounts.items[2].options[5], "gid=5");
        assert_null(s->mounts.items[0].options);
        assert_null(s->hooks);
        assert_int_equal(s->annotations.n, 0);
        OciLinux *l = s->linux_;
        assert_non_null(l);
        assert_int_equal(l->namespaces.n, 5);
        assert_int_equal(l->namespaces.items[1].type, OCI_NS_NETWORK);
        assert_null(l->namespaces.items[1].path);
        assert_non_null(l->resources);
        assert_int_equal(l->resources->devices.n, 1);
        assert_false(l->resources->devices.items[0].allow);
        assert_null(l->resources->devices.items[0].type);
        assert_string_equal(l->resources->devices.items[0].access, "rwm");
        assert_null(l->resources->memory);
        assert_int_equal(strv_length(l->masked_paths), 10);
        assert_int_equal(strv_length(l->readonly_paths), 5);
        assert_null(l->seccomp);

        assert_ptr_equal(oci_spec_find_namespace(s, OCI_NS_MOUNT), &l->namespaces.items[4]);
        assert_null(oci_spec_find_namespace(s, OCI_NS_USER));
        assert_null(oci_spec_find_namespace(NULL, OCI_NS_PID));
}

static const char full_config[] =
        "{'ociVersion': '1.2.0',"
        " 'process': {'terminal': false, 'consoleSize': {'height': 25, 'width': 80},"
        "  'user': {'uid': 1000, 'gid': 1001, 'umask': 18, 'additionalGids': [5, 6, 4294967295], 'username': 'u'},"
        "  'args': ['/bin/app', '--flag'], 'commandLine': 'app --flag', 'env': ['A=1'], 'cwd': '/work',"
        "  'capabilities': {'bounding': ['CAP_KILL'], 'effective': [], 'inheritable': ['CAP_CHOWN'],"
        "   'permitted': ['CAP_KILL'], 'ambient': []},"
        "  'rlimits': [{'type': 'RLIMIT_NOFILE', 'hard': 18446744073709551615, 'soft': 1024},"
        "              {'type': 'RLIMIT_CORE', 'hard': 0, 'soft': 0}],"
        "  'noNewPrivileges': true, 'apparmorProfile': 'aa', 'oomScoreAdj': -500, 'selinuxLabel': 'sl',"
        "  'ioPriority': {'class': 'IOPRIO_CLASS_BE', 'priority': 4},"
        "  'scheduler': {'policy': 'SCHED_DEADLINE', 'nice': -5, 'priority': 2, 'flags': ['SCHED_FLAG_RESET_ON_FORK'],"
        "   'runtime': 100, 'deadline': 200, 'period': 300},"
        "  'execCPUAffinity': {'initial': '0', 'final': '0-3'}},"
        " 'root': {'path': '/rootfs', 'readonly': false},"
        " 'hostname': 'h', 'domainname': 'd',"
        " 'mounts': [{'destination': '/data', 'type': 'bind', 'source': '/src', 'options': ['rbind', 'ro'],"
        "   'uidMappings': [{'containerID': 0, 'hostID': 100000, 'size': 65536}],"
        "   'gidMappings': [{'containerID': 0, 'hostID': 200000, 'size': 1}]},"
        "  {'destination': 'relative/dir', 'type': 'tmpfs'}],"
        " 'hooks': {"
        "  'prestart': [{'path': '/bin/pre', 'args': ['pre', 'x'], 'env': ['E=1'], 'timeout': 5}],"
        "  'createRuntime': [{'path': '/bin/cr'}, {'path': '/bin/cr2'}],"
        "  'createContainer': [{'path': '/bin/cc'}],"
        "  'startContainer': [{'path': '/bin/sc'}],"
        "  'poststart': [{'path': '/bin/ps'}],"
        "  'poststop': [{'path': '/bin/pst', 'timeout': 1}]},"
        " 'annotations': {'org.example.key': 'value', 'other': ''},"
        " 'linux': {"
        "  'namespaces': [{'type': 'pid'}, {'type': 'network', 'path': '/var/run/netns/x'}, {'type': 'mount'},"
        "   {'type': 'ipc'}, {'type': 'uts'}, {'type': 'user'}, {'type': 'cgroup'}, {'type': 'time'}],"
        "  'uidMappings': [{'containerID': 0, 'hostID': 1000, 'size': 1}, {'containerID': 1, 'hostID': 100000,"
        "   'size': 65536}],"
        "  'gidMappings': [{'containerID': 0, 'hostID': 1000, 'size': 1}],"
        "  'timeOffsets': {'monotonic': {'secs': -86400, 'nanosecs': 5}, 'boottime': {'secs': 172800}},"
        "  'devices': [{'type': 'c', 'path': '/dev/fuse', 'major': 10, 'minor': 229, 'fileMode': 438, 'uid': 0,"
        "   'gid': 0}, {'type': 'p', 'path': '/dev/fifo'}],"
        "  'cgroupsPath': '/berth/x',"
        "  'resources': {"
        "   'devices': [{'allow': false, 'access': 'rwm'}, {'allow': true, 'type': 'c', 'major': 10, 'minor': -1,"
        "    'access': 'rw'}],"
        "   'memory': {'limit': 536870912, 'reservation': 1, 'swap': -1, 'kernel': 2, 'kernelTCP': 3,"
        "    'swappiness': 60, 'disableOOMKiller': true, 'useHierarchy': false, 'checkBeforeUpdate': true},"
        "   'cpu': {'shares': 1024, 'quota': 50000, 'burst': 10, 'period': 100000, 'realtimeRuntime': 950000,"
        "    'realtimePeriod': 1000000, 'cpus': '0-1', 'mems': '0', 'idle': 1},"
        "   'pids': {'limit': 100},"
        "   'blockIO': {'weight': 500, 'leafWeight': 300,"
        "    'weightDevice': [{'major': 8, 'minor': 0, 'weight': 200, 'leafWeight': 100}, {'major': 8, 'minor': 16}],"
        "    'throttleReadBpsDevice': [{'major': 8, 'minor': 0, 'rate': 1048576}],"
        "    'throttleWriteBpsDevice': [{'major': 8, 'minor': 0, 'rate': 2}],"
        "    'throttleReadIOPSDevice': [{'major': 8, 'minor': 0, 'rate': 3}],"
        "    'throttleWriteIOPSDevice': [{'major': 8, 'minor': 0, 'rate': 4}]},"
        "   'hugepageLimits': [{'pageSize': '2MB', 'limit': 209715200}],"
        "   'network': {'classID': 1048577, 'priorities': [{'name': 'eth0', 'priority': 500}]},"
        "   'unified': {'memory.high': '1G', 'io.weight': 'default 100'},"
        "   'rdma': {'mlx5_1': {'hcaHandles': 3}}},"
        "  'sysctl': {'net.ipv4.ip_forward': '1'},"
        "  'seccomp': {'defaultAction': 'SCMP_ACT_ERRNO', 'defaultErrnoRet': 1, 'architectures': ['SCMP_ARCH_X86_64'],"
        "   'flags': ['SECCOMP_FILTER_FLAG_LOG'], 'listenerPath': '/run/l.sock', 'listenerMetadata': 'meta',"
        "   'syscalls': [{'names': ['read', 'write'], 'action': 'SCMP_ACT_ALLOW'},"
        "    {'names': ['personality'], 'action': 'SCMP_ACT_ALLOW', 'errnoRet': 38,"
        "     'args': [{'index': 0, 'value': 4294967295, 'valueTwo': 18446744073709551615, 'op': 'SCMP_CMP_EQ'}]}]},"
        "  'rootfsPropagation': 'rslave',"
        "  'maskedPaths': ['/proc/kcore'], 'readonlyPaths': ['/proc/sys'], 'mountLabel': 'ml',"
        "  'personality': {'domain': 'LINUX32', 'flags': []},"
        "  'intelRdt': {'closID': 'x'}},"
        " 'windows': {'ignored': true}, 'vm': null, 'x-future': [1, 2, 3]}";

static void test_full_config(void **state) {
        _cleanup_(oci_spec_freep) OciSpec *s = spec_ok(full_config);
        OciProcess *p = s->process;
        assert_false(p->terminal);
        assert_int_equal(p->console_size->height, 25);
        assert_int_equal(p->console_size->width, 80);
        assert_int_equal(p->user.uid, 1000);
        assert_int_equal(p->user.gid, 1001);
        assert_true(p->user.umask.set && p->user.umask.value == 18);
        assert_int_equal(p->user.additional_gids.n, 3);
        assert_true(p->user.additional_gids.items[2] == UINT32_MAX);
        assert_string_equal(p->user.username, "u");
        assert_string_equal(p->args[1], "--flag");
        assert_string_equal(p->command_line, "app --flag");
        assert_string_equal(p->cwd, "/work");
        assert_int_equal(strv_length(p->capabilities->effective), 0);
        assert_non_null(p->capabilities->effective);
        assert_string_equal(p->capabilities->inheritable[0], "CAP_CHOWN");
        assert_true(p->rlimits.items[0].hard == UINT64_MAX);
        assert_int_equal(p->rlimits.items[0].soft, 1024);
        assert_string_equal(p->rlimits.items[1].type, "RLIMIT_CORE");
        assert_string_equal(p->apparmor_profile, "aa");
        assert_true(p->oom_score_adj.set && p->oom_score_adj.value == -500);
        assert_string_equal(p->selinux_label, "sl");
        assert_string_equal(p->io_priority->class, "IOPRIO_CLASS_BE");
        assert_int_equal(p->io_priority->priority, 4);
        assert_string_equal(p->scheduler->policy, "SCHED_DEADLINE");
        assert_int_equal(p->scheduler->nice, -5);
        assert_int_equal(p->scheduler->priority, 2);
        assert_string_equal(p->scheduler->flags[0], "SCHED_FLAG_RESET_ON_FORK");
        assert_int_equal(p->scheduler->runtime, 100);
        assert_int_equal(p->scheduler->deadline, 200);
        assert_int_equal(p->scheduler->period, 300);
        assert_string_equal(p->exec_cpu_affinity->initial, "0");
        assert_string_equal(p->exec_cpu_affinity->final, "0-3");

        assert_string_equal(s->root->path, "/rootfs");
        assert_false(s->root->readonly);
        assert_string_equal(s->hostname, "h");
        assert_string_equal(s->domainname, "d");
        assert_int_equal(s->mounts.n, 2);
        OciMount *m = &s->mounts.items[0];
        assert_string_equal(m->type, "bind");
        assert_string_equal(m->source, "/src");
        assert_string_equal(m->options[1], "ro");
        assert_int_equal(m->uid_mappings.n, 1);
        assert_int_equal(m->uid_mappings.items[0].host_id, 100000);
        assert_int_equal(m->uid_mappings.items[0].size, 65536);
        assert_int_equal(m->gid_mappings.items[0].host_id, 200000);
        assert_string_equal(s->mounts.items[1].destination, "relative/dir");
        assert_null(s->mounts.items[1].source);

        OciHooks *h = s->hooks;
        assert_int_equal(h->kinds[OCI_HOOK_PRESTART].n, 1);
        OciHook *pre = &h->kinds[OCI_HOOK_PRESTART].items[0];
        assert_string_equal(pre->path, "/bin/pre");
        assert_string_equal(pre->args[1], "x");
        assert_string_equal(pre->env[0], "E=1");
        assert_true(pre->timeout.set && pre->timeout.value == 5);
        assert_int_equal(h->kinds[OCI_HOOK_CREATE_RUNTIME].n, 2);
        assert_string_equal(h->kinds[OCI_HOOK_CREATE_RUNTIME].items[1].path, "/bin/cr2");
        assert_false(h->kinds[OCI_HOOK_CREATE_RUNTIME].items[1].timeout.set);
        assert_string_equal(h->kinds[OCI_HOOK_CREATE_CONTAINER].items[0].path, "/bin/cc");
        assert_string_equal(h->kinds[OCI_HOOK_START_CONTAINER].items[0].path, "/bin/sc");
        assert_string_equal(h->kinds[OCI_HOOK_POSTSTART].items[0].path, "/bin/ps");
        assert_string_equal(h->kinds[OCI_HOOK_POSTSTOP].items[0].path, "/bin/pst");

        assert_string_equal(strmap_get(&s->annotations, "org.example.key"), "value");
        assert_string_equal(strmap_get(&s->annotations, "other"), "");

        OciLinux *l = s->linux_;
        assert_int_equal(l->namespaces.n, 8);
        for (OciNamespaceType t = 0; t < _OCI_NS_MAX; t++)
                assert_non_null(oci_spec_find_namespace(s, t));
        assert_string_equal(oci_spec_find_namespace(s, OCI_NS_NETWORK)->path, "/var/run/netns/x");
        assert_int_equal(l->uid_mappings.n, 2);
        assert_int_equal(l->uid_mappings.items[1].container_id, 1);
        assert_int_equal(l->gid_mappings.n, 1);
        assert_true(l->time_offset_monotonic->secs == -86400);
        assert_int_equal(l->time_offset_monotonic->nanosecs, 5);
        assert_true(l->time_offset_boottime->secs == 172800);
        assert_int_equal(l->devices.n, 2);
        assert_string_equal(l->devices.items[0].path, "/dev/fuse");
        assert_int_equal(l->devices.items[0].major, 10);
        assert_int_equal(l->devices.items[0].minor, 229);
        assert_true(l->devices.items[0].file_mode.set && l->devices.items[0].file_mode.value == 0666);
        assert_true(l->devices.items[0].uid.set);
        assert_false(l->devices.items[1].gid.set);
        assert_string_equal(l->cgroups_path, "/berth/x");

        OciResources *r = l->resources;
        assert_int_equal(r->devices.n, 2);
        assert_true(r->devices.items[1].allow);
        assert_string_equal(r->devices.items[1].type, "c");
        assert_true(r->devices.items[1].major.set && r->devices.items[1].major.value == 10);
        assert_true(r->devices.items[1].minor.value == -1);
        assert_false(r->devices.items[0].major.set);
        assert_true(r->memory->limit.value == 536870912);
        assert_true(r->memory->swap.set && r->memory->swap.value == -1);
        assert_true(r->memory->kernel.value == 2);
        assert_true(r->memory->kernel_tcp.value == 3);
        assert_true(r->memory->reservation.value == 1);
        assert_true(r->memory->swappiness.value == 60);
        assert_true(r->memory->disable_oom_killer.set && r->memory->disable_oom_killer.value);
        assert_true(r->memory->use_hierarchy.set && !r->memory->use_hierarchy.value);
        assert_true(r->memory->check_before_update.value);
        assert_true(r->cpu->shares.value == 1024);
        assert_true(r->cpu->quota.value == 50000);
        assert_true(r->cpu->burst.value == 10);
        assert_true(r->cpu->period.value == 100000);
        assert_true(r->cpu->realtime_runtime.value == 950000);
        assert_true(r->cpu->realtime_period.value == 1000000);
        assert_string_equal(r->cpu->cpus, "0-1");
        assert_string_equal(r->cpu->mems, "0");
        assert_true(r->cpu->idle.set && r->cpu->idle.value == 1);
        assert_int_equal(r->pids->limit, 100);
        assert_true(r->block_io->weight.value == 500);
        assert_true(r->block_io->leaf_weight.value == 300);
        assert_int_equal(r->block_io->weight_device.n, 2);
        assert_true(r->block_io->weight_device.items[0].leaf_weight.value == 100);
        assert_false(r->block_io->weight_device.items[1].weight.set);
        assert_int_equal(r->block_io->throttle_read_bps_device.items[0].rate, 1048576);
        assert_int_equal(r->block_io->throttle_write_bps_device.items[0].rate, 2);
        assert_int_equal(r->block_io->throttle_read_iops_device.items[0].rate, 3);
        assert_int_equal(r->block_io->throttle_write_iops_device.items[0].rate, 4);
        assert_string_equal(r->hugepage_limits.items[0].page_size, "2MB");
        assert_int_equal(r->hugepage_limits.items[0].limit, 209715200);
        assert_true(r->network->class_id.value == 1048577);
        assert_string_equal(r->network->priorities.items[0].name, "eth0");
        assert_int_equal(r->network->priorities.items[0].priority, 500);
        assert_string_equal(strmap_get(&r->unified, "io.weight"), "default 100");

        assert_string_equal(strmap_get(&l->sysctl, "net.ipv4.ip_forward"), "1");
        OciSeccomp *sc = l->seccomp;
        assert_string_equal(sc->default_action, "SCMP_ACT_ERRNO");
        assert_true(sc->default_errno_ret.set && sc->default_errno_ret.value == 1);
        assert_string_equal(sc->architectures[0], "SCMP_ARCH_X86_64");
        assert_string_equal(sc->flags[0], "SECCOMP_FILTER_FLAG_LOG");
        assert_string_equal(sc->listener_path, "/run/l.sock");
        assert_string_equal(sc->listener_metadata, "meta");
        assert_int_equal(sc->syscalls.n, 2);
        assert_string_equal(sc->syscalls.items[0].names[1], "write");
        assert_false(sc->syscalls.items[0].errno_ret.set);
        assert_true(sc->syscalls.items[1].errno_ret.value == 38);
        OciSeccompArg *a = &sc->syscalls.items[1].args.items[0];
        assert_int_equal(a->index, 0);
        assert_true(a->value == 4294967295u);
        assert_true(a->value_two == UINT64_MAX);
        assert_string_equal(a->op, "SCMP_CMP_EQ");
        assert_string_equal(l->rootfs_propagation, "rslave");
        assert_string_equal(l->masked_paths[0], "/proc/kcore");
        assert_string_equal(l->readonly_paths[0], "/proc/sys");
        assert_string_equal(l->mount_label, "ml");
        assert_string_equal(l->personality->domain, "LINUX32");
        assert_int_equal(strv_length(l->personality->flags), 0);
}

static void test_versions(void **state) {
        static const char *const ok[] = {"1.0.0",      "1.0.1", "1.0.2", "1.0.2-dev", "1.1.0",
                                         "1.1.0-rc.1", "1.2.0", "1.2.1", "1.3.0",     "1.10.0"};
        for (size_t i = 0; i < ELEMENTSOF(ok); i++) {
                _cleanup_free_ char *doc = strdup_printf("{'ociVersion': '%s'}", ok[i]);
                _cleanup_(oci_spec_freep) OciSpec *s = spec_ok(doc);
                assert_string_equal(s->oci_version, ok[i]);
        }
        spec_fails("{'ociVersion': '2.0.0'}",
                   "config.json: ociVersion: unsupported version \"2.0.0\" (berth supports 1.x)");
        spec_fails("{'ociVersion': '0.6.0'}",
                   "config.json: ociVersion: unsupported version \"0.6.0\" (berth supports 1.x)");
        spec_fails("{'ociVersion': '1.'}", "config.json: ociVersion: unsupported version \"1.\" (berth supports 1.x)");
        spec_fails("{'ociVersion': '11.0.0'}",
                   "config.json: ociVersion: unsupported version \"11.0.0\" (berth supports 1.x)");
        spec_fails("{'ociVersion': ''}", "config.json: ociVersion: unsupported version \"\" (berth supports 1.x)");
        spec_fails("{}", "config.json: ociVersion: missing required field");
        spec_fails("{'ociVersion': null}", "config.json: ociVersion: missing required field");
        spec_fails("{'ociVersion': 1}", "config.json: ociVersion: expected string, got integer");
}

static void test_validation_errors(void **state) {
        static const struct {
                const char *doc;
                const char *msg;
        } cases[] = {
                {"{'ociVersion': '1.2.0', 'process': {'cwd': '/'}}", "process.args: must not be empty"},
                {"{'ociVersion': '1.2.0', 'linux': {'resources': {'blockIO': {'weight': 5}}}}",
                 "linux.resources.blockIO.weight: 5 is out of range (10-1000)"},
                {"{'ociVersion': '1.2.0', 'linux': {'resources': {'blockIO': {'weightDevice': [{'major': 8, "
                 "'minor': 0, 'weight': 1001}]}}}}",
                 "linux.resources.blockIO.weightDevice[0]: weight is out of range (10-1000)"},
                {"{'ociVersion': '1.2.0', 'process': {'args': [], 'cwd': '/'}}", "process.args: must not be empty"},
                {"{'ociVersion': '1.2.0', 'process': {'args': ['sh']}}", "process.cwd: missing required field"},
                {"{'ociVersion': '1.2.0', 'process': {'args': ['sh'], 'cwd': 'tmp'}}",
                 "process.cwd: must be an absolute path, got \"tmp\""},
                {"{'ociVersion': '1.2.0', 'process': {'args': ['sh', 3], 'cwd': '/'}}",
                 "process.args[1]: expected string, got integer"},
                {"{'ociVersion': '1.2.0', 'process': {'args': ['sh'], 'cwd': '/', 'user': {'uid': -1}}}",
                 "process.user.uid: -1 is out of range (0..4294967295)"},
                {"{'ociVersion': '1.2.0', 'process': {'args': ['sh'], 'cwd': '/', 'rlimits': [{'type': "
                 "'RLIMIT_NOFILE', 'hard': 1, 'soft': 1}, {'type': 'RLIMIT_BOGUS', 'hard': 1, 'soft': 1}]}}",
                 "process.rlimits[1].type: unknown rlimit \"RLIMIT_BOGUS\""},
                {"{'ociVersion': '1.2.0', 'process': {'args': ['sh'], 'cwd': '/', 'rlimits': [{'type': "
                 "'RLIMIT_NOFILE', 'hard': 1024, 'soft': 2048}]}}",
                 "process.rlimits[0]: soft limit 2048 is above the hard limit 1024"},
                {"{'ociVersion': '1.2.0', 'process': {'args': ['sh'], 'cwd': '/', 'rlimits': [{'type': "
                 "'RLIMIT_NOFILE', 'hard': 1, 'soft': 1}, {'type': 'RLIMIT_NOFILE', 'hard': 2, 'soft': 2}]}}",
                 "process.rlimits[1].type: \"RLIMIT_NOFILE\" is set twice"},
                {"{'ociVersion': '1.2.0', 'process': {'args': ['sh'], 'cwd': '/', 'rlimits': [{'type': "
                 "'RLIMIT_NOFILE', 'hard': 1}]}}",
                 "process.rlimits[0].soft: missing required field"},
                {"{'ociVersion': '1.2.0', 'process': {'args': ['sh'], 'cwd': '/', 'ioPriority': {'class': "
                 "'IOPRIO_CLASS_NONE'}}}",
                 "process.ioPriority.class: unknown class \"IOPRIO_CLASS_NONE\" (IOPRIO_CLASS_RT, IOPRIO_CLASS_BE "
                 "or IOPRIO_CLASS_IDLE)"},
                {"{'ociVersion': '1.2.0', 'process': {'args': ['sh'], 'cwd': '/', 'ioPriority': {'class': "
                 "'IOPRIO_CLASS_RT', 'priority': 8}}}",
                 "process.ioPriority.priority: 8 is out of range (0..7)"},
                {"{'ociVersion': '1.2.0', 'process': {'args': ['sh'], 'cwd': '/', 'scheduler': {'policy': 'X'}}}",
                 "process.scheduler.policy: unknown policy \"X\""},
                {"{'ociVersion': '1.2.0', 'process': {'args': ['sh'], 'cwd': '/', 'consoleSize': {'height': 1}}}",
                 "process.consoleSize.width: missing required field"},
                {"{'ociVersion': '1.2.0', 'root': {'readonly': true}}", "root.path: missing required field"},
                {"{'ociVersion': '1.2.0', 'root': 'rootfs'}", "root: expected object, got string"},
                {"{'ociVersion': '1.2.0', 'mounts': [{'destination': '/a'}, {'type': 'tmpfs'}]}",
                 "mounts[1].destination: missing required field"},
                {"{'ociVersion': '1.2.0', 'mounts': [{'destination': '/a', 'uidMappings': [{'containerID': 0, "
                 "'hostID': 0}]}]}",
                 "mounts[0].uidMappings[0].size: missing required field"},
                {"{'ociVersion': '1.2.0', 'hooks': {'poststop': [{'path': 'hook'}]}}",
                 "hooks.poststop[0].path: must be an absolute path, got \"hook\""},
                {"{'ociVersion': '1.2.0', 'hooks': {'createRuntime': [{'path': '/h', 'timeout': 0}]}}",
                 "hooks.createRuntime[0].timeout: must be greater than zero"},
                {"{'ociVersion': '1.2.0', 'hooks': {'prestart': [{'args': []}]}}",
                 "hooks.prestart[0].path: missing required field"},
                {"{'ociVersion': '1.2.0', 'annotations': {'a': 1}}", "annotations.a: expected string, got integer"},
                {"{'ociVersion': '1.2.0', 'linux': {'namespaces': [{'type': 'pid'}, {'type': 'net'}, {'type': "
                 "'foo'}]}}",
                 "linux.namespaces[1].type: unknown namespace type \"net\""},
                {"{'ociVersion': '1.2.0', 'linux': {'namespaces': [{'path': '/proc/1/ns/pid'}]}}",
                 "linux.namespaces[0].type: missing required field"},
                {"{'ociVersion': '1.2.0', 'linux': {'namespaces': [{'type': 7}]}}",
                 "linux.namespaces[0].type: expected string, got integer"},
                {"{'ociVersion': '1.2.0', 'linux': {'namespaces': [{'type': 'pid'}, {'type': 'uts'}, {'type': "
                 "'pid'}]}}",
                 "linux.namespaces[2].type: duplicate namespace type \"pid\""},
                {"{'ociVersion': '1.2.0', 'linux': {'uidMappings': [{'containerID': 0, 'hostID': -5, 'size': 1}]}}",
                 "linux.uidMappings[0].hostID: -5 is out of range (0..4294967295)"},
                {"{'ociVersion': '1.2.0', 'linux': {'timeOffsets': {'realtime': {'secs': 1}}}}",
                 "linux.timeOffsets.realtime: unknown field"},
                {"{'ociVersion': '1.2.0', 'linux': {'timeOffsets': {'monotonic': {'secs': 'x'}}}}",
                 "linux.timeOffsets.monotonic.secs: expected integer, got string"},
                {"{'ociVersion': '1.2.0', 'linux': {'timeOffsets': {'boottime': {'nanosecs': 1000000000}}}}",
                 "linux.timeOffsets.boottime.nanosecs: 1000000000 is out of range (0..999999999)"},
                {"{'ociVersion': '1.2.0', 'linux': {'timeOffsets': []}}",
                 "linux.timeOffsets: expected object, got array"},
                {"{'ociVersion': '1.2.0', 'linux': {'devices': [{'type': 'x', 'path': '/dev/x'}]}}",
                 "linux.devices[0].type: unknown device type \"x\" (c, b, u or p)"},
                {"{'ociVersion': '1.2.0', 'linux': {'devices': [{'type': 'c'}]}}",
                 "linux.devices[0].path: missing required field"},
                {"{'ociVersion': '1.2.0', 'linux': {'devices': [{'type': 'c', 'path': '/d', 'uid': 4294967296}]}}",
                 "linux.devices[0].uid: 4294967296 is out of range (0..4294967295)"},
                {"{'ociVersion': '1.2.0', 'linux': {'resources': {'memory': {'limit': '1G'}}}}",
                 "linux.resources.memory.limit: expected integer, got string"},
                {"{'ociVersion': '1.2.0', 'linux': {'resources': {'memory': {'swappiness': -1}}}}",
                 "linux.resources.memory.swappiness: -1 is out of range (0..18446744073709551615)"},
                {"{'ociVersion': '1.2.0', 'linux': {'resources': {'memory': {'disableOOMKiller': 1}}}}",
                 "linux.resources.memory.disableOOMKiller: expected boolean, got integer"},
                {"{'ociVersion': '1.2.0', 'linux': {'resources': {'devices': [{'access': 'rwm'}]}}}",
                 "linux.resources.devices[0].allow: missing required field"},
                {"{'ociVersion': '1.2.0', 'linux': {'resources': {'devices': [{'allow': true, 'type': 'x'}]}}}",
                 "linux.resources.devices[0].type: unknown device type \"x\" (a, c or b)"},
                {"{'ociVersion': '1.2.0', 'linux': {'resources': {'devices': [{'allow': true, 'access': 'rwx'}]}}}",
                 "linux.resources.devices[0].access: \"rwx\" is not a combination of r, w and m"},
                {"{'ociVersion': '1.2.0', 'linux': {'resources': {'blockIO': {'throttleReadBpsDevice': [{'major': "
                 "8, 'minor': 0}]}}}}",
                 "linux.resources.blockIO.throttleReadBpsDevice[0].rate: missing required field"},
                {"{'ociVersion': '1.2.0', 'linux': {'resources': {'unified': {'a': null}}}}",
                 "linux.resources.unified.a: expected string, got null"},
                {"{'ociVersion': '1.2.0', 'linux': {'resources': {'network': {'priorities': [{'name': 'e', "
                 "'priority': 4294967296}]}}}}",
                 "linux.resources.network.priorities[0].priority: 4294967296 is out of range (0..4294967295)"},
                {"{'ociVersion': '1.2.0', 'linux': {'seccomp': {'syscalls': []}}}",
                 "linux.seccomp.defaultAction: missing required field"},
                {"{'ociVersion': '1.2.0', 'linux': {'seccomp': {'defaultAction': 'SCMP_ACT_ALLOW', 'syscalls': "
                 "[{'names': ['read']}]}}}",
                 "linux.seccomp.syscalls[0].action: missing required field"},
                {"{'ociVersion': '1.2.0', 'linux': {'seccomp': {'defaultAction': 'SCMP_ACT_ALLOW', 'syscalls': "
                 "[{'names': ['read'], 'action': 'SCMP_ACT_ERRNO', 'args': [{'index': 0, 'value': -1, 'op': "
                 "'SCMP_CMP_EQ'}]}]}}}",
                 "linux.seccomp.syscalls[0].args[0].value: -1 is out of range (0..18446744073709551615)"},
                {"{'ociVersion': '1.2.0', 'linux': {'personality': {'domain': 'BSD'}}}",
                 "linux.personality.domain: unknown domain \"BSD\" (LINUX or LINUX32)"},
                {"{'ociVersion': '1.2.0', 'linux': {'personality': {}}}",
                 "linux.personality.domain: missing required field"},
                {"{'ociVersion': '1.2.0', 'linux': {'sysctl': ['a']}}", "linux.sysctl: expected object, got array"},
                {"{'ociVersion': '1.2.0', 'linux': []}", "linux: expected object, got array"},
                {"[]", "expected object, got array"},
        };
        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                _cleanup_free_ char *msg = strdup_printf("config.json: %s", cases[i].msg);
                spec_fails(cases[i].doc, msg);
        }
}

static void test_syntax_errors(void **state) {
        _cleanup_error_ Error e = {};
        OciSpec *s = NULL;
        const char *doc = "{\n  \"ociVersion\": \"1.2.0\",\n  \"hostname\" \"x\"\n}";
        assert_int_equal(oci_spec_parse(doc, strlen(doc), &s, &e), -EINVAL);
        assert_true(str_startswith(e.msg, "config.json: line 3 column "));
        doc = "{\"ociVersion\": \"1.2.0\", \"ociVersion\": \"1.2.0\"}";
        assert_int_equal(oci_spec_parse(doc, strlen(doc), &s, &e), -EINVAL);
        assert_non_null(strstr(e.msg, "duplicate"));
        assert_int_equal(oci_spec_parse("", 0, &s, &e), -EINVAL);
        assert_null(s);
}

/* Go writes null for empty slices and maps; runc reads null as unset. */
static void test_nulls_accepted(void **state) {
        _cleanup_(oci_spec_freep) OciSpec *s =
                spec_ok("{'ociVersion': '1.2.0', 'process': {'terminal': null, 'args': ['sh'], 'cwd': '/', 'env': null,"
                        " 'capabilities': null, 'rlimits': null, 'user': null, 'oomScoreAdj': null}, 'root': null,"
                        " 'mounts': null, 'hooks': {'prestart': null}, 'annotations': null, 'hostname': null,"
                        " 'linux': {'namespaces': null, 'resources': {'memory': {'limit': null}, 'devices': null},"
                        " 'seccomp': null, 'maskedPaths': null, 'sysctl': null, 'timeOffsets': null}}");
        assert_null(s->process->env);
        assert_null(s->root);
        assert_int_equal(s->mounts.n, 0);
        assert_int_equal(s->hooks->kinds[OCI_HOOK_PRESTART].n, 0);
        assert_false(s->linux_->resources->memory->limit.set);
        assert_null(s->linux_->time_offset_monotonic);
}

static void test_mount_relative_destination(void **state) {
        _cleanup_(oci_spec_freep) OciSpec *s = spec_ok(
                "{'ociVersion': '1.0.0', 'mounts': [{'destination': 'data', 'source': '/x', 'options': ['bind']}]}");
        assert_string_equal(s->mounts.items[0].destination, "data");
}

static void test_load(void **state) {
        char dir[] = "/tmp/test-oci-spec-XXXXXX";
        assert_non_null(mkdtemp(dir));
        _cleanup_free_ char *path = strdup_printf("%s/config.json", dir);
        _cleanup_error_ Error e = {};
        OciSpec *s = NULL;

        assert_int_equal(oci_spec_load(path, &s, &e), -ENOENT);
        assert_non_null(strstr(e.msg, path));

        _cleanup_free_ char *doc = q(busybox_config);
        assert_int_equal(write_file_atomic(path, doc, strlen(doc), 0600), 0);
        assert_int_equal(oci_spec_load(path, &s, &e), 0);
        assert_string_equal(s->hostname, "runc");
        s = oci_spec_free(s);

        const char *bad = "{\"ociVersion\": \"3.0\"}";
        assert_int_equal(write_file_atomic(path, bad, strlen(bad), 0600), 0);
        assert_int_equal(oci_spec_load(path, &s, &e), -EINVAL);
        _cleanup_free_ char *want =
                strdup_printf("%s: ociVersion: unsupported version \"3.0\" (berth supports 1.x)", path);
        assert_string_equal(e.msg, want);

        /* One byte over the limit. */
        size_t n = JSON_MAX_SIZE + 1;
        _cleanup_free_ char *big = malloc(n);
        assert_non_null(big);
        memset(big, ' ', n);
        memcpy(big, "{\"ociVersion\": \"1.0.0\"}", 23);
        assert_int_equal(write_file_atomic(path, big, n, 0600), 0);
        assert_int_equal(oci_spec_load(path, &s, &e), -EFBIG);
        assert_int_equal(write_file_atomic(path, big, n - 1, 0600), 0);
        assert_int_equal(oci_spec_load(path, &s, &e), 0);
        s = oci_spec_free(s);

        unlink(path);
        rmdir(dir);
        assert_null(oci_spec_free(NULL));
}

/* ---- process.json and resources.json -------------------------------------------- */

static void test_process_parse(void **state) {
        _cleanup_error_ Error e = {};
        OciProcess *p = NULL;
        _cleanup_free_ char *ok = q("{'terminal': true, 'consoleSize': {'height': 10, 'width': 20},"
                                    " 'user': {'uid': 5, 'additionalGids': [7]}, 'args': ['ps', 'aux'], 'cwd': '/tmp',"
                                    " 'env': ['X=1'], 'capabilities': {'bounding': ['CAP_KILL']},"
                                    " 'rlimits': [{'type': 'RLIMIT_NPROC', 'hard': 10, 'soft': 5}],"
                                    " 'noNewPrivileges': true, 'unknownThing': {}}");
        assert_int_equal(oci_process_parse(ok, strlen(ok), &p, &e), 0);
        assert_true(p->terminal);
        assert_int_equal(p->console_size->width, 20);
        assert_int_equal(p->user.uid, 5);
        assert_int_equal(p->user.additional_gids.items[0], 7);
        assert_string_equal(p->args[1], "aux");
        assert_string_equal(p->cwd, "/tmp");
        assert_string_equal(p->capabilities->bounding[0], "CAP_KILL");
        assert_int_equal(oci_rlimit_from_string(p->rlimits.items[0].type), RLIMIT_NPROC);
        p = oci_process_free(p);

        static const struct {
                const char *doc;
                const char *msg;
        } cases[] = {
                {"{'cwd': '/'}", "args: must not be empty"},
                {"{'args': ['sh']}", "cwd: missing required field"},
                {"{'args': ['sh'], 'cwd': 'rel'}", "cwd: must be an absolute path, got \"rel\""},
                {"{'args': 'sh', 'cwd': '/'}", "args: expected array, got string"},
                {"{'args': ['sh'], 'cwd': '/', 'rlimits': [{'type': 'NOFILE', 'hard': 1, 'soft': 1}]}",
                 "rlimits[0].type: unknown rlimit \"NOFILE\""},
                {"{'args': ['sh'], 'cwd': '/', 'user': {'gid': 'x'}}", "user.gid: expected integer, got string"},
                {"[1]", "expected object, got array"},
                {"{'args': ['sh'], 'cwd': '/',}", "line 1 column "},
        };
        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                _cleanup_free_ char *doc = q(cases[i].doc);
                assert_int_equal(oci_process_parse(doc, strlen(doc), &p, &e), -EINVAL);
                assert_null(p);
                if (!str_startswith(e.msg, cases[i].msg))
                        fail_msg("for %s\n  got      \"%s\"\n  expected \"%s\"", doc, e.msg, cases[i].msg);
        }
        assert_null(oci_process_free(NULL));
}

static void test_resources_parse(void **state) {
        _cleanup_error_ Error e = {};
        OciResources *r = NULL;
        _cleanup_free_ char *ok = q("{'memory': {'limit': 1048576, 'swap': -1}, 'cpu': {'shares': 512, 'cpus': '1'},"
                                    " 'pids': {'limit': -1}, 'blockIO': {'weight': 100}, 'unified': {'a': 'b'}}");
        assert_int_equal(oci_resources_parse(ok, strlen(ok), &r, &e), 0);
        assert_true(r->memory->limit.value == 1048576);
        assert_true(r->memory->swap.value == -1);
        assert_true(r->cpu->shares.value == 512);
        assert_true(r->pids->limit == -1);
        assert_true(r->block_io->weight.value == 100);
        assert_string_equal(strmap_get(&r->unified, "a"), "b");
        r = oci_resources_free(r);

        /* 1.3 made pids.limit optional. */
        _cleanup_free_ char *empty = q("{'pids': {}}");
        assert_int_equal(oci_resources_parse(empty, strlen(empty), &r, &e), 0);
        assert_int_equal(r->pids->limit, 0);
        r = oci_resources_free(r);

        static const struct {
                const char *doc;
                const char *msg;
        } cases[] = {
                {"{'memory': {'limit': 'x'}}", "memory.limit: expected integer, got string"},
                {"{'cpu': {'shares': -1}}", "cpu.shares: -1 is out of range (0..18446744073709551615)"},
                {"{'devices': [{'allow': true, 'type': 'q'}]}",
                 "devices[0].type: unknown device type \"q\" (a, c or b)"},
                {"{'memory': [], 'cpu': {}}", "memory: expected object, got array"},
        };
        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                _cleanup_free_ char *doc = q(cases[i].doc);
                assert_int_equal(oci_resources_parse(doc, strlen(doc), &r, &e), -EINVAL);
                assert_null(r);
                assert_error_msg(doc, &e, cases[i].msg);
        }
        assert_null(oci_resources_free(NULL));
}

/* ---- names ---------------------------------------------------------------------------- */

static void test_names(void **state) {
        static const struct {
                OciNamespaceType t;
                const char *name, *proc;
                int flag;
        } ns[] = {
                {OCI_NS_PID, "pid", "pid", CLONE_NEWPID},        {OCI_NS_NETWORK, "network", "net", CLONE_NEWNET},
                {OCI_NS_MOUNT, "mount", "mnt", CLONE_NEWNS},     {OCI_NS_IPC, "ipc", "ipc", CLONE_NEWIPC},
                {OCI_NS_UTS, "uts", "uts", CLONE_NEWUTS},        {OCI_NS_USER, "user", "user", CLONE_NEWUSER},
                {OCI_NS_CGROUP, "cgroup", "cgroup", 0x02000000}, {OCI_NS_TIME, "time", "time", 0x80},
        };
        for (size_t i = 0; i < ELEMENTSOF(ns); i++) {
                assert_string_equal(oci_ns_type_to_string(ns[i].t), ns[i].name);
                assert_int_equal(oci_ns_type_from_string(ns[i].name), ns[i].t);
                assert_string_equal(oci_ns_type_to_proc_name(ns[i].t), ns[i].proc);
                assert_int_equal(oci_ns_type_to_clone_flag(ns[i].t), ns[i].flag);
        }
        assert_int_equal(oci_ns_type_from_string("net"), _OCI_NS_INVALID);
        assert_int_equal(oci_ns_type_from_string(NULL), _OCI_NS_INVALID);
        assert_null(oci_ns_type_to_string(_OCI_NS_MAX));
        assert_null(oci_ns_type_to_string(_OCI_NS_INVALID));
        assert_int_equal(oci_ns_type_to_clone_flag(_OCI_NS_MAX), -EINVAL);

        static const char *const hooks[] = {"prestart",       "createRuntime", "createContainer",
                                            "startContainer", "poststart",     "poststop"};
        for (OciHookKind k = 0; k < _OCI_HOOK_KIND_MAX; k++) {
                assert_string_equal(oci_hook_kind_to_string(k), hooks[k]);
                assert_int_equal(oci_hook_kind_from_string(hooks[k]), k);
        }
        assert_null(oci_hook_kind_to_string(_OCI_HOOK_KIND_MAX));
        assert_int_equal(oci_hook_kind_from_string("Prestart"), _OCI_HOOK_KIND_INVALID);

        static const char *const statuses[] = {"creating", "created", "running", "paused", "stopped"};
        for (OciStatus st = 0; st < _OCI_STATUS_MAX; st++) {
                assert_string_equal(oci_status_to_string(st), statuses[st]);
                assert_int_equal(oci_status_from_string(statuses[st]), st);
        }
        assert_int_equal(oci_status_from_string("dead"), _OCI_STATUS_INVALID);
        assert_null(oci_status_to_string(_OCI_STATUS_INVALID));

        static const struct {
                const char *name;
                int id;
        } rl[] = {
                {"RLIMIT_AS", RLIMIT_AS},
                {"RLIMIT_CORE", RLIMIT_CORE},
                {"RLIMIT_CPU", RLIMIT_CPU},
                {"RLIMIT_DATA", RLIMIT_DATA},
                {"RLIMIT_FSIZE", RLIMIT_FSIZE},
                {"RLIMIT_LOCKS", RLIMIT_LOCKS},
                {"RLIMIT_MEMLOCK", RLIMIT_MEMLOCK},
                {"RLIMIT_MSGQUEUE", RLIMIT_MSGQUEUE},
                {"RLIMIT_NICE", RLIMIT_NICE},
                {"RLIMIT_NOFILE", RLIMIT_NOFILE},
                {"RLIMIT_NPROC", RLIMIT_NPROC},
                {"RLIMIT_RSS", RLIMIT_RSS},
                {"RLIMIT_RTPRIO", RLIMIT_RTPRIO},
                {"RLIMIT_RTTIME", RLIMIT_RTTIME},
                {"RLIMIT_SIGPENDING", RLIMIT_SIGPENDING},
                {"RLIMIT_STACK", RLIMIT_STACK},
        };
        for (size_t i = 0; i < ELEMENTSOF(rl); i++) {
                assert_int_equal(oci_rlimit_from_string(rl[i].name), rl[i].id);
                assert_string_equal(oci_rlimit_to_string(rl[i].id), rl[i].name);
        }
        assert_int_equal(oci_rlimit_from_string("NOFILE"), -EINVAL);
        assert_int_equal(oci_rlimit_from_string("rlimit_nofile"), -EINVAL);
        assert_int_equal(oci_rlimit_from_string(NULL), -EINVAL);
        assert_null(oci_rlimit_to_string(-1));
        assert_null(oci_rlimit_to_string(64));
}

/* ---- the default spec -------------------------------------------------------------------- */

static bool has_mount_option(const OciMount *m, const char *opt) {
        return strv_contains(m->options, opt);
}

static const OciMount *find_mount(const OciSpec *s, const char *dst) {
        for (size_t i = 0; i < s->mounts.n; i++)
                if (strcmp(s->mounts.items[i].destination, dst) == 0)
                        return &s->mounts.items[i];
        return NULL;
}

static void test_spec_default(void **state) {
        _cleanup_free_ char *text = NULL;
        _cleanup_error_ Error e = {};
        assert_int_equal(oci_spec_default_json(false, 1000, 1000, &text), 0);
        /* Tab-indented like runc's, keys in runc's order. */
        assert_true(str_startswith(text, "{\n\t\"ociVersion\": \"" OCI_VERSION
                                         "\",\n\t\"process\": {\n\t\t\"terminal\": true,"));

        _cleanup_(oci_spec_freep) OciSpec *s = NULL;
        if (oci_spec_parse(text, strlen(text), &s, &e) < 0)
                fail_msg("%s", e.msg);
        assert_string_equal(s->oci_version, OCI_VERSION);
        assert_string_equal(s->process->args[0], "sh");
        assert_string_equal(s->process->cwd, "/");
        assert_true(s->process->terminal);
        assert_true(s->process->no_new_privileges);
        assert_int_equal(strv_length(s->process->capabilities->bounding), 3);
        assert_null(s->process->capabilities->ambient);
        assert_int_equal(s->process->rlimits.n, 1);
        assert_string_equal(s->root->path, "rootfs");
        assert_true(s->root->readonly);
        assert_string_equal(s->hostname, "berth");
        assert_int_equal(s->mounts.n, 7);
        assert_true(has_mount_option(find_mount(s, "/dev/pts"), "gid=5"));
        assert_string_equal(find_mount(s, "/sys")->type, "sysfs");
        assert_non_null(oci_spec_find_namespace(s, OCI_NS_NETWORK));
        assert_null(oci_spec_find_namespace(s, OCI_NS_USER));
        assert_int_equal(s->linux_->uid_mappings.n, 0);
        assert_non_null(s->linux_->resources);
        assert_int_equal(s->linux_->resources->devices.n, 1);
        assert_true(strv_contains(s->linux_->masked_paths, "/proc/kcore"));
        assert_true(strv_contains(s->linux_->readonly_paths, "/proc/sysrq-trigger"));
}

static void test_spec_default_rootless(void **state) {
        _cleanup_free_ char *text = NULL;
        _cleanup_error_ Error e = {};
        assert_int_equal(oci_spec_default_json(true, 1234, 5678, &text), 0);
        _cleanup_(oci_spec_freep) OciSpec *s = NULL;
        if (oci_spec_parse(text, strlen(text), &s, &e) < 0)
                fail_msg("%s", e.msg);
        assert_null(oci_spec_find_namespace(s, OCI_NS_NETWORK));
        assert_non_null(oci_spec_find_namespace(s, OCI_NS_USER));
        assert_non_null(oci_spec_find_namespace(s, OCI_NS_PID));
        assert_int_equal(s->linux_->uid_mappings.n, 1);
        assert_int_equal(s->linux_->uid_mappings.items[0].container_id, 0);
        assert_int_equal(s->linux_->uid_mappings.items[0].host_id, 1234);
        assert_int_equal(s->linux_->uid_mappings.items[0].size, 1);
        assert_int_equal(s->linux_->gid_mappings.items[0].host_id, 5678);
        assert_null(s->linux_->resources);
        assert_int_equal(s->process->user.uid, 0);

        const OciMount *sys = find_mount(s, "/sys");
        assert_string_equal(sys->type, "none");
        assert_string_equal(sys->source, "/sys");
        assert_true(has_mount_option(sys, "rbind"));
        assert_true(has_mount_option(sys, "ro"));
        const OciMount *pts = find_mount(s, "/dev/pts");
        assert_false(has_mount_option(pts, "gid=5"));
        assert_true(has_mount_option(pts, "newinstance"));
        assert_non_null(find_mount(s, "/dev/mqueue"));
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_busybox_config),
                cmocka_unit_test(test_full_config),
                cmocka_unit_test(test_versions),
                cmocka_unit_test(test_validation_errors),
                cmocka_unit_test(test_syntax_errors),
                cmocka_unit_test(test_nulls_accepted),
                cmocka_unit_test(test_mount_relative_destination),
                cmocka_unit_test(test_load),
                cmocka_unit_test(test_process_parse),
                cmocka_unit_test(test_resources_parse),
                cmocka_unit_test(test_names),
                cmocka_unit_test(test_spec_default),
                cmocka_unit_test(test_spec_default_rootless),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
