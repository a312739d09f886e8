#!/usr/bin/env bash
# Soak of the compose deployment (docker/compose.yaml: Kafka, a JobManager, two TaskManagers, the real job jar):
#   1. saturation: produces a burst as fast as the producer goes and measures the job's scoring rate while the input
#      topic holds a backlog (unless --rate is given),
#   2. soak: produces at half that rate (or --rate) for --minutes, 1 % malformed records, while sampling every
#      --sample-every seconds: scoring throughput, consumer lag, heap of both TaskManagers (Flink REST), RSS of every
#      Java process of the TaskManager and Kafka containers (DJL's native memory included), checkpoint durations,
#   3. verify: every record of both phases scored or dead-lettered exactly once, every score equal to offline scoring
#      (relative 1e-12), i.e. records in = scores + dead letters,
#   4. a plot (gnuplot, PNG) and a table per 5 minutes of the samples; compose down -v.
# Output in target/docker-soak/: samples.tsv (one line per sample, columns named in its header), summary.md,
# soak.png, saturation.tsv, the verify and compose logs.
#
# Usage: docker/soak.sh [--minutes 30] [--rate N] [--burst 60000] [--sample-every 10]
#        docker/soak.sh --report-only --rate N --minutes M   (summary.md and soak.png again from samples.tsv)
# Environment: IMPFLOW_SOAK_SKIP_BUILD=1 (reuse impflow:latest), IMPFLOW_SOAK_KEEP=1 (leave the pipeline up),
#   IMPFLOW_SOAK_VERIFY_HEAP (verify's -Xmx, 10g: it holds every record of the soak).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
MINUTES=30
RATE=""
BURST=60000
SAMPLE_EVERY=10
EVERY=100
REPORT_ONLY=false
while [[ $# -gt 0 ]]; do
  case "$1" in
    --minutes) MINUTES="$2"; shift ;;
    --rate) RATE="$2"; shift ;;
    --burst) BURST="$2"; shift ;;
    --sample-every) SAMPLE_EVERY="$2"; shift ;;
    --report-only) REPORT_ONLY=true ;;
    -h|--help) sed -n '2,15p' "$0"; exit 0 ;;
    *) echo "soak.sh: unknown option '$1'; see docker/soak.sh --help" >&2; exit 2 ;;
  esac
  shift
done

export COMPOSE_PROJECT_NAME="impflow-soak-$$"
export IMPFLOW_WEB_PORT=""          # the web UI on a free loopback port, found after up
export IMPFLOW_ARCH="${IMPFLOW_ARCH:-impflow}"
LOGS="$ROOT/target/docker-soak"
SAMPLES="$LOGS/samples.tsv"
START=$(date +%s)
STEP_LABEL=soak
source "$ROOT/docker/lib/pipeline.sh"

command -v jq >/dev/null && command -v curl >/dev/null || fail "needs curl and jq (apt-get install -y curl jq)"
command -v gnuplot >/dev/null || fail "needs gnuplot for the plot (apt-get install -y gnuplot-nox)"
$REPORT_ONLY || docker info >/dev/null 2>&1 || fail "no Docker engine answers (docker info)"
mkdir -p "$LOGS"
# The report of a soak: per 5-minute window of samples.tsv a markdown table (throughput, lag, heap, RSS, checkpoints)
# in summary.md, and the plot soak.png.
report() {
  awk -F'\t' 'NR == 1 { next }
    { w = int($1 / 300); if (!(w in first)) { first[w] = $1; done0[w] = $2 + $3; cp0[w] = $11; order[++n] = w }
      last[w] = $1; done1[w] = $2 + $3; cp1[w] = $11
      if ($5 > lag[w]) lag[w] = $5; if ($6 > h1[w]) h1[w] = $6; if ($7 > h2[w]) h2[w] = $7
      if ($8 > r1[w]) r1[w] = $8; if ($9 > r2[w]) r2[w] = $9; if ($10 > rk[w]) rk[w] = $10
      cps[w] += $14; cpn[w]++; if ($14 > cpm[w]) cpm[w] = $14; failed = $12 }
    END {
      print "| minutes | records/s (scored + dead-lettered) | consumer lag, max | heap TM1 / TM2, max (MiB) | RSS TM1 / TM2, max (MiB) | Kafka RSS, max (MiB) | checkpoints completed | latest checkpoint, mean / max (ms) |"
      print "|---|---:|---:|---:|---:|---:|---:|---:|"
      for (i = 1; i <= n; i++) { w = order[i]; dt = last[w] - first[w]; rate = "-"
        if (dt > 0) rate = sprintf("%.0f", (done1[w] - done0[w]) / dt)
        printf "| %d-%d | %s | %d | %d / %d | %d / %d | %d | %d | %.0f / %d |\n", w * 5, w * 5 + 5, rate,
          lag[w], h1[w], h2[w], r1[w], r2[w], rk[w], cp1[w] - cp0[w], cps[w] / cpn[w], cpm[w] }
      printf "\nfailed checkpoints at the end: %d\n", failed }' "$SAMPLES" > "$LOGS/summary.md"
  sed 's/^/  /' "$LOGS/summary.md"
  gnuplot <<GNUPLOT
set terminal pngcairo size 1200,1000 font ",10"
set output "$LOGS/soak.png"
set datafile separator "\t"
set key top left
set xlabel "minutes since the soak began"
set multiplot layout 2,2 title "docker/soak.sh: $RATE records/s offered for $MINUTES min (shared 2-core machine)"
set title "throughput and consumer lag"
set ylabel "records/s"
set y2label "lag (records, Kafka's records-lag-max)"
set y2tics
pt = NaN; prev = NaN
plot "$SAMPLES" every ::1 using (\$1/60):(dt = \$1 - pt, pt = \$1, d = (\$2 + \$3 - prev) / dt, prev = \$2 + \$3, d) with lines title "scored + dead-lettered per s", \
     "" every ::2 using (\$1/60):5 axes x1y2 with lines title "consumer lag"
unset y2tics; unset y2label
set title "heap used (Flink REST)"
set ylabel "MiB"
plot "$SAMPLES" every ::1 using (\$1/60):6 with lines title "TaskManager 1", "" every ::1 using (\$1/60):7 with lines title "TaskManager 2"
set title "resident set of the Java processes (DJL native included)"
plot "$SAMPLES" every ::1 using (\$1/60):8 with lines title "TaskManager 1", "" every ::1 using (\$1/60):9 with lines title "TaskManager 2", "" every ::1 using (\$1/60):10 with lines title "Kafka"
set title "latest completed checkpoint"
set ylabel "end-to-end duration (ms)"
plot "$SAMPLES" every ::1 using (\$1/60):14 with points pt 7 ps 0.4 title "duration"
unset multiplot
GNUPLOT
  step "report $LOGS/summary.md, plot $LOGS/soak.png"
}

