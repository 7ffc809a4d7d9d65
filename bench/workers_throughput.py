#!/usr/bin/env python3
"""Evaluations per hour at the default race fidelity: one worker with 2 threads, 2 workers with 1 thread, PyTorch.

Each round runs, one after the other on the same machine (ratios side by side: these machines are noisy):
  - `nas race --strategy random-search --budget K --workers 1` (the race's own process, libtorch on every core),
  - `nas race ... --workers 2` (two worker processes, cores / 2 = 1 thread each),
  - the PyTorch peer (bench/pytorch_peer.py --archs) training the same K architectures one at a time on 2 threads.
Random search with one seed asks the same K architectures in every race, so all three do the same work. A race's time
is its `wallSeconds` (the referee's clock: from the first ask to the last result; data loading and worker start-up are
before it, as the peer's data loading is untimed); the time with start-up (the whole `nas race` process) is printed too,
and so is how much longer one trial takes on one thread (a worker's) than on two (the race's own process).

    /usr/bin/python3 bench/workers_throughput.py [--budget 12] [--rounds 2] [--seed 7]
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def race(workers, budget, seed, folder, round_):
    journal = os.path.join(folder, f"w{workers}-r{round_}.jsonl")
    command = [os.path.join(ROOT, "nas"), "race", "--strategy", "random-search", "--budget", str(budget),
               "--seed", str(seed), "--workers", str(workers), "--journal", journal,
               "--league", os.path.join(folder, "league.json")]
    start = time.perf_counter()
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL)
    whole = time.perf_counter() - start
    lines = [json.loads(line) for line in open(journal)]
    seconds = next(e["summary"]["wallSeconds"] for e in lines if e["type"] == "race-finished")
    trials = [e for e in lines if e["type"] == "trial"]
    threads = next(e["settings"]["torchThreads"] for e in lines if e["type"] == "race-started")
    return {"seconds": seconds, "whole": whole, "trials": trials, "threads": threads}


def peer(archs, folder):
    path = os.path.join(folder, "archs.txt")
    with open(path, "w") as f:
        f.write("\n".join(archs) + "\n")
    out = subprocess.run(["/usr/bin/python3", os.path.join(ROOT, "bench", "pytorch_peer.py"), "--archs", path,
                          "--warmup", "1", "--threads", "2"], check=True, capture_output=True, text=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--budget", type=int, default=12)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    subprocess.run([os.path.join(ROOT, "nas"), "list"], check=True, stdout=subprocess.DEVNULL)  # build first, untimed
    rates = {"1 worker x 2 threads": [], "2 workers x 1 thread": [], "PyTorch peer, 2 threads": []}
    whole = {"1 worker x 2 threads": [], "2 workers x 1 thread": []}
    ratios = []  # per architecture: its cost on one thread (a worker) over its cost on two (the race's process)
    with tempfile.TemporaryDirectory(prefix="nas-throughput-") as folder:
        for r in range(args.rounds):
            one = race(1, args.budget, args.seed, folder, r)
            two = race(2, args.budget, args.seed, folder, r)
            archs = [t["arch"] for t in sorted(one["trials"], key=lambda t: t["index"])]
            if sorted(archs) != sorted(t["arch"] for t in two["trials"]):
                sys.exit("the two races asked different architectures")
            py = peer(archs, folder)
            two_threads = {t["arch"]: t["cost"] for t in one["trials"]}
            ratios += [t["cost"] / two_threads[t["arch"]] for t in two["trials"]]
            n = len(archs)
            rates["1 worker x 2 threads"].append(3600 * n / one["seconds"])
            rates["2 workers x 1 thread"].append(3600 * n / two["seconds"])
            rates["PyTorch peer, 2 threads"].append(py["evaluations_per_hour"])
            whole["1 worker x 2 threads"].append(3600 * n / one["whole"])
            whole["2 workers x 1 thread"].append(3600 * n / two["whole"])
            print(f"round {r + 1}: {n} evaluations; 1x2 {one['seconds']:.1f} s (threads {one['threads']}), "
                  f"2x1 {two['seconds']:.1f} s (threads {two['threads']}), PyTorch {py['seconds']:.1f} s",
                  file=sys.stderr, flush=True)
    peer_rate = statistics.mean(rates["PyTorch peer, 2 threads"])
    print(f"one trial on 1 thread takes {statistics.median(ratios):.2f}x its time on 2 (median over "
          f"{len(ratios)} trials, quartiles {statistics.quantiles(ratios, n=4)[0]:.2f}-{statistics.quantiles(ratios, n=4)[2]:.2f})")
    print(f"| arm | evaluations/hour (mean of {args.rounds} rounds) | × PyTorch peer | with start-up |")
    print("|---|---|---|---|")
    for arm, values in rates.items():
        mean = statistics.mean(values)
        spread = f" ± {statistics.stdev(values):.0f}" if len(values) > 1 else ""
        start = f"{statistics.mean(whole[arm]):.0f}" if arm in whole else "-"
        print(f"| {arm} | {mean:.0f}{spread} | {mean / peer_rate:.2f} | {start} |")


if __name__ == "__main__":
    main()
