#!/usr/bin/env bats
# create: sets the container up; its process must not run the user's
# program until start.

load helpers

setup() {
	berth_setup
	require_root
	make_bundle
	share_dir
}

@test "create: status created, the program has not run, pid exists" {
	update_config '.process.args = ["sh", "-c", "echo ran > /out/ran; sleep 100"]'
	create_container "$CID"
	[ "$(container_status "$CID")" = created ]
	local pid
	pid=$(container_pid "$CID")
	[ "$pid" -gt 0 ]
	kill -0 "$pid"
	sleep 0.3
	[ ! -e "$BERTH_TEST_DIR/out/ran" ]
	# Already in the container's namespaces while it waits.
	[ "$(readlink "/proc/$pid/ns/mnt")" != "$(readlink /proc/self/ns/mnt)" ]
	[ "$(readlink "/proc/$pid/ns/pid")" = "$(readlink "/proc/$pid/ns/pid_for_children")" ]
}

@test "create --pid-file: the file holds the init pid" {
	update_config '.process.args = ["sleep", "100"]'
	create_container "$CID" --pid-file "$BERTH_TEST_DIR/ctr.pid"
	[ -s "$BERTH_TEST_DIR/ctr.pid" ]
	[ "$(cat "$BERTH_TEST_DIR/ctr.pid")" = "$(container_pid "$CID")" ]
}

@test "create: the bundle defaults to the current directory; state has it absolute" {
	update_config '.process.args = ["sleep", "100"]'
	(cd "$BUNDLE" && create_container "$CID")
	run runtime state "$CID"
	[ "$status" -eq 0 ]
	[ "$(jq -r .bundle <<<"$output")" = "$BUNDLE" ]
	[ "$(jq -r .rootfs <<<"$output")" = "$BUNDLE/rootfs" ]
}

@test "create: a relative --bundle is made absolute" {
	update_config '.process.args = ["sleep", "100"]'
	(cd "$BERTH_TEST_DIR" && runtime create --bundle=bundle "$CID" </dev/null >/dev/null 2>&1 3>&-)
	[ "$(runtime state "$CID" | jq -r .bundle)" = "$BUNDLE" ]
}

@test "create: the process runs in the cgroup and namespaces the config asks for" {
	update_config '.process.args = ["sleep", "100"]'
	create_container "$CID"
	local pid
	pid=$(container_pid "$CID")
	local ns
	for ns in pid net ipc uts mnt; do
		[ "$(readlink "/proc/$pid/ns/$ns")" != "$(readlink "/proc/self/ns/$ns")" ]
	done
	# No user namespace was asked for.
	[ "$(readlink "/proc/$pid/ns/user")" = "$(readlink /proc/self/ns/user)" ]
	[ "$(cgroup_dir "$pid" memory)" != "$(cgroup_dir $$ memory)" ]
	[[ $(cgroup_dir "$pid" pids) == *"$CID"* ]]
}

@test "create --console-socket: the pty master is sent at create time" {
	require_cmd python3
	update_config '.process.terminal = true | .process.args = ["sh", "-c", "echo started-on-$(tty)"]'
	console_receiver "$BERTH_TEST_DIR/console.sock" "$BERTH_TEST_DIR/console.out"
	create_container "$CID" --console-socket "$BERTH_TEST_DIR/console.sock"
	[ "$(container_status "$CID")" = created ]
	run runtime start "$CID"
	[ "$status" -eq 0 ]
	console_wait
	[[ $(cat "$BERTH_TEST_DIR/console.out") == *started-on-/dev/pts/* ]]
}

@test "create: the same id twice fails the second time, the first is untouched" {
	update_config '.process.args = ["sleep", "100"]'
	create_container "$CID"
	local pid
	pid=$(container_pid "$CID")
	run_file runtime create -b "$BUNDLE" "$CID"
	[ "$status" -eq 1 ]
	[[ $output == *"container \"$CID\" already exists"* ]]
	[ "$(container_status "$CID")" = created ]
	[ "$(container_pid "$CID")" = "$pid" ]
}

@test "create: needs exactly one id" {
	run_file runtime create -b "$BUNDLE"
	[ "$status" -eq 1 ]
	[[ $output == *"requires exactly 1 argument"* ]]
	run_file runtime create -b "$BUNDLE" a b
	[ "$status" -eq 1 ]
	[[ $output == *"requires exactly 1 argument"* ]]
}

@test "create: an unknown flag fails" {
	run_file runtime create --no-such-flag -b "$BUNDLE" "$CID"
	[ "$status" -ne 0 ]
	[[ $output == *no-such-flag* ]]
	assert_nothing_left "$CID"
}

@test "create: a missing bundle fails with its path" {
	run_file runtime create -b "$BERTH_TEST_DIR/nonexistent" "$CID"
	[ "$status" -eq 1 ]
	[[ $output == *"$BERTH_TEST_DIR/nonexistent"* || $output == *"config.json"* ]]
	assert_nothing_left "$CID"
}
