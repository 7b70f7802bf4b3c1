#!/usr/bin/env python3
"""Regenerates the ONNX Runtime reference outputs that ort-fixtures.test compares kiln with.

For each model below: `kilnc MODEL --emit=onnx` (batch left symbolic), random inputs in
[-1, 1) (random_inputs.py: a fixed seed per model), ONNX Runtime (npm onnxruntime-node, through
ort_run.js) on the exported model, and the outputs written as TensorProto files output_<i>.pb
(the layout of ONNX's backend tests and of `kiln-run infer --output-dir`): for the small
models at batch 2 in Inputs/<model>/ beside their inputs, for the rest of the zoo at batch 1 in
Inputs/zoo/<model>/ (zoo-ort.test makes their inputs again with random_inputs.py).

  /usr/bin/python3 test/lit/Export/Inputs/make_fixtures.py --bin build/bin [--only MODEL...]

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

from random_inputs import write_random_inputs

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", "..", "..", ".."))
# Small models: inputs and outputs at batch 2 in Inputs/<model>/.
MODELS = {
    "mnist_cnn": os.path.join(ROOT, "models", "mnist_cnn.kiln"),
    "cifar_resnet8": os.path.join(ROOT, "models", "cifar_resnet8.kiln"),
    "export_ops": os.path.join(HERE, "export_ops.kiln"),
}
BATCH = 2
# The rest of the zoo: outputs only, at batch 1, in Inputs/zoo/<model>/.
ZOO = ["cifar_resnet20", "cifar_resnet56", "resnet50", "resnext101_32x4d", "densenet121",
       "densenet169", "densenet161", "ssd_resnet34"]
ZOO_BATCH = 1


def make_fixture(name, source, batch, out_dir, bindir, node_modules, work, keep_inputs):
    model_path = os.path.join(work, name + ".onnx")
    subprocess.run([os.path.join(bindir, "kilnc"), source, "--emit=onnx", "-o", model_path],
                   check=True)
    model = onnx.load(model_path)
    # The zoo's inputs are made again by the test (random_inputs.py); only the small models
    # keep theirs next to the outputs.
    input_dir = out_dir if keep_inputs else os.path.join(work, "inputs")
    specs = []
    for index, (input_name, data) in enumerate(
            write_random_inputs(model, name, batch, input_dir)):
        data.tofile(os.path.join(work, f"in{index}.bin"))
        specs.append({"name": input_name, "type": str(data.dtype), "dims": list(data.shape),
                      "file": f"in{index}.bin"})
    with open(os.path.join(work, "inputs.json"), "w") as f:
        json.dump(specs, f)
    os.makedirs(out_dir, exist_ok=True)
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
    parser.add_argument("--only", nargs="*", help="these models only")
    args = parser.parse_args()
    if not os.path.isdir(os.path.join(args.node_modules, "onnxruntime-node")):
        sys.exit(f"make_fixtures: no onnxruntime-node in {args.node_modules}; install it with "
                 "`cd bench && ONNXRUNTIME_NODE_INSTALL_CUDA=skip npm install`")
    fixtures = [(name, source, BATCH, os.path.join(HERE, name), True)
                for name, source in MODELS.items()]
    fixtures += [(name, os.path.join(ROOT, "models", name + ".kiln"), ZOO_BATCH,
                  os.path.join(HERE, "zoo", name), False) for name in ZOO]
    for name, source, batch, out_dir, keep_inputs in fixtures:
        if args.only and name not in args.only:
            continue
        with tempfile.TemporaryDirectory() as work:
            make_fixture(name, source, batch, out_dir, args.bin, args.node_modules, work,
                         keep_inputs)


if __name__ == "__main__":
    main()
