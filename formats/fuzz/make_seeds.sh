#!/usr/bin/env bash
# Regenerates the fuzz seeds taken from the project's real samples
# (data/sample/json, the smallest): a slice of the recorded trace, the head
# of the dependency list, the store built from them exported in every
# profile form, and its hot part pulled from a server (with load records). Usage: formats/fuzz/make_seeds.sh BLOBGRAPH_EXE
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
# Profiles with load records (warm-start statistics): the hot part of the
# same store pulled from a real server, in every form (a pull carries the
# load records of the functions it sends and the run weight).
"$exe" serve --listen 127.0.0.1:0 --port-file "$work/port" --quiet 2>"$work/serve.log" &
server=$!
for _ in $(seq 300); do [ -s "$work/port" ] && break; sleep 0.1; done
addr=127.0.0.1:$(cat "$work/port")
"$exe" pull --server "$addr" --max-functions 40 --format text -o corpus/text/pulled_loads.txt >/dev/null
"$exe" pull --server "$addr" --max-functions 40 --format capnp -o corpus/capnp_stream/pulled_loads.capnp >/dev/null
"$exe" pull --server "$addr" --max-functions 40 --format json -o corpus/capnp_stream/pulled_loads.json >/dev/null
kill -TERM "$server"
wait "$server"
# The input reader's seeds: gzip content (the real trace slice) and its cut.
gzip -9 -n -c corpus/binary_trace/json_train_head.bin > corpus/input_file/json_train_head.bin.gz
head -c $(( $(stat -c %s corpus/input_file/json_train_head.bin.gz) / 2 )) corpus/input_file/json_train_head.bin.gz \
  > corpus/input_file/json_train_head_cut.gz
