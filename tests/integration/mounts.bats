#!/usr/bin/env bats
# mounts, root.readonly, linux.rootfsPropagation, linux.maskedPaths,
# linux.readonlyPaths and linux.sysctl: what the process finds in its mount
# namespace.

load helpers

setup() {
	berth_setup
	require_root
	make_bundle
	HOSTDIR=$BERTH_TEST_DIR/host
	mkdir -p -- "$HOSTDIR"
	echo host-data >"$HOSTDIR/file"
}

teardown() {
	berth_teardown
	if [[ -n ${IDMAP_DIR:-} ]]; then
		rm -rf --one-file-system -- "$IDMAP_DIR"
	fi
}

# add_mount DEST TYPE SOURCE OPTIONS-JSON: appends a mount to the config.
add_mount() {
	update_config '.mounts += [{"destination": $d, "type": $t, "source": $s, "options": $o}]' \
		--arg d "$1" --arg t "$2" --arg s "$3" --argjson o "$4"
}

# set_script SCRIPT: the process runs `sh -c SCRIPT`.
set_script() {
	update_config '.process.args = ["sh", "-c", $s]' --arg s "$1"
}

# mountinfo_line DEST: the script snippet that prints the mountinfo line of
# the mount point DEST (the last one, i.e. the top of the stack).
mountinfo_line() {
	printf 'awk -v m=%s '\''$5 == m { l = $0 } END { print l }'\'' /proc/self/mountinfo' "$1"
}

@test "mounts: a rw bind mount of a host dir is shared both ways" {
	add_mount /data bind "$HOSTDIR" '["bind", "rw"]'
	set_script 'cat /data/file && echo from-container > /data/new && echo wrote'
	run_file runtime run -b "$BUNDLE" "$CID"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = host-data ]
	[ "${lines[1]}" = wrote ]
	[ "$(cat "$HOSTDIR/new")" = from-container ]
}

@test "mounts: a ro bind mount cannot be written" {
	add_mount /data bind "$HOSTDIR" '["bind", "ro"]'
	set_script 'cat /data/file; if echo x > /data/new; then echo WROTE; else echo refused; fi; '"$(mountinfo_line /data)"
	run_file runtime run -b "$BUNDLE" "$CID"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = host-data ]
	[[ $output == *"Read-only file system"* ]]
	[[ $output == *refused* ]]
	[[ $output != *WROTE* ]]
	[[ ${lines[-1]} =~ \ /data\ ro[,\ ] ]]
	[ ! -e "$HOSTDIR/new" ]
}

@test "mounts: rbind carries submounts, bind does not" {
	mkdir "$HOSTDIR/sub"
	mount -t tmpfs -o size=1m tmpfs "$HOSTDIR/sub"
	echo in-submount >"$HOSTDIR/sub/inner"
	add_mount /r bind "$HOSTDIR" '["rbind", "rw"]'
	add_mount /b bind "$HOSTDIR" '["bind", "rw"]'
	set_script 'echo "r=$(cat /r/sub/inner 2>/dev/null)"; echo "b=$(cat /b/sub/inner 2>/dev/null)"'
	run_file runtime run -b "$BUNDLE" "$CID"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = r=in-submount ]
	[ "${lines[1]}" = b= ]
}

@test "mounts: a bind mount of a single file" {
	echo one-file >"$BERTH_TEST_DIR/single"
	add_mount /etc/single-file bind "$BERTH_TEST_DIR/single" '["bind", "ro"]'
	set_script 'cat /etc/single-file; [ -f /etc/single-file ] && echo regular'
	run_file runtime run -b "$BUNDLE" "$CID"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = one-file ]
	[ "${lines[1]}" = regular ]
}

@test "mounts: a relative bind source is relative to the bundle dir" {
	mkdir "$BUNDLE/reldata"
	echo in-bundle >"$BUNDLE/reldata/f"
	add_mount /rel bind reldata '["bind", "ro"]'
	set_script 'cat /rel/f'
	# Run from elsewhere, so that the cwd cannot stand in for the bundle.
	cd /
	run_file runtime run -b "$BUNDLE" "$CID"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = in-bundle ]
}

@test "mounts: tmpfs with size=1m,mode=700" {
	add_mount /t tmpfs tmpfs '["size=1m", "mode=700"]'
	set_script 'stat -c %a /t; df -k /t | tail -n 1'
	run_file runtime run -b "$BUNDLE" "$CID"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = 700 ]
	# Filesystem 1K-blocks Used Available Use% Mounted on
	[ "$(awk '{ print $2 }' <<<"${lines[1]}")" = 1024 ]
}

