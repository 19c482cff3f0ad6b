#!/usr/bin/env bash
# Our echo server side by side with a plain Netty one and a C epoll one: frames/s each echoes over 100-byte frames on
# 127.0.0.1, driven by the C blaster (benchmarks/blaster.c), and the ratio of ours to each of the others.
#
#   mvn -B -q package -DskipTests && benchmarks/compare.sh
#
# The servers: echo-server.jar (echo on, logging off, one event loop); benchmarks/NettyEchoServer.java (one NIO event
# loop, FixedLengthFrameDecoder(100), each frame written back, one flush per read), compiled against the Netty in
# echo-server.jar; benchmarks/epoll_server.c (one thread, epoll, bytes echoed as read), compiled with gcc -O2. They are
# started one after the other, each warmed up with WARMUP_SECONDS of tagged then untagged frames, and stay up, idle
# but for the one being measured. A first round of every load, not counted, finishes the warm-up (plain Netty needs
# 15-20 s of load on one CPU). Every run then loads each server in turn, the order rotating from run to run, so
# that noise and drift fall on all of them alike. With taskset and 2 CPUs or more, every server runs on CPU 0 and the
# blaster on CPU 1 (the JVMs then see one CPU, which also picks their GC: Serial). Frames/s are the blaster's own:
# frames echoed within the SECONDS_PER_RUN of load. Then ping-pong: for each count of PING_CONNECTIONS, the blaster's
# ping mode (each connection one tagged frame in flight at a time, the next written as soon as its echo is in) on each
# server in turn, SECONDS_PER_RUN each, and the round-trip percentiles over every connection's round trips. Takes about
# 4.5 minutes with the defaults. Docs: docs/BENCHMARKS.md.
#
# Environment: RUNS (3), SECONDS_PER_RUN (3), WARMUP_SECONDS (5), CONNECTIONS ("4 8"), FRAMES ("tagged untagged"),
# PING_CONNECTIONS ("1 50"; empty: no ping-pong),
# SERVERS ("ours netty epoll"; netty-void adds the Netty server writing with the void promise, its -v),
# SERVER_JAVA_OPTS (extra JVM options for the Java servers, default none), KEEP_LOGS=1.
set -euo pipefail
cd "$(dirname "$0")/.."

RUNS=${RUNS:-3}
SECONDS_PER_RUN=${SECONDS_PER_RUN:-3}
WARMUP_SECONDS=${WARMUP_SECONDS:-5}
CONNECTIONS=${CONNECTIONS:-4 8}
FRAMES=${FRAMES:-tagged untagged}
PING_CONNECTIONS=${PING_CONNECTIONS-1 50}
read -ra JAVA_OPTS <<<"${SERVER_JAVA_OPTS:-}"
STATS_INTERVAL_MS=500
SERVER_JAR=echo-server-verticle/target/echo-server.jar
read -ra SERVERS <<<"${SERVERS:-ours netty epoll}"

server_name() {
  case $1 in
    ours) echo "echopair (ours)" ;;
    netty) echo "plain Netty" ;;
    netty-void) echo "plain Netty, void promise" ;;
    epoll) echo "C epoll" ;;
    *)
      echo "compare.sh: unknown server '$1' in SERVERS; known: ours netty netty-void epoll" >&2
      exit 2
      ;;
  esac
}

# Every ratio is to ours: it must be one of them
[[ " ${SERVERS[*]} " == *" ours "* ]] || { echo "compare.sh: SERVERS must include ours" >&2; exit 2; }
for name in "${SERVERS[@]}"; do server_name "$name" >/dev/null; done

if [[ ! -f $SERVER_JAR ]]; then
  echo "compare.sh: $SERVER_JAR is missing; build first: mvn -B -q package -DskipTests" >&2
  exit 2
fi
for tool in java javac gcc; do
  command -v "$tool" >/dev/null || { echo "compare.sh: $tool is needed" >&2; exit 2; }
done

SCRIPT=compare.sh
WORK=$(mktemp -d "${TMPDIR:-/tmp}/echopair-compare.XXXXXX")
RESULTS=$WORK/results.tsv
PINGS=$WORK/pings.tsv
declare -A PIDS=() LOGS=() PORTS=()
# shellcheck source=benchmarks/lib.sh
source benchmarks/lib.sh
# Only the processes this script started, by their id
trap 'clean_up "${PIDS[@]}"' EXIT
trap 'exit 143' TERM INT

