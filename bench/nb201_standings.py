#!/usr/bin/env python3
"""Anytime standings of tabular races, from their journals, as markdown tables.

For each contestant of each journal: the held-out test accuracy of its best-by-validation architecture after N
evaluations (default 50, 100 and 150), mean ± std over heats. `nas race` prints anytime standings only at 25 %, 50 %
and 100 % of the budget; this script gives any evaluation counts, and compares races of different builds, which one
race cannot hold (e.g. a strategy before and after a change).

    /usr/bin/python3 bench/nb201_standings.py before=runs/before-c10.jsonl after=runs/after-c10.jsonl \
        --compare after:before --percent

(/usr/bin/python3: Debian's Python, which has python3-scipy for the p-values.)

Each argument is a journal, optionally labelled LABEL=PATH (default label: the file's name without .jsonl). Journals
are grouped by their table and test column (one markdown table per data set).

How a pick is made, as the race's own statistics make it (RaceStatistics.BestBy): among the contestant's trials of a
heat with `index` < N (an ask's index counts every evaluation, failed asks included), the ok trial with the highest
objective (validation accuracy in an accuracy race); the first of equal ones. Its test accuracy is looked up in the
race's table (the journal's race-started settings: table, tableColumns, tablePercent; --table overrides the path),
since trial lines do not carry it. --ties mean scores cells tied at the best validation by the mean of their test
accuracies instead (an order-independent score: NAS-Bench-201's tables hold exact ties), and --oracle adds a row for a
search that has found the table's top-validation cell(s) from the start: the best any search by validation can score.
Only heats with a heat-finished line count, so a journal of a running race gives the
heats so far. The std divides by the number of heats, as nas race's does.

--versus A:B adds, for contestant A of each journal (a strategy name, a full contestant name, A1,A2 or * for every
other contestant), the mean difference and the same Wilcoxon test against contestant B of the same journal, paired by
heat, at every evaluation count: e.g. --versus predictor-local-search:local-search on a race that ran both.

--compare A:B adds, per contestant of label A, a two-sided Wilcoxon signed-rank test (scipy.stats.wilcoxon, zero
differences dropped, SciPy's default method: exact for at most 50 differences and no zeros, else the normal
approximation) against label B's contestant of the same name, or else of the same strategy (the part before ':'), over
heats paired by heat number at the last evaluation count. Pairing is sound when both races used the same --seed and the
contestants the same seed key (strategy name and knobs): heat h then has the same seeds in both. Without scipy the p
column says n/a.
"""
import argparse
import csv
import json
import math
import os
import sys
import warnings
from collections import defaultdict

DATA_SET_NAMES = {"c10": "CIFAR-10", "c100": "CIFAR-100", "in16": "ImageNet16-120"}


def read_journal(path):
    """Return (settings, contestants' labels in lineup order, trials by (contestant, heat), finished heats, wall s)."""
    settings, lineup, trials, finished, wall = None, [], defaultdict(list), set(), None
    with open(path, encoding="utf-8-sig") as f:
        for number, line in enumerate(f, 1):
            line = line.strip()
            if not line:
                continue
            try:
                event = json.loads(line)
            except json.JSONDecodeError:
                # A torn last line (a crash mid-write) is skipped, as nas's own reader skips it.
                continue
            kind = event.get("type")
            if kind == "race-started":
                settings = event["settings"]
                lineup = [c["contestant"] for c in event["contestants"]]
            elif kind == "trial":
                trials[(event["contestant"], event["heat"])].append(event)
            elif kind == "heat-finished":
                finished.add(event["heat"])
            elif kind == "heat-restarted":
                for key in [k for k in trials if k[1] == event["heat"]]:
                    del trials[key]
            elif kind == "contestant-added":
                lineup.append(event["contestant"]["contestant"])
            elif kind == "contestant-removed":
                lineup.remove(event["contestant"])
                for key in [k for k in trials if k[0] == event["contestant"]]:
                    del trials[key]
            elif kind == "race-finished":
                wall = event["summary"].get("wallSeconds")
    if settings is None:
        sys.exit(f"error: {path}: no race-started line; not a race journal")
    return settings, lineup, trials, finished, wall


