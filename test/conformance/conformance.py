#!/usr/bin/env python3
"""ONNX backend conformance for kiln.

Runs ONNX backend tests (libonnx-testdata) end to end through the real tools:
`kilnc model.onnx -o model.kx`, then `kiln-run infer model.kx --input ... --output-dir ...`,
then compares every output with the expected one (fp32 and fp16/fp64: rtol 1e-4, atol 1e-5;
integers and booleans exactly). Graph inputs that kiln needs at compile time (shapes, axes,
pads given as inputs) are frozen with `kilnc --bind NAME=input_N.pb`. Tests whose expected
outputs are numpy random draws (training-mode dropout) are checked for the op's defining
properties instead.

  conformance.py run   --bin DIR [--manifest FILE]   run the tests in the manifest
  conformance.py check --manifest FILE --skip FILE     every test whose op types kiln claims
                                                       is in the manifest or has a skip reason
  conformance.py survey --bin DIR                      run every candidate, print a report
                                                       (to maintain the manifest and skip list)
  conformance.py compare EXPECTED.pb ACTUAL.pb         compare two tensors with the tolerances

Prints `N passed, N failed` and exits non-zero if anything failed.
"""
import argparse
import concurrent.futures
import os
import shutil
import subprocess
import sys
import tempfile

DATA_ROOT = "/usr/share/libonnx-testdata/data"
SUITES = ["node", "pytorch-converted", "pytorch-operator", "simple"]
HERE = os.path.dirname(os.path.abspath(__file__))
RTOL, ATOL = 1e-4, 1e-5

# The ONNX op types kiln claims (the foundation issue's list). A test whose model uses only
# these is a candidate: it belongs in the manifest or in the skip list with a reason.
CLAIMED_OPS = {
    "Conv", "Gemm", "MatMul", "BatchNormalization", "Relu", "LeakyRelu", "Sigmoid", "Tanh",
    "Clip", "Add", "Sub", "Mul", "Div", "Max", "Min", "Pow", "Exp", "Log", "Sqrt", "Neg",
    "Reciprocal", "Abs", "MaxPool", "AveragePool", "GlobalAveragePool", "GlobalMaxPool",
    "ReduceSum", "ReduceMean", "ReduceMax", "Softmax", "LogSoftmax", "Concat", "Reshape",
    "Flatten", "Transpose", "Squeeze", "Unsqueeze", "Pad", "Slice", "Constant", "Identity",
    "Cast", "Dropout",
    # ONNX's training domain.
    "ai.onnx.preview.training.Gradient", "ai.onnx.preview.training.Momentum",
    "ai.onnx.preview.training.Adam", "ai.onnx.preview.training.Adagrad",
}

# Tests whose expected outputs come from numpy's random generator, which no other
# implementation draws alike: their outputs are checked against the properties that define
# the op instead (check_training_dropout).
RANDOM_OUTPUT_TESTS = {
    "node/test_training_dropout", "node/test_training_dropout_default",
    "node/test_training_dropout_mask", "node/test_training_dropout_default_mask",
}


def read_list(path):
    """Lines of a list file without comments; the first word is the test, the rest a reason."""
    entries = {}
    with open(path) as f:
        for line in f:
            line = line.split("#", 1)[0].strip()
            if line:
                name, _, reason = line.partition(" ")
                entries[name] = reason.strip()
    return entries


def all_tests():
    for suite in SUITES:
        root = os.path.join(DATA_ROOT, suite)
        for name in sorted(os.listdir(root)):
            if os.path.exists(os.path.join(root, name, "model.onnx")):
                yield f"{suite}/{name}"


def op_types(test):
    import onnx
    model = onnx.load(os.path.join(DATA_ROOT, test, "model.onnx"), load_external_data=False)
    ops = set()
    graphs = [model.graph]
    while graphs:
        graph = graphs.pop()
        for node in graph.node:
            ops.add(node.op_type if node.domain in ("", "ai.onnx") else f"{node.domain}.{node.op_type}")
            for attr in node.attribute:
                if attr.g.node:
                    graphs.append(attr.g)
    return ops


def candidates():
    return [t for t in all_tests() if op_types(t) <= CLAIMED_OPS]


