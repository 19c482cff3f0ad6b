#!/usr/bin/env bash
# Throughput of one echo server (echo-server.jar, echo on, one event loop) on 127.0.0.1, with per-frame logging off
# and on, driven by the C blaster (benchmarks/blaster.c) and by our Java sender (sender.jar), over 1 and 4 connections.
#
#   mvn -B -q package -DskipTests && benchmarks/throughput.sh
#
# Each case runs RUNS times; the table at the end gives the median and the min - max. Frames/s come from the server's
# own Stats lines (every 500 ms): the mean rate of the intervals with traffic, the first and last (partial) left out.
# MB/s is frames/s x 100 bytes into the server; the echoes carry as much back. CPU is given per frame (microseconds of
# the busiest event-loop thread per echoed frame), which the noise of a shared machine disturbs less than a percentage.
# Takes about 3 minutes with the defaults. Docs: docs/BENCHMARKS.md.
#
# Environment: RUNS (3), SECONDS_PER_RUN (3), SENDER_MAX_FRAMES_PER_TICK (1000), RTT_FRAMES_PER_TICK (10),
# TRANSPORT (nio, the jars' default; native: --options preferNativeTransport true for the server and the sender, which
# runs on io_uring, else epoll), KEEP_LOGS=1 keeps the logs in the temporary folder it prints (the logging-on server
# writes ~130 bytes per frame).
set -euo pipefail
cd "$(dirname "$0")/.."

RUNS=${RUNS:-3}
SECONDS_PER_RUN=${SECONDS_PER_RUN:-3}
SENDER_MAX_FRAMES_PER_TICK=${SENDER_MAX_FRAMES_PER_TICK:-1000}
RTT_FRAMES_PER_TICK=${RTT_FRAMES_PER_TICK:-10}
TRANSPORT=${TRANSPORT:-nio}
STATS_INTERVAL_MS=500
SERVER_JAR=echo-server-verticle/target/echo-server.jar
SENDER_JAR=sender-verticle/target/sender.jar

for jar in "$SERVER_JAR" "$SENDER_JAR"; do
  if [[ ! -f $jar ]]; then
    echo "throughput.sh: $jar is missing; build first: mvn -B -q package -DskipTests" >&2
    exit 2
  fi
done
case $TRANSPORT in
  nio) VERTX_OPTIONS=() ;;
  native) VERTX_OPTIONS=(--options '{"preferNativeTransport": true}') ;;
  *) echo "throughput.sh: TRANSPORT = \"$TRANSPORT\": must be nio or native" >&2; exit 2 ;;
esac
for tool in java gcc timeout pgrep; do
  command -v "$tool" >/dev/null || { echo "throughput.sh: $tool is needed" >&2; exit 2; }
done

SCRIPT=throughput.sh
WORK=$(mktemp -d "${TMPDIR:-/tmp}/echopair-bench.XXXXXX")
RESULTS=$WORK/results.tsv
SENDER_PID=
# shellcheck source=benchmarks/lib.sh
source benchmarks/lib.sh

# Only the processes this script started, by their id
trap 'clean_up "$SENDER_PID"' EXIT
trap 'exit 143' TERM INT

gcc -O2 -Wall -o "$WORK/blaster" benchmarks/blaster.c

# ---- measuring helpers (the others are in lib.sh)

# Two jvm_ticks samples in one: the latest count of every thread, including threads that ended since the first.
merge_ticks() {
  awk -v b="$1" -v a="$2" 'BEGIN {
    n = split(b, x, " "); for (i = 2; i <= n; i++) { split(x[i], kv, ":"); t[kv[1]] = kv[2] }
    m = split(a, y, " "); for (i = 2; i <= m; i++) { split(y[i], kv, ":"); t[kv[1]] = kv[2] }
    printf "%s", (y[1] > x[1] ? y[1] : x[1]); for (id in t) printf " %s:%s", id, t[id]; print "" }'
}

# ---- the server

