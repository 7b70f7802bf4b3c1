#!/usr/bin/env python3
"""Contraction throughput: kiln against PyTorch and ONNX Runtime, as a fraction of the FMA peak.

For ResNet-50's convolutions (forward, backward-data, backward-filter) and a few matmuls, each
at one batch size, this script measures in one run:
  - the fp32 FMA peak of this CPU at 1 and N threads (bench/fma_peak.c, built with clang-19);
  - kiln: each kernel compiled alone by kilnc (an ONNX Conv / MatMul model for forward, a
    kiln-dialect function with kiln.conv2d_backward_data / _filter for the backward kernels)
    and timed by `kiln-run infer --repeat`; also kilnc's compile time. Convolutions twice:
    with NCHW activations at the artifact's interface (column "kiln": the layout changes to
    and from kiln's channels-last code are timed too), and with NHWC ones ("kiln NHWC": the
    model transposes to and from NCHW around the op, which kiln folds away as it does between
    the layers of a network; PyTorch's "torch NHWC" is the same comparison);
  - PyTorch (Debian python3-torch, oneDNN) in NCHW and channels_last, forward through
    F.conv2d and backward through aten.convolution_backward with one gradient asked for;
    matmuls through torch.mm (reference BLAS here) and through oneDNN (mkldnn Linear);
  - ONNX Runtime (npm onnxruntime-node, bench/ort_time.js) on the same ONNX files (forward).
Peers and kiln are interleaved: each kernel runs every tool once per round, and the table
quotes the median of the rounds' medians. Timings vary from process to process on shared
machines; compare within one run. After each round the threads' FMA peak is sampled once:
column "shared" counts the rounds after which it was under 80 % of the starting peak (the
host had put the vCPUs on one core, and every tool ran at about one core's speed). A
benchmark, not a test: nothing passes or fails.

    /usr/bin/python3 bench/contractions.py [--batch 8] [--threads 2] [--rounds 3]
        [--repeats 3] [--only SUBSTRING] [--all] [--shapes resnet50|resnet20]
        [--winograd 0|2|4] [--skip-kiln] [--skip-ort]

ONNX Runtime: `cd bench && ONNXRUNTIME_NODE_INSTALL_CUDA=skip npm install` (bench/package.json);
without it the ORT column says n/a.
"""
import argparse
import math
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
HERE = os.path.join(REPO, "bench")

# (name, in channels, out channels, input size, stride, kernel): ResNet-50 v1.5 (stride on the
# 3x3 convolution). The 3x3 ones are issue 4's targets; --all adds the stem and two 1x1.
CONV_SHAPES = [
    ("l1.3x3", 64, 64, 56, 1, 3),
    ("l2.3x3/2", 128, 128, 56, 2, 3),
    ("l2.3x3", 128, 128, 28, 1, 3),
    ("l3.3x3/2", 256, 256, 28, 2, 3),
    ("l3.3x3", 256, 256, 14, 1, 3),
    ("l4.3x3/2", 512, 512, 14, 2, 3),
    ("l4.3x3", 512, 512, 7, 1, 3),
]
EXTRA_CONV_SHAPES = [
    ("stem.7x7/2", 3, 64, 224, 2, 7),
    ("l1.1x1.expand", 64, 256, 56, 1, 1),
    ("l4.1x1.reduce", 2048, 512, 7, 1, 1),
]
# CIFAR ResNet-20's 3x3 convolutions (32x32 images, 16/32/64 channels; --shapes resnet20): a
# training step at batch 32 spends most of its convolution time on these narrow layers.
RESNET20_SHAPES = [
    ("s1.3x3", 16, 16, 32, 1, 3),
    ("s2.3x3/2", 16, 32, 32, 2, 3),
    ("s2.3x3", 32, 32, 16, 1, 3),
    ("s3.3x3/2", 32, 64, 16, 2, 3),
    ("s3.3x3", 64, 64, 8, 1, 3),
]
# (name, M, K, N); M = batch for the classifier.
MATMUL_SHAPES = [("fc.2048x1000", None, 2048, 1000), ("mm.1024", 1024, 1024, 1024)]
DIRECTIONS = ("forward", "backward-data", "backward-filter")