gcc -O2 -Wall -o "$WORK/blaster" benchmarks/blaster.c
gcc -O2 -Wall -o "$WORK/epoll_server" benchmarks/epoll_server.c
mkdir -p "$WORK/classes"
javac -d "$WORK/classes" -cp "$SERVER_JAR" benchmarks/NettyEchoServer.java

# Servers on one CPU, the load on another, so that neither takes the other's core
if command -v taskset >/dev/null && (($(nproc) >= 2)) && taskset -c 0,1 true 2>/dev/null; then
  ON_SERVER_CPU=(taskset -c 0)
  ON_LOAD_CPU=(taskset -c 1)
  PINNING="pinned with taskset: every server on CPU 0, the blaster on CPU 1"
else
  ON_SERVER_CPU=()
  ON_LOAD_CPU=()
  PINNING="not pinned (needs taskset and 2 CPUs): servers and blaster share every CPU"
fi

# Starts server $1, reads its port and warms it up (the JIT of the Java ones) with tagged, then untagged frames.
start() {
  local name=$1 command
  case $name in
    ours) command=(java "${JAVA_OPTS[@]}" -Dechopair.host=127.0.0.1 -Dechopair.port=0 -Dechopair.logEvery=0
      -Dechopair.statsIntervalMs=$STATS_INTERVAL_MS -jar "$SERVER_JAR") ;;
    netty) command=(java "${JAVA_OPTS[@]}" -cp "$WORK/classes:$SERVER_JAR" NettyEchoServer -p 0
      -i $STATS_INTERVAL_MS) ;;
    netty-void) command=(java "${JAVA_OPTS[@]}" -cp "$WORK/classes:$SERVER_JAR" NettyEchoServer -p 0
      -i $STATS_INTERVAL_MS -v) ;;
    epoll) command=("$WORK/epoll_server" -p 0 -i $STATS_INTERVAL_MS) ;;
  esac
  launch_command "$WORK/server-$name.log" "${ON_SERVER_CPU[@]}" "${command[@]}"
  PIDS[$name]=$SERVER_PID
  LOGS[$name]=$SERVER_LOG
  PORTS[$name]=$PORT
  echo "== $(grep -a -m1 -o 'Echo server listening on.*' "$SERVER_LOG")"
  "${ON_LOAD_CPU[@]}" "$WORK/blaster" -p "$PORT" -c 4 -s "$WARMUP_SECONDS" >/dev/null
  "${ON_LOAD_CPU[@]}" "$WORK/blaster" -p "$PORT" -c 4 -s "$WARMUP_SECONDS" -u >/dev/null
}

# One measured run $4 on server $1: $2 connections, $3 frames (tagged, untagged); records server, frames,
# connections, run, frames/s, server CPU %, blaster CPU %, others' CPU %, server µs of CPU per frame. Run 0 is the
# warm-up round: not recorded.
run_blaster() {
  local name=$1 conns=$2 frames=$3 run=$4 out rate blaster_pct micros untagged=()
  [[ $frames == tagged ]] || untagged=(-u)
  SERVER_PID=${PIDS[$name]}
  SERVER_LOG=${LOGS[$name]}
  begin_window
  if ! out=$("${ON_LOAD_CPU[@]}" "$WORK/blaster" -p "${PORTS[$name]}" -c "$conns" -s "$SECONDS_PER_RUN" \
    "${untagged[@]}"); then
    echo "compare.sh: the blaster failed against $(server_name "$name"): $out" >&2
    exit 1
  fi
  end_window
  rate=$(sed -n 's/.* frames: \([0-9]*\) frames\/s.*/\1/p' <<<"$out")
  blaster_pct=$(sed -n 's/.*(\([0-9]*\)% of a core).*/\1/p' <<<"$out")
  # The server's CPU per frame does not depend on which side was the limit
  micros=$(awk -v p="$SERVER_PCT" -v r="$rate" 'BEGIN { printf "%.3f", (r > 0 ? p / 100 * 1e6 / r : 0) }')
  printf '   run %s  c=%s %-8s %-25s %9s frames/s, server CPU %3s%% (%s µs/frame), blaster %3s%%, others %3s%%%s\n' \
    "$run" "$conns" "$frames" "$(server_name "$name")" "$rate" "$SERVER_PCT" "$micros" "$blaster_pct" "$OTHERS_PCT" \
    "$( ((run > 0)) || echo ' (warm-up, not counted)')"
  ((run > 0)) || return 0
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$name" "$frames" "$conns" "$run" "$rate" "$SERVER_PCT" \
    "$blaster_pct" "$OTHERS_PCT" "$micros" >>"$RESULTS"
}