def compare(expected_path, actual_path, rtol=RTOL, atol=ATOL):
    import numpy as np
    import onnx
    from onnx import numpy_helper
    expected = numpy_helper.to_array(onnx.load_tensor(expected_path))
    actual = numpy_helper.to_array(onnx.load_tensor(actual_path))
    if expected.shape != actual.shape:
        return f"shape {list(actual.shape)}, expected {list(expected.shape)}"
    if expected.dtype != actual.dtype:
        return f"dtype {actual.dtype}, expected {expected.dtype}"
    if expected.dtype.kind == "f":
        if not np.allclose(actual, expected, rtol=rtol, atol=atol, equal_nan=True):
            diff = np.abs(actual.astype(np.float64) - expected.astype(np.float64))
            return f"max abs error {np.nanmax(diff):.3g} (rtol {rtol}, atol {atol})"
    elif not np.array_equal(actual, expected):
        return "values differ"
    return None


def check_training_dropout(data_set, out_dir):
    """Dropout in training mode: every output element is 0 or x / (1 - ratio), the mask (if
    produced) marks exactly the kept elements, and the number dropped is within 4 standard
    deviations of ratio * size (a binomial count). Returns a problem or None."""
    import numpy as np
    import onnx
    from onnx import numpy_helper

    def load(path):
        return numpy_helper.to_array(onnx.load_tensor(path))
    x = load(os.path.join(data_set, "input_0.pb"))
    ratio = float(load(os.path.join(data_set, "input_1.pb")))
    y = load(os.path.join(out_dir, "output_0.pb"))
    if y.shape != x.shape or y.dtype != x.dtype:
        return f"output_0 is {y.dtype}{list(y.shape)}, expected {x.dtype}{list(x.shape)}"
    kept = y != 0
    mask_path = os.path.join(out_dir, "output_1.pb")
    if os.path.exists(os.path.join(data_set, "output_1.pb")):
        if not os.path.exists(mask_path):
            return "no output_1.pb (the mask)"
        mask = load(mask_path)
        if mask.dtype != np.bool_ or mask.shape != x.shape:
            return f"mask is {mask.dtype}{list(mask.shape)}, expected bool{list(x.shape)}"
        if np.any(kept & ~mask):
            return "an element outside the mask is not zero"
        kept = mask
    expected = np.where(kept, x / np.float32(1.0 - ratio), np.float32(0))
    if not np.allclose(y, expected, rtol=RTOL, atol=ATOL):
        return "kept elements are not x / (1 - ratio)"
    size, dropped = x.size, int(x.size - kept.sum())
    spread = 4 * (size * ratio * (1 - ratio)) ** 0.5 + 1
    if abs(dropped - size * ratio) > spread:
        return f"{dropped} of {size} dropped, expected {size * ratio:.1f} +- {spread:.1f}"
    return None


def graph_input_names(model_path):
    """Names of the graph inputs that are not initializers, in order (input_N.pb order)."""
    import onnx
    model = onnx.load(model_path, load_external_data=False)
    initializers = {t.name for t in model.graph.initializer}
    return [i.name for i in model.graph.input if i.name not in initializers]


def compile_model(bindir, model_path, artifact, inputs_dir, input_names):
    """Compiles with kilnc. kiln compiles static shapes: when the importer reports that a
    graph input must be a compile-time constant (a Reshape shape, Slice starts, ...), the
    input is frozen with `--bind NAME=input_N.pb`, as a user would do. Returns (bound input
    names, error or None)."""
    import re
    bindings = {}
    while True:
        cmd = [os.path.join(bindir, "kilnc"), model_path, "-o", artifact]
        cmd += [f"--bind={name}={path}" for name, path in bindings.items()]
        result = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
        if result.returncode == 0:
            return set(bindings), None
        match = re.search(r"\('([^']+)'\) must be a constant", result.stderr)
        name = match.group(1) if match else None
        if name is None or name in bindings or name not in input_names:
            return set(bindings), "compile: " + (result.stderr.strip().splitlines() or ["?"])[-1]
        bindings[name] = os.path.join(inputs_dir, f"input_{input_names.index(name)}.pb")


