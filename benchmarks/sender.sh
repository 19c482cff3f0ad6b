#!/usr/bin/env bash
# The sender as a load source (issue 11): how many frames/s one sender JVM gets acknowledged, and how late the ticks of
# many slow connections run. Against echo-server.jar on 127.0.0.1, the server pinned to CPU 0 and the sender to CPU 1.
#
#   mvn -B -q package -DskipTests && benchmarks/sender.sh
#
# Part "rate": the sender with CONNECTIONS connections, FRAMES_PER_TICK frames per connection every 1 ms (4 M frames/s
# offered by default), no count. After WARMUP_SECONDS of its 1 s Stats lines (the JIT), the next RATE_SECONDS give the
# frames/s acknowledged (from the lines' acknowledged totals and times), and, from /proc, the sender JVM's CPU per
# acknowledged frame (all its threads: event loop, GC, JIT), its event loop's, and the server's event loop's.
# Part "drift": DRIFT_CONNECTIONS connections (10 000) at intervalMs DRIFT_INTERVAL_MS (2000), one frame per tick. Once
# all are connected, the sender's next DRIFT_WINDOWS Stats lines (every 10 s) give the tick drift: how late each
# connection's tick ran after the time its schedule gave it (p50, p99, max), and the sender's CPU.
#
# Environment: SENDER_JARS (sender-verticle/target/sender.jar; several jars, space-separated, are measured in turn,
# their order rotated each run: an A/B), PARTS ("rate drift"), RUNS (3), CONNECTIONS (4), FRAMES_PER_TICK (1000),
# WARMUP_SECONDS (5), RATE_SECONDS (10), DRIFT_CONNECTIONS (10000), DRIFT_INTERVAL_MS (2000), DRIFT_WINDOWS (3),
# KEEP_LOGS=1. Needs java and taskset (util-linux). Run it under flock /tmp/echopair-bench.lock on a shared machine.
# Docs: docs/BENCHMARKS.md.
set -euo pipefail
cd "$(dirname "$0")/.."

SENDER_JARS=${SENDER_JARS:-sender-verticle/target/sender.jar}
PARTS=${PARTS:-rate drift}
RUNS=${RUNS:-3}
CONNECTIONS=${CONNECTIONS:-4}
FRAMES_PER_TICK=${FRAMES_PER_TICK:-1000}
WARMUP_SECONDS=${WARMUP_SECONDS:-5}
RATE_SECONDS=${RATE_SECONDS:-10}
DRIFT_CONNECTIONS=${DRIFT_CONNECTIONS:-10000}
DRIFT_INTERVAL_MS=${DRIFT_INTERVAL_MS:-2000}
DRIFT_WINDOWS=${DRIFT_WINDOWS:-3}
SERVER_JAR=echo-server-verticle/target/echo-server.jar

for jar in "$SERVER_JAR" $SENDER_JARS; do
  if [[ ! -f $jar ]]; then
    echo "sender.sh: $jar is missing; build first: mvn -B -q package -DskipTests" >&2
    exit 2
  fi
done
for tool in java taskset; do
  command -v "$tool" >/dev/null || { echo "sender.sh: $tool is needed" >&2; exit 2; }
done
if (($(nproc) < 2)); then
  echo "sender.sh: needs 2 CPUs to pin the server and the sender apart; this machine has $(nproc)" >&2
  exit 2
fi

SCRIPT=sender.sh
WORK=$(mktemp -d "${TMPDIR:-/tmp}/echopair-bench.XXXXXX")
SENDER_PID=
# shellcheck source=benchmarks/lib.sh
source benchmarks/lib.sh

# Only the processes this script started, by their id
trap 'clean_up "$SENDER_PID"' EXIT
trap 'exit 143' TERM INT

# ---- helpers

# Seconds since midnight of a log line's HH:MM:SS.mmm timestamp.
line_seconds() {
  awk '{ split($1, t, ":"); printf "%.3f", t[1] * 3600 + t[2] * 60 + t[3] }' <<<"$1"
}

# Waits (at most $3 seconds) until the sender's log $1 has $2 Stats lines; prints the last of them.
await_stats() {
  local log=$1 lines=$2 seconds=$3 i
  for ((i = 0; i < seconds * 10; i++)); do
    if (($(grep -ac 'SenderVerticle - Stats:' "$log" || true) >= lines)); then
      grep -a 'SenderVerticle - Stats:' "$log" | sed -n "${lines}p"
      return 0
    fi
    if ! kill -0 "$SENDER_PID" 2>/dev/null; then break; fi
    sleep 0.1
  done
  echo "sender.sh: the sender did not log $lines Stats lines within $seconds s; its log:" >&2
  tail -20 "$log" >&2
  exit 1
}

