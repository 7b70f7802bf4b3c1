//===- metrics_log.h - --log FILE: one record per logged step and evaluation ===//
#ifndef KILN_RUNTIME_SRC_TRAIN_METRICS_LOG_H
#define KILN_RUNTIME_SRC_TRAIN_METRICS_LOG_H

#include "kiln/runtime.h"

#include <cstdint>
#include <cstdio>
#include <memory>
#include <string>

namespace kiln::train {

/// One line of the log: a training step (`kind` "train") or an evaluation ("eval").
struct LogRecord {
  const char *kind = "train";
  uint64_t epoch = 0; // 1-based: the epoch in progress, or the one just evaluated
  uint64_t step = 0;  // updates done
  double lr = 0, loss = 0, top1 = 0, top5 = 0; // accuracies in percent
  double imagesPerSecond = 0;
};

/// A CSV file (header kind,epoch,step,lr,loss,top1,top5,images_per_s) or JSON lines (one
/// object with those keys per line), chosen by the extension: .csv, .jsonl or .json. Each record
/// is flushed, so a crash loses at most the line being written.
class MetricsLog {
public:
  /// Opens `path`; `append` (a resumed run) keeps earlier records. An unknown extension or a
  /// file that cannot be opened is an error naming it.
  static kiln_status_t open(const std::string &path, bool append,
                            std::unique_ptr<MetricsLog> &out);
  ~MetricsLog();

  kiln_status_t write(const LogRecord &record);

private:
  MetricsLog(std::string path, FILE *file, bool json) : path(std::move(path)), file(file), json(json) {}

  std::string path;
  FILE *file;
  bool json;
};

} // namespace kiln::train

#endif // KILN_RUNTIME_SRC_TRAIN_METRICS_LOG_H
