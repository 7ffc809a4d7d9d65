#!/usr/bin/env python3
"""Simulated time for multi-fidelity strategies to reach what full-fidelity strategies end a race with (issue 18).

Reads ladder races on a table with curves (`--fidelities`, `--workers N`), one or more journals whose heats pair up by
index (same `--seed` and `--heats`). For every heat and every reference contestant R (a strategy that trains every
trial to the top rung, e.g. regularized evolution):

- target = the held-out test accuracy of R's pick at the end of its budget;
- T_R = the simulated time at which R's pick first reached that test accuracy (so R is credited with the earliest
  moment it held its final answer, not with the end of its budget);
- T_M = the simulated time at which a contestant M's pick first reached target, or "never".

A pick follows `nas race`'s rule for ladder races: the best-by-objective ok trial at the highest rung reached so far
(a one-epoch accuracy is not compared with a nine-epoch one). Times are the trials' `finishedAt` on the workers'
simulated clock.

Printed per (M, R): heats where M reached R's accuracy, the median of T_M / T_R over all heats (a heat M never reaches
counts as an infinite ratio, so the median is honest about misses), and two paired Wilcoxon signed-rank tests over the
heats, with "never" ranked above every time: is M faster than R (two-sided, T_M vs T_R), and does M meet the goal of
a third of R's time (one-sided, T_M < T_R / 3).

    /usr/bin/python3 bench/multifidelity_time_to_accuracy.py runs/w4-asha.jsonl re-median=runs/w4-median.jsonl ... \
        --reference regularized-evolution --reference local-search --reference bananas

bench/multifidelity_races.sh runs the races of docs/guide/multi-fidelity.md and this script on them.
"""
import argparse
import math
import os
import statistics
import sys
import warnings
from collections import defaultdict

from scipy.stats import wilcoxon

# Ties (both reach the target at the same moment) make scipy fall back to the normal approximation, and say so.
warnings.filterwarnings("ignore", message=".*(zeros|normal approximation).*")

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from nb201_standings import column_map, read_journal, test_accuracies  # noqa: E402

NEVER = math.inf


def pick_timeline(trials):
    """(time, arch of the pick) after each trial, in completion order, with the ladder race's pick rule."""
    timeline, best = [], None  # best: (rung, objective, arch)
    for t in sorted(trials, key=lambda t: t["finishedAt"]):
        value = t.get("objective", t["metrics"].get("validationAccuracy"))
        if t.get("status") == "ok" and value is not None:
            candidate = (t.get("rung", 0), value, t["arch"])
            if best is None or candidate[:2] > best[:2]:
                best = candidate
        timeline.append((t["finishedAt"], best[2] if best else None))
    return timeline


def first_time_reaching(timeline, tests, target):
    return next((time for time, arch in timeline if arch is not None and tests[arch] >= target), NEVER)


def wilcoxon_p(first, second, alternative):
    """Paired signed-rank p-value of first − second; "never" (inf) is ranked above every finite difference."""
    finite = [abs(a - b) for a, b in zip(first, second) if math.isfinite(a - b) and a != b]
    big = 2 * max(finite, default=1.0) + 1.0
    differences = []
    for a, b in zip(first, second):
        if math.isinf(a) and math.isinf(b):
            continue
        differences.append(big if math.isinf(a) else -big if math.isinf(b) else a - b)
    if not any(differences):
        return 1.0
    return wilcoxon(differences, alternative=alternative, zero_method="wilcox").pvalue


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("journals", nargs="+", metavar="[LABEL=]JOURNAL",
                        help="a LABEL names the journal's one contestant (e.g. a race with --early-stop)")
    parser.add_argument("--reference", action="append", required=True, help="a full-fidelity contestant; repeatable")
    parser.add_argument("--table", help="the table's path, when the journal's is not valid here")
    args = parser.parse_args()

    timelines, tests, heats_of, workers = {}, None, defaultdict(set), set()
    for argument in args.journals:
        label, _, path = argument.rpartition("=")
        settings, lineup, trials, finished, _ = read_journal(path)
        if label and len(lineup) != 1:
            sys.exit(f"error: {argument}: a label names a journal of one contestant; this one has {len(lineup)}")
        workers.add(settings.get("workers", 1))
        if tests is None:
            tests = test_accuracies(args.table or settings["table"], *column_map(settings))
        for (contestant, heat), heat_trials in trials.items():
            contestant = label or contestant
            if heat in finished:
                timelines[(contestant, heat)] = pick_timeline(heat_trials)
                heats_of[contestant].add(heat)
    missing = [r for r in args.reference if r not in heats_of]
    if missing:
        sys.exit(f"error: --reference {', '.join(missing)}: not a contestant of these journals ({', '.join(heats_of)})")

    contestants = [c for c in heats_of if c not in args.reference]
    print(f"workers: {', '.join(map(str, sorted(workers)))}")
    print()
    print("| strategy | reference | heats reaching the reference's final test accuracy | median T_ref (s) | median T (s) "
          "| median T/T_ref | faster than the reference (two-sided p) | within a third of its time (one-sided p) |")
    print("|---|---|---|---|---|---|---|---|")
    for reference in args.reference:
        for contestant in contestants:
            heats = sorted(heats_of[contestant] & heats_of[reference])
            mine, theirs = [], []
            for heat in heats:
                reference_line = timelines[(reference, heat)]
                target = tests[reference_line[-1][1]]
                theirs.append(first_time_reaching(reference_line, tests, target))
                mine.append(first_time_reaching(timelines[(contestant, heat)], tests, target))
            reached = sum(math.isfinite(t) for t in mine)
            ratio = statistics.median(m / r for m, r in zip(mine, theirs))
            faster = wilcoxon_p(mine, theirs, "two-sided")
            third = wilcoxon_p(mine, [t / 3 for t in theirs], "less")
            print(f"| `{contestant}` | `{reference}` | {reached} of {len(heats)} | {statistics.median(theirs):.0f} "
                  f"| {statistics.median(mine):.0f} | {ratio:.2f} "
                  f"| {faster:.3g} | {third:.3g} |")


if __name__ == "__main__":
    main()
