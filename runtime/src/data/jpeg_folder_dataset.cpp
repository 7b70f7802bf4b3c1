//===- jpeg_folder_dataset.cpp - ImageNet-style folders of JPEG files -----===//
//
// DIR/train/<class>/*.JPEG and DIR/val/<class>/*.JPEG, as ImageNet is commonly unpacked.
// Classes are numbered in the order DIR/labels.txt lists their folder names (one per line,
// the first word counts, so "n01440764 tench" works), or else in the sorted order of
// DIR/train's folders, so that both splits agree on the numbers. Files are read and decoded
// when loaded; opening only lists them.
//
//===----------------------------------------------------------------------===//
#include "dataset.h"
#include "image_transform.h"

#include "../internal.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

using namespace kiln::runtime;
using namespace kiln::data;
namespace fs = std::filesystem;

namespace {

const char *const kLayoutHint =
    "a jpeg: directory holds train/<class>/*.JPEG and val/<class>/*.JPEG";

bool isJpegName(const std::string &name) {
  std::string lower = name;
  std::transform(lower.begin(), lower.end(), lower.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  for (const char *suffix : {".jpeg", ".jpg"}) {
    size_t length = std::strlen(suffix);
    if (lower.size() > length && lower.compare(lower.size() - length, length, suffix) == 0)
      return true;
  }
  return false;
}

/// The sorted names of the entries of `dir` that are folders (or, if `!folders`, files),
/// hidden ones (".ipynb_checkpoints", "._x.JPEG" from macOS archives) left out.
kiln_status_t listEntries(const std::string &dir, bool folders, std::vector<std::string> &out) {
  std::error_code error;
  fs::directory_iterator entries(dir, error);
  if (error)
    return makeStatus(error == std::errc::no_such_file_or_directory ? KILN_STATUS_NOT_FOUND
                                                                    : KILN_STATUS_IO_ERROR,
                      dir + ": cannot list the folder (" + error.message() + "; " +
                          kLayoutHint + ")");
  out.clear();
  for (const fs::directory_entry &entry : entries) {
    bool isFolder = entry.is_directory(error);
    std::string name = entry.path().filename().string();
    if (folders == isFolder && name[0] != '.')
      out.push_back(name);
  }
  std::sort(out.begin(), out.end());
  return nullptr;
}

/// The class names of DIR/labels.txt, in its order.
kiln_status_t readLabelsFile(const std::string &path, std::vector<std::string> &out) {
  std::ifstream file(path);
  if (!file)
    return makeStatus(KILN_STATUS_IO_ERROR, path + ": cannot read the labels file");
  std::string line;
  for (int number = 1; std::getline(file, line); ++number) {
    std::istringstream words(line);
    std::string name;
    if (!(words >> name))
      continue;
    if (std::find(out.begin(), out.end(), name) != out.end())
      return makeStatus(KILN_STATUS_DATA_ERROR, path + ":" + std::to_string(number) +
                                                    ": class '" + name + "' listed twice");
    out.push_back(name);
  }
  if (out.empty())
    return makeStatus(KILN_STATUS_DATA_ERROR, path + ": the labels file lists no class");
  return nullptr;
}

/// The whole file at `path` into `out` (reusing its storage).
kiln_status_t readWholeFile(const std::string &path, std::vector<uint8_t> &out) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return makeStatus(KILN_STATUS_IO_ERROR, path + ": cannot open: " + std::strerror(errno));
  struct stat info;
  kiln_status_t status = nullptr;
  if (fstat(fd, &info) != 0) {
    status = makeStatus(KILN_STATUS_IO_ERROR, path + ": cannot stat: " + std::strerror(errno));
  } else {
    out.resize(static_cast<size_t>(info.st_size));
    size_t done = 0;
    while (done < out.size()) {
      ssize_t got = ::read(fd, out.data() + done, out.size() - done);
      if (got < 0 && errno == EINTR)
        continue;
      if (got <= 0) {
        status = makeStatus(KILN_STATUS_IO_ERROR,
                            path + ": read error: " + (got < 0 ? std::strerror(errno) : "file shrank"));
        break;
      }
      done += static_cast<size_t>(got);
    }
  }
  ::close(fd);
  return status;
}

class JpegFolderDataset final : public Dataset {
public:
  JpegFolderDataset(std::string root, size_t classes, std::vector<std::string> paths,
                    std::vector<int32_t> labels, const ImageTransform &transform)
      : root(std::move(root)), classes(classes), paths(std::move(paths)),
        labels(std::move(labels)), transform(transform) {}

