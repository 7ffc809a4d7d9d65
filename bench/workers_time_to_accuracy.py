#!/usr/bin/env python3
"""Simulated wall-clock time to reach a test accuracy, from tabular races with several workers (--workers N).

For each journal and contestant: per heat, the contestant's trials in the order they came back (their `finishedAt` on
its worker clock; a race with one worker has no times, so its clock is the running sum of costs), the pick after each
(the best-by-objective ok trial so far, as bench/nb201_standings.py picks), and the first time that pick's held-out
test accuracy (from the race's table) reaches --target. Printed as a markdown table: mean ± std of that time over the
heats that reach it, and how many do. A heat that never reaches it counts as not reached, not as a time.

    ./nas race --estimator tabular --workers 4 --heats 20 --budget 150 --strategy random-search \
        --strategy regularized-evolution --journal runs/w4.jsonl
    /usr/bin/python3 bench/workers_time_to_accuracy.py w1=runs/w1.jsonl w4=runs/w4.jsonl w16=runs/w16.jsonl --target 0.715

Each argument is a journal, optionally labelled LABEL=PATH (default label: the file's name without .jsonl).
"""
import argparse
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from nb201_standings import column_map, mean_std, read_journal, test_accuracies  # noqa: E402


def times_to_target(trials, tests, target):
    """The worker-clock time at which the pick's test accuracy first reaches target, or None."""
    clock, best, best_value = 0.0, None, float("-inf")
    for t in sorted(trials, key=lambda t: t.get("finishedAt", 0.0)):  # stable: journal order for a race without times
        clock = t["finishedAt"] if "finishedAt" in t else clock + t["cost"]
        value = t.get("objective", t["metrics"].get("validationAccuracy"))
        if t.get("status") == "ok" and value is not None and value > best_value:
            best, best_value = t, value
        if best is not None and tests.get(best["arch"], float("-inf")) >= target:
            return clock
    return None


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("journals", nargs="+", metavar="[LABEL=]JOURNAL")
    parser.add_argument("--target", type=float, required=True, help="test accuracy to reach (a fraction)")
    parser.add_argument("--table", help="the table's path, when the journal's is not valid here")
    args = parser.parse_args()

    print(f"| race | workers | contestant | simulated seconds to test accuracy ≥ {args.target} | heats reaching it |")
    print("|---|---|---|---|---|")
    for argument in args.journals:
        label, _, path = argument.rpartition("=") if "=" in argument else (os.path.basename(argument)[:-6], "", argument)
        settings, lineup, trials, finished, _ = read_journal(path)
        columns, percent = column_map(settings)
        tests = test_accuracies(args.table or settings["table"], columns, percent)
        for contestant in lineup:
            heats = [h for h in sorted(finished) if (contestant, h) in trials]
            reached = [s for s in (times_to_target(trials[(contestant, h)], tests, args.target) for h in heats) if s is not None]
            mean, std = mean_std(reached)
            cell = f"{mean:.0f} ± {std:.0f}" if mean is not None else "never"
            print(f"| {label} | {settings.get('workers', 1)} | `{contestant}` | {cell} | {len(reached)} of {len(heats)} |")


if __name__ == "__main__":
    main()
