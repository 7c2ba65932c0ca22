#!/usr/bin/env bash
# The caller's path (docs/benchmarks.md, "Blocking calls"): what one blocking call costs a Java
# program, uring4j against the JDK, every engine with the same requests in flight, in
# alternating rounds, medians and ratios:
#   1. 4 KiB random reads and writes from 1, 16 and 256 virtual threads, page cache and O_DIRECT:
#      AsyncFile (files), UringFileChannel.read().get() (nio), FileChannel, AsynchronousFileChannel;
#   2. the same from 32 platform threads;
#   3. readAllBytes, stat and open+size+close of 10,000 files of 4 KiB from 16 virtual threads;
#   4. for reference, the raw ring at the same queue depths (bench --engine uring --qd N).
# Usage: bench/blocking.sh [--quick] [--dir DIR]   (--quick: 1 round of 1 s; default 3 rounds of 2 s)
# Needs nothing exported (bin/uring4j finds a JDK >= 22 and builds itself). Writes a 1 GiB file in
# DIR (default: $TMPDIR or /tmp) and removes it.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
rounds=3 time=2 dir=${TMPDIR:-/tmp}
while [ $# -gt 0 ]; do
  case $1 in
    --quick) rounds=1 time=1 ;;
    --dir) dir=$2; shift ;;
    *) echo "usage: $0 [--quick] [--dir DIR]" >&2; exit 2 ;;
  esac
  shift
done
u() { "$root/bin/uring4j" "$@"; }
file=$(mktemp -p "$dir" uring4j-blocking-XXXXXX.dat)
rm -f "$file"
trap 'rm -f "$file"' EXIT
common=(--size 1g --file "$file" --rounds "$rounds" --time "$time" --warmup 1)

echo "== cached reads, virtual threads"
u bench --vthreads 1,16,256 --rw randread "${common[@]}"
echo; echo "== cached writes, virtual threads"
u bench --vthreads 1,16,256 --rw randwrite --engine files,nio,filechannel "${common[@]}"
echo; echo "== O_DIRECT reads, virtual threads"
u bench --vthreads 1,16,256 --rw randread --direct --engine files,nio,filechannel "${common[@]}"
echo; echo "== 32 platform threads, cached and O_DIRECT"
u bench --pthreads 32 --rw randread --engine files,filechannel "${common[@]}"
u bench --pthreads 32 --rw randread --direct --engine files,filechannel "${common[@]}"
echo; echo "== the raw ring at the same queue depths (O_DIRECT), for reference"
for qd in 1 16 256; do
  u bench --engine uring --rw randread --direct --qd "$qd" --size 1g --file "$file" --time "$time" --warmup 1 | sed -n 2p
done
echo; echo "== path calls on 10,000 files of 4 KiB, 16 virtual threads"
u path-bench --files 10000 --vthreads 16 --rounds "$rounds" --time "$time" --dir "$dir"
