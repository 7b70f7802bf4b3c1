// kiln.parameter declarations and kiln.buffer / kiln.role attributes go; the function stays.
// RUN: kiln-opt %s --kiln-strip-abi | FileCheck %s

// CHECK-NOT: kiln.parameter
// CHECK-LABEL: func @forward
// CHECK-SAME: (%{{.*}}: tensor<2xf32>) -> tensor<2xf32>
// CHECK-NOT: kiln.
kiln.parameter @"w" : tensor<2xf32> = dense<1.0> : tensor<2xf32>
func.func @forward(%w: tensor<2xf32> {kiln.buffer = "w", kiln.role = "parameter"}) -> (tensor<2xf32> {kiln.buffer = "y", kiln.role = "output"}) {
  return %w : tensor<2xf32>
}
