#!/usr/bin/env bats
# config.json's process object (user, env, cwd, capabilities,
# noNewPrivileges, rlimits, oomScoreAdj, ioPriority, scheduler, terminal and
# consoleSize, args) and the linux fields that shape the process: personality,
# hostname, domainname, apparmorProfile and selinuxLabel. Each test runs the
# container and reads the setting back from inside.

load helpers

setup() {
	berth_setup
	require_root
	make_bundle
}

# run_in_container SCRIPT: sets process.args to `sh -c SCRIPT` and runs the
# bundle attached, bounded; $status and $output as run_file sets them.
run_in_container() {
	update_config '.process.args = ["sh", "-c", $s]' --arg s "$1"
	run_file runtime run -b "$BUNDLE" "$CID"
}

# fails_and_leaves_nothing: the last run_file failed, said something, and
# left no state, cgroup or mount of $CID.
fails_and_leaves_nothing() {
	[ "$status" -ne 0 ] || fail "run succeeded, want a failure" || return 1
	[ -n "$output" ] || fail "no message" || return 1
	assert_nothing_left "$CID"
}

@test "process: user uid, gid and additionalGids are the process's ids" {
	update_config '.process.user = {"uid": 1000, "gid": 1001, "additionalGids": [10, 20, 1001]}'
	run_in_container 'echo "u=$(id -u) g=$(id -g) G=$(id -G)"'
	[ "$status" -eq 0 ]
	# id -G lists the primary gid first, then the supplementary ones.
	[[ $output == "u=1000 g=1001 G=1001 "* ]]
	[[ $(tr ' ' '\n' <<<"${output#*G=}" | sort -n | tr '\n' ' ') == "10 20 1001 " ]]
}

@test "process: without additionalGids a non-root user has no supplementary groups" {
	update_config '.process.user = {"uid": 1000, "gid": 1000}'
	run_in_container 'cat /proc/self/status | grep ^Groups:'
	[ "$status" -eq 0 ]
	[[ $output =~ ^Groups:[[:space:]]*$ ]]
}

@test "process: user.umask is the process's umask; without it 0022" {
	update_config '.process.user.umask = 23'
	run_in_container 'umask'
	[ "$status" -eq 0 ]
	[ "$output" = 0027 ]

	update_config 'del(.process.user.umask)'
	CID=$(new_cid) run_in_container 'umask'
	[ "$status" -eq 0 ]
	[ "$output" = 0022 ]
}

@test "process: env is exactly the config's; cwd is the working directory" {
	update_config '.process.env = ["PATH=/bin", "BERTH_A=one", "BERTH_B=two words"] | .process.cwd = "/dev/shm"'
	run_in_container 'echo "$BERTH_A|$BERTH_B"; pwd; env | grep -c ^BERTH_'
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "one|two words" ]
	[ "${lines[1]}" = /dev/shm ]
	[ "${lines[2]}" = 2 ]
}

# Not in the spec, but runc (and crun) create it, and images rely on that.
@test "process: a cwd that does not exist in the rootfs is created (read-write root)" {
	update_config '.root.readonly = false | .process.cwd = "/var/berth/work"'
	run_in_container 'pwd'
	[ "$status" -eq 0 ]
	[ "$output" = /var/berth/work ]
}

# Capability bits: CAP_CHOWN 0, CAP_KILL 5, CAP_SETUID 7, CAP_NET_RAW 13.
@test "process: capabilities: bounding, inheritable and ambient sets as configured (root)" {
	update_config '.process.capabilities = {
			"bounding": ["CAP_CHOWN", "CAP_KILL", "CAP_SETUID", "CAP_NET_RAW"],
			"effective": ["CAP_KILL"],
			"permitted": ["CAP_KILL", "CAP_NET_RAW"],
			"inheritable": ["CAP_NET_RAW"],
			"ambient": ["CAP_NET_RAW"]}'
	run_in_container 'grep ^Cap /proc/self/status'
	[ "$status" -eq 0 ]
	[[ $output == *"CapBnd:	00000000000020a1"* ]]
	[[ $output == *"CapInh:	0000000000002000"* ]]
	[[ $output == *"CapAmb:	0000000000002000"* ]]
	# uid 0 execs with the file's sets taken as full, so permitted would be
	# inheritable | bounding (capabilities(7)); under noNewPrivileges (on in
	# the fixture) exec cannot gain, so it stays the configured permitted set,
	# and effective follows it.
	[[ $output == *"CapPrm:	0000000000002020"* ]]
	[[ $output == *"CapEff:	0000000000002020"* ]]
}

