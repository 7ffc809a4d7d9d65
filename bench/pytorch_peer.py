#!/usr/bin/python3
"""PyTorch peer of Nas.Sandbox.Bench: the same NB201 network, data, optimiser and validation in Debian's PyTorch.

Builds NAS-Bench-201's TinyNetwork (stem conv3x3+BN; cells; ResNet basic-block reductions; BN+ReLU; global average
pooling; linear) for the reference architecture at C=8, N=1, trains one epoch over 5000 Fashion-MNIST images at batch 64
(SGD lr 0.1, momentum 0.9, Nesterov, weight decay 5e-4, cosine schedule per batch, gradient-norm clip 5), then
validates on 2000 other images (no_grad, batch 500), on 2 threads. Data loading is not timed.

Standalone: /usr/bin/python3 bench/pytorch_peer.py [--repeats 5] [--warmup 2] runs untimed warm-ups and timed repetitions,
prints progress on stderr and one JSON line on stdout. With --serve (how Nas.Sandbox.Bench drives it) it prints a "ready"
JSON line, then runs one evaluation per "run" line on stdin, answering one JSON line each. With --archs FILE it evaluates
each architecture of the file once, one at a time (bench/workers_throughput.py). Exit code 3 when torch or numpy cannot
be imported.
"""
import argparse
import gzip
import json
import os
import statistics
import sys
import time

try:
    import numpy as np
    import torch
    import torch.nn as nn
    import torch.nn.functional as F
except ImportError as error:  # reported by the C# bench as "python3/torch missing"
    print(f"pytorch_peer: cannot import: {error}", file=sys.stderr)
    sys.exit(3)

ARCH = "|nor_conv_3x3~0|+|nor_conv_3x3~0|avg_pool_3x3~1|+|skip_connect~0|nor_conv_3x3~1|skip_connect~2|"
DATA = "/usr/share/datasets/fashion-mnist"
MEAN, STD = 0.2860, 0.3530


# ---- NAS-Bench-201 operations (xautodl/models/cell_operations.py) ----
class ReLUConvBN(nn.Module):
    def __init__(self, c_in, c_out, kernel, stride, padding):
        super().__init__()
        self.op = nn.Sequential(nn.ReLU(inplace=False),
                                nn.Conv2d(c_in, c_out, kernel, stride=stride, padding=padding, bias=False),
                                nn.BatchNorm2d(c_out))

    def forward(self, x):
        return self.op(x)


class Pooling(nn.Module):  # POOLING('avg'), channels unchanged and stride 1 inside cells: no preprocess
    def __init__(self, c_in, c_out, stride):
        super().__init__()
        self.preprocess = None if c_in == c_out else ReLUConvBN(c_in, c_out, 1, 1, 0)
        self.op = nn.AvgPool2d(3, stride=stride, padding=1, count_include_pad=False)

    def forward(self, x):
        return self.op(x if self.preprocess is None else self.preprocess(x))


class Zero(nn.Module):
    def forward(self, x):
        return x.mul(0.0)


# ---- DARTS operations (Liu et al. 2019, operations.py), as the sandbox's built-ins build them ----
class SepConv(nn.Module):
    def __init__(self, c_in, c_out, kernel, stride, padding):
        super().__init__()
        self.op = nn.Sequential(
            nn.ReLU(inplace=False),
            nn.Conv2d(c_in, c_in, kernel, stride=stride, padding=padding, groups=c_in, bias=False),
            nn.Conv2d(c_in, c_in, 1, bias=False),
            nn.BatchNorm2d(c_in),
            nn.ReLU(inplace=False),
            nn.Conv2d(c_in, c_in, kernel, stride=1, padding=padding, groups=c_in, bias=False),
            nn.Conv2d(c_in, c_out, 1, bias=False),
            nn.BatchNorm2d(c_out))

    def forward(self, x):
        return self.op(x)


class DilConv(nn.Module):
    def __init__(self, c_in, c_out, kernel, stride, padding, dilation):
        super().__init__()
        self.op = nn.Sequential(
            nn.ReLU(inplace=False),
            nn.Conv2d(c_in, c_in, kernel, stride=stride, padding=padding, dilation=dilation, groups=c_in, bias=False),
            nn.Conv2d(c_in, c_out, 1, bias=False),
            nn.BatchNorm2d(c_out))

    def forward(self, x):
        return self.op(x)