def conv_geometry(shape, batch):
    name, c, k, size, stride, kernel = shape
    pad = kernel // 2
    out = (size + 2 * pad - kernel) // stride + 1
    flops = 2.0 * batch * k * c * kernel * kernel * out * out
    return dict(name=name, c=c, k=k, size=size, stride=stride, kernel=kernel, pad=pad, out=out,
                flops=flops)


# ---------------------------------------------------------------------------------------------
# The peak


def measure_peak(work, threads, runs=3):
    """GFLOP/s of bench/fma_peak.c at `threads` threads (best of `runs`)."""
    binary = os.path.join(work, "fma_peak")
    if not os.path.exists(binary):
        subprocess.run(["clang-19", "-O3", "-march=native", "-ffp-contract=fast", "-pthread",
                        os.path.join(HERE, "fma_peak.c"), "-o", binary], check=True)
    best = 0.0
    for _ in range(runs):
        out = subprocess.run([binary, str(threads)], capture_output=True, text=True,
                             check=True).stdout
        best = max(best, float(out.split()[1]))
    return best


# A round after which the threads' FMA peak is below this share of the one measured at the
# start ran on a host that had put the vCPUs on one core (two-thread peak 117-184 GFLOP/s
# against 228 on the 2-vCPU machines; docs/performance.md, stop 27): the "shared" column
# counts such rounds, whose figures are kiln's and its peers' at about one core.
SHARED_CORE_SHARE = 0.8


def one_core_peak(work, threads, peak):
    """One sample of the threads' FMA peak when it is under SHARED_CORE_SHARE of `peak` (the
    host had put the threads on one core), else None."""
    sample = measure_peak(work, threads, runs=1)
    return sample if sample < SHARED_CORE_SHARE * peak else None


# ---------------------------------------------------------------------------------------------
# Models for kiln and ONNX Runtime


def conv_onnx(g, batch, path, channels_last=False):
    """A one-Conv ONNX model. channels_last: its input and output are NHWC, transposed to and
    from the Conv's NCHW inside the model (kiln folds those transposes into the ones of its
    channels-last convolution, as in a whole network; ONNX Runtime gets the NCHW model)."""
    rng = np.random.default_rng(0)
    w = rng.standard_normal((g["k"], g["c"], g["kernel"], g["kernel"])).astype(np.float32) * 0.05
    nodes = [helper.make_node("Conv", ["x_nchw" if channels_last else "x", "w"],
                              ["y_nchw" if channels_last else "y"],
                              kernel_shape=[g["kernel"]] * 2, strides=[g["stride"]] * 2,
                              pads=[g["pad"]] * 4)]
    x_dims = [batch, g["c"], g["size"], g["size"]]
    y_dims = [batch, g["k"], g["out"], g["out"]]
    if channels_last:
        nodes = ([helper.make_node("Transpose", ["x"], ["x_nchw"], perm=[0, 3, 1, 2])] + nodes +
                 [helper.make_node("Transpose", ["y_nchw"], ["y"], perm=[0, 2, 3, 1])])
        x_dims = [x_dims[i] for i in (0, 2, 3, 1)]
        y_dims = [y_dims[i] for i in (0, 2, 3, 1)]
    graph = helper.make_graph(
        nodes, "conv",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, x_dims)],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, y_dims)],
        [numpy_helper.from_array(w, "w")])
    onnx.save(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)]), path)
    return "x", x_dims


def matmul_onnx(m, k, n, path):
    rng = np.random.default_rng(0)
    w = rng.standard_normal((k, n)).astype(np.float32) * 0.05
    graph = helper.make_graph(
        [helper.make_node("MatMul", ["x", "w"], ["y"])], "matmul",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [m, k])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [m, n])],
        [numpy_helper.from_array(w, "w")])
    onnx.save(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)]), path)
    return "x", [m, k]


