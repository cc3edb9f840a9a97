#!/usr/bin/env bats
# spec: a default config.json.

load helpers

@test "spec: writes a valid default config.json into the bundle" {
	local d=$BERTH_TEST_DIR/spec
	mkdir "$d"
	run runtime spec -b "$d"
	[ "$status" -eq 0 ]
	[ -f "$d/config.json" ]
	jq -e '(.ociVersion | startswith("1.")) and .root.path == "rootfs" and .process.args == ["sh"]
		and .process.terminal == true and (.process.env | length) >= 1
		and ([.linux.namespaces[].type] | index("pid") != null and index("mount") != null)
		and (.mounts | map(.destination) | index("/proc") != null)
		and (.process.capabilities.bounding | index("CAP_KILL") != null)' "$d/config.json"
	# Not a rootless spec: no user namespace.
	jq -e '[.linux.namespaces[].type] | index("user") == null' "$d/config.json"
}

@test "spec: the current directory by default; --bundle=DIR works too" {
	local d=$BERTH_TEST_DIR/spec
	mkdir "$d" "$d.2"
	run bash -c 'cd "$1" && "$2" spec' _ "$d" "$BERTH_RUNTIME"
	[ "$status" -eq 0 ]
	[ -f "$d/config.json" ]
	run runtime spec --bundle="$d.2"
	[ "$status" -eq 0 ]
	[ -f "$d.2/config.json" ]
}

@test "spec: refuses to overwrite config.json" {
	local d=$BERTH_TEST_DIR/spec
	mkdir "$d"
	echo '{"keep": "me"}' >"$d/config.json"
	run runtime spec -b "$d"
	[ "$status" -eq 1 ]
	[[ $output == *"File config.json exists. Remove it first"* ]]
	[ "$(jq -r .keep "$d/config.json")" = me ]
}

@test "spec --rootless: maps the caller's ids in a user namespace" {
	local d=$BERTH_TEST_DIR/spec
	mkdir "$d"
	run runtime spec --rootless -b "$d"
	[ "$status" -eq 0 ]
	jq -e --argjson u "$(id -u)" --argjson g "$(id -g)" '
		([.linux.namespaces[].type] | index("user") != null)
		and .linux.uidMappings[0].hostID == $u and .linux.uidMappings[0].containerID == 0
		and .linux.gidMappings[0].hostID == $g' "$d/config.json"
}

@test "spec: the result runs, with the fixture's rootfs and a command" {
	require_root
	make_bundle
	local d=$BERTH_TEST_DIR/spec
	mkdir "$d"
	run runtime spec -b "$d"
	[ "$status" -eq 0 ]
	mv "$BUNDLE/rootfs" "$d/rootfs"
	BUNDLE=$d update_config '.process.terminal = false | .process.args = ["sh", "-c", "echo spec-ok; exit 4"]'
	run_file runtime run -b "$d" "$CID"
	[ "$status" -eq 4 ]
	[ "$output" = spec-ok ]
}

@test "spec: a missing bundle dir; extra arguments" {
	run runtime spec -b "$BERTH_TEST_DIR/nonexistent"
	[ "$status" -eq 1 ]
	run runtime spec extra
	[ "$status" -eq 1 ]
}
