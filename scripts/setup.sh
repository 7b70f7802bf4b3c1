#!/usr/bin/env bash
# Installs every build, test and data dependency of kiln from Debian 12 packages.
# Idempotent and non-interactive; safe to run again. Needs root (or sudo).
set -euo pipefail

PACKAGES=(
  build-essential cmake ninja-build ccache git pkg-config
  llvm-19-dev libmlir-19-dev mlir-19-tools llvm-19-tools clang-19 libomp-19-dev
  libonnx-dev libonnx-testdata python3-onnx
  libprotobuf-dev protobuf-compiler
  libturbojpeg0-dev libjpeg62-turbo-dev libopenmpi-dev openmpi-bin
  googletest libgtest-dev libgmock-dev
  zlib1g-dev
  dataset-fashion-mnist
  python3-numpy
)

missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "setup: all ${#PACKAGES[@]} packages already installed"
  exit 0
fi

SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
echo "setup: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -q
$SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
echo "setup: done"
