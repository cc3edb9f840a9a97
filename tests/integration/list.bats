#!/usr/bin/env bats
# list: the containers under --root.

load helpers

setup() {
	berth_setup
	require_root
	make_bundle
}

@test "list: empty root" {
	run runtime list
	[ "$status" -eq 0 ]
	[ "${#lines[@]}" -eq 1 ]
	[[ ${lines[0]} == ID*PID*STATUS*BUNDLE*CREATED*OWNER ]]
	run runtime list -q
	[ "$status" -eq 0 ]
	[ -z "$output" ]
	run runtime list --format json
	[ "$status" -eq 0 ]
	[ "$output" = null ]
}

@test "list -q: the ids, sorted" {
	update_config '.process.args = ["sleep", "100"]'
	local a=$CID-a b=$CID-b
	run_detached "$b"
	create_container "$a"
	run runtime list -q
	[ "$status" -eq 0 ]
	[ "$output" = "$(printf '%s\n%s' "$a" "$b")" ]
	run runtime list --quiet
	[ "$status" -eq 0 ]
	[ "${#lines[@]}" -eq 2 ]
}

@test "list: table columns aligned as runc's tabwriter does" {
	update_config '.process.args = ["sleep", "100"]'
	run_detached "$CID"
	local pid
	pid=$(container_pid "$CID")
	run runtime list
	[ "$status" -eq 0 ]
	[ "${#lines[@]}" -eq 2 ]
	read -r id p st bundle created owner <<<"${lines[1]}"
	[ "$id" = "$CID" ]
	[ "$p" = "$pid" ]
	[ "$st" = running ]
	[ "$bundle" = "$BUNDLE" ]
	[[ $created =~ ^[0-9]{4}-[0-9]{2}-[0-9]{2}T ]]
	[ "$owner" = root ]
	# Each column starts where its header does.
	local col
	for col in PID STATUS BUNDLE CREATED OWNER; do
		local h=${lines[0]%%"$col"*}
		[ "${lines[1]:${#h}-1:1}" = " " ]
		[ "${lines[1]:${#h}:1}" != " " ]
	done
	# Widest cell plus three spaces: the ID column.
	local idw=$((${#CID} + 3))
	[ "${lines[0]:0:$idw}" = "$(printf '%-*s' "$idw" ID)" ]
}

@test "list --format json: runc's fields" {
	update_config '.process.args = ["sleep", "100"]'
	run_detached "$CID"
	run runtime list --format json
	[ "$status" -eq 0 ]
	jq -e --arg id "$CID" --arg b "$BUNDLE" --argjson pid "$(container_pid "$CID")" '
		length == 1 and (.[0] | .id == $id and .pid == $pid and .status == "running"
			and .bundle == $b and .rootfs == ($b + "/rootfs") and (.ociVersion | startswith("1."))
			and (.created | type == "string") and .owner == "root")' <<<"$output"
	run runtime list -f json
	[ "$status" -eq 0 ]
}

@test "list: a stopped container shows pid 0" {
	update_config '.process.args = ["true"]'
	run_file runtime run --keep -b "$BUNDLE" "$CID"
	[ "$status" -eq 0 ]
	run runtime list --format json
	[ "$status" -eq 0 ]
	jq -e '.[0].status == "stopped" and .[0].pid == 0' <<<"$output"
}

@test "list: a bad format; extra arguments" {
	run runtime list --format yaml
	[ "$status" -eq 1 ]
	[[ $output == *format* ]]
	run runtime list extra
	[ "$status" -eq 1 ]
}