@test "mounts: nosuid, nodev and noexec appear in mountinfo" {
	add_mount /t tmpfs tmpfs '["nosuid", "nodev", "noexec"]'
	add_mount /plain tmpfs tmpfs '[]'
	set_script "$(mountinfo_line /t); $(mountinfo_line /plain)"
	run_file runtime run -b "$BUNDLE" "$CID"
	[ "$status" -eq 0 ]
	local opts plain
	opts=$(awk '{ print $6 }' <<<"${lines[0]}")
	plain=$(awk '{ print $6 }' <<<"${lines[1]}")
	echo "t: $opts plain: $plain"
	[[ ,$opts, == *,nosuid,* ]]
	[[ ,$opts, == *,nodev,* ]]
	[[ ,$opts, == *,noexec,* ]]
	[[ ,$plain, != *,noexec,* ]]
	[[ ,$plain, != *,nosuid,* ]]
}

@test "mounts: noexec is enforced" {
	cp "$BUNDLE/rootfs/bin/busybox" "$HOSTDIR/bb"
	add_mount /x bind "$HOSTDIR" '["bind", "noexec"]'
	set_script '/x/bb true && echo RAN; echo done'
	run_file runtime run -b "$BUNDLE" "$CID"
	[ "$status" -eq 0 ]
	[[ $output == *"Permission denied"* ]]
	[[ $output != *RAN* ]]
}

# Propagation: the host dir is made a shared mount on the host, so that a
# slave in the container has a master to show.
@test "mounts: rshared, rslave and rprivate show in mountinfo's optional fields" {
	mount --bind "$HOSTDIR" "$HOSTDIR"
	mount --make-shared "$HOSTDIR"
	add_mount /shared bind "$HOSTDIR" '["rbind", "rshared"]'
	add_mount /slave bind "$HOSTDIR" '["rbind", "rslave"]'
	add_mount /private bind "$HOSTDIR" '["rbind", "rprivate"]'
	set_script "$(mountinfo_line /shared); $(mountinfo_line /slave); $(mountinfo_line /private)"
	run_file runtime run -b "$BUNDLE" "$CID"
	[ "$status" -eq 0 ]
	# The optional fields sit between field 6 and the "-".
	local shared slave private
	shared=$(awk '{ for (i = 7; $i != "-"; i++) printf "%s ", $i }' <<<"${lines[0]}")
	slave=$(awk '{ for (i = 7; $i != "-"; i++) printf "%s ", $i }' <<<"${lines[1]}")
	private=$(awk '{ for (i = 7; $i != "-"; i++) printf "%s ", $i }' <<<"${lines[2]}")
	echo "shared: [$shared] slave: [$slave] private: [$private]"
	[[ $shared == *shared:* ]]
	[[ $slave == *master:* ]]
	[[ $slave != *shared:* ]]
	[ -z "$private" ]
}

@test "mounts: rro makes the submounts of an rbind read-only too" {
	mkdir "$HOSTDIR/sub"
	mount -t tmpfs -o size=1m tmpfs "$HOSTDIR/sub"
	add_mount /r bind "$HOSTDIR" '["rbind", "rro"]'
	add_mount /plainro bind "$HOSTDIR" '["rbind", "ro"]'
	set_script 'for f in /r/top /r/sub/x /plainro/sub/y; do if touch $f 2>/dev/null; then echo "$f writable"; else echo "$f ro"; fi; done'
	run_file runtime run -b "$BUNDLE" "$CID"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "/r/top ro" ]
	[ "${lines[1]}" = "/r/sub/x ro" ]
	# Plain ro (runc semantics) is for the top mount only.
	[ "${lines[2]}" = "/plainro/sub/y writable" ]
	[ ! -e "$HOSTDIR/sub/x" ]
}

@test "mounts: nosymfollow stops symlinks on the mount from being followed" {
	ln -s file "$HOSTDIR/link"
	add_mount /ns bind "$HOSTDIR" '["bind", "nosymfollow"]'
	add_mount /fs bind "$HOSTDIR" '["bind"]'
	set_script 'cat /fs/link; cat /ns/link || echo refused'
	run_file runtime run -b "$BUNDLE" "$CID"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = host-data ]
	[[ $output == *"Symbolic link loop"* || $output == *"Too many levels of symbolic links"* ]]
	[ "${lines[-1]}" = refused ]
}

@test "mounts: mqueue is mounted at /dev/mqueue" {
	set_script "$(mountinfo_line /dev/mqueue)"
	run_file runtime run -b "$BUNDLE" "$CID"
	[ "$status" -eq 0 ]
	[[ ${lines[0]} == *" - mqueue "* ]]
}

