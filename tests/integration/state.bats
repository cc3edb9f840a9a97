#!/usr/bin/env bats
# state: the runtime spec's state JSON.

load helpers

setup() {
	berth_setup
	require_root
	make_bundle
}

@test "state: the fields of a created container" {
	update_config '.process.args = ["sleep", "100"] | .annotations = {"org.example.a": "b"}'
	create_container "$CID" --pid-file "$BERTH_TEST_DIR/pid"
	run runtime state "$CID"
	[ "$status" -eq 0 ]
	jq -e --arg id "$CID" --arg b "$BUNDLE" --argjson pid "$(cat "$BERTH_TEST_DIR/pid")" '
		(.ociVersion | type == "string" and startswith("1."))
		and .id == $id and .status == "created" and .pid == $pid
		and .bundle == $b and .rootfs == ($b + "/rootfs")
		and .annotations["org.example.a"] == "b"
		and (.created | test("^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\\.[0-9]+)?(Z|[+-][0-9]{2}:[0-9]{2})$"))' <<<"$output"
	# Pretty-printed with two-space indentation, as runc prints it.
	[[ ${lines[1]} == '  "'* ]]
}

@test "state: created, running, stopped" {
	update_config '.process.args = ["sh", "-c", "read x"]'
	# stdin of the process is a fifo we hold, so it runs until we close it.
	mkfifo "$BERTH_TEST_DIR/in"
	exec 5<>"$BERTH_TEST_DIR/in"
	runtime create -b "$BUNDLE" "$CID" <"$BERTH_TEST_DIR/in" >/dev/null 2>&1 3>&-
	[ "$(container_status "$CID")" = created ]
	runtime start "$CID"
	[ "$(container_status "$CID")" = running ]
	echo go >&5
	exec 5>&-
	wait_for_status "$CID" stopped
	run runtime state "$CID"
	[ "$status" -eq 0 ]
	# runc reports pid 0 once the process is gone.
	[ "$(jq .pid <<<"$output")" -eq 0 ]
}

@test "state: a container that does not exist" {
	run runtime state "$CID"
	[ "$status" -eq 1 ]
	[[ $output == *"container \"$CID\" does not exist"* ]]
}

@test "state: needs exactly one id" {
	run runtime state
	[ "$status" -eq 1 ]
	[[ $output == *"requires exactly 1 argument"* ]]
	run runtime state a b
	[ "$status" -eq 1 ]
}

@test "state: another --root does not see the container" {
	update_config '.process.args = ["sleep", "100"]'
	create_container "$CID"
	mkdir "$BERTH_TEST_DIR/other"
	run "$BERTH_RUNTIME" --root "$BERTH_TEST_DIR/other" state "$CID"
	[ "$status" -eq 1 ]
}
