#!/usr/bin/env bats
# Global flags: --version, --help, --root, --log, --log-format, --debug, and
# the ones accepted for runc compatibility.

load helpers

@test "--version and -v" {
	run runtime --version
	[ "$status" -eq 0 ]
	[[ ${lines[0]} == *"version "* ]]
	[[ $output == *$'\nspec: 1.'* ]]
	local v=$output
	run runtime -v
	[ "$status" -eq 0 ]
	[ "$output" = "$v" ]
}

@test "--help, -h and no arguments print the verbs" {
	local verb
	for args in --help -h ""; do
		run runtime $args
		[ "$status" -eq 0 ]
		for verb in create start run state kill delete exec ps list pause resume update events spec features; do
			[[ $output == *" $verb "* ]]
		done
		[[ $output == *--root* ]]
	done
}

@test "VERB --help" {
	local verb
	for verb in create start run state kill delete exec ps list pause resume update events spec features; do
		run runtime "$verb" --help
		[ "$status" -eq 0 ]
		[[ $output == *"$verb"* ]]
	done
	run runtime exec -h
	[ "$status" -eq 0 ]
	[[ $output == *--console-socket* && $output == *--preserve-fds* ]]
}

@test "an unknown verb and an unknown global flag fail" {
	run runtime frobnicate
	[ "$status" -ne 0 ]
	run runtime --no-such-flag list
	[ "$status" -ne 0 ]
}

@test "--root: DIR, --root=DIR and -root DIR name the same state" {
	require_root
	make_bundle
	update_config '.process.args = ["sleep", "100"]'
	create_container "$CID"
	run "$BERTH_RUNTIME" --root="$ROOT" list -q
	[ "$status" -eq 0 ]
	[ "$output" = "$CID" ]
	run "$BERTH_RUNTIME" -root "$ROOT" list -q
	[ "$status" -eq 0 ]
	[ "$output" = "$CID" ]
	# A relative --root.
	run bash -c 'cd "$(dirname "$1")" && "$2" --root "$(basename "$1")" list -q' _ "$ROOT" "$BERTH_RUNTIME"
	[ "$status" -eq 0 ]
	[ "$output" = "$CID" ]
}

@test "--log FILE --log-format json: an error is a JSON line with level error" {
	local log=$BERTH_TEST_DIR/log.json
	run runtime --log "$log" --log-format json state "$CID"
	[ "$status" -eq 1 ]
	# Also said on stderr.
	[[ $output == *"does not exist"* ]]
	[ -s "$log" ]
	local line
	line=$(grep '"level":"error"' "$log" | tail -n 1)
	jq -e '.level == "error" and (.msg | contains("does not exist")) and (.time | type == "string")' <<<"$line"
	# Every line of the file is JSON.
	jq -e . "$log" >/dev/null
}

@test "--log FILE with text format; the file is appended to" {
	local log=$BERTH_TEST_DIR/log.txt
	echo "earlier line" >"$log"
	run runtime --log "$log" state "$CID"
	[ "$status" -eq 1 ]
	[ "$(head -n 1 "$log")" = "earlier line" ]
	grep -q "does not exist" "$log"
}

@test "--log-format: an unknown format fails" {
	run runtime --log-format yaml list
	[ "$status" -ne 0 ]
	[[ $output == *yaml* ]]
}

@test "--debug, --criu, --rootless are accepted" {
	run runtime --debug list -q
	[ "$status" -eq 0 ]
	run runtime --criu /usr/sbin/criu list -q
	[ "$status" -eq 0 ]
	run runtime --rootless false list -q
	[ "$status" -eq 0 ]
	run runtime --rootless auto list -q
	[ "$status" -eq 0 ]
}

@test "--systemd-cgroup without systemd: create fails clearly and leaves nothing" {
	require_root
	[[ ! -d /run/systemd/system ]] || skip "systemd runs here"
	make_bundle
	update_config '.process.args = ["true"]'
	run_file runtime --systemd-cgroup run -b "$BUNDLE" "$CID"
	[ "$status" -eq 1 ]
	[[ $output == *systemd* ]]
	assert_nothing_left "$CID"
}

@test "containerd's command line: global flags, then create, state, kill, delete" {
	require_root
	make_bundle
	update_config '.process.args = ["sleep", "100"]'
	local log=$BERTH_TEST_DIR/log.json
	track_container create "$CID"
	"$BERTH_RUNTIME" --root "$ROOT" --log "$log" --log-format json create --bundle "$BUNDLE" \
		--pid-file "$BERTH_TEST_DIR/init.pid" "$CID" </dev/null >/dev/null 2>&1 3>&-
	[ "$(cat "$BERTH_TEST_DIR/init.pid")" = "$(container_pid "$CID")" ]
	"$BERTH_RUNTIME" --root "$ROOT" --log "$log" --log-format json start "$CID"
	run "$BERTH_RUNTIME" --root "$ROOT" --log "$log" --log-format json state "$CID"
	[ "$status" -eq 0 ]
	[ "$(jq -r .status <<<"$output")" = running ]
	run "$BERTH_RUNTIME" --root "$ROOT" --log "$log" --log-format json kill "$CID" 9
	[ "$status" -eq 0 ]
	wait_for_status "$CID" stopped
	run "$BERTH_RUNTIME" --root "$ROOT" --log "$log" --log-format json delete --force "$CID"
	[ "$status" -eq 0 ]
	assert_nothing_left "$CID"
}