@test "mounts: linux.rootfsPropagation shared makes / a shared mount" {
	# As an image's rootfs is (an overlay), the rootfs is a mount of its
	# own; the runtime must keep its parent private to pivot_root, so a rootfs
	# that is a plain dir of the parent mount could not end up shared.
	is_runc && skip "runc 1.1 leaves the pivoted / private whatever linux.rootfsPropagation says"
	mount --bind "$BUNDLE/rootfs" "$BUNDLE/rootfs"
	update_config '.linux.rootfsPropagation = "shared"'
	set_script "$(mountinfo_line /)"
	run_file runtime run -b "$BUNDLE" "$CID"
	[ "$status" -eq 0 ]
	[[ ${lines[0]} == *" shared:"* ]]
}

@test "mounts: / is not shared without linux.rootfsPropagation" {
	set_script "$(mountinfo_line /)"
	run_file runtime run -b "$BUNDLE" "$CID"
	[ "$status" -eq 0 ]
	[ -n "${lines[0]}" ]
	[[ ${lines[0]} != *" shared:"* ]]
}

@test "mounts: custom linux.maskedPaths hide a file and a directory" {
	echo secret >"$BUNDLE/rootfs/etc/secret"
	mkdir "$BUNDLE/rootfs/secretdir"
	echo secret >"$BUNDLE/rootfs/secretdir/inner"
	update_config '.linux.maskedPaths += ["/etc/secret", "/secretdir"]'
	set_script 'echo "file=[$(cat /etc/secret)]"; echo "dir=[$(ls -A /secretdir)]"'
	run_file runtime run -b "$BUNDLE" "$CID"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "file=[]" ]
	[ "${lines[1]}" = "dir=[]" ]
	[ "$(cat "$BUNDLE/rootfs/etc/secret")" = secret ]
}

@test "mounts: custom linux.readonlyPaths cannot be written" {
	mkdir "$BUNDLE/rootfs/rodir" "$BUNDLE/rootfs/rwdir"
	update_config '.root.readonly = false | .linux.readonlyPaths += ["/rodir"]'
	set_script 'touch /rodir/x || echo refused; touch /rwdir/y && echo wrote'
	run_file runtime run -b "$BUNDLE" "$CID"
	[ "$status" -eq 0 ]
	[[ $output == *"Read-only file system"* ]]
	[[ $output == *refused* ]]
	[[ $output == *wrote* ]]
	[ ! -e "$BUNDLE/rootfs/rodir/x" ]
	[ -e "$BUNDLE/rootfs/rwdir/y" ]
}

@test "mounts: linux.sysctl sets a network sysctl in the container's namespace" {
	local host_before
	host_before=$(cat /proc/sys/net/ipv4/ip_forward)
	update_config '.linux.sysctl = {"net.ipv4.ip_forward": "1", "net.ipv4.ip_default_ttl": "42"}'
	set_script 'cat /proc/sys/net/ipv4/ip_forward /proc/sys/net/ipv4/ip_default_ttl'
	run_file runtime run -b "$BUNDLE" "$CID"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = 1 ]
	[ "${lines[1]}" = 42 ]
	[ "$(cat /proc/sys/net/ipv4/ip_forward)" = "$host_before" ]
}

@test "mounts: an unknown linux.sysctl key fails clearly and leaves nothing" {
	update_config '.linux.sysctl = {"kernel.nosuchthing": "1"} | .process.args = ["true"]'
	run_file runtime run -b "$BUNDLE" "$CID"
	[ "$status" -ne 0 ]
	[[ $output == *kernel.nosuchthing* || $output == *kernel/nosuchthing* ]]
	assert_nothing_left "$CID"
}

@test "mounts: a network sysctl without a network namespace is refused" {
	local host_before
	host_before=$(cat /proc/sys/net/ipv4/ip_default_ttl)
	update_config '.linux.namespaces |= map(select(.type != "network"))
		| .linux.sysctl = {"net.ipv4.ip_default_ttl": "42"} | .process.args = ["true"]'
	run_file runtime run -b "$BUNDLE" "$CID"
	[ "$status" -ne 0 ]
	[[ $output == *net.ipv4.ip_default_ttl* ]]
	[ "$(cat /proc/sys/net/ipv4/ip_default_ttl)" = "$host_before" ]
	assert_nothing_left "$CID"
}

