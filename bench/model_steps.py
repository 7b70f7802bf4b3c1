#!/usr/bin/env python3
"""Whole-model speed: kiln against ONNX Runtime (inference) and PyTorch (training steps).

For each model of bench/resnets.py (a CIFAR ResNet-20 and ResNet-50 v1.5), in one run:
  - inference images/s at batch 1 and 8: kiln (kilnc --batch B, `kiln-run infer --repeat`)
    against ONNX Runtime (npm onnxruntime-node, bench/ort_time.js) on the same ONNX file;
  - training images/s at batch 32 on synthetic data with SGD and momentum: kiln (kilnc --train,
    `kiln-run train --data synthetic`) against PyTorch (2 threads, channels_last, the same
    updates after one warm-up step); kiln twice: one copy of the model at batch 32 whose
    loops use both threads, and (row "2x16") two replicas of batch 16, a thread each
    (`kiln-run train --replicas 2`: the same global batch, batch-norm statistics per 16);
  - kilnc's compile time of every artifact.
The ONNX file is PyTorch's export of the model in eval mode, so both start from the same
weights. A benchmark, not a test. ONNX Runtime needs `cd bench && npm install` (see
bench/contractions.py); without it its column says n/a.

    /usr/bin/python3 bench/model_steps.py [--models cifar_resnet20,resnet50] [--threads 2]
        [--train-steps N] [--repeats 5] [--rounds 1] [--no-train]

The speed of these shared machines drifts from one process to the next: with --rounds N
every row is measured N times, kiln and its peer back to back in each round (the peer
first in every other round: back-to-back runs favoured whichever went first), and the table
gives the medians and the median of the per-round ratios. After each measurement one sample
of the threads' FMA peak is taken: column "shared" counts the rounds in which it was under
80 % of the starting peak (the host had put the vCPUs on one core; bench/contractions.py).
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

import torch
from torch import nn

from contractions import (SHARED_CORE_SHARE, kiln_compile, kiln_time, measure_peak,
                          one_core_peak, ort_time)
from resnets import MODELS

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def export(model, batch, shape, path):
    model.eval()
    torch.onnx.export(model, torch.zeros(batch, *shape), path, opset_version=13,
                      training=torch.onnx.TrainingMode.PRESERVE, do_constant_folding=False,
                      input_names=["image"], output_names=["logits"])


def torch_training_step(model, shape, batch, threads):
    """PyTorch at its best here: `threads` threads, channels_last, SGD with momentum on one
    fixed synthetic batch. Returns the step; nothing has run yet."""
    torch.set_num_threads(threads)
    model = model.to(memory_format=torch.channels_last).train()
    optimizer = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
    x = torch.randn(batch, *shape).contiguous(memory_format=torch.channels_last)
    labels = torch.randint(0, model[-1].out_features, (batch,))

    def step():
        optimizer.zero_grad(set_to_none=True)
        nn.functional.cross_entropy(model(x), labels).backward()
        optimizer.step()
    return step


def torch_train_speed(model, shape, batch, steps, threads):
    step = torch_training_step(model, shape, batch, threads)
    step()
    start = time.perf_counter()
    for _ in range(steps):
        step()
    return steps * batch / (time.perf_counter() - start)


def kiln_compile_training(bin_dir, onnx_path, batch, artifact):
    """kilnc --train with the updates of torch_training_step; returns the seconds it took."""
    start = time.perf_counter()
    result = subprocess.run([os.path.join(bin_dir, "kilnc"), onnx_path, "--train", "--batch",
                             str(batch), "--optimizer", "sgd", "--momentum", "0.9", "-o",
                             artifact], capture_output=True, text=True)
    if result.returncode != 0:
        raise RuntimeError("kilnc --train: " + result.stderr.strip()[-500:])
    return time.perf_counter() - start


def kiln_train_command(bin_dir, artifact, steps, log_path, replicas=1):
    """`kiln-run train` on synthetic data, without the end-of-run evaluation, a log record
    per step."""
    return [os.path.join(bin_dir, "kiln-run"), "train", artifact, "--data", "synthetic",
            "--steps", str(steps), "--lr", "0.01", "--no-eval", "--progress", "lines",
            "--log-every", "1", "--log", log_path, "--replicas", str(replicas)]


def kiln_train_speed(bin_dir, artifact, steps, threads, replicas=1):
    """Images/s over `steps` steps after one warm-up step, as torch_train_speed: the first
    step also pays for touching the arena's pages for the first time."""
    env = dict(os.environ, OMP_NUM_THREADS=str(threads))
    with tempfile.TemporaryDirectory() as work:
        log_path = os.path.join(work, "log.jsonl")
        command = kiln_train_command(bin_dir, artifact, steps + 1, log_path, replicas)
        result = subprocess.run(command, capture_output=True, text=True, env=env)
        if result.returncode != 0:
            raise RuntimeError("kiln-run train: " +
                               (result.stderr.strip().splitlines() or ["?"])[-1])
        with open(log_path) as log:
            records = [json.loads(line) for line in log if line.strip()]
    rates = [r["images_per_s"] for r in records if r["kind"] == "train"][1:]
    if len(rates) != steps:
        raise RuntimeError(f"kiln-run train: {len(rates)} timed steps in its log, not {steps}")
    return len(rates) / sum(1.0 / rate for rate in rates)


