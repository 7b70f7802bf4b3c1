//===- kiln-opt.cpp - mlir-opt with the kiln dialect and passes -----------===//
#include "compiler/InitKiln.h"

#include "mlir/IR/DialectRegistry.h"
#include "mlir/Tools/mlir-opt/MlirOptMain.h"

int main(int argc, char **argv) {
  mlir::DialectRegistry registry;
  kiln::registerKilnDialects(registry);
  kiln::registerKilnPasses();
  return mlir::asMainReturnCode(
      mlir::MlirOptMain(argc, argv, "kiln optimizer driver: runs kiln and upstream MLIR passes\n",
                        registry));
}
