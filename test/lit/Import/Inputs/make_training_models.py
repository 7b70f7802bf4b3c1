#!/usr/bin/env python3
"""Writes small ONNX models with training operators into a directory (argv[1]): the
ai.onnx.preview.training ops (Gradient, Momentum, Adam, Adagrad), batch norm in training mode
and training-mode dropout, each good form once and each refusal the importer makes."""
import os
import sys

import numpy as np
from onnx import TensorProto, helper, numpy_helper

TRAINING = "ai.onnx.preview.training"


def save(directory, name, nodes, inputs, outputs, initializers=(), opset=15, training=1):
    graph = helper.make_graph(nodes, "g", inputs, outputs, initializer=list(initializers))
    imports = [helper.make_opsetid("", opset)] if opset else []
    if training:
        imports.append(helper.make_opsetid(TRAINING, training))
    model = helper.make_model(graph, opset_imports=imports, producer_name="kiln-tests")
    with open(os.path.join(directory, name), "wb") as f:
        f.write(model.SerializeToString())


def f32(name, shape):
    return helper.make_tensor_value_info(name, TensorProto.FLOAT, shape)


def i64(name, shape):
    return helper.make_tensor_value_info(name, TensorProto.INT64, shape)


def main(directory):
    os.makedirs(directory, exist_ok=True)

    # Gradient of a non-scalar y (the gradient of its sum) through a matmul and a tanh.
    w = numpy_helper.from_array(np.full((3, 2), 0.5, np.float32), "w")
    save(directory, "gradient.onnx", [
        helper.make_node("MatMul", ["x", "w"], ["m"], name="mm"),
        helper.make_node("Tanh", ["m"], ["y"], name="act"),
        helper.make_node("Gradient", ["x", "w"], ["dx", "dw"], name="grad", domain=TRAINING,
                         xs=["x", "w"], y="y"),
    ], [f32("x", [4, 3])], [f32("y", [4, 2]), f32("dx", [4, 3]), f32("dw", [3, 2])], [w])

    # Gradient fed with other values than the tensors xs names.
    save(directory, "gradient_other_input.onnx", [
        helper.make_node("Mul", ["a", "b"], ["y"], name="mul"),
        helper.make_node("Gradient", ["b", "a"], ["da", "db"], name="swapped", domain=TRAINING,
                         xs=["a", "b"], y="y"),
    ], [f32("a", []), f32("b", [])], [f32("da", []), f32("db", [])])

    # Gradient with inputs held constant (zs).
    save(directory, "gradient_zs.onnx", [
        helper.make_node("Mul", ["a", "b"], ["y"], name="mul"),
        helper.make_node("Gradient", ["a", "b"], ["da"], name="with_zs", domain=TRAINING,
                         xs=["a"], zs=["b"], y="y"),
    ], [f32("a", []), f32("b", [])], [f32("da", [])])

    # Gradient through an op without a gradient (an integer cast).
    save(directory, "gradient_through_cast.onnx", [
        helper.make_node("Cast", ["a"], ["n"], name="to_int", to=TensorProto.INT64),
        helper.make_node("Cast", ["n"], ["y"], name="to_float", to=TensorProto.FLOAT),
        helper.make_node("Gradient", ["a"], ["da"], name="grad_cast", domain=TRAINING,
                         xs=["a"], y="y"),
    ], [f32("a", [2])], [f32("da", [2])])

    # Momentum with a mode ONNX does not define, and Adam with a gradient of another shape.
    optimizer_inputs = [f32("R", []), i64("T", []), f32("X", [2]), f32("G", [2]), f32("V", [2])]
    save(directory, "momentum_bad_mode.onnx", [
        helper.make_node("Momentum", ["R", "T", "X", "G", "V"], ["X_new", "V_new"],
                         name="heavy_ball", domain=TRAINING, alpha=0.9, beta=1.0,
                         norm_coefficient=0.0, mode="heavy"),
    ], optimizer_inputs, [f32("X_new", [2]), f32("V_new", [2])], opset=0)
    save(directory, "adam_bad_shape.onnx", [
        helper.make_node("Adam", ["R", "T", "X", "G", "V", "H"], ["X_new", "V_new", "H_new"],
                         name="adam", domain=TRAINING),
    ], [f32("R", []), i64("T", []), f32("X", [2]), f32("G", [3]), f32("V", [2]),
        f32("H", [2])], [f32("X_new", [2]), f32("V_new", [2]), f32("H_new", [2])], opset=0)
    # A version of the training domain that does not exist.
    save(directory, "training_domain_v2.onnx", [
        helper.make_node("Adagrad", ["R", "T", "X", "G", "V"], ["X_new", "V_new"],
                         name="adagrad", domain=TRAINING),
    ], optimizer_inputs, [f32("X_new", [2]), f32("V_new", [2])], opset=0, training=2)

    # An op of a domain kiln does not know at all.
    graph = helper.make_graph([helper.make_node("Frobnicate", ["x"], ["y"], name="frob",
                                                domain="com.example")], "g",
                              [f32("x", [2])], [f32("y", [2])])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13),
                                                    helper.make_opsetid("com.example", 1)])
    with open(os.path.join(directory, "custom_domain.onnx"), "wb") as f:
        f.write(model.SerializeToString())

    # Batch norm in training mode: batch statistics and blended running statistics.
    stats = [numpy_helper.from_array(np.ones(3, np.float32), n) for n in ("s", "bias", "mean", "var")]
    save(directory, "batchnorm_training.onnx", [
        helper.make_node("BatchNormalization", ["x", "s", "bias", "mean", "var"],
                         ["y", "running_mean", "running_var"], name="bn", training_mode=1,
                         momentum=0.8),
    ], [f32("x", [2, 3, 4, 4])],
        [f32("y", [2, 3, 4, 4]), f32("running_mean", [3]), f32("running_var", [3])], stats,
        training=0)

    # Before opset 14, statistics outputs (here declared, not read) mean training mode.
    save(directory, "batchnorm_opset13_outputs.onnx", [
        helper.make_node("BatchNormalization", ["x", "s", "bias", "mean", "var"],
                         ["y", "m", "v", "saved_m", "saved_v"], name="bn9"),
    ], [f32("x", [2, 3, 4, 4])], [f32("y", [2, 3, 4, 4])], stats, opset=13, training=0)

    # Dropout in training mode, and with a ratio of 1 (nothing would be kept).
    def dropout_model(name, ratio):
        save(directory, name, [
            helper.make_node("Dropout", ["x", "r", "t"], ["y", "mask"], name="drop", seed=7),
        ], [f32("x", [4, 8])],
            [f32("y", [4, 8]), helper.make_tensor_value_info("mask", TensorProto.BOOL, [4, 8])],
            [numpy_helper.from_array(np.array(ratio, np.float32), "r"),
             numpy_helper.from_array(np.array(True), "t")], opset=13, training=0)
    dropout_model("dropout_training.onnx", 0.25)
    dropout_model("dropout_ratio_one.onnx", 1.0)


if __name__ == "__main__":
    main(sys.argv[1])
