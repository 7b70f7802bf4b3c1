//===- files.cpp - checked opening and atomic replacement of files --------===//
#include "files.h"

#include "internal.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

using namespace kiln::runtime;

std::string kiln::runtime::directoryOf(const std::string &path) {
  size_t slash = path.find_last_of('/');
  if (slash == std::string::npos)
    return ".";
  return slash == 0 ? "/" : path.substr(0, slash);
}

kiln_status_t kiln::runtime::checkRegularFile(const std::string &path, const char *what) {
  struct stat info;
  if (stat(path.c_str(), &info) != 0)
    return makeStatus(errno == ENOENT ? KILN_STATUS_NOT_FOUND : KILN_STATUS_IO_ERROR,
                      path + ": cannot open " + what + ": " + std::strerror(errno));
  if (!S_ISREG(info.st_mode))
    return makeStatus(KILN_STATUS_IO_ERROR,
                      path + ": cannot open " + what + ": not a regular file");
  return nullptr;
}

namespace {

bool writeAll(int fd, const std::string &bytes) {
  for (size_t done = 0; done < bytes.size();) {
    ssize_t written = write(fd, bytes.data() + done, bytes.size() - done);
    if (written < 0 && errno == EINTR)
      continue;
    if (written <= 0)
      return false;
    done += static_cast<size_t>(written);
  }
  return true;
}

} // namespace

kiln_status_t kiln::runtime::writeFileAtomically(const std::string &path,
                                                 const std::string &bytes, const char *what) {
  // In the same directory, so the rename never crosses file systems; the pid keeps two
  // processes writing the same path from sharing a temporary file.
  std::string temporary = path + ".tmp." + std::to_string(getpid());
  auto failure = [&](const char *step) {
    int error = errno;
    std::remove(temporary.c_str());
    return makeStatus(KILN_STATUS_IO_ERROR, path + ": cannot write " + what + " (" + step +
                                                ": " + std::strerror(error) + ")");
  };
  int fd = open(temporary.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
  if (fd < 0)
    return failure("create");
  // fsync before the rename: otherwise a power loss can leave the new name on an empty file.
  const char *failedStep = !writeAll(fd, bytes) ? "write" : fsync(fd) != 0 ? "fsync" : nullptr;
  if (failedStep) {
    int error = errno;
    close(fd);
    errno = error;
    return failure(failedStep);
  }
  if (close(fd) != 0)
    return failure("close");
  if (std::rename(temporary.c_str(), path.c_str()) != 0)
    return failure("rename");
  // The rename itself is durable only once the directory is synced. Some file systems refuse
  // fsync on a directory; the file is in place by then, so that is not an error.
  int directory = open(directoryOf(path).c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (directory >= 0) {
    fsync(directory);
    close(directory);
  }
  return nullptr;
}
