#!/usr/bin/env bats
# update: changes the cgroup limits of a running container.

load helpers

setup() {
	berth_setup
	require_root
	make_bundle
	update_config '.process.args = ["sleep", "100"]'
	run_detached "$CID"
	PID=$(container_pid "$CID")
}

v1_only() {
	[[ ! -f /sys/fs/cgroup/cgroup.controllers ]] || skip "checks cgroup v1 files"
}

@test "update --memory 100m: the cgroup's limit" {
	v1_only
	run runtime update --memory 100m "$CID"
	[ "$status" -eq 0 ]
	[ "$(cat "$(cgroup_dir "$PID" memory)/memory.limit_in_bytes")" -eq $((100 * 1024 * 1024)) ]
	run runtime update --memory 1g "$CID"
	[ "$status" -eq 0 ]
	[ "$(cat "$(cgroup_dir "$PID" memory)/memory.limit_in_bytes")" -eq $((1024 * 1024 * 1024)) ]
	run runtime update --memory=67108864 "$CID"
	[ "$status" -eq 0 ]
	[ "$(cat "$(cgroup_dir "$PID" memory)/memory.limit_in_bytes")" -eq 67108864 ]
	run runtime update --memory-reservation 32MiB "$CID"
	[ "$status" -eq 0 ]
	[ "$(cat "$(cgroup_dir "$PID" memory)/memory.soft_limit_in_bytes")" -eq $((32 * 1024 * 1024)) ]
}

@test "update --pids-limit and the cpu flags" {
	v1_only
	run runtime update --pids-limit 42 "$CID"
	[ "$status" -eq 0 ]
	[ "$(cat "$(cgroup_dir "$PID" pids)/pids.max")" = 42 ]
	run runtime update --cpu-period 100000 --cpu-quota 50000 --cpu-share 512 "$CID"
	[ "$status" -eq 0 ]
	local d
	d=$(cgroup_dir "$PID" cpu)
	[ "$(cat "$d/cpu.cfs_period_us")" = 100000 ]
	[ "$(cat "$d/cpu.cfs_quota_us")" = 50000 ]
	[ "$(cat "$d/cpu.shares")" = 512 ]
	# What was not given stays.
	[ "$(cat "$(cgroup_dir "$PID" pids)/pids.max")" = 42 ]
}

@test "update -r FILE: the linux.resources shape" {
	v1_only
	echo '{"memory": {"limit": 83886080}, "pids": {"limit": 17}}' >"$BERTH_TEST_DIR/r.json"
	run runtime update -r "$BERTH_TEST_DIR/r.json" "$CID"
	[ "$status" -eq 0 ]
	[ "$(cat "$(cgroup_dir "$PID" memory)/memory.limit_in_bytes")" -eq 83886080 ]
	[ "$(cat "$(cgroup_dir "$PID" pids)/pids.max")" = 17 ]
}

@test "update --resources -: from stdin, other flags ignored" {
	v1_only
	run bash -c 'echo "{\"memory\": {\"limit\": 73400320}}" | "$1" --root "$2" update --resources - --pids-limit 9 "$3"' _ \
		"$BERTH_RUNTIME" "$ROOT" "$CID"
	[ "$status" -eq 0 ]
	[ "$(cat "$(cgroup_dir "$PID" memory)/memory.limit_in_bytes")" -eq 73400320 ]
	[ "$(cat "$(cgroup_dir "$PID" pids)/pids.max")" != 9 ]
}

@test "update: bad values fail and change nothing" {
	v1_only
	local before
	before=$(cat "$(cgroup_dir "$PID" memory)/memory.limit_in_bytes")
	run runtime update --memory lots "$CID"
	[ "$status" -eq 1 ]
	[[ $output == *memory* ]]
	run runtime update --cpu-quota x "$CID"
	[ "$status" -eq 1 ]
	echo '{"memory": {"limit": "big"}}' >"$BERTH_TEST_DIR/r.json"
	run runtime update -r "$BERTH_TEST_DIR/r.json" "$CID"
	[ "$status" -eq 1 ]
	run runtime update -r "$BERTH_TEST_DIR/nonexistent.json" "$CID"
	[ "$status" -eq 1 ]
	[ "$(cat "$(cgroup_dir "$PID" memory)/memory.limit_in_bytes")" = "$before" ]
	[ "$(container_status "$CID")" = running ]
}

@test "update: a limit the kernel refuses fails with its reason" {
	v1_only
	run runtime update --cpu-period 100000 --cpu-quota 500 "$CID"
	[ "$status" -eq 1 ]
	[[ $output == *quota* || $output == *"invalid argument"* ]]
}

@test "update: unknown container; a stopped one" {
	run runtime update --memory 100m "$(new_cid)"
	[ "$status" -eq 1 ]
	[[ $output == *"does not exist"* ]]
	runtime kill "$CID" KILL
	wait_for_status "$CID" stopped
	run runtime update --memory 100m "$CID"
	[ "$status" -ne 0 ]
}

@test "update --l3-cache-schema: not supported here" {
	run runtime update --l3-cache-schema 'L3:0=ff' "$CID"
	[ "$status" -eq 1 ]
	[[ $output == *RDT* ]]
}
