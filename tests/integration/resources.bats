#!/usr/bin/env bats
# linux.resources: the cgroup files a created container gets, limits that
# actually bite, and values the kernel refuses. Written for cgroup v1 and the
# hybrid layout (v1 controllers, a cgroup2 mount at /sys/fs/cgroup/unified).

load helpers

setup() {
	berth_setup
	require_root
	make_bundle
	[[ ! -f /sys/fs/cgroup/cgroup.controllers ]] || skip "checks cgroup v1 files"
	update_config '.process.args = ["sleep", "100"]'
}

# create_with FILTER [JQ ARGS]: applies FILTER to the config, creates the
# container $CID and sets PID.
create_with() {
	update_config "$@"
	create_container "$CID"
	PID=$(container_pid "$CID")
}

# unified_dir PID: PID's directory on the hybrid cgroup2 mount.
unified_dir() {
	local path
	path=$(awk -F: '$1 == "0" { print $3 }' "/proc/$1/cgroup")
	[[ -n $path ]] || {
		fail "pid $1 has no cgroup2 line"
		return 1
	}
	printf '/sys/fs/cgroup/unified%s\n' "$path"
}

# require_unified_hugetlb: skip unless hugetlb is on the hybrid v2 mount.
require_unified_hugetlb() {
	[[ -d /sys/kernel/mm/hugepages/hugepages-2048kB ]] || skip "no 2MB huge pages"
	grep -qw hugetlb /sys/fs/cgroup/unified/cgroup.controllers 2>/dev/null ||
		skip "hugetlb is not on a cgroup2 mount at /sys/fs/cgroup/unified"
}

@test "resources: memory limit, reservation, swap, swappiness and disableOOMKiller" {
	create_with '.linux.resources.memory = {"limit": 67108864, "reservation": 33554432,
		"swap": 134217728, "swappiness": 10, "disableOOMKiller": true}'
	local d
	d=$(cgroup_dir "$PID" memory)
	[ "$(cat "$d/memory.limit_in_bytes")" = 67108864 ]
	[ "$(cat "$d/memory.soft_limit_in_bytes")" = 33554432 ]
	if [[ -f $d/memory.memsw.limit_in_bytes ]]; then
		[ "$(cat "$d/memory.memsw.limit_in_bytes")" = 134217728 ]
	fi
	[ "$(cat "$d/memory.swappiness")" = 10 ]
	grep -qx 'oom_kill_disable 1' "$d/memory.oom_control"
}

@test "resources: cpu shares, quota and period; cpuset cpus and mems" {
	create_with '.linux.resources.cpu = {"shares": 512, "quota": 50000, "period": 100000, "cpus": "0", "mems": "0"}'
	local d
	d=$(cgroup_dir "$PID" cpu)
	[ "$(cat "$d/cpu.shares")" = 512 ]
	[ "$(cat "$d/cpu.cfs_quota_us")" = 50000 ]
	[ "$(cat "$d/cpu.cfs_period_us")" = 100000 ]
	d=$(cgroup_dir "$PID" cpuset)
	[ "$(cat "$d/cpuset.cpus")" = 0 ]
	[ "$(cat "$d/cpuset.mems")" = 0 ]
	# The process is bound to it.
	grep -q '^Cpus_allowed_list:[[:space:]]*0$' "/proc/$PID/status"
}

@test "resources: pids limit" {
	create_with '.linux.resources.pids = {"limit": 42}'
	[ "$(cat "$(cgroup_dir "$PID" pids)/pids.max")" = 42 ]
}

@test "resources: blockIO weight" {
	local d
	[[ -f /sys/fs/cgroup/blkio/blkio.weight || -f /sys/fs/cgroup/blkio/blkio.bfq.weight ]] ||
		skip "the blkio controller has neither blkio.weight nor blkio.bfq.weight (no CFQ/BFQ scheduler)"
	create_with '.linux.resources.blockIO = {"weight": 300}'
	d=$(cgroup_dir "$PID" blkio)
	if [[ -f $d/blkio.weight ]]; then
		[ "$(cat "$d/blkio.weight")" = 300 ]
	else
		grep -qE '^(default )?300$' "$d/blkio.bfq.weight"
	fi
}

