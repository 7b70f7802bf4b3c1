#!/usr/bin/env python3
"""Trains one Fashion-MNIST CNN with PyTorch and with kiln, side by side, and prints both.

The model (test/e2e/fashion_cnn/make_model.py: two conv-BN-ReLU-maxpool blocks, then a linear
classifier) is built in PyTorch and
exported to ONNX; kiln compiles that same file (kilnc --train) and trains it (kiln-run train),
so both start from the same weights and see the same data, batch, optimizer and number of
updates. Prints images/s of the training loop for each, their ratio, and the test accuracy.
A benchmark, not a test: nothing passes or fails on timings. If kiln cannot train the model
yet, its part reports the error and the PyTorch numbers are still printed.

    /usr/bin/python3 bench/train_fashion_mnist.py [--epochs 1] [--steps N] [--batch 64] ...

Needs torch (Debian: python3-torch), onnx, numpy, a built kiln (build/bin) and the
Fashion-MNIST IDX files (Debian: dataset-fashion-mnist, /usr/share/datasets/fashion-mnist).
"""
import argparse
import gzip
import os
import re
import subprocess
import sys
import tempfile
import time

import numpy as np
import onnx
import torch
from torch import nn

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TRAIN_IMAGES = 60000


# The model of the README's main job and of docs/training.md's full run.
sys.path.insert(0, os.path.join(REPO, "test", "e2e", "fashion_cnn"))
from make_model import FashionCnn  # noqa: E402


def read_idx(path):
    """An IDX file (raw or .gz) as a uint8 array of its dims."""
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rb") as f:
        data = f.read()
    rank = data[3]
    dims = np.frombuffer(data[4:4 + 4 * rank], ">u4")
    return np.frombuffer(data[4 + 4 * rank:], np.uint8).reshape(dims)


def load_split(data_dir, prefix):
    """Images scaled to [0, 1] as kiln-run's idx: reader does (no normalisation), labels."""
    def find(name):
        for candidate in (name, name + ".gz"):
            if os.path.exists(os.path.join(data_dir, candidate)):
                return os.path.join(data_dir, candidate)
        sys.exit(f"{data_dir}: no {name}[.gz]")
    images = read_idx(find(prefix + "-images-idx3-ubyte")).astype(np.float32) / 255.0
    labels = read_idx(find(prefix + "-labels-idx1-ubyte")).astype(np.int64)
    return torch.from_numpy(images).unsqueeze(1), torch.from_numpy(labels)


def export(model, batch, path):
    """ONNX opset 13 at a fixed batch. Exported in eval mode, so the trace leaves the running
    statistics alone and BatchNormalization is the usual inference node; kilnc --train turns
    it into batch statistics."""
    model.eval()
    torch.onnx.export(model, torch.zeros(batch, 1, 28, 28), path, opset_version=13,
                      training=torch.onnx.TrainingMode.PRESERVE, do_constant_folding=False,
                      input_names=["image"], output_names=["logits"])
    onnx.checker.check_model(onnx.load(path))


def train_torch(model, train, test, args, updates):
    """Returns (training images/s, test top-1 %)."""
    torch.set_num_threads(args.threads)
    memory_format = torch.channels_last if args.channels_last else torch.contiguous_format
    model = model.to(memory_format=memory_format)
    optimizer = torch.optim.SGD(model.parameters(), lr=args.lr, momentum=args.momentum)
    images, labels = train
    generator = torch.Generator().manual_seed(args.seed)
    per_epoch = len(labels) // args.batch
    model.train()
    start = time.perf_counter()
    for update in range(updates):
        if update % per_epoch == 0:
            order = torch.randperm(len(labels), generator=generator)
        chosen = order[(update % per_epoch) * args.batch:(update % per_epoch + 1) * args.batch]
        x = images[chosen].contiguous(memory_format=memory_format)
        optimizer.zero_grad(set_to_none=True)
        nn.functional.cross_entropy(model(x), labels[chosen]).backward()
        optimizer.step()
    elapsed = time.perf_counter() - start
    model.eval()
    correct = 0
    with torch.no_grad():
        for i in range(0, len(test[1]), 1000):
            x = test[0][i:i + 1000].contiguous(memory_format=memory_format)
            correct += int((model(x).argmax(1) == test[1][i:i + 1000]).sum())
    return updates * args.batch / elapsed, 100.0 * correct / len(test[1])


