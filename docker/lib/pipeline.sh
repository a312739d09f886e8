# Sourced by docker/test.sh and docker/soak.sh: the Compose command, one-off tools containers, log steps and waiting
# for the scoring job. Expects ROOT (the checkout), START (epoch seconds) and STEP_LABEL set by the caller.

if docker compose version >/dev/null 2>&1; then COMPOSE=(docker compose); else COMPOSE=(docker-compose); fi
COMPOSE+=(-f "$ROOT/docker/compose.yaml")

step() { printf '[%s %s +%4ds] %s\n' "$STEP_LABEL" "$(date +%H:%M:%S)" "$(( $(date +%s) - START ))" "$*"; }
fail() { step "FAILED: $*"; exit 1; }
# Compose v1 announces every one-off container on stderr; the tools' own errors still show.
# TOOLS_ENV: extra "-e NAME=VALUE" arguments of the one-off container.
tools() { "${COMPOSE[@]}" run --rm -T "${TOOLS_ENV[@]}" tools "$@" 2> >(grep -v '^Creating .*_tools_run' >&2); }
TOOLS_ENV=()
container() { "${COMPOSE[@]}" ps -q "$1"; }

# Waits (up to 900 s) for model-init and the job submission to finish and the scoring job to be RUNNING.
wait_for_job() {
  local deadline=$(( $(date +%s) + 900 )) state
  while true; do
    state="$(docker inspect -f '{{.State.Status}} {{.State.ExitCode}}' "$(container submit)")"
    [[ "$state" == "exited 0" ]] && break
    [[ "$state" == exited* ]] && { "${COMPOSE[@]}" logs --no-color model-init submit | tail -30; fail "submit: $state"; }
    (( $(date +%s) < deadline )) || fail "the job was not submitted within 900 s"
    sleep 5
  done
  "${COMPOSE[@]}" logs --no-color model-init submit | grep -E 'written|publish:|serves' | tail -3 | sed 's/^/  /'
  until tools flink list -r 2>/dev/null | grep -q 'impflow anomaly detection.*(RUNNING)'; do
    (( $(date +%s) < deadline )) || fail "the job is not RUNNING"
    sleep 3
  done
  step "job RUNNING: $(tools flink list -r 2>/dev/null | grep 'impflow anomaly detection')"
}

# Ends a run (from an EXIT trap): stops the background producer (PRODUCER), saves the compose logs to LOGS_DIR and,
# unless KEEP is 1, removes the project's containers, network and volumes. Usage: teardown LOGS_DIR KEEP KEEP_VARIABLE
teardown() {
  [[ -n "${PRODUCER:-}" ]] && kill "$PRODUCER" 2>/dev/null || true
  if [[ -n "$(docker ps -aq --filter "label=com.docker.compose.project=$COMPOSE_PROJECT_NAME")" ]]; then
    "${COMPOSE[@]}" logs --no-color > "$1/compose.log" 2>&1 || true
  fi
  if [[ "$2" == 1 ]]; then
    step "left running ($3=1): ${COMPOSE[*]} -p $COMPOSE_PROJECT_NAME down -v"
  else
    "${COMPOSE[@]}" --profile tools down -v --remove-orphans >/dev/null 2>&1 || true
    step "compose down -v: removed the containers, network and volumes of $COMPOSE_PROJECT_NAME"
  fi
}
