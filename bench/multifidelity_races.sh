#!/usr/bin/env bash
# The multi-fidelity figures of docs/guide/multi-fidelity.md, rerunnable: on the shipped table with curves
# (nb201-fmnist-3op-curves.csv, the default of a tabular race with --fidelities), ladder 1,3,9, a budget of 100
# evaluations at the top rung (900 epochs), HEATS heats, --seed 0, with 1 and with 4 simulated workers. Each strategy
# races alone, so the workers are all its own; heats pair up by index across races (same seed, same heat seeds).
# Then bench/multifidelity_time_to_accuracy.py: the simulated time each multi-fidelity strategy takes to reach the
# final test accuracy of regularized evolution, local search and BANANAS (which train every trial to 9 epochs).
#
#   bench/multifidelity_races.sh [OUT_DIR]        (default runs/multifidelity; HEATS=20, WORKERS="1 4", LADDER=1,3,9, BUDGET=100;
#                                                  TABLE=PATH races on another table with curves)
#
# A few minutes on 2 cores, most of it BANANAS's and BOHB's models.
set -euo pipefail
cd "$(dirname "$0")/.."
OUT=${1:-runs/multifidelity}
HEATS=${HEATS:-20}
WORKERS=${WORKERS:-"1 4"}
LADDER=${LADDER:-1,3,9}
BUDGET=${BUDGET:-100}
TABLE_OPTION=()
[ -z "${TABLE:-}" ] || TABLE_OPTION=(--table "$TABLE")
REFERENCES=(regularized-evolution local-search bananas)
MULTI_FIDELITY=(successive-halving hyperband asha bohb dehb)
EARLY_STOP=(median curve) # regularized evolution with --early-stop RULE
mkdir -p "$OUT"
race() { # race NAME WORKERS [options...]
  local name=$1 workers=$2 journal="$OUT/w$2-$1.jsonl"
  shift 2
  rm -f "$journal"
  ./nas race --estimator tabular --fidelities "$LADDER" "${TABLE_OPTION[@]}" --budget "$BUDGET" --heats "$HEATS" --seed 0 --workers "$workers" \
    --journal "$journal" --league "$OUT/league.json" "$@" >"$OUT/w$workers-$name.txt" 2>"$OUT/w$workers-$name.err"
}
for w in $WORKERS; do
  echo "$w worker(s): ${#REFERENCES[@]} + ${#MULTI_FIDELITY[@]} + ${#EARLY_STOP[@]} races of $HEATS heats" >&2
  for s in "${REFERENCES[@]}" "${MULTI_FIDELITY[@]}"; do race "$s" "$w" --strategy "$s"; done
  for rule in "${EARLY_STOP[@]}"; do race "re-$rule" "$w" --strategy regularized-evolution --early-stop "$rule"; done
  journals=()
  for s in "${REFERENCES[@]}" "${MULTI_FIDELITY[@]}"; do journals+=("$OUT/w$w-$s.jsonl"); done
  for rule in "${EARLY_STOP[@]}"; do journals+=("regularized-evolution+$rule=$OUT/w$w-re-$rule.jsonl"); done
  refs=()
  for r in "${REFERENCES[@]}"; do refs+=(--reference "$r"); done
  /usr/bin/python3 bench/multifidelity_time_to_accuracy.py "${journals[@]}" "${refs[@]}" | tee "$OUT/w$w.md"
done
