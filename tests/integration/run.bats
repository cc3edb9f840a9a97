#!/usr/bin/env bats
# run: create + start; attached it passes on the exit status and deletes the
# container afterwards, detached it leaves it running.

load helpers

setup() {
	berth_setup
	require_root
	make_bundle
}

@test "run: exit status 0 and 3 are passed on, the container is gone after" {
	update_config '.process.args = ["true"]'
	run_file runtime run -b "$BUNDLE" "$CID"
	[ "$status" -eq 0 ]

	local id
	id=$(new_cid)
	update_config '.process.args = ["sh", "-c", "exit 3"]'
	run_file runtime run -b "$BUNDLE" "$id"
	[ "$status" -eq 3 ]

	run runtime state "$id"
	[ "$status" -ne 0 ]
	run runtime list -q
	[ "$status" -eq 0 ]
	[[ $output != *"$id"* ]]
	assert_nothing_left "$id"
}

@test "run: a process killed by a signal exits 128+signal" {
	update_config '.process.args = ["sleep", "100"]'
	track_container run "$CID"
	timeout 60 "$BERTH_RUNTIME" --root "$ROOT" run -b "$BUNDLE" "$CID" </dev/null >"$BERTH_TEST_DIR/out" 2>&1 3>&- &
	local rpid=$!
	wait_for_status "$CID" running
	kill -KILL "$(container_pid "$CID")"
	status=0
	wait "$rpid" || status=$?
	[ "$status" -eq 137 ]
}

@test "run: a signal to the runtime is forwarded to the process" {
	update_config '.process.args = ["sh", "-c", "trap \"echo got-term; exit 7\" TERM; echo ready; while :; do sleep 0.1; done"]'
	track_container run "$CID"
	"$BERTH_RUNTIME" --root "$ROOT" run -b "$BUNDLE" "$CID" </dev/null >"$BERTH_TEST_DIR/out" 2>&1 3>&- &
	local rpid=$!
	wait_for_status "$CID" running
	wait_for_file "$BERTH_TEST_DIR/out"
	kill -TERM "$rpid"
	local i
	for ((i = 0; i < 200; i++)); do
		kill -0 "$rpid" 2>/dev/null || break
		sleep 0.05
	done
	if kill -0 "$rpid" 2>/dev/null; then
		kill -KILL "$rpid"
		fail "the runtime did not exit after SIGTERM"
	fi
	status=0
	wait "$rpid" || status=$?
	cat "$BERTH_TEST_DIR/out" >&2
	[ "$status" -eq 7 ]
	grep -q got-term "$BERTH_TEST_DIR/out"
}

@test "run: the container's stdout and stderr reach the caller" {
	update_config '.process.args = ["sh", "-c", "echo to-out; echo to-err >&2"]'
	run_file runtime run -b "$BUNDLE" "$CID"
	[ "$status" -eq 0 ]
	[[ $output == *to-out* ]]
	[[ $output == *to-err* ]]
}

@test "run: config.json's hostname, cwd, env and read-only root hold inside" {
	update_config '.process.cwd = "/tmp" | .process.env += ["BERTH_X=42"]
		| .process.args = ["sh", "-c", "hostname; pwd; echo $BERTH_X; touch /x 2>/dev/null || echo ro"]'
	run_file runtime run -b "$BUNDLE" "$CID"
	[ "$status" -eq 0 ]
	[ "$output" = "$(printf 'berth\n/tmp\n42\nro')" ]
}

@test "run -d: returns while the container runs; --pid-file names its init" {
	update_config '.process.args = ["sleep", "100"]'
	run_detached "$CID" --pid-file "$BERTH_TEST_DIR/pid"
	[ "$(container_status "$CID")" = running ]
	[ -s "$BERTH_TEST_DIR/pid" ]
	[ "$(cat "$BERTH_TEST_DIR/pid")" = "$(container_pid "$CID")" ]
	# The pid is the container's: it runs sleep in a pid namespace of its own.
	local pid
	pid=$(cat "$BERTH_TEST_DIR/pid")
	[ "$(cat "/proc/$pid/comm")" = sleep ]
	[ "$(readlink "/proc/$pid/ns/pid")" != "$(readlink /proc/self/ns/pid)" ]
}

