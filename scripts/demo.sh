#!/usr/bin/env bash
# The main job on the embedded default store: sets up and builds blobgraph,
# teaches ./blobgraph.db (or $BLOBGRAPH_DB) the shipped example program (the
# Python `email` package: static dependencies, names and a recorded training
# run), then prints a prefetch prediction, the store's stats, and how well
# prefetch would have done on a second, unseen run of the same program.
set -euo pipefail
cd "$(dirname "$0")/.."
# Only what it runs: the blobgraph command (the tests and benchmarks are
# built by scripts/test.sh).
BUILD_TARGETS=blobgraph ./scripts/setup.sh

bin=${BUILD_DIR:-build}/blobgraph
sample=data/sample/email
export BLOBGRAPH_DB=${BLOBGRAPH_DB:-./blobgraph.db}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
gunzip -c "$sample/train.bin.gz" > "$work/train.bin"
gunzip -c "$sample/test.bin.gz" > "$work/test.bin"

if [ -e "$BLOBGRAPH_DB" ]; then
  echo "== $BLOBGRAPH_DB exists: using it as it is (remove it to start over)"
else
  echo "== import the static dependencies and names into $BLOBGRAPH_DB"
  "$bin" import --text "$sample/static.txt" --names "$sample/names.tsv"
  echo "== record the training run (observed calls and load order)"
  "$bin" record --trace "$work/train.bin"
fi

parsestr=b093311cb452e3247287d2155735e16776b090dd35bc76c2f956b697a7ab65af
echo
echo "== prefetch on entry to parser.py:Parser.parsestr"
"$bin" prefetch "$parsestr"
echo
echo "== stats"
"$bin" stats --top 5
echo
echo "== replay an unseen run of the program against the store"
"$bin" replay --trace "$work/test.bin"
