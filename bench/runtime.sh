#!/bin/bash
# bench/runtime.sh [-n RUNS] [-r RUNTIMES]: start-up cost of berth-runtime
# against crun and runc on the same machine, same bundle, same run.
#
# The bundle is tests/fixtures/make-bundle.sh's with process.args
# ["/bin/true"]. Each iteration times, for every runtime in turn (the order
# rotates per iteration so none always goes first):
#   run        RUNTIME --root TMP run -b BUNDLE ID
#   lifecycle  create, start, poll `state` until "stopped", delete
# and prints a markdown table of medians (ms) with the ratio to crun.
#
#   -n RUNS      iterations (default 30)
#   -m           measure every runtime inside one private mount namespace
#                without the host's cgroup2 mount (a plain v1 view), so that
#                crun runs there as the others do and pays no wrapper
#   -r LIST      comma-separated runtimes (default berth,crun,runc); one that
#                is not installed or not built is skipped with a note
#   BERTH_RUNTIME  path of berth-runtime (default build/cmd/berth-runtime)
#
# No cgroupsPath is set: each runtime then names the cgroup after the id,
# which is unique per run, and delete removes it.
#
# crun 1.8 refuses a hybrid cgroup host ("cgroups in hybrid mode not
# supported, drop all controllers from cgroupv2") -- such as this one, with v1
# controllers plus a cgroup2 mount at /sys/fs/cgroup/unified. On such a host
# every crun command runs in a private mount namespace without that mount:
#   unshare -m sh -c 'umount /sys/fs/cgroup/unified; exec crun "$@"' sh ...
# (unshare makes the new namespace's mounts private, so the host keeps its
# mount.) crun's times then include one unshare + sh exec, about a millisecond;
# the table says so.
set -euo pipefail

srcdir=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")/.." && pwd)
runs=30
want=berth,crun,runc

usage() {
	sed -n '2,/^set -euo/{/^#/s/^# \{0,1\}//p}' "${BASH_SOURCE[0]}" >&2
	exit 2
}
v1view=0
while getopts 'n:r:mMh' opt; do
	case $opt in
	n) runs=$OPTARG ;;
	m) v1view=1 ;;
	M) v1view=2 ;; # internal: already inside the private namespace
	r) want=$OPTARG ;;
	*) usage ;;
	esac
done
[[ $runs =~ ^[1-9][0-9]*$ ]] || {
	echo "bench: -n wants a positive number" >&2
	exit 2
}
((${EUID:-$(id -u)} == 0)) || {
	echo "bench: needs root (the runtimes create namespaces and cgroups)" >&2
	exit 1
}
command -v jq >/dev/null || {
	echo "bench: needs jq" >&2
	exit 1
}

if ((v1view == 1)); then
	# Mounts made in the new namespace are private to it: the host keeps its
	# cgroup2 mount.
	exec unshare -m bash -c 'umount /sys/fs/cgroup/unified 2>/dev/null; exec "$0" -M "$@"' \
		"${BASH_SOURCE[0]}" -n "$runs" -r "$want"
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/berth-bench.XXXXXX")
declare -a created=() # "runtime id" of everything created, for cleanup

# shellcheck disable=SC2317 # called from the EXIT trap
cleanup() {
	local e rt id
	for e in "${created[@]}"; do
		rt=${e%% *}
		id=${e#* }
		rt_cmd "$rt" delete --force "$id" >/dev/null 2>&1 || true
	done
	rm -rf --one-file-system -- "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

hybrid=0
if [[ -d /sys/fs/cgroup/unified ]] && [[ $(stat -fc %T /sys/fs/cgroup/unified 2>/dev/null) == cgroup2fs ]] &&
	[[ $(stat -fc %T /sys/fs/cgroup 2>/dev/null) != cgroup2fs ]]; then
	hybrid=1
fi

# rt_cmd RUNTIME ARGS...: runs one runtime command with that runtime's own
# state dir under $tmp.
rt_cmd() {
	local rt=$1
	shift
	case $rt in
	berth) "$berth_bin" --root "$tmp/state-berth" "$@" ;;
	runc) runc --root "$tmp/state-runc" "$@" ;;
	crun)
		if ((hybrid)); then
			unshare -m sh -c 'umount /sys/fs/cgroup/unified 2>/dev/null; exec crun "$@"' \
				sh --root "$tmp/state-crun" "$@"
		else
			crun --root "$tmp/state-crun" "$@"
		fi
		;;
	esac
}

berth_bin=${BERTH_RUNTIME:-$srcdir/build/cmd/berth-runtime}
runtimes=()
IFS=, read -ra asked <<<"$want"
for rt in "${asked[@]}"; do
	case $rt in
	berth) [[ -x $berth_bin ]] || {
		echo "note: $berth_bin not built (ninja -C build): skipping berth-runtime" >&2
		continue
	} ;;
	crun | runc) command -v "$rt" >/dev/null || {
		echo "note: $rt not installed: skipping it" >&2
		continue
	} ;;
	*)
		echo "bench: unknown runtime $rt (berth, crun, runc)" >&2
		exit 2
		;;
	esac
	mkdir -p "$tmp/state-$rt"
	runtimes+=("$rt")