@test "process: capabilities: a non-root user keeps exactly the ambient set across exec" {
	update_config '.process.user = {"uid": 1000, "gid": 1000}
		| .process.capabilities = {
			"bounding": ["CAP_CHOWN", "CAP_KILL", "CAP_NET_RAW"],
			"effective": ["CAP_KILL", "CAP_NET_RAW"],
			"permitted": ["CAP_KILL", "CAP_NET_RAW"],
			"inheritable": ["CAP_KILL", "CAP_NET_RAW"],
			"ambient": ["CAP_NET_RAW"]}'
	run_in_container 'grep ^Cap /proc/self/status'
	[ "$status" -eq 0 ]
	[[ $output == *"CapBnd:	0000000000002021"* ]]
	[[ $output == *"CapInh:	0000000000002020"* ]]
	[[ $output == *"CapAmb:	0000000000002000"* ]]
	[[ $output == *"CapPrm:	0000000000002000"* ]]
	[[ $output == *"CapEff:	0000000000002000"* ]]
}

@test "process: capabilities: without ambient a non-root user has none after exec" {
	update_config '.process.user = {"uid": 1000, "gid": 1000}
		| .process.capabilities = {"bounding": ["CAP_KILL"], "effective": ["CAP_KILL"],
			"permitted": ["CAP_KILL"], "inheritable": ["CAP_KILL"]}'
	run_in_container 'grep ^Cap /proc/self/status'
	[ "$status" -eq 0 ]
	[[ $output == *"CapBnd:	0000000000000020"* ]]
	[[ $output == *"CapInh:	0000000000000020"* ]]
	[[ $output == *"CapAmb:	0000000000000000"* ]]
	[[ $output == *"CapPrm:	0000000000000000"* ]]
	[[ $output == *"CapEff:	0000000000000000"* ]]
}

# The kernel refuses to raise an ambient cap that is not inheritable and
# permitted. runc drops it silently; failing and naming it would be fine too,
# but the process must never run with it.
@test "process: capabilities: an ambient cap not in inheritable is never raised" {
	update_config '.process.capabilities = {"bounding": ["CAP_KILL", "CAP_NET_RAW"],
			"effective": ["CAP_KILL", "CAP_NET_RAW"], "permitted": ["CAP_KILL", "CAP_NET_RAW"],
			"inheritable": ["CAP_KILL"], "ambient": ["CAP_NET_RAW"]}'
	run_in_container 'grep ^CapAmb /proc/self/status'
	if [ "$status" -eq 0 ]; then
		[ "$output" = "CapAmb:	0000000000000000" ]
	else
		fails_and_leaves_nothing
		[[ $output == *ambient* ]]
		[[ $output == *CAP_NET_RAW* ]]
	fi
}

# runc warns and goes on (a newer config on an older kernel); either way the
# name must be in the output, and the process must not get a cap by it.
@test "process: capabilities: an unknown capability name is named (warning or error)" {
	update_config '.process.capabilities.bounding += ["CAP_BERTH_BOGUS"]'
	run_in_container 'grep ^CapBnd /proc/self/status'
	[[ $output == *CAP_BERTH_BOGUS* ]]
	if [ "$status" -eq 0 ]; then
		# CAP_AUDIT_WRITE, CAP_KILL, CAP_NET_BIND_SERVICE: the fixture's three.
		[[ $output == *"CapBnd:	0000000020000420"* ]]
	else
		assert_nothing_left "$CID"
	fi
}

@test "process: noNewPrivileges true sets NoNewPrivs, false leaves it 0" {
	run_in_container 'grep ^NoNewPrivs: /proc/self/status'
	[ "$status" -eq 0 ]
	[[ $output =~ ^NoNewPrivs:[[:space:]]+1$ ]]

	update_config '.process.noNewPrivileges = false'
	CID=$(new_cid) run_in_container 'grep ^NoNewPrivs: /proc/self/status'
	[ "$status" -eq 0 ]
	[[ $output =~ ^NoNewPrivs:[[:space:]]+0$ ]]
}

@test "process: rlimits: RLIMIT_NOFILE soft and hard as configured" {
	update_config '.process.rlimits = [{"type": "RLIMIT_NOFILE", "soft": 321, "hard": 654},
		{"type": "RLIMIT_CORE", "soft": 0, "hard": 4096}]'
	run_in_container 'ulimit -n; ulimit -Hn; ulimit -Hc'
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = 321 ]
	[ "${lines[1]}" = 654 ]
	# ash prints the core limit in 512-byte blocks... or KiB: accept either.
	[[ ${lines[2]} == 8 || ${lines[2]} == 4 ]]
}

@test "process: rlimits: a soft limit above the hard one fails" {
	update_config '.process.rlimits = [{"type": "RLIMIT_NOFILE", "soft": 2048, "hard": 1024}]'
	run_in_container 'ulimit -n'
	fails_and_leaves_nothing
	is_runc && return 0
	[[ $output == *rlimits* ]]
	[[ $output == *2048* ]]
}