@test "mounts: a non-namespaced sysctl is refused" {
	local host_before
	host_before=$(cat /proc/sys/kernel/panic)
	update_config '.linux.sysctl = {"kernel.panic": "7"} | .process.args = ["true"]'
	run_file runtime run -b "$BUNDLE" "$CID"
	[ "$status" -ne 0 ]
	[[ $output == *kernel.panic* ]]
	[ "$(cat /proc/sys/kernel/panic)" = "$host_before" ]
	assert_nothing_left "$CID"
}

@test "mounts: root.readonly true refuses writes, false allows them" {
	set_script 'touch /x && echo wrote || echo refused'
	run_file runtime run -b "$BUNDLE" "$CID"
	[ "$status" -eq 0 ]
	[[ $output == *"Read-only file system"* ]]
	[ "${lines[-1]}" = refused ]
	[ ! -e "$BUNDLE/rootfs/x" ]

	update_config '.root.readonly = false'
	run_file runtime run -b "$BUNDLE" "$(new_cid)"
	[ "$status" -eq 0 ]
	[ "${lines[-1]}" = wrote ]
	[ -e "$BUNDLE/rootfs/x" ]
}

# idmap_bundle: a bundle with a user namespace (0 -> 100000, 65536 ids) in a
# dir the mapped root can traverse (the per-test dirs are 0700), and a
# root-owned host dir $IDMAP_DIR/data holding the file f.
idmap_bundle() {
	IDMAP_DIR=$(mktemp -d /tmp/berth-idmap.XXXXXX)
	chmod 0711 "$IDMAP_DIR"
	BUNDLE=$IDMAP_DIR/bundle
	make_bundle
	# The mapped root cannot make mount points in the host-owned rootfs.
	mkdir "$BUNDLE/rootfs/idm" "$BUNDLE/rootfs/plain"
	mkdir -m 0755 "$IDMAP_DIR/data"
	echo owned-by-root >"$IDMAP_DIR/data/f"
	chmod 0644 "$IDMAP_DIR/data/f"
	update_config '.linux.namespaces += [{"type": "user"}]
		| .linux.uidMappings = [{"containerID": 0, "hostID": 100000, "size": 65536}]
		| .linux.gidMappings = [{"containerID": 0, "hostID": 100000, "size": 65536}]
		| .process.args = ["sh", "-c", "stat -c %u:%g /idm/f; stat -c %u:%g /plain/f; cat /idm/f"]'
}

# An idmapped bind mount: files the host's root owns show as the
# container's root, where a plain bind shows them as the overflow uid.
@test "mounts: an idmap bind mount maps the owner into the user namespace" {
	is_runc && skip "runc 1.1 has no idmapped mounts"
	idmap_bundle
	update_config '.mounts += [
			{"destination": "/idm", "type": "bind", "source": $s, "options": ["bind", "idmap"]},
			{"destination": "/plain", "type": "bind", "source": $s, "options": ["bind"]}]' \
		--arg s "$IDMAP_DIR/data"
	run_file runtime run -b "$BUNDLE" "$CID"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = 0:0 ]
	[ "${lines[1]}" = 65534:65534 ]
	[ "${lines[2]}" = owned-by-root ]
}

# The spec's per-mount uidMappings/gidMappings: berth-runtime refuses them
# for now, which is fine as long as it says so and leaves nothing.
@test "mounts: idmap with per-mount uidMappings works or is refused naming them" {
	is_runc && skip "runc 1.1 has no idmapped mounts"
	idmap_bundle
	update_config '.mounts += [
			{"destination": "/idm", "type": "bind", "source": $s, "options": ["bind", "idmap"],
			 "uidMappings": [{"containerID": 0, "hostID": 100000, "size": 65536}],
			 "gidMappings": [{"containerID": 0, "hostID": 100000, "size": 65536}]},
			{"destination": "/plain", "type": "bind", "source": $s, "options": ["bind"]}]' \
		--arg s "$IDMAP_DIR/data"
	run_file runtime run -b "$BUNDLE" "$CID"
	if [ "$status" -ne 0 ]; then
		[[ $output == *uidMappings* ]]
		assert_nothing_left "$CID"
		return 0
	fi
	[ "${lines[0]}" = 0:0 ]
	[ "${lines[1]}" = 65534:65534 ]
}

@test "mounts: idmap without a user namespace is an error that leaves nothing" {
	is_runc && skip "runc 1.1 has no idmapped mounts"
	update_config '.mounts += [{"destination": "/idm", "type": "bind", "source": $s, "options": ["bind", "idmap"]}]
		| .process.args = ["true"]' --arg s "$HOSTDIR"
	run_file runtime run -b "$BUNDLE" "$CID"
	[ "$status" -ne 0 ]
	[[ $output == *idmap* ]]
	assert_nothing_left "$CID"
}
