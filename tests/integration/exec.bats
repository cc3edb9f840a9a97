#!/usr/bin/env bats
# exec: another process in a running container, from flags (over the
# container's own process) or from a process.json.

load helpers

setup() {
	berth_setup
	require_root
	make_bundle
	update_config '.process.args = ["sleep", "100"] | .process.env += ["FROM_CONFIG=yes"]'
	run_detached "$CID"
}

@test "exec: output and exit status 0" {
	run_file runtime exec "$CID" echo hello-exec
	[ "$status" -eq 0 ]
	[ "$output" = hello-exec ]
}

@test "exec: the exit status is passed on" {
	run_file runtime exec "$CID" sh -c 'exit 7'
	[ "$status" -eq 7 ]
	run_file runtime exec "$CID" false
	[ "$status" -eq 1 ]
}

@test "exec: runs in the container's namespaces" {
	local pid ns inside host
	pid=$(container_pid "$CID")
	for ns in pid mnt net ipc uts cgroup; do
		run_file runtime exec "$CID" readlink "/proc/self/ns/$ns"
		[ "$status" -eq 0 ]
		host=$(readlink "/proc/$pid/ns/$ns")
		[ "$output" = "$host" ]
	done
	# And sees the container's processes, its init as pid 1.
	run_file runtime exec "$CID" cat /proc/1/comm
	[ "$status" -eq 0 ]
	[ "$output" = sleep ]
}

@test "exec: joins the container's cgroup" {
	local pid
	pid=$(container_pid "$CID")
	run_file runtime exec "$CID" cat /proc/self/cgroup
	[ "$status" -eq 0 ]
	# Inside its cgroup namespace the container's cgroup is the root.
	[[ $output == *"memory:/"* ]]
	run_file runtime exec -d --pid-file "$BERTH_TEST_DIR/exec.pid" "$CID" sleep 100
	[ "$status" -eq 0 ]
	local epid
	epid=$(cat "$BERTH_TEST_DIR/exec.pid")
	[ "$(cgroup_dir "$epid" memory)" = "$(cgroup_dir "$pid" memory)" ]
	[ "$(cgroup_dir "$epid" pids)" = "$(cgroup_dir "$pid" pids)" ]
}

@test "exec: the environment is the container's, plus --env" {
	run_file runtime exec "$CID" sh -c 'echo $FROM_CONFIG $PATH'
	[ "$status" -eq 0 ]
	[ "$output" = "yes /usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin" ]
	run_file runtime exec --env FOO=bar --env BAZ=qux "$CID" sh -c 'echo $FOO $BAZ $FROM_CONFIG'
	[ "$status" -eq 0 ]
	[ "$output" = "bar qux yes" ]
}

@test "exec --cwd" {
	run_file runtime exec --cwd /tmp "$CID" pwd
	[ "$status" -eq 0 ]
	[ "$output" = /tmp ]
	run_file runtime exec "$CID" pwd
	[ "$output" = / ]
}

@test "exec --user UID[:GID] and --additional-gids" {
	run_file runtime exec --user 1000 "$CID" id -u
	[ "$status" -eq 0 ]
	[ "$output" = 1000 ]
	run_file runtime exec -u 1000:2000 "$CID" sh -c 'id -u; id -g'
	[ "$status" -eq 0 ]
	[ "$output" = "$(printf '1000\n2000')" ]
	run_file runtime exec -u 1000:2000 -g 3000 -g 3001 "$CID" id -G
	[ "$status" -eq 0 ]
	[[ " $output " == *" 3000 "* && " $output " == *" 3001 "* ]]
	run_file runtime exec -u nobody "$CID" true
	[ "$status" -ne 0 ]
}

