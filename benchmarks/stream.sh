#!/usr/bin/env bash
# The stream of received frames (the server's publish key) into a monitor in another JVM: frames/s one echo server
# (echo-server.jar, one event loop, logging off) takes with publish off, and with publish on and monitor.jar consuming,
# both clustered over 127.0.0.1; frames/s the monitor counted and logged; what the servers and the monitor dropped;
# and the memory of both JVMs when the monitor cannot keep up.
#
#   mvn -B -q package -DskipTests && flock /tmp/echopair-bench.lock benchmarks/stream.sh
#
# Cases, per set of jars: "off" (publish off), "counted" (publish on, the monitor counts every frame, logEvery 0),
# "logged" (publish on, the monitor logs every frame, logEvery 1, its console to a file: a monitor that cannot keep
# up) and, not by default, "json" (as counted, with publishFormat json; this build's jars only). The C blaster (benchmarks/blaster.c) is the load: CONNECTIONS connections of tagged 100-byte frames, as
# fast as the server echoes them. Frames/s are the server's and the monitor's own Stats lines (every 500 ms): the mean
# rate of the intervals with traffic, first and last left out. "Monitor saw" is the monitor's total over the run (once
# it is idle again) against the frames the server took; "dropped" the monitor's own count line. RSS is each JVM's
# resident memory at the end of the run (and its peak). With taskset and 2 CPUs, the server runs on CPU 0, the blaster
# and the monitor on CPU 1.
#
# BEFORE_DIR=/path names a folder with an echo-server.jar and a monitor.jar of another build (e.g. main's): both sets
# are then measured, round after round, before first; AFTER_DIR likewise replaces this build's jars (a copy keeps a
# rebuild from changing them under a long run). The cluster is the shipped conf/cluster.xml under a name of
# its own (so that no other cluster on the machine joins it). Takes about 1.5 minutes per set and run.
#
# Environment: RUNS (2), SECONDS_PER_RUN (5), CONNECTIONS (8), BEFORE_DIR (none), AFTER_DIR (none),
# CASES ("off counted logged"), KEEP_LOGS=1. Docs: docs/BENCHMARKS.md, "The stream (issue 11)".
set -euo pipefail
cd "$(dirname "$0")/.."

RUNS=${RUNS:-2}
SECONDS_PER_RUN=${SECONDS_PER_RUN:-5}
CONNECTIONS=${CONNECTIONS:-8}
read -ra CASES <<<"${CASES:-off counted logged}"
STATS_INTERVAL_MS=500

# The jars of this build, unless AFTER_DIR names a folder with a copy
declare -A JARS=([after]=${AFTER_DIR:-})
SETS=(after)
if [[ -n ${BEFORE_DIR:-} ]]; then
  JARS[before]=$BEFORE_DIR
  SETS=(before after)
fi
server_jar() { echo "${JARS[$1]:-echo-server-verticle/target}/echo-server.jar"; }
monitor_jar() { echo "${JARS[$1]:-monitor-verticle/target}/monitor.jar"; }
for set in "${SETS[@]}"; do
  for jar in "$(server_jar "$set")" "$(monitor_jar "$set")"; do
    if [[ ! -f $jar ]]; then
      echo "stream.sh: $jar is missing; build first: mvn -B -q package -DskipTests" >&2
      exit 2
    fi
  done
done
for tool in java gcc; do
  command -v "$tool" >/dev/null || { echo "stream.sh: $tool is needed" >&2; exit 2; }
done

SCRIPT=stream.sh
WORK=$(mktemp -d "${TMPDIR:-/tmp}/echopair-bench.XXXXXX")
RESULTS=$WORK/results.tsv
MONITOR_PID=
MONITOR_LOG=
# shellcheck source=benchmarks/lib.sh
source benchmarks/lib.sh
# Only the processes this script started, by their id
trap 'clean_up "$MONITOR_PID"' EXIT
trap 'exit 143' TERM INT

gcc -O2 -Wall -o "$WORK/blaster" benchmarks/blaster.c
# The shipped cluster, under a name no other cluster on the machine uses
sed "s|<cluster-name>echopair</cluster-name>|<cluster-name>stream-bench-$$</cluster-name>|" conf/cluster.xml \
  >"$WORK/cluster.xml"

if command -v taskset >/dev/null && (($(nproc) >= 2)) && taskset -c 0,1 true 2>/dev/null; then
  ON_SERVER_CPU=(taskset -c 0)
  ON_LOAD_CPU=(taskset -c 1)
  PINNING="pinned with taskset: the server on CPU 0, the blaster and the monitor on CPU 1"
