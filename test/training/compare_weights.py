#!/usr/bin/env python3
"""Compares the weights of a trained ONNX model with a reference, tensor by tensor.

    compare_weights.py TRAINED.onnx REFERENCE [--rtol 1e-4] [--atol 1e-5]

TRAINED is a model as `kiln-run train ... --export TRAINED.onnx` writes it: the original ONNX
model with its initializers replaced by the trained values. REFERENCE is a directory of ONNX
TensorProto files, one per tensor (<name>.pb, as make_sgd_reference.py writes them), or another
ONNX model. Every reference tensor must be an initializer of TRAINED with the same shape and
|trained - reference| <= atol + rtol * |reference| element-wise; initializers the reference
does not name are listed but not compared.

Prints one line per tensor (max abs and rel error, the worst element) and 'N passed, N failed'.
Exit codes: 0 all passed, 1 a tensor differs or is missing, 2 a file cannot be read.
"""
import argparse
import os
import sys

import numpy as np
import onnx
from onnx import numpy_helper


class InputError(Exception):
    """A file that cannot be read as what it should be."""


def load_model_tensors(path):
    """The initializers of an ONNX model, by name."""
    try:
        model = onnx.load(path)
    except Exception as error:  # onnx raises protobuf's DecodeError, OSError, ...
        raise InputError(f"{path}: not a readable ONNX model ({error})")
    return {t.name: numpy_helper.to_array(t) for t in model.graph.initializer}


def load_reference(path):
    """Tensors by name from a directory of TensorProto files or from an ONNX model."""
    if not os.path.isdir(path):
        return load_model_tensors(path)
    tensors = {}
    for file_name in sorted(os.listdir(path)):
        if not file_name.endswith(".pb"):
            continue
        file_path = os.path.join(path, file_name)
        try:
            tensor = onnx.load_tensor(file_path)
        except Exception as error:
            raise InputError(f"{file_path}: not a readable TensorProto ({error})")
        # The file name is the fallback for a tensor saved without a name.
        tensors[tensor.name or file_name[:-len(".pb")]] = numpy_helper.to_array(tensor)
    if not tensors:
        raise InputError(f"{path}: no .pb tensor files")
    return tensors


def compare(name, trained, reference, rtol, atol):
    """One line about one tensor, and whether it passed."""
    if trained is None:
        return f"FAIL {name}: not an initializer of the trained model", False
    if trained.shape != reference.shape:
        return (f"FAIL {name}: shape {list(trained.shape)} in the trained model, "
                f"{list(reference.shape)} in the reference"), False
    trained = trained.astype(np.float64)
    reference = reference.astype(np.float64)
    error = np.abs(trained - reference)
    relative = error / np.maximum(np.abs(reference), np.finfo(np.float64).tiny)
    bad = ~(error <= atol + rtol * np.abs(reference))  # NaN counts as bad
    if error.size == 0:
        return f"PASS {name}: empty", True
    worst = np.unravel_index(np.nanargmax(np.where(np.isnan(error), np.inf, error)), error.shape)
    line = (f"{name}: {error.size} elements, max abs err {np.max(error):.3g}, "
            f"max rel err {np.max(relative):.3g}; worst {list(map(int, worst))}: "
            f"trained {trained[worst]:.9g}, reference {reference[worst]:.9g}")
    if bad.any():
        return f"FAIL {line}; {int(bad.sum())} outside the tolerance", False
    return f"PASS {line}", True


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("trained", help="the trained ONNX model (kiln-run train --export)")
    parser.add_argument("reference", help="a directory of <name>.pb tensors, or an ONNX model")
    parser.add_argument("--rtol", type=float, default=1e-4)
    parser.add_argument("--atol", type=float, default=1e-5)
    args = parser.parse_args(argv)
    try:
        trained = load_model_tensors(args.trained)
        reference = load_reference(args.reference)
    except InputError as error:
        print(f"compare_weights: error: {error}", file=sys.stderr)
        return 2
    print(f"comparing {args.trained} with {args.reference} "
          f"(rtol {args.rtol:g}, atol {args.atol:g})")
    passed = failed = 0
    for name in sorted(reference):
        line, ok = compare(name, trained.get(name), reference[name], args.rtol, args.atol)
        print(line)
        passed, failed = passed + ok, failed + (not ok)
    unchecked = sorted(set(trained) - set(reference))
    if unchecked:
        print(f"not in the reference, not compared: {', '.join(unchecked)}")
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
