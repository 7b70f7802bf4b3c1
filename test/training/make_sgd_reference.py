#!/usr/bin/env python3
"""Regenerates the PyTorch reference that kiln's training is checked against (test/training/).

Writes, under the output directory (default test/training/reference):

  model.onnx, model_bn.onnx   the small CNN, without and with batch norm, exported from PyTorch
                              (opset 13, fixed batch 4, parameters under their PyTorch names)
  data/                       a 32-image 8x8 IDX dataset (train-*) and an 8-image test set (t10k-*)
  <variant>/                  the parameters (and batch-norm running statistics) after 4 PyTorch
                              steps of that variant: one ONNX TensorProto file per tensor,
                              <name>.pb, plus variant.json (hyperparameters, the kilnc and
                              kiln-run flags that should reproduce it, PyTorch's loss per step)

Training reads the samples in order (no shuffle), batch 4, 4 steps, softmax cross-entropy (mean
over the batch), float32, one thread and deterministic algorithms, so a rerun writes the same
numbers. README.md describes the variants. Needs torch (Debian: python3-torch), onnx, numpy:

    /usr/bin/python3 test/training/make_sgd_reference.py [OUT_DIR]
"""
import copy
import json
import os
import sys

import numpy as np
import onnx
import torch
from onnx import numpy_helper
from torch import nn

BATCH = 4
STEPS = 4
IMAGE_SIZE = 8
CLASSES = 10
TRAIN_SAMPLES = 32
TEST_SAMPLES = 8
INIT_SEED = 0
DATA_SEED = 1234
# kiln's batch-norm momentum weighs the old running statistics: 1 - PyTorch's momentum.
TORCH_BN_MOMENTUM = 0.1


class SmallCnn(nn.Module):
    """conv(1->4) [-> batch norm] -> relu -> maxpool 2 -> conv(4->8) -> relu -> global average
    pool -> linear(8 -> 10)."""

    def __init__(self, batch_norm):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 4, 3, padding=1)
        self.bn1 = nn.BatchNorm2d(4, momentum=TORCH_BN_MOMENTUM) if batch_norm else None
        self.conv2 = nn.Conv2d(4, 8, 3, stride=1, padding=1)
        self.fc = nn.Linear(8, CLASSES)

    def forward(self, x):
        x = self.conv1(x)
        if self.bn1 is not None:
            x = self.bn1(x)
        x = nn.functional.max_pool2d(torch.relu(x), 2)
        x = torch.relu(self.conv2(x))
        x = torch.flatten(nn.functional.adaptive_avg_pool2d(x, 1), 1)
        return self.fc(x)


def sgd(**kwargs):
    return lambda model: torch.optim.SGD(model.parameters(), **kwargs)


def adamw_matrices_only(lr, weight_decay):
    """AdamW decaying only parameters of rank > 1, as kilnc's --weight-decay does by default
    (biases and batch-norm scales are left alone unless --decay-all)."""
    def make(model):
        decayed = [p for p in model.parameters() if p.dim() > 1]
        kept = [p for p in model.parameters() if p.dim() <= 1]
        return torch.optim.AdamW([{"params": decayed, "weight_decay": weight_decay},
                                  {"params": kept, "weight_decay": 0.0}], lr=lr)
    return make


