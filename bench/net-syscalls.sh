#!/usr/bin/env bash
# System calls of each echo server at one net-bench point: perf stat on the server process for 3 s
# in the middle of one 8 s round, then the round's round trips/s and server CPU per round trip.
# docs/benchmarks.md ("Third pass") records a run. Needs perf and tracepoint access (root).
# Usage: bench/net-syscalls.sh CONNS MSG [ENGINE...]   (default engines: uring-multishot netty-epoll netty-io_uring)
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
conns=$1 msg=$2
shift 2
engines=("$@")
[ ${#engines[@]} -gt 0 ] || engines=(uring-multishot netty-epoll netty-io_uring)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$root/bin/uring4j" --version >/dev/null # build first, outside the measurement
for eng in "${engines[@]}"; do
  "$root/bin/uring4j" net-bench --conns "$conns" --msg "$msg" --time 8 --rounds 1 --warmup 1 --json --engines "$eng" \
      >"$work/$eng.json" 2>/dev/null &
  bench=$!
  sleep 5
  pat="Main echo"
  pid=$(pgrep -f -- "$pat-server --port 0 --engine $eng" | head -1)
  perf stat -x, -e raw_syscalls:sys_enter,syscalls:sys_enter_io_uring_enter -p "$pid" -- sleep 3 2>"$work/$eng.perf"
  wait "$bench"
  echo "== $eng"
  cut -d, -f1,3 "$work/$eng.perf"
  python3 -c "import json,sys; e=json.load(open(sys.argv[1]))['engines'][0]; print('round trips/s %.0f, server CPU us per round trip %.2f' % (e['round_trips_per_s'], e['cpu_us_per_round_trip']))" "$work/$eng.json"
done
