#!/usr/bin/env python3
"""Give a table with curves the seconds of a quiet one-epoch timing pass (how the shipped curves table was made).

The accuracies of `nas tabulate --curve` do not depend on the machine's load, its seconds do: the 9-epoch pass ran
for days beside builds and tests, and some of its rows took five times as long as on a quiet machine. A second pass,
`nas tabulate --epochs 1` of the same cells pinned to one quiet core, measures each cell's seconds for one epoch
(build, one epoch of training, one validation). Every epoch trains and validates the same number of images, so the
seconds after epoch e are e times that; the first epoch's one-off cost is small (on the quiet rows of the 9-epoch pass
the first epoch took 1.00-1.06 times a later one), and is stated in the table's README.

    /usr/bin/python3 bench/tables/apply_epoch_seconds.py CURVES.csv TIMING.csv OUT.csv

Every arch of CURVES must be in TIMING with status ok; the result keeps CURVES' rows and columns in order and replaces
train_seconds, train_seconds_seed0 and train_seconds_curve.
"""
import csv
import sys


def main():
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    curves_path, timing_path, out_path = sys.argv[1:]
    with open(timing_path, newline="") as f:
        timing = {row["arch"]: row for row in csv.DictReader(f)}
    with open(curves_path, newline="") as f:
        reader = csv.DictReader(f)
        fields, rows = reader.fieldnames, list(reader)
    for number, row in enumerate(rows, 2):
        timed = timing.get(row["arch"])
        if timed is None or timed["status"] != "ok":
            sys.exit(f"error: {curves_path}:{number}: {row['arch']} has no ok row in {timing_path}")
        epoch = float(timed["train_seconds"])
        epochs = len(row["train_seconds_curve"].split(";"))
        curve = [round(epoch * e, 3) for e in range(1, epochs + 1)]
        row["train_seconds_curve"] = ";".join(f"{s:g}" for s in curve)
        row["train_seconds"] = f"{curve[-1]:g}"
        if "train_seconds_seed0" in row:
            row["train_seconds_seed0"] = f"{curve[-1]:g}"
    with open(out_path, "w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=fields, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    print(f"{out_path}: {len(rows)} rows, seconds from {timing_path}")


if __name__ == "__main__":
    main()