@test "exec --cap: adds a capability the container lacks" {
	# CAP_CHOWN (bit 0) is not in the fixture's sets.
	run_file runtime exec "$CID" sh -c 'grep CapEff /proc/self/status'
	[ "$status" -eq 0 ]
	local before=${output##*:}
	(((0x${before//[[:space:]]/} & 1) == 0))
	run_file runtime exec --cap CAP_CHOWN "$CID" sh -c 'grep CapEff /proc/self/status'
	[ "$status" -eq 0 ]
	local after=${output##*:}
	(((0x${after//[[:space:]]/} & 1) == 1))
}

@test "exec --process: a process.json" {
	cat >"$BERTH_TEST_DIR/process.json" <<'JSON'
{
	"args": ["sh", "-c", "echo from-file $A; id -u; pwd"],
	"env": ["PATH=/bin", "A=1"],
	"cwd": "/tmp",
	"user": {"uid": 42, "gid": 42}
}
JSON
	run_file runtime exec --process "$BERTH_TEST_DIR/process.json" "$CID"
	[ "$status" -eq 0 ]
	[ "$output" = "$(printf 'from-file 1\n42\n/tmp')" ]
	run_file runtime exec -p "$BERTH_TEST_DIR/process.json" "$CID"
	[ "$status" -eq 0 ]
}

@test "exec --process: a bad process.json fails" {
	echo '{"args": ' >"$BERTH_TEST_DIR/process.json"
	run_file runtime exec --process "$BERTH_TEST_DIR/process.json" "$CID"
	[ "$status" -eq 255 ]
	run_file runtime exec --process "$BERTH_TEST_DIR/nonexistent.json" "$CID"
	[ "$status" -eq 255 ]
	[[ $output == *nonexistent.json* ]]
}

@test "exec -d --pid-file: detached, the pid is the exec'd process" {
	run_file runtime exec -d --pid-file "$BERTH_TEST_DIR/exec.pid" "$CID" sleep 77
	[ "$status" -eq 0 ]
	local p
	p=$(cat "$BERTH_TEST_DIR/exec.pid")
	[ "$p" -gt 0 ]
	[[ $(tr '\0' ' ' <"/proc/$p/cmdline") == "sleep 77 " ]]
	run runtime ps --format json "$CID"
	[ "$status" -eq 0 ]
	jq -e --argjson p "$p" 'index($p) != null' <<<"$output"
}

@test "exec --tty: a terminal through --console-socket" {
	require_cmd python3
	console_receiver "$BERTH_TEST_DIR/console.sock" "$BERTH_TEST_DIR/console.out"
	run_file runtime exec -d -t --console-socket "$BERTH_TEST_DIR/console.sock" "$CID" sh -c 'tty; echo exec-pty'
	[ "$status" -eq 0 ]
	console_wait
	[[ $(cat "$BERTH_TEST_DIR/console.out") == *"/dev/pts/"*exec-pty* ]]
}

@test "exec: the command's own flags are not the runtime's" {
	run_file runtime exec "$CID" sh -c 'echo "$@"' sh -d --user x
	[ "$status" -eq 0 ]
	[ "$output" = "-d --user x" ]
}

# A failure of exec itself exits 255, as in runc, so that it differs from
# any exit status of the process.

@test "exec: a paused container needs --ignore-paused" {
	runtime pause "$CID"
	run_file runtime exec "$CID" true
	[ "$status" -eq 255 ]
	[[ $output == *paused* ]]
	runtime resume "$CID"
	run_file runtime exec "$CID" true
	[ "$status" -eq 0 ]
}

@test "exec: a stopped container" {
	runtime kill "$CID" KILL
	wait_for_status "$CID" stopped
	run_file runtime exec "$CID" true
	[ "$status" -eq 255 ]
	[[ $output == *stopped* ]]
}

@test "exec: a missing command, no command, an unknown container" {
	run_file runtime exec "$CID" /no/such/program
	[ "$status" -eq 255 ]
	[[ $output == *"/no/such/program"* ]]
	run_file runtime exec "$CID"
	[ "$status" -eq 255 ]
	run_file runtime exec "$(new_cid)" true
	[ "$status" -eq 255 ]
	[[ $output == *"does not exist"* ]]
	[ "$(container_status "$CID")" = running ]
}

@test "exec --process: execCPUAffinity initial, then final once exec'd" {
	(($(nproc) >= 2)) || skip "needs 2 CPUs"
	is_runc && skip "runc 1.1 predates execCPUAffinity"
	cat >"$BERTH_TEST_DIR/process.json" <<'JSON'
{
	"args": ["sh", "-c", "sleep 0.3; grep Cpus_allowed_list /proc/self/status"],
	"env": ["PATH=/bin"],
	"cwd": "/",
	"execCPUAffinity": {"initial": "0", "final": "1"}
}
JSON
	run_file runtime exec --process "$BERTH_TEST_DIR/process.json" "$CID"
	echo "$output"
	[ "$status" -eq 0 ]
	[[ $output == *"Cpus_allowed_list:	1"* ]]
}
