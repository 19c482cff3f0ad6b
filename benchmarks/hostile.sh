#!/usr/bin/env bash
# How hostile clients affect one echo server, as a well-behaved client and the server's memory see it. The server is
# echo-server.jar as shipped (conf/echo-server.json: per-frame logging on, logEvery 1) on 127.0.0.1, its console going
# to a file as under a service manager. The well-behaved client connects from 127.0.0.1, the hostile ones from
# HOSTILE_ADDRESS, all made by the C blaster (benchmarks/blaster.c).
#
#   mvn -B -q package -DskipTests && benchmarks/hostile.sh
#
# 1. latency  the round-trip time (RTT) of a ping-pong client (one 100-byte tagged frame at a time, at most one a
#             millisecond), alone and next to 1 and 50 connections that send frames as fast as they can and read their
#             echoes; whether the server's log has one Recv Msg line per frame. "paced p99" also counts the frames a
#             long round trip kept the client from sending, as a client with a steady stream of frames sees it.
# 2. garbage  one connection writes GARBAGE_MB of random bytes (reading and discarding what comes back): the log
#             lines and bytes it causes, how it ends, and the ping-pong client's RTT meanwhile.
# 3. memory   NOREAD_PEERS connections write frames and never read their echoes: the server's heap after a full GC
#             and its RSS once they have stalled, minus the same with no peers, per peer; the RTT while they fill up.
# 4. idle     IDLE_CONNECTIONS idle connections from one address at most: how many it gets, heap per connection.
# 5. ids      sender.jar sends 300 frames (every 20 ms); once 50 are logged, another connection (from HOSTILE_ADDRESS,
#             then from the sender's own 127.0.0.1) sends 50 frames with the sender's id and its next numbers, marked
#             resent, then one with seq 2^62: how many of the sender's 300 frames the log still has.
# Prints one line per measurement, then Markdown tables. Takes about 3 minutes with the defaults. Docs:
# docs/BENCHMARKS.md, "Hostile load".
#
# Environment: RUNS (2) of each latency measurement, PING_SECONDS (10), PING_INTERVAL_US (1000: at most one frame a
# millisecond; 0: back to back), FLOODERS ("1 50"), GARBAGE_MB (50), NOREAD_PEERS (100), NOREAD_MAX_SECONDS (90),
# IDLE_CONNECTIONS (2000), HOSTILE_ADDRESS (127.0.0.2; empty: 127.0.0.1 like the well-behaved client), PARTS
# ("latency garbage memory idle ids": which to run), KEEP_LOGS=1 keeps the logs in the temporary folder it prints (the
# server's log grows by about 3 GB; without KEEP_LOGS it is deleted at the end).
set -euo pipefail
cd "$(dirname "$0")/.."

RUNS=${RUNS:-2}
PING_SECONDS=${PING_SECONDS:-10}
PING_INTERVAL_US=${PING_INTERVAL_US:-1000}
FLOODERS=${FLOODERS:-1 50}
GARBAGE_MB=${GARBAGE_MB:-50}
NOREAD_PEERS=${NOREAD_PEERS:-100}
NOREAD_MAX_SECONDS=${NOREAD_MAX_SECONDS:-90}
IDLE_CONNECTIONS=${IDLE_CONNECTIONS:-2000}
HOSTILE_ADDRESS=${HOSTILE_ADDRESS-127.0.0.2}
PARTS=${PARTS:-latency garbage memory idle ids}
SERVER_JAR=echo-server-verticle/target/echo-server.jar
SENDER_JAR=sender-verticle/target/sender.jar
SERVER_CONF=conf/echo-server.json

for jar in "$SERVER_JAR" "$SENDER_JAR"; do
  if [[ ! -f $jar ]]; then
    echo "hostile.sh: $jar is missing; build first: mvn -B -q package -DskipTests" >&2
    exit 2
  fi
done
for tool in java jcmd gcc; do
  command -v "$tool" >/dev/null || { echo "hostile.sh: $tool is needed" >&2; exit 2; }
done