def parse_kiln_run(output):
    """Reads kiln-run train's summary: the last `train: N images/s` and the last
    `eval epoch E: loss L top1 A% top5 B% (N images)` lines. Missing values are None."""
    speed = re.findall(r"train: ([0-9.]+) images/s", output)
    evals = re.findall(r"eval epoch \d+: loss ([0-9.]+) top1 ([0-9.]+)% top5 ([0-9.]+)%",
                       output)
    return {"images_per_s": float(speed[-1]) if speed else None,
            "loss": float(evals[-1][0]) if evals else None,
            "top1": float(evals[-1][1]) if evals else None,
            "top5": float(evals[-1][2]) if evals else None}


def run(command, env=None):
    """Runs a command; returns (ok, stdout + stderr, seconds)."""
    print("$ " + " ".join(command), flush=True)
    start = time.perf_counter()
    result = subprocess.run(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            text=True, env=env)
    return result.returncode == 0, result.stdout, time.perf_counter() - start


def train_kiln(model_path, work, args, updates):
    """Compiles and trains with kiln; returns (parsed summary, error text or None)."""
    bin_dir = os.path.join(args.build, "bin")
    artifact = os.path.join(work, "fashion.kx")
    ok, out, seconds = run([os.path.join(bin_dir, "kilnc"), model_path, "--train",
                            "--batch", str(args.batch), "--loss", "softmax-cross-entropy",
                            "--optimizer", "sgd", "--momentum", str(args.momentum),
                            "-o", artifact])
    if not ok:
        return None, "kilnc failed:\n" + out
    print(f"kilnc: {seconds:.1f} s")
    # The same number of threads as PyTorch, for the artifact's OpenMP loops.
    env = dict(os.environ, OMP_NUM_THREADS=str(args.threads))
    ok, out, seconds = run([os.path.join(bin_dir, "kiln-run"), "train", artifact,
                            "--data", "idx:" + args.data, "--lr", str(args.lr),
                            "--steps", str(updates), "--seed", str(args.seed),
                            "--progress", "lines"], env)
    summary = parse_kiln_run(out)
    if not ok:
        return summary, "kiln-run train failed:\n" + out
    if summary["images_per_s"] is None:
        return summary, "kiln-run train's output has no 'train: N images/s' line:\n" + out
    return summary, None


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--epochs", type=int, default=1)
    parser.add_argument("--steps", type=int, help="updates (instead of --epochs)")
    parser.add_argument("--batch", type=int, default=64)
    parser.add_argument("--lr", type=float, default=0.02)
    parser.add_argument("--momentum", type=float, default=0.9)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--channels-last", action=argparse.BooleanOptionalAction, default=True,
                        help="PyTorch memory format; channels-last (the default) was 13x "
                        "faster than contiguous on 2 cores with torch 1.13 (oneDNN convolutions)")
    parser.add_argument("--data", default="/usr/share/datasets/fashion-mnist")
    parser.add_argument("--build", default=os.path.join(REPO, "build"))
    parser.add_argument("--skip-torch", action="store_true")
    parser.add_argument("--skip-kiln", action="store_true")
    args = parser.parse_args(argv)
    updates = args.steps or args.epochs * (TRAIN_IMAGES // args.batch)

    torch.manual_seed(args.seed)
    model = FashionCnn()
    with tempfile.TemporaryDirectory(prefix="kiln-bench-") as work:
        model_path = os.path.join(work, "fashion_cnn.onnx")
        export(model, args.batch, model_path)  # before PyTorch trains it: same start
        print(f"{updates} updates of batch {args.batch}, SGD lr {args.lr} momentum "
              f"{args.momentum}, {args.threads} threads")
        results = {}
        if not args.skip_torch:
            train, test = load_split(args.data, "train"), load_split(args.data, "t10k")
            speed, top1 = train_torch(model, train, test, args, updates)
            results["pytorch"] = (speed, top1)
            print(f"pytorch {torch.__version__}: {speed:.0f} images/s, top1 {top1:.2f}%")
        if not args.skip_kiln:
            summary, error = train_kiln(model_path, work, args, updates)
            if error:
                print("kiln: could not train: " + error.strip()[-3000:])
            else:
                results["kiln"] = (summary["images_per_s"], summary["top1"])
                print(f"kiln: {summary['images_per_s']:.0f} images/s, top1 "
                      + (f"{summary['top1']:.2f}%" if summary["top1"] is not None else "n/a"))

    print(f"\n{'':10} {'images/s':>10} {'top1':>8}")
    for name, (speed, top1) in results.items():
        print(f"{name:10} {speed:10.0f} " + (f"{top1:7.2f}%" if top1 is not None else "    n/a"))
    if len(results) == 2:
        print(f"kiln / pytorch speed: {results['kiln'][0] / results['pytorch'][0]:.2f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
