#!/usr/bin/env python3
"""How many trials per second one race process (referee, strategy, journal) handles with many trials in flight.

This is the race-side ceiling of a big cluster (docs/cluster-scaling.md): 100 machines with 8 GPUs are 800 slots, and
the one race process must ask, dispatch, land and journal every trial they finish. A tabular race with `--workers W`
simulates W workers in virtual time, so the same referee code runs with W trials in flight at no training cost: what
is left is the race's own cost per trial, which is what a cluster of W slots would add on top of the Orleans calls.

The table is NAS-Bench-201's 15,625 cells (../shared/data/nb201-mini, CIFAR-10 after 12 epochs) with a constant
`train_seconds` of 60 (the simulated trial length: it sets the virtual clock only, not the real time measured here),
so trials are rarely repeats served from a contestant's cache. A repeat does not reach a worker, so the figure is
dispatched trials (trial lines not `cached`) per second of the race's real wall clock (`wallSeconds` of the journal's
`race-finished`), with the journal on (the default, batched syncs). One contestant per race; rounds interleave the
configurations (these 2-core machines are noisy: compare within a round).

    /usr/bin/python3 bench/referee_in_flight.py [--budget 10000] [--rounds 2] [--workers 1,8,100,800,1024]
        [--strategies random-search,regularized-evolution,local-search]
"""
import argparse
import csv
import json
import os
import statistics
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
NAS = os.path.join(ROOT, "nas")
MINI = os.path.join(os.path.dirname(ROOT), "shared", "data", "nb201-mini", "nb201-mini.csv")


def make_table(folder):
    """nb201-mini's CIFAR-10 columns as a table `nas race --estimator tabular` reads, with 60 simulated seconds a row."""
    path = os.path.join(folder, "nb201-c10-60s.csv")
    with open(MINI, newline="") as src, open(path, "w", newline="") as dst:
        out = csv.writer(dst)
        out.writerow(["arch", "validation_accuracy", "test_accuracy", "train_seconds"])
        for row in csv.DictReader(src):
            out.writerow([row["arch"], row["c10_val12"], row["c10_test12"], "60"])
    return path


def race(table, strategy, workers, budget, seed, folder):
    journal = os.path.join(folder, f"{strategy}-{workers}-{seed}.jsonl")
    args = [NAS, "race", "--estimator", "tabular", "--table", table, "--table-percent", "true",
            "--table-seeds", "mean", "--strategy", strategy, "--workers", str(workers), "--budget", str(budget),
            "--heats", "1", "--seed", str(seed), "--journal", journal, "--league", os.path.join(folder, "league.json")]
    done = subprocess.run(args, capture_output=True, text=True, env=dict(os.environ, NAS_HOME=folder))
    if done.returncode != 0:
        sys.exit(f"nas race failed ({done.returncode}): {done.stderr[-2000:]}")
    started = finished = 0
    wall = None
    with open(journal) as lines:
        for line in lines:
            event = json.loads(line)
            if event["type"] == "trial":
                finished += 1
                started += not event.get("cached", False)
            elif event["type"] == "race-finished":
                wall = event["summary"]["wallSeconds"]
    os.remove(journal)
    return started, finished, wall


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--budget", type=int, default=10000)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--workers", default="1,8,100,800,1024")
    parser.add_argument("--strategies", default="random-search,regularized-evolution,local-search")
    options = parser.parse_args()
    if not os.path.exists(MINI):
        sys.exit(f"{MINI} is missing: the NAS-Bench-201 results this bench races on")
    workers = [int(w) for w in options.workers.split(",")]
    strategies = options.strategies.split(",")
    results = {}
    with tempfile.TemporaryDirectory(prefix="referee-in-flight-") as folder:
        table = make_table(folder)
        for round_ in range(options.rounds):
            for strategy in strategies:
                for w in workers:
                    started, finished, wall = race(table, strategy, w, options.budget, round_, folder)
                    rate = started / wall
                    results.setdefault((strategy, w), []).append((rate, finished / wall, started))
                    print(f"round {round_ + 1} {strategy:24} workers {w:5}: {started:6} dispatched in {wall:7.2f} s "
                          f"= {rate:8.0f}/s ({finished / wall:8.0f} trials/s with cached repeats)", file=sys.stderr)
    print("| strategy | workers in flight | dispatched trials / s (mean over rounds, min–max) | all trials / s |")
    print("|---|---|---|---|")
    for (strategy, w), runs in results.items():
        rates = [r[0] for r in runs]
        print(f"| {strategy} | {w} | {statistics.mean(rates):,.0f} ({min(rates):,.0f}–{max(rates):,.0f}) "
              f"| {statistics.mean(r[1] for r in runs):,.0f} |")
    print(json.dumps({f"{s}/{w}": runs for (s, w), runs in results.items()}))


if __name__ == "__main__":
    main()
