#!/usr/bin/env bats
# linux.seccomp: actions, errno values, argument conditions, architectures,
# flags, bad input, and the SCMP_ACT_NOTIFY listener (a python agent that
# receives the listener fd and answers the notifications).

load helpers

setup() {
	berth_setup
	require_root
	make_bundle
}

# seccomp_mkdir ACTION [EXTRA JQ]: a filter that allows everything but
# mkdir/mkdirat, which get ACTION; EXTRA is applied to the rule.
seccomp_mkdir() {
	update_config '.linux.seccomp = {"defaultAction": "SCMP_ACT_ALLOW",
		"syscalls": [{"names": ["mkdir", "mkdirat"], "action": $a}]}' --arg a "$1"
}

# run_in_container SCRIPT: runs `sh -c SCRIPT` attached, bounded.
run_in_container() {
	update_config '.process.args = ["sh", "-c", $s]' --arg s "$1"
	run_file runtime run -b "$BUNDLE" "$CID"
}

# fails_and_leaves_nothing: the last run_file failed with a message and
# left nothing of $CID behind.
fails_and_leaves_nothing() {
	[ "$status" -ne 0 ] || fail "run succeeded, want a failure" || return 1
	[ -n "$output" ] || fail "no message" || return 1
	assert_nothing_left "$CID"
}

MKDIR_PROBE='mkdir /dev/shm/x && echo made; [ -d /dev/shm/x ] && echo exists; mkdir /dev/shm/y 2>/dev/null; echo done'

@test "seccomp: without a filter mkdir works (control)" {
	run_in_container "$MKDIR_PROBE"
	[ "$status" -eq 0 ]
	[[ $output == *made* ]]
	[[ $output == *exists* ]]
	run_in_container 'grep ^Seccomp: /proc/self/status'
	[[ $output =~ Seccomp:[[:space:]]+0 ]]
}

@test "seccomp: SCMP_ACT_ERRNO makes mkdir fail with EPERM; mode 2 in status" {
	seccomp_mkdir SCMP_ACT_ERRNO
	run_in_container "$MKDIR_PROBE; grep ^Seccomp: /proc/self/status"
	[ "$status" -eq 0 ]
	[[ $output == *"Operation not permitted"* ]]
	[[ $output != *made* ]]
	[[ $output != *exists* ]]
	[[ $output == *done* ]]
	[[ $output =~ Seccomp:[[:space:]]+2 ]]
}

@test "seccomp: errnoRet 38 makes mkdir fail with ENOSYS" {
	seccomp_mkdir SCMP_ACT_ERRNO
	update_config '.linux.seccomp.syscalls[0].errnoRet = 38'
	run_in_container "$MKDIR_PROBE"
	[ "$status" -eq 0 ]
	[[ $output == *"Function not implemented"* ]]
	[[ $output != *exists* ]]
}

@test "seccomp: defaultErrnoRet applies to what no rule allows" {
	local hdr=/usr/include/x86_64-linux-gnu/asm/unistd_64.h
	[[ $(uname -m) == x86_64 && -f $hdr ]] || skip "needs x86_64 and $hdr for the syscall list"
	# Allow every syscall the headers know except mkdir/mkdirat; those fall
	# to the default action, ERRNO with defaultErrnoRet 18 (EXDEV).
	local names
	names=$(awk '$1 == "#define" && $2 ~ /^__NR_/ { n = substr($2, 6); if (n != "mkdir" && n != "mkdirat") print n }' "$hdr" |
		jq -Rn '[inputs]')
	[[ $(jq length <<<"$names") -gt 300 ]]
	update_config '.linux.seccomp = {"defaultAction": "SCMP_ACT_ERRNO", "defaultErrnoRet": 18,
		"syscalls": [{"names": $n, "action": "SCMP_ACT_ALLOW"}]}' --argjson n "$names"
	run_in_container "$MKDIR_PROBE"
	[ "$status" -eq 0 ]
	[[ $output == *"Invalid cross-device link"* ]]
	[[ $output != *exists* ]]
	[[ $output == *done* ]]
}

