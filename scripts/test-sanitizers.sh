#!/usr/bin/env bash
# The checks CI runs after the test suite (.ci/run):
#   1. the default suite built with AddressSanitizer and UndefinedBehaviorSanitizer
#      (build-asan; every report is fatal, so a finding fails its test);
#   2. every libFuzzer target of formats/fuzz for FUZZ_SECONDS (default 60) each,
#      from corpora seeded with the project's real samples (build-fuzz, clang).
# Sets up what it needs like scripts/setup.sh. Takes about 20 minutes on 2 cores.
set -euo pipefail
cd "$(dirname "$0")/.."
EXTRA_PACKAGES="cargo clang libclang-rt-14-dev ${EXTRA_PACKAGES:-}" BUILD_DIR=build-asan \
  BUILD_TYPE=RelWithDebInfo \
  CMAKE_ARGS="-DBLOBGRAPH_SANITIZE=address,undefined -DBLOBGRAPH_BUILD_BENCH=OFF ${CMAKE_ARGS:-}" \
  ./scripts/setup.sh
# Leaks are reported too; RocksDB's and the system libraries' own are not ours.
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0:strict_string_checks=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
ctest --test-dir build-asan -LE 'stress|fuzz|tsan|lint' --output-on-failure -j2

cmake -S . -B build-fuzz -DCMAKE_BUILD_TYPE=RelWithDebInfo -DBLOBGRAPH_FUZZ=ON \
  -DCMAKE_C_COMPILER=clang -DCMAKE_CXX_COMPILER=clang++ -DBLOBGRAPH_BUILD_TESTS=OFF \
  -DBLOBGRAPH_BUILD_BENCH=OFF -DBLOBGRAPH_FUZZ_SECONDS="${FUZZ_SECONDS:-60}" ${CMAKE_ARGS:-} >&2
cmake --build build-fuzz -j"${JOBS:-2}" --target fuzzers >&2
ctest --test-dir build-fuzz -L fuzz --output-on-failure -j2
# Each fuzzer's executions, for the record (libFuzzer's own summary lines).
awk '/Testing: fuzz_/ {name = $3} /Done [0-9]+ runs/ {print name ": " $0}' \
  build-fuzz/Testing/Temporary/LastTest.log >&2