if $REPORT_ONLY; then
  [[ -n "$RATE" && -f "$SAMPLES" ]] || fail "--report-only needs --rate and $SAMPLES"
  report
  exit 0
fi
rm -f "$SAMPLES"

cleanup() {
  local status=$?
  teardown "$LOGS" "${IMPFLOW_SOAK_KEEP:-0}" IMPFLOW_SOAK_KEEP
  step "exit status $status; total $(( $(date +%s) - START )) s; output in $LOGS"
}

if [[ "${IMPFLOW_SOAK_SKIP_BUILD:-0}" != 1 ]]; then
  step "building the images offline (docker/build.sh --local-base)"
  "$ROOT/docker/build.sh" --local-base > "$LOGS/build.log" 2>&1 || { tail -30 "$LOGS/build.log"; fail "image build"; }
fi
trap cleanup EXIT
step "compose up (project $COMPOSE_PROJECT_NAME)"
"${COMPOSE[@]}" up -d 2>&1 | grep -v '^\s*$' | sed 's/^/  /'
wait_for_job
REST="http://$("${COMPOSE[@]}" port jobmanager 8081)"
step "Flink REST API at $REST"

JOB="$(curl -sf "$REST/jobs/overview" | jq -r '.jobs[] | select(.state == "RUNNING") | .jid' | head -1)"
vertex() { curl -sf "$REST/jobs/$JOB" | jq -r --arg n "$1" '.vertices[] | select(.name | startswith($n)) | .id'; }
SOURCE_VERTEX="$(vertex 'Source: input records')"
SCORING_VERTEX="$(vertex 'micro-batch scoring')"
DEAD_LETTER_VERTEX="$(vertex 'dead letters')"
# Sum of one metric over a vertex's subtasks.
vertex_sum() {
  curl -sf "$REST/jobs/$JOB/vertices/$1/subtasks/metrics?get=$2&agg=sum" | jq -r '(.[0].sum // "0") | tostring
    | if test("^-?[0-9.Ee+-]+$") then tonumber | floor else 0 end'
}
tm_heap_mb() {
  curl -sf "$REST/taskmanagers/$1/metrics?get=Status.JVM.Memory.Heap.Used" | jq -r '.[0].value | tonumber / 1048576 | floor'
}
# Resident set of a container's Java processes in MiB (host view: heap, metaspace, direct and DJL's native memory).
rss_mb() { docker top "$(container "$1")" -eo pid,rss,comm | awk '$3 == "java" { kb += $2 } END { printf "%d", kb / 1024 }'; }

