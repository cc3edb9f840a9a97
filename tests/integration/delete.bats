#!/usr/bin/env bats
# delete: removes a stopped container; --force kills a running one first.

load helpers

setup() {
	berth_setup
	require_root
	make_bundle
}

@test "delete: a stopped container is removed with its cgroup" {
	update_config '.process.args = ["true"]'
	run_file runtime run --keep -b "$BUNDLE" "$CID"
	[ "$status" -eq 0 ]
	[ "$(container_status "$CID")" = stopped ]
	run runtime delete "$CID"
	[ "$status" -eq 0 ]
	run runtime state "$CID"
	[ "$status" -ne 0 ]
	assert_nothing_left "$CID"
}

@test "delete: a running container is refused without --force" {
	update_config '.process.args = ["sleep", "100"]'
	run_detached "$CID"
	run runtime delete "$CID"
	[ "$status" -eq 1 ]
	[[ $output == *"not stopped"* ]]
	[ "$(container_status "$CID")" = running ]
}

@test "delete --force: kills and removes a running container" {
	update_config '.process.args = ["sh", "-c", "sleep 100 & sleep 100"]'
	run_detached "$CID"
	local pid procs
	pid=$(container_pid "$CID")
	procs=$(cat "$(cgroup_dir "$pid" pids)/cgroup.procs")
	run runtime delete --force "$CID"
	[ "$status" -eq 0 ]
	local p
	for p in $procs; do
		wait_for_pid_gone "$p"
	done
	run runtime state "$CID"
	[ "$status" -ne 0 ]
	assert_nothing_left "$CID"
}

@test "delete -f: a paused container" {
	update_config '.process.args = ["sleep", "100"]'
	run_detached "$CID"
	local pid
	pid=$(container_pid "$CID")
	runtime pause "$CID"
	run runtime delete -f "$CID"
	[ "$status" -eq 0 ]
	wait_for_pid_gone "$pid"
	assert_nothing_left "$CID"
}

@test "delete: a created container, whose process never ran" {
	update_config '.process.args = ["sleep", "100"]'
	create_container "$CID"
	local pid
	pid=$(container_pid "$CID")
	run runtime delete "$CID"
	[ "$status" -eq 0 ]
	wait_for_pid_gone "$pid"
	assert_nothing_left "$CID"
}

@test "delete: a container that does not exist fails; with --force it succeeds" {
	run runtime delete "$CID"
	[ "$status" -eq 1 ]
	[[ $output == *"container \"$CID\" does not exist"* ]]
	run runtime delete --force "$CID"
	[ "$status" -eq 0 ]
}

@test "delete: the id can be reused afterwards" {
	update_config '.process.args = ["sleep", "100"]'
	run_detached "$CID"
	runtime delete -f "$CID"
	run_detached "$CID"
	[ "$(container_status "$CID")" = running ]
}

@test "delete: needs exactly one id" {
	run runtime delete
	[ "$status" -eq 1 ]
	[[ $output == *"requires exactly 1 argument"* ]]
}
