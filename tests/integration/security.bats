#!/usr/bin/env bats
# Regression tests, one per known container-escape class the runtime must
# hold. Each runs the attack and checks that the host is untouched.

load helpers

setup() {
	berth_setup
	require_root
	make_bundle
}

# CVE-2019-5736: a container process that reaches the runtime's binary
# through /proc/<pid>/exe must find a sealed copy, not the host's file. A
# startContainer hook runs in the container while its pid 1 is still the
# runtime, which is exactly the window the exploit uses.
@test "security: the runtime binary cannot be reached from the container (CVE-2019-5736)" {
	local before after
	before=$(sha256sum "$BERTH_RUNTIME" | cut -d' ' -f1)
	cat >"$BUNDLE/rootfs/peek" <<-'EOF2'
		#!/bin/sh
		readlink /proc/1/exe > /tmp/exe-link
		{ echo pwned >> /proc/1/exe; } 2>/dev/null && echo wrote > /tmp/exe-write
		exit 0
	EOF2
	chmod 755 "$BUNDLE/rootfs/peek"
	update_config '.root.readonly = false | .hooks.startContainer = [{"path": "/peek"}]
		| .process.args = ["sh", "-c", "cat /tmp/exe-link; cat /tmp/exe-write 2>/dev/null; true"]'
	run runtime run -b "$BUNDLE" "$CID"
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" == *memfd:berth-runtime* ]]
	[[ "$output" != *wrote* ]]
	after=$(sha256sum "$BERTH_RUNTIME" | cut -d' ' -f1)
	[ "$before" = "$after" ]
}

# CVE-2024-21626: no fd of the runtime (or of its caller) reaches the
# process, and its cwd cannot be a host directory reached through one.
@test "security: no runtime fd reaches the container process (CVE-2024-21626)" {
	update_config '.process.args = ["sh", "-c", "ls /proc/self/fd | tr \"\\n\" \" \""]'
	# fd 7 is open in the caller and not close-on-exec: it must not leak.
	run runtime run -b "$BUNDLE" "$CID" 7</etc/hostname
	echo "$output"
	[ "$status" -eq 0 ]
	# ls itself holds fd 3 for the directory it reads.
	[ "$output" = "0 1 2 3 " ]
}

@test "security: --preserve-fds passes exactly the fds asked for" {
	update_config '.process.args = ["sh", "-c", "ls /proc/self/fd | tr \"\\n\" \" \""]'
	run runtime run --preserve-fds 1 -b "$BUNDLE" "$CID" 3</etc/hostname 4</etc/hostname
	echo "$output"
	[ "$status" -eq 0 ]
	# 0-2, the preserved 3, and ls's own directory fd (4); the caller's 4 is gone.
	[ "$output" = "0 1 2 3 4 " ]
}

@test "security: a cwd through a leaked /proc/self/fd path is refused (CVE-2024-21626)" {
	local fd
	echo host-secret >"$BERTH_TEST_DIR/marker"
	for fd in 3 4 5 6 7 8 9; do
		update_config '.process.cwd = $cwd | .process.args = ["sh", "-c", "cat marker 2>/dev/null; pwd"]' \
			--arg cwd "/proc/self/fd/$fd"
		# fd 7 in the caller is a host directory holding the marker.
		run runtime run -b "$BUNDLE" "$CID-$fd" 7<"$BERTH_TEST_DIR"
		echo "fd $fd: status $status: $output"
		[[ "$output" != *host-secret* ]]
		[[ "$output" != *"(unreachable)"* ]]
	done
}

# CVE-2021-30465: a mount target that is a symlink in the image must be
# resolved inside the rootfs, never on the host.
@test "security: a symlinked mount target stays inside the rootfs (CVE-2021-30465)" {
	local host=$BERTH_TEST_DIR/host-target
	mkdir -p "$host"
	ln -s "$host" "$BUNDLE/rootfs/evil-abs"
	ln -s "../../../../../../../../$host" "$BUNDLE/rootfs/evil-rel"
	update_config '.mounts += [{"destination": "/evil-abs", "type": "tmpfs", "source": "tmpfs"},
		{"destination": "/evil-rel/sub", "type": "tmpfs", "source": "tmpfs"}]
		| .process.args = ["sh", "-c", "touch /evil-abs/marker /evil-rel/sub/marker && echo ok"]'
	run runtime run -b "$BUNDLE" "$CID"
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" == *ok* ]]
	[ ! -e "$host/marker" ]
	[ ! -e "$host/sub" ]
	! grep -qF "$host" /proc/self/mountinfo
}

@test "security: proc is refused on a target reached through a symlink (CVE-2019-19921)" {
	rmdir "$BUNDLE/rootfs/proc"
	mkdir "$BUNDLE/rootfs/fakeproc"
	ln -s /fakeproc "$BUNDLE/rootfs/proc"
	update_config '.process.args = ["true"]'
	run runtime run -b "$BUNDLE" "$CID"
	echo "$output"
	[ "$status" -ne 0 ]
	[[ "$output" == *symlink* ]]
	[ ! -d "$ROOT/$CID" ]
}

@test "security: masked and read-only paths are in place when the process starts" {
	update_config '.process.args = ["sh", "-c", "echo kcore=$(head -c 16 /proc/kcore | wc -c); (echo 1 > /proc/sys/kernel/ns_last_pid) 2>/dev/null && echo sys-writable; grep -c \" /proc/sys ro,\" /proc/self/mountinfo"]'
	run runtime run -b "$BUNDLE" "$CID"
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" == *kcore=0* ]]
	[[ "$output" != *sys-writable* ]]
	[[ "${lines[-1]}" -ge 1 ]]
}

@test "security: no capability beyond the config's survives in the process" {
	update_config '.process.capabilities = {"bounding": ["CAP_KILL"], "effective": ["CAP_KILL"], "permitted": ["CAP_KILL"]}
		| .process.args = ["sh", "-c", "grep -E \"^Cap(Eff|Prm|Bnd|Amb|Inh)\" /proc/self/status"]'
	run runtime run -b "$BUNDLE" "$CID"
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" == *"CapEff:	0000000000000020"* ]]
	[[ "$output" == *"CapBnd:	0000000000000020"* ]]
	[[ "$output" == *"CapInh:	0000000000000000"* ]]
	[[ "$output" == *"CapAmb:	0000000000000000"* ]]
}
