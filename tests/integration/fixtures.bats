#!/usr/bin/env bats
# Self-tests of the test fixtures and helpers. These need no berth-runtime;
# the runc tests check that the bundle is one a real runtime accepts.

load helpers

BERTH_NO_RUNTIME=1

@test "make-bundle.sh: rootfs and config.json" {
	local b=$BERTH_TEST_DIR/b
	"$BERTH_FIXTURES/make-bundle.sh" "$b"

	[ -x "$b/rootfs/bin/busybox" ]
	[ -L "$b/rootfs/bin/sh" ]
	[ "$(readlink "$b/rootfs/bin/sh")" = busybox ]
	[ -L "$b/rootfs/bin/true" ]
	[ "$(stat -c %a "$b/rootfs/tmp")" = 1777 ]
	for d in proc sys dev root; do
		[ -d "$b/rootfs/$d" ]
		[ -z "$(ls -A "$b/rootfs/$d")" ]
	done
	for f in hosts resolv.conf; do
		[ -f "$b/rootfs/etc/$f" ] && [ ! -s "$b/rootfs/etc/$f" ]
	done
	grep -qx 'root:x:0:0:root:/root:/bin/sh' "$b/rootfs/etc/passwd"
	grep -q '^nobody:x:65534:65534:' "$b/rootfs/etc/passwd"
	grep -q '^root:x:0:' "$b/rootfs/etc/group"
	[ ! -e "$b/rootfs/etc/hostname" ]

	run jq -r '[.ociVersion, .process.terminal, (.process.args | join(" ")),
		.process.cwd, .root.path, .root.readonly, .hostname,
		.process.noNewPrivileges, (.process.rlimits[0] | "\(.type)=\(.soft)/\(.hard)"),
		([.linux.namespaces[].type] | join(",")),
		([.mounts[].destination] | join(",")),
		(.process.capabilities | keys | join(",")),
		(.process.capabilities.bounding | join(","))] | join("|")' "$b/config.json"
	[ "$status" -eq 0 ]
	[ "$output" = '1.0.2|false|sh|/|rootfs|true|berth|true|RLIMIT_NOFILE=1024/1024|pid,network,ipc,uts,mount,cgroup|/proc,/dev,/dev/pts,/dev/shm,/dev/mqueue,/sys,/sys/fs/cgroup|bounding,effective,permitted|CAP_AUDIT_WRITE,CAP_KILL,CAP_NET_BIND_SERVICE' ]
	jq -e '.process.env == ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "TERM=xterm"]' "$b/config.json"
	jq -e '(.linux.maskedPaths | index("/proc/kcore")) and (.linux.readonlyPaths | index("/proc/sys"))' "$b/config.json"
}

@test "make-bundle.sh: same config.json and tree on every run" {
	"$BERTH_FIXTURES/make-bundle.sh" "$BERTH_TEST_DIR/b1"
	"$BERTH_FIXTURES/make-bundle.sh" "$BERTH_TEST_DIR/b2"
	cmp "$BERTH_TEST_DIR/b1/config.json" "$BERTH_TEST_DIR/b2/config.json"
	diff -r --no-dereference "$BERTH_TEST_DIR/b1" "$BERTH_TEST_DIR/b2"
}

@test "make-bundle.sh: refuses an existing bundle and a bad command line" {
	"$BERTH_FIXTURES/make-bundle.sh" "$BERTH_TEST_DIR/b"
	run "$BERTH_FIXTURES/make-bundle.sh" "$BERTH_TEST_DIR/b"
	[ "$status" -ne 0 ]
	[[ $output == *"already holds a bundle"* ]]
	run "$BERTH_FIXTURES/make-bundle.sh"
	[ "$status" -eq 2 ]
	[[ $output == *usage* ]]
}

@test "make-bundle.sh: says how to install busybox when it is missing" {
	BERTH_BUSYBOX=/nonexistent/busybox run "$BERTH_FIXTURES/make-bundle.sh" "$BERTH_TEST_DIR/b"
	[ "$status" -ne 0 ]
	[[ $output == *"apt-get install busybox-static"* ]]
}