def fmt(value):
    return f"{value:10.1f}" if value is not None else f"{'n/a':>10}"


class Row:
    """One comparison of the table: how to time kiln and its peer once (images/s each), and
    the figures of every round."""

    def __init__(self, label, peer_name, compile_s, kiln, peer):
        self.label, self.peer_name, self.compile_s = label, peer_name, compile_s
        self.kiln, self.peer = kiln, peer  # callables, or None when that side cannot run
        self.kiln_rates, self.peer_rates = [], []
        self.shared = 0  # rounds after which the host had put the threads on one core

    def run_round(self, round_index):
        # The sides take turns going first: in back-to-back A/B runs of two kiln artifacts on
        # this kind of host, whichever ran first won most rounds.
        sides = [("kiln", self.kiln), ("peer", self.peer)]
        if round_index % 2:
            sides.reverse()
        rates = {side: measure() if measure else None for side, measure in sides}
        kiln, peer = rates["kiln"], rates["peer"]
        if kiln is not None:
            self.kiln_rates.append(kiln)
        if peer is not None:
            self.peer_rates.append(peer)
        ratio = f"{kiln / peer:.3f}x" if kiln and peer else "-"
        print(f"round {round_index}: {self.label}: kiln {fmt(kiln).strip()} {self.peer_name} "
              f"{fmt(peer).strip()} images/s, ratio {ratio}", flush=True)

    def summary(self):
        kiln = statistics.median(self.kiln_rates) if self.kiln_rates else None
        peer = statistics.median(self.peer_rates) if self.peer_rates else None
        ratios = [k / p for k, p in zip(self.kiln_rates, self.peer_rates)]
        ratio = f"{statistics.median(ratios):6.3f}x" if ratios else f"{'-':>7}"
        compiled = f"{self.compile_s:8.1f}" if self.compile_s is not None else f"{'-':>8}"
        return (f"{self.label:28} {fmt(kiln)} {fmt(peer)} {self.peer_name:>8} {ratio} {compiled}"
                f" {self.shared:>6}")


def inference_rows(args, bin_dir, use_ort, name, model, shape, work):
    rows = []
    for batch in (1, 8):
        onnx_path = os.path.join(work, f"{name}.b{batch}.onnx")
        export(model, batch, shape, onnx_path)
        artifact = onnx_path[:-5] + ".kx"
        kiln, ort, compile_s = None, None, None
        try:
            compile_s = kiln_compile(bin_dir, onnx_path, batch, artifact)
            kiln = (lambda b=batch, a=artifact:
                    b * 1e3 / kiln_time(bin_dir, a, args.repeats, args.threads))
        except RuntimeError as error:
            print(f"{name} batch {batch}: {error}")
        if use_ort:
            ort = (lambda b=batch, o=onnx_path:
                   b * 1e3 / ort_time(args.ort_modules, o, "image", [b, *shape],
                                      args.repeats, args.threads))
        rows.append(Row(f"{name} infer b{batch}", "ORT", compile_s, kiln, ort))
    return rows


