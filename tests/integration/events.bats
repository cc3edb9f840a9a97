#!/usr/bin/env bats
# events: stats and OOM events as JSON lines.

load helpers

setup() {
	berth_setup
	require_root
	make_bundle
}

@test "events --stats: one stats event with memory and pids" {
	update_config '.process.args = ["sleep", "100"]'
	run_detached "$CID"
	run runtime events --stats "$CID"
	[ "$status" -eq 0 ]
	[ "${#lines[@]}" -eq 1 ]
	jq -e --arg id "$CID" '.type == "stats" and .id == $id
		and (.data.memory | type == "object") and (.data.memory.usage.usage > 0)
		and .data.pids.current >= 1 and (.data.cpu.usage.total | type == "number")' <<<"$output"
}

@test "events: stats every --interval until the container is gone" {
	update_config '.process.args = ["sleep", "1"]'
	run_detached "$CID"
	timeout 20 "$BERTH_RUNTIME" --root "$ROOT" events --interval 200ms "$CID" >"$BERTH_TEST_DIR/events" 2>&1 3>&- &
	local epid=$!
	wait_for_status "$CID" stopped
	sleep 0.5
	run runtime delete "$CID"
	[ "$status" -eq 0 ]
	# It ends by itself (berth-runtime when the container stops, runc when
	# its cgroup goes), not by the timeout.
	status=0
	wait "$epid" || status=$?
	[ "$status" -eq 0 ]
	mapfile -t lines <"$BERTH_TEST_DIR/events"
	[ "${#lines[@]}" -ge 2 ]
	local l
	for l in "${lines[@]}"; do
		jq -e --arg id "$CID" '.type == "stats" and .id == $id and (.data.pids | type == "object")' <<<"$l" >/dev/null
	done
}

@test "events: an OOM kill is reported" {
	# tail of /dev/zero grows until the 32 MiB limit kills it; sh lives on.
	update_config '.process.args = ["sh", "-c", "sleep 1; tail /dev/zero; sleep 100"]
		| .linux.resources.memory = {"limit": 33554432, "swap": 33554432}'
	run_detached "$CID"
	BERTH_TIMEOUT=6 run_file runtime events --interval 1s "$CID"
	[ "$status" -eq 124 ] # still running: the timeout ended it
	[[ $output == *'{"type":"oom","id":"'"$CID"'"}'* ]]
}

@test "events: bad interval, stopped and unknown containers" {
	update_config '.process.args = ["sleep", "100"]'
	run_detached "$CID"
	run runtime events --interval 0s "$CID"
	[ "$status" -eq 1 ]
	run runtime events --interval fast "$CID"
	[ "$status" -ne 0 ]
	runtime kill "$CID" KILL
	wait_for_status "$CID" stopped
	run runtime events --stats "$CID"
	[ "$status" -eq 1 ]
	[[ $output == *"not running"* ]]
	run runtime events --stats "$(new_cid)"
	[ "$status" -eq 1 ]
	[[ $output == *"does not exist"* ]]
}