@test "make-oci-layout.sh: reproducible, well-formed, digests verify" {
	local l1=$BERTH_TEST_DIR/l1 l2=$BERTH_TEST_DIR/l2 d1 d2
	d1=$("$BERTH_FIXTURES/make-oci-layout.sh" "$l1")
	d2=$(umask 077 && TMPDIR=$BERTH_TEST_DIR "$BERTH_FIXTURES/make-oci-layout.sh" "$l2")
	[[ $d1 =~ ^sha256:[0-9a-f]{64}$ ]]
	[ "$d1" = "$d2" ]
	diff -r "$l1" "$l2"

	jq -e '.imageLayoutVersion == "1.0.0"' "$l1/oci-layout"
	jq -e --arg d "$d1" '.schemaVersion == 2 and (.manifests | length) == 1
		and .manifests[0].digest == $d
		and .manifests[0].mediaType == "application/vnd.oci.image.manifest.v1+json"
		and .manifests[0].annotations["org.opencontainers.image.ref.name"] == "latest"' "$l1/index.json"

	# Every blob's name is its digest.
	local f n=0
	for f in "$l1"/blobs/sha256/*; do
		[ "$(sha256sum "$f" | cut -d' ' -f1)" = "${f##*/}" ]
		n=$((n + 1))
	done
	[ "$n" -eq 3 ]

	local m=$l1/blobs/sha256/${d1#sha256:} c l
	[ "$(stat -c %s "$m")" = "$(jq -r '.manifests[0].size' "$l1/index.json")" ]
	jq -e '.schemaVersion == 2 and .config.mediaType == "application/vnd.oci.image.config.v1+json"
		and (.layers | length) == 1
		and .layers[0].mediaType == "application/vnd.oci.image.layer.v1.tar+gzip"' "$m"
	c=$l1/blobs/sha256/$(jq -r '.config.digest | ltrimstr("sha256:")' "$m")
	l=$l1/blobs/sha256/$(jq -r '.layers[0].digest | ltrimstr("sha256:")' "$m")
	[ "$(stat -c %s "$c")" = "$(jq -r .config.size "$m")" ]
	[ "$(stat -c %s "$l")" = "$(jq -r '.layers[0].size' "$m")" ]

	jq -e '.architecture != null and .os == "linux" and .config.Cmd == ["sh"]
		and (.config.Env[0] | startswith("PATH="))
		and .created == "1970-01-01T00:00:00Z" and .rootfs.type == "layers"
		and (.history | length) == 1' "$c"
	if [ "$(dpkg --print-architecture)" = amd64 ]; then
		jq -e '.architecture == "amd64"' "$c"
	fi
	[ "sha256:$(gzip -dc "$l" | sha256sum | cut -d' ' -f1)" = "$(jq -r '.rootfs.diff_ids[0]' "$c")" ]

	# The layer holds the same tree as the bundle, with zero mtimes and root
	# ownership, and names without "./".
	run tar -tzvf "$l"
	[ "$status" -eq 0 ]
	[[ $output == *" bin/sh -> busybox"* ]]
	[[ $output == *" bin/busybox"* ]]
	[[ $output == *"drwxrwxrwt 0/0"*" tmp/"* ]]
	[[ $output != *PaxHeaders* ]]
	[[ $output != *" ./"* ]]
	run bash -c 'tar -tzvf "$1" | grep -v " 0/0 .* 1970-01-01 00:00 "' _ "$l"
	[ -z "$output" ]
}

@test "make-oci-layout.sh: TAG names the image, digest unchanged" {
	local d1 d2
	d1=$("$BERTH_FIXTURES/make-oci-layout.sh" "$BERTH_TEST_DIR/a")
	d2=$("$BERTH_FIXTURES/make-oci-layout.sh" "$BERTH_TEST_DIR/b" v1.2)
	[ "$d1" = "$d2" ]
	jq -e '.manifests[0].annotations["org.opencontainers.image.ref.name"] == "v1.2"' "$BERTH_TEST_DIR/b/index.json"
	run "$BERTH_FIXTURES/make-oci-layout.sh" "$BERTH_TEST_DIR/b"
	[ "$status" -ne 0 ]
	[[ $output == *"not empty"* ]]
}