# Starts sender jar $1 on CPU 1 with java options "${@:3}", its console going to file $2; sets SENDER_PID.
start_sender() {
  local jar=$1 log=$2
  shift 2
  taskset -c 1 java -Dechopair.host=127.0.0.1 -Dechopair.port="$PORT" "$@" -jar "$jar" >"$log" 2>&1 &
  SENDER_PID=$!
}

# SIGTERM, as a service manager would; the sender drains and exits (3 when it dropped frames, which a load source does).
stop_sender() {
  local status=0
  kill -TERM "$SENDER_PID" 2>/dev/null || true
  wait "$SENDER_PID" || status=$?
  SENDER_PID=
  if [[ $status != 0 && $status != 3 ]]; then
    echo "sender.sh: the sender exited with $status" >&2
    exit 1
  fi
}

# CPU of one sample pair: "<JVM ticks> <busiest event loop's ticks>".
ticks_used() {
  awk -v b="$1" -v a="$2" 'BEGIN {
    n = split(b, x, " "); for (i = 2; i <= n; i++) { split(x[i], kv, ":"); s[kv[1]] = kv[2] }
    m = split(a, y, " "); best = 0
    for (i = 2; i <= m; i++) { split(y[i], kv, ":"); if (kv[2] - s[kv[1]] > best) best = kv[2] - s[kv[1]] }
    print y[1] - x[1], best }'
}

# Figure $2 (a regular expression with one group) of Stats line $1.
figure() {
  sed -n "s/.*$2.*/\\1/p" <<<"$1"
}

# ---- the server

start_server() {
  launch_server "$WORK/server-$1.log" -Dechopair.host=127.0.0.1 -Dechopair.port=0 -Dechopair.logEvery=0 \
    -Dechopair.statsIntervalMs=1000 -Dechopair.maxConnections=20000 -Dechopair.maxConnectionsPerAddress=20000 \
    -Dechopair.maxTrackedSenders=20000 -jar "$SERVER_JAR"
  taskset -a -p -c 0 "$SERVER_PID" >/dev/null
  echo "== server on CPU 0: $(grep -a -m1 -o 'Echo server listening on.*' "$SERVER_LOG")"
}

# ---- part rate

measure_rate() {
  local jar=$1 run=$2 log=$WORK/sender-rate.log first last from to ack0 ack1 drop0 drop1 t0 t1
  local s0 s1 srv0 srv1 m0 m1 w0 w1
  start_sender "$jar" "$log" -Dechopair.intervalMs=1 -Dechopair.framesPerTick="$FRAMES_PER_TICK" \
    -Dechopair.connections="$CONNECTIONS" -Dechopair.statsIntervalMs=1000
  first=$(await_stats "$log" "$WARMUP_SECONDS" $((WARMUP_SECONDS * 3 + 30)))
  s0=$(jvm_ticks "$SENDER_PID"); srv0=$(jvm_ticks "$SERVER_PID"); m0=$(machine_ticks); w0=$(date +%s%N)
  last=$(await_stats "$log" $((WARMUP_SECONDS + RATE_SECONDS)) $((RATE_SECONDS * 3 + 30)))
  s1=$(jvm_ticks "$SENDER_PID"); srv1=$(jvm_ticks "$SERVER_PID"); m1=$(machine_ticks); w1=$(date +%s%N)
  stop_sender
  from=$(line_seconds "$first"); to=$(line_seconds "$last")
  ack0=$(figure "$first" 'acknowledged \([0-9]*\)'); ack1=$(figure "$last" 'acknowledged \([0-9]*\)')
  drop0=$(figure "$first" 'dropped \([0-9]*\)'); drop1=$(figure "$last" 'dropped \([0-9]*\)')
  read -r sjvm sloop <<<"$(ticks_used "$s0" "$s1")"
  read -r _ srvloop <<<"$(ticks_used "$srv0" "$srv1")"
  awk -v jar="$jar" -v run="$run" -v from="$from" -v to="$to" -v a0="$ack0" -v a1="$ack1" -v d0="$drop0" -v d1="$drop1" \
    -v sjvm="$sjvm" -v sloop="$sloop" -v srv="$srvloop" -v w="$(((w1 - w0) / 1000000))" -v hz="$HZ" \
    -v others="$(others_percent "$m0" "$m1" "$((sjvm + $(ticks_used "$srv0" "$srv1" | cut -d' ' -f1)))")" 'BEGIN {
      rate = (a1 - a0) / (to - from); frames = rate * w / 1000
      printf "   rate  %-40s run %d: %9.0f frames/s acknowledged, dropped %.1f%% of offered; sender JVM %3.0f%% of a core, %.3f us/frame (event loop %.3f); server loop %.3f us/frame; others %s%%\n",
        jar, run, rate, 100 * (d1 - d0) / ((a1 - a0) + (d1 - d0) + 1e-9), 100 * sjvm / hz / (w / 1000),
        sjvm / hz * 1e6 / frames, sloop / hz * 1e6 / frames, srv / hz * 1e6 / frames, others }'
}