# One ping-pong run $3 on server $1 over $2 connections; records server, connections, run, p50, p99, p99.9 (ms) and
# round trips. Run 0 is the warm-up round: not recorded.
run_ping() {
  local name=$1 conns=$2 run=$3 out p50 p99 p999 trips
  if ! out=$("${ON_LOAD_CPU[@]}" "$WORK/blaster" -p "${PORTS[$name]}" -m ping -c "$conns" -s "$SECONDS_PER_RUN"); then
    echo "compare.sh: the ping-pong client failed against $(server_name "$name"): $out" >&2
    exit 1
  fi
  p50=$(sed -n 's/.*RTT p50 \([0-9.]*\) ms.*/\1/p' <<<"$out")
  p99=$(sed -n 's/.*, p99 \([0-9.]*\) ms.*/\1/p' <<<"$out")
  p999=$(sed -n 's/.*, p99\.9 \([0-9.]*\) ms.*/\1/p' <<<"$out")
  trips=$(sed -n 's/.*: \([0-9]*\) round trips.*/\1/p' <<<"$out")
  printf '   run %s  ping c=%-3s %-25s RTT p50 %s ms, p99 %s ms, p99.9 %s ms, %s round trips%s\n' "$run" "$conns" \
    "$(server_name "$name")" "$p50" "$p99" "$p999" "$trips" "$( ((run > 0)) || echo ' (warm-up, not counted)')"
  ((run > 0)) || return 0
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$name" "$conns" "$run" "$p50" "$p99" "$p999" "$trips" >>"$PINGS"
}