@test "process: rlimits: a hard limit above ours needs CAP_SYS_RESOURCE, fails naming it and leaves nothing" {
	local hard
	hard=$(ulimit -Hn)
	[[ $hard != unlimited ]] || skip "our RLIMIT_NOFILE hard limit is unlimited"
	grep -q '^CapEff:.*' /proc/self/status
	# Bit 24 is CAP_SYS_RESOURCE: with it, raising the limit would work.
	if (($(printf '%d' "0x$(awk '/^CapEff:/ { print $2 }' /proc/self/status)") & (1 << 24))); then
		skip "we have CAP_SYS_RESOURCE, the limit can be raised"
	fi
	local want=$((hard * 2))
	update_config '.process.rlimits = [{"type": "RLIMIT_NOFILE", "soft": $n, "hard": $n}]' --argjson n "$want"
	run_in_container 'ulimit -Hn'
	fails_and_leaves_nothing
	is_runc && return 0 # runc: "error setting rlimit type 7: operation not permitted"
	[[ $output == *CAP_SYS_RESOURCE* ]]
	[[ $output == *RLIMIT_NOFILE* ]]
	[[ $output == *"$want"* ]]
}

@test "process: oomScoreAdj: a positive value is the process's oom_score_adj" {
	update_config '.process.oomScoreAdj = 345'
	run_in_container 'cat /proc/self/oom_score_adj'
	[ "$status" -eq 0 ]
	[ "$output" = 345 ]
}

@test "process: oomScoreAdj: a value below ours needs CAP_SYS_RESOURCE and fails clearly" {
	if (($(printf '%d' "0x$(awk '/^CapEff:/ { print $2 }' /proc/self/status)") & (1 << 24))); then
		skip "we have CAP_SYS_RESOURCE, lowering oom_score_adj would work"
	fi
	local ours
	ours=$(cat /proc/self/oom_score_adj)
	((ours > -1000)) || skip "our oom_score_adj is already -1000"
	update_config '.process.oomScoreAdj = $n' --argjson n "$((ours - 500 < -1000 ? -1000 : ours - 500))"
	run_in_container 'cat /proc/self/oom_score_adj'
	fails_and_leaves_nothing
	is_runc && return 0 # runc: "write /proc/self/oom_score_adj: permission denied"
	[[ $output == *oomScoreAdj* ]]
	[[ $output == *CAP_SYS_RESOURCE* ]]
}

@test "process: ioPriority: IOPRIO_CLASS_BE priority 6" {
	is_runc && skip "runc 1.1 ignores process.ioPriority"
	[[ -e $BUNDLE/rootfs/bin/ionice ]] || skip "busybox in the fixture has no ionice applet"
	update_config '.process.ioPriority = {"class": "IOPRIO_CLASS_BE", "priority": 6}'
	run_in_container 'ionice -p $$'
	[ "$status" -eq 0 ]
	[ "$output" = "best-effort: prio 6" ]
}

@test "process: ioPriority: IOPRIO_CLASS_IDLE" {
	is_runc && skip "runc 1.1 ignores process.ioPriority"
	[[ -e $BUNDLE/rootfs/bin/ionice ]] || skip "busybox in the fixture has no ionice applet"
	update_config '.process.ioPriority = {"class": "IOPRIO_CLASS_IDLE", "priority": 0}'
	run_in_container 'ionice -p $$'
	[ "$status" -eq 0 ]
	[[ $output == idle* ]]
}

@test "process: ioPriority: an unknown class fails and names it" {
	is_runc && skip "runc 1.1 ignores process.ioPriority"
	update_config '.process.ioPriority = {"class": "IOPRIO_CLASS_BOGUS", "priority": 1}'
	run_in_container 'true'
	fails_and_leaves_nothing
	[[ $output == *IOPRIO_CLASS_BOGUS* ]]
}

@test "process: scheduler: SCHED_BATCH is the process's policy" {
	is_runc && skip "runc 1.1 ignores process.scheduler"
	update_config '.process.scheduler = {"policy": "SCHED_BATCH", "nice": 5}'
	# /proc/PID/stat field 41 is the policy (SCHED_BATCH = 3), 19 the nice.
	run_in_container 'grep ^policy /proc/self/sched; cut -d" " -f19,41 /proc/self/stat'
	[ "$status" -eq 0 ]
	[[ ${lines[0]} =~ ^policy[[:space:]]+:[[:space:]]+3$ ]]
	[ "${lines[1]}" = "5 3" ]
}

