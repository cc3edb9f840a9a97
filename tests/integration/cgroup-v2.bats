#!/usr/bin/env bats
# Pure cgroup v2, as on current distributions. This host is hybrid, so every
# runtime command runs in a private mount namespace where /sys/fs/cgroup is
# the system's one cgroup2 hierarchy: the runtime then sees a pure v2 host
# (controllers that v1 holds are absent from it, so these tests use none of
# their resources; the device filter, freezer, kill and CLONE_INTO_CGROUP are
# all v2's own).

load helpers

setup() {
	berth_setup
	require_root
	[[ $(stat -fc %T /sys/fs/cgroup/unified 2>/dev/null) == cgroup2fs || $(stat -fc %T /sys/fs/cgroup) == cgroup2fs ]] ||
		skip "needs a cgroup2 hierarchy"
	make_bundle
}

# v2rt ARGS...: the runtime with /sys/fs/cgroup as pure cgroup2.
v2rt() {
	track_container "$@"
	unshare -m sh -c 'if [ "$(stat -fc %T /sys/fs/cgroup)" != cgroup2fs ]; then
			umount -l /sys/fs/cgroup && mount -t cgroup2 none /sys/fs/cgroup || exit 99
		fi
		exec "$@"' sh "$BERTH_RUNTIME" --root "$ROOT" "$@"
}

@test "cgroup v2: a container runs in its own cgroup, seen as / through its namespace" {
	update_config '.process.args = ["sh", "-c", "grep ^0:: /proc/self/cgroup; grep \" /sys/fs/cgroup \" /proc/self/mountinfo"]'
	run v2rt run -b "$BUNDLE" "$CID"
	echo "$output"
	[ "$status" -eq 0 ]
	[[ $output == *"0::/"* ]]
	[[ $output == *"- cgroup2 "* ]]
	# Removed on exit.
	[ ! -e "/sys/fs/cgroup/unified/$CID" ]
}

@test "cgroup v2: the device filter allows the default set and refuses the rest" {
	update_config '.root.readonly = false
		| .process.capabilities.bounding += ["CAP_MKNOD"] | .process.capabilities.effective += ["CAP_MKNOD"]
		| .process.capabilities.permitted += ["CAP_MKNOD"]
		| .process.args = ["sh", "-c", "echo x > /dev/null && echo null-ok; mknod /tmp/port c 1 4 && (head -c1 /tmp/port >/dev/null 2>&1 && echo port-readable || echo port-denied); rm -f /tmp/port"]'
	run v2rt run -b "$BUNDLE" "$CID"
	echo "$output"
	[ "$status" -eq 0 ]
	[[ $output == *null-ok* ]]
	[[ $output == *port-denied* ]]
}

@test "cgroup v2: pause freezes through cgroup.freeze, resume thaws, delete -f kills" {
	update_config '.process.args = ["sleep", "100"]'
	# The container keeps the stdio it is created with: give it none of bats'.
	v2rt create -b "$BUNDLE" "$CID" </dev/null >/dev/null 2>&1 3>&-
	run v2rt start "$CID"
	[ "$status" -eq 0 ]
	run v2rt pause "$CID"
	[ "$status" -eq 0 ]
	[ "$(cat "/sys/fs/cgroup/unified/$CID/cgroup.freeze")" = 1 ]
	run v2rt state "$CID"
	[[ $output == *'"paused"'* ]]
	run v2rt resume "$CID"
	[ "$status" -eq 0 ]
	[ "$(cat "/sys/fs/cgroup/unified/$CID/cgroup.freeze")" = 0 ]
	run v2rt ps --format json "$CID"
	[ "$status" -eq 0 ]
	[[ $output == \[*\] ]]
	run v2rt delete -f "$CID"
	[ "$status" -eq 0 ]
	[ ! -e "/sys/fs/cgroup/unified/$CID" ]
}
