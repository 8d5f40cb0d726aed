#!/usr/bin/env bash
# Installs what blobgraph needs on Debian 12 (only what is missing), then
# configures and builds it in ./build. Idempotent: a second run only rebuilds.
#   BUILD_DIR   build directory (default: build)
#   BUILD_TYPE  CMake build type (default: Release)
#   BUILD_TARGETS  what to build (default: everything; the demo builds only
#               the blobgraph command it runs)
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(build-essential cmake pkg-config python3 gzip
          librocksdb-dev libcapnp-dev capnproto libboost-program-options-dev
          libgtest-dev libgmock-dev libbenchmark-dev libssl-dev openssl zlib1g-dev ${EXTRA_PACKAGES:-})
missing=()
for package in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" ||
    missing+=("$package")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing ${missing[*]}" >&2
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
fi

build_dir=${BUILD_DIR:-build}
cmake -S . -B "$build_dir" -DCMAKE_BUILD_TYPE="${BUILD_TYPE:-Release}" ${CMAKE_ARGS:-} >&2
# shellcheck disable=SC2086
cmake --build "$build_dir" -j"${JOBS:-2}" ${BUILD_TARGETS:+--target $BUILD_TARGETS} >&2
