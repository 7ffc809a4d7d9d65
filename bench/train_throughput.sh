#!/usr/bin/env bash
# Full-fidelity training throughput, nas train against the PyTorch peer, one after the other in one run: NB201's network
# (C=16, N=5) for the peer's reference architecture, batch 256, one epoch over the same number of Fashion-MNIST images,
# 2 threads each. nas train's figure includes its augmentation and the end-of-run validation, test and export, so it
# is a lower bound of its training rate; the peer's "train only" rate is training alone. Usage:
#   bench/train_throughput.sh [IMAGES]        (default 5120 = 20 batches; prints both rates in images/s)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
images=${1:-5120}
arch='|nor_conv_3x3~0|+|nor_conv_3x3~0|avg_pool_3x3~1|+|skip_connect~0|nor_conv_3x3~1|skip_connect~2|'
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
./nas train "$arch" --epochs 1 --seeds 1 --train-images "$images" --output "$out/run" >/dev/null 2>"$out/err"
seconds=$(python3 -c "import json;print(json.load(open('$out/run/seed-0/curve.json'))[0]['Seconds'])")
echo "nas train: $images images in $seconds s (epoch incl. validation on 5000) = $(python3 -c "print(round($images/$seconds,1))") images/s"
/usr/bin/python3 bench/pytorch_peer.py --channels 16 --cells 5 --batch 256 --train-images "$images" --val-images 5000 \
  --epochs 1 --warmup 0 --repeats 1 2>&1 | grep -E '^pytorch rep' | sed 's/^/peer: /'
