"""Writes a conv-BN-linear model whose batch norm reads its running statistics through Identity
nodes of its own scale and bias, as PyTorch's exporter writes a fresh BatchNorm2d (zeros and
ones are shared initializers). Usage: make_shared_bn.py OUT.onnx"""
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

rng = np.random.default_rng(0)
inits = [
    numpy_helper.from_array(rng.standard_normal((2, 1, 3, 3)).astype(np.float32) * 0.3, "conv.weight"),
    numpy_helper.from_array(np.ones(2, np.float32), "bn.weight"),
    numpy_helper.from_array(np.zeros(2, np.float32), "bn.bias"),
    numpy_helper.from_array(rng.standard_normal((10, 128)).astype(np.float32) * 0.1, "fc.weight"),
    numpy_helper.from_array(np.array([1, 128], np.int64), "shape"),
]
nodes = [
    helper.make_node("Identity", ["bn.weight"], ["bn.running_var"]),
    helper.make_node("Identity", ["bn.bias"], ["bn.running_mean"]),
    helper.make_node("Conv", ["image", "conv.weight"], ["c"], pads=[1, 1, 1, 1]),
    helper.make_node("BatchNormalization",
                     ["c", "bn.weight", "bn.bias", "bn.running_mean", "bn.running_var"], ["b"]),
    helper.make_node("Relu", ["b"], ["r"]),
    helper.make_node("Flatten", ["r"], ["f"], axis=1),
    helper.make_node("Gemm", ["f", "fc.weight"], ["logits"], transB=1),
]
graph = helper.make_graph(
    nodes, "shared_bn",
    [helper.make_tensor_value_info("image", TensorProto.FLOAT, [4, 1, 8, 8])],
    [helper.make_tensor_value_info("logits", TensorProto.FLOAT, [4, 10])], inits[:4])
model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
onnx.checker.check_model(model)
onnx.save(model, sys.argv[1])
