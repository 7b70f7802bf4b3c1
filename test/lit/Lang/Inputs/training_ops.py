#!/usr/bin/env python3
"""Inputs for, and numpy's check of, training-ops.kiln: the training graph's ops written as
model-language built-ins compute what their definitions say.

    training_ops.py inputs DIR     writes DIR/input_0.pb (x), input_1.pb (w), input_2.pb (seed)
    training_ops.py check DIR OUT  compares OUT/output_<i>.pb with numpy's values
"""
import os
import sys

import numpy as np
from onnx import TensorProto, numpy_helper

OUTPUTS = ["dx", "dw", "dx2", "dp", "da", "ds", "bn", "mean", "variance", "u", "v"]


def read(path):
    proto = TensorProto()
    with open(path, "rb") as f:
        proto.ParseFromString(f.read())
    return numpy_helper.to_array(proto)


def conv(x, w, pad):
    """Stride-1 convolution, numpy's reference for conv's output."""
    xp = np.pad(x, ((0, 0), (0, 0), (pad, pad), (pad, pad)))
    k = w.shape[2]
    h, wd = xp.shape[2] - k + 1, xp.shape[3] - k + 1
    out = np.zeros((x.shape[0], w.shape[0], h, wd))
    for i in range(k):
        for j in range(k):
            out += np.einsum("nchw,fc->nfhw", xp[:, :, i:i + h, j:j + wd], w[:, :, i, j])
    return out


def expected(x, w):
    y = conv(x, w, 1)
    values = {}
    # Backward data of a stride-1, pad-1 3x3 convolution: the full correlation with the
    # flipped filter, cropped back by the padding.
    flipped = np.flip(w, (2, 3)).transpose(1, 0, 2, 3)
    values["dx"] = conv(y, flipped, 1)
    xp = np.pad(x, ((0, 0), (0, 0), (1, 1), (1, 1)))
    dw = np.zeros(w.shape)
    for i in range(3):
        for j in range(3):
            dw[:, :, i, j] = np.einsum("nchw,nfhw->fc", xp[:, :, i:i + 8, j:j + 8], y)
    values["dw"] = dw
    # 1x1, stride 2, groups 2, every filter weight 0.5.
    y2 = np.zeros((2, 4, 4, 4))
    for f in range(4):
        group = f // 2
        y2[:, f] = 0.5 * x[:, 2 * group:2 * group + 2, ::2, ::2].sum(1)
    dx2 = np.zeros(x.shape)
    for c in range(4):
        group = c // 2
        dx2[:, c, ::2, ::2] = 0.5 * y2[:, 2 * group:2 * group + 2].sum(1)
    values["dx2"] = dx2
    # Max-pool 2x2 backward with the pooled values as the gradient: each window's maximum
    # gets the window's maximum, the rest zero.
    windows = x.reshape(2, 4, 4, 2, 4, 2).transpose(0, 1, 2, 4, 3, 5).reshape(2, 4, 4, 4, 4)
    first = windows.argmax(-1)
    dp = np.zeros((2, 4, 4, 4, 4))
    np.put_along_axis(dp, first[..., None], windows.max(-1)[..., None], -1)
    values["dp"] = dp.reshape(2, 4, 4, 4, 2, 2).transpose(0, 1, 2, 4, 3, 5).reshape(x.shape)
    # Average-pool 3x3, stride 1, padding 1, counting the padding: every window spreads
    # its gradient / 9 over its cells; that is a 3x3 box sum of the gradient / 9.
    box = np.ones((4, 4, 3, 3)) * np.eye(4)[:, :, None, None] / 9
    values["da"] = conv(x, box, 1)
    ds = np.zeros(x.shape)
    ds[:, :, ::2, 1::2] = x[:, :, ::2, 1::2]
    values["ds"] = ds
    mean, variance = x.mean((0, 2, 3)), x.var((0, 2, 3))
    values["bn"] = (x - mean[None, :, None, None]) / np.sqrt(variance[None, :, None, None] + 1e-3)
    values["mean"], values["variance"] = mean, variance
    return values


def main():
    if sys.argv[1] == "inputs":
        out = sys.argv[2]
        os.makedirs(out, exist_ok=True)
        rng = np.random.default_rng(11)
        arrays = [rng.uniform(-1, 1, (2, 4, 8, 8)).astype(np.float32),
                  rng.uniform(-1, 1, (6, 4, 3, 3)).astype(np.float32),
                  np.array(12345, dtype=np.int64)]
        for i, a in enumerate(arrays):
            with open(os.path.join(out, "input_%d.pb" % i), "wb") as f:
                f.write(numpy_helper.from_array(a).SerializeToString())
        return 0
    inputs, outputs = sys.argv[2], sys.argv[3]
    x, w = read(os.path.join(inputs, "input_0.pb")), read(os.path.join(inputs, "input_1.pb"))
    want = expected(x.astype(np.float64), w.astype(np.float64))
    failures = 0
    for i, name in enumerate(OUTPUTS):
        got = read(os.path.join(outputs, "output_%d.pb" % i))
        if name in ("u", "v"):
            # Uniform numbers: in [0, 1), not all alike, near 1/2 on average for the 512 of u.
            ok = got.min() >= 0 and got.max() < 1 and len(np.unique(got)) == got.size
            if name == "u":
                ok = ok and abs(got.mean() - 0.5) < 0.05
            detail = "range [%g, %g], mean %g" % (got.min(), got.max(), got.mean())
        else:
            error = np.abs(got - want[name]).max()
            ok = got.shape == want[name].shape and error <= 1e-4 * max(1, np.abs(want[name]).max())
            detail = "max error %.3g" % error
        print("%s: %s (%s)" % (name, "ok" if ok else "WRONG", detail))
        failures += not ok
    print("%d passed, %d failed" % (len(OUTPUTS) - failures, failures))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
