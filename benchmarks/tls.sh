#!/usr/bin/env bash
# TLS against plain TCP: frames/s one echo server (echo-server.jar, one event loop, echo on, logging off) takes over
# 100-byte frames, plain, with TLS on the JDK's engine and with TLS on OpenSSL (tlsEngine jdk / openssl).
#
#   mvn -B -q package -DskipTests && benchmarks/tls.sh
#
# The load comes from benchmarks/TlsBlaster.java (Netty, one event loop, OpenSSL, TLS 1.3, 4 connections each keeping
# WINDOW frames in flight), the same program for plain and TLS runs, so that the ratio compares the server's work.
# The plain runs are also driven by the C blaster (benchmarks/blaster.c) as in throughput.sh. Frames/s come from the
# server's own Stats lines, as in throughput.sh. The server's certificate is made at run time with keytool (EC P-256,
# for 127.0.0.1) and deleted afterwards. Takes about 2 minutes with the defaults. Docs: docs/BENCHMARKS.md.
#
# Environment: RUNS (3), SECONDS_PER_RUN (5), CONNECTIONS (4), WINDOW (4000), CASES ("plain jdk openssl"), KEEP_LOGS=1.
set -euo pipefail
cd "$(dirname "$0")/.."

RUNS=${RUNS:-3}
SECONDS_PER_RUN=${SECONDS_PER_RUN:-5}
CONNECTIONS=${CONNECTIONS:-4}
WINDOW=${WINDOW:-4000}
CASES=${CASES:-plain jdk openssl}
STATS_INTERVAL_MS=500
SERVER_JAR=echo-server-verticle/target/echo-server.jar

if [[ ! -f $SERVER_JAR ]]; then
  echo "tls.sh: $SERVER_JAR is missing; build first: mvn -B -q package -DskipTests" >&2
  exit 2
fi
for tool in java keytool gcc; do
  command -v "$tool" >/dev/null || { echo "tls.sh: $tool is needed" >&2; exit 2; }
done

SCRIPT=tls.sh
WORK=$(mktemp -d "${TMPDIR:-/tmp}/echopair-tls.XXXXXX")
RESULTS=$WORK/results.tsv
# shellcheck source=benchmarks/lib.sh
source benchmarks/lib.sh
trap 'clean_up' EXIT
trap 'exit 143' TERM INT

gcc -O2 -Wall -o "$WORK/blaster" benchmarks/blaster.c
# The load generator, compiled once (java runs a single source file, compiling it each time)
mkdir -p "$WORK/classes"
javac -d "$WORK/classes" -cp "$SERVER_JAR" benchmarks/TlsBlaster.java
LOAD=(java -cp "$WORK/classes:$SERVER_JAR" TlsBlaster)

# A certificate for 127.0.0.1, as PEM files
keytool -genkeypair -alias server -keyalg EC -groupname secp256r1 -dname CN=echopair-bench -ext san=ip:127.0.0.1 \
  -validity 2 -keystore "$WORK/server.p12" -storetype PKCS12 -storepass benchmark >/dev/null 2>&1
"${LOAD[@]}" pem "$WORK/server.p12" benchmark "$WORK/server.crt" "$WORK/server.key"

# Starts the server for case $1 (plain, jdk, openssl)
start_server() {
  local name=$1 tls=()
  if [[ $name != plain ]]; then
    tls=(-Dechopair.tlsCertPath="$WORK/server.crt" -Dechopair.tlsKeyPath="$WORK/server.key" -Dechopair.tlsEngine="$name")
  fi
  launch_server "$WORK/server-$name.log" -Dechopair.host=127.0.0.1 -Dechopair.port=0 -Dechopair.logEvery=0 \
    -Dechopair.statsIntervalMs=$STATS_INTERVAL_MS "${tls[@]}" -jar "$SERVER_JAR"
  echo "== $(grep -a -m1 -o 'Echo server listening on.*' "$SERVER_LOG")"
}

