#!/usr/bin/env bash
# What the management endpoint costs the hot path: frames/s one echo server (echo-server.jar, one event loop, echo on,
# logging off) takes from the C blaster with the endpoint off, and on (management.port set: Vert.x's metrics on, and
# /metrics scraped every second, as a Prometheus would, only faster).
#
#   mvn -B -q package -DskipTests && benchmarks/metrics.sh
#
# The two cases alternate, a fresh server each run, in the order off-on, on-off, off-on... so that the noise and the
# drift of a shared machine fall on both alike; each round's two runs are a pair, and the table gives the median of the
# pairs' ratios too. Both cases get the same fixed heap, touched at start (SERVER_JAVA_OPTS): left to itself, G1 grows
# each JVM's heap at its own pace, and the event loop pays a page fault for every new page it allocates into (100 bytes
# per frame, Vert.x's copy of each read), which moved the loop's CPU per frame by more than the effect measured and
# differently in every JVM (off alone: 2.9 to 7.6 M frames/s). With taskset and 2 CPUs or more, the server's JVM (the
# endpoint and its scrapes included) runs on CPU 0 and the blaster on CPU 1. Frames/s come from the server's own Stats
# lines, as in throughput.sh; the event loop's CPU per frame from /proc, which the noise disturbs less. Takes about 5.5
# minutes with the defaults (touching 4 GB at each start). Docs: docs/BENCHMARKS.md.
#
# Environment: RUNS (7), SECONDS_PER_RUN (5), CONNECTIONS (4), SERVER_JAVA_OPTS ("-XX:+AlwaysPreTouch -Xms4g -Xmx4g
# -Xmn2g"; a fixed heap without -XX:+AlwaysPreTouch makes the loop 4x slower per frame here, both cases alike),
# KEEP_LOGS=1.
set -euo pipefail
cd "$(dirname "$0")/.."

RUNS=${RUNS:-7}
SECONDS_PER_RUN=${SECONDS_PER_RUN:-5}
CONNECTIONS=${CONNECTIONS:-4}
read -ra JAVA_OPTS <<<"${SERVER_JAVA_OPTS:--XX:+AlwaysPreTouch -Xms4g -Xmx4g -Xmn2g}"
STATS_INTERVAL_MS=500
SERVER_JAR=echo-server-verticle/target/echo-server.jar

if [[ ! -f $SERVER_JAR ]]; then
  echo "metrics.sh: $SERVER_JAR is missing; build first: mvn -B -q package -DskipTests" >&2
  exit 2
fi
command -v gcc >/dev/null || { echo "metrics.sh: gcc is needed" >&2; exit 2; }

SCRIPT=metrics.sh
WORK=$(mktemp -d "${TMPDIR:-/tmp}/echopair-metrics.XXXXXX")
RESULTS=$WORK/results.tsv
SCRAPER_PID=
# shellcheck source=benchmarks/lib.sh
source benchmarks/lib.sh
trap 'clean_up "$SCRAPER_PID"' EXIT
trap 'exit 143' TERM INT

gcc -O2 -Wall -o "$WORK/blaster" benchmarks/blaster.c

SERVER_CPU=
LOAD_CPU=()
if command -v taskset >/dev/null && (($(nproc) >= 2)); then
  SERVER_CPU=0
  LOAD_CPU=(taskset -c 1)
fi

# Scrapes /metrics on port $1 every second until killed, with bash's own /dev/tcp (no curl needed)
scrape_every_second() {
  local port=$1
  while true; do
    exec 3<>"/dev/tcp/127.0.0.1/$port"
    printf 'GET /metrics HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n' >&3
    cat <&3 >"$WORK/last-scrape.txt"
    exec 3<&-
    sleep 1
  done
}