SCRIPT=hostile.sh
WORK=$(mktemp -d "${TMPDIR:-/tmp}/echopair-hostile.XXXXXX")
# shellcheck source=benchmarks/lib.sh
source benchmarks/lib.sh
HOSTILE=()
if [[ -n $HOSTILE_ADDRESS ]]; then HOSTILE=(-a "$HOSTILE_ADDRESS"); fi
# Blasters and the sender running in the background, by their id
PING_PID=
LOAD_PID=
SENDER_PID=

# Only the processes this script started, by their id
trap 'clean_up "$PING_PID" "$LOAD_PID" "$SENDER_PID"' EXIT
trap 'exit 143' TERM INT

gcc -O2 -Wall -o "$WORK/blaster" benchmarks/blaster.c

# ---- one measured phase: the CPU of the server, of ours and of the others; what the server logged meanwhile

# Once the phase's blasters have exited and been waited for (begin_window started it): CPU shares, then the log once
# it has caught up.
end_phase() {
  end_window
  await_log_quiet
  LOG_BYTES=$(($(stat -c %s "$SERVER_LOG") - LOG_FROM))
  RECV_LINES=$(phase_log | grep -ac ' - Recv Msg : ' || true)
}

# What the server logged since the phase began (it may be a gigabyte: not copied).
phase_log() {
  tail -c +"$((LOG_FROM + 1))" "$SERVER_LOG"
}

# Waits until the server's log has not grown for a second (at most 60 s): logback may still be writing the queue.
# Sets LOG_LAG, the seconds that took.
await_log_quiet() {
  local size last=-1 tenths=0 still=0
  while ((still < 10 && tenths < 600)); do
    size=$(stat -c %s "$SERVER_LOG")
    if ((size == last)); then still=$((still + 1)); else still=0; fi
    last=$size
    sleep 0.1
    tenths=$((tenths + 1))
  done
  LOG_LAG=$(awk -v t="$tenths" 'BEGIN { printf "%.1f", (t - 10) / 10 }')
}

# The heap in use after a full GC, and the resident set, of the server: "heap_kb rss_kb".
server_memory() {
  local heap
  jcmd "$SERVER_PID" GC.run >/dev/null
  heap=$(jcmd "$SERVER_PID" GC.heap_info | sed -n 's/.* used \([0-9]*\)K.*/\1/p' | head -1)
  echo "${heap:-0} $(awk '/^VmRSS:/ { print $2 }' /proc/"$SERVER_PID"/status)"
}

# ---- reading the blasters' lines

# The number after the words $2 in the blaster line $1.
after() { sed -n "s/.*$2 \([0-9.]*\).*/\1/p" <<<"$1" | head -1; }
cpu_of() { sed -n 's/.*(\([0-9]*\)% of a core).*/\1/p' <<<"$1"; }

# Sets P50 P99 P999 PMAX PACED99 ROUND_TRIPS PING_CPU PING_PEER from the ping blaster's output file $1.
read_ping() {
  local line
  line=$(grep -a 'blaster: ping' "$1" || echo 'no ping result')
  # The measured round trips come before the paced ones in the line
  P50=$(after "${line%%paced*}" 'p50'); P99=$(after "${line%%paced*}" 'p99'); P999=$(after "${line%%paced*}" 'p99.9')
  PMAX=$(after "$line" 'max')
  PACED99=$(after "${line#*paced}" 'p99')
  PACED99=${PACED99:-–}
  ROUND_TRIPS=$(sed -n 's/.*: \([0-9]*\) round trips.*/\1/p' <<<"$line")
  PING_CPU=$(cpu_of "$line")
  PING_PEER=$(sed -n 's/.*ping from \([0-9.:]*\),.*/\1/p' <<<"$line")
  if ! grep -aq 'every echo intact' "$1"; then
    echo "   the ping-pong client failed: $(cat "$1")" >&2
    P50=${P50:-?} P99=${P99:-?} P999=${P999:-?} PMAX=${PMAX:-FAILED}
  fi
  ROUND_TRIPS=${ROUND_TRIPS:-0}
}

# The ping-pong client in the background until ping_stop; one second first, so that it is connected and in pace.
ping_start() {
  "$WORK/blaster" -p "$PORT" -m ping -i "$PING_INTERVAL_US" -s 600 >"$WORK/ping.out" 2>&1 &
  PING_PID=$!
  sleep 1
}