else
  ON_SERVER_CPU=()
  ON_LOAD_CPU=()
  PINNING="not pinned (needs taskset and 2 CPUs)"
fi


# ---- the pieces

# Starts the server of jar set $1 with publish $2 (and publishFormat $3, when given), clustered.
start_server() {
  local set=$1 publish=$2 format=()
  [[ -z ${3:-} ]] || format=(-Dechopair.publishFormat="$3")
  launch_command "$WORK/server-$set-$CASE.log" "${ON_SERVER_CPU[@]}" java -Dvertx.hazelcast.config="$WORK/cluster.xml" \
    -Dechopair.host=127.0.0.1 -Dechopair.port=0 -Dechopair.logEvery=0 -Dechopair.publish="$publish" "${format[@]}" \
    -Dechopair.statsIntervalMs=$STATS_INTERVAL_MS -jar "$(server_jar "$set")" --cluster
}

# Starts the monitor of jar set $1 with logEvery $2, clustered, its console going to a file; waits until its consumer
# is known to the cluster.
start_monitor() {
  local set=$1 log_every=$2
  MONITOR_LOG=$WORK/monitor-$set-$CASE.log
  "${ON_LOAD_CPU[@]}" java -Dvertx.hazelcast.config="$WORK/cluster.xml" -Dechopair.logEvery="$log_every" \
    -Dechopair.statsIntervalMs=$STATS_INTERVAL_MS -jar "$(monitor_jar "$set")" --cluster >"$MONITOR_LOG" 2>&1 &
  MONITOR_PID=$!
  if ! await_line "$MONITOR_LOG" 'Monitor listening to' 600; then
    echo "stream.sh: the monitor did not start; its log:" >&2
    tail -20 "$MONITOR_LOG" >&2
    exit 1
  fi
}

stop_monitor() {
  kill -TERM "$MONITOR_PID" 2>/dev/null || true
  wait "$MONITOR_PID" 2>/dev/null || true
  MONITOR_PID=
}

# VmRSS and VmHWM of process $1 in MB: "312 (peak 340)".
rss() {
  awk '/^VmRSS/ { r = $2 } /^VmHWM/ { h = $2 } END { printf "%.0f (peak %.0f)", r / 1024, h / 1024 }' /proc/"$1"/status
}

# The monitor's total ("N in total") in its last Stats line.
monitor_total() {
  { grep -a 'MonitorVerticle - Stats:' "$MONITOR_LOG" || true; } | tail -1 | sed -n 's/.*; \([0-9]*\) in total.*/\1/p'
}

# Waits until the monitor logged a Stats line with 0 messages after byte $1 of its log: it has caught up (at most 60 s).
await_monitor_idle() {
  local from=$1 i
  for ((i = 0; i < 600; i++)); do
    if tail -c +"$((from + 1))" "$MONITOR_LOG" | grep -aq 'MonitorVerticle - Stats: 0 messages'; then return 0; fi
    sleep 0.1
  done
  echo "stream.sh: warning: the monitor was still busy 60 s after the load" >&2
}

# The monitor's frames/s since byte $1 of its log, as steady_rate reads the server's.
monitor_rate() {
  tail -c +"$(($1 + 1))" "$MONITOR_LOG" | { grep -a 'MonitorVerticle - Stats:' || true; } \
    | sed -n 's/.* messages in the last [0-9.]* s (\([0-9.]*\)\/s).*/\1/p' | steady_mean
}

# Waits until the server logged a Stats line without new frames after byte $1 of its log (at most 10 s).
await_server_idle() {
  local from=$1 i
  for ((i = 0; i < 100; i++)); do
    if tail -c +"$((from + 1))" "$SERVER_LOG" | grep -aq 'EchoServerVerticle - Stats:.* in [0-9]* frames (0.0/s)'; then
      return 0
    fi
    sleep 0.1
  done
}

# The server's frames in so far, from its last Stats line.
server_frames() {
  { grep -a 'EchoServerVerticle - Stats:' "$SERVER_LOG" || true; } | tail -1 | sed -n 's/.*; in \([0-9]*\) frames.*/\1/p'
}

# ---- one measured run

