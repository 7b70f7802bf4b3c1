"""The ResNets of issue 4's model benchmarks, in plain PyTorch (Debian has no torchvision).

- `cifar_resnet(depth)`: He et al. 2016, section 4.2: a 3x3 stem of 16 channels, three
  stages of (depth - 2) / 6 basic blocks with 16, 32, 64 channels, global average pooling,
  a 10-way classifier. Shortcuts that change shape are 1x1 convolutions with batch norm
  (option B), so that the ONNX graph uses only convolutions.
- `resnet50()`: ResNet-50 v1.5 (torchvision's layout: stride on the 3x3 convolution of each
  bottleneck), 1000 classes, 25,557,032 parameters.
"""
import torch
from torch import nn


def conv_bn(cin, cout, kernel, stride=1):
    return nn.Sequential(nn.Conv2d(cin, cout, kernel, stride, kernel // 2, bias=False),
                         nn.BatchNorm2d(cout))


class Basic(nn.Module):
    def __init__(self, cin, cout, stride):
        super().__init__()
        self.body = nn.Sequential(conv_bn(cin, cout, 3, stride), nn.ReLU(),
                                  conv_bn(cout, cout, 3))
        self.shortcut = (conv_bn(cin, cout, 1, stride) if stride != 1 or cin != cout
                         else nn.Identity())

    def forward(self, x):
        return torch.relu(self.body(x) + self.shortcut(x))


class Bottleneck(nn.Module):
    def __init__(self, cin, width, stride):
        super().__init__()
        cout = 4 * width
        self.body = nn.Sequential(conv_bn(cin, width, 1), nn.ReLU(),
                                  conv_bn(width, width, 3, stride), nn.ReLU(),
                                  conv_bn(width, cout, 1))
        self.shortcut = (conv_bn(cin, cout, 1, stride) if stride != 1 or cin != cout
                         else nn.Identity())

    def forward(self, x):
        return torch.relu(self.body(x) + self.shortcut(x))


def cifar_resnet(depth=20, classes=10):
    blocks = (depth - 2) // 6
    layers, cin = [conv_bn(3, 16, 3), nn.ReLU()], 16
    for stage, cout in enumerate((16, 32, 64)):
        for b in range(blocks):
            layers.append(Basic(cin, cout, 2 if stage > 0 and b == 0 else 1))
            cin = cout
    layers += [nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(64, classes)]
    return nn.Sequential(*layers)


def resnet50(classes=1000):
    layers = [nn.Conv2d(3, 64, 7, 2, 3, bias=False), nn.BatchNorm2d(64), nn.ReLU(),
              nn.MaxPool2d(3, 2, 1)]
    cin = 64
    for stage, (width, blocks) in enumerate(((64, 3), (128, 4), (256, 6), (512, 3))):
        for b in range(blocks):
            layers.append(Bottleneck(cin, width, 2 if stage > 0 and b == 0 else 1))
            cin = 4 * width
    layers += [nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(2048, classes)]
    return nn.Sequential(*layers)


MODELS = {
    "cifar_resnet20": (lambda: cifar_resnet(20), (3, 32, 32)),
    "resnet50": (resnet50, (3, 224, 224)),
}