ping_stop() {
  kill -TERM "$PING_PID" 2>/dev/null || true
  wait "$PING_PID" || true
  PING_PID=
  read_ping "$WORK/ping.out"
}

rtt_text() { echo "RTT p50 $P50 / p99 $P99 / p99.9 $P999 / max $PMAX ms ($ROUND_TRIPS round trips), paced p99 $PACED99 ms"; }
rtt_cells() { echo "$ROUND_TRIPS | $P50 | **$P99** | $P999 | $PMAX | **$PACED99**"; }
mb() { awk -v b="$1" 'BEGIN { printf "%.1f", b / 1e6 }'; }

# ---- 1. latency next to flooding connections

measure_latency() {
  local flooders=$1 run=$2 out=$WORK/flood.out line= rate=- echoed=0 flood_cpu=– name traffic complete
  begin_window
  if ((flooders > 0)); then
    "$WORK/blaster" -p "$PORT" -c "$flooders" "${HOSTILE[@]}" -s "$((PING_SECONDS + 2))" >"$out" 2>&1 &
    LOAD_PID=$!
    sleep 1
  fi
  # In the background, so that an interrupt is handled at once
  "$WORK/blaster" -p "$PORT" -m ping -i "$PING_INTERVAL_US" -s "$PING_SECONDS" >"$WORK/ping.out" 2>&1 &
  PING_PID=$!
  wait "$PING_PID" || true
  PING_PID=
  if ((flooders > 0)); then
    wait "$LOAD_PID" || echo "   the flooders failed: $(tail -3 "$out")" >&2
    LOAD_PID=
    line=$(grep -a '^blaster:' "$out" || echo 'no flooder result')
    rate=$(sed -n 's/.*frames: \([0-9]*\) frames\/s.*/\1/p' <<<"$line")
    echoed=$(after "$line" 'echoed')
    flood_cpu="$(cpu_of "$line") %"
  fi
  read_ping "$WORK/ping.out"
  end_phase
  complete=$( ((RECV_LINES == ROUND_TRIPS + ${echoed:-0})) && echo complete || echo INCOMPLETE)
  if ((flooders == 0)); then
    name="none (ping-pong client alone)"
    traffic="–"
  elif ((flooders == 1)); then
    name="1 flooding connection"
    traffic="${rate:-?} frames/s"
  else
    name="$flooders flooding connections"
    traffic="${rate:-?} frames/s"
  fi
  printf '   %-28s run %s: %s; flooders %s frames/s (cpu %s); log: %s Recv Msg lines for %s frames echoed (%s), %s MB, caught up %s s after; server cpu %s%%; others %s%%\n' \
    "$name" "$run" "$(rtt_text)" "${rate:-?}" "$flood_cpu" "$RECV_LINES" "$((ROUND_TRIPS + ${echoed:-0}))" \
    "$complete" "$(mb "$LOG_BYTES")" "$LOG_LAG" "$SERVER_PCT" "$OTHERS_PCT"
  echo "| $name | $run | $(rtt_cells) | $traffic | $RECV_LINES / $((ROUND_TRIPS + ${echoed:-0})) ($complete) | $(mb "$LOG_BYTES") | $SERVER_PCT % | $PING_CPU % / $flood_cpu | $OTHERS_PCT % |" \
    >>"$WORK/latency.md"
}

# ---- 2. random garbage

