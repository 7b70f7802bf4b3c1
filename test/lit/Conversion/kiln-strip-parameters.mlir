// kiln.parameter declarations go; functions that use parameters stay.
// RUN: kiln-opt %s --kiln-strip-parameters | FileCheck %s

// CHECK-NOT: kiln.parameter
// CHECK-LABEL: func @forward
// CHECK-SAME: kiln.role = "parameter"
kiln.parameter @"w" : tensor<2xf32> = dense<1.0> : tensor<2xf32>
func.func @forward(%w: tensor<2xf32> {kiln.buffer = "w", kiln.role = "parameter"}) -> tensor<2xf32> {
  return %w : tensor<2xf32>
}