@test "process: scheduler: an unknown policy fails and names it" {
	is_runc && skip "runc 1.1 ignores process.scheduler"
	update_config '.process.scheduler = {"policy": "SCHED_BOGUS"}'
	run_in_container 'true'
	fails_and_leaves_nothing
	[[ $output == *SCHED_BOGUS* ]]
}

@test "process: linux.personality LINUX32 makes uname -m print i686" {
	is_runc && skip "runc 1.1 ignores linux.personality"
	[[ $(uname -m) == x86_64 ]] || skip "LINUX32 check written for x86_64 hosts"
	update_config '.linux.personality = {"domain": "LINUX32"}'
	run_in_container 'uname -m'
	[ "$status" -eq 0 ]
	[ "$output" = i686 ]
}

@test "process: linux.personality: an unknown domain fails and names it" {
	is_runc && skip "runc 1.1 ignores linux.personality"
	update_config '.linux.personality = {"domain": "BERTH_BOGUS"}'
	run_in_container 'true'
	fails_and_leaves_nothing
	[[ $output == *BERTH_BOGUS* ]]
}

@test "process: hostname is set in the UTS namespace" {
	update_config '.hostname = "box-1"'
	run_in_container 'hostname; cat /proc/sys/kernel/hostname'
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = box-1 ]
	[ "${lines[1]}" = box-1 ]
	[ "$(hostname)" != box-1 ] # the host's is untouched
}

@test "process: domainname is set in the UTS namespace" {
	is_runc && skip "runc 1.1 ignores domainname"
	update_config '.domainname = "berth.example"'
	run_in_container 'cat /proc/sys/kernel/domainname'
	[ "$status" -eq 0 ]
	[ "$output" = berth.example ]
	[ "$(cat /proc/sys/kernel/domainname)" != berth.example ] # the host's is untouched
}

@test "process: terminal with consoleSize: stty size prints rows and columns" {
	require_cmd python3
	update_config '.process.terminal = true | .process.consoleSize = {"height": 37, "width": 111}
		| .process.args = ["sh", "-c", "echo size=$(stty size)"]'
	console_receiver "$BERTH_TEST_DIR/console.sock" "$BERTH_TEST_DIR/console.out"
	run_file runtime run -d --console-socket "$BERTH_TEST_DIR/console.sock" -b "$BUNDLE" "$CID"
	[ "$status" -eq 0 ]
	console_wait
	cat "$BERTH_TEST_DIR/console.out.log" >&2 || true
	run cat "$BERTH_TEST_DIR/console.out"
	echo "$output"
	[[ $output == *"size=37 111"* ]]
}

@test "process: apparmorProfile on a host without AppArmor fails naming the field" {
	if [[ $(cat /sys/module/apparmor/parameters/enabled 2>/dev/null) == Y ]]; then
		skip "AppArmor is enabled on this host"
	fi
	update_config '.process.apparmorProfile = "berth-test-profile"'
	run_in_container 'echo ran'
	fails_and_leaves_nothing
	[[ $output != *ran* ]]
	is_runc && return 0
	[[ $output == *apparmorProfile* ]]
}

@test "process: selinuxLabel on a host without SELinux fails naming the field" {
	[[ ! -e /sys/fs/selinux/enforce ]] || skip "SELinux is enabled on this host"
	update_config '.process.selinuxLabel = "system_u:system_r:container_t:s0:c1,c2"'
	run_in_container 'echo ran'
	fails_and_leaves_nothing
	[[ $output != *ran* ]]
	is_runc && return 0
	[[ $output == *selinuxLabel* ]]
}

@test "process: args[0] not found: exit 127, executable file not found" {
	update_config '.process.args = ["berth-no-such-cmd"]'
	run_file runtime run -b "$BUNDLE" "$CID"
	[ "$status" -ne 0 ]
	[[ $output == *"executable file not found"* ]]
	[[ $output == *berth-no-such-cmd* ]]
	assert_nothing_left "$CID"
	is_runc && return 0 # runc fails create and exits 1
	[ "$status" -eq 127 ]
}

@test "process: args[0] not executable: exit 126" {
	printf '#!/bin/sh\necho should-not-run\n' >"$BUNDLE/rootfs/bin/noexec.sh"
	chmod 0644 "$BUNDLE/rootfs/bin/noexec.sh"
	update_config '.process.args = ["/bin/noexec.sh"]'
	run_file runtime run -b "$BUNDLE" "$CID"
	[ "$status" -ne 0 ]
	[[ $output != *should-not-run* ]]
	[[ $output == *"/bin/noexec.sh"* ]]
	assert_nothing_left "$CID"
	is_runc && return 0 # runc fails create and exits 1
	[ "$status" -eq 126 ]
}