# Run $3 of case $2 with jar set $1: the blaster for SECONDS_PER_RUN, then the figures; records set, case, run,
# server frames/s, monitor frames/s, monitor saw %, dropped, server RSS, monitor RSS, others' CPU %.
run_case() {
  local set=$1 name=$2 run=$3 out rate mon_rate=- saw=- dropped=- mon_rss=- frames_before frames_after
  local mon_from=0 total_before=0 total_after
  frames_before=$(server_frames)
  if [[ -n $MONITOR_PID ]]; then
    mon_from=$(stat -c %s "$MONITOR_LOG")
    total_before=$(monitor_total)
  fi
  local machine_before monitor_before=0 monitor_pct=0
  machine_before=$(machine_ticks)
  [[ -z $MONITOR_PID ]] || monitor_before=$(jvm_ticks "$MONITOR_PID" | cut -d' ' -f1)
  begin_window
  # A server far behind (echoes missing 10 s after the load) fails the blaster; its own figures still stand
  if ! out=$("${ON_LOAD_CPU[@]}" "$WORK/blaster" -p "$PORT" -c "$CONNECTIONS" -s "$SECONDS_PER_RUN"); then
    echo "stream.sh: warning: the blaster gave up on $set $name run $run (above); the server's figures stand" >&2
  fi
  end_window
  if [[ -n $MONITOR_PID ]]; then
    # The monitor is ours too, and the machine's share of it comes out of "others"
    monitor_pct=$(awk -v b="$machine_before" -v a="$(machine_ticks)" -v t="$(($(jvm_ticks "$MONITOR_PID" | cut -d' ' -f1) - monitor_before))" \
      'BEGIN { split(b, x, " "); split(a, y, " "); printf "%.0f", 100 * t / (y[2] - x[2] + 1e-9) }')
    OTHERS_PCT=$((OTHERS_PCT > monitor_pct ? OTHERS_PCT - monitor_pct : 0))
  fi
  # The Stats line that closes the run's last interval
  await_server_idle "$(stat -c %s "$SERVER_LOG")"
  rate=$(steady_rate "$LOG_FROM")
  frames_after=$(server_frames)
  if [[ -n $MONITOR_PID ]]; then
    await_monitor_idle "$mon_from"
    mon_rate=$(monitor_rate "$mon_from")
    total_after=$(monitor_total)
    saw=$(awk -v m="$((total_after - ${total_before:-0}))" -v s="$((frames_after - frames_before))" \
      'BEGIN { printf "%.1f", (s > 0 ? 100 * m / s : 0) }')
    dropped=$({ grep -a 'MonitorVerticle - Stats:' "$MONITOR_LOG" || true; } | tail -1 \
      | sed -n 's/.*, \([0-9]*\) dropped (\([0-9]*\) by the servers, \([0-9]*\) by this monitor.*/\1 (servers \2, monitor \3)/p')
    dropped=${dropped:-0}
    mon_rss=$(rss "$MONITOR_PID")
  fi
  printf '   %-6s %-7s run %s: server %8s frames/s; monitor %8s frames/s, saw %5s%% of them, dropped %s; RSS server %s MB, monitor %s MB; monitor CPU %s%% of the machine, others %s%%\n' \
    "$set" "$name" "$run" "$rate" "$mon_rate" "$saw" "$dropped" "$(rss "$SERVER_PID")" "$mon_rss" "$monitor_pct" "$OTHERS_PCT"
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$set" "$name" "$run" "$rate" "$mon_rate" "$saw" "$dropped" \
    "$(rss "$SERVER_PID")" "$mon_rss" "$OTHERS_PCT" >>"$RESULTS"
}

# Case $2 with jar set $1, run $3: starts what it needs, warms the server up, measures, stops everything.
measure() {
  local set=$1 name=$2 run=$3
  CASE=$name-$run
  case $name in
    off) start_server "$set" false ;;
    counted) start_server "$set" true; start_monitor "$set" 0 ;;
    logged) start_server "$set" true; start_monitor "$set" 1 ;;
    # The JSON form of this build (publishFormat json); the jars before batches had only that one: "counted"
    json) [[ $set == after ]] || return 0; start_server "$set" true json; start_monitor "$set" 0 ;;
    *) echo "stream.sh: unknown case '$name' in CASES; known: off counted logged json" >&2; exit 2 ;;
  esac
  # Warm the JIT up: a short load, before the measured one
  "${ON_LOAD_CPU[@]}" "$WORK/blaster" -p "$PORT" -c "$CONNECTIONS" -s 2 >/dev/null 2>&1 || true
  await_server_idle "$(stat -c %s "$SERVER_LOG")"
  [[ -z $MONITOR_PID ]] || await_monitor_idle "$(stat -c %s "$MONITOR_LOG")"
  run_case "$set" "$name" "$run"
  if [[ -n $MONITOR_PID ]]; then
    stop_monitor
    stop_server
    account
  else
    stop_server
  fi
}

