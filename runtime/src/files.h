//===- files.h - checked opening and atomic replacement of files ----------===//
#ifndef KILN_RUNTIME_SRC_FILES_H
#define KILN_RUNTIME_SRC_FILES_H

#include "kiln/runtime.h"

#include <string>

namespace kiln::runtime {

/// Writes `bytes` to `path` through a temporary file in the same directory: write, fsync,
/// rename over `path`, fsync the directory. A crash or Ctrl-C at any point leaves either the
/// old file or the new one, never a mix, and a failure removes the temporary file. `what`
/// names the file in messages ("tensor file", "checkpoint"): "PATH: cannot write WHAT (STEP:
/// REASON)".
kiln_status_t writeFileAtomically(const std::string &path, const std::string &bytes,
                                  const char *what);

/// Checks that `path` is a regular file before it is opened: NOT_FOUND if it does not exist,
/// IO_ERROR for a directory or another kind of file; "PATH: cannot open WHAT: REASON".
kiln_status_t checkRegularFile(const std::string &path, const char *what);

/// The directory part of `path` ("." for a bare file name), for checks before a long run.
std::string directoryOf(const std::string &path);

} // namespace kiln::runtime

#endif // KILN_RUNTIME_SRC_FILES_H
