#!/usr/bin/env bash
# The headline experiment (issue 20, docs/guide/training.md#the-headline-experiment): four networks trained at full
# fidelity with `nas train`'s defaults (NB201's C=16, N=5 skeleton; 10 epochs; 3 seeds; the official test set):
#   winner     the winner of the README's default race (`./nas race`, its journal kept in the output folder)
#   table-best the best cell of the shipped table (src/Nas.Sandbox.Core/Tables/nb201-fmnist-3op.csv) by validation
#              accuracy: what a search of that table would pick; its test column is never looked at
#   all-3x3    the hand-designed NB201 cell with nor_conv_3x3 on all six edges (1,531,258 parameters)
#   plain-cnn  a VGG-style plain CNN of about the same size, 3x4-3x4-3x4 (bench/headline/plain-cnn.csx, 1,518,778)
# then prints one table (mean ± std of test accuracy over seeds, parameters, hours of training).
# Resumable: every step keeps its output in $HEADLINE_DIR (default runs/headline); run the same command again after a
# kill and it goes on from the last whole epoch. About 13 h on an idle 2-core machine (380 s an epoch for the NB201
# networks); run it at low priority beside other work with `nice -n 19 bench/headline.sh`.
# Usage: bench/headline.sh [SEEDS] [EPOCHS]     (defaults 3 and 10, nas train's)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
seeds=${1:-3}
epochs=${2:-10}
out=${HEADLINE_DIR:-runs/headline}
mkdir -p "$out"

# 1. The default race; a killed one is resumed from its journal.
race="$out/race.jsonl"
if [ ! -f "$out/race.done" ]; then
  if [ -f "$race" ]; then ./nas race --resume "$race" >"$out/race.txt"; else ./nas race --journal "$race" >"$out/race.txt"; fi
  touch "$out/race.done"
fi

# 2. The best cell of the shipped table by validation accuracy (the first of equal ones, as a race keeps them).
best=$(/usr/bin/python3 - <<'PY'
import csv
rows = [r for r in csv.DictReader(open("src/Nas.Sandbox.Core/Tables/nb201-fmnist-3op.csv")) if r["status"] == "ok"]
print(max(rows, key=lambda r: float(r["validation_accuracy"]))["arch"])
PY
)

all3x3='|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|nor_conv_3x3~0|nor_conv_3x3~1|nor_conv_3x3~2|'
common=(--seeds "$seeds" --epochs "$epochs")
./nas train --from "$race" "${common[@]}" --output "$out/winner"
./nas train "$best" "${common[@]}" --output "$out/table-best"
./nas train "$all3x3" "${common[@]}" --output "$out/all-3x3"
./nas train 3x4-3x4-3x4 --space plain-cnn --scripts bench/headline "${common[@]}" --output "$out/plain-cnn"

/usr/bin/python3 bench/headline/summary.py "$out" winner table-best all-3x3 plain-cnn | tee "$out/summary.md"
