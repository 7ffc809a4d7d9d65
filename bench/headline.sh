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
# kill and it goes on from the last whole epoch. About 13 h on an idle 2-core machine (330-380 s an epoch for the NB201
# networks); run it at low priority beside other work with `nice -n 19 bench/headline.sh`.
# Seeds are interleaved (seed 0 of all four networks, then seed 1 of all four, ...) so that a partial run already
# compares every network. Each finished seed (train.json, result.json, curve.json, the parameter count) and the race
# journal are copied to $HEADLINE_KEEP (default bench/headline/results, in the repository) and restored from there
# into a new $HEADLINE_DIR, so the experiment adds up over machines that do not keep runs/ (commit that folder);
# `bench/headline.sh --keep` also copies an unfinished seed's last checkpoint there, to run before a machine goes.
# Usage: bench/headline.sh [SEEDS] [EPOCHS]     (defaults 3 and 10, nas train's)
#        bench/headline.sh --keep
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
seeds=${1:-3}
epochs=${2:-10}
out=${HEADLINE_DIR:-runs/headline}
keep=${HEADLINE_KEEP:-bench/headline/results}
mkdir -p "$out"
# Keeps what a later machine needs to skip finished seeds (nas train keeps a seed whose result.json exists) and to
# resume an unfinished one (its last checkpoint, about 3 MB, and curve), and what summary.py reads; the exported
# models (megabytes each) stay in $out. A seed's checkpoint is dropped from $keep once the seed has finished.
save() {
  [ "$epochs" = 10 ] || return 0 # only the full experiment is kept
  [ -f "$out/$1/train.json" ] || return 0
  mkdir -p "$keep/$1"
  cp "$out/$1/train.json" "$keep/$1/"
  for d in "$out/$1"/seed-*; do
    [ -d "$d" ] || continue
    k="$keep/$1/$(basename "$d")"
    if [ -f "$d/result.json" ]; then
      mkdir -p "$k" && cp "$d/result.json" "$d/curve.json" "$k/" && rm -f "$k/checkpoint.bin"
      [ -f "$d/model.pt" ] && /usr/bin/python3 bench/headline/summary.py --parameters "$d/model.pt" >"$keep/$1/parameters.txt"
    elif [ -f "$d/checkpoint.bin" ]; then
      mkdir -p "$k" && cp "$d/checkpoint.bin" "$d/curve.json" "$k/"
    fi
  done
  return 0
}

# `bench/headline.sh --keep`: copy what is done so far to $HEADLINE_KEEP (pause a running experiment first), then stop.
if [ "${1:-}" = "--keep" ]; then
  epochs=10
  for name in winner table-best all-3x3 plain-cnn; do save "$name"; done
  exit 0
fi

# Work from earlier machines (finished seeds, the last checkpoint of an unfinished one): copied in, never over what
# is here.
if [ -d "$keep" ] && [ "$epochs" = 10 ]; then cp -rn "$keep/." "$out/"; fi

# 1. The default race; a killed one is resumed from its journal.
race="$out/race.jsonl"
if [ ! -f "$out/race.done" ]; then
  if [ -f "$race" ]; then ./nas race --resume "$race" >"$out/race.txt"; else ./nas race --journal "$race" >"$out/race.txt"; fi
  touch "$out/race.done"
fi
if [ "$epochs" = 10 ]; then mkdir -p "$keep" && cp "$out/race.jsonl" "$out/race.done" "$keep/"; fi

# 2. The best cell of the shipped table by validation accuracy (the first of equal ones, as a race keeps them).
best=$(/usr/bin/python3 - <<'PY'
import csv
rows = [r for r in csv.DictReader(open("src/Nas.Sandbox.Core/Tables/nb201-fmnist-3op.csv")) if r["status"] == "ok"]
print(max(rows, key=lambda r: float(r["validation_accuracy"]))["arch"])
PY
)

all3x3='|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|nor_conv_3x3~0|nor_conv_3x3~1|nor_conv_3x3~2|'
for n in $(seq 1 "$seeds"); do
  common=(--seeds "$n" --epochs "$epochs")
  ./nas train --from "$race" "${common[@]}" --output "$out/winner"
  save winner
  ./nas train "$best" "${common[@]}" --output "$out/table-best"
  save table-best
  ./nas train "$all3x3" "${common[@]}" --output "$out/all-3x3"
  save all-3x3
  ./nas train 3x4-3x4-3x4 --space plain-cnn --scripts bench/headline "${common[@]}" --output "$out/plain-cnn"
  save plain-cnn
done

/usr/bin/python3 bench/headline/summary.py "$out" winner table-best all-3x3 plain-cnn | tee "$out/summary.md"
