#!/usr/bin/env bash
# Runs clang-tidy (.clang-tidy's checks) on every source file of the layers,
# the tools and the C API, with the compile commands of ${BUILD_DIR:-build}
# (configure it first: scripts/setup.sh). Prints the findings; exit 1 if any.
# Takes a few minutes on 2 cores; the test lint.SourcesPassClangTidy runs it.
set -euo pipefail
cd "$(dirname "$0")/.."
build_dir=${BUILD_DIR:-build}
[ -f "$build_dir/compile_commands.json" ] || {
  echo "tidy: $build_dir/compile_commands.json is missing: run scripts/setup.sh first" >&2
  exit 2
}
files=$(git ls-files 'core/*.cc' 'schema/*.cc' 'storage/*.cc' 'formats/*.cc' 'engine/*.cc' \
                     'server/*.cc' 'tools/*.cc' 'capi/*.cc' | grep -v '/fuzz/')
log=$(mktemp)
trap 'rm -f "$log"' EXIT
# Findings are warnings (WarningsAsErrors is empty), so run-clang-tidy exits
# non-zero only when it could not run or a file did not compile: a failure
# too, never "no findings". -Wno-unknown-warning-option: the build's flags
# are GCC's (-Wno-restrict).
status=0
# shellcheck disable=SC2086
run-clang-tidy -quiet -extra-arg=-Wno-unknown-warning-option -p "$build_dir" -j "${JOBS:-2}" \
  $files >"$log" 2>&1 || status=$?
if grep -E "(warning|error): " "$log"; then
  echo "tidy: findings above" >&2
  exit 1
fi
if [ "$status" -ne 0 ]; then
  cat "$log" >&2
  echo "tidy: run-clang-tidy failed (exit $status)" >&2
  exit 1
fi
echo "tidy: no findings in $(echo "$files" | wc -w) files"