@test "resources: hugepageLimits 2MB goes to hugetlb on the hybrid cgroup2 mount" {
	is_runc && skip "runc 1.1 sets hugetlb only through a v1 hugetlb hierarchy"
	require_unified_hugetlb
	create_with '.linux.resources.hugepageLimits = [{"pageSize": "2MB", "limit": 4194304}]'
	local d
	d=$(unified_dir "$PID")
	[ "$(cat "$d/hugetlb.2MB.max")" = 4194304 ]
}

@test "resources: unified hugetlb.2MB.max on the hybrid cgroup2 mount" {
	is_runc && skip "runc 1.1 refuses linux.resources.unified on a v1 host"
	require_unified_hugetlb
	create_with '.linux.resources.unified = {"hugetlb.2MB.max": "6291456"}'
	local d
	d=$(unified_dir "$PID")
	[ "$(cat "$d/hugetlb.2MB.max")" = 6291456 ]
}

@test "resources: a unified key for a controller that exists nowhere fails clearly" {
	update_config '.linux.resources.unified = {"nosuchctl.max": "5"}'
	run_file runtime create -b "$BUNDLE" "$CID"
	[ "$status" -ne 0 ]
	assert_nothing_left "$CID"
	# runc 1.1 refuses any unified key here, without naming it.
	is_runc || [[ $output == *nosuchctl* ]]
}

@test "resources: a pids limit of 5 stops a fork loop" {
	update_config '.linux.resources.pids = {"limit": 5}
		| .process.args = ["sh", "-c", "for i in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20; do sleep 10 & done; echo started"]'
	# busybox sh gives up at the first failed fork; the sleeps die with it
	# (pid 1 of the container's pid namespace).
	run_file runtime run -b "$BUNDLE" "$CID"
	[[ $output == *"can't fork"* || $output == *"Resource temporarily unavailable"* ]]
	[[ $output != *started* ]]
}

@test "resources: a memory limit OOM-kills a memory hog, the host is fine" {
	# swap = limit: no swap to escape to. tail (last 10 lines) keeps the
	# newline-free stream in memory until EOF: 200 MiB against 32 MiB.
	update_config '.linux.resources.memory = {"limit": 33554432, "swap": 33554432}
		| .process.args = ["sh", "-c", "head -c 200m /dev/zero | tail >/dev/null; echo rc=$?"]'
	run_file runtime run -b "$BUNDLE" "$CID"
	[ "$status" -eq 0 ]
	[ "${lines[-1]}" = rc=137 ]
	# The host still runs things.
	[ "$(echo alive)" = alive ]
}

@test "resources: without a memory limit the same hog completes" {
	update_config '.process.args = ["sh", "-c", "head -c 64m /dev/zero | tail | wc -c; echo rc=$?"]'
	run_file runtime run -b "$BUNDLE" "$CID"
	[ "$status" -eq 0 ]
	[ "${lines[-1]}" = rc=0 ]
	[ "${lines[0]}" = 67108864 ]
}

@test "resources: update --memory on a running container changes the file" {
	create_with '.linux.resources.memory = {"limit": 67108864}'
	runtime start "$CID"
	wait_for_status "$CID" running
	local d
	d=$(cgroup_dir "$PID" memory)
	[ "$(cat "$d/memory.limit_in_bytes")" = 67108864 ]
	run runtime update --memory 100m "$CID"
	[ "$status" -eq 0 ]
	[ "$(cat "$d/memory.limit_in_bytes")" = $((100 * 1024 * 1024)) ]
}

@test "resources: a cpuset of a cpu that does not exist fails and leaves nothing" {
	update_config '.linux.resources.cpu = {"cpus": "4095"}'
	run_file runtime create -b "$BUNDLE" "$CID"
	[ "$status" -ne 0 ]
	[[ $output == *cpuset* || $output == *cpus* ]]
	assert_nothing_left "$CID"
}

@test "resources: a 12-byte memory limit fails and leaves nothing" {
	update_config '.linux.resources.memory = {"limit": 12}'
	run_file runtime create -b "$BUNDLE" "$CID"
	[ "$status" -ne 0 ]
	[[ $output == *memory* ]]
	assert_nothing_left "$CID"
}

@test "resources: a blkio weight of 5 fails and leaves nothing" {
	# The spec's range is 10-1000.
	is_runc && skip "runc 1.1 does not check the range and ignores weight without blkio.weight"
	update_config '.linux.resources.blockIO = {"weight": 5}'
	run_file runtime create -b "$BUNDLE" "$CID"
	[ "$status" -ne 0 ]
	[[ $output == *weight* ]]
	assert_nothing_left "$CID"
}