@test "seccomp: an args condition: kill with signal 9 is denied, other signals are not" {
	update_config '.linux.seccomp = {"defaultAction": "SCMP_ACT_ALLOW",
		"syscalls": [{"names": ["kill"], "action": "SCMP_ACT_ERRNO",
			"args": [{"index": 1, "value": 9, "op": "SCMP_CMP_EQ"}]}]}'
	run_in_container 'sleep 30 & p=$!; kill -9 $p && echo k9-sent || echo k9-denied;
		kill -0 $p && echo k0-sent; kill -TERM $p && echo term-sent; wait $p; echo waited=$?'
	[ "$status" -eq 0 ]
	[[ $output == *k9-denied* ]]
	[[ $output == *"Operation not permitted"* ]]
	[[ $output == *k0-sent* ]]
	[[ $output == *term-sent* ]]
	[[ $output == *waited=143* ]]
}

@test "seccomp: SCMP_CMP_MASKED_EQ and two conditions on one rule" {
	# Deny kill when (signal & 12) == 8 and pid > 0: value is the mask,
	# valueTwo the datum; conditions of one rule must all hold.
	update_config '.linux.seccomp = {"defaultAction": "SCMP_ACT_ALLOW",
		"syscalls": [{"names": ["kill"], "action": "SCMP_ACT_ERRNO", "errnoRet": 38,
			"args": [{"index": 1, "value": 12, "valueTwo": 8, "op": "SCMP_CMP_MASKED_EQ"},
				{"index": 0, "value": 0, "op": "SCMP_CMP_GT"}]}]}'
	run_in_container 'sleep 30 & p=$!; kill -9 $p || echo k9-denied; kill -0 $p && echo k0-sent; kill -TERM $p && echo term-sent; wait $p; echo waited=$?'
	[ "$status" -eq 0 ]
	# 9 & 12 == 8: denied with ENOSYS; 0 & 12 == 0 and 15 & 12 == 12: allowed.
	[[ $output == *k9-denied* ]]
	[[ $output == *"Function not implemented"* ]]
	[[ $output == *k0-sent* ]]
	[[ $output == *term-sent* ]]
	[[ $output == *waited=143* ]]
}

@test "seccomp: SCMP_ACT_KILL_PROCESS kills the process with SIGSYS (exit 159)" {
	update_config '.linux.seccomp = {"defaultAction": "SCMP_ACT_ALLOW",
		"syscalls": [{"names": ["uname"], "action": "SCMP_ACT_KILL_PROCESS"}]}
		| .process.args = ["uname", "-a"]'
	run_file runtime run -b "$BUNDLE" "$CID"
	[ "$status" -eq 159 ]
	[[ $output != *Linux* ]]
}

@test "seccomp: architectures list with native and compat arches" {
	[[ $(uname -m) == x86_64 ]] || skip "arch list written for x86_64"
	seccomp_mkdir SCMP_ACT_ERRNO
	update_config '.linux.seccomp.architectures = ["SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32"]'
	run_in_container "$MKDIR_PROBE"
	[ "$status" -eq 0 ]
	[[ $output == *"Operation not permitted"* ]]
	[[ $output != *exists* ]]
}

@test "seccomp: an unknown architecture is an error naming it" {
	seccomp_mkdir SCMP_ACT_ERRNO
	update_config '.linux.seccomp.architectures = ["SCMP_ARCH_BERTH"]'
	run_in_container "$MKDIR_PROBE"
	fails_and_leaves_nothing
	[[ $output == *SCMP_ARCH_BERTH* ]]
}

@test "seccomp: flags SECCOMP_FILTER_FLAG_LOG and SPEC_ALLOW load the filter" {
	is_runc && skip "runc 1.1 refuses every seccomp flag"
	seccomp_mkdir SCMP_ACT_ERRNO
	update_config '.linux.seccomp.flags = ["SECCOMP_FILTER_FLAG_LOG", "SECCOMP_FILTER_FLAG_SPEC_ALLOW"]'
	run_in_container "$MKDIR_PROBE"
	[ "$status" -eq 0 ]
	[[ $output == *"Operation not permitted"* ]]
	[[ $output != *exists* ]]
}

@test "seccomp: an unknown flag is an error naming it" {
	is_runc && skip "runc 1.1 refuses every seccomp flag, without naming it"
	seccomp_mkdir SCMP_ACT_ERRNO
	update_config '.linux.seccomp.flags = ["SECCOMP_FILTER_FLAG_BERTH"]'
	run_in_container "$MKDIR_PROBE"
	fails_and_leaves_nothing
	[[ $output == *SECCOMP_FILTER_FLAG_BERTH* ]]
}