# The servers in the order of run $1: the first of run 1 is the last of run 2, and so on
rotation() {
  local first=$((($1 - 1) % ${#SERVERS[@]})) i
  for ((i = 0; i < ${#SERVERS[@]}; i++)); do
    echo "${SERVERS[(i + first) % ${#SERVERS[@]}]}"
  done
}

print_table() {
  echo "| load | server | frames/s (median) | min – max | server CPU | server µs/frame | blaster CPU | others | ours ÷ this, medians | ours ÷ this, run by run |"
  echo "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|"
  awk -F'\t' -v conns="$CONNECTIONS" -v frames="$FRAMES" -v servers="${SERVERS[*]}" "$AWK_STATS"'
    {
      load = $3 SUBSEP $2
      rates[$1, load] = rates[$1, load] " " $5; rate[$1, load, $4] = $5; runs[$1, load] = runs[$1, load] " " $4
      server[$1, load] = server[$1, load] " " $6; blaster[$1, load] = blaster[$1, load] " " $7
      others[$1, load] = others[$1, load] " " $8; micros[$1, load] = micros[$1, load] " " $9
    }
    END {
      names["ours"] = "echopair (ours)"; names["netty"] = "plain Netty"; names["epoll"] = "C epoll"
      names["netty-void"] = "plain Netty, void promise"
      ns = split(servers, order, " "); nc = split(conns, c, " "); nf = split(frames, f, " ")
      for (i = 1; i <= nc; i++) for (j = 1; j <= nf; j++) {
        load = c[i] SUBSEP f[j]; ours = median(rates["ours", load])
        for (k = 1; k <= ns; k++) {
          s = order[k]
          if (!((s, load) in rates)) continue
          m = median(rates[s, load]); paired = ""
          nr = split(runs[s, load], r, " ")
          for (x = 1; x <= nr; x++) if (("ours", load, r[x]) in rate && rate[s, load, r[x]] > 0)
            paired = paired " " rate["ours", load, r[x]] / rate[s, load, r[x]]
          printf "| %s connections, %s | %s | %.0f | %s | %.0f %% | %.3f | %.0f %% | %.0f %% | %s | %s |\n", c[i], f[j],
            names[s], m, range(rates[s, load], "%.0f"), median(server[s, load]), median(micros[s, load]),
            median(blaster[s, load]), median(others[s, load]), s == "ours" ? "–" : sprintf("%.2f×", ours / m),
            s == "ours" || paired == "" ? "–" : range(paired, "%.2f×")
        }
      }
    }' "$RESULTS"
}

# Medians of each server's ping-pong percentiles over the runs, and ours over each other server's
print_ping_table() {
  echo "| ping-pong | server | RTT p50 ms | p99 ms (median) | p99 min – max | p99.9 ms | round trips/s | ours ÷ this, p99 medians | ours ÷ this, p50 medians |"
  echo "|---|---|---:|---:|---:|---:|---:|---:|---:|"
  awk -F'\t' -v conns="$PING_CONNECTIONS" -v servers="${SERVERS[*]}" -v seconds="$SECONDS_PER_RUN" "$AWK_STATS"'
    { p50[$1, $2] = p50[$1, $2] " " $4; p99[$1, $2] = p99[$1, $2] " " $5; p999[$1, $2] = p999[$1, $2] " " $6
      trips[$1, $2] = trips[$1, $2] " " $7 / seconds }
    END {
      names["ours"] = "echopair (ours)"; names["netty"] = "plain Netty"; names["epoll"] = "C epoll"
      names["netty-void"] = "plain Netty, void promise"
      ns = split(servers, order, " "); nc = split(conns, c, " ")
      for (i = 1; i <= nc; i++) for (k = 1; k <= ns; k++) {
        s = order[k]
        if (!((s, c[i]) in p99)) continue
        printf "| %s connection%s | %s | %.3f | %.3f | %s | %.3f | %.0f | %s | %s |\n", c[i], c[i] == 1 ? "" : "s",
          names[s], median(p50[s, c[i]]), median(p99[s, c[i]]), range(p99[s, c[i]], "%.3f"), median(p999[s, c[i]]),
          median(trips[s, c[i]]),
          s == "ours" ? "–" : sprintf("%.2f×", median(p99["ours", c[i]]) / median(p99[s, c[i]])),
          s == "ours" ? "–" : sprintf("%.2f×", median(p50["ours", c[i]]) / median(p50[s, c[i]]))
      }
    }' "$PINGS"
}

# ---- main

STARTED=$(date +%s)
# Other work on the machine takes cores from the servers and the load: say so before the numbers
busy_before
echo "echopair compare: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //'), $(java -version 2>&1 | head -1)"
echo "RUNS=$RUNS SECONDS_PER_RUN=$SECONDS_PER_RUN WARMUP_SECONDS=$WARMUP_SECONDS CONNECTIONS=\"$CONNECTIONS\" FRAMES=\"$FRAMES\" PING_CONNECTIONS=\"$PING_CONNECTIONS\" SERVERS=\"${SERVERS[*]}\" SERVER_JAVA_OPTS=\"${SERVER_JAVA_OPTS:-}\"; machine ${BUSY}% busy before, load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo "$PINNING"
: >"$RESULTS"
: >"$PINGS"
for name in "${SERVERS[@]}"; do start "$name"; done
# Run 0 warms every server up once more, with every load it will see, after the others' warm-up left it idle
for ((run = 0; run <= RUNS; run++)); do
  for conns in $CONNECTIONS; do
    for frames in $FRAMES; do
      for name in $(rotation "$((run > 0 ? run : 1))"); do run_blaster "$name" "$conns" "$frames" "$run"; done
    done
  done
done
for ((run = 0; run <= RUNS; run++)); do
  for conns in $PING_CONNECTIONS; do
    for name in $(rotation "$((run > 0 ? run : 1))"); do run_ping "$name" "$conns" "$run"; done
  done
done
for name in "${SERVERS[@]}"; do
  SERVER_PID=${PIDS[$name]}
  stop_server
  PIDS[$name]=
  echo "   $(server_name "$name"): $(grep -a -o 'Final stats:.*' "${LOGS[$name]}" || echo 'no Final stats line')"
done
echo
print_table
if [[ -n $PING_CONNECTIONS ]]; then
  echo
  print_ping_table
fi
echo
echo "whole run: $(($(date +%s) - STARTED)) s; load average $(cut -d' ' -f1-3 /proc/loadavg)"
