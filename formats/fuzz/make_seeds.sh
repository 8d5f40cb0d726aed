#!/usr/bin/env bash
# Regenerates the fuzz seeds taken from the project's real samples
# (data/sample/json, the smallest): a slice of the recorded trace, the head
# of the dependency list, and the store built from them exported in every
# profile form. Usage: formats/fuzz/make_seeds.sh BLOBGRAPH_EXE
# The other seeds in corpus/ are small hand-made edge cases.
set -euo pipefail
exe=$1
cd "$(dirname "$0")"
sample=../../data/sample/json
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export BLOBGRAPH_DB=$work/db
"$exe" import --text "$sample/static.txt" --names "$sample/names.tsv" --quiet >/dev/null
gunzip -c "$sample/train.bin.gz" > "$work/train.bin"
"$exe" record --trace "$work/train.bin" --quiet >/dev/null
# Seeds stay under the fuzzers' -max_len (64 KiB).
head -c 6400 "$work/train.bin" > corpus/binary_trace/json_train_head.bin
head -n 100 "$sample/static.txt" > corpus/text/json_static_head.txt
"$exe" export --format text -o corpus/text/json_profile.txt >/dev/null
"$exe" export --format capnp -o corpus/capnp_stream/json_profile.capnp >/dev/null
"$exe" export --format json -o corpus/capnp_stream/json_profile.json >/dev/null
# The input reader's seeds: gzip content (the real trace slice) and its cut.
gzip -9 -n -c corpus/binary_trace/json_train_head.bin > corpus/input_file/json_train_head.bin.gz
head -c $(( $(stat -c %s corpus/input_file/json_train_head.bin.gz) / 2 )) corpus/input_file/json_train_head.bin.gz \
  > corpus/input_file/json_train_head_cut.gz
