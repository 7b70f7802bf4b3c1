// Ops that only training graphs hold: kilnc --emit=onnx names each, with its location.
module {
  func.func @forward(%x: tensor<2x3xf32> {kiln.buffer = "x", kiln.role = "input"})
      -> (tensor<2x3xf32> {kiln.buffer = "y", kiln.role = "output"}) {
    %lt = kiln.compare %x, %x {predicate = "lt"} : (tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<2x3xi1>
    %y = kiln.select %lt, %x, %x : (tensor<2x3xi1>, tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<2x3xf32>
    return %y : tensor<2x3xf32>
  }
}
