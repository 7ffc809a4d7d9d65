#!/usr/bin/env python3
"""Give a table with curves the seconds of a quiet one-epoch timing pass (how the shipped curves table was made).

The accuracies of `nas tabulate --curve` do not depend on the machine's load, its seconds do: the 9-epoch pass ran
for days beside builds and tests, and some of its rows took five times as long as on a quiet machine. A second pass,
`nas tabulate --epochs 1` of the same cells pinned to one quiet core, measures each cell's seconds for one epoch
(build, one epoch of training, one validation). Every epoch trains and validates the same number of images, so the
seconds after epoch e are e times that; the first epoch's one-off cost is small (see the table's README).

    /usr/bin/python3 bench/tables/apply_epoch_seconds.py CURVES.csv OUT.csv TIMING.csv [TIMING.csv ...]

With several timing passes a cell's epoch takes the smallest of its measurements (a slowdown only ever adds time).
Every arch of CURVES must have an ok row in at least one pass; the result keeps CURVES' rows and columns in order and
replaces train_seconds, train_seconds_seed0 and train_seconds_curve.
"""
import csv
import sys


def main():
    if len(sys.argv) < 4:
        sys.exit(__doc__)
    curves_path, out_path, timing_paths = sys.argv[1], sys.argv[2], sys.argv[3:]
    epoch_seconds = {}
    for timing_path in timing_paths:
        with open(timing_path, newline="") as f:
            for row in csv.DictReader(f):
                if row["status"] == "ok":
                    seconds = float(row["train_seconds"])
                    epoch_seconds[row["arch"]] = min(seconds, epoch_seconds.get(row["arch"], seconds))
    with open(curves_path, newline="") as f:
        reader = csv.DictReader(f)
        fields, rows = reader.fieldnames, list(reader)
    for number, row in enumerate(rows, 2):
        epoch = epoch_seconds.get(row["arch"])
        if epoch is None:
            sys.exit(f"error: {curves_path}:{number}: {row['arch']} has no ok row in {', '.join(timing_paths)}")
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
    print(f"{out_path}: {len(rows)} rows, seconds from {', '.join(timing_paths)}")


if __name__ == "__main__":
    main()
