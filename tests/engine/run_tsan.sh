#!/bin/sh
# Builds engine_tests with ThreadSanitizer in its own build directory and runs
# the engine's concurrency tests (and the rest of engine_tests) under it.
#   tests/engine/run_tsan.sh [SOURCE_DIR] [BUILD_DIR]
# Registered as the ctest test "engine_tsan" with label "tsan" by
# tests/engine/tsan.cmake, so `ctest -L tsan` runs it; it is not part of the
# default test run (it rebuilds the engine, storage and RocksDB-linked code).
set -eu
source_dir=${1:-$(cd "$(dirname "$0")/../.." && pwd)}
build_dir=${2:-$source_dir/build-tsan}
cmake -S "$source_dir" -B "$build_dir" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DBLOBGRAPH_TSAN=ON \
  -DBLOBGRAPH_BUILD_BENCH=OFF >/dev/null
cmake --build "$build_dir" -j2 --target engine_tests
# halt_on_error: any reported race fails the run. tsan.supp: races inside
# the uninstrumented RocksDB only (see the file).
TSAN_OPTIONS="halt_on_error=1 second_deadlock_stack=1 suppressions=$source_dir/tests/engine/tsan.supp ${TSAN_OPTIONS:-}" \
  "$build_dir/tests/engine_tests" --gtest_filter='EngineConcurrencyTest.*:EngineTest.*:ReferencePortTest.*'
