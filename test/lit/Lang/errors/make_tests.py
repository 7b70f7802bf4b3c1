#!/usr/bin/env python3
"""Regenerates the one-diagnostic-per-file tests of this folder (except no-model.kiln and
tab-indentation.kiln, written by hand): each entry is a purpose, a program with @ where the
caret must point, and the message. Run: python3 test/lit/Lang/errors/make_tests.py"""
# Writes one lit test per diagnostic of the model language. '@' marks where the caret goes.
import os
OUT = os.path.dirname(os.path.abspath(__file__))
tests = {
"unexpected-character": ("a character that starts no token", """
model m():
    input x: f32[2, 4]
    output y = x @$ 2
""", "unexpected character '$'"),
"unterminated-string": ("a string without its closing quote", """
model m():
    input x: f32[2, 4]
    output y = dense(x, 4, name = @"fc)
""", "unterminated string"),
"inconsistent-indentation": ("a dedent to a column no enclosing block started at", """
model m():
    input x: f32[2, 4]
    if true:
        y = relu(x)
  @output z = x
""", "this line's indentation matches no enclosing block"),
"expected-expression": ("an operator with no right operand", """
model m():
    input x: f32[2, 4]
    output y = x + @)
""", "expected an expression, found ')'"),
"missing-colon": ("a block header without its colon", """
block b(x)@
    return x
""", "expected ':' after the parameter list, found end of line"),
"positional-after-keyword": ("a positional argument after a keyword one", """
model m():
    input x: f32[2, 4]
    output y = dense(x, units = 4, @"fc")
""", "a positional argument cannot follow a keyword argument"),
"bad-top-level": ("a statement outside any block or model", """
@relu(x)
""", "expected 'import', 'block', 'model' or a constant (NAME = value) at the top level"),
"unknown-name": ("a name that nothing defines", """
model m():
    input x: f32[2, 4]
    output y = @z
""", "unknown name 'z'"),
"unknown-function": ("a call of an undefined function", """
model m():
    input x: f32[2, 4]
    output y = @swish(x)
""", "unknown function 'swish'"),
"unknown-keyword": ("a keyword argument the function does not take", """
model m():
    input x: f32[2, 4]
    output y = dense(x, 4, @activation = "relu", name = "fc")
""", "dense has no argument 'activation' (it takes x, units, bias, kernel_init, bias_init, name)"),
"missing-argument": ("a required argument left out", """
model m():
    input x: f32[2, 3, 8, 8]
    output y = @conv2d(x, 8, name = "c")
""", "conv2d needs the argument 'kernel'"),
"too-many-arguments": ("more positional arguments than parameters", """
model m():
    input x: f32[2, 4]
    output y = relu(x, @x)
""", "relu takes at most 1 positional arguments"),
"argument-twice": ("one argument given positionally and by keyword", """
model m():
    input x: f32[2, 4]
    output y = dense(x, 4, @units = 4, name = "fc")
""", "dense: argument 'units' is given twice"),
"argument-kind": ("a value of the wrong kind for an argument", """
model m():
    input x: f32[2, 3, 8, 8]
    output y = conv2d(x, 8, @kernel = "3", name = "c")
""", "conv2d: argument 'kernel' must be an integer or a list of two, got a string"),
"division-by-zero": ("integer division by zero at compile time", """
model m(n = 0):
    input x: f32[2, 4]
    output y = dense(x, 4 @// n, name = "fc")
""", "integer division by zero"),
"index-out-of-range": ("a list index past the end", """
widths = [8, 16]
model m():
    input x: f32[2, 4]
    output y = dense(x, widths[@2], name = "fc")
""", "index 2 is out of range for a list of 2"),
"duplicate-parameter": ("two layers with one name", """
model m():
    input x: f32[2, 4]
    y = dense(x, 4, name = "fc")
    output z = @dense(y, 4, name = "fc")
""", "parameter 'fc.weight' is already defined"),
"layer-needs-name": ("a layer without a name for its parameters", """
model m():
    input x: f32[2, 4]
    output y = @dense(x, 4)
""", "dense needs name = \"...\": its parameters' checkpoint keys are built from it"),
"shape-mismatch": ("operands whose shapes do not broadcast", """
model m():
    input x: f32[2, 4]
    input v: f32[2, 3]
    output y = x @+ v
""", "'+': "),
"conv-groups": ("groups that do not divide the channels", """
model m():
    input x: f32[2, 6, 8, 8]
    output y = conv2d(x, 8, kernel = 3, @groups = 4, name = "c")
""", "conv2d: groups (4) must divide the input channels (6) and the filters (8)"),
"symbolic-dimension": ("a symbolic dimension nothing pins", """
model m():
    input x: f32[2, @width]
    output y = relu(x)
""", "dimension 'width' is symbolic; pin it with --dim width=N"),
"no-output": ("a model without outputs", """
model @m():
    input x: f32[2, 4]
""", "model 'm' has no 'output' statement"),
"unknown-dtype": ("an element type the language does not have", """
model m():
    input x: @f16[2, 4]
    output y = relu(x)
""", "unknown element type 'f16' (f32, f64, i32 or i64)"),
"unknown-loss": ("a loss kiln does not build", """
model m():
    input x: f32[2, 4]
    output y = relu(x)
    loss @hinge()
""", "unknown loss 'hinge' (softmax_cross_entropy or mse)"),
"return-outside-block": ("return in a model", """
model m():
    input x: f32[2, 4]
    @return x
""", "'return' outside a block"),
"recursion": ("a block that calls itself forever", """
block forever(x):
    return @forever(x)
model m():
    input x: f32[2, 4]
    output y = forever(x)
""", "blocks nest more than 64 deep (does 'forever' call itself?)"),
"condition-kind": ("a tensor used as a condition", """
model m():
    input x: f32[2, 4]
    if @x:
        x = relu(x)
    output y = x
""", "a condition must be a compile-time boolean, got a tensor of type tensor<2x4xf32>"),
"import-missing": ("an import of a file that does not exist", """
import @"no-such-blocks.kiln"
model m():
    input x: f32[2, 4]
    output y = x
""", "cannot import '"),
"input-in-block": ("an input declared inside a block", """
block b(x):
    @input y: f32[2, 4]
    return x
model m():
    input x: f32[2, 4]
    output y = b(x)
""", "inputs are declared in the model, not in a block"),
"model-parameter-unset": ("a model parameter without default or --dim", """
model m(@classes):
    input x: f32[2, 4]
    output y = dense(x, classes, name = "fc")
""", "model parameter 'classes' has no default; set it with --dim classes=N"),
"slice-step": ("a slice with a negative step", """
model m():
    input x: f32[2, 4]
    output y = x[:, ::@-1]
""", "slice steps must be positive"),
"compare-predicate": ("a comparison the compare op does not have", """
model m():
    input x: f32[2, 4]
    output y = compare(x, x, @"bigger")
""", 'compare: argument \'predicate\' must be one of "eq", "ne", "lt", "le", "gt", "ge", got a string'),
"backward-input-shape": ("a gradient's input shape that is not N, C, H, W", """
model m():
    input dy: f32[2, 6, 8, 8]
    param w: f32[6, 4, 3, 3] = ones()
    output dx = conv_backward_data(dy, w, @[2, 4, 8])
""", "conv_backward_data: argument 'input_shape' must be the forward input's 4 sizes (N, C, H, W), got a list"),
"backward-gradient-shape": ("an output gradient the forward op cannot have produced", """
model m():
    input dy: f32[2, 6, 4, 4]
    param w: f32[6, 4, 3, 3] = ones()
    output dx = @conv_backward_data(dy, w, [2, 4, 8, 8], padding = 1)
""", "conv_backward_data: 'kiln.conv2d_backward_data' op output gradient 'tensor<2x6x4x4xf32>' does not match the forward result 'tensor<2x6x8x8xf32>'"),
"random-seed": ("a random seed that is not an integer", """
model m():
    input x: f32[2, 4]
    output y = x + random_uniform(@1.5, [2, 4])
""", "random_uniform: argument 'seed' must be an integer or an i64 tensor of rank 0, got a float"),
}
os.makedirs(OUT, exist_ok=True)
for name, (purpose, body, message) in tests.items():
    lines = body.strip("\n").split("\n")
    header = ["# Diagnostic: " + purpose + ".",
              "# RUN: not kiln-lang-check %s 2>&1 | FileCheck %s --strict-whitespace", ""]
    # where the marker is, in the file as written (header + 3 check lines + blank first)
    for i, l in enumerate(lines):
        if "@" in l:
            mline, mcol = i, l.index("@")
    clean = [l.replace("@", "", 1) if i == mline else l for i, l in enumerate(lines)]
    checks = 3
    lineno = len(header) + checks + 1 + mline + 1
    src = clean[mline]
    caret = " " * mcol + "^"
    check = ["# CHECK: {{.*}}%s.kiln:%d:%d: error: %s" % (name, lineno, mcol + 1, message),
             "# CHECK-NEXT: {{^}}" + src.replace("\t", "{{\t}}") if "\t" in src else "# CHECK-NEXT: {{^}}" + src,
             "# CHECK-NEXT: {{^}}" + caret + "{{$}}"]
    text = "\n".join(header + check + [""] + clean) + "\n"
    open(os.path.join(OUT, name + ".kiln"), "w").write(text)
print(len(tests))