def conv_backward_mlir(g, batch, direction, path, channels_last=False):
    """A kiln-dialect function computing one backward convolution from two inputs.
    channels_last: its activations (x, dy, and an input gradient) are NHWC, transposed to and
    from the op's NCHW inside the function, which kiln folds away as in a training graph."""
    def dims(n, c, h, w):
        return (n, h, w, c) if channels_last else (n, c, h, w)

    def tensor(shape):
        return "tensor<" + "x".join(map(str, shape)) + "xf32>"

    x_nchw = (batch, g["c"], g["size"], g["size"])
    dy_nchw = (batch, g["k"], g["out"], g["out"])
    x, dy = tensor(dims(*x_nchw)), tensor(dims(*dy_nchw))
    w = tensor((g["k"], g["c"], g["kernel"], g["kernel"]))
    attrs = (f"{{strides = array<i64: {g['stride']}, {g['stride']}>, "
             f"pads = array<i64: {g['pad']}, {g['pad']}, {g['pad']}, {g['pad']}>, "
             f"dilations = array<i64: 1, 1>, groups = 1 : i64}}")
    body = []

    def to_nchw(name, shape):
        if not channels_last:
            return f"%{name}"
        body.append(f"  %{name}_nchw = kiln.transpose %{name} {{perm = array<i64: 0, 3, 1, 2>}} "
                    f": ({tensor(dims(*shape))}) -> {tensor(shape)}")
        return f"%{name}_nchw"

    if direction == "backward-data":
        args, op, result_nchw = (("dy", dy), ("w", w)), "conv2d_backward_data", x_nchw
        operands, types = f"{to_nchw('dy', dy_nchw)}, %w", f"{tensor(dy_nchw)}, {w}"
    else:
        args, op, result_nchw = (("x", x), ("dy", dy)), "conv2d_backward_filter", None
        operands = f"{to_nchw('x', x_nchw)}, {to_nchw('dy', dy_nchw)}"
        types = f"{tensor(x_nchw)}, {tensor(dy_nchw)}"
    op_result = tensor(result_nchw) if result_nchw else w
    body.append(f"  %grad = kiln.{op} {operands} {attrs} : ({types}) -> {op_result}")
    result, returned = op_result, "%grad"
    if channels_last and result_nchw:
        result, returned = tensor(dims(*result_nchw)), "%grad_nhwc"
        body.append(f"  %grad_nhwc = kiln.transpose %grad {{perm = array<i64: 0, 2, 3, 1>}} "
                    f": ({op_result}) -> {result}")
    signature = ", ".join(f'%{n}: {t} {{kiln.buffer = "{n}", kiln.role = "input"}}'
                          for n, t in args)
    text = (f"func.func @forward({signature}) -> ({result} {{kiln.buffer = \"grad\", "
            f"kiln.role = \"output\"}}) {{\n" + "\n".join(body) +
            f"\n  return {returned} : {result}\n}}\n")
    with open(path, "w") as f:
        f.write(text)


# ---------------------------------------------------------------------------------------------
# Timers: each returns milliseconds (median of `repeats`) or raises RuntimeError


def kiln_compile(bin_dir, model, batch, artifact, winograd=None):
    command = [os.path.join(bin_dir, "kilnc"), model, "-o", artifact]
    if winograd is not None:
        command.append(f"--winograd={winograd}")
    if model.endswith(".onnx"):
        command += ["--batch", str(batch)]
    start = time.perf_counter()
    result = subprocess.run(command, capture_output=True, text=True)
    if result.returncode != 0:
        raise RuntimeError("kilnc: " + (result.stderr.strip().splitlines() or ["?"])[-1])
    return time.perf_counter() - start


