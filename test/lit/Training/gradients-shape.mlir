// Gradients of the shape and data-movement ops against central finite differences, in f64.
// RUN: kiln-opt %s --kiln-autodiff -o %t.mlir
// RUN: kilnc %t.mlir -o %t.kx
// RUN: kiln-gradcheck %t.kx | FileCheck %s
// CHECK-NOT: FAIL
// CHECK: 12 passed, 0 failed

func.func @shape(%reshape_0: tensor<2x3x4xf64> {kiln.buffer = "reshape.0", kiln.role = "parameter", kiln.wrt},
    %reshape_r: tensor<6x4xf64> {kiln.buffer = "reshape.r", kiln.role = "input"},
    %flatten_0: tensor<2x3x1x2xf64> {kiln.buffer = "flatten.0", kiln.role = "parameter", kiln.wrt},
    %flatten_r: tensor<2x6xf64> {kiln.buffer = "flatten.r", kiln.role = "input"},
    %squeeze_0: tensor<2x1x3xf64> {kiln.buffer = "squeeze.0", kiln.role = "parameter", kiln.wrt},
    %squeeze_r: tensor<2x3xf64> {kiln.buffer = "squeeze.r", kiln.role = "input"},
    %unsqueeze_0: tensor<2x3xf64> {kiln.buffer = "unsqueeze.0", kiln.role = "parameter", kiln.wrt},
    %unsqueeze_r: tensor<1x2x3x1xf64> {kiln.buffer = "unsqueeze.r", kiln.role = "input"},
    %transpose_0: tensor<2x3x4xf64> {kiln.buffer = "transpose.0", kiln.role = "parameter", kiln.wrt},
    %transpose_r: tensor<4x2x3xf64> {kiln.buffer = "transpose.r", kiln.role = "input"},
    %pad_0: tensor<2x3xf64> {kiln.buffer = "pad.0", kiln.role = "parameter", kiln.wrt},
    %pad_r: tensor<3x5xf64> {kiln.buffer = "pad.r", kiln.role = "input"},
    %slice_0: tensor<4x5xf64> {kiln.buffer = "slice.0", kiln.role = "parameter", kiln.wrt},
    %slice_r: tensor<2x3xf64> {kiln.buffer = "slice.r", kiln.role = "input"},
    %concat_0: tensor<2x3xf64> {kiln.buffer = "concat.0", kiln.role = "parameter", kiln.wrt},
    %concat_1: tensor<2x2xf64> {kiln.buffer = "concat.1", kiln.role = "parameter", kiln.wrt},
    %concat_r: tensor<2x5xf64> {kiln.buffer = "concat.r", kiln.role = "input"})
    -> (tensor<f64> {kiln.buffer = "loss", kiln.role = "output"})
    attributes {kiln.autodiff = "shape_grad"} {
  %reshape_o = kiln.reshape %reshape_0 : tensor<2x3x4xf64> -> tensor<6x4xf64>
  %reshape_w = kiln.mul %reshape_o, %reshape_r : (tensor<6x4xf64>, tensor<6x4xf64>) -> tensor<6x4xf64>
  %reshape_s = kiln.reduce_sum %reshape_w {axes = array<i64: 0, 1>, keepdims = false} : (tensor<6x4xf64>) -> tensor<f64>
  %flatten_o = kiln.flatten %flatten_0 {axis = 1 : i64} : (tensor<2x3x1x2xf64>) -> tensor<2x6xf64>
  %flatten_w = kiln.mul %flatten_o, %flatten_r : (tensor<2x6xf64>, tensor<2x6xf64>) -> tensor<2x6xf64>
  %flatten_s = kiln.reduce_sum %flatten_w {axes = array<i64: 0, 1>, keepdims = false} : (tensor<2x6xf64>) -> tensor<f64>
  %squeeze_o = kiln.squeeze %squeeze_0 {axes = array<i64: 1>} : (tensor<2x1x3xf64>) -> tensor<2x3xf64>
  %squeeze_w = kiln.mul %squeeze_o, %squeeze_r : (tensor<2x3xf64>, tensor<2x3xf64>) -> tensor<2x3xf64>
  %squeeze_s = kiln.reduce_sum %squeeze_w {axes = array<i64: 0, 1>, keepdims = false} : (tensor<2x3xf64>) -> tensor<f64>
  %unsqueeze_o = kiln.unsqueeze %unsqueeze_0 {axes = array<i64: 0, 3>} : (tensor<2x3xf64>) -> tensor<1x2x3x1xf64>
  %unsqueeze_w = kiln.mul %unsqueeze_o, %unsqueeze_r : (tensor<1x2x3x1xf64>, tensor<1x2x3x1xf64>) -> tensor<1x2x3x1xf64>
  %unsqueeze_s = kiln.reduce_sum %unsqueeze_w {axes = array<i64: 0, 1, 2, 3>, keepdims = false} : (tensor<1x2x3x1xf64>) -> tensor<f64>
  %transpose_o = kiln.transpose %transpose_0 {perm = array<i64: 2, 0, 1>} : (tensor<2x3x4xf64>) -> tensor<4x2x3xf64>
  %transpose_w = kiln.mul %transpose_o, %transpose_r : (tensor<4x2x3xf64>, tensor<4x2x3xf64>) -> tensor<4x2x3xf64>
  %transpose_s = kiln.reduce_sum %transpose_w {axes = array<i64: 0, 1, 2>, keepdims = false} : (tensor<4x2x3xf64>) -> tensor<f64>
  %pad_o = kiln.pad %pad_0 {pads = array<i64: 1, 0, 0, 2>, value = 1.5 : f64} : (tensor<2x3xf64>) -> tensor<3x5xf64>
  %pad_w = kiln.mul %pad_o, %pad_r : (tensor<3x5xf64>, tensor<3x5xf64>) -> tensor<3x5xf64>
  %pad_s = kiln.reduce_sum %pad_w {axes = array<i64: 0, 1>, keepdims = false} : (tensor<3x5xf64>) -> tensor<f64>
  %slice_o = kiln.slice %slice_0 {starts = array<i64: 1, 0>, ends = array<i64: 3, 5>, steps = array<i64: 1, 2>} : (tensor<4x5xf64>) -> tensor<2x3xf64>
  %slice_w = kiln.mul %slice_o, %slice_r : (tensor<2x3xf64>, tensor<2x3xf64>) -> tensor<2x3xf64>
  %slice_s = kiln.reduce_sum %slice_w {axes = array<i64: 0, 1>, keepdims = false} : (tensor<2x3xf64>) -> tensor<f64>
  %concat_o = kiln.concat %concat_0, %concat_1 {axis = 1 : i64} : (tensor<2x3xf64>, tensor<2x2xf64>) -> tensor<2x5xf64>
  %concat_w = kiln.mul %concat_o, %concat_r : (tensor<2x5xf64>, tensor<2x5xf64>) -> tensor<2x5xf64>
  %concat_s = kiln.reduce_sum %concat_w {axes = array<i64: 0, 1>, keepdims = false} : (tensor<2x5xf64>) -> tensor<f64>
  %acc0 = kiln.add %reshape_s, %flatten_s : (tensor<f64>, tensor<f64>) -> tensor<f64>
  %acc1 = kiln.add %acc0, %squeeze_s : (tensor<f64>, tensor<f64>) -> tensor<f64>
  %acc2 = kiln.add %acc1, %unsqueeze_s : (tensor<f64>, tensor<f64>) -> tensor<f64>
  %acc3 = kiln.add %acc2, %transpose_s : (tensor<f64>, tensor<f64>) -> tensor<f64>
  %acc4 = kiln.add %acc3, %pad_s : (tensor<f64>, tensor<f64>) -> tensor<f64>
  %acc5 = kiln.add %acc4, %slice_s : (tensor<f64>, tensor<f64>) -> tensor<f64>
  %acc6 = kiln.add %acc5, %concat_s : (tensor<f64>, tensor<f64>) -> tensor<f64>
  return %acc6 : tensor<f64>
}

