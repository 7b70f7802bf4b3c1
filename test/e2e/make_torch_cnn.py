#!/usr/bin/env python3
"""Regenerates the PyTorch CNN fixture of the end-to-end test (test/lit/Tools/torch-cnn.test).

The model covers what the foundation issue asks a CNN to exercise: convolution, batch norm
(inference), ReLU, max pooling, a residual add, concat, a grouped convolution, global average
pooling and a fully connected layer (Gemm). It is exported with a symbolic batch dimension,
so kilnc must pin it with --batch. Run with Debian's Python (python3-torch, python3-onnx):

    /usr/bin/python3 test/e2e/make_torch_cnn.py test/e2e/torch_cnn
"""
import os
import sys

import numpy as np
import onnx
import torch
from onnx import numpy_helper
from torch import nn


class TinyResNeXt(nn.Module):
    def __init__(self, classes=10):
        super().__init__()
        self.stem = nn.Sequential(nn.Conv2d(1, 16, 3, padding=1, bias=False),
                                  nn.BatchNorm2d(16), nn.ReLU(), nn.MaxPool2d(2))
        # A ResNeXt-style bottleneck: 1x1, grouped 3x3, 1x1, residual add.
        self.reduce = nn.Conv2d(16, 16, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(16)
        self.grouped = nn.Conv2d(16, 16, 3, padding=1, groups=4, bias=False)
        self.bn2 = nn.BatchNorm2d(16)
        self.expand = nn.Conv2d(16, 16, 1, bias=False)
        self.bn3 = nn.BatchNorm2d(16)
        # A DenseNet-style branch concatenated to the trunk.
        self.branch = nn.Conv2d(16, 8, 3, stride=2, padding=1)
        self.pool = nn.MaxPool2d(3, stride=2, padding=1)
        self.fc = nn.Linear(24, classes)

    def forward(self, x):
        x = self.stem(x)
        y = torch.relu(self.bn1(self.reduce(x)))
        y = torch.relu(self.bn2(self.grouped(y)))
        y = self.bn3(self.expand(y))
        x = torch.relu(x + y)
        x = torch.cat([self.pool(x), torch.relu(self.branch(x))], dim=1)
        x = torch.flatten(nn.functional.adaptive_avg_pool2d(x, 1), 1)
        return self.fc(x)


def main(out_dir):
    torch.manual_seed(0)
    model = TinyResNeXt()
    # Non-trivial batch-norm statistics, so the test checks that they are used.
    for module in model.modules():
        if isinstance(module, nn.BatchNorm2d):
            module.running_mean.uniform_(-0.5, 0.5)
            module.running_var.uniform_(0.5, 1.5)
            module.weight.data.uniform_(0.5, 1.5)
            module.bias.data.uniform_(-0.2, 0.2)
    model.eval()
    x = torch.rand(2, 1, 28, 28)
    with torch.no_grad():
        y = model(x)
    os.makedirs(os.path.join(out_dir, "test_data_set_0"), exist_ok=True)
    torch.onnx.export(model, x, os.path.join(out_dir, "model.onnx"), opset_version=13,
                      # PRESERVE keeps BatchNormalization nodes (EVAL would fold them into
                      # the convolutions), so the test exercises kiln's batch norm.
                      training=torch.onnx.TrainingMode.PRESERVE,
                      input_names=["image"], output_names=["logits"],
                      dynamic_axes={"image": {0: "batch"}, "logits": {0: "batch"}})
    onnx.checker.check_model(onnx.load(os.path.join(out_dir, "model.onnx")))
    for name, value in (("input_0", x), ("output_0", y)):
        tensor = numpy_helper.from_array(value.numpy().astype(np.float32), name)
        with open(os.path.join(out_dir, "test_data_set_0", name + ".pb"), "wb") as f:
            f.write(tensor.SerializeToString())
    print("wrote", out_dir, "ops:", sorted({n.op_type for n in onnx.load(
        os.path.join(out_dir, "model.onnx")).graph.node}))


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "torch_cnn"))