# One line of samples.tsv: seconds since the soak began, cumulative records scored and dead-lettered, records read
# by the source, consumer lag, heap and RSS per TaskManager, Kafka's RSS, checkpoints completed and failed, the
# latest completed checkpoint's id and end-to-end duration (ms) and state size (bytes).
sample() {
  local tms cp
  mapfile -t tms < <(curl -sf "$REST/taskmanagers" | jq -r '.taskmanagers | sort_by(.id) | .[].id')
  cp="$(curl -sf "$REST/jobs/$JOB/checkpoints" | jq -r '[.counts.completed, .counts.failed,
    (.latest.completed.id // 0), (.latest.completed.end_to_end_duration // 0),
    (.latest.completed.state_size // 0)] | @tsv')"
  printf '%d\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$(( $(date +%s) - PHASE_START ))" \
    "$(vertex_sum "$SCORING_VERTEX" numRecordsIn)" "$(vertex_sum "$DEAD_LETTER_VERTEX" numRecordsIn)" \
    "$(vertex_sum "$SOURCE_VERTEX" Source__input_records.numRecordsOut)" \
    "$(vertex_sum "$SOURCE_VERTEX" Source__input_records.KafkaSourceReader.KafkaConsumer.records-lag-max)" \
    "$(tm_heap_mb "${tms[0]}")" "$(tm_heap_mb "${tms[1]}")" "$(rss_mb taskmanager-1)" "$(rss_mb taskmanager-2)" \
    "$(rss_mb kafka)" "$cp"
}
HEADER=$'t_s\tscored\tdead_lettered\tread\tlag\theap1_mb\theap2_mb\trss1_mb\trss2_mb\tkafka_rss_mb\tcp_completed\tcp_failed\tcp_id\tcp_ms\tcp_bytes'

PRODUCED=0
MALFORMED=0
produce() {  # produce RECORDS RATE SEED LOG: in the background, PRODUCER is its pid
  # a later phase numbers its records after the earlier ones', so every record's key stays unique for verify
  local first=()
  (( PRODUCED > 0 )) && first=(--first-index "$PRODUCED")
  tools produce --bootstrap-servers kafka:9092 --data /opt/impflow/datasets/shuttle.csv --records "$1" \
    --malformed-every "$EVERY" --rate "$2" --seed "$3" "${first[@]}" > "$4" 2>&1 &
  PRODUCER=$!
  PRODUCED=$(( PRODUCED + $1 ))
  MALFORMED=$(( MALFORMED + ($1 + EVERY / 2) / EVERY ))
}

if [[ -z "$RATE" ]]; then
  step "saturation: $BURST records as fast as the producer goes"
  PHASE_START=$(date +%s)
  echo "$HEADER" > "$LOGS/saturation.tsv"
  produce "$BURST" 0 11 "$LOGS/produce-burst.log"
  while true; do
    line="$(sample)"
    echo "$line" >> "$LOGS/saturation.tsv"
    (( $(cut -f2 <<<"$line") + $(cut -f3 <<<"$line") >= BURST )) && break
    (( $(date +%s) - PHASE_START < 1200 )) || fail "the burst was not processed within 20 min"
    sleep 5
  done
  wait "$PRODUCER"; PRODUCER=""
  # The scoring rate while a backlog was queued: records processed between the first sample with output and the
  # last sample before the backlog ran out.
  SATURATED="$(awk -F'\t' -v n="$BURST" 'NR > 1 && $2 + $3 > 0 && t0 == "" { t0 = $1; c0 = $2 + $3 }
    NR > 1 && $5 > 0 { t1 = $1; c1 = $2 + $3 } END { if (t1 > t0) printf "%.0f", (c1 - c0) / (t1 - t0) }' \
    "$LOGS/saturation.tsv")"
  [[ -n "$SATURATED" ]] || fail "could not measure the saturated rate (see $LOGS/saturation.tsv)"
  RATE=$(( SATURATED / 2 ))
  step "saturated scoring rate $SATURATED records/s; soaking at half: $RATE records/s"
fi

SOAK_RECORDS=$(( RATE * MINUTES * 60 ))
step "soak: $SOAK_RECORDS records at $RATE/s for $MINUTES min, sampling every $SAMPLE_EVERY s"
PHASE_START=$(date +%s)
echo "$HEADER" > "$SAMPLES"
produce "$SOAK_RECORDS" "$RATE" 13 "$LOGS/produce-soak.log"
while kill -0 "$PRODUCER" 2>/dev/null; do
  sample >> "$SAMPLES" || true
  sleep "$SAMPLE_EVERY"
done
wait "$PRODUCER" || { cat "$LOGS/produce-soak.log"; fail "the soak's producer failed"; }
PRODUCER=""
grep '^produce:' "$LOGS/produce-soak.log" | tail -1 | sed 's/^/  /'
for _ in 1 2 3 4 5 6; do sample >> "$SAMPLES" || true; sleep "$SAMPLE_EVERY"; done

step "verify: all $PRODUCED records ($MALFORMED malformed) of both phases against offline scoring"
set +e
TOOLS_ENV=(-e "IMPFLOW_JAVA_OPTS=-Xmx${IMPFLOW_SOAK_VERIFY_HEAP:-10g}")   # every record of the soak in memory
tools verify --bootstrap-servers kafka:9092 --model /models --records "$PRODUCED" --malformed "$MALFORMED" \
  --timeout 1200 2>&1 | grep -v ' WARN ' | tee "$LOGS/verify.log" | sed 's/^/  /'
status=${PIPESTATUS[0]}
set -e
curl -sf "$REST/jobs/$JOB/checkpoints" > "$LOGS/checkpoints.json" || true
curl -sf "$REST/jobs/$JOB" | jq -r '"job state \(.state)"' | sed 's/^/  /'

step "summary"
report
(( status == 0 )) || fail "verify"
step "PASSED"
