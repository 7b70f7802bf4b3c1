#!/usr/bin/env python3
"""Regenerates the ONNX Runtime reference outputs that ort-fixtures.test compares kiln with.

For each model below: `kilnc MODEL --emit=onnx` (batch left symbolic), random inputs in
[-1, 1) at batch 2 (a fixed seed per model), ONNX Runtime (npm onnxruntime-node, through
ort_run.js) on the exported model, and the inputs and outputs written as TensorProto files
Inputs/<model>/input_<i>.pb and output_<i>.pb (the layout of ONNX's backend tests and of
`kiln-run infer --output-dir`).

  /usr/bin/python3 test/lit/Export/Inputs/make_fixtures.py --bin build/bin

needs bench/node_modules (cd bench && ONNXRUNTIME_NODE_INSTALL_CUDA=skip npm install). Run it
again when the exporter, a model below or the initialisers change.
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile

import numpy as np
import onnx
from onnx import numpy_helper

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", "..", "..", ".."))
MODELS = {
    "mnist_cnn": os.path.join(ROOT, "models", "mnist_cnn.kiln"),
    "cifar_resnet8": os.path.join(ROOT, "models", "cifar_resnet8.kiln"),
    "export_ops": os.path.join(HERE, "export_ops.kiln"),
}
BATCH = 2
NUMPY_TYPES = {onnx.TensorProto.FLOAT: ("float32", np.float32),
               onnx.TensorProto.DOUBLE: ("float64", np.float64)}


def make_fixture(name, source, bindir, node_modules, work):
    model_path = os.path.join(work, name + ".onnx")
    subprocess.run([os.path.join(bindir, "kilnc"), source, "--emit=onnx", "-o", model_path],
                   check=True)
    model = onnx.load(model_path)
    out_dir = os.path.join(HERE, name)
    os.makedirs(out_dir, exist_ok=True)
    rng = np.random.default_rng(sum(map(ord, name)))
    specs = []
    for index, graph_input in enumerate(model.graph.input):
        tensor_type = graph_input.type.tensor_type
        ort_type, numpy_type = NUMPY_TYPES[tensor_type.elem_type]
        dims = [d.dim_value if d.HasField("dim_value") else BATCH
                for d in tensor_type.shape.dim]
        data = rng.uniform(-1.0, 1.0, size=dims).astype(numpy_type)
        onnx.save_tensor(numpy_helper.from_array(data, graph_input.name),
                         os.path.join(out_dir, f"input_{index}.pb"))
        data.tofile(os.path.join(work, f"in{index}.bin"))
        specs.append({"name": graph_input.name, "type": ort_type, "dims": dims,
                      "file": f"in{index}.bin"})
    with open(os.path.join(work, "inputs.json"), "w") as f:
        json.dump(specs, f)
    env = dict(os.environ, NODE_PATH=node_modules)
    subprocess.run(["node", os.path.join(HERE, "ort_run.js"), model_path, work], check=True,
                   env=env)
    for index, graph_output in enumerate(model.graph.output):
        with open(os.path.join(work, graph_output.name + ".json")) as f:
            meta = json.load(f)
        numpy_type = {"float32": np.float32, "float64": np.float64}[meta["type"]]
        data = np.fromfile(os.path.join(work, graph_output.name + ".bin"), dtype=numpy_type)
        data = data.reshape(meta["dims"])
        onnx.save_tensor(numpy_helper.from_array(data, graph_output.name),
                         os.path.join(out_dir, f"output_{index}.pb"))
    print(f"{name}: {len(specs)} input(s), {len(model.graph.output)} output(s) -> {out_dir}")


def main():
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--bin", required=True, help="directory holding kilnc")
    parser.add_argument("--node-modules", default=os.path.join(ROOT, "bench", "node_modules"))
    args = parser.parse_args()
    if not os.path.isdir(os.path.join(args.node_modules, "onnxruntime-node")):
        sys.exit(f"make_fixtures: no onnxruntime-node in {args.node_modules}; install it with "
                 "`cd bench && ONNXRUNTIME_NODE_INSTALL_CUDA=skip npm install`")
    for name, source in MODELS.items():
        with tempfile.TemporaryDirectory() as work:
            make_fixture(name, source, args.bin, args.node_modules, work)


if __name__ == "__main__":
    main()
