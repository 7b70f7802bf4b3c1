#!/usr/bin/env python3
"""Peak memory of a training step: kiln against PyTorch on the same model and batch.

For each model of bench/resnets.py (default: ResNet-50 v1.5 at batch 32, SGD with momentum on
synthetic data), in one run:
  - kiln: `kilnc --train`, then `kiln-run train --data synthetic --steps N`; its peak resident
    set (getrusage of the child) and, from `kiln-run info`, what the artifact asks for: the
    bytes of each buffer role, the workspace its static memory plan packs the temporaries in,
    and what those temporaries would take without reuse;
  - PyTorch (2 threads, channels_last, the setup of bench/model_steps.py): the peak resident
    set of a process that runs the same steps.
Each tool's process also runs once without training (kiln: `kiln-run info`, which loads the
artifact; PyTorch: import, model and batch only) and the table subtracts that baseline, so
that "step" compares the memory the training itself adds (activations kept for the backward
pass, gradients, optimizer state, temporaries). Peaks are read by GNU time (Debian package
`time`). A benchmark, not a test.

    /usr/bin/python3 bench/memory.py [--models resnet50] [--batch 32] [--steps 2]
"""
import argparse
import os
import re
import subprocess
import sys
import tempfile

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
MiB = 1 << 20


def peak_rss(command, env=None):
    """Runs `command` under GNU time and returns (peak resident set in bytes, its output).
    Not getrusage of our own child: a child forked from this process (which has PyTorch
    loaded) starts with this process's resident set as its peak."""
    result = subprocess.run(["/usr/bin/time", "-f", "kiln-memory-peak-kib %M"] + command,
                            capture_output=True, text=True, env=env)
    match = re.search(r"kiln-memory-peak-kib (\d+)", result.stderr)
    if result.returncode != 0 or not match:
        raise RuntimeError(f"{command[0]} failed: {(result.stdout + result.stderr)[-500:]}")
    return int(match.group(1)) * 1024, result.stdout


def torch_worker(name, batch, steps, threads):
    """The PyTorch side, run in its own process so that its peak is its own."""
    from model_steps import torch_training_step
    from resnets import MODELS
    make, shape = MODELS[name]
    step = torch_training_step(make(), shape, batch, threads)
    for _ in range(steps):
        step()


def artifact_bytes(bin_dir, artifact):
    """Bytes per buffer role and the plans of `kiln-run info`."""
    info = subprocess.run([os.path.join(bin_dir, "kiln-run"), "info", artifact],
                          capture_output=True, text=True, check=True).stdout
    roles = {}
    for match in re.finditer(r"^\s*\d+\s+(\w+)\s+\w+\s+\[[^\]]*\]\s+(\d+)\s", info, re.M):
        roles[match.group(1)] = roles.get(match.group(1), 0) + int(match.group(2))
    plans = re.findall(r"memory plan: (\d+) temporaries \((\d+) bytes without reuse\) in "
                       r"(\d+) bytes of workspace, (\d+) left to the heap", info)
    return roles, plans


def main():
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--models", default="resnet50")
    parser.add_argument("--batch", type=int, default=32)
    parser.add_argument("--steps", type=int, default=2)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--build", default=os.path.join(REPO, "build"))
    parser.add_argument("--torch-worker", help=argparse.SUPPRESS)
    parser.add_argument("--torch-steps", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    sys.path.insert(0, os.path.join(REPO, "bench"))
    if args.torch_worker:
        torch_worker(args.torch_worker, args.batch, args.torch_steps, args.threads)
        return 0

    from model_steps import export, kiln_compile_training, kiln_train_command
    from resnets import MODELS
    bin_dir = os.path.join(args.build, "bin")
    rows = []
    with tempfile.TemporaryDirectory(prefix="kiln-memory-") as work:
        for name in args.models.split(","):
            make, shape = MODELS[name]
            onnx_path = os.path.join(work, f"{name}.onnx")
            export(make(), args.batch, shape, onnx_path)
            artifact = os.path.join(work, f"{name}.kx")
            kiln_compile_training(bin_dir, onnx_path, args.batch, artifact)
            env = dict(os.environ, OMP_NUM_THREADS=str(args.threads))
            kiln_base, _ = peak_rss([os.path.join(bin_dir, "kiln-run"), "info", artifact])
            log_path = os.path.join(work, f"{name}.jsonl")
            command = kiln_train_command(bin_dir, artifact, args.steps, log_path)
            kiln_peak, _ = peak_rss(command, env)
            roles, plans = artifact_bytes(bin_dir, artifact)
            worker = [sys.executable, os.path.abspath(__file__), "--torch-worker", name,
                      "--batch", str(args.batch), "--threads", str(args.threads)]
            torch_base, _ = peak_rss(worker + ["--torch-steps", "0"])
            torch_peak, _ = peak_rss(worker + ["--torch-steps", str(args.steps)])
            rows.append((name, kiln_peak, kiln_base, torch_peak, torch_base))
            print(f"{name} batch {args.batch}: kiln's buffers by role (MiB): " +
                  ", ".join(f"{role} {size / MiB:.0f}" for role, size in sorted(roles.items())))
            for count, without_reuse, workspace, heap in plans:
                print(f"  an entry's plan: {count} temporaries, {int(without_reuse) / MiB:.0f} "
                      f"MiB without reuse, in {int(workspace) / MiB:.0f} MiB of workspace, "
                      f"{heap} left to the heap")

    print(f"\n{'peak resident set, MiB':24} {'kiln':>8} {'PyTorch':>8} {'ratio':>7}"
          f" {'kiln step':>10} {'torch step':>10} {'ratio':>7}")
    for name, kiln_peak, kiln_base, torch_peak, torch_base in rows:
        kiln_step, torch_step = kiln_peak - kiln_base, torch_peak - torch_base
        print(f"{name + ' b' + str(args.batch):24} {kiln_peak / MiB:8.0f} {torch_peak / MiB:8.0f}"
              f" {kiln_peak / torch_peak:6.2f}x {kiln_step / MiB:10.0f} {torch_step / MiB:10.0f}"
              f" {kiln_step / torch_step:6.2f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
