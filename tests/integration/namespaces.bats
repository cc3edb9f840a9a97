#!/usr/bin/env bats
# linux.namespaces and linux.timeOffsets: which namespaces a container gets
# new, which it shares with the host, and joining existing ones by path.

load helpers

setup() {
	berth_setup
	require_root
	make_bundle
	NETNS=berth-test-$$-$BATS_TEST_NUMBER
}

teardown() {
	berth_teardown
	if [[ -n ${USERNS_DIR:-} ]]; then
		rm -rf --one-file-system -- "$USERNS_DIR"
	fi
	if [[ -e /var/run/netns/$NETNS ]]; then
		ip netns delete "$NETNS" 2>/dev/null || echo "teardown: could not delete netns $NETNS" >&2
	fi
}

# ns_link TYPE: the host's (this shell's) namespace link for TYPE, e.g.
# "net:[4026531840]".
ns_link() {
	readlink "/proc/self/ns/$1"
}

# The namespace types of config.json and their /proc/self/ns names.
ALL_NS="pid:pid network:net ipc:ipc uts:uts mount:mnt cgroup:cgroup"

# print_ns_script: a shell script for the container that prints
# "NAME LINK" for every namespace of interest.
print_ns_script() {
	printf '%s' 'for n in pid net ipc uts mnt cgroup user time; do echo "$n $(readlink /proc/self/ns/$n)"; done'
}

# inside_link NAME: from $output of print_ns_script, the link of NAME.
inside_link() {
	awk -v n="$1" '$1 == n { print $2 }' <<<"$output"
}