class SqueezeExcitation(nn.Module):  # se_block (Hu et al. 2018), reduction 4; shape kept inside cells: no reduction
    def __init__(self, c):
        super().__init__()
        hidden = max(1, c // 4)
        self.fc1 = nn.Conv2d(c, hidden, 1)
        self.fc2 = nn.Conv2d(hidden, c, 1)

    def forward(self, x):
        gate = torch.sigmoid(self.fc2(torch.relu(self.fc1(nn.functional.adaptive_avg_pool2d(x, 1)))))
        return x * gate


class InvertedResidual(nn.Module):  # mbconv_kK_eE (MobileNetV2, Sandler et al. 2018) in torchvision's layout; c -> c at stride 1 inside cells
    def __init__(self, c, kernel, expansion, c_out=None, stride=1):
        super().__init__()
        c_out = c if c_out is None else c_out
        hidden = c * expansion
        self.conv = nn.Sequential(
            nn.Sequential(nn.Conv2d(c, hidden, 1, bias=False), nn.BatchNorm2d(hidden), nn.ReLU6()),
            nn.Sequential(
                nn.Conv2d(hidden, hidden, kernel, stride=stride, padding=(kernel - 1) // 2, groups=hidden, bias=False),
                nn.BatchNorm2d(hidden),
                nn.ReLU6()),
            nn.Conv2d(hidden, c_out, 1, bias=False),
            nn.BatchNorm2d(c_out))
        self.residual = stride == 1 and c == c_out

    def forward(self, x):
        # The inverted residual when the shape is kept; MobileNetV2's downsampling block has no shortcut.
        return x + self.conv(x) if self.residual else self.conv(x)


OPS = {
    "none": lambda c: Zero(),
    "skip_connect": lambda c: nn.Identity(),
    "nor_conv_1x1": lambda c: ReLUConvBN(c, c, 1, 1, 0),
    "nor_conv_3x3": lambda c: ReLUConvBN(c, c, 3, 1, 1),
    "avg_pool_3x3": lambda c: Pooling(c, c, 1),
    "sep_conv_3x3": lambda c: SepConv(c, c, 3, 1, 1),
    "sep_conv_5x5": lambda c: SepConv(c, c, 5, 1, 2),
    "dil_conv_3x3": lambda c: DilConv(c, c, 3, 1, 2, 2),
    "dil_conv_5x5": lambda c: DilConv(c, c, 5, 1, 4, 2),
    "se_block": lambda c: SqueezeExcitation(c),
}
for _k in (3, 5, 7):
    for _e in (3, 6):
        OPS[f"mbconv_k{_k}_e{_e}"] = lambda c, k=_k, e=_e: InvertedResidual(c, k, e)


def parse(arch):
    """'|op~0|+|op~0|op~1|+|...|' -> [[(op, source)], ...] for nodes 1..3."""
    return [[(t.split("~")[0], int(t.split("~")[1])) for t in node.strip("|").split("|")] for node in arch.split("+")]


class InferCell(nn.Module):
    def __init__(self, genotype, channels):
        super().__init__()
        self.layers = nn.ModuleList()
        self.node_in = []
        for node in genotype:
            for op, source in node:
                self.layers.append(OPS[op](channels))
            self.node_in.append([source for _, source in node])

    def forward(self, x):
        nodes = [x]
        k = 0
        for sources in self.node_in:
            total = None
            for s in sources:
                y = self.layers[k](nodes[s])
                k += 1
                total = y if total is None else total + y
            nodes.append(total)
        return nodes[-1]


class ResNetBasicblock(nn.Module):
    def __init__(self, c_in, c_out):
        super().__init__()
        self.conv_a = ReLUConvBN(c_in, c_out, 3, 2, 1)
        self.conv_b = ReLUConvBN(c_out, c_out, 3, 1, 1)
        self.downsample = nn.Sequential(nn.AvgPool2d(2, stride=2, padding=0),
                                        nn.Conv2d(c_in, c_out, 1, stride=1, padding=0, bias=False))

    def forward(self, x):
        return self.downsample(x) + self.conv_b(self.conv_a(x))


class TinyNetwork(nn.Module):
    def __init__(self, arch, c=8, n=1, in_channels=1, classes=10):
        super().__init__()
        genotype = parse(arch)
        self.stem = nn.Sequential(nn.Conv2d(in_channels, c, 3, padding=1, bias=False), nn.BatchNorm2d(c))
        cells, channels = [], c
        for stage in range(3):
            if stage > 0:
                cells.append(ResNetBasicblock(channels, channels * 2))
                channels *= 2
            cells.extend(InferCell(genotype, channels) for _ in range(n))
        self.cells = nn.ModuleList(cells)
        self.lastact = nn.Sequential(nn.BatchNorm2d(channels), nn.ReLU(inplace=True))
        self.global_pooling = nn.AdaptiveAvgPool2d(1)
        self.classifier = nn.Linear(channels, classes)

    def forward(self, x):
        x = self.stem(x)
        for cell in self.cells:
            x = cell(x)
        x = self.global_pooling(self.lastact(x)).flatten(1)
        return self.classifier(x)


class MacroNetwork(nn.Module):
    """The macro space's network as src/Nas.Sandbox.Core/Evaluation/Model/MacroNetwork.cs builds it: a 3x3 conv-BN-ReLU6
    stem to C; three stages at C, 2C, 4C, the second and third entered by a stride-2 inverted residual (k3, e6), each a
    chain of its layers ('op-op-op-op' per stage, stages joined by '|'); a 1x1 conv-BN-ReLU6 head to 4x the last width,
    global average pooling, a linear classifier. The attributes carry TorchSharp's field names (_stem, _layers, _head,
    _classifier), so load_state_dict(strict=True) takes the model.pt that nas train exports."""

    def __init__(self, arch, c=8, in_channels=1, classes=10):
        super().__init__()
        self._stem = nn.Sequential(nn.Conv2d(in_channels, c, 3, padding=1, bias=False), nn.BatchNorm2d(c), nn.ReLU6())
        layers, width = [], c
        for stage, ops in enumerate(part.split("-") for part in arch.split("|")):
            if stage > 0:
                layers.append(InvertedResidual(width, 3, 6, c_out=width * 2, stride=2))
                width *= 2
            layers.extend(OPS[op](width) for op in ops)
        self._layers = nn.ModuleList(layers)
        self._head = nn.Sequential(nn.Conv2d(width, width * 4, 1, bias=False), nn.BatchNorm2d(width * 4), nn.ReLU6())
        self._classifier = nn.Linear(width * 4, classes)

    def forward(self, x):
        x = self._stem(x)
        for layer in self._layers:
            x = layer(x)
        x = nn.functional.adaptive_avg_pool2d(self._head(x), 1).flatten(1)
        return self._classifier(x)


# ---- data ----
def read_idx(path):
    with gzip.open(path, "rb") as f:
        raw = f.read()
    dims = raw[3]
    shape = [int.from_bytes(raw[4 + 4 * d:8 + 4 * d], "big") for d in range(dims)]
    return np.frombuffer(raw, dtype=np.uint8, offset=4 + 4 * dims).reshape(shape)


def load(train_images, val_images, seed):
    images = read_idx(os.path.join(DATA, "train-images-idx3-ubyte.gz"))
    labels = read_idx(os.path.join(DATA, "train-labels-idx1-ubyte.gz"))
    order = np.random.default_rng(seed).permutation(len(labels))
    train, val = order[:train_images], order[train_images:train_images + val_images]

    def tensors(idx):
        x = torch.from_numpy((images[idx].astype(np.float32) / 255.0 - MEAN) / STD).unsqueeze(1).contiguous()
        return x, torch.from_numpy(labels[idx].astype(np.int64))
    return tensors(train), tensors(val)


# ---- one evaluation: build, train one epoch, validate ----
def evaluate(train, val, args, seed, arch=ARCH):
    (x, y), (vx, vy) = train, val
    t0 = time.perf_counter()
    torch.manual_seed(seed)
    model = TinyNetwork(arch, args.channels, args.cells)
    count = x.shape[0]
    batches = (count + args.batch - 1) // args.batch
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9, weight_decay=5e-4, nesterov=True)
    schedule = torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=args.epochs * batches)
    t1 = time.perf_counter()
    model.train()
    for _ in range(args.epochs):
        permutation = torch.randperm(count)
        for b in range(batches):
            index = permutation[b * args.batch:(b + 1) * args.batch]
            optimizer.zero_grad()
            loss = F.cross_entropy(model(x.index_select(0, index)), y.index_select(0, index))
            loss.backward()
            nn.utils.clip_grad_norm_(model.parameters(), 5.0)
            optimizer.step()
            schedule.step()
    t2 = time.perf_counter()
    model.eval()
    correct = 0
    with torch.no_grad():
        for start in range(0, vx.shape[0], 500):
            logits = model(vx[start:start + 500])
            correct += int((logits.argmax(1) == vy[start:start + 500]).sum())
    t3 = time.perf_counter()
    return t3 - t0, t2 - t1, correct / vx.shape[0]