measure_garbage() {
  local out=$WORK/garbage.out line written seconds back ends caused lines bytes ping_lines ended server_end
  local garbage_frames corrupt undecodable garbage_lines complete
  begin_window
  ping_start
  "$WORK/blaster" -p "$PORT" -m garbage -g "$GARBAGE_MB" "${HOSTILE[@]}" >"$out" 2>&1 &
  LOAD_PID=$!
  wait "$LOAD_PID" || true
  LOAD_PID=
  ping_stop
  end_phase
  line=$(grep -a '^blaster:' "$out" || echo 'no garbage result')
  written=$(sed -n 's/.*wrote \([0-9]*\) bytes.*/\1/p' <<<"$line")
  # Until the last echo: the socket buffers take megabytes before the server has read them
  seconds=$(sed -n 's/.*the last after \([0-9.]*\) s.*/\1/p' <<<"$line")
  back=$(sed -n 's/.*read \([0-9]*\) bytes back.*/\1/p' <<<"$line")
  ends=$(sed -n 's/.*; \(open at the end.*\); cpu.*/\1/p' <<<"$line")
  # Every line of the phase but the ping-pong client's and the stats: what the garbage caused
  caused=$(awk -v ping="${PING_PEER:-none}" 'index($0, ping) == 0 && index($0, "EchoServerVerticle - Stats:") == 0 {
      lines++; bytes += length($0) + 1 } END { printf "%d %d", lines, bytes }' <(phase_log))
  lines=${caused% *}
  bytes=${caused#* }
  ping_lines=$(phase_log | grep -ac "peer ${PING_PEER:-none}, " || true)
  ended=$(phase_log | grep -a 'Client [0-9.:]* disconnected (' | grep -v "${PING_PEER:-none}" | head -1 || true)
  server_end=$(sed -n 's/.*disconnected (\([^)]*\)).*/\1/p' <<<"$ended")
  # Its frames each have a Recv Msg line, but the corrupt and undecodable ones (counted, a few WARN lines)
  garbage_frames=$(sed -n 's/.*): \([0-9]*\) frames in.*/\1/p' <<<"$ended")
  corrupt=$(sed -n 's/.*, \([0-9]*\) corrupt.*/\1/p' <<<"$ended")
  undecodable=$(sed -n 's/.*, \([0-9]*\) undecodable.*/\1/p' <<<"$ended")
  corrupt=$((${corrupt:-0} + ${undecodable:-0}))
  garbage_lines=$((RECV_LINES - ping_lines))
  complete=$( ((garbage_lines == ${garbage_frames:-0} - corrupt)) && echo complete || echo INCOMPLETE)
  printf '   garbage, %s MB: wrote %s MB, read %s MB back, the last after %s s; %s; server says: %s; caused %s log lines, %s MB, %s Recv Msg lines for its %s frames (%s corrupt or undecodable: %s); ping %s (log: %s lines for %s round trips); server cpu %s%%; others %s%%\n' \
    "$GARBAGE_MB" "$(mb "${written:-0}")" "$(mb "${back:-0}")" "${seconds:-?}" "${ends:-?}" "${server_end:-no disconnect logged}" \
    "$lines" "$(mb "$bytes")" "$garbage_lines" "${garbage_frames:-?}" "$corrupt" "$complete" "$(rtt_text)" "$ping_lines" "$ROUND_TRIPS" "$SERVER_PCT" "$OTHERS_PCT"
  echo "| $(mb "${written:-0}") MB in ${seconds:-?} s | $(mb "${back:-0}") MB | ${ends:-?}; server: ${server_end:-no disconnect logged} | $lines | $(mb "$bytes") | $garbage_lines / $((${garbage_frames:-0} - corrupt)) ($complete) | $(rtt_cells) | $SERVER_PCT % | $OTHERS_PCT % |" \
    >>"$WORK/garbage.md"
  echo "| $GARBAGE_MB MB of random bytes, 1 connection | 1 | $(rtt_cells) | $(mb "${written:-0}") MB in ${seconds:-?} s | $ping_lines / $ROUND_TRIPS (the client's own) | $(mb "$LOG_BYTES") | $SERVER_PCT % | $PING_CPU % / $(cpu_of "$line") % | $OTHERS_PCT % |" \
    >>"$WORK/latency.md"
}

# ---- 3. and 4. memory held by peers

# Memory row: $1 what, $2 peers it is divided by, $3 "heap rss" with none, $4 held, $5 after they left, $6 notes.
memory_row() {
  awk -v what="$1" -v n="$2" -v none="$3" -v held="$4" -v left="$5" -v notes="$6" -v others="$OTHERS_PCT" 'BEGIN {
    split(none, a, " "); split(held, b, " "); split(left, c, " ")
    printf "| %s | %.1f → %.1f → %.1f | **%.0f** | %.1f → %.1f → %.1f | %.0f | %s | %s %% |\n", what,
      a[1] / 1024, b[1] / 1024, c[1] / 1024, (n > 0 ? (b[1] - a[1]) / n : 0),
      a[2] / 1024, b[2] / 1024, c[2] / 1024, (n > 0 ? (b[2] - a[2]) / n : 0), notes, others }' >>"$WORK/memory.md"
}

