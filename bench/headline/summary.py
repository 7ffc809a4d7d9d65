"""The headline experiment's table: for each `nas train` output folder, the architecture, its parameter count (from
the exported PyTorch state dict, without batch-norm statistics), test accuracy mean ± std over seeds and the hours of
training (the last epoch's clock of every seed, summed). Usage: summary.py OUT NAME..."""
import json, os, sys

import torch

out, names = sys.argv[1], sys.argv[2:]
print("| network | architecture | parameters | seeds | test accuracy (mean ± std) | training hours |")
print("|---|---|---|---|---|---|")
for name in names:
    folder = os.path.join(out, name)
    summary = json.load(open(os.path.join(folder, "summary.json")))
    seeds = sorted(d for d in os.listdir(folder) if d.startswith("seed-"))
    state = torch.load(os.path.join(folder, seeds[0], "model.pt"))
    parameters = sum(t.numel() for k, t in state.items() if not k.endswith(("running_mean", "running_var", "num_batches_tracked")))
    hours = sum(json.load(open(os.path.join(folder, s, "result.json")))["Curve"][-1]["Seconds"] for s in seeds) / 3600
    accuracies, std = summary["testAccuracy"], summary["testAccuracyStd"]  # nas train's mean ± std
    print(f"| {name} | `{summary['architecture']}` | {parameters:,} | {len(accuracies)} | "
          f"{100 * summary['testAccuracyMean']:.2f} ± {100 * std:.2f} % | {hours:.1f} |")