@test "seccomp: an unknown syscall name is skipped, the rest of the rule holds" {
	update_config '.linux.seccomp = {"defaultAction": "SCMP_ACT_ALLOW",
		"syscalls": [{"names": ["berth_no_such_syscall", "mkdir", "mkdirat"], "action": "SCMP_ACT_ERRNO"}]}'
	run_in_container "$MKDIR_PROBE"
	[ "$status" -eq 0 ]
	[[ $output == *"Operation not permitted"* ]]
	[[ $output != *exists* ]]
}

@test "seccomp: an unknown action is an error naming it, nothing left" {
	seccomp_mkdir SCMP_ACT_BERTH_BOGUS
	run_in_container "$MKDIR_PROBE"
	fails_and_leaves_nothing
	[[ $output == *SCMP_ACT_BERTH_BOGUS* ]]
	[[ $output != *done* ]]
	is_runc && return 0
	[[ $output == *seccomp* ]]
}

@test "seccomp: an unknown default action is an error naming it, nothing left" {
	seccomp_mkdir SCMP_ACT_ERRNO
	update_config '.linux.seccomp.defaultAction = "SCMP_ACT_BERTH_BOGUS"'
	run_in_container "$MKDIR_PROBE"
	fails_and_leaves_nothing
	[[ $output == *SCMP_ACT_BERTH_BOGUS* ]]
}

@test "seccomp: an unknown operator is an error naming it, nothing left" {
	update_config '.linux.seccomp = {"defaultAction": "SCMP_ACT_ALLOW",
		"syscalls": [{"names": ["kill"], "action": "SCMP_ACT_ERRNO",
			"args": [{"index": 1, "value": 9, "op": "SCMP_CMP_BERTH"}]}]}'
	run_in_container 'echo process-ran'
	fails_and_leaves_nothing
	[[ $output == *SCMP_CMP_BERTH* ]]
	[[ $output != *process-ran* ]]
}

@test "seccomp: an argument index above 5 is an error, nothing left" {
	update_config '.linux.seccomp = {"defaultAction": "SCMP_ACT_ALLOW",
		"syscalls": [{"names": ["kill"], "action": "SCMP_ACT_ERRNO",
			"args": [{"index": 6, "value": 9, "op": "SCMP_CMP_EQ"}]}]}'
	run_in_container 'echo process-ran'
	fails_and_leaves_nothing
	[[ $output != *process-ran* ]]
}

@test "seccomp: with noNewPrivileges false the filter still loads" {
	seccomp_mkdir SCMP_ACT_ERRNO
	update_config '.process.noNewPrivileges = false'
	run_in_container "$MKDIR_PROBE; grep -E '^(NoNewPrivs|Seccomp):' /proc/self/status"
	[ "$status" -eq 0 ]
	[[ $output == *"Operation not permitted"* ]]
	[[ $output != *exists* ]]
	[[ $output =~ NoNewPrivs:[[:space:]]+0 ]]
	[[ $output =~ Seccomp:[[:space:]]+2 ]]
}

@test "seccomp: a non-root user with noNewPrivileges false still gets the filter" {
	seccomp_mkdir SCMP_ACT_ERRNO
	update_config '.process.noNewPrivileges = false | .process.user = {"uid": 1000, "gid": 1000}'
	run_in_container "$MKDIR_PROBE"
	[ "$status" -eq 0 ]
	[[ $output == *"Operation not permitted"* ]]
	[[ $output != *exists* ]]
}

