#!/usr/bin/env bash
# Regenerates docs/benchmarks.md: builds what the benchmarks need through the Maven wrapper, runs the
# detection-quality suite (ImpFlow, ResFlow and peers on the bundled ODDS datasets, both protocols, seeds 1-3) as four
# processes on disjoint (dataset, protocol) shards, then merges their results, measures the one-core float64 peak and
# rewrites the generated regions of docs/benchmarks.md, leaving the hand-written text alone.
#
# Then the end-to-end load benchmark: the streaming job on an embedded MiniCluster against a real broker process.
#
# Usage: bench/run-benchmarks.sh [options for the quality-suite processes]
#   a quick look:  DOC=/tmp/benchmarks.md E2E_RECORDS=2000 bench/run-benchmarks.sh --seeds 1 --datasets pima,breastw
# Environment: DOC the document to update (default docs/benchmarks.md); MVNW_ARGS extra Maven arguments (e.g. -o
#   for offline); JAVA_OPTS extra JVM options; SHARDS what each suite process runs, ';'-separated: datasets, and after
#   a ':' protocols (default "shuttle;satellite,pima,breastw": two processes for two cores, so that each flow
#   training gets a core to itself within train's 120 s time budget; shuttle's 12 trainings use that budget in full,
#   the other three sets together take about as long; a --protocols option given to this script applies to every
#   process, so pass SHARDS without protocols with it, e.g. SHARDS=satellite);
#   E2E_RECORDS measured records of the load benchmark (default 20000, 0 skips it);
#   SUITE_MINUTES no suite case starts after this many minutes (default 45; on a busy machine later seeds are then
#   left out and the doc says so);
#   SKIP_BUILD=1 reuses the last build;
#   JMH=1 also runs the JMH scoring benchmark (io.impflow.bench.scoring, see bench/README.md) into the "jmh" region
#   (outside the time budget).
# Budget: 26 minutes measured on a 2-core machine with the defaults (the flows train with train's own defaults, up to
#   120 s each; see docs/benchmarks.md).
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
started=$(date +%s)
revision="$(git rev-parse --short HEAD 2>/dev/null || echo unknown)"
git diff --quiet HEAD 2>/dev/null || revision="$revision with uncommitted changes in the working tree"

if [ "${SKIP_BUILD:-0}" != 1 ] || [ ! -f bench/target/run-classpath.txt ]; then
  echo "== building model, trainer, flink-job and bench (tests skipped) =="
  # shellcheck disable=SC2086
  ./mvnw -B -q ${MVNW_ARGS:-} -pl bench -am install -DskipTests
  # shellcheck disable=SC2086
  ./mvnw -B -q ${MVNW_ARGS:-} -pl bench dependency:build-classpath -Dmdep.outputFile=target/run-classpath.txt \
    -Dmdep.includeScope=runtime
fi
classpath="bench/target/classes:$(cat bench/target/run-classpath.txt)"

# Native PyTorch on one thread, offline, no usage tracking: the settings every measurement in the doc assumes.
export OMP_NUM_THREADS=1 OPT_OUT_TRACKING=true
jvm=(-Xmx2g -Dai.djl.offline=true -Dai.djl.pytorch.num_threads=1 -Dai.djl.pytorch.num_interop_threads=1)
suite() {
  # shellcheck disable=SC2086
  java "${jvm[@]}" ${JAVA_OPTS:-} -cp "$classpath" io.impflow.bench.quality.QualitySuite "$@"
}

echo "== detection-quality suite =="
IFS=';' read -r -a shards <<< "${SHARDS:-shuttle;satellite,pima,breastw}"
pids=()
results=()
for i in "${!shards[@]}"; do
  out="bench/target/quality-runs-$i.csv"
  rm -f "$out"
  results+=("$out")
  shard=(--datasets "${shards[$i]%%:*}")
  [[ "${shards[$i]}" != *:* ]] || shard+=(--protocols "${shards[$i]#*:}")
  suite run "${shard[@]}" --results "$out" --stop-after-minutes "${SUITE_MINUTES:-45}" "$@" \
    > "bench/target/quality-run-$i.log" 2>&1 &
  pids+=($!)
  echo "   process $i: ${shards[$i]} (log bench/target/quality-run-$i.log)"
done
failed=0
for i in "${!pids[@]}"; do
  if ! wait "${pids[$i]}"; then
    echo "quality suite process $i (${shards[$i]}) failed; its log:" >&2
    tail -n 40 "bench/target/quality-run-$i.log" >&2
    failed=1
  fi
done
[ "$failed" -eq 0 ] || exit 1

doc="${DOC:-docs/benchmarks.md}"
if [ "${E2E_RECORDS:-20000}" -gt 0 ]; then
  echo "== end-to-end load: ${E2E_RECORDS:-20000} records through the job (log bench/target/e2e.log) =="
  # shellcheck disable=SC2086
  if ! java "${jvm[@]}" ${JAVA_OPTS:-} -cp "$classpath" io.impflow.bench.e2e.EndToEndLoad \
      --records "${E2E_RECORDS:-20000}" --doc "$doc" > bench/target/e2e.log 2>&1; then
    echo "end-to-end load failed; its log:" >&2
    grep -v '^\[W' bench/target/e2e.log | tail -n 40 >&2
    exit 1
  fi
fi

if [ "${JMH:-0}" = 1 ]; then
  echo "== JMH scoring benchmark (log bench/target/jmh.log) =="
  # shellcheck disable=SC2086
  java "${jvm[@]}" ${JAVA_OPTS:-} -cp "$classpath" io.impflow.bench.scoring.ScoringBenchmarkMain > bench/target/jmh.log 2>&1
  grep -E '^\||^One-core' bench/target/jmh.log > bench/target/jmh.md
  java -cp "$classpath" io.impflow.bench.quality.GeneratedSections "$doc" jmh bench/target/jmh.md
fi

echo "== merging results, measuring the float64 peak, writing the report =="
suite report --results "$(IFS=,; echo "${results[*]}")" --started "$started" --revision "$revision" --doc "$doc" "$@"

echo "== done in $(( ($(date +%s) - started) / 60 )) min $(( ($(date +%s) - started) % 60 )) s =="
