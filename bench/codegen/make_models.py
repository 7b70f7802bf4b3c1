"""Writes the two ONNX models of the codegen prototype (docs/codegen-plan.md).

conv3x3.onnx: ResNet-50 layer1 3x3 convolution, 64->64 channels, 56x56, pad 1, stride 1,
              no bias, batch symbolic (kilnc --batch 8 fixes it).
matmul1024.onnx: a 1024x1024 by 1024x1024 MatMul.

    python3 make_models.py OUTDIR
"""
import sys

import numpy as np
from onnx import TensorProto, checker, helper, numpy_helper, save


def conv_model():
    w = numpy_helper.from_array(
        np.random.default_rng(0).standard_normal((64, 64, 3, 3)).astype(np.float32) * 0.05, "w")
    node = helper.make_node("Conv", ["x", "w"], ["y"], kernel_shape=[3, 3],
                            pads=[1, 1, 1, 1], strides=[1, 1])
    graph = helper.make_graph(
        [node], "conv3x3",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["N", 64, 56, 56])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, ["N", 64, 56, 56])],
        initializer=[w])
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])


def matmul_model():
    graph = helper.make_graph(
        [helper.make_node("MatMul", ["a", "b"], ["c"])], "matmul1024",
        [helper.make_tensor_value_info("a", TensorProto.FLOAT, [1024, 1024]),
         helper.make_tensor_value_info("b", TensorProto.FLOAT, [1024, 1024])],
        [helper.make_tensor_value_info("c", TensorProto.FLOAT, [1024, 1024])])
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])


if __name__ == "__main__":
    out = sys.argv[1] if len(sys.argv) > 1 else "."
    for name, model in (("conv3x3", conv_model()), ("matmul1024", matmul_model())):
        model.ir_version = 8
        checker.check_model(model)
        save(model, f"{out}/{name}.onnx")