# The server's memory while the load holds its connections (HELD), then once it has closed them and the server has
# logged their end (LEFT); ends the phase.
release_load() {
  HELD=$(server_memory)
  kill -TERM "$LOAD_PID" 2>/dev/null || true
  wait "$LOAD_PID" || true
  LOAD_PID=
  end_phase
  LEFT=$(server_memory)
}

measure_noread() {
  local out=$WORK/noread.out none line stalled frames_read read_per_peer complete state
  none=$(server_memory)
  begin_window
  "$WORK/blaster" -p "$PORT" -m noread -c "$NOREAD_PEERS" "${HOSTILE[@]}" -s "$NOREAD_MAX_SECONDS" >"$out" 2>&1 &
  LOAD_PID=$!
  ping_start
  if await_line "$out" 'stalled after' $((NOREAD_MAX_SECONDS * 10)); then
    stalled=$(sed -n 's/.*stalled after \([0-9.]*\) s.*/\1/p' "$out")
    state="stalled after $stalled s"
  else
    state="not stalled after $NOREAD_MAX_SECONDS s"
  fi
  ping_stop
  release_load
  line=$(grep -a 'blaster: never-read.*cpu' "$out" || echo 'no never-read result')
  # What the server read from them before it stopped reading: from their disconnect lines
  frames_read=$(phase_log | grep -a 'disconnected (' | grep -v "${PING_PEER:-none}" \
    | sed -n 's/.*): \([0-9]*\) frames in.*/\1/p' | awk '{ s += $1 } END { printf "%d", s }')
  read_per_peer=$((frames_read * 100 / 1024 / NOREAD_PEERS))
  complete=$( ((RECV_LINES == ROUND_TRIPS + frames_read)) && echo complete || echo INCOMPLETE)
  printf '   %s never-reading peers, %s: heap after GC %s -> %s -> %s KB (none, held, after they left), RSS %s -> %s -> %s KB; server read %s KB from each; %s; while they filled up: ping %s; log: %s Recv Msg lines for %s frames received (%s); server cpu %s%%; others %s%%\n' \
    "$NOREAD_PEERS" "$state" "${none% *}" "${HELD% *}" "${LEFT% *}" "${none#* }" "${HELD#* }" "${LEFT#* }" \
    "$read_per_peer" "${line#blaster: }" "$(rtt_text)" "$RECV_LINES" "$((ROUND_TRIPS + frames_read))" "$complete" \
    "$SERVER_PCT" "$OTHERS_PCT"
  memory_row "$NOREAD_PEERS never-reading peers, $state" "$NOREAD_PEERS" "$none" "$HELD" "$LEFT" \
    "the server read $read_per_peer KB from each"
  echo "| $NOREAD_PEERS never-reading peers, until $state | 1 | $(rtt_cells) | $(sed -n 's/.*: wrote [0-9]* frames, \([0-9.]*\) MB.*/\1/p' <<<"$line") MB written | $RECV_LINES / $((ROUND_TRIPS + frames_read)) ($complete) | $(mb "$LOG_BYTES") | $SERVER_PCT % | $PING_CPU % / $(cpu_of "$line") % | $OTHERS_PCT % |" \
    >>"$WORK/latency.md"
}

