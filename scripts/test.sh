#!/usr/bin/env bash
# Sets up (scripts/setup.sh), builds and runs the whole default test suite.
# Opt-in labels are left out: stress (long soak runs), fuzz, tsan. Run them
# with: ctest --test-dir build -L stress   (see README, "Tests").
set -euo pipefail
cd "$(dirname "$0")/.."
EXTRA_PACKAGES="cargo clang-format clang-tidy ${EXTRA_PACKAGES:-}" ./scripts/setup.sh
ctest --test-dir "${BUILD_DIR:-build}" -LE 'stress|fuzz|tsan' --output-on-failure -j2 "$@"