# ---- part drift

measure_drift() {
  local jar=$1 run=$2 log=$WORK/sender-drift.log connected=0 i line ticks base s0 s1 m0 m1 w0 w1 srv0 srv1
  start_sender "$jar" "$log" -Dechopair.intervalMs="$DRIFT_INTERVAL_MS" -Dechopair.framesPerTick=1 \
    -Dechopair.connections="$DRIFT_CONNECTIONS" -Dechopair.statsIntervalMs=10000
  for ((i = 0; i < 1200; i++)); do
    connected=$(grep -ac 'ReconnectLoop - Connected to' "$log" || true)
    ((connected >= DRIFT_CONNECTIONS)) && break
    sleep 0.1
  done
  if ((connected < DRIFT_CONNECTIONS)); then
    echo "sender.sh: only $connected of $DRIFT_CONNECTIONS connections within 120 s; the sender's log:" >&2
    tail -5 "$log" >&2
    exit 1
  fi
  # The first whole window after the last connect
  base=$(($(grep -ac 'SenderVerticle - Stats:' "$log" || true) + 1))
  await_stats "$log" "$base" 30 >/dev/null
  s0=$(jvm_ticks "$SENDER_PID"); srv0=$(jvm_ticks "$SERVER_PID"); m0=$(machine_ticks); w0=$(date +%s%N)
  for ((i = 1; i <= DRIFT_WINDOWS; i++)); do
    line=$(await_stats "$log" $((base + i)) 40)
    # The drift comes on the Ticks line, logged right after the Stats line
    sleep 0.3
    ticks=$(grep -a 'SenderVerticle - .*drift p50' "$log" | sed -n "$((base + i))p")
    printf '   drift %-40s run %d, window %d: %s; %s\n' "$jar" "$run" "$i" \
      "$(grep -o 'sent [0-9]* ([0-9.]*/s), acknowledged [0-9]*' <<<"$line")" \
      "$(grep -o '[0-9]*,* *drift p50.*' <<<"$ticks" || echo 'drift n/a')"
  done
  s1=$(jvm_ticks "$SENDER_PID"); srv1=$(jvm_ticks "$SERVER_PID"); m1=$(machine_ticks); w1=$(date +%s%N)
  stop_sender
  read -r sjvm _ <<<"$(ticks_used "$s0" "$s1")"
  read -r srvjvm _ <<<"$(ticks_used "$srv0" "$srv1")"
  awk -v s="$sjvm" -v srv="$srvjvm" -v w="$(((w1 - w0) / 1000000))" -v hz="$HZ" \
    -v others="$(others_percent "$m0" "$m1" "$((sjvm + srvjvm))")" 'BEGIN {
      printf "   drift: sender JVM %.1f%% of a core, server JVM %.1f%%, others %s%% over the windows\n",
        100 * s / hz / (w / 1000), 100 * srv / hz / (w / 1000), others }'
}

# ---- main

ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)"
if [[ " $PARTS " == *" drift "* ]] && (($(ulimit -n) < DRIFT_CONNECTIONS + 1000)); then
  echo "sender.sh: $DRIFT_CONNECTIONS connections need more open files than ulimit -n $(ulimit -n) allows" >&2
  exit 2
fi
STARTED=$(date +%s)
busy_before
echo "echopair sender: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //'), $(java -version 2>&1 | head -1)"
echo "PARTS=\"$PARTS\" RUNS=$RUNS CONNECTIONS=$CONNECTIONS FRAMES_PER_TICK=$FRAMES_PER_TICK WARMUP_SECONDS=$WARMUP_SECONDS RATE_SECONDS=$RATE_SECONDS DRIFT_CONNECTIONS=$DRIFT_CONNECTIONS DRIFT_INTERVAL_MS=$DRIFT_INTERVAL_MS; machine ${BUSY}% busy before, load average $(cut -d' ' -f1-3 /proc/loadavg)"
read -r -a JARS <<<"$SENDER_JARS"
for part in $PARTS; do
  start_server "$part"
  for ((run = 1; run <= RUNS; run++)); do
    # Rotate the jars' order from run to run: drift and neighbours fall on all of them alike
    for ((j = 0; j < ${#JARS[@]}; j++)); do
      jar=${JARS[$(((j + run - 1) % ${#JARS[@]}))]}
      case $part in
        rate) measure_rate "$jar" "$run" ;;
        drift) measure_drift "$jar" "$run" ;;
        *) echo "sender.sh: PARTS: unknown part \"$part\" (rate, drift)" >&2; exit 2 ;;
      esac
    done
  done
  stop_server
done
echo "whole run: $(($(date +%s) - STARTED)) s; load average $(cut -d' ' -f1-3 /proc/loadavg)"