measure_idle() {
  local out=$WORK/idle.out none opened line closed
  none=$(server_memory)
  begin_window
  "$WORK/blaster" -p "$PORT" -m idle -c "$IDLE_CONNECTIONS" "${HOSTILE[@]}" -s 600 >"$out" 2>&1 &
  LOAD_PID=$!
  await_line "$out" 'connections open after' 1200 || true
  # The server accepts them after the client's connect(): wait until it has logged them
  await_log_quiet
  release_load
  opened=$(sed -n 's/.*: \([0-9]*\) of [0-9]* connections open.*/\1/p' "$out")
  line=$(grep -a 'blaster: idle.*cpu' "$out" || echo 'no idle result')
  closed=$(sed -n 's/.*closed by the server \([0-9]*\).*/\1/p' <<<"$line")
  printf '   idle connections from %s: %s; %s; heap after GC %s -> %s -> %s KB (none, held, after), RSS %s -> %s -> %s KB; server cpu %s%%; others %s%%\n' \
    "${HOSTILE_ADDRESS:-127.0.0.1}" "$(grep -a -m1 -o '[0-9]* of [0-9]* connections open after.*' "$out" || echo '?')" "${line#blaster: }" \
    "${none% *}" "${HELD% *}" "${LEFT% *}" "${none#* }" "${HELD#* }" "${LEFT#* }" "$SERVER_PCT" "$OTHERS_PCT"
  memory_row "${opened:-0} of $IDLE_CONNECTIONS idle connections opened from one address" "${opened:-0}" "$none" "$HELD" \
    "$LEFT" "${closed:-?} closed by the server while held"
}

measure_sender_ids() {
  local address=$1 log=$WORK/sender-ids.log out=$WORK/claim.out id status=0 finished logged i
  LOG_FROM=$(stat -c %s "$SERVER_LOG")
  java -Dechopair.port="$PORT" -Dechopair.intervalMs=20 -Dechopair.count=300 -Dechopair.statsIntervalMs=100000 \
    -jar "$SENDER_JAR" >"$log" 2>&1 &
  SENDER_PID=$!
  await_line "$log" 'sender id' 300 || true
  id=$(sed -n 's/.*sender id \([0-9a-f]*\)).*/\1/p' "$log" | head -1)
  # 50 of its frames in, the claim takes its next 50 numbers and jumps ahead
  for ((i = 0; i < 300; i++)); do
    if phase_log | grep -aq 'Recv Msg : This Msg From Client (peer .*, seq=50)'; then break; fi
    sleep 0.1
  done
  "$WORK/blaster" -p "$PORT" -m claim -k "${id:-0}" -q 60 -n 50 -a "$address" >"$out" 2>&1 || true
  wait "$SENDER_PID" || status=$?
  SENDER_PID=
  await_log_quiet
  finished=$(grep -a -o 'Sender finished:.*' "$log" || echo 'Sender finished: ?')
  logged=$(phase_log | grep -a 'Recv Msg : This Msg From Client (peer ' | sed -n 's/.*, seq=\([0-9]*\))$/\1/p' \
    | awk '$1 >= 1 && $1 <= 300' | sort -un | wc -l)
  printf '   %s; sender %s: %s, exit %s; the log has %s of its 300 frames, %s hidden\n' \
    "$(grep -a -o 'claim from.*every echo back\|claim from.*FAILED[^;]*' "$out" || echo 'no claim result')" "${id:-?}" \
    "${finished#Sender finished: }" "$status" "$logged" "$((300 - logged))"
  echo "| $address | ${finished#Sender finished: } (exit $status) | **$logged** of 300 | $((300 - logged)) |" >>"$WORK/ids.md"
}

# ---- main

STARTED=$(date +%s)
busy_before
echo "echopair hostile load: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //'), $(java -version 2>&1 | head -1)"
echo "RUNS=$RUNS PING_SECONDS=$PING_SECONDS PING_INTERVAL_US=$PING_INTERVAL_US FLOODERS=\"$FLOODERS\" GARBAGE_MB=$GARBAGE_MB NOREAD_PEERS=$NOREAD_PEERS IDLE_CONNECTIONS=$IDLE_CONNECTIONS HOSTILE_ADDRESS=${HOSTILE_ADDRESS:-127.0.0.1}; machine ${BUSY}% busy before, load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo "commit $(git rev-parse --short HEAD 2>/dev/null || echo '?')$(git diff --quiet HEAD -- 2>/dev/null || echo ' (with uncommitted changes)')"

launch_server "$WORK/server.log" -Dechopair.host=127.0.0.1 -Dechopair.port=0 -Dechopair.logEvery=1 \
  -jar "$SERVER_JAR" --conf "$SERVER_CONF"
