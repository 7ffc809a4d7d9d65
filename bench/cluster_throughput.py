#!/usr/bin/env python3
"""Evaluations per hour on 1, 2 and 3 local `nas worker` silos against a local race, and one lookup's cluster round trip.

Everything runs in one invocation, rounds interleaved (ratios side by side: these 2-core machines are noisy). The script
starts its own redis-server on 127.0.0.1 and a free port (nothing saved to disk) as the cluster's membership store,
starts and stops the `nas worker` silos of each configuration, and kills everything it started at the end.

1. Training throughput. Each round runs, in a rotating order, `nas race --strategy random-search --budget K --seed S`
   (default fidelity, or --epochs/--train-images/--validation-images) in five configurations:
     - local --workers 1       the race's own process, libtorch on every core (no cluster, no worker process),
     - 1 silo x 1 thread       `nas worker --slots 1 --worker-threads 1`, one silo,
     - 1 silo x 2 threads      `nas worker --slots 1 --worker-threads 2`: the honest single-machine best on a cluster,
     - 2 silos x 1 thread      two such silos of one slot of one thread,
     - 3 silos x 1 thread      three: 3 trials at once on 2 cores.
   Random search with one seed asks the same K architectures in every configuration (checked: a warning if not).
   A race's time is its journal's `wallSeconds` (the referee's clock, first ask to last result; connecting to the cluster
   and starting the silos' slot processes come before it, as data loading does in a local race). "With start-up" is the
   whole `nas race` process; a silo's own start (launch to its "joined" line) is printed apart: a cluster's workers
   outlive races.
2. One evaluation's round trip through the cluster. A tabular race (`--estimator tabular --strategy random-search
   --budget N --heats 1`), one lookup at a time, with `--cluster` (each lookup made by the silo, from its copy of the
   table) against the same race without (in-process lookups); alternated, after one discarded cluster race that warms the
   silo. The time is the REAL elapsed time from the journal: the "time" stamps of the first and last trial lines (a
   tabular race simulates its workers' clock from the table's seconds; the stamps are the wall clock), over the
   N - 1 lookups between them. `wallSeconds` (the referee's real stopwatch, including the first lookup) and the whole
   process are printed as well.

    /usr/bin/python3 bench/cluster_throughput.py [--budget 12] [--rounds 2] [--seed 7] [--train-images N]
        [--validation-images N] [--epochs N] [--tabular-budget 2000] [--tabular-repeats 3] [--keep DIR]
"""
import argparse
import datetime
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
NAS = os.path.join(ROOT, "nas")
REDIS = next((p for p in ("/usr/bin/redis-server", "/usr/local/bin/redis-server") if os.path.exists(p)), None)

# name -> worker threads of each silo (one slot each); None = the local race, no cluster.
ARMS = {
    "local --workers 1": None,
    "1 silo x 1 thread": [1],
    "1 silo x 2 threads": [2],
    "2 silos x 1 thread": [1, 1],
    "3 silos x 1 thread": [1, 1, 1],
}


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def accepts(port):
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5):
            return True
    except OSError:
        return False


