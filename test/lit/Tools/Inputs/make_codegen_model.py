"""Writes a small residual block that takes every path of kiln's fast contraction code
(channels-last 3x3 and 1x1 convolutions, stride 1 and 2, bias, odd and even widths, a ReLU
and a residual add + ReLU applied to a convolution's register tiles, a channels-last max
pool, a classifier gemm) with a random input and the output numpy computes for it. The
block's output goes through one more convolution, so that its add + ReLU stays an op of its
own rather than joining the average pooling.

    make_codegen_model.py OUTDIR [SIZE]   -> OUTDIR/model.onnx, input_0.pb, output_0.pb

SIZE is the input's height and width (28 by default).
"""
import os
import sys

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view
from onnx import TensorProto, checker, helper, numpy_helper, save

rng = np.random.default_rng(7)
# 8 images: enough multiply-adds for kiln-winograd to take the strided 3x3 convolution too.
BATCH = 8


def param(name, *shape):
    return numpy_helper.from_array((rng.standard_normal(shape) * 0.2).astype(np.float32), name)


def conv(x, w, b, stride, pad):
    """NCHW cross-correlation in float64."""
    x = np.pad(x, ((0, 0), (0, 0), (pad, pad), (pad, pad)))
    windows = sliding_window_view(x, w.shape[2:], axis=(2, 3))[:, :, ::stride, ::stride]
    y = np.einsum("nchwij,fcij->nfhw", windows, w)
    return y + b.reshape(1, -1, 1, 1)


def main(out, size):
    params = [param("w1", 32, 16, 3, 3), param("b1", 32), param("w2", 32, 32, 3, 3),
              param("b2", 32), param("ws", 32, 16, 1, 1), param("bs", 32),
              param("wfc", 24, 32), param("bfc", 24), param("w3", 32, 32, 1, 1),
              param("b3", 32)]
    nodes = [
        helper.make_node("Conv", ["x", "w1", "b1"], ["c1"], kernel_shape=[3, 3], pads=[1] * 4),
        helper.make_node("Relu", ["c1"], ["r1"]),
        helper.make_node("MaxPool", ["r1"], ["p1"], kernel_shape=[3, 3], pads=[1] * 4),
        helper.make_node("Conv", ["p1", "w2", "b2"], ["c2"], kernel_shape=[3, 3], pads=[1] * 4,
                         strides=[2, 2]),
        helper.make_node("Conv", ["x", "ws", "bs"], ["s"], kernel_shape=[1, 1], strides=[2, 2]),
        helper.make_node("Add", ["c2", "s"], ["sum"]),
        helper.make_node("Relu", ["sum"], ["r2"]),
        helper.make_node("Conv", ["r2", "w3", "b3"], ["c3"], kernel_shape=[1, 1]),
        helper.make_node("GlobalAveragePool", ["c3"], ["pooled"]),
        helper.make_node("Flatten", ["pooled"], ["flat"]),
        helper.make_node("Gemm", ["flat", "wfc", "bfc"], ["y"], transB=1),
    ]
    graph = helper.make_graph(
        nodes, "codegen_block",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [BATCH, 16, size, size])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [BATCH, 24])], initializer=params)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
    model.ir_version = 8
    checker.check_model(model)
    save(model, os.path.join(out, "model.onnx"))

    p = {t.name: numpy_helper.to_array(t).astype(np.float64) for t in params}
    x = rng.standard_normal((BATCH, 16, size, size)).astype(np.float32)
    r1 = np.maximum(conv(x.astype(np.float64), p["w1"], p["b1"], 1, 1), 0)
    padded = np.pad(r1, ((0, 0), (0, 0), (1, 1), (1, 1)), constant_values=-np.inf)
    p1 = sliding_window_view(padded, (3, 3), axis=(2, 3)).max(axis=(4, 5))
    r2 = np.maximum(conv(p1, p["w2"], p["b2"], 2, 1) + conv(x, p["ws"], p["bs"], 2, 0), 0)
    c3 = conv(r2, p["w3"], p["b3"], 1, 0)
    y = c3.mean(axis=(2, 3)) @ p["wfc"].T + p["bfc"]
    for name, value in (("input_0", x), ("output_0", y.astype(np.float32))):
        with open(os.path.join(out, name + ".pb"), "wb") as f:
            f.write(numpy_helper.from_array(value, name).SerializeToString())


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else 28)
