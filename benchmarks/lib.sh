# Helpers of the benchmark scripts (sourced by throughput.sh, hostile.sh, tls.sh, metrics.sh and compare.sh, not
# run): CPU use read from /proc, waiting for log lines, and starting and stopping one echo server. The sourcing script
# sets SCRIPT (its name, for messages) and WORK (its private temporary folder) first.

HZ=$(getconf CLK_TCK)
SERVER_PID=

# ---- CPU

# CPU ticks (user + system) of JVM $1, then of each of its event-loop threads: "ticks tid:ticks tid:ticks...".
# One cat and one awk per sample: this runs ten times a second next to the benchmark.
jvm_ticks() {
  # A thread may end between the listing and the reading
  { cat /proc/"$1"/stat /proc/"$1"/task/*/stat 2>/dev/null || true; } | awk '
    { tid = $1; loop = index($0, "(vert.x-eventloo") > 0; sub(/^.*\) /, ""); ticks = $12 + $13 }
    NR == 1 { printf "%s", ticks; next }
    loop { printf " %s:%s", tid, ticks }
    END { print "" }'
}

# CPU ticks of the whole JVM between two jvm_ticks samples.
jvm_ticks_between() {
  awk -v b="$1" -v a="$2" 'BEGIN { split(b, x, " "); split(a, y, " "); print y[1] - x[1] }'
}

# Microseconds of CPU per frame of the event-loop thread that worked most between two jvm_ticks samples, with $4
# decimals (2 unless given).
loop_micros_per_frame() {
  awk -v b="$1" -v a="$2" -v f="$3" -v hz="$HZ" -v d="${4:-2}" 'BEGIN {
    n = split(b, words, " "); for (i = 2; i <= n; i++) { split(words[i], kv, ":"); start[kv[1]] = kv[2] }
    n = split(a, words, " "); best = 0
    # A thread born after the first sample did all its work in between
    for (i = 2; i <= n; i++) { split(words[i], kv, ":"); if (kv[2] - start[kv[1]] > best) best = kv[2] - start[kv[1]] }
    if (f > 0 && n > 1) printf "%.*f", d, best / hz * 1e6 / f; else print "-" }'
}

# Busy and total jiffies of the whole machine (every core, every process, ours and the neighbours').
machine_ticks() {
  awk '/^cpu / { print $2 + $3 + $4 + $7 + $8 + $9, $2 + $3 + $4 + $5 + $6 + $7 + $8 + $9 }' /proc/stat
}

busy_percent() {
  awk -v b="$1" -v a="$2" 'BEGIN { split(b, x, " "); split(a, y, " "); printf "%.0f", 100 * (y[1] - x[1]) / (y[2] - x[2] + 1e-9) }'
}

# Percent of the machine (all cores) busy with something else than the server, the load generator and this script
# between two machine_ticks samples ($3: the ticks of ours): other processes, the hypervisor's steal, kernel work not
# charged to a process.
others_percent() {
  awk -v b="$1" -v a="$2" -v ours="$3" 'BEGIN { split(b, x, " "); split(a, y, " ")
    p = 100 * (y[1] - x[1] - ours) / (y[2] - x[2] + 1e-9); printf "%.0f", p < 0 ? 0 : p }'
}

# CPU ticks used so far by this shell's finished children and their descendants: the load generators, and the
# script's own helpers. `times` must run in this shell, not in a $(...) subshell: hence the file.
children_ticks() {
  times >"$WORK/times"
  awk -v hz="$HZ" 'NR == 2 { for (i = 1; i <= 2; i++) { split($i, p, /[ms]/); t += p[1] * 60 + p[2] }; printf "%.0f", t * hz }' \
    "$WORK/times"
}

# Starts a measuring window: where the server's log ends, and the CPU used so far by the server, by this script's
# children (load generators, helpers) and by the whole machine.
begin_window() {
  LOG_FROM=$(stat -c %s "$SERVER_LOG")
  SERVER_BEFORE=$(jvm_ticks "$SERVER_PID")
  children_ticks >"$WORK/children-before"
  MACHINE_BEFORE=$(machine_ticks)
}

# Ends it, once its load generators have exited and been waited for: sets SERVER_AFTER (a jvm_ticks sample),
# OTHERS_PCT (of the whole machine) and SERVER_PCT (the server's CPU, of one core as top shows it).
end_window() {
  local machine_after server_ticks ours
  machine_after=$(machine_ticks)
  SERVER_AFTER=$(jvm_ticks "$SERVER_PID")
  children_ticks >"$WORK/children-after"
  server_ticks=$(jvm_ticks_between "$SERVER_BEFORE" "$SERVER_AFTER")
  ours=$(($(cat "$WORK/children-after") - $(cat "$WORK/children-before")))
  OTHERS_PCT=$(others_percent "$MACHINE_BEFORE" "$machine_after" "$((server_ticks + ours))")
  SERVER_PCT=$(awk -v b="$MACHINE_BEFORE" -v a="$machine_after" -v t="$server_ticks" -v n="$(nproc)" \
    'BEGIN { split(b, x, " "); split(a, y, " "); printf "%.0f", 100 * t * n / (y[2] - x[2] + 1e-9) }')
}

# How busy the machine is over one second, before the benchmark starts; warns when other work would disturb it.
busy_before() {
  local before
  before=$(machine_ticks)
  sleep 1
  BUSY=$(busy_percent "$before" "$(machine_ticks)")
  if ((BUSY > 25)); then
    echo "$SCRIPT: warning: the machine was already ${BUSY}% busy before the benchmark; expect lower, noisier numbers" >&2
  fi
}

# ---- logs

# Waits (at most $3 tenths of a second) until file $1 has a line matching $2.
await_line() {
  local file=$1 pattern=$2 tenths=$3 i
  for ((i = 0; i < tenths; i++)); do
    if grep -aq -- "$pattern" "$file" 2>/dev/null; then return 0; fi
    sleep 0.1
  done
  return 1
}

# The mean of the rates on standard input (one per line) that are above 0, the first and last left out when there are
# 3 or more: the steady rate of a run's stats intervals, without the partial ones at its ends.
steady_mean() {
  awk '$1 > 0 { r[n++] = $1 } END {
    if (n == 0) { print 0; exit }
    lo = n >= 3 ? 1 : 0; hi = n >= 3 ? n - 2 : n - 1; s = 0
    for (i = lo; i <= hi; i++) s += r[i]
    printf "%.0f", s / (hi - lo + 1) }'
}

# The server's frames/s since byte $1 of its log: mean rate of the Stats intervals with traffic, first and last left out.
steady_rate() {
  tail -c +"$(($1 + 1))" "$SERVER_LOG" | { grep -a 'EchoServerVerticle - Stats:' || true; } \
    | sed -n 's/.*; in [0-9]* frames (\([0-9.]*\)\/s).*/\1/p' | steady_mean
}

# ---- the server

# Starts the server with java arguments "$@" (with -jar), its console going to file $1 as under a service manager;
# sets SERVER_PID, SERVER_LOG and PORT (from its "Echo server listening on HOST:PORT" line).
launch_server() {
  local log=$1
  shift
  launch_command "$log" java "$@"
}

# Starts any echo server that prints "Echo server listening on HOST:PORT ..." (compare.sh's plain Netty and C ones
# too): command "$@", its console going to file $1; sets SERVER_PID, SERVER_LOG and PORT as launch_server does.
launch_command() {
  SERVER_LOG=$1
  shift
  "$@" >"$SERVER_LOG" 2>&1 &
  SERVER_PID=$!
  # Up to the space after the port: a line may reach the file in pieces
  if ! await_line "$SERVER_LOG" 'Echo server listening on [^ ]*:[0-9]* ' 300; then
    echo "$SCRIPT: the server did not start; its log:" >&2
    cat "$SERVER_LOG" >&2
    exit 1
  fi
  PORT=$(sed -n 's/.*Echo server listening on [^ ]*:\([0-9]*\) .*/\1/p' "$SERVER_LOG" | head -1)
}

# Stops the server with SIGTERM, as a service manager would, and waits for it; SIGKILL after 30 s.
stop_server() {
  local i
  kill -TERM "$SERVER_PID" 2>/dev/null || true
  for ((i = 0; i < 300; i++)); do
    kill -0 "$SERVER_PID" 2>/dev/null || break
    sleep 0.1
  done
  if kill -0 "$SERVER_PID" 2>/dev/null; then
    echo "$SCRIPT: the server did not stop within 30 s; killing it" >&2
    kill -KILL "$SERVER_PID"
  fi
  wait "$SERVER_PID" 2>/dev/null || true
  SERVER_PID=
}

# For a script's exit trap: stops the processes it started (the ids "$@" and the server), then deletes WORK unless
# KEEP_LOGS=1.
clean_up() {
  local pid
  for pid in "$@"; do
    if [[ -n $pid ]] && kill -0 "$pid" 2>/dev/null; then kill -TERM "$pid" 2>/dev/null || true; fi
  done
  if [[ -n $SERVER_PID ]] && kill -0 "$SERVER_PID" 2>/dev/null; then kill -KILL "$SERVER_PID" 2>/dev/null || true; fi
  if [[ ${KEEP_LOGS:-0} == 1 ]]; then
    echo "logs kept in $WORK"
  else
    rm -rf "$WORK"
  fi
}

# awk functions for the scripts' tables, to put before an awk program: median(list) of a space-separated list of
# numbers; range(list, format) its "min – max", each printed with format (e.g. "%.0f").
AWK_STATS='
  function median(list,   v, n, i, j, t) {
    n = split(list, v, " ")
    for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (v[j] + 0 < v[i] + 0) { t = v[i]; v[i] = v[j]; v[j] = t }
    return n % 2 ? v[(n + 1) / 2] : (v[n / 2] + v[n / 2 + 1]) / 2
  }
  function range(list, format,   v, n, i, lo, hi) {
    n = split(list, v, " "); lo = v[1]; hi = v[1]
    for (i = 2; i <= n; i++) { if (v[i] + 0 < lo + 0) lo = v[i]; if (v[i] + 0 > hi + 0) hi = v[i] }
    return sprintf(format " – " format, lo, hi)
  }'
