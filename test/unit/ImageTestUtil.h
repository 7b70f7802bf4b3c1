//===- ImageTestUtil.h - JPEGs, JPEG folders and CIFAR files for data tests ===//
#ifndef KILN_TEST_UNIT_IMAGETESTUTIL_H
#define KILN_TEST_UNIT_IMAGETESTUTIL_H

#include "TestUtil.h"

#include <sys/stat.h>
#include <turbojpeg.h>

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace kiln::test {

/// A smooth RGB test image (gradients a JPEG keeps nearly exact), different per `variant`.
inline std::vector<uint8_t> gradientImage(int width, int height, int variant = 0) {
  std::vector<uint8_t> pixels(static_cast<size_t>(width) * height * 3);
  for (int y = 0; y < height; ++y)
    for (int x = 0; x < width; ++x) {
      uint8_t *pixel = &pixels[(static_cast<size_t>(y) * width + x) * 3];
      pixel[0] = static_cast<uint8_t>(255 * x / std::max(1, width - 1));
      pixel[1] = static_cast<uint8_t>(255 * y / std::max(1, height - 1));
      pixel[2] = static_cast<uint8_t>((40 * variant + 64) % 256);
    }
  return pixels;
}

/// `pixels` (`format`: TJPF_RGB, TJPF_GRAY or TJPF_CMYK) encoded as a JPEG by TurboJPEG at
/// `quality`, with chroma `subsampling` (grayscale for TJPF_GRAY) and TurboJPEG `flags`
/// (TJFLAG_PROGRESSIVE).
inline std::string encodeJpeg(const std::vector<uint8_t> &pixels, int width, int height,
                              int format = TJPF_RGB, int quality = 98,
                              int subsampling = TJSAMP_444, int flags = 0) {
  tjhandle handle = tjInitCompress();
  unsigned char *jpeg = nullptr;
  unsigned long size = 0;
  if (format == TJPF_GRAY)
    subsampling = TJSAMP_GRAY;
  int failed = tjCompress2(handle, pixels.data(), width, 0, height, format, &jpeg, &size,
                           subsampling, quality, flags);
  EXPECT_EQ(failed, 0) << tjGetErrorStr2(handle);
  std::string bytes(reinterpret_cast<const char *>(jpeg), size);
  tjFree(jpeg);
  tjDestroy(handle);
  return bytes;
}

/// A textured test image (a gradient with a pseudo-random pattern on top), so that a
/// decoder's mistakes in one block show.
inline std::vector<uint8_t> texturedImage(int width, int height) {
  std::vector<uint8_t> pixels = gradientImage(width, height, 2);
  uint32_t state = 12345;
  for (uint8_t &value : pixels) {
    state = state * 1664525u + 1013904223u;
    value = static_cast<uint8_t>(value / 2 + (state >> 25));
  }
  return pixels;
}

/// A JPEG of gradientImage(width, height, variant).
inline std::string gradientJpeg(int width, int height, int variant = 0) {
  return encodeJpeg(gradientImage(width, height, variant), width, height);
}

inline void makeDir(const std::string &path) { mkdir(path.c_str(), 0777); }

/// scratchPath(name) with whatever an earlier run of the test left there removed.
inline std::string freshPath(const std::string &name) {
  std::string path = scratchPath(name);
  std::filesystem::remove_all(path);
  return path;
}

/// DIR/<split>/<class>/<i>.JPEG: `perClass[c]` images of `width` x `height` for class folder
/// `classes[c]`; image i of class c is gradientJpeg(..., c).
inline void writeJpegSplit(const std::string &dir, const std::string &split,
                           const std::vector<std::string> &classes,
                           const std::vector<int> &perClass, int width = 48, int height = 40) {
  makeDir(dir);
  makeDir(dir + "/" + split);
  for (size_t c = 0; c < classes.size(); ++c) {
    std::string folder = dir + "/" + split + "/" + classes[c];
    makeDir(folder);
    for (int i = 0; i < perClass[c]; ++i)
      writeFile(folder + "/" + std::to_string(i) + ".JPEG",
                gradientJpeg(width, height, static_cast<int>(c)));
  }
}

/// `count` CIFAR records (`labelBytes` 1 for CIFAR-10, 2 for CIFAR-100): record i has labels
/// (i % 20, i % classes) and pixel p of channel c equal to (i + 3c + p) % 256.
inline std::string cifarRecords(int count, int labelBytes, int classes) {
  std::string bytes;
  for (int i = 0; i < count; ++i) {
    if (labelBytes == 2)
      bytes += static_cast<char>(i % 20);
    bytes += static_cast<char>(i % classes);
    for (int c = 0; c < 3; ++c)
      for (int p = 0; p < 1024; ++p)
        bytes += static_cast<char>((i + 3 * c + p) % 256);
  }
  return bytes;
}

} // namespace kiln::test

#endif // KILN_TEST_UNIT_IMAGETESTUTIL_H