# name: (model, PyTorch optimizer factory, its hyperparameters, kilnc flags, kiln-run flags).
# Every kilnc command also takes: --train --batch 4 --loss softmax-cross-entropy; every
# kiln-run train command: --data idx:reference/data --steps 4 --no-shuffle --no-eval.
VARIANTS = {
    "sgd": ("model.onnx", sgd(lr=0.05), {"optimizer": "sgd", "lr": 0.05},
            "--optimizer sgd", "--lr 0.05"),
    "sgd_momentum": ("model.onnx", sgd(lr=0.05, momentum=0.9),
                     {"optimizer": "sgd", "lr": 0.05, "momentum": 0.9},
                     "--optimizer sgd --momentum 0.9", "--lr 0.05"),
    "sgd_nesterov": ("model.onnx", sgd(lr=0.05, momentum=0.9, nesterov=True),
                     {"optimizer": "sgd", "lr": 0.05, "momentum": 0.9, "nesterov": True},
                     "--optimizer sgd --momentum 0.9 --nesterov", "--lr 0.05"),
    # PyTorch's SGD weight_decay is L2 regularisation (g += wd * p, through the momentum) on
    # every parameter, biases included: kilnc's --l2 with --decay-all.
    "sgd_l2": ("model.onnx", sgd(lr=0.05, momentum=0.9, weight_decay=1e-2),
               {"optimizer": "sgd", "lr": 0.05, "momentum": 0.9, "weight_decay (L2)": 1e-2},
               "--optimizer sgd --momentum 0.9 --l2 0.01 --decay-all", "--lr 0.05"),
    "adam": ("model.onnx", lambda model: torch.optim.Adam(model.parameters(), lr=1e-3),
             {"optimizer": "adam", "lr": 1e-3, "betas": [0.9, 0.999], "eps": 1e-8},
             "--optimizer adam", "--lr 0.001"),
    "adamw": ("model.onnx", adamw_matrices_only(lr=1e-3, weight_decay=0.5),
              {"optimizer": "adamw", "lr": 1e-3, "betas": [0.9, 0.999], "eps": 1e-8,
               "weight_decay (decoupled, rank > 1 only)": 0.5},
              "--optimizer adam --weight-decay 0.5", "--lr 0.001"),
    "rmsprop": ("model.onnx", lambda model: torch.optim.RMSprop(model.parameters(), lr=1e-3),
                {"optimizer": "rmsprop", "lr": 1e-3, "alpha": 0.99, "eps": 1e-8},
                "--optimizer rmsprop", "--lr 0.001"),
    "bn_sgd_momentum": ("model_bn.onnx", sgd(lr=0.05, momentum=0.9),
                        {"optimizer": "sgd", "lr": 0.05, "momentum": 0.9,
                         "batch_norm_momentum (PyTorch)": TORCH_BN_MOMENTUM},
                        "--optimizer sgd --momentum 0.9 --bn-momentum 0.9", "--lr 0.05"),
}
COMMON_KILNC = "--train --batch 4 --loss softmax-cross-entropy"
COMMON_KILN_RUN = "--steps 4 --no-shuffle --no-eval"


def make_dataset(count, rng):
    """Images of one of ten fixed noisy patterns, labels 0..9 in turn: learnable, and every
    batch holds several classes."""
    prototypes = rng.random((CLASSES, IMAGE_SIZE, IMAGE_SIZE))
    labels = np.arange(count) % CLASSES
    noise = rng.random((count, IMAGE_SIZE, IMAGE_SIZE))
    images = np.clip(prototypes[labels] * 200 + noise * 55, 0, 255)
    return images.astype(np.uint8), labels.astype(np.uint8)


def write_idx(path, array):
    """An IDX file: magic 0x0000 08 <rank> (unsigned bytes), big-endian u32 dims, the bytes."""
    header = bytes([0, 0, 0x08, array.ndim]) + np.array(array.shape, ">u4").tobytes()
    with open(path, "wb") as f:
        f.write(header + array.astype(np.uint8).tobytes())


def write_dataset(data_dir):
    rng = np.random.default_rng(DATA_SEED)
    train_images, train_labels = make_dataset(TRAIN_SAMPLES, rng)
    test_images, test_labels = make_dataset(TEST_SAMPLES, rng)
    os.makedirs(data_dir, exist_ok=True)
    for prefix, images, labels in (("train", train_images, train_labels),
                                   ("t10k", test_images, test_labels)):
        write_idx(os.path.join(data_dir, prefix + "-images-idx3-ubyte"), images)
        write_idx(os.path.join(data_dir, prefix + "-labels-idx1-ubyte"), labels)
    return train_images, train_labels


def persistent_tensors(model):
    """What training changes and kiln keeps as buffers: parameters and batch-norm running
    statistics (num_batches_tracked is PyTorch bookkeeping, not in the ONNX model)."""
    return {name: value.detach().numpy().copy() for name, value in model.state_dict().items()
            if not name.endswith("num_batches_tracked")}


