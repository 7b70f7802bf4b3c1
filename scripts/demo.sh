#!/usr/bin/env bash
# The main job, end to end on a fresh machine: set up, build the tools, compile the
# Fashion-MNIST CNN (test/e2e/fashion_cnn: conv-BN-ReLU-pool blocks and a classifier) into a
# training artifact with kilnc, train it with kiln-run on the real Fashion-MNIST data (a short
# run: KILN_DEMO_STEPS updates of 64 images; docs/training.md has the full run and its
# accuracy), export the trained weights into the ONNX model, then compile that model for
# inference and classify the first test images with it.
set -euo pipefail
cd "$(dirname "$0")/.."
JOBS="${KILN_JOBS:-2}"
BUILD="${KILN_BUILD_DIR:-build}"
STEPS="${KILN_DEMO_STEPS:-300}"
DATA=/usr/share/datasets/fashion-mnist
OUT="${KILN_DEMO_OUT:-out/demo}"

bash scripts/setup.sh
cmake -S . -B "$BUILD" -G Ninja -DCMAKE_BUILD_TYPE=Release
cmake --build "$BUILD" -j"$JOBS" --target kilnc kiln-run
mkdir -p "$OUT"

echo "== compiling test/e2e/fashion_cnn/model.onnx for training (batch 64, SGD momentum 0.9)"
time "$BUILD/bin/kilnc" test/e2e/fashion_cnn/model.onnx --train --batch 64 \
  --loss softmax-cross-entropy --optimizer sgd --momentum 0.9 --l2 5e-4 -o "$OUT/train.kx" -v

echo "== training it on Fashion-MNIST for $STEPS steps, then evaluating on the 10000 test images"
"$BUILD/bin/kiln-run" train "$OUT/train.kx" --data "idx:$DATA" --steps "$STEPS" --lr 0.02 \
  --lr-schedule cosine --log-every 50 --log "$OUT/train.csv" --checkpoint "$OUT/train.ckpt" \
  --export "$OUT/trained.onnx"

echo "== compiling the trained model for inference (batch 8) and classifying 8 test images"
"$BUILD/bin/kilnc" "$OUT/trained.onnx" --batch 8 -o "$OUT/infer.kx"
/usr/bin/python3 scripts/idx_to_pb.py "$DATA/t10k-images-idx3-ubyte.gz" 8 "$OUT/images.pb" \
  "$DATA/t10k-labels-idx1-ubyte.gz"
"$BUILD/bin/kiln-run" infer "$OUT/infer.kx" --input "$OUT/images.pb" --output-dir "$OUT" \
  --repeat 20 --print
