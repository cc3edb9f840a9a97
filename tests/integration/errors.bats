#!/usr/bin/env bats
# Bad input: every case fails with a message that says what is wrong and
# leaves nothing behind -- no state under --root, no cgroup named after the
# container, no mount of the test's files.

load helpers

setup() {
	berth_setup
	require_root
	make_bundle
	update_config '.process.args = ["true"]'
}

# fails_cleanly VERB: `VERB -b $BUNDLE $CID` fails (status 1) and leaves
# nothing; the output is in $output for further checks.
fails_cleanly() {
	run_file runtime "$1" -b "$BUNDLE" "$CID"
	[ "$status" -eq 1 ] || fail "$1 exited $status, want 1" || return 1
	[ -n "$output" ] || fail "no message" || return 1
	assert_nothing_left "$CID" || return 1
	local ids
	ids=$("$BERTH_RUNTIME" --root "$ROOT" list -q)
	[[ $ids != *"$CID"* ]] || fail "list still shows $CID"
}

@test "errors: no config.json in the bundle" {
	rm "$BUNDLE/config.json"
	fails_cleanly create
	[[ $output == *config.json* ]]
	fails_cleanly run
}

@test "errors: malformed config.json names the line and column" {
	printf '{\n  "ociVersion": "1.0.2",\n  "process": {,\n}\n' >"$BUNDLE/config.json"
	fails_cleanly create
	[[ $output == *config.json* ]]
	# berth-runtime names where (runc does not: it says "invalid character").
	[[ $output == *line*3* ]]
	[[ $output == *column* ]]
}

@test "errors: config.json of the wrong type" {
	update_config '.process.args = "true"'
	fails_cleanly create
	[[ $output == *args* ]]
}

@test "errors: an unknown namespace type" {
	update_config '.linux.namespaces += [{"type": "nosuchns"}]'
	fails_cleanly create
	[[ $output == *nosuchns* ]]
}

@test "errors: a namespace path that does not exist" {
	update_config '.linux.namespaces |= map(if .type == "network" then .path = "/proc/999999999/ns/net" else . end)'
	fails_cleanly create
	[[ $output == *"/proc/999999999/ns/net"* ]]
}

@test "errors: a memory limit of 12 bytes" {
	update_config '.linux.resources.memory = {"limit": 12}'
	fails_cleanly run
	[[ $output == *memory* ]]
}

@test "errors: a cpu quota below the kernel's minimum" {
	update_config '.linux.resources.cpu = {"quota": 500, "period": 100000}'
	fails_cleanly run
	[[ $output == *quota* || $output == *cpu* ]]
}

# (A quota with period 0 is not one: runc and berth take 0 as the default period.)
@test "errors: a cpuset naming a CPU this machine does not have" {
	update_config '.linux.resources.cpu = {"cpus": "4095"}'
	fails_cleanly run
	[[ $output == *cpuset.cpus* ]]
}

@test "errors: an id that already exists" {
	update_config '.process.args = ["sleep", "100"]'
	create_container "$CID"
	local pid
	pid=$(container_pid "$CID")
	run_file runtime create -b "$BUNDLE" "$CID"
	[ "$status" -eq 1 ]
	[[ $output == *"container \"$CID\" already exists"* ]]
	# The first one is untouched.
	[ "$(container_status "$CID")" = created ]
	[ "$(container_pid "$CID")" = "$pid" ]
	[ "$(ls -A "$ROOT")" = "$CID" ]
}

@test "errors: ids with a slash, dot-dot or nothing" {
	local id
	for id in "a/b" "../$CID" "." ""; do
		run_file runtime create -b "$BUNDLE" "$id"
		[ "$status" -eq 1 ]
		[[ $output == *id* ]]
		[ -z "$(ls -A "$ROOT")" ]
	done
	[ ! -e "$BERTH_TEST_DIR/$CID" ]
	[ ! -e "$ROOT/a" ]
}

@test "errors: a missing rootfs" {
	rm -rf "$BUNDLE/rootfs"
	fails_cleanly create
	[[ $output == *rootfs* ]]
}

@test "errors: a mount of an unknown filesystem type" {
	update_config '.mounts += [{"destination": "/mnt", "type": "nosuchfs", "source": "none"}]'
	fails_cleanly run
	[[ $output == */mnt* ]]
}

@test "errors: a process cwd that is a file" {
	update_config '.process.cwd = "/bin/busybox"'
	fails_cleanly run
}

@test "errors: a hostname without a UTS namespace would change the host's: refused" {
	update_config '.linux.namespaces |= map(select(.type != "uts"))'
	fails_cleanly run
	[[ $output == *"no UTS namespace"* ]]
	[ "$(hostname)" != berth ]
}

@test "errors: sysctls that are not namespaced, or lack their namespace, are refused" {
	update_config '.linux.sysctl = {"kernel.nosuchthing": "1"}'
	fails_cleanly run
	[[ $output == *"not a namespaced sysctl"* ]]
	update_config '.linux.sysctl = {"net.ipv4.ip_forward": "1"} | .linux.namespaces |= map(select(.type != "network"))'
	fails_cleanly run
	[[ $output == *"network namespace"* ]]
}