@test "namespaces: every namespace type in the config is new" {
	update_config '.process.args = ["sh", "-c", $s]' --arg s "$(print_ns_script)"
	run_file runtime run -b "$BUNDLE" "$CID"
	[ "$status" -eq 0 ]
	local pair name in host
	for pair in $ALL_NS; do
		name=${pair#*:}
		in=$(inside_link "$name")
		host=$(ns_link "$name")
		echo "$name: inside $in host $host"
		[[ $in == "$name:["*"]" ]]
		[ "$in" != "$host" ]
	done
	# Not asked for: shared.
	[ "$(inside_link user)" = "$(ns_link user)" ]
}

@test "namespaces: a namespace omitted from the config is shared with the host" {
	local pair type name in host
	for pair in network:net ipc:ipc uts:uts cgroup:cgroup; do
		type=${pair%%:*}
		name=${pair#*:}
		make_bundle
		# A hostname needs a private UTS namespace.
		update_config '.linux.namespaces |= map(select(.type != $t))
			| if $t == "uts" then del(.hostname) else . end
			| .process.args = ["sh", "-c", $s]' \
			--arg t "$type" --arg s "$(print_ns_script)"
		run_file runtime run -b "$BUNDLE" "$CID-$type"
		[ "$status" -eq 0 ]
		in=$(inside_link "$name")
		host=$(ns_link "$name")
		echo "$type omitted: inside $in host $host"
		[ "$in" = "$host" ]
		# The others stay new.
		[ "$(inside_link pid)" != "$(ns_link pid)" ]
		[ "$(inside_link mnt)" != "$(ns_link mnt)" ]
	done
}

@test "namespaces: joining a network namespace by path (ip netns)" {
	require_cmd ip
	ip netns add "$NETNS"
	local want
	want=$(stat -L -c %i "/var/run/netns/$NETNS")
	update_config '.linux.namespaces |= map(if .type == "network" then .path = $p else . end)
		| .process.args = ["sh", "-c", "stat -L -c %i /proc/self/ns/net"]' \
		--arg p "/var/run/netns/$NETNS"
	run_file runtime run -b "$BUNDLE" "$CID"
	[ "$status" -eq 0 ]
	[ "${lines[-1]}" = "$want" ]
	[ "$want" != "$(stat -L -c %i /proc/self/ns/net)" ]
}

@test "namespaces: joining a running container's ipc, uts and network namespaces" {
	local first pid type name pair
	first=$(new_cid)
	update_config '.process.args = ["sleep", "100"]'
	run_detached "$first"
	pid=$(container_pid "$first")

	update_config '.linux.namespaces |= map(
			if .type == "ipc" then .path = "/proc/\($p)/ns/ipc"
			elif .type == "uts" then .path = "/proc/\($p)/ns/uts"
			elif .type == "network" then .path = "/proc/\($p)/ns/net"
			else . end)
		| del(.hostname)
		| .process.args = ["sh", "-c", $s]' --arg p "$pid" --arg s "$(print_ns_script)"
	run_file runtime run -b "$BUNDLE" "$CID"
	[ "$status" -eq 0 ]
	for pair in ipc:ipc uts:uts network:net; do
		name=${pair#*:}
		echo "$name: inside $(inside_link "$name") sleeper $(readlink "/proc/$pid/ns/$name")"
		[ "$(inside_link "$name")" = "$(readlink "/proc/$pid/ns/$name")" ]
		[ "$(inside_link "$name")" != "$(ns_link "$name")" ]
	done
	# What was not joined is new, not the sleeper's.
	[ "$(inside_link pid)" != "$(readlink "/proc/$pid/ns/pid")" ]
	[ "$(inside_link mnt)" != "$(readlink "/proc/$pid/ns/mnt")" ]
}

@test "namespaces: a user namespace with uid and gid mappings" {
	# The mapped root (host uid 100000) must be able to reach the rootfs:
	# the per-test dirs are 0700, so the bundle goes to a traversable dir.
	USERNS_DIR=$(mktemp -d /tmp/berth-userns.XXXXXX)
	chmod 0711 "$USERNS_DIR"
	BUNDLE=$USERNS_DIR/bundle
	make_bundle
	update_config '.linux.namespaces += [{"type": "user"}]
		| .linux.uidMappings = [{"containerID": 0, "hostID": 100000, "size": 65536}]
		| .linux.gidMappings = [{"containerID": 0, "hostID": 100000, "size": 65536}]
		| .process.args = ["sh", "-c", "cat /proc/self/uid_map; cat /proc/self/gid_map; echo uid=$(id -u) gid=$(id -g); readlink /proc/self/ns/user"]'
	run_file runtime run -b "$BUNDLE" "$CID"
	[ "$status" -eq 0 ]
	[[ ${lines[0]} =~ ^\ *0\ +100000\ +65536$ ]]
	[[ ${lines[1]} =~ ^\ *0\ +100000\ +65536$ ]]
	[ "${lines[2]}" = "uid=0 gid=0" ]
	[[ ${lines[3]} == "user:["*"]" ]]
	[ "${lines[3]}" != "$(ns_link user)" ]
}

@test "namespaces: a time namespace applies linux.timeOffsets (boottime)" {
	is_runc && skip "runc 1.1 has no time namespace support"
	[[ -e /proc/self/ns/time ]] || skip "kernel without time namespaces"
	update_config '.linux.namespaces += [{"type": "time"}]
		| .linux.timeOffsets = {"boottime": {"secs": 86400, "nanosecs": 0}}
		| .process.args = ["sh", "-c", "cut -d. -f1 /proc/uptime; readlink /proc/self/ns/time"]'
	local before after in
	before=$(cut -d. -f1 /proc/uptime)
	run_file runtime run -b "$BUNDLE" "$CID"
	after=$(cut -d. -f1 /proc/uptime)
	[ "$status" -eq 0 ]
	in=${lines[0]}
	echo "host before $before after $after inside $in"
	((in >= before + 86400))
	((in <= after + 86400 + 1))
	[ "${lines[1]}" != "$(ns_link time)" ]
}

@test "namespaces: linux.timeOffsets without a time namespace is an error" {
	is_runc && skip "runc 1.1 ignores linux.timeOffsets"
	update_config '.linux.timeOffsets = {"boottime": {"secs": 86400}} | .process.args = ["true"]'
	run_file runtime run -b "$BUNDLE" "$CID"
	[ "$status" -ne 0 ]
	[[ $output == *[Tt]ime* ]]
	assert_nothing_left "$CID"
}

@test "namespaces: an unknown namespace type is an error that leaves nothing" {
	update_config '.linux.namespaces += [{"type": "foo"}] | .process.args = ["true"]'
	run_file runtime run -b "$BUNDLE" "$CID"
	[ "$status" -ne 0 ]
	[[ $output == *foo* ]]
	assert_nothing_left "$CID"
}

@test "namespaces: a namespace path that does not exist is an error that leaves nothing" {
	update_config '.linux.namespaces |= map(if .type == "network" then .path = "/nonexistent" else . end)
		| .process.args = ["true"]'
	run_file runtime run -b "$BUNDLE" "$CID"
	[ "$status" -ne 0 ]
	[[ $output == */nonexistent* ]]
	assert_nothing_left "$CID"
}

@test "namespaces: a path of the wrong namespace type is an error that leaves nothing" {
	# The host's ipc namespace given as the network namespace.
	update_config '.linux.namespaces |= map(if .type == "network" then .path = "/proc/1/ns/ipc" else . end)
		| .process.args = ["true"]'
	run_file runtime run -b "$BUNDLE" "$CID"
	[ "$status" -ne 0 ]
	assert_nothing_left "$CID"
}

@test "namespaces: in a cgroup namespace /proc/self/cgroup shows / paths" {
	update_config '.process.args = ["cat", "/proc/self/cgroup"]'
	run_file runtime run -b "$BUNDLE" "$CID"
	[ "$status" -eq 0 ]
	[ "${#lines[@]}" -ge 1 ]
	local l
	for l in "${lines[@]}"; do
		[[ $l == *:/ ]] || fail "not a root path: $l"
	done
}

@test "namespaces: without a cgroup namespace /proc/self/cgroup shows the container's cgroup" {
	update_config '.linux.namespaces |= map(select(.type != "cgroup")) | .process.args = ["cat", "/proc/self/cgroup"]'
	run_file runtime run -b "$BUNDLE" "$CID"
	[ "$status" -eq 0 ]
	# Some controller's line names a real path, not the root.
	printf '%s\n' "${lines[@]}" | grep -v ':/$'
}
