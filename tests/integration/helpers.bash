# shellcheck shell=bash
# Helpers for the bats integration tests; each .bats file starts with
#
#	load helpers
#
# and gets a setup/teardown that give every test its own runtime state dir
# ($ROOT, passed as --root, so nothing touches /run/berth-runtime), its own
# bundle dir ($BUNDLE, filled by make_bundle) and a container id ($CID). A
# file that needs its own setup or teardown defines it and calls berth_setup /
# berth_teardown from it.
#
# BERTH_RUNTIME picks the runtime under test. It defaults to the build tree's
# berth-runtime; pointing it at /usr/sbin/runc runs the same tests against runc,
# which is how a test is checked before berth-runtime can pass it.

BERTH_SRCDIR=$(cd -- "$BATS_TEST_DIRNAME/../.." && pwd)
BERTH_RUNTIME=${BERTH_RUNTIME:-$BERTH_SRCDIR/build/cmd/berth-runtime}
BERTH_FIXTURES=$BERTH_SRCDIR/tests/fixtures
# Built once per bats run (or kept across runs if BERTH_TEST_CACHE is set).
BERTH_TEST_CACHE=${BERTH_TEST_CACHE:-$BATS_RUN_TMPDIR/berth-cache}

# require_cmd NAME...: skip the test unless every NAME is on PATH.
require_cmd() {
	local c
	for c in "$@"; do
		command -v "$c" >/dev/null 2>&1 || skip "needs $c, which is not installed"
	done
}

# require_root: skip unless running as root.
require_root() {
	[[ $(id -u) == 0 ]] || skip "needs root"
}

# fail MESSAGE: fails the test with MESSAGE on stderr (bats shows it).
fail() {
	printf '%s\n' "$*" >&2
	return 1
}

# fixture_cache_dir: prints the cache dir for the current fixture scripts.
# Keyed by a hash of the scripts, so a persistent BERTH_TEST_CACHE never
# serves a bundle made by an older make-bundle.sh.
fixture_cache_dir() {
	local key
	key=$(cat "$BERTH_FIXTURES/lib.sh" "$BERTH_FIXTURES/make-bundle.sh" \
		"$BERTH_FIXTURES/make-oci-layout.sh" | sha256sum | cut -c1-16)
	printf '%s/%s\n' "$BERTH_TEST_CACHE" "$key"
}

# fixture_bundle: prints the path of the cached pristine bundle, making it
# first if needed. Safe under `bats -j`: the first test makes it under a lock,
# into a temp dir renamed into place, so nobody sees half a bundle.
fixture_bundle() {
	local cache tmp
	cache=$(fixture_cache_dir)
	if [[ ! -f $cache/bundle/config.json ]]; then
		mkdir -p -- "$cache"
		(
			flock 9
			if [[ ! -f $cache/bundle/config.json ]]; then
				tmp=$(mktemp -d "$cache/bundle.XXXXXX")
				"$BERTH_FIXTURES/make-bundle.sh" "$tmp/b" >&2 || exit 1
				mv -- "$tmp/b" "$cache/bundle"
				rmdir -- "$tmp"
			fi
		) 9>"$cache/.lock" || return 1
	fi
	printf '%s\n' "$cache/bundle"
}

# fixture_oci_layout: like fixture_bundle, for an OCI image layout tagged
# "latest"; prints its path.
fixture_oci_layout() {
	local cache tmp
	cache=$(fixture_cache_dir)
	if [[ ! -f $cache/layout/index.json ]]; then
		mkdir -p -- "$cache"
		(
			flock 9
			if [[ ! -f $cache/layout/index.json ]]; then
				tmp=$(mktemp -d "$cache/layout.XXXXXX")
				"$BERTH_FIXTURES/make-oci-layout.sh" "$tmp/l" >/dev/null || exit 1
				mv -- "$tmp/l" "$cache/layout"
				rmdir -- "$tmp"
			fi
		) 9>"$cache/.lock" || return 1
	fi
	printf '%s\n' "$cache/layout"
}

# make_bundle [DIR]: copies the pristine bundle to DIR (default $BUNDLE) --
# rootfs included, so a test may change files in it.
make_bundle() {
	local dst=${1:-$BUNDLE} src
	src=$(fixture_bundle) || fail "cannot make the fixture bundle" || return 1
	rm -rf -- "$dst"
	cp -a -- "$src" "$dst"
}