# seccomp_agent SOCKET OUT: starts (in the background, bounded) an agent on
# SOCKET that takes one connection, receives the listener fd and the
# container process state, writes the state JSON to OUT.json, and answers
# every notification with EXDEV (logging the syscall numbers to OUT.log)
# until the filter goes away. Sets AGENT_PID; waits until SOCKET exists.
seccomp_agent() {
	local sock=$1 out=$2 i
	timeout 40 python3 -c '
import errno, fcntl, json, os, select, socket, struct, sys, time
path, out = sys.argv[1], sys.argv[2]
srv = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
srv.bind(path)
srv.listen(1)
srv.settimeout(30)
conn, _ = srv.accept()
msg, fds, _, _ = socket.recv_fds(conn, 1 << 16, 4)
with open(out + ".json", "wb") as f:
    f.write(msg)
if not fds:
    sys.exit("no fd received")
with open(out + ".fds", "w") as f:
    f.write("%d\n" % len(fds))
fd = fds[0]
# sizeof(struct seccomp_notif) 80, of struct seccomp_notif_resp 24.
RECV = (3 << 30) | (80 << 16) | (ord("!") << 8) | 0
SEND = (3 << 30) | (24 << 16) | (ord("!") << 8) | 1
log = open(out + ".log", "a")
p = select.poll()
p.register(fd, select.POLLIN)
deadline = time.monotonic() + 30
while time.monotonic() < deadline:
    ev = p.poll(500)
    if not ev:
        continue
    if not ev[0][1] & select.POLLIN:
        break  # POLLHUP: no task uses the filter any more
    buf = bytearray(80)
    try:
        fcntl.ioctl(fd, RECV, buf)
    except OSError as e:
        if e.errno in (errno.ENOENT, errno.EINTR):
            continue
        raise
    nid, pid, _, nr = struct.unpack_from("=QIIi", buf)
    log.write("nr=%d\n" % nr)
    log.flush()
    try:
        fcntl.ioctl(fd, SEND, bytearray(struct.pack("=QqiI", nid, 0, -errno.EXDEV, 0)))
    except OSError as e:
        if e.errno != errno.ENOENT:  # the task died meanwhile
            raise
' "$sock" "$out" </dev/null >"$out.err" 2>&1 3>&- &
	AGENT_PID=$!
	for ((i = 0; i < 200; i++)); do
		[[ -S $sock ]] && return 0
		sleep 0.05
	done
	fail "seccomp agent did not listen on $sock"
}

@test "seccomp: SCMP_ACT_NOTIFY: the listener fd and state reach the agent, which answers" {
	require_cmd python3
	python3 -c 'import socket; socket.recv_fds' 2>/dev/null || skip "python3 lacks socket.recv_fds (3.9+)"
	local sock=$BERTH_TEST_DIR/agent.sock out=$BERTH_TEST_DIR/agent
	seccomp_agent "$sock" "$out"
	seccomp_mkdir SCMP_ACT_NOTIFY
	update_config '.linux.seccomp.listenerPath = $p | .linux.seccomp.listenerMetadata = "berth-meta"' --arg p "$sock"
	run_in_container "$MKDIR_PROBE"
	local st=$status
	wait "$AGENT_PID" || true
	cat "$out.err" "$out.json" "$out.log" >&2 || true
	[ "$st" -eq 0 ]
	[[ $output == *"Invalid cross-device link"* ]]
	[[ $output != *exists* ]]
	[[ $output == *done* ]]
	[ "$(cat "$out.fds")" = 1 ]
	# The message: ociVersion, fds naming the listener, pid, metadata, state.
	jq -e --arg id "$CID" --arg b "$BUNDLE" '.ociVersion != null and .fds == ["seccompFd"]
		and .metadata == "berth-meta" and .pid > 0
		and .state.id == $id and .state.bundle == $b and .state.ociVersion != null' "$out.json"
	# Both mkdirs (83 mkdir or 258 mkdirat on x86_64) were notified.
	[ "$(grep -c '^nr=' "$out.log")" -eq 2 ]
	assert_nothing_left "$CID"
}

@test "seccomp: SCMP_ACT_NOTIFY without a listenerPath is an error" {
	seccomp_mkdir SCMP_ACT_NOTIFY
	run_in_container "$MKDIR_PROBE"
	fails_and_leaves_nothing
	[[ $output != *done* ]]
	is_runc && return 0
	[[ $output == *listenerPath* ]]
}

@test "seccomp: a listenerPath nobody listens on fails create, nothing left" {
	seccomp_mkdir SCMP_ACT_NOTIFY
	update_config '.linux.seccomp.listenerPath = $p' --arg p "$BERTH_TEST_DIR/nobody.sock"
	run_in_container "$MKDIR_PROBE"
	fails_and_leaves_nothing
	[[ $output != *done* ]]
	[[ $output == *nobody.sock* ]]
}
