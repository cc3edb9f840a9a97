#!/usr/bin/env bats
# pause and resume: freeze and thaw every process of the container.

load helpers

setup() {
	berth_setup
	require_root
	make_bundle
	# A counter the host can read through /proc/PID/root.
	update_config '.process.args = ["sh", "-c", "i=0; while :; do i=$((i+1)); echo $i > /dev/shm/count; sleep 0.05; done"]'
}

counter() {
	cat "/proc/$1/root/dev/shm/count"
}

freezer_state() {
	local d
	d=$(cgroup_dir "$1" freezer)
	if [[ -f $d/freezer.state ]]; then
		cat "$d/freezer.state"
	else
		(($(cat "$d/cgroup.freeze") == 1)) && echo FROZEN || echo THAWED
	fi
}

@test "pause: status paused, cgroup frozen, nothing runs; resume undoes it" {
	run_detached "$CID"
	local pid a b
	pid=$(container_pid "$CID")
	wait_for_file "/proc/$pid/root/dev/shm/count"

	run runtime pause "$CID"
	[ "$status" -eq 0 ]
	[ "$(container_status "$CID")" = paused ]
	[ "$(freezer_state "$pid")" = FROZEN ]
	a=$(counter "$pid")
	sleep 0.5
	b=$(counter "$pid")
	[ "$a" = "$b" ]
	# And list agrees.
	[[ $(runtime list) == *paused* ]]

	run runtime resume "$CID"
	[ "$status" -eq 0 ]
	[ "$(container_status "$CID")" = running ]
	[ "$(freezer_state "$pid")" = THAWED ]
	sleep 0.5
	b=$(counter "$pid")
	[ "$b" -gt "$a" ]
}

@test "pause: twice fails; resume of a running container fails" {
	run_detached "$CID"
	runtime pause "$CID"
	run runtime pause "$CID"
	[ "$status" -ne 0 ]
	[ "$(container_status "$CID")" = paused ]
	runtime resume "$CID"
	run runtime resume "$CID"
	[ "$status" -ne 0 ]
	[ "$(container_status "$CID")" = running ]
}

@test "pause: a stopped container fails" {
	update_config '.process.args = ["true"]'
	run_file runtime run --keep -b "$BUNDLE" "$CID"
	run runtime pause "$CID"
	[ "$status" -ne 0 ]
	[ "$(container_status "$CID")" = stopped ]
}

@test "pause: a paused container can be killed" {
	run_detached "$CID"
	runtime pause "$CID"
	run runtime kill "$CID" KILL
	[ "$status" -eq 0 ]
	runtime resume "$CID" || true
	wait_for_status "$CID" stopped
}

@test "pause, resume: unknown container; argument count" {
	run runtime pause "$CID"
	[ "$status" -eq 1 ]
	[[ $output == *"container \"$CID\" does not exist"* ]]
	run runtime resume "$CID"
	[ "$status" -eq 1 ]
	run runtime pause
	[ "$status" -eq 1 ]
	[[ $output == *"requires exactly 1 argument"* ]]
}
