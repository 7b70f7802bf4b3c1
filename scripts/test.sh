#!/usr/bin/env bash
# Sets up a fresh Debian 12 machine, builds kiln and runs every test suite:
# GoogleTest (through ctest), lit + FileCheck, and the ONNX conformance suite.
# Each runner prints its own summary; the script fails if any suite failed.
set -uo pipefail
cd "$(dirname "$0")/.."
JOBS="${KILN_JOBS:-2}"
BUILD="${KILN_BUILD_DIR:-build}"

bash scripts/setup.sh || exit 1
cmake -S . -B "$BUILD" -G Ninja -DCMAKE_BUILD_TYPE=Release || exit 1
cmake --build "$BUILD" -j"$JOBS" || exit 1

status=0
echo "== ctest (GoogleTest unit tests and tool tests)"
ctest --test-dir "$BUILD" --output-on-failure -j"$JOBS" || status=1

echo "== lit (FileCheck tests)"
/usr/bin/python3 /usr/lib/llvm-19/build/utils/lit/lit.py -s "$BUILD/test/lit" || status=1

echo "== conformance: manifest and skip list cover every claimed test"
/usr/bin/python3 test/conformance/conformance.py check || status=1

echo "== conformance: ONNX backend tests end to end"
/usr/bin/python3 test/conformance/conformance.py run --bin "$BUILD/bin" -j"$JOBS" || status=1

if [ $status -eq 0 ]; then echo "kiln: all test suites passed"; else echo "kiln: some test suites FAILED"; fi
exit $status
