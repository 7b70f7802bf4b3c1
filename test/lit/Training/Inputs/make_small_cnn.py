"""Writes a batch-norm-free CNN for 1x8x8 images with a symbolic batch N (kilnc --batch pins
it): conv 1->4 3x3 pad 1, ReLU, max pool 2, flatten, linear 64->10. Usage: make_small_cnn.py OUT"""
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

rng = np.random.default_rng(1)
inits = [
    numpy_helper.from_array((rng.standard_normal((4, 1, 3, 3)) * 0.4).astype(np.float32), "conv.weight"),
    numpy_helper.from_array((rng.standard_normal(4) * 0.1).astype(np.float32), "conv.bias"),
    numpy_helper.from_array((rng.standard_normal((10, 64)) * 0.1).astype(np.float32), "fc.weight"),
    numpy_helper.from_array(np.zeros(10, np.float32), "fc.bias"),
]
nodes = [
    helper.make_node("Conv", ["image", "conv.weight", "conv.bias"], ["c"], pads=[1, 1, 1, 1]),
    helper.make_node("Relu", ["c"], ["r"]),
    helper.make_node("MaxPool", ["r"], ["p"], kernel_shape=[2, 2], strides=[2, 2]),
    helper.make_node("Flatten", ["p"], ["f"], axis=1),
    helper.make_node("Gemm", ["f", "fc.weight", "fc.bias"], ["logits"], transB=1),
]
graph = helper.make_graph(
    nodes, "small_cnn",
    [helper.make_tensor_value_info("image", TensorProto.FLOAT, ["N", 1, 8, 8])],
    [helper.make_tensor_value_info("logits", TensorProto.FLOAT, ["N", 10])], inits)
model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
onnx.checker.check_model(model)
onnx.save(model, sys.argv[1])