# Timed training steps per measurement when --train-steps is not given: a second or more of
# steps for each side (3 ResNet-20 steps took 0.3 s, and both sides moved by a third from one
# round to the next).
TRAIN_STEPS = {"cifar_resnet20": 20, "resnet50": 3}


def training_rows(args, bin_dir, name, model, make, shape, work):
    """Training at the global batch: kiln as one copy of the model whose loop nests use all
    threads, and (with several threads) as one replica per thread, each on its share of the
    batch (`kiln-run train --replicas`; batch-norm statistics per replica)."""
    steps = args.train_steps or TRAIN_STEPS.get(name, 3)
    peer = lambda: torch_train_speed(make(), shape, args.train_batch, steps,
                                     args.threads)
    replicas = args.threads if args.threads > 1 and args.train_batch % args.threads == 0 else 1
    rows = []
    for copies in sorted({1, replicas}):
        batch = args.train_batch // copies
        onnx_path = os.path.join(work, f"{name}.train{batch}.onnx")
        export(model, batch, shape, onnx_path)
        artifact = onnx_path[:-5] + ".kx"
        kiln, compile_s = None, None
        try:
            compile_s = kiln_compile_training(bin_dir, onnx_path, batch, artifact)
            kiln = (lambda a=artifact, c=copies:
                    kiln_train_speed(bin_dir, a, steps, args.threads, c))
        except RuntimeError as error:
            print(f"{name} training: {error}")
        label = f"{name} train b{args.train_batch}"
        if copies > 1:
            label += f" {copies}x{batch}"
        rows.append(Row(label, "PyTorch", compile_s, kiln, peer))
    return rows


def main():
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--models", default="cifar_resnet20,resnet50")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--train-batch", type=int, default=32)
    parser.add_argument("--train-steps", type=int, default=None,
                        help="timed training steps per measurement (default: 20 for "
                             "cifar_resnet20, 3 for resnet50)")
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--rounds", type=int, default=1,
                        help="measure every row this many times, kiln and its peer one "
                             "after the other each round (taking turns going first); the "
                             "table gives medians")
    parser.add_argument("--no-train", action="store_true", help="inference only")
    parser.add_argument("--build", default=os.path.join(REPO, "build"))
    parser.add_argument("--ort-modules", default=os.path.join(REPO, "bench", "node_modules"))
    args = parser.parse_args()
    if args.rounds < 1:
        parser.error("--rounds must be at least 1")
    bin_dir = os.path.join(args.build, "bin")
    use_ort = os.path.isdir(os.path.join(args.ort_modules, "onnxruntime-node"))
    torch.manual_seed(0)

    rows = []
    with tempfile.TemporaryDirectory(prefix="kiln-models-") as work:
        for name in args.models.split(","):
            make, shape = MODELS[name]
            model = make()
            rows += inference_rows(args, bin_dir, use_ort, name, model, shape, work)
            if not args.no_train:
                rows += training_rows(args, bin_dir, name, model, make, shape, work)
        # After each measurement one sample of the threads' FMA peak (bench/contractions.py's
        # one_core_peak): under SHARED_CORE_SHARE of the starting peak, they ran on one core.
        peak = measure_peak(work, args.threads) if args.threads > 1 else None
        for round_index in range(args.rounds):
            for row in rows:
                try:
                    row.run_round(round_index)
                except RuntimeError as error:
                    print(f"round {round_index}: {row.label}: {error}")
                sample = one_core_peak(work, args.threads, peak) if peak else None
                if sample:
                    row.shared += 1
                    print(f"round {round_index}: {row.label}: the threads' FMA peak after "
                          f"it {sample:.0f} GFLOP/s of {peak:.0f}: on one core", flush=True)

    print(f"\nmedians of {args.rounds} round(s); ratio: the median of the rounds' kiln/peer")
    print(f"shared: rounds after which {args.threads} threads reached less than "
          f"{SHARED_CORE_SHARE:.0%} of their FMA peak (the host had put them on one core)")
    print(f"{'':28} {'kiln i/s':>10} {'peer i/s':>10} {'peer':>8} {'ratio':>7} {'kilnc s':>8}"
          f" {'shared':>6}")
    for row in rows:
        print(row.summary())
    return 0


if __name__ == "__main__":
    sys.exit(main())
