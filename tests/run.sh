#!/bin/bash
# tests/run.sh: builds berth and runs every test suite, then prints one line,
#
#	N passed, N failed, N skipped
#
# summing the unit tests of both builds and the bats integration tests. Exits
# non-zero if anything failed (a build failure counts as one failed test).
#
#   1. build/       meson setup (if needed) + ninja; unit tests (meson test)
#   2. build-asan/  the same with -Db_sanitize=address,undefined, unless
#                   BERTH_SANITIZE=0; BERTH_ASAN_CC picks the compiler
#                   (default: meson's choice, normally gcc)
#   3. bats --tap tests/integration/ against build/cmd/berth-runtime
#
# With no meson.build yet, steps 1 and 2 are skipped with a note.
set -euo pipefail

srcdir=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")/.." && pwd)
cd -- "$srcdir"

passed=0
failed=0
skipped=0

logdir=$(mktemp -d "${TMPDIR:-/tmp}/berth-run.XXXXXX")
trap 'rm -rf -- "$logdir"' EXIT

section() {
	printf '\n==> %s\n' "$*"
}

# build DIR [MESON SETUP ARGS...]: configures DIR if it is not yet, then
# builds it. Returns non-zero on failure.
build() {
	local dir=$1
	shift
	if [[ ! -f $dir/build.ninja ]]; then
		if [[ -f $dir/meson-private/coredata.dat ]]; then
			meson setup --reconfigure "$dir" "$@" || return 1
		else
			meson setup "$dir" "$@" || return 1
		fi
	fi
	ninja -C "$dir" || return 1
}

# meson_count LOG: adds the summary lines of a `meson test` log to the totals.
# Prints nothing and returns 1 if the log has no summary.
meson_count() {
	local log=$1 ok xfail fail upass skip timeout
	grep -q '^Ok:' "$log" || return 1
	field() { awk -v k="$1:" '$0 ~ "^" k { n = $NF } END { print n + 0 }' "$log"; }
	ok=$(field Ok)
	xfail=$(field 'Expected Fail')
	fail=$(field Fail)
	upass=$(field 'Unexpected Pass')
	skip=$(field Skipped)
	timeout=$(field Timeout)
	passed=$((passed + ok + xfail))
	failed=$((failed + fail + upass + timeout))
	skipped=$((skipped + skip))
}

# unit_tests DIR: runs meson's tests in DIR and counts them.
unit_tests() {
	local dir=$1 log=$logdir/meson-${1//\//_}.log rc=0
	meson test -C "$dir" --print-errorlogs 2>&1 | tee "$log" || rc=$?
	if ! meson_count "$log"; then
		if grep -q 'No tests defined' "$log" && ((rc == 0)); then
			echo "(no unit tests defined in $dir)"
		else
			echo "meson test in $dir exited $rc without a summary: counting one failure" >&2
			failed=$((failed + 1))
		fi
	elif ((rc != 0)) && ! grep -qE '^(Fail|Unexpected Pass|Timeout): +[1-9]' "$log"; then
		echo "meson test in $dir exited $rc with no failed test: counting one failure" >&2
		failed=$((failed + 1))
	fi
}

if [[ -f meson.build ]]; then
	section "build (build/)"
	if build build; then
		section "unit tests (build/)"
		unit_tests build
	else
		echo "build in build/ failed: counting one failure" >&2
		failed=$((failed + 1))
	fi

	if [[ ${BERTH_SANITIZE:-1} != 0 ]]; then
		section "build with ASan+UBSan (build-asan/)"
		# Make sanitizer findings fail the test instead of scrolling past.
		export ASAN_OPTIONS=${ASAN_OPTIONS:-halt_on_error=1:detect_leaks=1:print_summary=1}
		export UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1:print_summary=1}
		if (
			if [[ -n ${BERTH_ASAN_CC:-} ]]; then export CC=$BERTH_ASAN_CC; fi
			build build-asan -Db_sanitize=address,undefined -Db_lundef=false
		); then
			section "unit tests (build-asan/)"
			unit_tests build-asan
		else
			echo "build in build-asan/ failed: counting one failure" >&2
			failed=$((failed + 1))
		fi
		unset ASAN_OPTIONS UBSAN_OPTIONS
	else
		section "BERTH_SANITIZE=0: skipping the ASan+UBSan build"
	fi
else
	section "no meson.build: skipping the build and the unit tests"
fi

# bats_suite NAME FILES...: runs bats on FILES and adds its TAP results to
# the totals.
bats_suite() {
	local name=$1 tap=$logdir/bats-$1.tap rc=0
	shift
	# No terminal and no stdin in CI; give every test the same /dev/null.
	bats --tap "$@" </dev/null 2>&1 | tee "$tap" || rc=$?
	local b_pass=0 b_fail=0 b_skip=0 plan='' line seen
	while IFS= read -r line; do
		if [[ $line =~ ^1\.\.([0-9]+) ]]; then
			plan=${BASH_REMATCH[1]}
		elif [[ $line =~ ^not\ ok\  ]]; then
			b_fail=$((b_fail + 1))
		elif [[ $line =~ ^ok\ [0-9]+.*\ \#\ [Ss][Kk][Ii][Pp]([[:space:]]|$) ]]; then
			b_skip=$((b_skip + 1))
		elif [[ $line =~ ^ok\  ]]; then
			b_pass=$((b_pass + 1))
		fi
	done <"$tap"
	seen=$((b_pass + b_fail + b_skip))
	if [[ -z $plan ]]; then
		echo "$name: bats printed no plan (exit $rc): counting one failure" >&2
		b_fail=$((b_fail + 1))
	elif ((seen < plan)); then
		echo "$name: bats planned $plan tests but reported $seen: counting $((plan - seen)) as failed" >&2
		b_fail=$((b_fail + plan - seen))
	elif ((rc != 0 && b_fail == 0)); then
		echo "$name: bats exited $rc with no failed test: counting one failure" >&2
		b_fail=$((b_fail + 1))
	fi
	passed=$((passed + b_pass))
	failed=$((failed + b_fail))
	skipped=$((skipped + b_skip))
}

section "integration tests (bats)"
if ! command -v bats >/dev/null; then
	echo "bats is not installed (apt-get install bats): counting one failure" >&2
	failed=$((failed + 1))
else
	bats_suite all tests/integration/
	# The runtime itself under ASan+UBSan (leaks included) on the paths that
	# create, run, mount and tear down. exec is left out: LeakSanitizer's
	# stop-the-world clone would land in the container's pid namespace.
	asan_rt=build-asan/cmd/berth-runtime
	if [[ ${BERTH_SANITIZE:-1} != 0 && -x $asan_rt ]]; then
		section "integration tests against the ASan+UBSan runtime"
		BERTH_RUNTIME=$srcdir/$asan_rt \
			ASAN_OPTIONS=halt_on_error=1:detect_leaks=1:exitcode=66 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
			bats_suite asan tests/integration/{run,create,start,state,delete,errors,security,mounts,hooks}.bats
	fi
fi

echo
printf '%d passed, %d failed, %d skipped\n' "$passed" "$failed" "$skipped"
((failed == 0))