# One run of case $1 (off, on): a fresh server, warmed up, then the blaster for SECONDS_PER_RUN s
run_case() {
  local name=$1 run=$2 management=() out rate echoed loop_us log_to i
  [[ $name == on ]] && management=(-Dechopair.management.port=0)
  launch_server "$WORK/server-$name-$run.log" "${JAVA_OPTS[@]}" -Dechopair.host=127.0.0.1 -Dechopair.port=0 \
    -Dechopair.logEvery=0 -Dechopair.statsIntervalMs=$STATS_INTERVAL_MS "${management[@]}" -jar "$SERVER_JAR"
  if [[ -n $SERVER_CPU ]]; then
    # Every thread of the JVM, the endpoint's included
    taskset -a -p -c "$SERVER_CPU" "$SERVER_PID" >/dev/null
  fi
  if [[ $name == on ]]; then
    local port
    port=$(sed -n 's/.*Management endpoint on http:\/\/[^:]*:\([0-9]*\):.*/\1/p' "$SERVER_LOG" | head -1)
    scrape_every_second "$port" &
    SCRAPER_PID=$!
  fi
  # Warm the server's JIT up before measuring
  "${LOAD_CPU[@]}" "$WORK/blaster" -p "$PORT" -c "$CONNECTIONS" -s 3 >/dev/null
  begin_window
  out=$("${LOAD_CPU[@]}" "$WORK/blaster" -p "$PORT" -c "$CONNECTIONS" -s "$SECONDS_PER_RUN")
  end_window
  log_to=$(stat -c %s "$SERVER_LOG")
  for ((i = 0; i < 30; i++)); do
    if tail -c +"$((log_to + 1))" "$SERVER_LOG" | grep -aq 'EchoServerVerticle - Stats:'; then break; fi
    sleep 0.1
  done
  rate=$(steady_rate "$LOG_FROM")
  echoed=$(echo "$out" | sed -n 's/.*, echoed \([0-9]*\).*/\1/p')
  loop_us=$(loop_micros_per_frame "$SERVER_BEFORE" "$SERVER_AFTER" "$echoed" 3)
  if [[ -n $SCRAPER_PID ]]; then
    kill "$SCRAPER_PID" 2>/dev/null || true
    wait "$SCRAPER_PID" 2>/dev/null || true
    SCRAPER_PID=
    if ! grep -aq '^echopair_server_frames_received_total' "$WORK/last-scrape.txt"; then
      echo "metrics.sh: /metrics had no echopair_server_frames_received_total" >&2
      exit 1
    fi
  fi
  stop_server
  printf '   %-3s run %s: %8s frames/s, server loop %s us/frame, others %3s%% | %s\n' "$name" "$run" "$rate" "$loop_us" \
    "$OTHERS_PCT" "$out"
  printf '%s\t%s\t%s\t%s\n' "$name" "$run" "$rate" "$loop_us" >>"$RESULTS"
}

STARTED=$(date +%s)
busy_before
echo "echopair metrics: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //'), $(java -version 2>&1 | head -1)"
PINNING="no pinning"
[[ -z $SERVER_CPU ]] || PINNING="server on CPU $SERVER_CPU, blaster on CPU 1"
echo "RUNS=$RUNS SECONDS_PER_RUN=$SECONDS_PER_RUN CONNECTIONS=$CONNECTIONS SERVER_JAVA_OPTS=\"${JAVA_OPTS[*]}\";" \
  "machine ${BUSY}% busy before; $PINNING"
: >"$RESULTS"
for ((run = 1; run <= RUNS; run++)); do
  if ((run % 2)); then
    run_case off "$run"
    run_case on "$run"
  else
    run_case on "$run"
    run_case off "$run"
  fi
done
echo
echo "| management endpoint | frames/s (median) | min – max | on / off | server loop µs/frame (median) |"
echo "|---|---:|---:|---:|---:|"
awk -F'\t' "$AWK_STATS"'
  { rates[$1] = rates[$1] " " $3; loops[$1] = loops[$1] " " $4; by[$1, $2] = $3; if ($2 > runs) runs = $2 }
  END {
    for (r = 1; r <= runs; r++) if (by["off", r] > 0) ratios = ratios " " by["on", r] / by["off", r]
    printf "| off | %.0f | %s | | %.3f |\n", median(rates["off"]), range(rates["off"], "%.0f"), median(loops["off"])
    printf "| on, scraped every second | %.0f | %s | %.2f× (median of the runs'"'"' ratios %.2f×) | %.3f |\n",
      median(rates["on"]), range(rates["on"], "%.0f"), median(rates["on"]) / median(rates["off"]), median(ratios),
      median(loops["on"])
  }' "$RESULTS"
echo
echo "whole run: $(($(date +%s) - STARTED)) s; load average $(cut -d' ' -f1-3 /proc/loadavg)"