echo "== $(grep -a -m1 -o 'Echo server listening on.*' "$SERVER_LOG"), logEvery 1, console to a file"
# Warm the server's JIT up before measuring
"$WORK/blaster" -p "$PORT" -c 4 -s 2 >/dev/null
"$WORK/blaster" -p "$PORT" -m ping -s 1 >/dev/null
await_log_quiet
: >"$WORK/latency.md"
: >"$WORK/garbage.md"
: >"$WORK/memory.md"
: >"$WORK/ids.md"

for part in $PARTS; do
  case $part in
    latency)
      echo "== 1. ping-pong latency, alone and next to flooding connections (${PING_SECONDS} s each)"
      for ((run = 1; run <= RUNS; run++)); do
        for flooders in 0 $FLOODERS; do measure_latency "$flooders" "$run"; done
      done
      ;;
    garbage)
      echo "== 2. random garbage"
      measure_garbage
      ;;
    memory)
      echo "== 3. peers that never read"
      measure_noread
      ;;
    idle)
      echo "== 4. idle connections from one address"
      measure_idle
      ;;
    ids)
      echo "== 5. a sender's id used by another connection"
      for address in ${HOSTILE_ADDRESS:-127.0.0.2} 127.0.0.1; do measure_sender_ids "$address"; done
      ;;
    *) echo "hostile.sh: unknown part '$part' in PARTS" >&2; exit 2 ;;
  esac
done

stop_server
FINAL=$(grep -a -o 'Final stats:.*' "$SERVER_LOG" || echo 'no Final stats line')
echo "   $FINAL"
# Every frame received, less the corrupt and undecodable ones and the duplicates, has its Recv Msg line
RECV_TOTAL=$(grep -ac ' - Recv Msg : ' "$SERVER_LOG" || true)
EXPECTED=$(sed -n 's/.*; in \([0-9]*\) frames.*; \([0-9]*\) corrupt, \([0-9]*\) undecodable; \([0-9]*\) duplicates.*/\1 \2 \3 \4/p' \
  <<<"$FINAL" | awk '{ print $1 - $2 - $3 - $4 }')
echo "   server log: $(mb "$(stat -c %s "$SERVER_LOG")") MB, $RECV_TOTAL Recv Msg lines for ${EXPECTED:-?} frames received (less corrupt, undecodable and duplicates): $( [[ $RECV_TOTAL == "${EXPECTED:-}" ]] && echo complete || echo INCOMPLETE)"

echo
echo "Ping-pong client (127.0.0.1, one frame at a time) next to hostile load from ${HOSTILE_ADDRESS:-127.0.0.1}; RTT in ms:"
echo
echo "| hostile load | run | round trips | p50 | p99 | p99.9 | max | paced p99 | hostile traffic | Recv Msg lines / frames | log MB | server CPU | CPU ping / hostile blaster | CPU of others |"
echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
cat "$WORK/latency.md"
if [[ -s $WORK/garbage.md ]]; then
  echo
  echo "Random garbage from one connection:"
  echo
  echo "| written, last echo after | read back | how it ended | log lines caused | log MB caused | its Recv Msg lines / frames not corrupt or undecodable | ping round trips | p50 | p99 | p99.9 | max | paced p99 | server CPU | CPU of others |"
  echo "|---|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
  cat "$WORK/garbage.md"
fi
if [[ -s $WORK/memory.md ]]; then
  echo
  echo "Server memory (heap in use after a full GC, and RSS): with none → held → after they left, in MB; per peer in KB:"
  echo
  echo "| peers | heap MB | heap KB per peer | RSS MB | RSS KB per peer | notes | CPU of others |"
  echo "|---|---:|---:|---:|---:|---|---:|"
  cat "$WORK/memory.md"
fi
if [[ -s $WORK/ids.md ]]; then
  echo
  echo "A sender's 300 frames, while another connection uses its id and next numbers, then jumps to seq 2^62:"
  echo
  echo "| claiming connection from | the sender's final line | its frames in the log | hidden |"
  echo "|---|---|---:|---:|"
  cat "$WORK/ids.md"
fi
echo
echo "whole run: $(($(date +%s) - STARTED)) s; load average $(cut -d' ' -f1-3 /proc/loadavg)"