# Untimed runs before the timed ones, the same for kiln and ONNX Runtime: at least
# WARMUP_RUNS, and at least WARMUP_SECONDS of runs. Timed from a cold start, a 0.8-ms network
# ran at 2-3 ms in its first few runs on this kind of host, and a 0.43-ms one at 1.4 ms in
# half of the processes for its first 10 runs (the OS had not yet moved the second thread to
# a CPU of its own; none was slow after 50 warm-up runs). The timed runs likewise span
# TIMED_SECONDS at least. A probe run (one warm-up, one timed) sizes both counts.
WARMUP_RUNS = 5
WARMUP_SECONDS = 0.2
TIMED_SECONDS = 0.5


def timed_runs(run, repeats):
    """The median ms of `run(warmup, repeats)` with the counts above."""
    probe_ms = max(run(1, 1), 1e-3)
    warmup = max(WARMUP_RUNS, math.ceil(WARMUP_SECONDS * 1e3 / probe_ms))
    return run(warmup, max(repeats, math.ceil(TIMED_SECONDS * 1e3 / probe_ms)))


def kiln_time(bin_dir, artifact, repeats, threads):
    env = dict(os.environ, OMP_NUM_THREADS=str(threads))

    def run(warmup, count):
        result = subprocess.run([os.path.join(bin_dir, "kiln-run"), "infer", artifact,
                                 "--repeat", str(count), "--warmup", str(warmup),
                                 "--output-dir", artifact + ".out"],
                                capture_output=True, text=True, env=env)
        # `--repeat 1` prints "forward: T ms", more repeats "forward: median T ms, ...".
        match = re.search(r"forward: (?:median )?([0-9.]+) ms", result.stdout + result.stderr)
        if result.returncode != 0 or not match:
            raise RuntimeError("kiln-run: " +
                               (result.stderr.strip().splitlines() or ["?"])[-1])
        return float(match.group(1))
    return timed_runs(run, repeats)


def ort_time(modules, model, input_name, dims, repeats, threads):
    env = dict(os.environ, NODE_PATH=modules)

    def run(warmup, count):
        result = subprocess.run(["node", os.path.join(HERE, "ort_time.js"), model, input_name,
                                 ",".join(map(str, dims)), str(count), str(threads),
                                 str(warmup)],
                                capture_output=True, text=True, env=env)
        match = re.search(r"median_ms ([0-9.eE+-]+)", result.stdout)
        if result.returncode != 0 or not match:
            raise RuntimeError("ort: " + (result.stderr.strip().splitlines() or ["?"])[-1])
        return float(match.group(1))
    return timed_runs(run, repeats)


def torch_median(fn, repeats):
    fn()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1e3)
    return statistics.median(times)


def torch_conv_fn(g, batch, direction, channels_last):
    import torch
    gen = torch.Generator().manual_seed(0)
    x = torch.randn(batch, g["c"], g["size"], g["size"], generator=gen)
    w = torch.randn(g["k"], g["c"], g["kernel"], g["kernel"], generator=gen)
    dy = torch.randn(batch, g["k"], g["out"], g["out"], generator=gen)
    if channels_last:
        x, w, dy = (t.contiguous(memory_format=torch.channels_last) for t in (x, w, dy))
    stride, pad = [g["stride"]] * 2, [g["pad"]] * 2
    if direction == "forward":
        return lambda: torch.nn.functional.conv2d(x, w, None, stride, pad)
    mask = [direction == "backward-data", direction == "backward-filter", False]
    return lambda: torch.ops.aten.convolution_backward(dy, x, w, None, stride, pad, [1, 1],
                                                       False, [0, 0], 1, mask)


def torch_matmul_fns(m, k, n):
    import torch
    import torch.utils.mkldnn
    gen = torch.Generator().manual_seed(0)
    x, w = torch.randn(m, k, generator=gen), torch.randn(k, n, generator=gen)
    linear = torch.nn.Linear(k, n, bias=False)
    with torch.no_grad():
        linear.weight.copy_(w.t())
    dnnl = torch.utils.mkldnn.to_mkldnn(linear)
    xm = x.to_mkldnn()
    return {"torch mm": lambda: torch.mm(x, w), "torch oneDNN": lambda: dnnl(xm)}


# ---------------------------------------------------------------------------------------------


