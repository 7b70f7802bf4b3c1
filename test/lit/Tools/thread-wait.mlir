// kiln-run makes OpenMP's threads wait for the next parallel region spinning, unless the
// environment chooses a policy (OMP_WAIT_POLICY, or libomp's KMP_LIBRARY / KMP_BLOCKTIME).
// libomp reports the policy it starts with under OMP_DISPLAY_ENV; the ReLU below is large
// enough to run as parallel tasks, so libomp starts.
// RUN: kilnc %s -o %t.kx
// RUN: env -u OMP_WAIT_POLICY -u KMP_LIBRARY -u KMP_BLOCKTIME OMP_DISPLAY_ENV=true kiln-run infer %t.kx --output-dir %t.out 2>&1 | FileCheck %s --check-prefix=DEFAULT
// DEFAULT: OMP_WAIT_POLICY='ACTIVE'
// RUN: env -u KMP_LIBRARY -u KMP_BLOCKTIME OMP_WAIT_POLICY=passive OMP_DISPLAY_ENV=true kiln-run infer %t.kx --output-dir %t.out 2>&1 | FileCheck %s --check-prefix=USER
// RUN: env -u OMP_WAIT_POLICY -u KMP_LIBRARY KMP_BLOCKTIME=0 OMP_DISPLAY_ENV=true kiln-run infer %t.kx --output-dir %t.out 2>&1 | FileCheck %s --check-prefix=USER
// USER: OMP_WAIT_POLICY='PASSIVE'
// RUN: kiln-run --help | FileCheck %s --check-prefix=HELP
// HELP: wait spinning (OMP_WAIT_POLICY=active) unless OMP_WAIT_POLICY, KMP_LIBRARY or

func.func @forward(%x: tensor<8x64x64x64xf32> {kiln.buffer = "x", kiln.role = "input"})
    -> (tensor<8x64x64x64xf32> {kiln.buffer = "y", kiln.role = "output"}) {
  %y = kiln.relu %x : tensor<8x64x64x64xf32>
  return %y : tensor<8x64x64x64xf32>
}