@test "make-oci-layout.sh: skopeo and umoci read the layout" {
	command -v skopeo >/dev/null || command -v umoci >/dev/null || skip "needs skopeo or umoci, neither is installed"
	local l=$BERTH_TEST_DIR/l d
	d=$("$BERTH_FIXTURES/make-oci-layout.sh" "$l")
	if command -v skopeo >/dev/null; then
		run skopeo inspect "oci:$l:latest"
		[ "$status" -eq 0 ]
		[ "$(jq -r .Digest <<<"$output")" = "$d" ]
	fi
	if command -v umoci >/dev/null; then
		run umoci ls --layout "$l"
		[ "$status" -eq 0 ]
		[ "$output" = latest ]
	fi
}

@test "helpers: make_bundle, update_config, new_cid, track_container" {
	make_bundle
	[ -f "$BUNDLE/config.json" ]
	[ -x "$BUNDLE/rootfs/bin/busybox" ]
	# A copy, not the cache itself: writing to it leaves the cache alone.
	[ "$(stat -c %i "$BUNDLE/config.json")" != "$(stat -c %i "$(fixture_bundle)/config.json")" ]
	update_config '.process.args = ["sh", "-c", $cmd]' --arg cmd 'exit 3'
	jq -e '.process.args == ["sh", "-c", "exit 3"]' "$BUNDLE/config.json"
	jq -e '.process.args == ["sh"]' "$(fixture_bundle)/config.json"
	run update_config '.process.args = ['
	[ "$status" -ne 0 ]
	jq -e '.process.args == ["sh", "-c", "exit 3"]' "$BUNDLE/config.json"

	local a b
	a=$(new_cid)
	b=$(new_cid)
	[ "$a" != "$b" ]
	[[ $a == berth-test-* ]]

	track_container --log /x run -b "$BUNDLE" --pid-file /p one
	track_container create --bundle "$BUNDLE" two
	track_container state three
	track_container --debug delete --force four
	[ "$(cat "$BERTH_TEST_DIR/containers")" = "$(printf 'one\ntwo')" ]
}

@test "runc runs the bundle: true exits 0, sh -c 'exit 3' exits 3" {
	require_root
	require_cmd runc
	BERTH_RUNTIME=$(command -v runc)
	make_bundle

	update_config '.process.args = ["true"]'
	run runtime run -b "$BUNDLE" "$CID"
	echo "$output"
	[ "$status" -eq 0 ]

	update_config '.process.args = ["sh", "-c", "exit 3"]'
	run runtime run -b "$BUNDLE" "$(new_cid)"
	echo "$output"
	[ "$status" -eq 3 ]

	# The hostname, user and read-only root from config.json hold inside.
	update_config '.process.args = ["sh", "-c", "hostname; id -u; touch /x 2>/dev/null || echo ro"]'
	run runtime run -b "$BUNDLE" "$(new_cid)"
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$output" = "$(printf 'berth\n0\nro')" ]
}

@test "teardown helper deletes a created container and removes the test dir" {
	require_root
	require_cmd runc
	BERTH_RUNTIME=$(command -v runc)
	make_bundle
	update_config '.process.args = ["sleep", "60"]'
	runtime create -b "$BUNDLE" "$CID" </dev/null >/dev/null 2>&1 3>&-
	wait_for_status "$CID" created
	local other dir=$BERTH_TEST_DIR
	other=$(new_cid)
	runtime create -b "$BUNDLE" "$other" </dev/null >/dev/null 2>&1 3>&-
	runtime start "$other"
	wait_for_status "$other" running
	local pid
	pid=$(runtime state "$other" | jq -r .pid)
	kill -0 "$pid"

	berth_teardown
	[ ! -e "$dir" ]
	# Both are gone: the running one's process too (it may linger a moment as
	# runc's SIGKILL is delivered asynchronously).
	local i
	for ((i = 0; i < 100; i++)); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.05
	done
	! kill -0 "$pid" 2>/dev/null
}