def config():
    return {"torch": torch.__version__, "threads": torch.get_num_threads(),
            "aten_cpu_capability": os.environ.get("ATEN_CPU_CAPABILITY", "(unset)"),
            "onednn_max_cpu_isa": os.environ.get("ONEDNN_MAX_CPU_ISA", "(unset)")}


def serve(train, val, args):
    """Resident mode for the C# bench: one evaluation per 'run' line on stdin, one JSON line back; 'quit' or EOF ends."""
    print(json.dumps({"ready": True, **config()}), flush=True)
    for line in sys.stdin:
        command = line.strip()
        if command == "quit":
            break
        if command != "run":
            print(json.dumps({"error": f"unknown command {command!r}"}), flush=True)
            continue
        try:
            total, train_s, accuracy = evaluate(train, val, args, seed=1)
            print(json.dumps({"total": total, "train": train_s, "acc": accuracy}), flush=True)
        except Exception as error:  # reported by the bench, which then drops the peer
            print(json.dumps({"error": f"{type(error).__name__}: {error}"}), flush=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--serve", action="store_true", help="resident mode driven by the C# bench over stdin/stdout")
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--warmup", type=int, default=2)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--epochs", type=int, default=1)
    parser.add_argument("--train-images", type=int, default=5000)
    parser.add_argument("--val-images", type=int, default=2000)
    parser.add_argument("--batch", type=int, default=64)
    parser.add_argument("--channels", type=int, default=8)
    parser.add_argument("--cells", type=int, default=1)
    parser.add_argument("--archs", help="evaluate each architecture in this file (one per line) once, one at a time, "
                        "after --warmup evaluations of the first; prints the total (bench/workers_throughput.py)")
    args = parser.parse_args()

    torch.set_num_threads(args.threads)
    train, val = load(args.train_images, args.val_images, seed=1)
    if args.serve:
        serve(train, val, args)
        return
    if args.archs:
        archs = [line.strip() for line in open(args.archs) if line.strip()]
        for _ in range(args.warmup):
            evaluate(train, val, args, seed=1, arch=archs[0])
        totals = [evaluate(train, val, args, seed=i, arch=arch)[0] for i, arch in enumerate(archs)]
        print(json.dumps({"runner": "pytorch", **config(), "evaluations": len(totals), "seconds": round(sum(totals), 3),
                          "evaluations_per_hour": round(3600 * len(totals) / sum(totals), 1)}))
        return
    print("pytorch config: " + ", ".join(f"{k}={v}" for k, v in config().items()), file=sys.stderr, flush=True)
    images = args.train_images * args.epochs
    totals, trains, accuracies = [], [], []
    for rep in range(args.warmup + args.repeats):
        total, train_s, accuracy = evaluate(train, val, args, seed=1)  # same work every repetition, as in the C# bench
        tag = f"warm-up{rep + 1}" if rep < args.warmup else f"rep {rep - args.warmup + 1}"
        print(f"pytorch {tag:<8} {total:6.2f} s ({images / total:7.1f} img/s, train only {images / train_s:7.1f} img/s, "
              f"val acc {accuracy:.4f})", file=sys.stderr, flush=True)
        if rep < args.warmup:
            continue
        totals.append(total)
        trains.append(train_s)
        accuracies.append(accuracy)

    rates = [images / t for t in totals]
    train_rates = [images / t for t in trains]
    print(json.dumps({
        "runner": "pytorch", **config(),
        "images_per_s": [round(r, 2) for r in rates], "train_images_per_s": [round(r, 2) for r in train_rates],
        "median_images_per_s": round(statistics.median(rates), 2),
        "median_train_images_per_s": round(statistics.median(train_rates), 2),
        "val_acc": accuracies,
    }))


if __name__ == "__main__":
    main()
