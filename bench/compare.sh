#!/usr/bin/env bash
# Side-by-side benchmarks of uring4j against its peers, in alternating rounds, reported as medians
# and ratios (docs/benchmarks.md records a run):
#   - NOP batches of 32:          uring4j raw ring   vs liburing C (bench/c/uring_ref.c)
#   - page-cache randread 4k QD32: uring4j uring-fixed vs liburing C (registered file + buffers)
#                                  and vs the JDK's FileChannel
#   - O_DIRECT randread 4k QD32:    uring4j uring      vs fio's io_uring engine, and vs FileChannel
# Usage: bench/compare.sh [--rounds N] [--seconds S] [--dir DIR]   (defaults: 3 rounds, 3 s, target/bench)
# Installs what it needs (gcc, liburing-dev, fio) with apt-get when run as root.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
rounds=3
seconds=3
dir=$root/target/bench
while [ $# -gt 0 ]; do
  case $1 in
    --rounds) rounds=$2; shift 2 ;;
    --seconds) seconds=$2; shift 2 ;;
    --dir) dir=$2; shift 2 ;;
    *) echo "usage: $0 [--rounds N] [--seconds S] [--dir DIR]" >&2; exit 2 ;;
  esac
done

need=()
command -v gcc >/dev/null 2>&1 || need+=(gcc)
[ -f /usr/include/liburing.h ] || need+=(liburing-dev)
command -v fio >/dev/null 2>&1 || need+=(fio)
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "installing ${need[*]} ..." >&2
    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}") >/dev/null </dev/null
  else
    echo "bench/compare.sh needs: ${need[*]} (apt-get install ${need[*]})" >&2
    exit 1
  fi
fi

mkdir -p "$dir"
ref=$dir/uring_ref
gcc -O2 -o "$ref" "$root/bench/c/uring_ref.c" -luring
"$root/bin/uring4j" --version >/dev/null   # builds the command if needed

file=$dir/bench-1g.dat
if [ ! -f "$file" ] || [ "$(stat -c %s "$file")" -lt $((1 << 30)) ]; then
  echo "creating $file (1 GiB of random data) ..." >&2
  head -c $((1 << 30)) /dev/urandom > "$file"
  sync
fi
cat "$file" > /dev/null   # page cache warm for the cached runs

u4j() { "$root/bin/uring4j" bench --json --time "$seconds" "$@" | sed -n 's/.*"iops" : \([0-9]*\).*/\1/p' | head -1; }
fio_iops() {
  fio --name=ref --filename="$file" --rw=randread --bs=4k --iodepth=32 --ioengine=io_uring --direct=1 \
      --time_based --runtime="$seconds" --size=1g --norandommap --randrepeat=0 --invalidate=0 --output-format=json 2>/dev/null \
    | awk -F: '/"read" :/ {r=1} r && /"iops" :/ {gsub(/[ ,]/, "", $2); print int($2); exit}'
}

results=$dir/results.txt
: > "$results"
for r in $(seq 1 "$rounds"); do
  echo "round $r of $rounds ..." >&2
  echo "nop c $("$ref" nop "$seconds" 32)" >> "$results"
  echo "nop uring4j $(u4j --rw nop --qd 32)" >> "$results"
  cat "$file" > /dev/null   # warm again: nothing in a round may depend on what ran before it
  echo "cached c $("$ref" read "$file" "$seconds" 32 4096 fixed)" >> "$results"
  echo "cached uring4j $(u4j --engine uring-fixed --file "$file" --size 1g --qd 32)" >> "$results"
  echo "cached filechannel $(u4j --engine filechannel --file "$file" --size 1g)" >> "$results"
  echo "direct fio $(fio_iops)" >> "$results"
  echo "direct uring4j $(u4j --engine uring --direct --file "$file" --size 1g --qd 32)" >> "$results"
  echo "direct filechannel $(u4j --engine filechannel --direct --file "$file" --size 1g)" >> "$results"
done

median() { grep "^$1 $2 " "$results" | awk '{print $3}' | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "n/a" }'; }

nop_c=$(median nop c); nop_j=$(median nop uring4j)
c_c=$(median cached c); c_j=$(median cached uring4j); c_fc=$(median cached filechannel)
d_f=$(median direct fio); d_j=$(median direct uring4j); d_fc=$(median direct filechannel)

echo
echo "Machine: $(nproc) cores, $(uname -r), $("$root/bin/uring4j" --version | sed -n 2p), file on $(df -T "$dir" | awk 'NR==2 {print $2}')"
echo "Medians of $rounds alternating rounds of ${seconds} s (ops/s):"
echo
echo "| workload | uring4j | peer | peer ops/s | ratio | goal |"
echo "| --- | ---: | --- | ---: | ---: | --- |"
echo "| NOP batches of 32 | $nop_j | liburing C | $nop_c | $(ratio "$nop_j" "$nop_c")x | >= 0.8x |"
echo "| page-cache randread 4k QD32 (fixed) | $c_j | liburing C (fixed) | $c_c | $(ratio "$c_j" "$c_c")x | >= 0.9x |"
echo "| page-cache randread 4k QD32 (fixed) | $c_j | FileChannel | $c_fc | $(ratio "$c_j" "$c_fc")x | >= 1.1x |"
echo "| O_DIRECT randread 4k QD32 | $d_j | fio io_uring | $d_f | $(ratio "$d_j" "$d_f")x | >= 0.95x |"
echo "| O_DIRECT randread 4k QD32 | $d_j | FileChannel | $d_fc | $(ratio "$d_j" "$d_fc")x | >= 5x |"
echo
echo "raw numbers: $results"
