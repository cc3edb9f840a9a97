#!/usr/bin/env bats
# start: runs the program of a created container, once.

load helpers

setup() {
	berth_setup
	require_root
	make_bundle
	share_dir
}

@test "start: created -> running; the program runs" {
	update_config '.process.args = ["sh", "-c", "echo ran > /out/ran; sleep 100"]'
	create_container "$CID"
	run runtime start "$CID"
	[ "$status" -eq 0 ]
	[ "$(container_status "$CID")" = running ]
	wait_for_file "$BERTH_TEST_DIR/out/ran"
	[ "$(cat "$BERTH_TEST_DIR/out/ran")" = ran ]
}

@test "start: the container stops when the program exits; its output went to create's stdio" {
	update_config '.process.args = ["sh", "-c", "echo out-from-start"]'
	create_container "$CID"
	run runtime start "$CID"
	[ "$status" -eq 0 ]
	wait_for_status "$CID" stopped
	[[ $(cat "$BERTH_TEST_DIR/$CID.out") == *out-from-start* ]]
}

@test "start: a running container cannot be started again" {
	update_config '.process.args = ["sleep", "100"]'
	create_container "$CID"
	runtime start "$CID"
	wait_for_status "$CID" running
	run runtime start "$CID"
	[ "$status" -eq 1 ]
	[[ $output == *running* ]]
	[ "$(container_status "$CID")" = running ]
}

@test "start: a stopped container cannot be started" {
	update_config '.process.args = ["true"]'
	create_container "$CID"
	runtime start "$CID"
	wait_for_status "$CID" stopped
	run runtime start "$CID"
	[ "$status" -eq 1 ]
	[[ $output == *stopped* ]]
}

@test "start: a container that does not exist" {
	run runtime start "$CID"
	[ "$status" -eq 1 ]
	[[ $output == *"container \"$CID\" does not exist"* ]]
}

@test "start: needs exactly one id" {
	run runtime start
	[ "$status" -eq 1 ]
	[[ $output == *"requires exactly 1 argument"* ]]
}
