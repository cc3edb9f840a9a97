#!/usr/bin/env bats
# berth-runtime in place of runc under the engines that drive runc: podman
# (through conmon) and dockerd (through containerd and its runc shim). A
# wrapper records each invocation, to prove that berth-runtime is what ran.

load helpers

setup() {
	berth_setup
	require_root
	make_bundle
	WRAP=$BERTH_TEST_DIR/berth-runtime-wrap
	cat >"$WRAP" <<-EOF2
		#!/bin/sh
		echo "\$*" >> "$BERTH_TEST_DIR/invocations"
		exec "$BERTH_RUNTIME" "\$@"
	EOF2
	chmod 755 "$WRAP"
	# Nothing these engines start may reach outside: a closed local port.
	export https_proxy=http://127.0.0.1:9 http_proxy=http://127.0.0.1:9 HTTPS_PROXY=http://127.0.0.1:9 HTTP_PROXY=http://127.0.0.1:9
}

teardown() {
	if [[ -n ${DOCKERD_PID:-} ]]; then
		kill "$DOCKERD_PID" 2>/dev/null || true
		for _ in $(seq 1 100); do kill -0 "$DOCKERD_PID" 2>/dev/null || break; sleep 0.1; done
		kill -9 "$DOCKERD_PID" 2>/dev/null || true
	fi
	if [[ -f $BERTH_TEST_DIR/containerd.pid ]]; then
		kill "$(cat "$BERTH_TEST_DIR/containerd.pid")" 2>/dev/null || true
	fi
	berth_teardown
}

@test "dropin: podman runs a container with --runtime berth-runtime" {
	require_cmd podman conmon
	local P=(podman --root "$BERTH_TEST_DIR/storage" --runroot "$BERTH_TEST_DIR/run" --tmpdir "$BERTH_TEST_DIR/tmp"
		--storage-driver vfs --cgroup-manager cgroupfs --events-backend file --runtime "$WRAP")
	# podman asks for nofile 1048576 by default; this host's hard limit is lower
	# and root lacks CAP_SYS_RESOURCE, so take the host's limits.
	local U=(--ulimit nofile=1024:1024 --ulimit nproc=1024:1024)
	run "${P[@]}" run "${U[@]}" --rm --network none --rootfs "$BUNDLE/rootfs" sh -c 'echo hello-from-berth; exit 7'
	echo "$output"
	[ "$status" -eq 7 ]
	[[ "$output" == *hello-from-berth* ]]
	grep -qw create "$BERTH_TEST_DIR/invocations"
	grep -qw start "$BERTH_TEST_DIR/invocations"
	run "${P[@]}" run "${U[@]}" -d --network none --rootfs "$BUNDLE/rootfs" sleep 100
	[ "$status" -eq 0 ]
	local id=${lines[-1]}
	run "${P[@]}" exec "$id" sh -c 'echo exec-works'
	echo "$output"
	[[ "$output" == *exec-works* ]]
	run "${P[@]}" rm -f -t 0 "$id"
	[ "$status" -eq 0 ]
	grep -qw exec "$BERTH_TEST_DIR/invocations"
}

@test "dropin: dockerd runs docker run --runtime berth" {
	require_cmd dockerd containerd
	local D=$BERTH_TEST_DIR sock=unix://$BERTH_TEST_DIR/docker.sock docker
	docker=$(command -v /usr/bin/docker docker | head -n1)
	dockerd --data-root "$D/docker-data" --exec-root "$D/docker-exec" -H "$sock" --pidfile "$D/docker.pid" \
		--bridge=none --iptables=false --ip6tables=false --ip-forward=false --ip-masq=false \
		--add-runtime "berth=$WRAP" >"$D/dockerd.log" 2>&1 &
	DOCKERD_PID=$!
	local up=0
	for _ in $(seq 1 150); do
		if "$docker" -H "$sock" version >/dev/null 2>&1; then up=1; break; fi
		kill -0 "$DOCKERD_PID" 2>/dev/null || break
		sleep 0.2
	done
	[ "$up" = 1 ] || { tail -20 "$D/dockerd.log"; false; }
	tar -C "$BUNDLE/rootfs" -c . | "$docker" -H "$sock" import - berth-dropin:latest
	run "$docker" -H "$sock" run --rm --runtime berth --network none berth-dropin:latest sh -c 'echo hello-from-berth; exit 5'
	echo "$output"
	[ "$status" -eq 5 ]
	[[ "$output" == *hello-from-berth* ]]
	grep -q 'create' "$D/invocations"
	run "$docker" -H "$sock" run -d --runtime berth --network none berth-dropin:latest sleep 100
	[ "$status" -eq 0 ]
	local id=${lines[-1]}
	run "$docker" -H "$sock" exec "$id" sh -c 'echo exec-works'
	echo "$output"
	[[ "$output" == *exec-works* ]]
	run "$docker" -H "$sock" rm -f "$id"
	[ "$status" -eq 0 ]
}
