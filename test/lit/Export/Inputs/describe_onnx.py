#!/usr/bin/env python3
"""Checks an ONNX model with ONNX's own Python checker (full_check: strict shape inference
too) and describes it for FileCheck: opsets, inputs and outputs with their shapes (a
symbolic dimension by its name), node counts per op type (grouped convolutions apart),
and the initializers' count and elements.

  describe_onnx.py MODEL.onnx
"""
import collections
import sys

import numpy as np
import onnx


def dims(value_info):
    shape = value_info.type.tensor_type.shape
    return "[" + ", ".join(d.dim_param if d.HasField("dim_param") else
                           str(d.dim_value) if d.HasField("dim_value") else "?"
                           for d in shape.dim) + "]"


def main():
    model = onnx.load(sys.argv[1])
    onnx.checker.check_model(model, full_check=True)
    print("checker: ok")
    for opset in model.opset_import:
        print(f"opset '{opset.domain}' {opset.version}")
    for value in model.graph.input:
        print(f"input {value.name} {dims(value)}")
    for value in model.graph.output:
        print(f"output {value.name} {dims(value)}")
    counts = collections.Counter()
    for node in model.graph.node:
        group = next((a.i for a in node.attribute if a.name == "group"), 1)
        counts[node.op_type + (" grouped" if group > 1 else "")] += 1
    for op_type, count in sorted(counts.items()):
        print(f"node {op_type}: {count}")
    elements = sum(int(np.prod(t.dims)) for t in model.graph.initializer)
    print(f"initializers: {len(model.graph.initializer)} tensors, {elements} elements")
    for prop in model.metadata_props:
        print(f"metadata {prop.key} = {prop.value}")


if __name__ == "__main__":
    main()