start_server() {
  local name=$1 log_every=$2
  launch_server "$WORK/server-$name.log" -Dechopair.host=127.0.0.1 -Dechopair.port=0 -Dechopair.logEvery="$log_every" \
    -Dechopair.statsIntervalMs=$STATS_INTERVAL_MS -jar "$SERVER_JAR" "${VERTX_OPTIONS[@]}"
  echo "== server with logEvery=$log_every, $(grep -a -m1 -o 'transport [a-z_]*' "$SERVER_LOG"): $(grep -a -m1 -o 'Echo server listening on.*' "$SERVER_LOG")"
  # Warm the server's JIT up before measuring
  "$WORK/blaster" -p "$PORT" -c 4 -s 2 >/dev/null
}

stop_and_report() {
  stop_server
  echo "   $(grep -a -o 'Final stats:.*' "$SERVER_LOG" || echo 'no Final stats line')"
  echo "   server log: $(($(stat -c %s "$SERVER_LOG") / 1000000)) MB"
}

# ---- one measured run

# Ends a run's window (begin_window) once the load generator has exited (and been waited for), after the Stats line
# that closes the run's last interval; $1 is the number of frames echoed.
end_run() {
  local frames=$1 log_to i
  end_window
  log_to=$(stat -c %s "$SERVER_LOG")
  for ((i = 0; i < 30; i++)); do
    if tail -c +"$((log_to + 1))" "$SERVER_LOG" | grep -aq 'EchoServerVerticle - Stats:'; then break; fi
    sleep 0.1
  done
  RATE=$(steady_rate "$LOG_FROM")
  SERVER_US=$(loop_micros_per_frame "$SERVER_BEFORE" "$SERVER_AFTER" "$frames")
}

# mode, generator, connections, run, frames/s, server loop us/frame, others' CPU %, generator us/frame,
# RTT p50, RTT p99, dropped %, offered frames/s
record() {
  local IFS=$'\t'
  echo "$*" >>"$RESULTS"
}

run_blaster() {
  local mode=$1 conns=$2 run=$3 out frames cpu gen_us
  begin_window
  if ! out=$("$WORK/blaster" -p "$PORT" -c "$conns" -s "$SECONDS_PER_RUN"); then
    echo "throughput.sh: the blaster failed: $out" >&2
    exit 1
  fi
  frames=$(sed -n 's/.*echoed \([0-9]*\).*/\1/p' <<<"$out")
  cpu=$(sed -n 's/.*; cpu \([0-9.]*\) s.*/\1/p' <<<"$out")
  end_run "$frames"
  gen_us=$(awk -v c="$cpu" -v f="$frames" 'BEGIN { printf "%.2f", c * 1e6 / f }')
  printf '   %-10s c=%s run %s: %8s frames/s, server loop %5s us/frame, others %3s%% | %s\n' \
    blaster "$conns" "$run" "$RATE" "$SERVER_US" "$OTHERS_PCT" "${out#blaster: }"
  record "$mode" blaster "$conns" "$run" "$RATE" "$SERVER_US" "$OTHERS_PCT" "$gen_us" - - - -
}

