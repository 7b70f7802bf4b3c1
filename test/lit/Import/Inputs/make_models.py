#!/usr/bin/env python3
"""Writes the small ONNX models the import tests use into a directory (argv[1]).

Each model isolates one case: good models that must import, and bad ones that must be
refused with one clear error. Generated at test time with Debian's python3-onnx, so no
binary fixtures are checked in.
"""
import os
import sys

import numpy as np
from onnx import TensorProto, helper, numpy_helper


def save(directory, name, model):
    with open(os.path.join(directory, name), "wb") as f:
        f.write(model.SerializeToString())


def model(nodes, inputs, outputs, initializers=(), opset=13, name="g"):
    graph = helper.make_graph(nodes, name, inputs, outputs, initializer=list(initializers))
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset)],
                             producer_name="kiln-tests")


def f32(name, shape):
    return helper.make_tensor_value_info(name, TensorProto.FLOAT, shape)


def main(directory):
    os.makedirs(directory, exist_ok=True)
    rng = np.random.default_rng(0)

    # A small good model: conv with bias (initializers become parameters), relu, flatten, gemm.
    w = numpy_helper.from_array(rng.standard_normal((4, 1, 3, 3)).astype(np.float32), "conv.weight")
    b = numpy_helper.from_array(np.zeros(4, np.float32), "conv.bias")
    fw = numpy_helper.from_array(rng.standard_normal((3, 64)).astype(np.float32), "fc.weight")
    good = model([
        helper.make_node("Conv", ["x", "conv.weight", "conv.bias"], ["c"], name="conv1",
                         pads=[1, 1, 1, 1]),
        helper.make_node("Relu", ["c"], ["r"], name="relu1"),
        helper.make_node("MaxPool", ["r"], ["p"], name="pool1", kernel_shape=[2, 2], strides=[2, 2]),
        helper.make_node("Flatten", ["p"], ["f"], name="flatten"),
        helper.make_node("Gemm", ["f", "fc.weight"], ["y"], name="fc", transB=1),
    ], [f32("x", ["batch", 1, 8, 8])], [f32("y", ["batch", 3])], [w, b, fw])
    save(directory, "good_cnn.onnx", good)

    # Not a protobuf at all, and a good model cut in half.
    with open(os.path.join(directory, "garbage.onnx"), "wb") as f:
        f.write(b"\x89PNG\r\n\x1a\n this is not an onnx model \xff\xfe" * 8)
    data = good.SerializeToString()
    with open(os.path.join(directory, "truncated.onnx"), "wb") as f:
        f.write(data[: len(data) // 2])

    # An op kiln does not support (two of them: both must be reported at once).
    save(directory, "unsupported_op.onnx", model([
        helper.make_node("Relu", ["x"], ["a"], name="ok"),
        helper.make_node("Erf", ["a"], ["b"], name="erf_node"),
        helper.make_node("HardSwish", ["b"], ["y"], name="hswish_node"),
    ], [f32("x", [2, 3])], [f32("y", [2, 3])], opset=14))

    # A supported op with an attribute value kiln does not support.
    save(directory, "unsupported_attribute.onnx", model([
        helper.make_node("Pad", ["x", "pads"], ["y"], name="reflect_pad", mode="reflect"),
    ], [f32("x", [2, 3])], [f32("y", [2, 5])],
        [numpy_helper.from_array(np.array([0, 1, 0, 1], np.int64), "pads")]))

    # Opsets outside 7..17.
    relu = [helper.make_node("Relu", ["x"], ["y"], name="relu")]
    save(directory, "opset5.onnx", model(relu, [f32("x", [2])], [f32("y", [2])], opset=5))
    save(directory, "opset18.onnx", model(relu, [f32("x", [2])], [f32("y", [2])], opset=18))

    # A symbolic dimension that is not the batch and is not pinned.
    save(directory, "dynamic_dim.onnx", model(relu, [f32("x", ["batch", "width"])],
                                              [f32("y", ["batch", "width"])]))

    # Shapes that do not broadcast: ONNX shape inference or kiln's shape rule refuses them.
    save(directory, "wrong_shape.onnx", model([
        helper.make_node("Add", ["x", "z"], ["y"], name="bad_add"),
    ], [f32("x", [2, 3]), f32("z", [4])], [f32("y", [2, 3])]))

    # Fails ONNX's checker: a node without its required input.
    save(directory, "checker_failure.onnx", model([
        helper.make_node("Conv", ["x"], ["y"], name="conv_without_filter"),
    ], [f32("x", [1, 1, 4, 4])], [f32("y", [1, 1, 4, 4])]))

    # An element type kiln does not support.
    save(directory, "unsupported_dtype.onnx", model([
        helper.make_node("Identity", ["x"], ["y"], name="id"),
    ], [helper.make_tensor_value_info("x", TensorProto.STRING, [2])],
        [helper.make_tensor_value_info("y", TensorProto.STRING, [2])]))


if __name__ == "__main__":
    main(sys.argv[1])
