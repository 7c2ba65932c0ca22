#!/usr/bin/env bash
# File-layer benchmarks (docs/benchmarks-files.md records a run), in alternating rounds, reported
# as medians and ratios:
#   1. open+close of one warm file, single thread: UringFiles' cached fast path (openat2
#      RESOLVE_CACHED on the caller's thread), the same open forced onto the ring, a bare
#      OPENAT2+CLOSE through an event loop, the JDK's Files.newByteChannel, and the raw syscalls;
#   2. whole-file reads and writes of 10,000 small files (1 KiB and 16 KiB): UringFiles.readAllBytes
#      / write against Files.readAllBytes / write, blocking on one thread and with many in flight.
# Usage: bench/files.sh [--quick] [--jmh] [FilesBench options, e.g. --file-rounds=7 --dir=/var/tmp]
#   --quick  fewer rounds and 2,000 files (a smoke run, about a minute)
#   --jmh    also run the JMH twin of part 1 (OpenBenchmark, SampleTime percentiles; ~30 s more)
# Needs nothing exported: finds a JDK >= 22 and Maven itself (bin/jdk.sh). Builds uring4j-bench.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
. "$root/bin/jdk.sh"
uring4j_find_jdk || exit 1
uring4j_find_mvn || exit 1
uring4j_maven_opts

jmh=0
args=()
for a in "$@"; do
  case $a in
    --jmh) jmh=1 ;;
    --quick) args+=(--open-rounds=4 --open-ops=2000 --file-rounds=2 --disk-write-rounds=1 --files=2000) ;;
    --*=*) args+=("$a") ;;
    *) echo "usage: $0 [--quick] [--jmh] [--name=value ...]  (see org.uring4j.bench.FilesBench)" >&2; exit 2 ;;
  esac
done

java=$URING4J_JAVA_HOME/bin/java
tmp=${TMPDIR:-/tmp}
for a in "${args[@]}"; do case $a in --dir=*) tmp=${a#--dir=} ;; esac; done

echo "building uring4j-bench ..." >&2
(cd "$root" && JAVA_HOME=$URING4J_JAVA_HOME "$URING4J_MVN" -B -q -ntp -Dstyle.color=never -pl uring4j-bench -am package -DskipTests </dev/null) >&2
jar=$root/uring4j-bench/target/benchmarks.jar

fstype() { df -T "$1" 2>/dev/null | awk 'NR==2 {print $2 " (" $1 ", mounted on " $7 ")"}'; }
echo "== machine"
echo "cores (nproc): $(nproc)"
echo "kernel: $(uname -sr)"
echo "JDK: $("$java" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.runtime.version = //p') ($URING4J_JAVA_HOME)"
echo "temp dir $tmp: $(fstype "$tmp")"
[ -d /dev/shm ] && echo "tmpfs dir /dev/shm: $(fstype /dev/shm)"
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
echo

start=$(date +%s)
"$java" --enable-native-access=ALL-UNNAMED -cp "$jar" org.uring4j.bench.FilesBench --dir="$tmp" "${args[@]}"
if [ "$jmh" = 1 ]; then
  echo "== JMH OpenBenchmark (SampleTime; one benchmark after the other, not alternating)"
  "$java" -jar "$jar" OpenBenchmark -f 1 -wi 2 -i 3 -w 1 -r 1 -tu us 2>&1 \
    | awk '/^Benchmark/ {p=1} p && (/^Benchmark/ || /p0.50 |p0.99 |p0.999 /)'
  echo
fi
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg); benchmark time $(( $(date +%s) - start )) s"
