#!/usr/bin/env bats
# ps: the container's processes.

load helpers

setup() {
	berth_setup
	require_root
	make_bundle
}

@test "ps --format json: the pids of the container, init included" {
	update_config '.process.args = ["sh", "-c", "sleep 100 & wait"]'
	run_detached "$CID"
	local pid
	pid=$(container_pid "$CID")
	# Give sh the moment it needs to fork the sleep.
	local i
	for ((i = 0; i < 100; i++)); do
		[ "$(wc -l <"$(cgroup_dir "$pid" pids)/cgroup.procs")" -ge 2 ] && break
		sleep 0.05
	done
	run runtime ps --format json "$CID"
	[ "$status" -eq 0 ]
	jq -e --argjson p "$pid" 'type == "array" and length == 2 and index($p) != null and all(type == "number")' <<<"$output"
	run runtime ps -f json "$CID"
	[ "$status" -eq 0 ]
	jq -e 'length == 2' <<<"$output"
}

@test "ps: a table with the header and the container's lines only" {
	update_config '.process.args = ["sleep", "100"]'
	run_detached "$CID"
	local pid
	pid=$(container_pid "$CID")
	run runtime ps "$CID"
	[ "$status" -eq 0 ]
	[[ ${lines[0]} == UID*PID*PPID*CMD* ]]
	[ "${#lines[@]}" -eq 2 ]
	[ "$(awk '{ print $2 }' <<<"${lines[1]}")" = "$pid" ]
	[[ ${lines[1]} == *"sleep 100"* ]]
}

@test "ps: options after the id go to ps(1)" {
	update_config '.process.args = ["sleep", "100"]'
	run_detached "$CID"
	local pid
	pid=$(container_pid "$CID")
	run runtime ps "$CID" -o pid,comm
	[ "$status" -eq 0 ]
	[ "$(awk '{ print $1, $2 }' <<<"${lines[0]}")" = "PID COMMAND" ]
	[ "$(awk '{ print $1, $2 }' <<<"${lines[1]}")" = "$pid sleep" ]
	[ "${#lines[@]}" -eq 2 ]
}

@test "ps: a bad format, a stopped container, an unknown container" {
	update_config '.process.args = ["sleep", "100"]'
	run_detached "$CID"
	run runtime ps --format yaml "$CID"
	[ "$status" -eq 1 ]
	[[ $output == *format* ]]
	runtime kill "$CID" KILL
	wait_for_status "$CID" stopped
	run runtime ps --format json "$CID"
	[ "$status" -ne 0 ] || [ "$output" = "[]" ] || [ "$output" = null ]
	run runtime ps "$(new_cid)"
	[ "$status" -eq 1 ]
	[[ $output == *"does not exist"* ]]
}