def column_map(settings):
    """The table's arch, validation and test column names and whether it is in percent, as the race read them."""
    columns = {"arch": "arch", "validation": "validation_accuracy", "test": "test_accuracy"}
    percent = False
    sidecar = os.path.splitext(settings["table"])[0] + ".columns.json"
    if os.path.exists(sidecar):
        with open(sidecar, encoding="utf-8") as f:
            mapped = json.load(f)
        percent = bool(mapped.pop("percent", False))
        columns.update({k: v for k, v in mapped.items() if k in columns})
    for pair in (settings.get("tableColumns") or "").split(","):
        if "=" in pair:
            key, name = pair.split("=", 1)
            if key.strip() == "percent":
                percent = name.strip().lower() == "true"
            elif key.strip() in columns:
                columns[key.strip()] = name.strip()
    if settings.get("tablePercent") is not None:
        percent = bool(settings["tablePercent"])
    return columns, percent


_tables = {}


def test_accuracies(table_path, columns, percent):
    """Architecture string -> test accuracy as a fraction."""
    key = (table_path, columns["arch"], columns["test"], percent)
    if key not in _tables:
        with open(table_path, newline="", encoding="utf-8-sig") as f:
            reader = csv.DictReader(f)
            for needed in (columns["arch"], columns["test"]):
                if needed not in reader.fieldnames:
                    sys.exit(f"error: {table_path}: no column '{needed}' (the race's table columns)")
            scale = 0.01 if percent else 1.0
            _tables[key] = {row[columns["arch"]]: float(row[columns["test"]]) * scale for row in reader}
    return _tables[key]


def pick(trials, evaluations):
    """The best-by-objective ok trials among those with index < evaluations, in the order they were evaluated
    (one architecture once): the race's pick is the first; --ties mean scores them all."""
    best, best_value = [], -math.inf
    for t in trials:
        if t["index"] >= evaluations:
            continue
        if t.get("status") != "ok":
            continue
        value = t.get("objective", t["metrics"].get("validationAccuracy"))
        if value is None or t["metrics"].get("validationAccuracy") is None:
            continue
        if value > best_value:
            best, best_value = [t], value
        elif value == best_value and all(b["arch"] != t["arch"] for b in best):
            best.append(t)
    return best


def score(picked, tests, ties):
    """The test accuracy of a pick: the first of the tied trials' (as the race picks), or their mean (--ties mean)."""
    if not picked:
        return None
    if ties == "first":
        return tests[picked[0]["arch"]]
    return sum(tests[t["arch"]] for t in picked) / len(picked)


def oracle_entry(label, settings, columns, percent, table_path, heats, marks):
    """A pseudo-contestant that has found the table's top-validation cell(s) in every heat from its first evaluation:
    the best any search by validation can score, with the cells tied at the top scored by their mean test accuracy."""
    scale = 0.01 if percent else 1.0
    with open(table_path, newline="", encoding="utf-8-sig") as f:
        rows = [r for r in csv.DictReader(f) if r.get(columns["validation"]) not in (None, "")]
    top = max(float(r[columns["validation"]]) for r in rows)
    tied = [float(r[columns["test"]]) * scale for r in rows if float(r[columns["validation"]]) == top]
    value = sum(tied) / len(tied)
    tests_at = {m: {h: value for h in heats} for m in marks}
    return (label, "oracle", {m: mean_std(list(tests_at[m].values())) for m in marks}, len(heats), None,
            tests_at[marks[-1]], tests_at)


def mean_std(values):
    if not values:
        return None, None
    m = sum(values) / len(values)
    return m, math.sqrt(sum((v - m) ** 2 for v in values) / len(values))


def data_set_name(test_column):
    prefix = test_column.split("_")[0]
    return DATA_SET_NAMES.get(prefix, test_column)


