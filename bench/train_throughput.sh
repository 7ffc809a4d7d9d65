#!/usr/bin/env bash
# Full-fidelity training throughput, nas train against the PyTorch peer, one after the other in one run: NB201's network
# (C=16, N=5) for the peer's reference architecture, batch 256, one epoch over the same number of Fashion-MNIST images,
# 2 threads each. Both rates are training alone (nas train's includes building its augmented batches; the peer's
# tensors are prepared before its clock starts). Validation, test and export are not timed. Usage:
#   bench/train_throughput.sh [IMAGES]        (default 2560 = 10 batches; prints both rates in images/s)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
images=${1:-2560}
arch='|nor_conv_3x3~0|+|nor_conv_3x3~0|avg_pool_3x3~1|+|skip_connect~0|nor_conv_3x3~1|skip_connect~2|'
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
# 100 validation and 300 test images (the committed subset's test set): only training is timed.
./nas train "$arch" --epochs 1 --seeds 1 --train-images "$images" --validation-images 100 \
  --dataset "fashion-mnist:tests/data/fashion-mnist-subset" --output "$out/run" >/dev/null 2>"$out/err" || {
  # the subset has 1,500 training images; more need the whole data set
  ./nas train "$arch" --epochs 1 --seeds 1 --train-images "$images" --validation-images 100 --output "$out/run2" \
    >/dev/null 2>"$out/err"; }
seconds=$(grep -Eo 'epoch 1/1 .* ([0-9.]+) s$' "$out/err" | grep -Eo '[0-9.]+ s$' | cut -d' ' -f1)
echo "nas train: $images images in $seconds s = $(python3 -c "print(round($images/$seconds,1))") images/s (training)"
/usr/bin/python3 bench/pytorch_peer.py --channels 16 --cells 5 --batch 256 --train-images "$images" --val-images 100 \
  --epochs 1 --warmup 0 --repeats 1 2>&1 | grep -E '^pytorch rep' | sed 's/^/peer: /'
