#!/usr/bin/env bash
# AUROC of -log p on the ODDS CSVs under both protocols (ARCHITECTURE §7), one seed.
# Usage: trainer/experiments/odds.sh [WORK_DIR]; DATASETS, PROTOCOLS, SEED and FLAGS (extra train flags) from env.
# Prints one line per run: dataset protocol auroc auprc nll_normal training_seconds steps
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
WORK="${1:-${TMPDIR:-/tmp}/impflow-odds}"
DATASETS="${DATASETS:-pima breastw satellite}"
PROTOCOLS="${PROTOCOLS:-clean contaminated}"
SEED="${SEED:-1}"
FLAGS="${FLAGS:-}"
IMPFLOW="${IMPFLOW:-$ROOT/impflow}"
mkdir -p "$WORK"
for dataset in $DATASETS; do
  for protocol in $PROTOCOLS; do
    model="$WORK/$dataset-$protocol-$SEED"
    rm -rf "$model"
    # shellcheck disable=SC2086
    "$IMPFLOW" train --data "$ROOT/datasets/$dataset.csv" --split "$protocol" --split-seed "$SEED" --seed "$SEED" \
      --out "$model" --device cpu $FLAGS 2>"$model.train.log" >/dev/null
    json=$("$IMPFLOW" evaluate --model "$model" --data "$ROOT/datasets/$dataset.csv" --split "$protocol" \
      --split-seed "$SEED" --json 2>/dev/null)
    field() { echo "$json" | sed -nE "s/.*\"$1\":([^,}]*).*/\1/p"; }
    secs=$(sed -nE 's/.*"training_seconds" *: *([0-9.]+).*/\1/p' "$model/manifest.json" | head -1)
    steps=$(sed -nE 's/.*"steps" *: *([0-9]+).*/\1/p' "$model/manifest.json" | head -1)
    echo "$dataset $protocol $(field auroc) $(field auprc) $(field nll_normal) $secs $steps"
  done
done
