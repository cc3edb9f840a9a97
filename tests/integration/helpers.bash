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
BERTH_RUNTIME=${BERTH_RUNTIME:-$BERTH_SRCDIR/build/berth-runtime}
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
