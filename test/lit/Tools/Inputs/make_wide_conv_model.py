"""Writes a 3x3 convolution with 512 input and output channels on 7 x 7 images (with a bias
and a ReLU), whose Winograd filter is too large for every task of kiln-winograd to read
(F(2x2): 16 x 512 x 512 floats, 16 MB), with a random input and the output numpy computes.

    make_wide_conv_model.py OUTDIR   -> OUTDIR/model.onnx, input_0.pb, output_0.pb
"""
import os
import sys

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view
from onnx import TensorProto, checker, helper, numpy_helper, save

BATCH, CHANNELS, SIZE = 2, 512, 7


def main(out):
    rng = np.random.default_rng(11)
    w = (rng.standard_normal((CHANNELS, CHANNELS, 3, 3)) * 0.02).astype(np.float32)
    b = (rng.standard_normal(CHANNELS) * 0.1).astype(np.float32)
    nodes = [helper.make_node("Conv", ["x", "w", "b"], ["c"], kernel_shape=[3, 3], pads=[1] * 4),
             helper.make_node("Relu", ["c"], ["y"])]
    shape = [BATCH, CHANNELS, SIZE, SIZE]
    graph = helper.make_graph(
        nodes, "wide_conv", [helper.make_tensor_value_info("x", TensorProto.FLOAT, shape)],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, shape)],
        initializer=[numpy_helper.from_array(w, "w"), numpy_helper.from_array(b, "b")])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
    model.ir_version = 8
    checker.check_model(model)
    save(model, os.path.join(out, "model.onnx"))

    x = rng.standard_normal(shape).astype(np.float32)
    padded = np.pad(x.astype(np.float64), ((0, 0), (0, 0), (1, 1), (1, 1)))
    windows = sliding_window_view(padded, (3, 3), axis=(2, 3))
    y = np.einsum("nchwij,fcij->nfhw", windows, w.astype(np.float64)) + b.reshape(1, -1, 1, 1)
    y = np.maximum(y, 0)
    for name, value in (("input_0", x), ("output_0", y.astype(np.float32))):
        with open(os.path.join(out, name + ".pb"), "wb") as f:
            f.write(numpy_helper.from_array(value, name).SerializeToString())


if __name__ == "__main__":
    main(sys.argv[1])
