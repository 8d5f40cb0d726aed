#!/usr/bin/env bash
# Checks that every C and C++ source file follows .clang-format (exit 1 and
# the files that do not, otherwise 0). Fix with:
#   git ls-files '*.cc' '*.h' '*.c' | xargs clang-format -i
set -euo pipefail
cd "$(dirname "$0")/.."
clang_format=${CLANG_FORMAT:-clang-format}
# Outside a git checkout (an unpacked tarball) every source under the layers.
if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
  files=$(git ls-files '*.cc' '*.h' '*.c')
else
  files=$(find core schema storage formats engine server tools capi include bench tests examples \
          -name '*.cc' -o -name '*.h' -o -name '*.c')
fi
# shellcheck disable=SC2086
"$clang_format" --dry-run --Werror $files