def run_test(test, bindir):
    """Returns (test, None) on success or (test, reason) on failure."""
    test_dir = os.path.join(DATA_ROOT, test)
    model_path = os.path.join(test_dir, "model.onnx")
    work = tempfile.mkdtemp(prefix="kiln-conf-")
    try:
        input_names = graph_input_names(model_path)
        data_sets = sorted(d for d in os.listdir(test_dir) if d.startswith("test_data_set_"))
        for data_set in data_sets:
            ds = os.path.join(test_dir, data_set)
            # Bound inputs are baked into the artifact, so each data set compiles its own.
            artifact = os.path.join(work, data_set + ".kx")
            bound, problem = compile_model(bindir, model_path, artifact, ds, input_names)
            if problem:
                return test, problem
            inputs = sorted((f for f in os.listdir(ds) if f.startswith("input_")),
                            key=lambda f: int(f[6:-3]))
            outputs = sorted((f for f in os.listdir(ds) if f.startswith("output_")),
                             key=lambda f: int(f[7:-3]))
            out_dir = os.path.join(work, data_set)
            run_cmd = [os.path.join(bindir, "kiln-run"), "infer", artifact, "--output-dir", out_dir]
            for i, f in enumerate(inputs):
                if i < len(input_names) and input_names[i] in bound:
                    continue
                run_cmd += ["--input", os.path.join(ds, f)]
            result = subprocess.run(run_cmd, capture_output=True, text=True, timeout=300)
            if result.returncode != 0:
                return test, f"run {data_set}: " + (result.stderr.strip().splitlines() or ["?"])[-1]
            if test in RANDOM_OUTPUT_TESTS:
                problem = check_training_dropout(ds, out_dir)
                if problem:
                    return test, f"{data_set}: {problem}"
                continue
            for i, f in enumerate(outputs):
                actual = os.path.join(out_dir, f"output_{i}.pb")
                if not os.path.exists(actual):
                    return test, f"{data_set}: no output_{i}.pb"
                problem = compare(os.path.join(ds, f), actual)
                if problem:
                    return test, f"{data_set} output_{i}: {problem}"
        return test, None
    except subprocess.TimeoutExpired:
        return test, "timed out"
    finally:
        shutil.rmtree(work, ignore_errors=True)


def run_many(tests, bindir, jobs):
    results = []
    with concurrent.futures.ThreadPoolExecutor(max_workers=jobs) as pool:
        for test, problem in pool.map(lambda t: run_test(t, bindir), tests):
            results.append((test, problem))
            print(f"{'PASS' if problem is None else 'FAIL'}: {test}" +
                  ("" if problem is None else f": {problem}"), flush=True)
    return results


def main():
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("mode", choices=["run", "check", "survey", "compare"])
    parser.add_argument("files", nargs="*", help="for compare: EXPECTED.pb ACTUAL.pb")
    parser.add_argument("--bin", help="directory holding kilnc and kiln-run")
    parser.add_argument("--manifest", default=os.path.join(HERE, "manifest.txt"))
    parser.add_argument("--skip", default=os.path.join(HERE, "skip.txt"))
    parser.add_argument("-j", "--jobs", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--filter", default="", help="only tests whose name contains this")
    parser.add_argument("--rtol", type=float, default=RTOL,
                        help=f"compare: relative tolerance (default {RTOL})")
    parser.add_argument("--atol", type=float, default=ATOL,
                        help=f"compare: absolute tolerance (default {ATOL})")
    args = parser.parse_args()

    if args.mode == "compare":
        if len(args.files) != 2:
            parser.error("compare takes EXPECTED.pb ACTUAL.pb")
        problem = compare(*args.files, rtol=args.rtol, atol=args.atol)
        print(f"{args.files[1]}: {problem}" if problem else f"{args.files[1]}: matches")
        return 1 if problem else 0

    if args.mode == "check":
        manifest, skip = read_list(args.manifest), read_list(args.skip)
        problems = []
        for test in candidates():
            if test not in manifest and test not in skip:
                problems.append(f"{test}: uses only claimed ops but is neither in the manifest "
                                "nor in the skip list")
        for test, reason in skip.items():
            if not reason:
                problems.append(f"{test}: skipped without a reason")
            if test in manifest:
                problems.append(f"{test}: both in the manifest and in the skip list")
        for test in list(manifest) + list(skip):
            if not os.path.exists(os.path.join(DATA_ROOT, test, "model.onnx")):
                problems.append(f"{test}: no such test in {DATA_ROOT}")
        for p in problems:
            print("FAIL:", p)
        total = len(manifest) + len(skip)
        print(f"{total - len(problems)} passed, {len(problems)} failed "
              f"(manifest {len(manifest)}, skipped {len(skip)})")
        return 1 if problems else 0

    if not args.bin:
        parser.error("--bin is required for run and survey")
    if args.mode == "run":
        tests = list(read_list(args.manifest))
    else:
        tests = candidates()
    tests = [t for t in tests if args.filter in t]
    results = run_many(tests, args.bin, args.jobs)
    failed = [(t, p) for t, p in results if p is not None]
    print(f"{len(results) - len(failed)} passed, {len(failed)} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
