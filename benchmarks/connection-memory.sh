#!/usr/bin/env bash
# What one idle connection costs the echo server's heap, and whose objects those bytes are: echo-server.jar (one event
# loop, default settings but for the connection limits and the idle timeout) takes CONNECTIONS idle connections from
# the C blaster (benchmarks/blaster.c, -m idle); a class histogram of the live heap (jcmd GC.class_histogram, which
# collects first) is taken before and once the server has logged the last connect. The difference, divided by the
# connections, is given per class and per owner: ours (io.echopair), Vert.x (io.vertx), Netty (io.netty) and the JDK
# (arrays and java.*, whoever allocated them).
#
#   mvn -B -q package -DskipTests && benchmarks/connection-memory.sh
#
# Needs jcmd (the JDK's), gcc, and a file-descriptor limit above CONNECTIONS (the script raises its soft limit to the
# hard one). Takes about 30 s. Docs: docs/BENCHMARKS.md.
#
# Environment: CONNECTIONS (15000), TOP (15 classes listed), KEEP_LOGS=1.
set -euo pipefail
cd "$(dirname "$0")/.."

CONNECTIONS=${CONNECTIONS:-15000}
TOP=${TOP:-15}
SERVER_JAR=echo-server-verticle/target/echo-server.jar

if [[ ! -f $SERVER_JAR ]]; then
  echo "connection-memory.sh: $SERVER_JAR is missing; build first: mvn -B -q package -DskipTests" >&2
  exit 2
fi
command -v gcc >/dev/null || { echo "connection-memory.sh: gcc is needed" >&2; exit 2; }
command -v jcmd >/dev/null || { echo "connection-memory.sh: jcmd (from the JDK) is needed" >&2; exit 2; }
ulimit -n "$(ulimit -Hn)"
if (($(ulimit -n) < CONNECTIONS + 200)); then
  echo "connection-memory.sh: $CONNECTIONS connections need a file-descriptor limit above $((CONNECTIONS + 200));" \
    "this shell's hard limit is $(ulimit -Hn)" >&2
  exit 2
fi

SCRIPT=connection-memory.sh
WORK=$(mktemp -d "${TMPDIR:-/tmp}/echopair-connection-memory.XXXXXX")
LOAD_PID=
# shellcheck source=benchmarks/lib.sh
source benchmarks/lib.sh
trap 'clean_up "$LOAD_PID"' EXIT
trap 'exit 143' TERM INT

gcc -O2 -Wall -o "$WORK/blaster" benchmarks/blaster.c

busy_before
echo "echopair connection memory: $(nproc) cores, $(java -version 2>&1 | head -1); CONNECTIONS=$CONNECTIONS;" \
  "machine ${BUSY}% busy before"
launch_server "$WORK/server.log" -Dechopair.host=127.0.0.1 -Dechopair.port=0 -Dechopair.logEvery=0 \
  -Dechopair.maxConnections=$((CONNECTIONS + 100)) -Dechopair.maxConnectionsPerAddress=$((CONNECTIONS + 100)) \
  -Dechopair.idleTimeoutSeconds=0 -jar "$SERVER_JAR"
jcmd "$SERVER_PID" GC.class_histogram >"$WORK/before.txt"
"$WORK/blaster" -p "$PORT" -m idle -c "$CONNECTIONS" -s 600 >"$WORK/idle.out" 2>&1 &
LOAD_PID=$!
if ! await_line "$SERVER_LOG" "($CONNECTIONS open)" 1200; then
  echo "connection-memory.sh: the server did not log $CONNECTIONS open connections within 120 s:" \
    "$(grep -a -o '[0-9]* of [0-9]* connections open.*' "$WORK/idle.out" || echo 'the blaster said nothing')" >&2
  exit 1
fi
jcmd "$SERVER_PID" GC.class_histogram >"$WORK/after.txt"
kill -TERM "$LOAD_PID" 2>/dev/null || true
wait "$LOAD_PID" 2>/dev/null || true
LOAD_PID=
stop_server

# "num: instances bytes class" lines of both histograms, then the difference per class and per owner
awk -v n="$CONNECTIONS" -v top="$TOP" '
  function owner(class) {
    if (class ~ /^io\.echopair\./) return "ours (io.echopair)"
    if (class ~ /^io\.vertx\./) return "Vert.x (io.vertx)"
    if (class ~ /^io\.netty\./) return "Netty (io.netty)"
    return "JDK classes and arrays"
  }
  FNR == 1 { file++ }
  $1 ~ /^[0-9]+:$/ { count[file, $4] = $2; bytes[file, $4] = $3; classes[$4] = 1 }
  END {
    for (c in classes) {
      d = bytes[2, c] - bytes[1, c]; total += d; by[owner(c)] += d
      per[c] = d / n; objects[c] = (count[2, c] - count[1, c]) / n
    }
    printf "\n%d idle connections: %.0f KB of live heap, %.0f bytes per connection\n\n", n, total / 1024, total / n
    print "| owner | bytes per connection |"
    print "|---|---:|"
    for (o in by) printf "| %s | %.0f |\n", o, by[o] / n
    printf "\n| class (top %d) | bytes per connection | objects per connection |\n|---|---:|---:|\n", top
    for (i = 0; i < top; i++) {
      best = ""
      for (c in per) if (best == "" || per[c] > per[best]) best = c
      if (best == "") break
      printf "| `%s` | %.0f | %.2f |\n", best, per[best], objects[best]
      delete per[best]
    }
  }' "$WORK/before.txt" "$WORK/after.txt"