def compare(first, second):
    """Mean difference and two-sided paired Wilcoxon p over the heats both have, as table cells."""
    heats = sorted(set(first) & set(second))
    # Rounded: a mean over tied cells and a single cell's accuracy may differ in the last bit where they are equal.
    differences = [round(first[h] - second[h], 9) for h in heats]
    if not differences:
        return "n/a", "n/a (no common heats)"
    mean = sum(differences) / len(differences)
    if all(abs(d) < 1e-12 for d in differences):
        return mean, "1 (identical)"
    try:
        from scipy.stats import wilcoxon
    except ImportError:
        return mean, "n/a (no scipy)"
    with warnings.catch_warnings():
        # With zero differences (dropped) SciPy switches to the normal approximation and warns; the docstring says so.
        warnings.simplefilter("ignore")
        return mean, f"{wilcoxon(differences, zero_method='wilcox', alternative='two-sided').pvalue:.3g}"


def matches(contestant, name):
    """A --versus name is a full contestant name or its strategy (the part before ':')."""
    return contestant == name or contestant.split(":")[0] == name


def parse_versus(text):
    if ":" not in text:
        sys.exit(f"error: --versus {text}: expected A:B (two contestants of the same journal)")
    first, second = text.split(":", 1)
    return [a for a in first.split(",") if a], second


def versus_cells(entries, label, contestant, versus, marks, scale, digits):
    """For a contestant named in --versus A: difference and Wilcoxon p against contestant B of the same journal
    (same label), paired by heat, at each count; blank cells for the others."""
    firsts, second = versus
    if not any(a == "*" or matches(contestant, a) for a in firsts) or matches(contestant, second):
        return [""] * len(marks)
    other = next((e for e in entries if e[0] == label and matches(e[1], second)), None)
    if other is None:
        sys.exit(f"error: --versus: journal {label} has no contestant '{second}'")
    cells = []
    for m in marks:
        difference, p = compare(entries_at(entries, label, contestant)[m], other[6][m])
        if isinstance(difference, float):
            difference = f"{difference * scale:+.{digits}f}"
        cells.append(f"{difference} (p {p})")
    return cells


def entries_at(entries, label, contestant):
    return next(e[6] for e in entries if e[0] == label and e[1] == contestant)


def parse_arguments():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("journals", nargs="+", metavar="[LABEL=]JOURNAL")
    parser.add_argument("--at", default="50,100,150", help="evaluation counts, comma-separated [50,100,150]")
    parser.add_argument("--compare", metavar="A:B",
                        help="mean difference and Wilcoxon p of label A's contestants against label B's, last count")
    parser.add_argument("--versus", metavar="A:B",
                        help="mean difference and Wilcoxon p of each journal's contestant A against its contestant B "
                             "(strategy names or full contestant names), paired by heat, at every count; A may list several "
                             "(A1,A2:B) or be * (every other contestant)")
    parser.add_argument("--table", help="the table's path, when the journal's is not valid here")
    parser.add_argument("--ties", choices=["first", "mean"], default="first",
                        help="cells tied at a contestant's best validation: the first evaluated (as the race picks) "
                             "or the mean of their test accuracies (a score that does not depend on the order) [first]")
    parser.add_argument("--oracle", action="store_true",
                        help="add a row per journal for a search that has found the top-validation cell(s) from the "
                             "start (tied cells: their mean test accuracy), compared like the contestants")
    parser.add_argument("--percent", action="store_true",
                        help="accuracies in percent (as NAS-Bench-201 papers give them)")
    return parser.parse_args()


