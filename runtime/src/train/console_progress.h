//===- console_progress.h - what a person watching the run sees -----------===//
#ifndef KILN_RUNTIME_SRC_TRAIN_CONSOLE_PROGRESS_H
#define KILN_RUNTIME_SRC_TRAIN_CONSOLE_PROGRESS_H

#include "metrics_log.h"

#include "kiln/train.h"

#include <chrono>

namespace kiln::train {

/// On a terminal, one progress bar line on stderr redrawn in place (at most ten times a
/// second); otherwise a plain line on `out` per logged step, for log files and pipes.
class ConsoleProgress {
public:
  ConsoleProgress(ProgressStyle style, FILE *out);

  /// After each update; `logged` says whether this step is one of every --log-every.
  void step(const LogRecord &record, uint64_t stepInEpoch, uint64_t stepsPerEpoch,
            bool logged);
  /// Prints a line of its own on `out` (an evaluation, the summary), below the bar.
  void line(const std::string &text);

private:
  void endBar();

  bool bar;
  FILE *out;
  bool barDrawn = false;
  std::chrono::steady_clock::time_point lastDraw;
};

} // namespace kiln::train

#endif // KILN_RUNTIME_SRC_TRAIN_CONSOLE_PROGRESS_H
