#!/usr/bin/env bash
# JMH microbenchmarks of the per-frame work on the server's hot path: the decoder, the encoder, the duplicate ledger
# PrintableText and the log line's bytes, in ns per frame (benchmarks-jmh/, target/benchmarks.jar). Builds nothing:
#
#   mvn -B -q package -DskipTests && benchmarks/jmh.sh
#
# Arguments go to JMH after the defaults: a regular expression picks benchmarks (benchmarks/jmh.sh Decoder), -p sets a
# parameter (-p frames=tagged), -prof gc adds the bytes allocated per frame; -h lists JMH's options. The defaults take
# about 4 minutes for all fourteen cases; change them here, not with JMH's own -f, -wi, -w, -i or -r, which JMH
# accepts once.
# Docs: docs/BENCHMARKS.md#microbenchmarks-jmh.
#
# Environment: FORKS (1), WARMUP_ITERATIONS (3), WARMUP_SECONDS (2), ITERATIONS (5), SECONDS_PER_ITERATION (2).
set -euo pipefail
cd "$(dirname "$0")/.."

FORKS=${FORKS:-1}
WARMUP_ITERATIONS=${WARMUP_ITERATIONS:-3}
WARMUP_SECONDS=${WARMUP_SECONDS:-2}
ITERATIONS=${ITERATIONS:-5}
SECONDS_PER_ITERATION=${SECONDS_PER_ITERATION:-2}
JAR=benchmarks-jmh/target/benchmarks.jar

if [[ ! -f $JAR ]]; then
  echo "jmh.sh: $JAR is missing; build first: mvn -B -q package -DskipTests" >&2
  exit 2
fi

SCRIPT=jmh.sh
WORK=$(mktemp -d "${TMPDIR:-/tmp}/echopair-jmh.XXXXXX")
# shellcheck source=benchmarks/lib.sh
source benchmarks/lib.sh
trap 'clean_up' EXIT
trap 'exit 143' TERM INT

busy_before
echo "FORKS=$FORKS WARMUP_ITERATIONS=$WARMUP_ITERATIONS WARMUP_SECONDS=$WARMUP_SECONDS ITERATIONS=$ITERATIONS" \
  "SECONDS_PER_ITERATION=$SECONDS_PER_ITERATION; machine ${BUSY}% busy before"

children_ticks >"$WORK/children-before"
machine_before=$(machine_ticks)
java -jar "$JAR" -f "$FORKS" -wi "$WARMUP_ITERATIONS" -w "${WARMUP_SECONDS}s" -i "$ITERATIONS" \
  -r "${SECONDS_PER_ITERATION}s" "$@"
children_ticks >"$WORK/children-after"
# JMH and its forks are ours; the rest of the machine's CPU is noise
ours=$(($(cat "$WORK/children-after") - $(cat "$WORK/children-before")))
echo "CPU taken by others during the run: $(others_percent "$machine_before" "$(machine_ticks)" "$ours")% of the machine" \
  "($(nproc) cores); above a few percent, the figures were disturbed"