# The Java sender: framesPerTick frames per connection every 1 ms for SECONDS_PER_RUN s, then it exits by itself.
run_sender() {
  local mode=$1 gen=$2 conns=$3 per_tick=$4 run=$5
  local log=$WORK/sender.log count=$((per_tick * 1000 * SECONDS_PER_RUN)) status=0 jvm= i sample
  local first= last=
  rm -f "$log"
  begin_window
  timeout -s TERM 60 java -Dechopair.port="$PORT" -Dechopair.intervalMs=1 -Dechopair.framesPerTick="$per_tick" \
    -Dechopair.connections="$conns" -Dechopair.count="$count" -Dechopair.statsIntervalMs=1000 \
    -Dechopair.drainTimeoutMs=5000 -jar "$SENDER_JAR" "${VERTX_OPTIONS[@]}" >"$log" 2>&1 &
  SENDER_PID=$!
  # Follow the sender's CPU while it runs: its numbers vanish with it
  for ((i = 0; i < 650; i++)); do
    [[ -n $jvm ]] || jvm=$(pgrep -P "$SENDER_PID" -x java | head -1 || true)
    if [[ -n $jvm ]]; then
      sample=$(jvm_ticks "$jvm")
      [[ -n $sample ]] || break
      if [[ -z $first ]]; then
        first=$sample
        last=$sample
      else
        # Vert.x's threads end before the JVM does: keep what they did
        last=$(merge_ticks "$last" "$sample")
      fi
    elif ! kill -0 "$SENDER_PID" 2>/dev/null; then
      break
    fi
    sleep 0.1
  done
  wait "$SENDER_PID" || status=$?
  SENDER_PID=
  # 0: every frame echoed; 3: the sender could not keep up and dropped frames from its queue (counted below)
  if [[ $status != 0 && $status != 3 ]]; then
    echo "throughput.sh: the sender exited with $status; its log:" >&2
    tail -20 "$log" >&2
    exit 1
  fi
  local finished frames rtt p50 p99 dropped gen_us
  finished=$(grep -a -o 'Sender finished:.*' "$log" || echo 'Sender finished: ?')
  frames=$(sed -n 's/.*produced [0-9]*, acknowledged \([0-9]*\).*/\1/p' <<<"$finished")
  end_run "${frames:-0}"
  # Its last stats line: the RTT histogram of the last full second, after the JIT warm-up
  rtt=$(grep -a 'SenderVerticle - Stats:' "$log" | tail -1 | grep -o 'RTT.*' || echo 'RTT n/a')
  p50=$(sed -n 's/.*p50 \([0-9.]*\) ms.*/\1/p' <<<"$rtt")
  p99=$(sed -n 's/.*p99 \([0-9.]*\) ms.*/\1/p' <<<"$rtt")
  dropped=$(sed -n 's/.*produced \([0-9]*\), acknowledged [0-9]*, dropped[^0-9]*\([0-9]*\).*/\1 \2/p' <<<"$finished" \
    | awk '{ printf "%.1f", ($1 > 0 ? 100 * $2 / $1 : 0) }')
  gen_us=$(loop_micros_per_frame "$first" "$last" "${frames:-0}")
  printf '   %-10s c=%s run %s: %8s frames/s, server loop %5s us/frame, others %3s%% | sender: %s/ms per connection, loop %s us/frame; %s; %s\n' \
    "$gen" "$conns" "$run" "$RATE" "$SERVER_US" "$OTHERS_PCT" "$per_tick" "$gen_us" "${finished#Sender finished: }" "$rtt"
  record "$mode" "$gen" "$conns" "$run" "$RATE" "$SERVER_US" "$OTHERS_PCT" "$gen_us" "${p50:--}" "${p99:--}" \
    "${dropped:--}" "$((per_tick * 1000 * conns))"
}

# Frames per 1 ms tick per connection for the Java sender: 1.5 times what the server took from the blaster in this
# mode, so that it can saturate the server without spending most of its CPU on frames it would only drop from its
# queue; at most SENDER_MAX_FRAMES_PER_TICK.
sender_frames_per_tick() {
  awk -F'\t' -v m="$1" -v c="$2" -v cap="$SENDER_MAX_FRAMES_PER_TICK" '
    $1 == m && $2 == "blaster" && $3 == c { r[n++] = $5 + 0 }
    END {
      for (i = 0; i < n; i++) for (j = i + 1; j < n; j++) if (r[j] < r[i]) { t = r[i]; r[i] = r[j]; r[j] = t }
      median = n == 0 ? 1e9 : (n % 2 ? r[(n - 1) / 2] : (r[n / 2 - 1] + r[n / 2]) / 2)
      t = int(1.5 * median / 1000 / c + 0.999)
      print t < 1 ? 1 : (t > cap ? cap : t) }' "$RESULTS"
}