def export_model(model, path):
    """Exports in training mode (batch norm stays a node) with initializers named as the
    state_dict, and checks both names and values against the model before the export."""
    expected = persistent_tensors(model)
    # Tracing runs a forward pass, which in training mode would move the running statistics:
    # export a copy.
    traced = copy.deepcopy(model)
    torch.onnx.export(traced, torch.zeros(BATCH, 1, IMAGE_SIZE, IMAGE_SIZE), path,
                      opset_version=13, training=torch.onnx.TrainingMode.TRAINING,
                      do_constant_folding=False, input_names=["image"],
                      output_names=["logits"])
    exported = onnx.load(path)
    initializers = {t.name: t for t in exported.graph.initializer}
    if set(initializers) != set(expected):
        sys.exit(f"{path}: initializers {sorted(initializers)} are not the state_dict names "
                 f"{sorted(expected)}")
    parameters = {name for name, _ in model.named_parameters()}
    for name, value in expected.items():
        if np.array_equal(numpy_helper.to_array(initializers[name]), value):
            continue
        if name in parameters:
            sys.exit(f"{path}: parameter {name} differs from the model's value")
        # The exporter stores running statistics as the trace's forward pass left them: put
        # back the values training starts from.
        initializers[name].CopyFrom(numpy_helper.from_array(value, name))
    onnx.checker.check_model(exported)
    onnx.save(exported, path)
    return sorted({node.op_type for node in exported.graph.node})


def train(model, optimizer, images, labels):
    """STEPS updates on consecutive batches, in order; returns the loss of each step."""
    model.train()
    losses = []
    x_all = torch.from_numpy(images.astype(np.float32) / 255.0).unsqueeze(1)
    y_all = torch.from_numpy(labels.astype(np.int64))
    for step in range(STEPS):
        x = x_all[step * BATCH:(step + 1) * BATCH]
        y = y_all[step * BATCH:(step + 1) * BATCH]
        optimizer.zero_grad()
        loss = nn.functional.cross_entropy(model(x), y)
        loss.backward()
        optimizer.step()
        losses.append(float(loss))
    return losses


def write_tensors(directory, tensors):
    os.makedirs(directory, exist_ok=True)
    for name, value in tensors.items():
        with open(os.path.join(directory, name + ".pb"), "wb") as f:
            f.write(numpy_helper.from_array(value.astype(np.float32), name).SerializeToString())


def main(out_dir):
    torch.use_deterministic_algorithms(True)
    torch.set_num_threads(1)
    images, labels = write_dataset(os.path.join(out_dir, "data"))
    models = {}
    for file_name, batch_norm in (("model.onnx", False), ("model_bn.onnx", True)):
        torch.manual_seed(INIT_SEED)
        models[file_name] = SmallCnn(batch_norm)
        ops = export_model(models[file_name], os.path.join(out_dir, file_name))
        print(f"wrote {file_name}: ops {ops}")
    for name, (model_file, make_optimizer, hyper, kilnc_flags, run_flags) in VARIANTS.items():
        model = copy.deepcopy(models[model_file])
        losses = train(model, make_optimizer(model), images, labels)
        directory = os.path.join(out_dir, name)
        write_tensors(directory, persistent_tensors(model))
        with open(os.path.join(directory, "variant.json"), "w") as f:
            json.dump({"model": model_file, "batch": BATCH, "steps": STEPS, "shuffle": False,
                       "loss": "softmax cross-entropy, mean over the batch",
                       "hyperparameters": hyper, "torch_version": torch.__version__,
                       "kilnc": f"{COMMON_KILNC} {kilnc_flags}",
                       "kiln_run_train": f"{COMMON_KILN_RUN} {run_flags}",
                       "losses": losses}, f, indent=2)
            f.write("\n")
        print(f"wrote {name}: losses {' '.join(f'{l:.6f}' for l in losses)}")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else
         os.path.join(os.path.dirname(os.path.abspath(__file__)), "reference"))
