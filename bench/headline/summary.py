"""The headline experiment's table: for each `nas train` output folder, the architecture, its parameter count (from
the exported PyTorch state dict, without batch-norm statistics, or the parameters.txt bench/headline.sh keeps), test
accuracy mean ± std over the seeds finished so far (population std, as nas train reports it) and the hours of training
(the last epoch's clock of every seed, summed). A network with no finished seed yet is listed as pending.
Usage: summary.py OUT NAME...     or     summary.py --parameters MODEL.pt (prints the parameter count)"""
import json, math, os, sys


def parameters(model_pt):
    import torch

    state = torch.load(model_pt)
    skip = ("running_mean", "running_var", "num_batches_tracked")
    return sum(t.numel() for k, t in state.items() if not k.endswith(skip))


if sys.argv[1] == "--parameters":
    print(parameters(sys.argv[2]))
    sys.exit(0)

out, names = sys.argv[1], sys.argv[2:]
print("| network | architecture | parameters | seeds | test accuracy (mean ± std) | training hours |")
print("|---|---|---|---|---|---|")
for name in names:
    folder = os.path.join(out, name)
    seeds = sorted(d for d in (os.listdir(folder) if os.path.isdir(folder) else [])
                   if d.startswith("seed-") and os.path.isfile(os.path.join(folder, d, "result.json")))
    if not seeds:
        print(f"| {name} | | | 0 | pending | |")
        continue
    architecture = json.load(open(os.path.join(folder, "train.json")))["architecture"]
    results = [json.load(open(os.path.join(folder, s, "result.json"))) for s in seeds]
    models = [os.path.join(folder, s, "model.pt") for s in seeds if os.path.isfile(os.path.join(folder, s, "model.pt"))]
    count = parameters(models[0]) if models else int(open(os.path.join(folder, "parameters.txt")).read())
    accuracies = [r["TestAccuracy"] for r in results]
    mean = sum(accuracies) / len(accuracies)
    std = math.sqrt(sum((a - mean) ** 2 for a in accuracies) / len(accuracies))
    hours = sum(r["Curve"][-1]["Seconds"] for r in results) / 3600
    cell = architecture.replace("|", "\\|")  # a pipe splits a Markdown table's cell, even in a code span
    print(f"| {name} | `{cell}` | {count:,} | {len(accuracies)} | "
          f"{100 * mean:.2f} ± {100 * std:.2f} % | {hours:.1f} |")
