#!/usr/bin/python3
"""Loads a model folder that `nas train` exported into bench/pytorch_peer.py's network of its space (NAS-Bench-201's
TinyNetwork for nb201 and for exports from before spaces, MacroNetwork for macro) and prints its logits on the first N
images of an IDX file, as one JSON line: {"keys": K, "logits": [[...], ...]}. Another space is exit code 2.

    /usr/bin/python3 bench/pytorch_logits.py MODEL_FOLDER IMAGES_IDX[.gz] [N]

model.pt is loaded with load_state_dict(strict=True): a missing or unexpected key (weights or batch-norm running
statistics) or a shape mismatch fails it. The images are normalised with architecture.json's mean and std, as nas
predict does. model.pt is first checked against the size and SHA-256 architecture.json records of it ("files"; an
export from before checksums has none): a difference is exit code 4. Exit code 3 when torch or numpy cannot be
imported (the C# test then skips, naming python3-torch).
"""
import gzip
import hashlib
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
try:
    import numpy as np
    import torch
    from pytorch_peer import MacroNetwork, TinyNetwork
except ImportError as error:
    print(f"pytorch_logits: cannot import: {error}", file=sys.stderr)
    sys.exit(3)


def read_idx(path):
    with open(path, "rb") as f:
        raw = f.read()
    if raw[:2] == b"\x1f\x8b":
        raw = gzip.decompress(raw)
    dims = raw[3]
    shape = [int.from_bytes(raw[4 + 4 * d:8 + 4 * d], "big") for d in range(dims)]
    return np.frombuffer(raw, dtype=np.uint8, offset=4 + 4 * dims).reshape(shape)


def main():
    folder, images_path = sys.argv[1], sys.argv[2]
    count = int(sys.argv[3]) if len(sys.argv) > 3 else 100
    torch.set_num_threads(1)
    with open(os.path.join(folder, "architecture.json")) as f:
        spec = json.load(f)
    space = spec.get("space", "nb201")  # nas-model/1 was always an NB201 cell
    if space == "nb201":
        model = TinyNetwork(spec["architecture"], spec["channels"], spec["cellsPerStage"], spec["inputChannels"],
                            spec["classes"])
    elif space == "macro":
        model = MacroNetwork(spec["architecture"], spec["channels"], spec["inputChannels"], spec["classes"])
    else:
        print(f"pytorch_logits: no PyTorch definition of space '{space}' in pytorch_peer.py", file=sys.stderr)
        sys.exit(2)
    state_path = os.path.join(folder, "model.pt")
    recorded = (spec.get("files") or {}).get("model.pt")
    if recorded is not None:
        with open(state_path, "rb") as f:
            data = f.read()
        if len(data) != recorded["bytes"] or hashlib.sha256(data).hexdigest() != recorded["sha256"]:
            print(f"pytorch_logits: {state_path}: its size or SHA-256 is not what architecture.json records "
                  "(the file was changed or damaged after nas train wrote it)", file=sys.stderr)
            sys.exit(4)
    state = torch.load(state_path, map_location="cpu")
    model.load_state_dict(state, strict=True)
    model.eval()
    images = read_idx(images_path)[:count].astype(np.float32) / 255.0
    mean, std = spec["mean"][0], spec["std"][0]
    x = torch.from_numpy((images - mean) / std).unsqueeze(1).contiguous()
    with torch.no_grad():
        logits = model(x)
    print(json.dumps({"keys": len(state), "logits": logits.tolist()}))


if __name__ == "__main__":
    main()