def standings(path, label, marks, table_override, ties, oracle):
    """One journal: its data set, its wall-time row, and per contestant (label, contestant, {mark: (mean, std)},
    heats, repeats per heat, {heat: test accuracy at the last mark})."""
    settings, lineup, trials, finished, wall = read_journal(path)
    columns, percent = column_map(settings)
    tests = test_accuracies(table_override or settings["table"], columns, percent)
    data_set = data_set_name(columns["test"])
    entries = []
    for contestant in lineup:
        heats = sorted(h for (c, h) in trials if c == contestant and h in finished)
        picks = {m: {h: pick(trials[(contestant, h)], m) for h in heats} for m in marks}
        tests_at = {m: {h: score(t, tests, ties) for h, t in picks[m].items() if t} for m in marks}
        # Repeats: trials the referee served from the contestant's cache (an architecture it had evaluated before).
        repeats = mean_std([sum(1 for t in trials[(contestant, h)] if t["index"] < marks[-1] and t.get("cached"))
                            for h in heats])[0]
        entries.append((label, contestant, {m: mean_std(list(tests_at[m].values())) for m in marks}, len(heats),
                        repeats, tests_at[marks[-1]], tests_at))
    if oracle:
        entries.append(oracle_entry(label, settings, columns, percent, table_override or settings["table"],
                                    sorted(finished), marks))
    return data_set, (os.path.basename(path), label, data_set, len(finished), settings.get("heats"), wall), entries


def main():
    args = parse_arguments()
    marks = [int(x) for x in args.at.split(",")]
    scale, digits = (100.0, 2) if args.percent else (1.0, 4)
    rows, walls = defaultdict(list), []
    for argument in args.journals:
        if "=" in argument and not os.path.exists(argument):
            label, path = argument.split("=", 1)
        else:
            label, path = os.path.splitext(os.path.basename(argument))[0], argument
        data_set, wall, entries = standings(path, label, marks, args.table, args.ties, args.oracle)
        rows[data_set].extend(entries)
        walls.append(wall)

    pair = args.compare.split(":", 1) if args.compare else None
    versus = parse_versus(args.versus) if args.versus else None
    unit = " (%)" if args.percent else ""
    for data_set, entries in rows.items():
        tied = " (cells tied at the best: their mean)" if args.ties == "mean" else ""
        print(f"### {data_set}: test accuracy{unit} of the best by validation{tied}, mean ± std over heats\n")
        header = ["strategy", "build"] + [f"{m} evals" for m in marks] + ["heats", f"repeats/heat ({marks[-1]})"]
        if pair:
            header += [f"Δ {pair[0]} − {pair[1]} ({marks[-1]})", "Wilcoxon p"]
        if versus:
            header += [f"Δ vs {versus[1]}, p ({m})" for m in marks]
        print("| " + " | ".join(header) + " |")
        print("|" + "|".join(["---"] * 2 + ["---:"] * (len(header) - 2)) + "|")
        for label, contestant, standing, heats, repeats, final, _ in sorted(
                entries, key=lambda e: (e[1].split(":")[0], e[1], e[0])):
            cells = [contestant, label]
            for m in marks:
                mean, std = standing[m]
                cells.append("-" if mean is None else f"{mean * scale:.{digits}f} ± {std * scale:.{digits}f}")
            cells += [str(heats), "-" if repeats is None else f"{repeats:.1f}"]
            if pair:
                difference, p = "", ""
                if label == pair[0]:
                    others = {e[1]: e[5] for e in entries if e[0] == pair[1]}
                    strategy = contestant.split(":")[0]
                    match = others[contestant] if contestant in others else next(
                        (v for c, v in others.items() if c.split(":")[0] == strategy), None)
                    difference, p = compare(final, match) if match is not None else ("n/a", "n/a")
                    if isinstance(difference, float):
                        difference = f"{difference * scale:+.{digits}f}"
                cells += [difference, p]
            if versus:
                cells += versus_cells(entries, label, contestant, versus, marks, scale, digits)
            print("| " + " | ".join(cells) + " |")
        print()
    print("| journal | build | data set | heats finished | wall s (race-finished) |")
    print("|---|---|---|---:|---:|")
    for name, label, data_set, done, planned, wall in walls:
        print(f"| {name} | {label} | {data_set} | {done}/{planned} | {'-' if wall is None else wall} |")


if __name__ == "__main__":
    main()
