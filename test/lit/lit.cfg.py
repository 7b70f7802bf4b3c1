# lit configuration for kiln's FileCheck tests.
import os
import lit.formats
from lit.llvm import llvm_config

config.name = "kiln"
config.test_format = lit.formats.ShTest(not llvm_config.use_lit_shell)
config.suffixes = [".mlir", ".test"]
config.excludes = ["Inputs", "lit.cfg.py", "lit.site.cfg.py"]
config.test_source_root = os.path.dirname(__file__)
config.test_exec_root = os.path.join(config.kiln_obj_root, "test", "lit")

llvm_config.use_default_substitutions()
# kiln's tools first, then LLVM's (FileCheck, not, count), then the user's PATH.
config.environment["PATH"] = os.pathsep.join(
    [config.kiln_tools_dir, config.llvm_tools_dir, os.environ.get("PATH", "")])
config.substitutions.append(("%kiln_python", "/usr/bin/python3"))
config.substitutions.append(("%onnx_data", "/usr/share/libonnx-testdata/data"))
config.available_features.add("kiln")
# The PyTorch training reference (test/training/README.md): its directory and the comparison of
# a model exported by `kiln-run train --export` with one of its variants.
kiln_training_dir = os.path.normpath(os.path.join(os.path.dirname(__file__), "..", "training"))
config.substitutions.append(("%training_ref", os.path.join(kiln_training_dir, "reference")))
config.substitutions.append(
    ("%compare_weights",
     "/usr/bin/python3 " + os.path.join(kiln_training_dir, "compare_weights.py")))
