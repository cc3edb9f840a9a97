#!/usr/bin/env bats
# kill: a signal, by name or number, to the init process or (--all) to every
# process of the container.

load helpers

setup() {
	berth_setup
	require_root
	make_bundle
	share_dir
	# Records the signals it gets; TERM also ends it.
	update_config '.process.args = ["sh", "-c", "trap \"echo TERM >> /out/sig; exit 0\" TERM; trap \"echo USR1 >> /out/sig\" USR1; trap \"echo HUP >> /out/sig\" HUP; trap \"echo USR2 >> /out/sig\" USR2; echo ready > /out/ready; while :; do sleep 0.1; done"]'
}

start_recorder() {
	run_detached "$CID"
	wait_for_file "$BERTH_TEST_DIR/out/ready"
}

# wait_for_signal NAME: until /out/sig has a line NAME.
wait_for_signal() {
	local i
	for ((i = 0; i < 200; i++)); do
		grep -qx "$1" "$BERTH_TEST_DIR/out/sig" 2>/dev/null && return 0
		sleep 0.05
	done
	fail "signal $1 not received; got: $(cat "$BERTH_TEST_DIR/out/sig" 2>/dev/null)"
}

@test "kill: SIGTERM by default" {
	start_recorder
	run runtime kill "$CID"
	[ "$status" -eq 0 ]
	wait_for_signal TERM
	wait_for_status "$CID" stopped
}

@test "kill: signals by name with and without SIG, in any case, and by number" {
	start_recorder
	run runtime kill "$CID" SIGUSR1
	[ "$status" -eq 0 ]
	wait_for_signal USR1
	run runtime kill "$CID" hup
	[ "$status" -eq 0 ]
	wait_for_signal HUP
	run runtime kill "$CID" 12 # SIGUSR2 on x86 and arm
	[ "$status" -eq 0 ]
	wait_for_signal USR2
	[ "$(container_status "$CID")" = running ]
	run runtime kill "$CID" KILL
	[ "$status" -eq 0 ]
	wait_for_status "$CID" stopped
	run runtime kill "$CID" 9
	[ "$status" -ne 0 ]
}

@test "kill: 9 kills a process that ignores TERM" {
	update_config '.process.args = ["sh", "-c", "trap \"\" TERM; echo ready > /out/ready; while :; do sleep 0.1; done"]'
	start_recorder
	runtime kill "$CID" TERM
	sleep 0.3
	[ "$(container_status "$CID")" = running ]
	run runtime kill "$CID" 9
	[ "$status" -eq 0 ]
	wait_for_status "$CID" stopped
}

@test "kill --all: every process of the container" {
	update_config '.process.args = ["sh", "-c", "sleep 100 & sleep 100 & echo ready > /out/ready; wait"]'
	start_recorder
	local pid pids
	pid=$(container_pid "$CID")
	pids=$(cat "$(cgroup_dir "$pid" pids)/cgroup.procs")
	[ "$(wc -w <<<"$pids")" -ge 3 ]
	run runtime kill --all "$CID" KILL
	[ "$status" -eq 0 ]
	wait_for_status "$CID" stopped
	local p
	for p in $pids; do
		wait_for_pid_gone "$p"
	done
}

@test "kill: a created container can be killed" {
	create_container "$CID"
	run runtime kill "$CID" KILL
	[ "$status" -eq 0 ]
	wait_for_status "$CID" stopped
}

@test "kill: an unknown signal fails and the container keeps running" {
	start_recorder
	run runtime kill "$CID" SIGNOPE
	[ "$status" -eq 1 ]
	[[ $output == *"unknown signal"* ]]
	[ "$(container_status "$CID")" = running ]
}

@test "kill: a container that does not exist" {
	run runtime kill "$CID" KILL
	[ "$status" -eq 1 ]
	[[ $output == *"container \"$CID\" does not exist"* ]]
}

@test "kill: argument count" {
	run runtime kill
	[ "$status" -eq 1 ]
	[[ $output == *"requires a minimum of 1 argument"* ]]
	run runtime kill a KILL extra
	[ "$status" -eq 1 ]
	[[ $output == *"requires a maximum of 2 argument"* ]]
}
