// kiln-plan-memory refuses what it cannot plan with an error, never a crash.
// RUN: kiln-opt %s -split-input-file -verify-diagnostics --kiln-plan-memory

// A plan attribute that is not a dictionary (hand-written IR).
// expected-error @+1 {{`kiln.memory_plan` must be a dictionary of entry plans, got 3 : i64}}
module attributes {kiln.memory_plan = 3} {
  func.func @f() {
    return
  }
}

// -----

// A buffer too large to address.
func.func @huge() {
  // expected-error @+1 {{kiln-plan-memory: a buffer of type 'memref<4611686018427387904x4xf32>' needs more than 2^62 bytes}}
  %a = memref.alloc() : memref<4611686018427387904x4xf32>
  %c0 = arith.constant 0 : index
  %f = arith.constant 1.0 : f32
  memref.store %f, %a[%c0, %c0] : memref<4611686018427387904x4xf32>
  return
}

// -----

// Temporaries whose sum is too large, though each one fits.
// expected-error @+1 {{kiln-plan-memory: the temporaries of @too_many need more than 2^62 bytes}}
func.func @too_many() {
  %c0 = arith.constant 0 : index
  %f = arith.constant 1.0 : f32
  %a = memref.alloc() : memref<1152921504606846976xf32>
  memref.store %f, %a[%c0] : memref<1152921504606846976xf32>
  %b = memref.alloc() : memref<1152921504606846976xf32>
  memref.store %f, %b[%c0] : memref<1152921504606846976xf32>
  return
}
