//===- jpeg_image.h - JPEG decoding with TurboJPEG, to packed RGB ---------===//
#ifndef KILN_RUNTIME_SRC_DATA_JPEG_IMAGE_H
#define KILN_RUNTIME_SRC_DATA_JPEG_IMAGE_H

#include "kiln/runtime.h"

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace kiln::data {

/// An 8-bit image, 3 bytes (R, G, B) per pixel, rows without padding.
struct RgbImage {
  int width = 0, height = 0;
  std::vector<uint8_t> pixels;
};

/// What a JPEG header says.
struct JpegInfo {
  int width = 0, height = 0;
};

/// Reads the header of the JPEG `data[0..size)`; `name` (its file) starts every message.
kiln_status_t readJpegInfo(const uint8_t *data, size_t size, const std::string &name,
                           JpegInfo &out);

/// Decodes the JPEG `data[0..size)` to RGB at 1/`reduction` of its size (1, 2, 4 or 8): the
/// scaled inverse DCT computes only the pixels kept, so a reduced decode is cheaper, not a
/// decode followed by a resize. Dimensions round up (TurboJPEG's TJSCALED). Grayscale JPEGs
/// come out with R = G = B; CMYK and YCCK JPEGs are taken as Adobe writes them (inverted
/// CMYK) and converted with R = (255 - C)(255 - K) / 255 in ink terms. Any libjpeg warning
/// (truncated data, a corrupt segment) is an error naming `name`, not a grey half-image.
/// Safe to call from several threads at once (one TurboJPEG handle per thread).
kiln_status_t decodeJpeg(const uint8_t *data, size_t size, const std::string &name,
                         int reduction, RgbImage &out);

} // namespace kiln::data

#endif // KILN_RUNTIME_SRC_DATA_JPEG_IMAGE_H
