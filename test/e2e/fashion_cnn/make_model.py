#!/usr/bin/env python3
"""Writes model.onnx: the Fashion-MNIST CNN that kiln trains in the README's main job and in
bench/. Two conv-BN-ReLU-maxpool blocks, then a linear classifier; PyTorch's default
initialisation with a fixed seed; the batch dimension left symbolic (kilnc --batch pins it).

Run with Debian's python3 (it has torch): /usr/bin/python3 test/e2e/fashion_cnn/make_model.py
"""
import os

import torch
from torch import nn


class FashionCnn(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 32, 3, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(32)
        self.conv2 = nn.Conv2d(32, 64, 3, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(64)
        self.pool = nn.MaxPool2d(2)
        self.fc = nn.Linear(64 * 7 * 7, 10)

    def forward(self, image):
        x = self.pool(torch.relu(self.bn1(self.conv1(image))))
        x = self.pool(torch.relu(self.bn2(self.conv2(x))))
        return self.fc(torch.flatten(x, 1))


def main():
    torch.manual_seed(0)
    model = FashionCnn()
    # Eval mode, exported as is (PRESERVE; EVAL would fold batch norm into the convolutions):
    # batch norm is the inference node on running statistics, as ONNX Runtime and every
    # inference engine expect, and kilnc --train turns it into batch statistics. A
    # training-mode export would write BatchNormalization with five outputs, which ONNX
    # defines as batch statistics even for inference.
    model.eval()
    out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "model.onnx")
    torch.onnx.export(model, torch.zeros(1, 1, 28, 28), out, input_names=["image"],
                      output_names=["logits"], dynamic_axes={"image": {0: "N"}, "logits": {0: "N"}},
                      opset_version=13, training=torch.onnx.TrainingMode.PRESERVE,
                      do_constant_folding=False)
    print("wrote", out)


if __name__ == "__main__":
    main()