# One measured run of load $2 (blaster, tlsblaster) on case $1; records case, load, run, frames/s, server CPU %
run_load() {
  local name=$1 load=$2 run=$3 out rate log_to i
  local args=(-p "$PORT" -c "$CONNECTIONS" -s "$SECONDS_PER_RUN")
  begin_window
  if [[ $load == blaster ]]; then
    out=$("$WORK/blaster" "${args[@]}")
  elif [[ $name == plain ]]; then
    out=$("${LOAD[@]}" "${args[@]}" -w "$WINDOW")
  else
    out=$("${LOAD[@]}" "${args[@]}" -w "$WINDOW" --ca "$WORK/server.crt" --engine openssl)
  fi
  end_window
  log_to=$(stat -c %s "$SERVER_LOG")
  for ((i = 0; i < 30; i++)); do
    if tail -c +"$((log_to + 1))" "$SERVER_LOG" | grep -aq 'EchoServerVerticle - Stats:'; then break; fi
    sleep 0.1
  done
  rate=$(steady_rate "$LOG_FROM")
  printf '   %-8s %-10s run %s: %8s frames/s, others %3s%% | %s\n' "$name" "$load" "$run" "$rate" "$OTHERS_PCT" "$out"
  printf '%s\t%s\t%s\t%s\n' "$name" "$load" "$run" "$rate" >>"$RESULTS"
}

measure() {
  local name=$1 run
  start_server "$name"
  # Warm the JIT up (TLS needs longer than plain TCP)
  "${LOAD[@]}" -p "$PORT" -c "$CONNECTIONS" -s 6 -w "$WINDOW" \
    $([[ $name == plain ]] || echo "--ca $WORK/server.crt --engine openssl") >/dev/null
  if [[ $name == plain ]]; then
    for ((run = 1; run <= RUNS; run++)); do run_load "$name" blaster "$run"; done
  fi
  for ((run = 1; run <= RUNS; run++)); do run_load "$name" tlsblaster "$run"; done
  stop_server
}

STARTED=$(date +%s)
busy_before
echo "echopair TLS: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //'), $(java -version 2>&1 | head -1)"
echo "RUNS=$RUNS SECONDS_PER_RUN=$SECONDS_PER_RUN CONNECTIONS=$CONNECTIONS WINDOW=$WINDOW; machine ${BUSY}% busy before"
: >"$RESULTS"
for name in $CASES; do measure "$name"; done
echo
echo "| server | load | frames/s (median) | min – max | vs plain, same load |"
echo "|---|---|---:|---:|---:|"
awk -F'\t' '
  function median(list,   v, n, i, j, t) {
    n = split(list, v, " ")
    for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (v[j] + 0 < v[i] + 0) { t = v[i]; v[i] = v[j]; v[j] = t }
    return n % 2 ? v[(n + 1) / 2] : (v[n / 2] + v[n / 2 + 1]) / 2
  }
  { key = $1 "\t" $2; if (!(key in rates)) order[n++] = key; rates[key] = rates[key] " " $4 }
  END {
    plain = ("plain\ttlsblaster" in rates) ? median(rates["plain\ttlsblaster"]) : 0
    for (i = 0; i < n; i++) {
      split(order[i], k, "\t"); m = median(rates[order[i]]); c = split(rates[order[i]], v, " ")
      lo = v[1]; hi = v[1]; for (j = 2; j <= c; j++) { if (v[j] + 0 < lo + 0) lo = v[j]; if (v[j] + 0 > hi + 0) hi = v[j] }
      name = k[1] == "plain" ? "plain TCP" : "TLS, " (k[1] == "jdk" ? "JDK engine" : "OpenSSL")
      load = k[2] == "blaster" ? "C blaster" : "TlsBlaster (Java, Netty)"
      ratio = k[2] == "blaster" || plain == 0 ? "–" : sprintf("%.2f×", m / plain)
      printf "| %s | %s | %.0f | %.0f – %.0f | %s |\n", name, load, m, lo, hi, ratio
    }
  }' "$RESULTS"
echo
echo "whole run: $(($(date +%s) - STARTED)) s; load average $(cut -d' ' -f1-3 /proc/loadavg)"
