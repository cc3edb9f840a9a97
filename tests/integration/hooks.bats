#!/usr/bin/env bats
# config.json's hooks: every kind runs, in the lifecycle order the runtime
# spec gives, with the state on stdin, its args and env; a failing or
# overdue create-time hook fails the create and leaves nothing, a failing
# poststart or poststop hook only warns.
#
# prestart, createRuntime, poststart and poststop run in the runtime's
# namespaces; createContainer runs in the container's namespaces before
# pivot_root (its path resolved in the runtime's); startContainer runs in the
# container after pivot_root, its path resolved there.

load helpers

setup() {
	berth_setup
	require_root
	require_cmd jq
	make_bundle
	share_dir
	HOOK_LOG=$BERTH_TEST_DIR/out/hooks.log
	: >"$HOOK_LOG"
	write_hooks
}

# write_hooks: $BERTH_TEST_DIR/hook.sh (host) and /hook.sh in the rootfs,
# both `hook.sh KIND`: append "KIND STATUS ID PID BUNDLE" (the state read from
# stdin) to the shared log. The in-container one has no jq: sed does.
write_hooks() {
	cat >"$BERTH_TEST_DIR/hook.sh" <<-EOF
		#!/bin/sh
		state=\$(cat)
		printf '%s %s\n' "\$1" "\$(printf '%s' "\$state" | jq -r '"\(.status) \(.id) \(.pid // 0) \(.bundle)"')" >>"$HOOK_LOG"
	EOF
	cat >"$BUNDLE/rootfs/hook.sh" <<-'EOF'
		#!/bin/sh
		state=$(cat)
		field() { printf '%s' "$state" | tr -d '\n' | sed -n "s/.*\"$1\" *: *\"\\([^\"]*\\)\".*/\\1/p"; }
		printf '%s %s %s\n' "$1" "$(field status)" "$(field id)" >>/out/hooks.log
	EOF
	chmod 755 "$BERTH_TEST_DIR/hook.sh" "$BUNDLE/rootfs/hook.sh"
}

# host_hook KIND: the JSON of a hook entry running the host hook.sh for KIND.
host_hook() {
	jq -nc --arg p "$BERTH_TEST_DIR/hook.sh" --arg k "$1" '{path: $p, args: ["hook.sh", $k]}'
}

# kinds_logged: the kinds in the log, one line, in order.
kinds_logged() {
	awk '{ printf "%s%s", sep, $1; sep = " " }' "$HOOK_LOG"
}

# log_line KIND: the log line of KIND.
log_line() {
	awk -v k="$1" '$1 == k' "$HOOK_LOG"
}

@test "hooks: every kind runs once, in lifecycle order, with the state on stdin" {
	is_runc && skip "runc 1.1 runs poststart hooks at create, not at start"
	local h k
	h='{}'
	for k in prestart createRuntime createContainer poststart poststop; do
		h=$(jq -c --arg k "$k" --argjson e "$(host_hook "$k")" '.[$k] = [$e]' <<<"$h")
	done
	h=$(jq -c '.startContainer = [{path: "/hook.sh", args: ["hook.sh", "startContainer"]}]' <<<"$h")
	update_config '.hooks = $h | .process.args = ["sleep", "30"]' --argjson h "$h"

	create_container "$CID"
	cat "$HOOK_LOG" >&2
	[ "$(kinds_logged)" = "prestart createRuntime createContainer" ]
	local pid
	pid=$(container_pid "$CID")
	[ "$(log_line prestart)" = "prestart creating $CID $pid $BUNDLE" ]
	[ "$(log_line createRuntime)" = "createRuntime creating $CID $pid $BUNDLE" ]
	# The spec does not name createContainer's status: runc says creating
	# (and gives pid 1, as seen from the hook's pid namespace).
	local re="^createContainer (creating|created) $CID $pid $BUNDLE\$"
	[[ $(log_line createContainer) =~ $re ]]

	run_file runtime start "$CID"
	[ "$status" -eq 0 ]
	wait_for_status "$CID" running
	cat "$HOOK_LOG" >&2
	[ "$(kinds_logged)" = "prestart createRuntime createContainer startContainer poststart" ]
	[ "$(log_line startContainer)" = "startContainer created $CID" ]
	[ "$(log_line poststart)" = "poststart running $CID $pid $BUNDLE" ]

	run_file runtime kill "$CID" KILL
	[ "$status" -eq 0 ]
	wait_for_status "$CID" stopped
	[ "$(kinds_logged)" = "prestart createRuntime createContainer startContainer poststart" ]
	run_file runtime delete "$CID"
	[ "$status" -eq 0 ]
	cat "$HOOK_LOG" >&2
	[ "$(kinds_logged)" = "prestart createRuntime createContainer startContainer poststart poststop" ]
	[[ $(log_line poststop) == "poststop stopped $CID "*" $BUNDLE" ]]
	assert_nothing_left "$CID"
}

@test "hooks: several hooks of one kind run in the order listed" {
	update_config '.hooks.prestart = [$a, $b, $c] | .process.args = ["true"]' \
		--argjson a "$(host_hook first)" --argjson b "$(host_hook second)" --argjson c "$(host_hook third)"
	run_file runtime run -b "$BUNDLE" "$CID"
	[ "$status" -eq 0 ]
	[ "$(kinds_logged)" = "first second third" ]
}

@test "hooks: run: poststop runs when the attached container exits" {
	update_config '.hooks.poststart = [$a] | .hooks.poststop = [$b] | .process.args = ["true"]' \
		--argjson a "$(host_hook poststart)" --argjson b "$(host_hook poststop)"
	run_file runtime run -b "$BUNDLE" "$CID"
	[ "$status" -eq 0 ]
	cat "$HOOK_LOG" >&2
	[ "$(kinds_logged)" = "poststart poststop" ]
	assert_nothing_left "$CID"
}

@test "hooks: createContainer runs in the container's namespaces, before pivot_root" {
	# It sees the host's files (path resolved there) but the container's
	# mount, uts and pid namespaces.
	cat >"$BERTH_TEST_DIR/cc.sh" <<-EOF
		#!/bin/sh
		cat >/dev/null
		{
			echo "uts=\$(readlink /proc/self/ns/uts)"
			echo "mnt=\$(readlink /proc/self/ns/mnt)"
			echo "host-file=\$(cat "$BERTH_TEST_DIR/marker")"
		} >"$BERTH_TEST_DIR/out/cc.txt"
	EOF
	chmod 755 "$BERTH_TEST_DIR/cc.sh"
	echo seen >"$BERTH_TEST_DIR/marker"
	update_config '.hooks.createContainer = [{path: $p}] | .process.args = ["sleep", "30"]' \
		--arg p "$BERTH_TEST_DIR/cc.sh"
	create_container "$CID"
	cat "$BERTH_TEST_DIR/out/cc.txt" >&2
	local pid
	pid=$(container_pid "$CID")
	grep -qxF "uts=$(readlink "/proc/$pid/ns/uts")" "$BERTH_TEST_DIR/out/cc.txt"
	grep -qxF "mnt=$(readlink "/proc/$pid/ns/mnt")" "$BERTH_TEST_DIR/out/cc.txt"
	if grep -qxF "mnt=$(readlink /proc/self/ns/mnt)" "$BERTH_TEST_DIR/out/cc.txt"; then
		fail "createContainer ran in our mount namespace"
	fi
	grep -qxF "host-file=seen" "$BERTH_TEST_DIR/out/cc.txt"
}

@test "hooks: startContainer runs inside the container, its path resolved there" {
	# /hook.sh exists only in the rootfs: the host has no such file.
	[[ ! -e /hook.sh ]] || skip "the host has a /hook.sh"
	cat >"$BUNDLE/rootfs/sc.sh" <<-'EOF'
		#!/bin/sh
		state=$(cat | tr -d '\n')
		{
			hostname
			readlink /proc/self/ns/mnt
			printf '%s\n' "$state" | sed -n 's/.*"status" *: *"\([a-z]*\)".*/\1/p'
		} >/out/sc.tmp
		mv /out/sc.tmp /out/sc.txt
	EOF
	chmod 755 "$BUNDLE/rootfs/sc.sh"
	update_config '.hooks.startContainer = [{path: "/sc.sh"}] | .process.args = ["sleep", "30"]'
	create_container "$CID"
	[ ! -e "$BERTH_TEST_DIR/out/sc.txt" ]
	run_file runtime start "$CID"
	[ "$status" -eq 0 ]
	wait_for_file "$BERTH_TEST_DIR/out/sc.txt"
	cat "$BERTH_TEST_DIR/out/sc.txt" >&2
	[ "$(sed -n 1p "$BERTH_TEST_DIR/out/sc.txt")" = berth ]
	[ "$(sed -n 2p "$BERTH_TEST_DIR/out/sc.txt")" = "$(readlink "/proc/$(container_pid "$CID")/ns/mnt")" ]
	# The user process has not run yet: the state is still created.
	[ "$(sed -n 3p "$BERTH_TEST_DIR/out/sc.txt")" = created ]
}

@test "hooks: args and env are passed, and only that env" {
	cat >"$BERTH_TEST_DIR/args.sh" <<-EOF
		#!/bin/sh
		cat >/dev/null
		{
			printf 'argc=%s\n' "\$#"
			printf 'arg=%s\n' "\$@"
			env
		} >"$BERTH_TEST_DIR/out/args.txt"
	EOF
	chmod 755 "$BERTH_TEST_DIR/args.sh"
	update_config '.hooks.prestart = [{path: $p, args: ["args.sh", "one", "two words"], env: ["HOOK_A=alpha", "HOOK_B=b c"]}]
		| .process.args = ["true"]' --arg p "$BERTH_TEST_DIR/args.sh"
	run_file runtime run -b "$BUNDLE" "$CID"
	[ "$status" -eq 0 ]
	cat "$BERTH_TEST_DIR/out/args.txt" >&2
	grep -qx 'argc=2' "$BERTH_TEST_DIR/out/args.txt"
	grep -qx 'arg=one' "$BERTH_TEST_DIR/out/args.txt"
	grep -qx 'arg=two words' "$BERTH_TEST_DIR/out/args.txt"
	grep -qx 'HOOK_A=alpha' "$BERTH_TEST_DIR/out/args.txt"
	grep -qx 'HOOK_B=b c' "$BERTH_TEST_DIR/out/args.txt"
	# Our own environment (BERTH_TEST_DIR is exported) does not leak in.
	! grep -q '^BERTH_' "$BERTH_TEST_DIR/out/args.txt"
}

@test "hooks: a failing prestart hook fails create, names the hook and leaves nothing" {
	update_config '.hooks.prestart = [{path: "/bin/sh", args: ["sh", "-c", "echo hook-said-no >&2; exit 3"]}]
		| .hooks.createRuntime = [$r] | .process.args = ["true"]' --argjson r "$(host_hook createRuntime)"
	run_file runtime create -b "$BUNDLE" "$CID"
	[ "$status" -ne 0 ]
	[[ $output == *hook-said-no* ]]
	# The hooks after the failing one do not run.
	[ "$(kinds_logged)" = "" ]
	is_runc || [[ $output == *prestart* ]] # runc: "error running hook #0: exit status 3, ..."
	assert_nothing_left "$CID"
	run runtime list -q
	[[ $output != *"$CID"* ]]
}

@test "hooks: a failing createRuntime or createContainer hook fails create and leaves nothing" {
	local k id
	for k in createRuntime createContainer; do
		id=$(new_cid)
		update_config 'del(.hooks) | .hooks[$k] = [{path: "/bin/false"}] | .process.args = ["true"]' --arg k "$k"
		run_file runtime create -b "$BUNDLE" "$id"
		[ "$status" -ne 0 ] || fail "$k: create succeeded"
		assert_nothing_left "$id"
		is_runc && continue
		[[ $output == *"$k"* ]] || fail "$k not named: $output"
	done
}

@test "hooks: a hook past its timeout is killed and fails create with timed out" {
	update_config '.hooks.prestart = [{path: "/bin/sh", args: ["sh", "-c", "sleep 5"], timeout: 1}]
		| .process.args = ["true"]'
	local t0=$SECONDS
	run_file runtime create -b "$BUNDLE" "$CID"
	[ "$status" -ne 0 ]
	assert_nothing_left "$CID"
	is_runc && return 0 # runc: "hook ran past specified timeout of 1.0s", after 5 s
	[[ $output == *"timed out"* ]]
	# Well before the hook's own 5 s: the hook's children are not waited for.
	((SECONDS - t0 < 5)) || fail "create took $((SECONDS - t0))s"
}

@test "hooks: a timeout of 0 or below is refused" {
	update_config '.hooks.prestart = [{path: "/bin/true", timeout: 0}] | .process.args = ["true"]'
	run_file runtime create -b "$BUNDLE" "$CID"
	is_runc && skip "runc 1.1 accepts timeout 0 as no timeout"
	[ "$status" -ne 0 ]
	[[ $output == *timeout* ]]
	assert_nothing_left "$CID"
}

@test "hooks: a hook path that is not absolute is refused" {
	update_config '.hooks.prestart = [{path: "true"}] | .process.args = ["true"]'
	run_file runtime create -b "$BUNDLE" "$CID"
	[ "$status" -ne 0 ]
	assert_nothing_left "$CID"
	is_runc && return 0
	[[ $output == *hooks.prestart* ]]
}

@test "hooks: a failing poststart hook only warns; the container runs" {
	is_runc && skip "runc 1.1 kills the container when a poststart hook fails"
	update_config '.hooks.poststart = [{path: "/bin/sh", args: ["sh", "-c", "echo post-fail >&2; exit 4"]}, $h]
		| .process.args = ["sleep", "30"]' --argjson h "$(host_hook poststart-2)"
	create_container "$CID"
	run_file runtime start "$CID"
	[ "$status" -eq 0 ]
	[[ $output == *poststart* ]]
	[ "$(container_status "$CID")" = running ]
	# The remaining hooks still run.
	[ "$(kinds_logged)" = poststart-2 ]
}

@test "hooks: a failing poststop hook only warns; delete succeeds" {
	update_config '.hooks.poststop = [{path: "/bin/sh", args: ["sh", "-c", "echo stop-fail >&2; exit 4"]}, $h]
		| .process.args = ["true"]' --argjson h "$(host_hook poststop-2)"
	create_container "$CID"
	run_file runtime start "$CID"
	[ "$status" -eq 0 ]
	wait_for_status "$CID" stopped
	run_file runtime delete "$CID"
	[ "$status" -eq 0 ]
	assert_nothing_left "$CID"
	is_runc && return 0 # runc 1.1 stops at the failing hook, silently
	[[ $output == *poststop* ]]
	[ "$(kinds_logged)" = poststop-2 ]
}