measure_mode() {
  local mode=$1 log_every=$2 run conns per_tick
  start_server "$mode" "$log_every"
  for conns in 1 4; do
    for ((run = 1; run <= RUNS; run++)); do run_blaster "$mode" "$conns" "$run"; done
  done
  for conns in 1 4; do
    per_tick=$(sender_frames_per_tick "$mode" "$conns")
    for ((run = 1; run <= RUNS; run++)); do run_sender "$mode" sender "$conns" "$per_tick" "$run"; done
  done
  # RTT at a fixed rate well below saturation, where it shows latency rather than queueing
  for ((run = 1; run <= RUNS; run++)); do run_sender "$mode" sender-rtt 1 "$RTT_FRAMES_PER_TICK" "$run"; done
  stop_and_report
}

print_table() {
  echo "| logging | load | conns | offered frames/s | frames/s (median) | min – max | MB/s in | server loop µs/frame | load generator µs/frame | CPU taken by others | sender RTT p50 / p99 ms | sender dropped |"
  echo "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
  sort -t$'\t' -k1,1 -k2,2 -k3,3n -k4,4n "$RESULTS" | awk -F'\t' '
    function median(list,   v, n, i, j, t) {
      n = split(list, v, " ")
      if (n == 0) return "-"
      for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (v[j] + 0 < v[i] + 0) { t = v[i]; v[i] = v[j]; v[j] = t }
      return n % 2 ? v[(n + 1) / 2] : (v[n / 2] + v[n / 2 + 1]) / 2
    }
    function num(x, format) { return x == "-" ? "–" : sprintf(format, x) }
    function flush(   m, n, v, i, lo, hi, name) {
      if (key == "") return
      m = median(rates); n = split(rates, v, " "); lo = v[1]; hi = v[1]
      for (i = 2; i <= n; i++) { if (v[i] + 0 < lo + 0) lo = v[i]; if (v[i] + 0 > hi + 0) hi = v[i] }
      name = k[2] == "blaster" ? "C blaster" : (k[2] == "sender" ? "Java sender" : "Java sender, fixed rate")
      printf "| %s | %s | %s | %s | %.0f | %.0f – %.0f | %.1f | %s | %s | %s | %s | %s |\n",
        k[1], name, k[3], offers == "" ? "all it can" : num(median(offers), "%d"), m, lo, hi, m * 100 / 1e6,
        num(median(servers), "%.2f"), num(median(gens), "%.2f"), num(median(others), "%.0f%%"),
        p50s == "" ? "–" : sprintf("%.2f / %.2f", median(p50s), median(p99s)), num(median(drops), "%.1f%%")
    }
    function add(list, x) { return x == "-" ? list : list " " x }
    {
      this = $1 SUBSEP $2 SUBSEP $3
      if (this != key) {
        flush(); key = this; split(this, k, SUBSEP)
        rates = servers = others = gens = p50s = p99s = drops = offers = ""
      }
      rates = rates " " $5; servers = add(servers, $6); others = add(others, $7); gens = add(gens, $8)
      p50s = add(p50s, $9); p99s = add(p99s, $10); drops = add(drops, $11); offers = add(offers, $12)
    }
    END { flush() }'
}

# ---- main

STARTED=$(date +%s)
# Other work on the machine takes cores from the server and the load: say so before the numbers
busy_before
echo "echopair throughput: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //'), $(java -version 2>&1 | head -1)"
echo "TRANSPORT=$TRANSPORT RUNS=$RUNS SECONDS_PER_RUN=$SECONDS_PER_RUN SENDER_MAX_FRAMES_PER_TICK=$SENDER_MAX_FRAMES_PER_TICK RTT_FRAMES_PER_TICK=$RTT_FRAMES_PER_TICK; machine ${BUSY}% busy before, load average $(cut -d' ' -f1-3 /proc/loadavg)"
: >"$RESULTS"
measure_mode off 0
measure_mode on 1
echo
print_table
echo
echo "whole run: $(($(date +%s) - STARTED)) s; load average $(cut -d' ' -f1-3 /proc/loadavg)"
