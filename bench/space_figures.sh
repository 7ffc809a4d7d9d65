#!/usr/bin/env bash
# The figures of docs/guide/spaces.md ("Figures on the other spaces"), rerunnable: for each space of SPACES,
#   1. a tabulated sample with `nas tabulate --space S --sample SAMPLE` (resumable: rerun to continue);
#   2. `nas estimators report` on that table: how well the zero-cost proxies (and low-fidelity training, when
#      ESTIMATORS names train) rank the sample against the table's test accuracy;
#   3. a race of the built-in single-fidelity strategies on the space with the training estimator.
#
#   bench/space_figures.sh [OUT_DIR]    (default runs/spaces; SPACES="nats-size macro", SAMPLE=300, TRAIN_IMAGES=1000,
#                                        VALIDATION_IMAGES=500, TEST_IMAGES=1000, ESTIMATORS=grad-norm,snip,synflow,naswot,
#                                        BATCH_SIZE=64, REPORT_SAMPLE=SAMPLE, RACE_BUDGET=10, RACE_HEATS=2, RACE_WORKERS=2,
#                                        RACE_THREADS=1, STEPS="tabulate report race")
#
# Cost: tabulating is most of it, 15-19 s per architecture on one thread at the default fidelity (a nats-size network
# 64 channels wide at 28x28 is costly; macro wants BATCH_SIZE=16 to learn in one epoch). The guide gives measured times.
set -euo pipefail
cd "$(dirname "$0")/.."
OUT=${1:-runs/spaces}
SPACES=${SPACES:-"nats-size macro"}
SAMPLE=${SAMPLE:-300}
TRAIN_IMAGES=${TRAIN_IMAGES:-1000}
VALIDATION_IMAGES=${VALIDATION_IMAGES:-500}
BATCH_SIZE=${BATCH_SIZE:-64}
TEST_IMAGES=${TEST_IMAGES:-1000}
ESTIMATORS=${ESTIMATORS:-grad-norm,snip,synflow,naswot}
REPORT_SAMPLE=${REPORT_SAMPLE:-$SAMPLE}
RACE_BUDGET=${RACE_BUDGET:-10}
RACE_HEATS=${RACE_HEATS:-2}
RACE_WORKERS=${RACE_WORKERS:-2}
RACE_THREADS=${RACE_THREADS:-1}
STEPS=${STEPS:-"tabulate report race"}
# DARTS and GDAS need NB201's supernet; the multi-fidelity strategies race with --fidelities (docs/guide/multi-fidelity.md).
STRATEGIES=(random-search regularized-evolution local-search predictor-local-search bananas reinforce)
FIDELITY=(--epochs 1 --train-images "$TRAIN_IMAGES" --validation-images "$VALIDATION_IMAGES" --batch-size "$BATCH_SIZE")
mkdir -p "$OUT"
for space in $SPACES; do
  table="$OUT/$space-$SAMPLE.csv"
  if [[ " $STEPS " == *" tabulate "* ]]; then
    echo "== $space: tabulate $SAMPLE architectures -> $table" >&2
    ./nas tabulate --space "$space" --sample "$SAMPLE" --seed 0 "${FIDELITY[@]}" --test-images "$TEST_IMAGES" \
      --output "$table" 2>"$OUT/$space-tabulate.err"
  fi
  if [[ " $STEPS " == *" report "* ]]; then
    echo "== $space: estimators report" >&2
    ./nas estimators report --space "$space" --table "$table" --estimators "$ESTIMATORS" --sample "$REPORT_SAMPLE" \
      --seed 0 "${FIDELITY[@]}" --output "$OUT/$space-estimators.csv" 2>"$OUT/$space-estimators.err" |
      tee "$OUT/$space-estimators.txt"
  fi
  if [[ " $STEPS " == *" race "* ]]; then
    echo "== $space: race of ${STRATEGIES[*]}" >&2
    journal="$OUT/$space-race.jsonl"
    rm -f "$journal"
    strategy_options=()
    for s in "${STRATEGIES[@]}"; do strategy_options+=(--strategy "$s"); done
    ./nas race --space "$space" "${strategy_options[@]}" "${FIDELITY[@]}" --budget "$RACE_BUDGET" --heats "$RACE_HEATS" \
      --workers "$RACE_WORKERS" --worker-threads "$RACE_THREADS" --seed 0 --journal "$journal" --league "$OUT/league.json" \
      >"$OUT/$space-race.txt" 2>"$OUT/$space-race.err"
    sed -n '/^rank/,/^winner/p' "$OUT/$space-race.txt"
  fi
done
