//===- console_progress.cpp - what a person watching the run sees ---------===//
#include "console_progress.h"

#include <unistd.h>

#include <string>

using Clock = std::chrono::steady_clock;

kiln::train::ConsoleProgress::ConsoleProgress(ProgressStyle style, FILE *out)
    : bar(style == ProgressStyle::Bar ||
          (style == ProgressStyle::Auto && isatty(STDERR_FILENO))),
      out(out) {}

void kiln::train::ConsoleProgress::step(const LogRecord &r, uint64_t stepInEpoch,
                                        uint64_t stepsPerEpoch, bool logged) {
  if (!bar) {
    if (logged) {
      std::fprintf(out, "epoch %llu step %llu: loss %.4f top1 %.2f%% lr %.6g %.0f images/s\n",
                   static_cast<unsigned long long>(r.epoch),
                   static_cast<unsigned long long>(r.step), r.loss, r.top1, r.lr,
                   r.imagesPerSecond);
      // Lines go to logs and pipes as they happen, not when a buffer fills.
      std::fflush(out);
    }
    return;
  }
  Clock::time_point now = Clock::now();
  bool epochDone = stepInEpoch == stepsPerEpoch;
  if (barDrawn && !epochDone && now - lastDraw < std::chrono::milliseconds(100))
    return;
  lastDraw = now;
  constexpr uint64_t width = 24;
  uint64_t filled = stepsPerEpoch ? stepInEpoch * width / stepsPerEpoch : width;
  std::string meter = std::string(filled, '#') + std::string(width - filled, '.');
  // \r and "erase to end of line" redraw the same terminal line.
  std::fprintf(stderr,
               "\r\033[Kepoch %llu [%s] %llu/%llu loss %.4f top1 %.2f%% lr %.4g %.0f img/s",
               static_cast<unsigned long long>(r.epoch), meter.c_str(),
               static_cast<unsigned long long>(stepInEpoch),
               static_cast<unsigned long long>(stepsPerEpoch), r.loss, r.top1, r.lr,
               r.imagesPerSecond);
  std::fflush(stderr);
  barDrawn = true;
}

void kiln::train::ConsoleProgress::endBar() {
  if (!barDrawn)
    return;
  std::fputc('\n', stderr);
  barDrawn = false;
}

void kiln::train::ConsoleProgress::line(const std::string &text) {
  endBar();
  std::fprintf(out, "%s\n", text.c_str());
  std::fflush(out);
}
