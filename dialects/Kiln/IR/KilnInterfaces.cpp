//===- KilnInterfaces.cpp - op interfaces of the kiln dialect -------------===//
#include "dialects/Kiln/IR/KilnInterfaces.h"

#include "dialects/Kiln/IR/KilnInterfaces.cpp.inc"
