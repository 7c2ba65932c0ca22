# Sourced by bin/uring4j and bin/test: finds a JDK >= 22 and Maven, so nobody has to export anything.
# Sets URING4J_JAVA_HOME and URING4J_MVN, or prints why not and exits 1.

uring4j_java_feature() {  # prints the feature release (22, 25, ...) of the JDK at $1, or nothing
  local home=$1 v
  [ -x "$home/bin/java" ] && [ -x "$home/bin/javac" ] || return 0
  if [ -f "$home/release" ]; then
    v=$(sed -n 's/^JAVA_VERSION="\([0-9]*\).*/\1/p' "$home/release")
  fi
  if [ -z "$v" ]; then
    v=$("$home/bin/java" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = \([0-9]*\).*/\1/p')
  fi
  echo "$v"
}

uring4j_find_jdk() {
  local cand best="" best_v=0 v
  if [ -n "${JAVA_HOME:-}" ]; then
    v=$(uring4j_java_feature "$JAVA_HOME")
    if [ -n "$v" ] && [ "$v" -ge 22 ]; then URING4J_JAVA_HOME=$JAVA_HOME; URING4J_JAVA_FEATURE=$v; return 0; fi
  fi
  for cand in /usr/lib/jvm/* /opt/java/* /opt/jdk* "$HOME"/.sdkman/candidates/java/* "$HOME"/.jdks/*; do
    [ -d "$cand" ] || continue
    v=$(uring4j_java_feature "$cand")
    if [ -n "$v" ] && [ "$v" -ge 22 ] && [ "$v" -gt "$best_v" ]; then best=$cand; best_v=$v; fi
  done
  if [ -z "$best" ] && command -v javac >/dev/null 2>&1; then
    cand=$(dirname "$(dirname "$(readlink -f "$(command -v javac)")")")
    v=$(uring4j_java_feature "$cand")
    if [ -n "$v" ] && [ "$v" -ge 22 ]; then best=$cand; best_v=$v; fi
  fi
  if [ -z "$best" ]; then
    echo "uring4j: no JDK 22 or newer found (uring4j needs the Foreign Function & Memory API)." >&2
    echo "  looked at: \$JAVA_HOME${JAVA_HOME:+ ($JAVA_HOME)}, /usr/lib/jvm/*, /opt/java/*, ~/.sdkman, ~/.jdks, and javac on PATH" >&2
    echo "  install one (for example Temurin 25) or set JAVA_HOME to it." >&2
    return 1
  fi
  URING4J_JAVA_HOME=$best
  URING4J_JAVA_FEATURE=$best_v
}

# Maven 3.8's bundled Guava touches sun.misc.Unsafe, which JDK 24+ warns about on every run.
uring4j_maven_opts() {
  if [ "${URING4J_JAVA_FEATURE:-0}" -ge 24 ]; then
    case " ${MAVEN_OPTS:-} " in
      *sun-misc-unsafe-memory-access*) ;;
      *) export MAVEN_OPTS="${MAVEN_OPTS:-} --sun-misc-unsafe-memory-access=allow" ;;
    esac
  fi
}

uring4j_find_mvn() {
  if command -v mvn >/dev/null 2>&1; then URING4J_MVN=$(command -v mvn); return 0; fi
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "uring4j: Maven not found; installing it with apt-get ..." >&2
    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq maven) >&2 </dev/null || true
  fi
  if command -v mvn >/dev/null 2>&1; then URING4J_MVN=$(command -v mvn); return 0; fi
  echo "uring4j: Maven (mvn) is needed to build uring4j and was not found; install it (apt-get install maven)." >&2
  return 1
}