done
((${#runtimes[@]})) || {
	echo "bench: no runtime to measure" >&2
	exit 1
}

bundle=$tmp/bundle
"$srcdir/tests/fixtures/make-bundle.sh" "$bundle"
jq '.process.args = ["/bin/true"] | .process.terminal = false' "$bundle/config.json" >"$bundle/config.json.new"
mv "$bundle/config.json.new" "$bundle/config.json"

now_us() {
	local t=$EPOCHREALTIME
	t=${t//[!0-9]/} # the decimal separator follows the locale
	printf '%s' "$((10#$t))"
}

# one_run RT ID: prints the microseconds of `run`; fails if run does.
one_run() {
	local rt=$1 id=$2 t0 t1
	t0=$(now_us)
	rt_cmd "$rt" run -b "$bundle" "$id" </dev/null >/dev/null 2>>"$tmp/err-$rt" || return 1
	t1=$(now_us)
	# run deletes the container itself; nothing is left to clean.
	printf '%s\n' "$((t1 - t0))"
}

# one_lifecycle RT ID: create, start, poll state until stopped (at most 1000
# polls), delete; prints the microseconds of the whole sequence.
one_lifecycle() {
	local rt=$1 id=$2 t0 t1 i st=
	t0=$(now_us)
	rt_cmd "$rt" create -b "$bundle" "$id" </dev/null >/dev/null 2>>"$tmp/err-$rt" || return 1
	rt_cmd "$rt" start "$id" 2>>"$tmp/err-$rt" || return 1
	for ((i = 0; i < 1000; i++)); do
		st=$(rt_cmd "$rt" state "$id" 2>>"$tmp/err-$rt" | jq -r .status) || true
		[[ $st == stopped ]] && break
	done
	[[ $st == stopped ]] || {
		echo "$rt: $id not stopped after $i polls (status \"$st\")" >>"$tmp/err-$rt"
		return 1
	}
	rt_cmd "$rt" delete "$id" 2>>"$tmp/err-$rt" || return 1
	t1=$(now_us)
	printf '%s\n' "$((t1 - t0))"
}

declare -A broken=()
echo "bench: $runs runs each of ${runtimes[*]} (hybrid cgroup host: $([[ $hybrid == 1 ]] && echo yes || echo no))" >&2
for ((n = 0; n < runs; n++)); do
	for ((k = 0; k < ${#runtimes[@]}; k++)); do
		rt=${runtimes[(n + k) % ${#runtimes[@]}]}
		[[ -z ${broken[$rt]:-} ]] || continue
		id=berth-bench-$$-$rt-$n
		# Recorded here: one_run and one_lifecycle run in $(...) subshells.
		created+=("$rt $id-r" "$rt $id-l")
		if ! us=$(one_run "$rt" "$id-r"); then
			broken[$rt]="run failed"
			continue
		fi
		echo "$us" >>"$tmp/run-$rt"
		if ! us=$(one_lifecycle "$rt" "$id-l"); then
			broken[$rt]="create/start/state/delete failed"
			continue
		fi
		echo "$us" >>"$tmp/life-$rt"
	done
	printf '.' >&2
done
echo >&2

# median FILE: prints the median of the microsecond values, in ms.
median() {
	[[ -s $1 ]] || {
		echo "-"
		return
	}
	sort -n "$1" | awk '{ v[NR] = $1 } END {
		m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
		printf "%.2f\n", m / 1000 }'
}

ratio() { # A B: A / B, or "-"
	if [[ $1 == - || $2 == - ]]; then echo "-"; else awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f\n", a / b }'; fi
}

declare -A med_run=() med_life=()
for rt in "${runtimes[@]}"; do
	med_run[$rt]=$(median "$tmp/run-$rt" 2>/dev/null)
	med_life[$rt]=$(median "$tmp/life-$rt" 2>/dev/null)
done

base_run=${med_run[crun]:--}
base_life=${med_life[crun]:--}
echo "| runtime | run median ms | create+start+delete median ms | ratio vs crun (run / create+start+delete) |"
echo "| --- | ---: | ---: | ---: |"
for rt in "${runtimes[@]}"; do
	name=$rt
	[[ $rt == berth ]] && name=berth-runtime
	[[ $rt == crun ]] && ((hybrid)) && name="crun (in unshare -m)"
	echo "| $name | ${med_run[$rt]} | ${med_life[$rt]} | $(ratio "${med_run[$rt]}" "$base_run") / $(ratio "${med_life[$rt]}" "$base_life") |"
done
echo
view="host cgroups as they are ($( ((hybrid)) && echo "hybrid v1 + cgroup2" || echo "as mounted"))"
((v1view == 2)) && view="all runtimes in one private mount namespace without the cgroup2 mount (v1 view)"
echo "$runs runs each, $(nproc) CPUs, $(uname -r), $view; each runtime's median over its successful runs."
status=0
for rt in "${runtimes[@]}"; do
	if [[ -n ${broken[$rt]:-} ]]; then
		status=1
		echo "$rt: ${broken[$rt]} after $(wc -l <"$tmp/run-$rt" 2>/dev/null || echo 0) runs; last errors:" >&2
		tail -n 5 "$tmp/err-$rt" >&2 || true
	fi
done
exit "$status"