class Processes:
    """Every process this script starts, each in a session (process group) of its own, so that its children (a silo's
    slot processes) go with it; all killed by kill_all, by their own group ids."""

    def __init__(self):
        self.started = []

    def start(self, command, **kwargs):
        process = subprocess.Popen(command, start_new_session=True, **kwargs)
        self.started.append(process)
        return process

    @staticmethod
    def kill(process):
        try:
            os.killpg(process.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            pass

    def kill_all(self):
        for process in self.started:
            self.kill(process)


class Redis:
    def __init__(self, processes, folder):
        if REDIS is None:
            sys.exit("redis-server is not installed: apt-get install -y redis-server (or ./nas setup)")
        self.port = free_port()
        self.log = open(os.path.join(folder, "redis.log"), "w")
        self.process = processes.start([REDIS, "--bind", "127.0.0.1", "--port", str(self.port), "--save", "",
                                        "--appendonly", "no"], stdout=self.log, stderr=subprocess.STDOUT)
        until = time.monotonic() + 10
        while not accepts(self.port):
            if time.monotonic() > until or self.process.poll() is not None:
                sys.exit(f"redis-server did not start on 127.0.0.1:{self.port} (see {self.log.name})")
            time.sleep(0.05)
        self.connection = f"redis://127.0.0.1:{self.port}"

    def flush(self):
        """An empty membership store for the next configuration: no earlier silo's rows (RESP FLUSHALL)."""
        with socket.create_connection(("127.0.0.1", self.port), timeout=5) as s:
            s.sendall(b"*1\r\n$8\r\nFLUSHALL\r\n")
            reply = s.recv(64)
        if not reply.startswith(b"+OK"):
            sys.exit(f"redis FLUSHALL answered {reply!r}")


class Silo:
    """One `nas worker` process; start() returns once its "joined" line is printed."""

    def __init__(self, processes, cluster, name, threads, env, folder):
        self.name = name
        self.lines = []
        self.joined = threading.Event()  # set by the joined line, or when the process ends (then did_join stays False)
        self.did_join = False
        command = [NAS, "worker", "--cluster", cluster, "--name", name, "--slots", "1",
                   "--worker-threads", str(threads)]
        start = time.perf_counter()
        self.process = processes.start(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                                       env=env, cwd=folder)
        threading.Thread(target=self._read, daemon=True).start()
        if not self.joined.wait(120) or not self.did_join:
            sys.exit(f"worker {name} did not join {cluster} in 120 s:\n" + "".join(self.lines[-20:]))
        self.join_seconds = time.perf_counter() - start

    def _read(self):
        for line in self.process.stdout:
            self.lines.append(line)
            if " joined " in line:
                self.did_join = True
                self.joined.set()
        self.joined.set()  # the process ended: let the waiter see it

    def stop(self):
        """SIGTERM: the worker leaves cleanly (its slot processes stop with it); SIGKILL to its group after 60 s."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                print(f"warning: worker {self.name} did not leave in 60 s; killed", file=sys.stderr)
        Processes.kill(self.process)  # anything left in its group (a slot process)


def stamp(text):
    """A journal "time" (ISO 8601 with 7 fractional digits, as .NET writes "O") in seconds since the epoch."""
    text = text.replace("Z", "+00:00")
    zone = text[-6:] if text[-6] in "+-" else "+00:00"
    body = text[:-6] if text[-6] in "+-" else text
    whole, _, fraction = body.partition(".")
    moment = datetime.datetime.fromisoformat(whole + zone)
    return moment.timestamp() + (float("0." + fraction) if fraction else 0.0)


def race(arguments, journal, env, folder, cluster=None):
    command = [NAS, "race", *arguments, "--journal", journal, "--league", os.path.join(folder, "league.json")]
    if cluster:
        command += ["--cluster", cluster]
    log = journal[:-len(".jsonl")] + ".log"
    start = time.perf_counter()
    with open(log, "w") as err:
        done = subprocess.run(command, stdout=subprocess.DEVNULL, stderr=err, env=env, cwd=folder)
    whole = time.perf_counter() - start
    if done.returncode != 0:
        with open(log) as f:
            tail = f.read()[-3000:]
        raise RuntimeError(f"nas race exited {done.returncode}: {' '.join(command)}\n{tail}")
    lines = [json.loads(line) for line in open(journal)]
    trials = sorted((e for e in lines if e["type"] == "trial"), key=lambda t: stamp(t["time"]))
    started = next(e for e in lines if e["type"] == "race-started")
    return {
        "seconds": next(e["summary"]["wallSeconds"] for e in lines if e["type"] == "race-finished"),
        "whole": whole,
        "trials": trials,
        "threads": started.get("settings", {}).get("torchThreads"),
        "span": stamp(trials[-1]["time"]) - stamp(trials[0]["time"]) if len(trials) > 1 else float("nan"),
        "notices": [e["message"] for e in lines if e["type"] == "estimator-notice"],
    }


def worker_of(trial):
    message = trial.get("message") or ""
    marker = "evaluated on cluster worker "
    return message.split(marker, 1)[1].split()[0].rstrip(")") if marker in message else None


def mean(values):
    return statistics.mean(values) if values else float("nan")


def spread(values):
    return f" ± {statistics.stdev(values):.0f}" if len(values) > 1 else ""


def interrupted(signum, frame):
    raise KeyboardInterrupt(f"signal {signum}")


def main():
    # Ctrl-C, SIGTERM or a closed terminal still reach the finally below, which kills every process started here (even
    # when started in the background, where SIGINT comes ignored).
    for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, interrupted)
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--budget", type=int, default=12, help="evaluations per training race [12]")
    parser.add_argument("--rounds", type=int, default=2, help="rounds; each runs every configuration once [2]")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--epochs", type=int, help="training epochs per evaluation [the race's default, 1]")
    parser.add_argument("--train-images", type=int, help="training images per evaluation [the race's default, 5000]")
    parser.add_argument("--validation-images", type=int, help="validation images [the race's default, 2000]")
    parser.add_argument("--tabular-budget", type=int, default=2000, help="lookups per tabular race [2000]")
    parser.add_argument("--tabular-repeats", type=int, default=3, help="tabular race pairs per round [3]")
    parser.add_argument("--keep", help="keep journals and logs in this folder (else a temporary one, deleted)")
    args = parser.parse_args()

    training = ["--strategy", "random-search", "--budget", str(args.budget), "--seed", str(args.seed), "--heats", "1"]
    for option, value in (("--epochs", args.epochs), ("--train-images", args.train_images),
                          ("--validation-images", args.validation_images)):
        if value is not None:
            training += [option, str(value)]
    tabular = ["--estimator", "tabular", "--strategy", "random-search", "--budget", str(args.tabular_budget),
               "--heats", "1", "--seed", str(args.seed)]

    subprocess.run([NAS, "list"], check=True, stdout=subprocess.DEVNULL)  # build first, untimed
    rates = {arm: [] for arm in ARMS}
    whole = {arm: [] for arm in ARMS}
    seconds = {arm: [] for arm in ARMS}
    per_trial = {arm: [] for arm in ARMS}  # each trial's own seconds (its "cost"): slowed by sharing the cores
    joins = []
    used = {arm: [] for arm in ARMS}  # distinct silos that evaluated trials, per race
    table = {"local": [], "cluster": []}
    mismatches = 0
    reference = None

    processes = Processes()
    temporary = None if args.keep else tempfile.TemporaryDirectory(prefix="nas-cluster-bench-")
    folder = os.path.abspath(args.keep) if args.keep else temporary.name
    os.makedirs(folder, exist_ok=True)
    home, tmp = os.path.join(folder, "home"), os.path.join(folder, "tmp")
    os.makedirs(home, exist_ok=True)
    os.makedirs(tmp, exist_ok=True)
    # A clean home (no user packs or plugins, which a local race could load and a worker never does) and a temp folder
    # that goes with this run (each worker makes a home of its own there).
    env = dict(os.environ, NAS_HOME=home, TMPDIR=tmp)
    try:
        redis = Redis(processes, folder)
        arms = list(ARMS)
        for r in range(args.rounds):
            order = arms[r % len(arms):] + arms[:r % len(arms)]
            for arm in order:
                silos = []
                journal = os.path.join(folder, f"{arm.replace(' ', '_').replace('-', '')}-r{r}.jsonl")
                try:
                    if ARMS[arm] is not None:
                        redis.flush()
                        for i, threads in enumerate(ARMS[arm]):
                            silos.append(Silo(processes, redis.connection, f"w{i + 1}", threads, env, folder))
                            joins.append(silos[-1].join_seconds)
                    result = race(training, journal, env, folder, redis.connection if silos else None)
                finally:
                    for silo in silos:
                        silo.stop()
                n = len(result["trials"])
                archs = sorted(t["arch"] for t in result["trials"])
                if reference is None:
                    reference = archs
                elif archs != reference:
                    mismatches += 1
                    print(f"warning: round {r + 1}, {arm}: the race asked other architectures than the first race "
                          f"({len(set(archs) ^ set(reference))} differ); its rate is not the same work",
                          file=sys.stderr, flush=True)
                workers = {worker_of(t) for t in result["trials"]} - {None}
                if silos and len(workers) < min(len(silos), n):
                    print(f"warning: round {r + 1}, {arm}: only {len(workers)} of {len(silos)} silos evaluated "
                          f"trials; notices: {result['notices']}", file=sys.stderr, flush=True)
                failed = [t for t in result["trials"] if t.get("status") != "ok"]
                if failed:
                    print(f"warning: round {r + 1}, {arm}: {len(failed)} trial(s) not ok: {failed[0].get('message')}",
                          file=sys.stderr, flush=True)
                rates[arm].append(3600 * n / result["seconds"])
                whole[arm].append(3600 * n / result["whole"])
                seconds[arm].append(result["seconds"])
                per_trial[arm] += [t["cost"] for t in result["trials"] if isinstance(t.get("cost"), (int, float))]
                used[arm].append(len(workers))
                threads = f"threads {result['threads']}" if not silos else f"{len(workers)} silo(s) used"
                print(f"round {r + 1}: {arm}: {n} evaluations in {result['seconds']:.1f} s (process "
                      f"{result['whole']:.1f} s; {threads})", file=sys.stderr, flush=True)

            # The round trip: one silo, a discarded warm-up race on it, then local and cluster races alternated.
            redis.flush()
            silo = Silo(processes, redis.connection, "t1", 1, env, folder)
            try:
                race(tabular, os.path.join(folder, f"tabular-warmup-r{r}.jsonl"), env, folder, redis.connection)
                for i in range(args.tabular_repeats):
                    kinds = ["local", "cluster"] if (r + i) % 2 == 0 else ["cluster", "local"]
                    for kind in kinds:
                        result = race(tabular, os.path.join(folder, f"tabular-{kind}-r{r}-{i}.jsonl"), env, folder,
                                      redis.connection if kind == "cluster" else None)
                        remote = sum(1 for t in result["trials"] if worker_of(t))
                        if kind == "cluster" and remote != len(result["trials"]):
                            print(f"warning: {len(result['trials']) - remote} lookups did not say they ran on the "
                                  f"silo", file=sys.stderr, flush=True)
                        table[kind].append({"n": len(result["trials"]), "span": result["span"],
                                            "wall": result["seconds"], "whole": result["whole"]})
                    print(f"round {r + 1}: tabular pair {i + 1}: local span {table['local'][-1]['span']:.3f} s, "
                          f"cluster span {table['cluster'][-1]['span']:.3f} s over "
                          f"{table['cluster'][-1]['n'] - 1} lookups", file=sys.stderr, flush=True)
            finally:
                silo.stop()
    finally:
        processes.kill_all()
        if temporary is not None:
            temporary.cleanup()

    # --- training table
    local_rate = mean(rates["local --workers 1"])
    print(f"training race: random-search, {args.budget} evaluations, seed {args.seed}, fidelity "
          f"epochs={args.epochs or 'default'} train-images={args.train_images or 'default'} "
          f"validation-images={args.validation_images or 'default'}; {args.rounds} round(s), rotating order; "
          f"{os.cpu_count()} cores")
    if mismatches:
        print(f"WARNING: {mismatches} race(s) asked other architectures than the first; their rates are not comparable")
    print(f"| configuration | evaluations/hour by wallSeconds (mean of {args.rounds}) | × local | with start-up "
          f"(whole nas race) | median s per trial | silos used |")
    print("|---|---|---|---|---|---|")
    for arm in ARMS:
        m = mean(rates[arm])
        trial = f"{statistics.median(per_trial[arm]):.2f}" if per_trial[arm] else "-"
        silos_used = "-" if ARMS[arm] is None else "/".join(str(u) for u in used[arm])
        print(f"| {arm} | {m:.0f}{spread(rates[arm])} | {m / local_rate:.2f} | {mean(whole[arm]):.0f} | {trial} "
              f"| {silos_used} |")
    print(f"a silo's start (nas worker launched to its joined line): mean {mean(joins):.1f} s, "
          f"range {min(joins):.1f}-{max(joins):.1f} s over {len(joins)} starts (not in any figure above)")

    # --- round-trip table
    def per_lookup(kind, key):
        return [1000 * x[key] / max(1, x["n"] - (1 if key == "span" else 0)) for x in table[kind]]

    pairs = list(zip(table["local"], table["cluster"]))
    overhead_span = [1000 * (c["span"] - l["span"]) / max(1, c["n"] - 1) for l, c in pairs]
    overhead_wall = [1000 * (c["wall"] - l["wall"]) / max(1, c["n"]) for l, c in pairs]
    print(f"tabular race: random-search, {args.tabular_budget} lookups, 1 heat, one lookup at a time; "
          f"{len(pairs)} local/cluster pair(s) after a discarded warm-up cluster race per round")
    print("| measure | local (in-process) | cluster (1 silo) | cluster − local per lookup |")
    print("|---|---|---|---|")
    print(f"| journal first→last trial, ms per lookup (real time; the figure) | {mean(per_lookup('local', 'span')):.3f} "
          f"| {mean(per_lookup('cluster', 'span')):.3f} | {mean(overhead_span):.3f} ms "
          f"(median {statistics.median(overhead_span):.3f}) |")
    print(f"| wallSeconds, ms per lookup | {mean(per_lookup('local', 'wall')):.3f} | "
          f"{mean(per_lookup('cluster', 'wall')):.3f} | {mean(overhead_wall):.3f} ms |")
    print(f"| whole nas race process, s | {mean([x['whole'] for x in table['local']]):.2f} | "
          f"{mean([x['whole'] for x in table['cluster']]):.2f} | - |")

    print(json.dumps({
        "settings": {"budget": args.budget, "rounds": args.rounds, "seed": args.seed, "epochs": args.epochs,
                     "train_images": args.train_images, "validation_images": args.validation_images,
                     "tabular_budget": args.tabular_budget, "tabular_repeats": args.tabular_repeats,
                     "cores": os.cpu_count()},
        "training": {arm: {"evaluations_per_hour": rates[arm], "with_startup_per_hour": whole[arm],
                           "wall_seconds": seconds[arm], "median_trial_seconds":
                               statistics.median(per_trial[arm]) if per_trial[arm] else None,
                           "silos_used": used[arm]} for arm in ARMS},
        "silo_join_seconds": joins,
        "arch_mismatches": mismatches,
        "tabular": {"local": table["local"], "cluster": table["cluster"],
                    "overhead_ms_per_lookup_span": overhead_span, "overhead_ms_per_lookup_wall": overhead_wall},
    }))


if __name__ == "__main__":
    main()