# Once both have stopped: what the server published and dropped (its Final stats) against what the monitor counted
# and was told (its last line). Published = counted + dropped by the monitor; the server's drops after its last
# batch reach no monitor.
account() {
  local server monitor
  server=$(grep -a -o 'Final stats:.*; stream [0-9]* frames published, [0-9]* dropped' "$SERVER_LOG" \
    | sed 's/.*; stream \([0-9]*\) frames published, \([0-9]*\) dropped/\1 \2/' || true)
  monitor=$(grep -a -o 'Monitor stopped: .*' "$MONITOR_LOG" | sed -n \
    's/Monitor stopped: \([0-9]*\) messages seen\(, [0-9]* dropped (\([0-9]*\) by the servers, \([0-9]*\) by this monitor\)\{0,1\}.*/\1 \3 \4/p' || true)
  [[ -n $server ]] || return 0
  read -r published dropped <<<"$server"
  read -r counted by_servers by_monitor <<<"$monitor"
  echo "      accounting: server published ${published}, dropped ${dropped}; monitor counted ${counted:-?}, dropped ${by_monitor:-0}, told of ${by_servers:-0} dropped by the server: published $( ((published == ${counted:-0} + ${by_monitor:-0})) && echo '= counted + dropped by the monitor' || echo '!= counted + dropped by the monitor')"
}

print_table() {
  echo "| jars | case | server frames/s (median) | × publish off | monitor frames/s | monitor saw | dropped (last run) | RSS server / monitor, MB (last run) | others' CPU |"
  echo "|---|---|---:|---:|---:|---:|---|---|---:|"
  awk -F'\t' '
    function median(list,   v, n, i, j, t) {
      n = split(list, v, " "); if (n == 0) return 0
      for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (v[j] + 0 < v[i] + 0) { t = v[i]; v[i] = v[j]; v[j] = t }
      return n % 2 ? v[(n + 1) / 2] : (v[n / 2] + v[n / 2 + 1]) / 2
    }
    { k = $1 SUBSEP $2; if (!(k in seen)) { order[n++] = k; seen[k] = 1 }
      rate[k] = rate[k] " " $4; mon[k] = mon[k] " " ($5 == "-" ? "" : $5); saw[k] = saw[k] " " ($6 == "-" ? "" : $6)
      drop[k] = $7; mem[k] = $8 " / " $9; others[k] = others[k] " " $10 }
    END {
      for (i = 0; i < n; i++) {
        split(order[i], key, SUBSEP); off = median(rate[key[1] SUBSEP "off"])
        r = median(rate[order[i]])
        ratio = off > 0 ? sprintf("%.2f", r / off) : "–"
        monitor = mon[order[i]] ~ /[0-9]/ ? sprintf("%.0f", median(mon[order[i]])) : "–"
        share = saw[order[i]] ~ /[0-9]/ ? sprintf("%.1f%%", median(saw[order[i]])) : "–"
        printf "| %s | %s | %.0f | %s | %s | %s | %s | %s | %.0f%% |\n", key[1], key[2], r, ratio, monitor, share,
          drop[order[i]], mem[order[i]], median(others[order[i]])
      }
    }' "$RESULTS"
}

# ---- main

STARTED=$(date +%s)
busy_before
echo "echopair stream: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //'), $(java -version 2>&1 | head -1)"
echo "$PINNING; RUNS=$RUNS SECONDS_PER_RUN=$SECONDS_PER_RUN CONNECTIONS=$CONNECTIONS jars: $(for s in "${SETS[@]}"; do printf '%s=%s ' "$s" "$(dirname "$(server_jar "$s")")"; done)"
echo "machine ${BUSY}% busy before, load average $(cut -d' ' -f1-3 /proc/loadavg)"
: >"$RESULTS"
for ((run = 1; run <= RUNS; run++)); do
  for set in "${SETS[@]}"; do
    for name in "${CASES[@]}"; do measure "$set" "$name" "$run"; done
  done
done
echo
print_table
echo
echo "whole run: $(($(date +%s) - STARTED)) s; load average $(cut -d' ' -f1-3 /proc/loadavg)"
