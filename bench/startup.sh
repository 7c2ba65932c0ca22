#!/usr/bin/env bash
# Start-up of the uring4j command: `bin/uring4j walk DIR` of a small tree, cold JVM each time, with
# the AOT cache bin/uring4j trains after a build and without it (URING4J_AOT=0), against `du -sb`
# and a plain Files.walkFileTree program, in alternating rounds; prints the median wall and CPU
# (user+sys) seconds of each. docs/benchmarks.md records a run.
# Usage: bench/startup.sh [--rounds N] [DIR]   (defaults: 15 rounds, uring4j-core/src)
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
rounds=15
if [ "${1:-}" = --rounds ]; then rounds=$2; shift 2; fi
dir=${1:-$root/uring4j-core/src}
. "$root/bin/jdk.sh"
uring4j_find_jdk
"$root/bin/uring4j" --version >/dev/null # builds and trains the cache if needed

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cat > "$work/JdkWalk.java" <<'JAVA'
import java.io.IOException;
import java.nio.file.*;
import java.nio.file.attribute.BasicFileAttributes;
public class JdkWalk {
    public static void main(String[] a) throws IOException {
        long[] n = new long[3];
        Files.walkFileTree(Path.of(a[0]), new SimpleFileVisitor<>() {
            public FileVisitResult preVisitDirectory(Path d, BasicFileAttributes x) { n[0]++; return FileVisitResult.CONTINUE; }
            public FileVisitResult visitFile(Path f, BasicFileAttributes x) {
                if (x.isRegularFile()) { n[1]++; n[2] += x.size(); }
                return FileVisitResult.CONTINUE;
            }
        });
        System.out.println(n[0] + " dirs, " + n[1] + " files, " + n[2] + " bytes");
    }
}
JAVA
"$URING4J_JAVA_HOME/bin/javac" -d "$work" "$work/JdkWalk.java"

declare -A cmds=(
  [uring4j-aot]="$root/bin/uring4j walk $dir"
  [uring4j-no-aot]="env URING4J_AOT=0 $root/bin/uring4j walk $dir"
  [jdk-walk]="$URING4J_JAVA_HOME/bin/java -XX:+UseSerialGC -cp $work JdkWalk $dir"
  [du]="du -sb $dir"
)
order=(uring4j-aot uring4j-no-aot jdk-walk du)
for name in "${order[@]}"; do : > "$work/$name"; done
for ((r = 0; r < rounds; r++)); do
  for name in "${order[@]}"; do
    /usr/bin/time -f "%e %U %S" -a -o "$work/$name" ${cmds[$name]} >/dev/null
  done
done
printf "%-16s %10s %10s   (medians of %d alternating rounds, %s)\n" command wall_s cpu_s "$rounds" "$dir"
for name in "${order[@]}"; do
  wall=$(awk '{print $1}' "$work/$name" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
  cpu=$(awk '{printf "%.2f\n", $2 + $3}' "$work/$name" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
  printf "%-16s %10s %10s\n" "$name" "$wall" "$cpu"
done
