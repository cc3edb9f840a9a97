#!/usr/bin/env bats
# The default device nodes, linux.devices and the devices cgroup
# (linux.resources.devices): what exists in /dev and what may be opened.

load helpers

setup() {
	berth_setup
	require_root
	make_bundle
}

# set_script SCRIPT: the process runs `sh -c SCRIPT`.
set_script() {
	update_config '.process.args = ["sh", "-c", $s]' --arg s "$1"
}

@test "devices: the default device nodes exist with their numbers" {
	set_script 'for d in null zero full random urandom tty; do echo "$d $(stat -c "%F %t:%T %a" /dev/$d)"; done'
	run_file runtime run -b "$BUNDLE" "$CID"
	[ "$status" -eq 0 ]
	# stat prints the numbers in hex.
	[ "${lines[0]}" = "null character special file 1:3 666" ]
	[ "${lines[1]}" = "zero character special file 1:5 666" ]
	[ "${lines[2]}" = "full character special file 1:7 666" ]
	[ "${lines[3]}" = "random character special file 1:8 666" ]
	[ "${lines[4]}" = "urandom character special file 1:9 666" ]
	[ "${lines[5]}" = "tty character special file 5:0 666" ]
}

@test "devices: the default device nodes are usable under a deny-all devices cgroup" {
	set_script 'echo x > /dev/null && echo null-ok; head -c 4 /dev/zero | wc -c; head -c 4 /dev/urandom | wc -c; head -c 4 /dev/random | wc -c; echo x > /dev/full || echo full-refused'
	run_file runtime run -b "$BUNDLE" "$CID"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = null-ok ]
	[ "${lines[1]}" = 4 ]
	[ "${lines[2]}" = 4 ]
	[ "${lines[3]}" = 4 ]
	[[ $output == *"No space left on device"* ]]
	[ "${lines[-1]}" = full-refused ]
}

@test "devices: /dev/ptmx, /dev/fd and the stdio links" {
	set_script 'for l in ptmx fd stdin stdout stderr; do echo "$l -> $(readlink /dev/$l)"; done'
	run_file runtime run -b "$BUNDLE" "$CID"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "ptmx -> pts/ptmx" ]
	[ "${lines[1]}" = "fd -> /proc/self/fd" ]
	[ "${lines[2]}" = "stdin -> /proc/self/fd/0" ]
	[ "${lines[3]}" = "stdout -> /proc/self/fd/1" ]
	[ "${lines[4]}" = "stderr -> /proc/self/fd/2" ]
}

@test "devices: linux.devices makes a node with fileMode, uid and gid" {
	update_config '.linux.devices = [{"path": "/dev/mynull", "type": "c", "major": 1, "minor": 3,
			"fileMode": 432, "uid": 1000, "gid": 1000}]
		| .linux.resources.devices += [{"allow": true, "type": "c", "major": 1, "minor": 3, "access": "rwm"}]
		| .process.user = {"uid": 1000, "gid": 1000}'
	# Written as its owner: root here has no CAP_DAC_OVERRIDE.
	set_script 'stat -c "%F %t:%T %a %u:%g" /dev/mynull; echo hello > /dev/mynull && echo wrote; cat /dev/mynull | wc -c'
	run_file runtime run -b "$BUNDLE" "$CID"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "character special file 1:3 660 1000:1000" ]
	[ "${lines[1]}" = wrote ]
	[ "${lines[2]}" = 0 ]
}

@test "devices: a linux.devices node in a new subdirectory" {
	update_config '.linux.devices = [{"path": "/dev/sub/dir/myzero", "type": "c", "major": 1, "minor": 5, "fileMode": 438}]'
	set_script 'stat -c "%F %t:%T %a" /dev/sub/dir/myzero; head -c 3 /dev/sub/dir/myzero | wc -c'
	run_file runtime run -b "$BUNDLE" "$CID"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "character special file 1:5 666" ]
	[ "${lines[1]}" = 3 ]
}

@test "devices: a linux.devices node with no allow rule cannot be opened" {
	# 10:229 is /dev/fuse, which no default rule allows and which opens
	# without any capability; only the cgroup can refuse it.
	update_config '.linux.devices = [{"path": "/dev/myfuse", "type": "c", "major": 10, "minor": 229, "fileMode": 438}]'
	set_script '[ -c /dev/myfuse ] && echo exists; (exec 3</dev/myfuse) && echo OPENED || echo refused'
	run_file runtime run -b "$BUNDLE" "$CID"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = exists ]
	[[ $output == *"Operation not permitted"* ]]
	[[ $output != *OPENED* ]]
	[ "${lines[-1]}" = refused ]
}

@test "devices: a node made inside the container is refused by the devices cgroup" {
	update_config '.process.capabilities.bounding += ["CAP_MKNOD"]
		| .process.capabilities.effective += ["CAP_MKNOD"]
		| .process.capabilities.permitted += ["CAP_MKNOD"]'
	# /dev (the fixture's tmpfs) is not nodev, so only the cgroup can refuse;
	# 10:229 (fuse, opened without capabilities) is not allowed, 1:3 (null) is.
	set_script 'mknod /dev/x c 10 229 && echo made; (exec 3</dev/x) && echo OPENED || echo refused; mknod /dev/y c 1 3 && echo hi > /dev/y && echo null-ok'
	run_file runtime run -b "$BUNDLE" "$CID"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = made ]
	[[ $output == *"Operation not permitted"* ]]
	[[ $output == *refused* ]]
	[[ $output != *OPENED* ]]
	[ "${lines[-1]}" = null-ok ]
}

@test "devices: an allow rule for a node made inside opens it" {
	update_config '.process.capabilities.bounding += ["CAP_MKNOD"]
		| .process.capabilities.effective += ["CAP_MKNOD"]
		| .process.capabilities.permitted += ["CAP_MKNOD"]
		| .linux.resources.devices += [{"allow": true, "type": "c", "major": 10, "minor": 229, "access": "rw"}]'
	set_script 'mknod /dev/x c 10 229 && exec 3</dev/x && echo opened'
	run_file runtime run -b "$BUNDLE" "$CID"
	[ "$status" -eq 0 ]
	[ "${lines[-1]}" = opened ]
}

@test "devices: an unknown device type is an error that leaves nothing" {
	update_config '.linux.devices = [{"path": "/dev/bad", "type": "x", "major": 1, "minor": 3}] | .process.args = ["true"]'
	run_file runtime run -b "$BUNDLE" "$CID"
	[ "$status" -ne 0 ]
	assert_nothing_left "$CID"
	is_runc && return 0
	[[ $output == *type* ]]
}

@test "devices: a device path outside /dev is an error or stays inside the rootfs" {
	update_config '.linux.devices = [{"path": "/dev/../../escape-null", "type": "c", "major": 1, "minor": 3}] | .process.args = ["true"]'
	run_file runtime run -b "$BUNDLE" "$CID"
	[ ! -e /escape-null ]
	[ ! -e "$BUNDLE/escape-null" ]
}
