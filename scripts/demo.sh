#!/usr/bin/env bash
# The main job, end to end on a fresh machine: set up, build the tools, compile a CNN exported
# from PyTorch (test/e2e/torch_cnn) with kilnc, and run it with kiln-run on Fashion-MNIST test
# images, printing its outputs and the time. (The weights are the fixture's random ones: this
# shows the compile-and-run path; trained models come with `kilnc --train`.)
set -euo pipefail
cd "$(dirname "$0")/.."
JOBS="${KILN_JOBS:-2}"
BUILD="${KILN_BUILD_DIR:-build}"
BATCH="${KILN_DEMO_BATCH:-8}"
DATA=/usr/share/datasets/fashion-mnist
OUT="${KILN_DEMO_OUT:-out/demo}"

bash scripts/setup.sh
cmake -S . -B "$BUILD" -G Ninja -DCMAKE_BUILD_TYPE=Release
cmake --build "$BUILD" -j"$JOBS" --target kilnc kiln-run
mkdir -p "$OUT"

echo "== compiling test/e2e/torch_cnn/model.onnx for batch $BATCH"
time "$BUILD/bin/kilnc" test/e2e/torch_cnn/model.onnx --batch "$BATCH" -o "$OUT/cnn.kx" -v
"$BUILD/bin/kiln-run" info "$OUT/cnn.kx"

echo "== running it on the first $BATCH Fashion-MNIST test images"
/usr/bin/python3 scripts/idx_to_pb.py "$DATA/t10k-images-idx3-ubyte.gz" "$BATCH" "$OUT/images.pb" \
  "$DATA/t10k-labels-idx1-ubyte.gz"
"$BUILD/bin/kiln-run" infer "$OUT/cnn.kx" --input "$OUT/images.pb" --output-dir "$OUT" \
  --repeat 20 --print
