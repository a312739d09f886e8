#!/usr/bin/env bash
# Acceptance test of the compose deployment, with a real Docker engine and nothing pulled from a registry:
# builds the base and project images offline, brings the pipeline up (docker/compose.yaml), produces 20,000 records
# of which 200 are malformed, kills a TaskManager container with SIGKILL mid-stream and starts it again, restarts
# the Kafka container mid-stream, then checks (read_committed) that every record was scored or dead-lettered
# exactly once and that every score equals offline scoring of the same row, by the stored model version the score
# names, within 1e-12 relative to max(1, |log p|); one row in 50 is moved far into the tail (|log p| in the
# thousands), so that bound is exercised where an absolute one would be below an ulp; compose down -v at the end.
#
# Usage: docker/test.sh             (not part of ./mvnw verify)
# Environment: IMPFLOW_TEST_SKIP_BUILD=1 (reuse impflow:latest), IMPFLOW_TEST_RECORDS (20000),
#   IMPFLOW_TEST_RATE (records/s, 250), IMPFLOW_TEST_TOLERANCE (1e-12, relative), IMPFLOW_ARCH (the first model's
#   architecture: impflow, as in compose, or resflow), IMPFLOW_TEST_KEEP=1 (leave the pipeline up).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
RECORDS="${IMPFLOW_TEST_RECORDS:-20000}"
EVERY=100
TAIL_EVERY=50                       # 2 % of the rows moved far into the tail (|log p| in the thousands) on purpose
MALFORMED=$(( (RECORDS + EVERY / 2) / EVERY ))
RATE="${IMPFLOW_TEST_RATE:-250}"
TOLERANCE="${IMPFLOW_TEST_TOLERANCE:-1e-12}"
export IMPFLOW_ARCH="${IMPFLOW_ARCH:-impflow}"
export COMPOSE_PROJECT_NAME="impflow-test-$$"
export IMPFLOW_WEB_PORT=""          # the web UI on a free loopback port
LOGS="$ROOT/target/docker-test"
START=$(date +%s)

STEP_LABEL=test
source "$ROOT/docker/lib/pipeline.sh"
producer_running() { [[ -n "${PRODUCER:-}" ]] && kill -0 "$PRODUCER" 2>/dev/null; }

cleanup() {
  local status=$?
  producer_running || PRODUCER=""
  teardown "$LOGS" "${IMPFLOW_TEST_KEEP:-0}" IMPFLOW_TEST_KEEP
  step "logs in $LOGS; exit status $status; total $(( $(date +%s) - START )) s"
}

mkdir -p "$LOGS"
command -v docker >/dev/null && docker info >/dev/null 2>&1 || fail "no Docker engine answers (docker info)"

if [[ "${IMPFLOW_TEST_SKIP_BUILD:-0}" != 1 ]]; then
  step "building the base and project images offline (docker/build.sh --local-base)"
  "$ROOT/docker/build.sh" --local-base > "$LOGS/build.log" 2>&1 || { tail -30 "$LOGS/build.log"; fail "image build"; }
  grep '^\[build' "$LOGS/build.log"
fi
trap cleanup EXIT

step "compose up (project $COMPOSE_PROJECT_NAME, model architecture $IMPFLOW_ARCH)"
"${COMPOSE[@]}" up -d 2>&1 | grep -v '^\s*$' | sed 's/^/  /'

step "waiting for model-init (the store's first model) and the job submission"
wait_for_job

step "producing $RECORDS records ($MALFORMED malformed, one in $TAIL_EVERY moved far into the tail) at $RATE/s"
tools produce --bootstrap-servers kafka:9092 --data /opt/impflow/datasets/shuttle.csv --records "$RECORDS" \
  --malformed-every "$EVERY" --tail-every "$TAIL_EVERY" --rate "$RATE" --seed 7 > "$LOGS/produce.log" 2>&1 &
PRODUCER=$!

tools await --bootstrap-servers kafka:9092 --topic scores --records 2000 --timeout 300 | sed 's/^/  /'
victim="$(container taskmanager-1)"
step "docker kill taskmanager-1 (SIGKILL, producer still writing: $(producer_running && echo yes || echo no))"
docker kill "$victim" >/dev/null
docker wait "$victim" >/dev/null || true
step "  taskmanager-1 exit code $(docker inspect -f '{{.State.ExitCode}}' "$victim"); starting it again in 5 s"
sleep 5
docker start "$victim" >/dev/null
step "taskmanager-1 started again"

tools await --bootstrap-servers kafka:9092 --topic scores --records 8000 --timeout 600 | sed 's/^/  /'
step "restarting the Kafka container (producer still writing: $(producer_running && echo yes || echo no))"
"${COMPOSE[@]}" restart kafka 2>&1 | grep -v '^\s*$' | sed 's/^/  /'
step "kafka restarted"

wait "$PRODUCER" || { cat "$LOGS/produce.log"; fail "the producer failed"; }
PRODUCER=""
grep '^produce:' "$LOGS/produce.log" | tail -1 | sed 's/^/  /'

step "verifying every record (read_committed) against offline scoring, tolerance $TOLERANCE relative to max(1, |log p|)"
set +e
tools verify --bootstrap-servers kafka:9092 --model /models --records "$RECORDS" --malformed "$MALFORMED" \
  --tolerance "$TOLERANCE" --timeout 600 2>&1 | grep -v ' WARN ' | tee "$LOGS/verify.log" | sed 's/^/  /'
status=${PIPESTATUS[0]}
set -e

step "the retrain service (--on-drift) meanwhile:"
decisions="$("${COMPOSE[@]}" logs --no-color retrain | grep -E 'retrain:|drift|published|refused|failed' | tail -6 \
  | cut -c1-240 || true)"
echo "${decisions:-no decision: no drift of the serving version was flagged}" | sed 's/^/  /'

step "the first committed alert and dead letter, as a consumer sees them (read):"
tools read --bootstrap-servers kafka:9092 --topic alerts --limit 1 | cut -c1-200 | sed 's/^/  /'
tools read --bootstrap-servers kafka:9092 --topic dead-letters --limit 1 | cut -c1-200 | sed 's/^/  /'

jm_log="$LOGS/jobmanager.log"
"${COMPOSE[@]}" logs --no-color jobmanager > "$jm_log" 2>&1
restarts=$(grep -c 'switched from state RUNNING to RESTARTING' "$jm_log" || true)
restores=$(grep -cE 'Restoring job [0-9a-f]+ from Checkpoint' "$jm_log" || true)
step "job restarts: $restarts, restores from a checkpoint: $restores"
(( status == 0 )) || fail "verify"
(( restores >= 1 )) || fail "the job never restored from a checkpoint: the faults did not hit it mid-stream"
step "PASSED"
