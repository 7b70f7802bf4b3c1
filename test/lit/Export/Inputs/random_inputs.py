#!/usr/bin/env python3
"""Writes random inputs for an ONNX model: uniform in [-1, 1), from a seed derived from NAME,
with the symbolic (batch) dimensions set to --batch. One TensorProto file per input,
DIR/input_<i>.pb, the layout `kiln-run infer --input` and ONNX's backend tests use.

    random_inputs.py MODEL.onnx NAME --batch 1 -o DIR

make_fixtures.py calls the same function before it runs ONNX Runtime, so a test can make the
inputs again instead of keeping them in the repository. (numpy's default_rng streams are
fixed for a given seed.)
"""
import argparse
import os
import sys

import numpy as np
import onnx
from onnx import numpy_helper

NUMPY_TYPES = {onnx.TensorProto.FLOAT: np.float32, onnx.TensorProto.DOUBLE: np.float64}


def write_random_inputs(model, name, batch, out_dir):
    """The inputs of `model` (an onnx.ModelProto) as arrays, also written to out_dir."""
    os.makedirs(out_dir, exist_ok=True)
    rng = np.random.default_rng(sum(map(ord, name)))
    arrays = []
    for index, graph_input in enumerate(model.graph.input):
        tensor_type = graph_input.type.tensor_type
        if tensor_type.elem_type not in NUMPY_TYPES:
            raise ValueError(f"input '{graph_input.name}': element type "
                             f"{onnx.TensorProto.DataType.Name(tensor_type.elem_type)} is not "
                             "float or double")
        dims = [d.dim_value if d.HasField("dim_value") else batch
                for d in tensor_type.shape.dim]
        data = rng.uniform(-1.0, 1.0, size=dims).astype(NUMPY_TYPES[tensor_type.elem_type])
        onnx.save_tensor(numpy_helper.from_array(data, graph_input.name),
                         os.path.join(out_dir, f"input_{index}.pb"))
        arrays.append((graph_input.name, data))
    return arrays


def main():
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("model", help="the ONNX model whose inputs to make")
    parser.add_argument("name", help="the seed's name (the fixture's model name)")
    parser.add_argument("--batch", type=int, required=True)
    parser.add_argument("-o", dest="out_dir", required=True)
    args = parser.parse_args()
    try:
        model = onnx.load(args.model)
    except Exception as error:  # protobuf's DecodeError, OSError, ...
        print(f"random_inputs: error: {args.model}: not a readable ONNX model ({error})",
              file=sys.stderr)
        return 1
    try:
        write_random_inputs(model, args.name, args.batch, args.out_dir)
    except (OSError, ValueError) as error:
        print(f"random_inputs: error: {args.model}: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
