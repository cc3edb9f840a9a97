#!/usr/bin/env bash
# Sets up and runs berth on a fresh Debian 12: installs what the build needs,
# builds, makes a busybox OCI bundle from Debian's busybox-static, and runs a
# container in it with berth-runtime.
set -euo pipefail
cd "$(dirname "$0")"

if [[ $(id -u) != 0 ]]; then
	echo "setup.sh: run as root (it installs packages and runs containers)" >&2
	exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -q
apt-get install -y -q --no-install-recommends build-essential meson ninja-build pkg-config \
	libjansson-dev libseccomp-dev libssl-dev libcmocka-dev busybox-static jq

[[ -f build/build.ninja ]] || meson setup build
ninja -C build

bundle=${BERTH_BUNDLE:-/var/tmp/berth-busybox-bundle}
rm -rf "$bundle"
tests/fixtures/make-bundle.sh "$bundle"
jq '.process.args = ["sh", "-c", "echo hello from berth: $(hostname), pid $$, uid $(id -u); ls /"]' \
	"$bundle/config.json" >"$bundle/config.json.new" && mv "$bundle/config.json.new" "$bundle/config.json"
exec build/cmd/berth-runtime run --bundle "$bundle" "berth-setup-$$"
