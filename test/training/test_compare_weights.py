#!/usr/bin/env python3
"""Tests of compare_weights.py and of the checked-in reference (no torch needed).

compare_weights.py runs on the untrained model against itself, against perturbed copies made
here, and against the trained references; the reference directories are checked for a tensor
per initializer of their model. Run by ctest as training.compare_weights.
"""
import json
import os
import subprocess
import sys
import tempfile
import unittest

import numpy as np
import onnx
from onnx import numpy_helper

HERE = os.path.dirname(os.path.abspath(__file__))
REFERENCE = os.path.join(HERE, "reference")
MODEL = os.path.join(REFERENCE, "model.onnx")


def compare(*args):
    """Runs compare_weights.py; returns (exit code, stdout + stderr)."""
    run = subprocess.run([sys.executable, os.path.join(HERE, "compare_weights.py"), *args],
                         stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    return run.returncode, run.stdout


def initializers(path):
    return {t.name: numpy_helper.to_array(t) for t in onnx.load(path).graph.initializer}


class CompareWeightsTest(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()

    def tearDown(self):
        self.tmp.cleanup()

    def perturbed(self, name, edit):
        """A copy of the untrained model whose initializer `name` went through `edit`."""
        model = onnx.load(MODEL)
        for tensor in model.graph.initializer:
            if tensor.name == name:
                tensor.CopyFrom(numpy_helper.from_array(edit(numpy_helper.to_array(tensor)),
                                                        name))
        path = os.path.join(self.tmp.name, "perturbed.onnx")
        onnx.save(model, path)
        return path

    def test_model_against_itself_passes(self):
        code, out = compare(MODEL, MODEL)
        self.assertEqual(code, 0, out)
        self.assertIn("6 passed, 0 failed", out)

    def test_one_changed_element_fails_that_tensor_only(self):
        def bump(a):
            a = a.copy()
            a[2, 3] += 1e-3
            return a
        code, out = compare(self.perturbed("fc.weight", bump), MODEL)
        self.assertEqual(code, 1, out)
        self.assertRegex(out, r"FAIL fc.weight: 80 elements, max abs err 0.001.*worst \[2, 3\]")
        self.assertIn("5 passed, 1 failed", out)

    def test_change_within_tolerance_passes(self):
        code, out = compare(self.perturbed("conv1.weight", lambda a: a * (1 + 1e-6)), MODEL)
        self.assertEqual(code, 0, out)

    def test_tolerance_flags_are_used(self):
        path = self.perturbed("conv1.bias", lambda a: a + 1e-3)
        self.assertEqual(compare(path, MODEL)[0], 1)
        self.assertEqual(compare(path, MODEL, "--atol", "2e-3")[0], 0)

    def test_shape_mismatch_fails(self):
        code, out = compare(self.perturbed("fc.bias", lambda a: a[:5]), MODEL)
        self.assertEqual(code, 1, out)
        self.assertIn("FAIL fc.bias: shape [5] in the trained model, [10] in the reference", out)

    def test_missing_tensor_fails(self):
        path = os.path.join(self.tmp.name, "extra")
        os.makedirs(path)
        tensor = numpy_helper.from_array(np.zeros(3, np.float32), "bn9.weight")
        with open(os.path.join(path, "bn9.weight.pb"), "wb") as f:
            f.write(tensor.SerializeToString())
        code, out = compare(MODEL, path)
        self.assertEqual(code, 1, out)
        self.assertIn("FAIL bn9.weight: not an initializer of the trained model", out)

    def test_untrained_model_differs_from_every_trained_reference(self):
        for variant in self.variants():
            code, out = compare(self.model_of(variant), os.path.join(REFERENCE, variant))
            self.assertEqual(code, 1, f"{variant}: training changed nothing?\n{out}")

    def test_unreadable_inputs_are_errors(self):
        self.assertEqual(compare(os.path.join(HERE, "README.md"), MODEL)[0], 2)
        self.assertEqual(compare(MODEL, os.path.join(REFERENCE, "data"))[0], 2)

    # The reference itself.

    def variants(self):
        return sorted(d for d in os.listdir(REFERENCE)
                      if os.path.isfile(os.path.join(REFERENCE, d, "variant.json")))

    def model_of(self, variant):
        with open(os.path.join(REFERENCE, variant, "variant.json")) as f:
            return os.path.join(REFERENCE, json.load(f)["model"])

    def test_each_reference_has_every_initializer_of_its_model(self):
        self.assertGreaterEqual(len(self.variants()), 8)
        for variant in self.variants():
            model = initializers(self.model_of(variant))
            files = sorted(f[:-3] for f in os.listdir(os.path.join(REFERENCE, variant))
                           if f.endswith(".pb"))
            self.assertEqual(files, sorted(model), variant)
            code, out = compare(self.model_of(variant), os.path.join(REFERENCE, variant),
                                "--atol", "1")
            self.assertEqual(code, 0, f"{variant}: shapes differ?\n{out}")

    def test_dataset_is_idx(self):
        for prefix, count in (("train", 32), ("t10k", 8)):
            with open(os.path.join(REFERENCE, "data", prefix + "-images-idx3-ubyte"), "rb") as f:
                data = f.read()
            self.assertEqual(data[:4], bytes([0, 0, 8, 3]))
            self.assertEqual(np.frombuffer(data[4:16], ">u4").tolist(), [count, 8, 8])
            self.assertEqual(len(data), 16 + count * 64)


if __name__ == "__main__":
    unittest.main()
