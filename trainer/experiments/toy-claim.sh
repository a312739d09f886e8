#!/usr/bin/env bash
# The paper's toy claim (issue 4, acceptance 1): ImpFlow with L blocks vs ResFlow with 2L blocks (equal parameter
# count), same data, budget and seeds; exact NLL (nats) on 20,000 fresh samples, mean of 3 seeds.
# Usage: [L=1] [EPOCHS=40] [TOYS="..."] [SEEDS="1 2 3"] [JOBS=1] trainer/experiments/toy-claim.sh [WORK_DIR]
#   JOBS runs that many trainings at once (one torch thread each; use at most the number of idle cores).
# Prints one line per run: toy arch blocks seed test_nll training_seconds  (order follows completion when JOBS > 1)
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
WORK="${1:-${TMPDIR:-/tmp}/impflow-toy-claim}"
L="${L:-1}"
EPOCHS="${EPOCHS:-40}"
TOYS="${TOYS:-checkerboard 8gaussians 2spirals}"
SEEDS="${SEEDS:-1 2 3}"
JOBS="${JOBS:-1}"
IMPFLOW="${IMPFLOW:-$ROOT/impflow}"
mkdir -p "$WORK"
"$IMPFLOW" train --help >/dev/null  # builds once here when stale, not from concurrent runs

one_run() {
  local toy="$1" arch="$2" seed="$3" blocks=$L
  [[ $arch == resflow ]] && blocks=$((2 * L))
  local model="$WORK/$toy-$arch-$seed"
  rm -rf "$model"
  "$IMPFLOW" train --data "toy:$toy" --rows 20000 --seed "$seed" --out "$model" --arch "$arch" \
    --blocks "$blocks" --hidden 64 --layers 2 --activation sin --lipschitz 0.99 --epochs "$EPOCHS" \
    --patience "$EPOCHS" --batch-size 256 --device cpu 2>"$model.train.log" >/dev/null
  local nll secs
  nll=$("$IMPFLOW" evaluate --model "$model" --data "toy:$toy" --rows 20000 --seed $((1000 + seed)) --json \
    2>/dev/null | sed -E 's/.*"nll":([^,]*).*/\1/')
  secs=$(sed -nE 's/.*"training_seconds" *: *([0-9.]+).*/\1/p' "$model/manifest.json" | head -1)
  echo "$toy $arch $blocks $seed $nll $secs"
}
export -f one_run
export WORK L EPOCHS IMPFLOW

for toy in $TOYS; do for seed in $SEEDS; do for arch in impflow resflow; do echo "$toy $arch $seed"; done; done; done \
  | xargs -P "$JOBS" -L 1 bash -c 'one_run "$0" "$1" "$2"'
