//===- DynamicSchedule.cpp - the kiln-dynamic-schedule pass ---------------===//
#include "compiler/Conversion/Passes.h"

#include "mlir/Dialect/OpenMP/OpenMPDialect.h"

namespace kiln {
#define GEN_PASS_DEF_KILNDYNAMICSCHEDULEPASS
#include "compiler/Conversion/Passes.h.inc"
} // namespace kiln

using namespace mlir;

namespace {

struct KilnDynamicSchedulePass
    : kiln::impl::KilnDynamicSchedulePassBase<KilnDynamicSchedulePass> {
  void runOnOperation() override {
    auto dynamic = omp::ClauseScheduleKindAttr::get(&getContext(),
                                                     omp::ClauseScheduleKind::Dynamic);
    getOperation()->walk([&](omp::WsloopOp loop) {
      // A schedule someone chose stays.
      if (!loop.getScheduleValAttr())
        loop.setScheduleValAttr(dynamic);
    });
  }
};

} // namespace
