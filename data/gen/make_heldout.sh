#!/bin/sh
# Regenerate every data/heldout/<name>/ folder from data/gen/programs/<name>.py (deterministic).
# START=main (the default) traces only main(arg) after importing the program (like the shipped samples: json,
# difflib); START=imports traces the program's imports too.
set -e
cd "$(dirname "$0")"
PY=${PYTHON:-python3}
for p in programs/*.py; do
  n=$(basename "$p" .py)
  "$PY" python_trace.py "$p" --train train --test test --out "../heldout/$n" \
      --resolve "${RESOLVE:-any}" --start "${START:-main}"
done
"$PY" sample_stats.py ../sample/* ../heldout/*
