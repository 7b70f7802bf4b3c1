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
/// Safe to call from several threads at once (one TurboJPEG handle per thread). The whole-image
/// reference that decodeJpegRegion is tested against; samples are decoded by region.
kiln_status_t decodeJpeg(const uint8_t *data, size_t size, const std::string &name,
                         int reduction, RgbImage &out);

/// Converts `count` pixels of inverted (Adobe) CMYK, 4 bytes each, to RGB, 3 bytes each, in
/// place from the front: R = C K / 255 on the stored (inverted) values, and so on.
void invertedCmykToRgb(uint8_t *pixels, size_t count);

/// A part of a decoded image: its pixels start at (x, y) of the whole (reduced) image.
struct RgbRegion {
  int x = 0, y = 0;
  RgbImage image;
};

/// Decodes, at 1/`reduction` scale, only the part of the JPEG that covers the rectangle
/// [left, right) x [top, bottom) of the reduced image, widened to whole iMCU columns on the
/// left. Rows below the rectangle are never entropy-decoded, and pixels outside it are never
/// inverse-transformed or colour-converted, which is what makes a random crop cheaper than a
/// full decode. The pixels are those of a full decode, except that the outermost column on
/// either side of a region inside the image may differ by a few levels (chroma upsampling
/// lacks its outer neighbour there): callers ask for a column of margin. Same colour handling
/// and errors as decodeJpeg; a corrupt part of the file that the rectangle does not reach is
/// not noticed.
kiln_status_t decodeJpegRegion(const uint8_t *data, size_t size, const std::string &name,
                               int reduction, int left, int top, int right, int bottom,
                               RgbRegion &out);

} // namespace kiln::data

#endif // KILN_RUNTIME_SRC_DATA_JPEG_IMAGE_H