  uint64_t size() const override { return paths.size(); }

  std::string describe() const override {
    return root + " (" + std::to_string(paths.size()) + " JPEG images in " +
           std::to_string(classes) + " classes, " + (transform.augment ? "augmented" : "centre-cropped") + " to " +
           std::to_string(transform.width) + "x" + std::to_string(transform.height) + ")";
  }

  kiln_status_t load(uint64_t index, uint64_t seed, float *sample,
                     int32_t &label) const override {
    thread_local std::vector<uint8_t> bytes;
    const std::string &path = paths[index];
    KILN_RETURN_IF_ERROR(readWholeFile(path, bytes));
    KILN_RETURN_IF_ERROR(transformJpeg(bytes.data(), bytes.size(), path, transform, seed, sample));
    label = labels[index];
    return nullptr;
  }

private:
  std::string root;
  size_t classes;
  std::vector<std::string> paths;
  std::vector<int32_t> labels;
  ImageTransform transform;
};

} // namespace

kiln_status_t kiln::data::openJpegFolderDataset(const std::string &dir, Split split,
                                                const SampleSpec &sample,
                                                const DatasetOptions &options,
                                                std::unique_ptr<Dataset> &out) {
  struct stat info;
  if (stat(dir.c_str(), &info) != 0 || !S_ISDIR(info.st_mode))
    return makeStatus(KILN_STATUS_NOT_FOUND,
                      dir + ": no such folder (" + kLayoutHint + ")");
  std::string root = dir + (split == Split::Train ? "/train" : "/val");
  std::vector<std::string> folders;
  KILN_RETURN_IF_ERROR(listEntries(root, /*folders=*/true, folders));
  std::vector<std::string> classNames;
  std::string classSource = dir + "/labels.txt";
  if (stat(classSource.c_str(), &info) == 0) {
    KILN_RETURN_IF_ERROR(readLabelsFile(classSource, classNames));
  } else {
    classSource = dir + "/train";
    kiln_status_t noTrain = split == Split::Train ? nullptr
                                                  : listEntries(classSource, true, classNames);
    if (split == Split::Train || noTrain) {
      kiln_status_free(noTrain);
      classSource = root; // no train folder to number the classes by: the split's own
      classNames = folders;
    }
  }
  if (folders.empty())
    return makeStatus(KILN_STATUS_DATA_ERROR,
                      root + ": no class folders (" + kLayoutHint + ")");
  if (classNames.size() > static_cast<size_t>(sample.classes))
    return makeStatus(KILN_STATUS_DATA_ERROR,
                      classSource + " names " + std::to_string(classNames.size()) +
                          " classes, more than the model's " + std::to_string(sample.classes));
  std::map<std::string, int32_t> classOf;
  for (size_t i = 0; i < classNames.size(); ++i)
    classOf[classNames[i]] = static_cast<int32_t>(i);
  std::vector<std::string> paths, files;
  std::vector<int32_t> labels;
  for (const std::string &folder : folders) {
    std::string path = root + "/" + folder;
    auto found = classOf.find(folder);
    if (found == classOf.end())
      return makeStatus(KILN_STATUS_DATA_ERROR,
                        path + ": class folder '" + folder + "' is not one of the " +
                            std::to_string(classNames.size()) + " classes of " + classSource);
    KILN_RETURN_IF_ERROR(listEntries(path, /*folders=*/false, files));
    size_t before = paths.size();
    for (const std::string &file : files)
      if (isJpegName(file)) {
        paths.push_back(path + "/" + file);
        labels.push_back(found->second);
      }
    if (paths.size() == before)
      return makeStatus(KILN_STATUS_DATA_ERROR,
                        path + ": empty class: no .JPEG, .jpeg or .jpg files in the folder");
  }
  ImageTransform transform;
  KILN_RETURN_IF_ERROR(imageTransformFor(sample, options, split == Split::Train, root, transform));
  out = std::make_unique<JpegFolderDataset>(root, classNames.size(), std::move(paths),
                                            std::move(labels), transform);
  return nullptr;
}