# update_config FILTER [JQ ARGS...]: rewrites $BUNDLE/config.json in place
# through jq, e.g.
#	update_config '.process.args = ["sh", "-c", "exit 3"]'
#	update_config '.process.env += [$e]' --arg e FOO=bar
# Set BUNDLE=... first to edit another bundle.
update_config() {
	local filter=$1 cfg=$BUNDLE/config.json
	shift
	jq "$@" "$filter" "$cfg" >"$cfg.tmp" || {
		rm -f -- "$cfg.tmp"
		fail "update_config: jq failed on: $filter"
		return 1
	}
	mv -- "$cfg.tmp" "$cfg"
}

# runtime ARGS...: the runtime under test, with this test's state dir. Use as
# `run runtime state "$CID"`. Ids passed to create/run are remembered so that
# teardown deletes them even if `list` is broken.
runtime() {
	track_container "$@"
	"$BERTH_RUNTIME" --root "$ROOT" "$@"
}

# track_container ARGS...: for a create/run command line (global options
# first, as runc takes them), appends the container id -- the last word that
# is not an option -- to the test's list.
track_container() {
	local verb='' last=''
	while (($#)); do
		case $1 in
		--log | --log-format | --root | --criu | --rootless) (($# > 1)) && shift ;;
		-*) ;;
		*)
			verb=$1
			shift
			break
			;;
		esac
		shift
	done
	[[ $verb == create || $verb == run ]] || return 0
	while (($#)); do
		case $1 in
		-b | --bundle | --console-socket | --pid-file | --preserve-fds) (($# > 1)) && shift ;;
		-*) ;;
		*) last=$1 ;;
		esac
		shift
	done
	if [[ -n $last ]]; then
		printf '%s\n' "$last" >>"$BERTH_TEST_DIR/containers"
	fi
}

# new_cid: prints a further container id, unique to this test and process
# (the counter lives in a file so that `id=$(new_cid)` works from subshells).
new_cid() {
	local n=0 f=$BERTH_TEST_DIR/cid-seq
	[[ -f $f ]] && n=$(<"$f")
	n=$((n + 1))
	printf '%s\n' "$n" >"$f"
	printf '%s-%s\n' "$CID" "$n"
}

# container_status ID: prints the status field of `state ID`.
container_status() {
	"$BERTH_RUNTIME" --root "$ROOT" state "$1" 2>/dev/null | jq -r .status
}

# wait_for_status ID STATUS [SECONDS]: polls `state` until STATUS (default
# timeout 10 s, in 0.05 s steps).
wait_for_status() {
	local id=$1 want=$2 secs=${3:-10} i now=
	for ((i = 0; i < secs * 20; i++)); do
		now=$(container_status "$id") || true
		[[ $now == "$want" ]] && return 0
		sleep 0.05
	done
	fail "container $id: status \"$now\" after ${secs}s, want \"$want\""
}

# berth_setup: per-test state. The runtime under test must exist, unless the
# test file sets BERTH_NO_RUNTIME=1 (fixture self-tests).
berth_setup() {
	BERTH_TEST_DIR=$(mktemp -d "${BATS_TEST_TMPDIR:-${TMPDIR:-/tmp}}/berth.XXXXXX")
	ROOT=$BERTH_TEST_DIR/state
	BUNDLE=$BERTH_TEST_DIR/bundle
	CID=berth-test-$BATS_TEST_NUMBER-$$
	mkdir -m 0700 -- "$ROOT"
	: >"$BERTH_TEST_DIR/containers"
	export ROOT BUNDLE CID BERTH_TEST_DIR BERTH_RUNTIME
	if [[ ${BERTH_NO_RUNTIME:-0} != 1 && ! -x $BERTH_RUNTIME ]]; then
		fail "runtime under test not found: $BERTH_RUNTIME (build it: ninja -C build, or set BERTH_RUNTIME)"
		return 1
	fi
}

# berth_teardown: force-deletes every container in this test's state dir
# (those `list -q` shows and those runtime() saw created), then removes the
# test's dirs. Never fails the test: cleanup problems go to stderr.
berth_teardown() {
	[[ -n ${BERTH_TEST_DIR:-} && -d $BERTH_TEST_DIR ]] || return 0
	local id ids=()
	if [[ -x $BERTH_RUNTIME && -d $ROOT ]]; then
		mapfile -t ids < <(
			{
				"$BERTH_RUNTIME" --root "$ROOT" list -q 2>/dev/null || true
				cat -- "$BERTH_TEST_DIR/containers" 2>/dev/null || true
			} | sort -u
		)
		for id in "${ids[@]}"; do
			[[ -n $id ]] || continue
			"$BERTH_RUNTIME" --root "$ROOT" delete --force "$id" >/dev/null 2>&1 && continue
			# Already gone is fine; anything still listed is worth a note.
			if "$BERTH_RUNTIME" --root "$ROOT" state "$id" >/dev/null 2>&1; then
				echo "teardown: could not delete container $id" >&2
			fi
		done
	fi
	# Mounts a broken runtime left behind would make rm fail or worse, descend
	# into them: unmount anything under the test dir first, deepest first.
	if grep -qF -- "$BERTH_TEST_DIR/" /proc/self/mountinfo 2>/dev/null; then
		awk -v p="$BERTH_TEST_DIR/" 'index($5, p) == 1 { print $5 }' /proc/self/mountinfo |
			sort -r | while read -r m; do umount -l -- "$m" 2>/dev/null || true; done
	fi
	rm -rf --one-file-system -- "$BERTH_TEST_DIR" || echo "teardown: could not remove $BERTH_TEST_DIR" >&2
	return 0
}

setup() {
	berth_setup
}

teardown() {
	berth_teardown
}

# ---------------------------------------------------------------------------
# Runtime verb tests (create.bats ... version.bats, errors.bats): bounded
# commands whose output survives a container that inherits it, a console
# socket receiver, a host directory shared with the container, and cgroup
# lookups.
# ---------------------------------------------------------------------------

# Seconds any single runtime command may take in run_file.
BERTH_TIMEOUT=${BERTH_TIMEOUT:-60}

# is_runc: true when the runtime under test is runc (for the few behaviours
# where berth-runtime documents a different message).
is_runc() {
	[[ ${BERTH_RUNTIME##*/} == runc ]]
}

# run_file [runtime] ARGS...: like bats' run (sets $status, $output, $lines),
# but the command's stdout and stderr go through a file and stdin is
# /dev/null, so that a container process which inherits them cannot hold the
# test open; a leading `runtime` runs the runtime under test, killed after
# $BERTH_TIMEOUT seconds (status 124).
run_file() {
	local f=$BERTH_TEST_DIR/run-file.$RANDOM.out
	if [[ $1 == runtime ]]; then
		shift
		track_container "$@"
		set -- timeout -k 5 "$BERTH_TIMEOUT" "$BERTH_RUNTIME" --root "$ROOT" "$@"
	fi
	status=0
	"$@" >"$f" 2>&1 </dev/null 3>&- || status=$?
	output=$(<"$f")
	mapfile -t lines <"$f"
	rm -f -- "$f"
	printf '%s\n' "${output:0:3000}" >&2 # shown by bats when the test fails
}

# run_detached ID [RUN ARGS...]: `run -d` of $BUNDLE as ID; waits until it
# is running. The container's stdio go to $BERTH_TEST_DIR/ID.out.
run_detached() {
	local id=$1
	shift
	runtime run -d -b "$BUNDLE" "$@" "$id" </dev/null >"$BERTH_TEST_DIR/$id.out" 2>&1 3>&- || {
		cat -- "$BERTH_TEST_DIR/$id.out" >&2
		fail "run -d $id failed"
		return 1
	}
	wait_for_status "$id" running
}

# create_container ID [CREATE ARGS...]: `create` of $BUNDLE as ID; the
# process's stdio go to $BERTH_TEST_DIR/ID.out.
create_container() {
	local id=$1
	shift
	runtime create -b "$BUNDLE" "$@" "$id" </dev/null >"$BERTH_TEST_DIR/$id.out" 2>&1 3>&- || {
		cat -- "$BERTH_TEST_DIR/$id.out" >&2
		fail "create $id failed"
		return 1
	}
}

# container_pid ID: the pid that `state` reports.
container_pid() {
	"$BERTH_RUNTIME" --root "$ROOT" state "$1" | jq -er .pid
}

# share_dir: bind-mounts the host dir $BERTH_TEST_DIR/out at /out in the
# container of $BUNDLE, so a test can see what the container wrote.
share_dir() {
	mkdir -p -- "$BERTH_TEST_DIR/out" "$BUNDLE/rootfs/out"
	update_config '.mounts += [{"destination": "/out", "type": "bind", "source": $s, "options": ["rbind", "rw"]}]' \
		--arg s "$BERTH_TEST_DIR/out"
}

# wait_for_file PATH [SECONDS]: polls until PATH exists and is not empty
# (default 10 s).
wait_for_file() {
	local f=$1 secs=${2:-10} i
	for ((i = 0; i < secs * 20; i++)); do
		[[ -s $f ]] && return 0
		sleep 0.05
	done
	fail "$f did not appear within ${secs}s"
}

# wait_for_pid_gone PID [SECONDS]
wait_for_pid_gone() {
	local pid=$1 secs=${2:-10} i
	for ((i = 0; i < secs * 20; i++)); do
		kill -0 "$pid" 2>/dev/null || return 0
		sleep 0.05
	done
	fail "pid $pid still exists after ${secs}s"
}

# cgroup_dir PID CONTROLLER: the host directory of PID's cgroup for
# CONTROLLER (v1: the controller's hierarchy; v2: the unified one).
cgroup_dir() {
	local pid=$1 ctl=$2 path
	if [[ -f /sys/fs/cgroup/cgroup.controllers ]]; then
		path=$(awk -F: '$1 == "0" { print $3 }' "/proc/$pid/cgroup")
		printf '/sys/fs/cgroup%s\n' "$path"
		return 0
	fi
	path=$(awk -F: -v c="$ctl" '{ n = split($2, a, ","); for (i = 1; i <= n; i++) if (a[i] == c) print $3 }' \
		"/proc/$pid/cgroup")
	[[ -n $path ]] || {
		fail "pid $pid has no $ctl cgroup"
		return 1
	}
	local d
	for d in "/sys/fs/cgroup/$ctl" /sys/fs/cgroup/*"$ctl"*; do
		if [[ -d $d$path ]]; then
			printf '%s%s\n' "$d" "$path"
			return 0
		fi
	done
	fail "no directory for $ctl cgroup $path of pid $pid"
}

# assert_nothing_left ID: no state under $ROOT, no cgroup directory named
# after ID, no mount of this test's files in our mount namespace.
assert_nothing_left() {
	local id=$1 left
	if [[ -e $ROOT/$id ]]; then
		fail "state of $id left in $ROOT: $(ls -A "$ROOT/$id")"
		return 1
	fi
	left=$(find /sys/fs/cgroup -mindepth 1 -maxdepth 5 -type d -name "*$id*" 2>/dev/null)
	if [[ -n $left ]]; then
		fail "cgroups of $id left: $left"
		return 1
	fi
	left=$(grep -F -e "$BERTH_TEST_DIR" -e "$id" /proc/self/mountinfo || true)
	if [[ -n $left ]]; then
		fail "mounts left: $left"
		return 1
	fi
}

# console_receiver SOCKET OUT [INPUT]: starts (in the background) a receiver
# for --console-socket: it accepts one pty master over SOCKET, writes INPUT
# to it if given, and copies what the container prints to OUT until the pty
# closes (or 30 s pass). Waits until SOCKET exists; sets CONSOLE_PID.
console_receiver() {
	local sock=$1 out=$2 input=${3:-} i
	timeout 40 python3 -c '
import array, os, select, socket, sys, time
path, out, data = sys.argv[1], sys.argv[2], sys.argv[3].encode()
srv = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
srv.bind(path)
srv.listen(1)
srv.settimeout(30)
conn, _ = srv.accept()
fds = array.array("i")
_, anc, _, _ = conn.recvmsg(4096, socket.CMSG_SPACE(4 * fds.itemsize))
for level, kind, payload in anc:
    if level == socket.SOL_SOCKET and kind == socket.SCM_RIGHTS:
        fds.frombytes(payload[: len(payload) - len(payload) % fds.itemsize])
if not fds:
    sys.exit("no fd received")
master = fds[0]
if data:
    os.write(master, data)
deadline = time.monotonic() + 30
with open(out, "wb") as f:
    while time.monotonic() < deadline:
        r, _, _ = select.select([master], [], [], 0.5)
        if not r:
            continue
        try:
            b = os.read(master, 4096)
        except OSError:
            break  # EIO: every slave fd is closed
        if not b:
            break
        f.write(b)
        f.flush()
' "$sock" "$out" "$input" </dev/null >"$out.log" 2>&1 3>&- &
	CONSOLE_PID=$!
	for ((i = 0; i < 200; i++)); do
		[[ -S $sock ]] && return 0
		sleep 0.05
	done
	fail "console receiver did not listen on $sock"
}

# console_wait: waits (bounded by the receiver's own timeout) for the
# receiver to finish.
console_wait() {
	wait "$CONSOLE_PID" || true
}