def main():
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--batch", type=int, default=8)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--only", default="", help="only kernels whose name contains this")
    parser.add_argument("--all", action="store_true", help="also the stem and 1x1 convolutions")
    parser.add_argument("--shapes", choices=("resnet50", "resnet20"), default="resnet50",
                        help="whose convolutions (resnet20: CIFAR ResNet-20's, no matmuls)")
    parser.add_argument("--directions", default=",".join(DIRECTIONS),
                        help="comma-separated: " + ", ".join(DIRECTIONS))
    parser.add_argument("--build", default=os.path.join(REPO, "build"))
    parser.add_argument("--ort-modules", default=os.path.join(HERE, "node_modules"))
    parser.add_argument("--winograd", type=int, choices=(0, 2, 4), default=None,
                        help="kilnc --winograd: 3x3 convolutions (stride 1 or 2) as F(m x m, 3 x 3) "
                             "(kilnc's default: 4), or 0 for direct convolutions")
    parser.add_argument("--skip-kiln", action="store_true")
    parser.add_argument("--skip-ort", action="store_true")
    args = parser.parse_args()

    import torch
    torch.set_num_threads(args.threads)
    bin_dir = os.path.join(args.build, "bin")
    use_ort = not args.skip_ort and os.path.isdir(os.path.join(args.ort_modules,
                                                               "onnxruntime-node"))
    directions = [d for d in args.directions.split(",") if d]
    unknown = [d for d in directions if d not in DIRECTIONS]
    if unknown:
        parser.error(f"--directions: unknown {', '.join(unknown)}; expected a comma-separated "
                     f"list of {', '.join(DIRECTIONS)}")
    work = tempfile.mkdtemp(prefix="kiln-contractions-")
    try:
        peak1 = measure_peak(work, 1)
        peak = measure_peak(work, args.threads)
        print(f"fp32 FMA peak: {peak1:.0f} GFLOP/s on 1 thread, {peak:.0f} on {args.threads}; "
              f"torch {torch.__version__} on {torch.get_num_threads()} threads; batch "
              f"{args.batch}; ORT {'yes' if use_ort else 'n/a (see --help)'}", flush=True)

        def add_kiln(timers, label, model, batch, artifact, tool="kiln"):
            """Compiles `model` and adds kiln's timer; returns kilnc's seconds or None."""
            if args.skip_kiln:
                return None
            try:
                seconds = kiln_compile(bin_dir, model, batch, artifact, args.winograd)
            except RuntimeError as error:
                print(f"{label}: {error}")
                return None
            timers[tool] = lambda: kiln_time(bin_dir, artifact, args.repeats, args.threads)
            return seconds

        def add_ort(timers, model, input_name, dims):
            if use_ort:
                timers["ORT"] = lambda: ort_time(args.ort_modules, model, input_name, dims,
                                                 args.repeats, args.threads)

        # Each job: (label, flops, {tool: timer}, kilnc seconds), timers taking no arguments.
        jobs = []
        if args.shapes == "resnet20":
            shapes = RESNET20_SHAPES
        else:
            shapes = CONV_SHAPES + (EXTRA_CONV_SHAPES if args.all else [])
        for shape in shapes:
            g = conv_geometry(shape, args.batch)
            for direction in directions:
                label = f"{g['name']} {direction}"
                if args.only not in label:
                    continue
                timers = {}
                artifact = os.path.join(work, f"{g['name']}.{direction}.kx".replace("/", "s"))
                extension = ".onnx" if direction == "forward" else ".mlir"
                model, model_nhwc = artifact[:-3] + extension, artifact[:-3] + ".nhwc" + extension
                if direction == "forward":
                    input_name, dims = conv_onnx(g, args.batch, model)
                    add_ort(timers, model, input_name, dims)
                    conv_onnx(g, args.batch, model_nhwc, channels_last=True)
                else:
                    conv_backward_mlir(g, args.batch, direction, model)
                    conv_backward_mlir(g, args.batch, direction, model_nhwc, channels_last=True)
                compile_s = add_kiln(timers, label, model, args.batch, artifact)
                add_kiln(timers, label, model_nhwc, args.batch, artifact[:-3] + ".nhwc.kx",
                         tool="kiln NHWC")
                for layout, cl in (("torch NCHW", False), ("torch NHWC", True)):
                    fn = torch_conv_fn(g, args.batch, direction, cl)
                    timers[layout] = lambda fn=fn: torch_median(fn, args.repeats)
                jobs.append((label, g["flops"], timers, compile_s))
        if "forward" in directions and args.shapes == "resnet50":
            for name, m, k, n in MATMUL_SHAPES:
                m = m or args.batch * 4
                label = f"{name} M={m} forward"
                if args.only not in label:
                    continue
                timers = {}
                model = os.path.join(work, f"{name}.onnx")
                input_name, dims = matmul_onnx(m, k, n, model)
                compile_s = add_kiln(timers, label, model, m, model[:-5] + ".kx")
                add_ort(timers, model, input_name, dims)
                for tool, fn in torch_matmul_fns(m, k, n).items():
                    timers[tool] = lambda fn=fn: torch_median(fn, args.repeats)
                jobs.append((label, 2.0 * m * k * n, timers, compile_s))

        tools = ["kiln", "kiln NHWC", "torch NCHW", "torch NHWC", "torch mm", "torch oneDNN",
                 "ORT"]
        header = (f"{'kernel':34} {'GFLOP':>6} " + " ".join(f"{t:>12}" for t in tools) +
                  f" {'kiln %peak':>10} {'kiln/best':>9} {'kilnc s':>7} {'shared':>6}")
        print("\nGFLOP/s (median of rounds; % of the measured peak at the same thread count); "
              "kiln %peak and kiln/best: kiln's better layout against the best peer")
        winograd = ("m = 4, or 2 where F(4x4)'s transformed filter or output tiling does not "
                    "fit" if args.winograd is None else f"m = {args.winograd}; 0: direct")
        print("GFLOP/s count a direct convolution's multiply-adds for every tool. kiln computes "
              "3x3 stride-1 forward, backward-data and backward-filter convolutions as "
              f"Winograd F(m x m, 3 x 3) ({winograd}), with 4x (m = 4) or 2.25x (m = 2) fewer, "
              "and stride-2 forward ones with 1.78x or 1.44x fewer (where whole tiles save "
              "1.3x at least): its rate there is an equivalent rate and may pass the peak.")
        print(f"shared: rounds after which {args.threads} threads reached less than "
              f"{SHARED_CORE_SHARE:.0%} of that peak (the host had put them on one core).")
        print(header, flush=True)
        for label, flops, timers, compile_s in jobs:
            samples = {tool: [] for tool in timers}
            shared = 0
            for _ in range(args.rounds):
                for tool, timer in timers.items():
                    try:
                        samples[tool].append(timer())
                    except RuntimeError as error:
                        print(f"{label}: {tool}: {error}")
                if args.threads > 1 and one_core_peak(work, args.threads, peak):
                    shared += 1
            rate = {tool: flops / statistics.median(ms) / 1e6
                    for tool, ms in samples.items() if ms}
            peers = [r for t, r in rate.items() if not t.startswith("kiln")]
            cells = " ".join(f"{rate[t]:12.1f}" if t in rate else f"{'':>11}-" for t in tools)
            kiln_rate = max((r for t, r in rate.items() if t.startswith("kiln")), default=None)
            share = f"{100 * kiln_rate / peak:9.1f}%" if kiln_rate else f"{'-':>10}"
            ratio = f"{kiln_rate / max(peers):8.3f}x" if kiln_rate and peers else f"{'-':>9}"
            compiled = f"{compile_s:7.1f}" if compile_s is not None else f"{'-':>7}"
            print(f"{label:34} {flops / 1e9:6.2f} {cells} {share} {ratio} {compiled} "
                  f"{shared:>6}", flush=True)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