@test "run -d: the container stops when its process exits" {
	update_config '.process.args = ["sh", "-c", "sleep 0.3"]'
	run_detached "$CID"
	wait_for_status "$CID" stopped
	run runtime delete "$CID"
	[ "$status" -eq 0 ]
	assert_nothing_left "$CID"
}

@test "run --keep: the stopped container stays until deleted" {
	update_config '.process.args = ["sh", "-c", "exit 5"]'
	run_file runtime run --keep -b "$BUNDLE" "$CID"
	[ "$status" -eq 5 ]
	[ "$(container_status "$CID")" = stopped ]
	run runtime delete "$CID"
	[ "$status" -eq 0 ]
	assert_nothing_left "$CID"
}

@test "run --console-socket: the process gets a terminal, its output comes through the pty" {
	require_cmd python3
	update_config '.process.terminal = true | .process.args = ["sh", "-c", "tty; [ -t 0 ] && echo stdin-is-tty; echo hello-pty"]'
	console_receiver "$BERTH_TEST_DIR/console.sock" "$BERTH_TEST_DIR/console.out"
	run_file runtime run -d --console-socket "$BERTH_TEST_DIR/console.sock" -b "$BUNDLE" "$CID"
	[ "$status" -eq 0 ]
	console_wait
	cat "$BERTH_TEST_DIR/console.out.log" >&2 || true
	run cat "$BERTH_TEST_DIR/console.out"
	[[ $output == *"/dev/pts/"* ]]
	[[ $output == *stdin-is-tty* ]]
	[[ $output == *hello-pty* ]]
}

@test "run --console-socket: input written to the pty reaches the process" {
	require_cmd python3
	update_config '.process.terminal = true | .process.args = ["sh", "-c", "read line; echo got-$line"]'
	console_receiver "$BERTH_TEST_DIR/console.sock" "$BERTH_TEST_DIR/console.out" $'ping\n'
	run_file runtime run -d --console-socket "$BERTH_TEST_DIR/console.sock" -b "$BUNDLE" "$CID"
	[ "$status" -eq 0 ]
	console_wait
	run cat "$BERTH_TEST_DIR/console.out"
	[[ $output == *got-ping* ]]
}

@test "run: terminal true without --console-socket fails and leaves nothing" {
	update_config '.process.terminal = true | .process.args = ["true"]'
	run_file runtime run -d -b "$BUNDLE" "$CID"
	[ "$status" -ne 0 ]
	[[ $output == *console?socket* ]]
	assert_nothing_left "$CID"
}

@test "run --preserve-fds 1: fd 3 is passed to the process" {
	update_config '.process.args = ["sh", "-c", "echo through-fd3 >&3"]'
	local f=$BERTH_TEST_DIR/fd3
	status=0
	(
		exec 3>"$f"
		runtime run --preserve-fds 1 -b "$BUNDLE" "$CID" </dev/null >"$BERTH_TEST_DIR/out.txt" 2>&1
	) || status=$?
	cat "$BERTH_TEST_DIR/out.txt" >&2
	[ "$status" -eq 0 ]
	[ "$(cat "$f")" = through-fd3 ]
}

@test "run: without --preserve-fds, fd 3 is not passed" {
	update_config '.process.args = ["sh", "-c", "if [ -e /proc/self/fd/3 ]; then echo fd3-open; else echo fd3-closed; fi"]'
	status=0
	(
		exec 3>"$BERTH_TEST_DIR/fd3"
		runtime run -b "$BUNDLE" "$CID" </dev/null >"$BERTH_TEST_DIR/out.txt" 2>&1
	) || status=$?
	[ "$status" -eq 0 ]
	[[ $(cat "$BERTH_TEST_DIR/out.txt") == *fd3-closed* ]]
}

@test "run: -b and --bundle=DIR forms, and the Go-style single dash" {
	update_config '.process.args = ["true"]'
	run_file runtime run --bundle="$BUNDLE" "$CID"
	[ "$status" -eq 0 ]
	run_file runtime run -bundle "$BUNDLE" "$(new_cid)"
	[ "$status" -eq 0 ]
}

@test "run: a missing command fails with the reason" {
	update_config '.process.args = ["/no/such/program"]'
	run_file runtime run -b "$BUNDLE" "$CID"
	[ "$status" -ne 0 ]
	[[ $output == *"/no/such/program"* ]]
	assert_nothing_left "$CID"
}
