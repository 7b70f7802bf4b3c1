//===- jpeg_region.cpp - decoding only the crop of a JPEG -----------------===//
//
// TurboJPEG 2.1 (Debian 12's libjpeg-turbo) decodes whole images only; region decoding came
// with TurboJPEG 3 (tj3SetCroppingRegion). The same library's libjpeg API has had it since
// 1.5: jpeg_crop_scanline limits the inverse DCT and colour conversion to the columns of the
// crop, jpeg_skip_scanlines skips the rows above it, and stopping after its last row skips
// the entropy decoding of everything below. A random resized crop covers about half of an
// image, so this decodes a training sample in less time than a full-size decode takes.
//
//===----------------------------------------------------------------------===//
#include "jpeg_image.h"

#include "../internal.h"

#include <algorithm>
#include <csetjmp>
#include <cstdio>

#include <jpeglib.h>

using namespace kiln::runtime;

namespace {

/// libjpeg reports errors by calling error_exit, which must not return: it jumps back to
/// decodeJpegRegion with the message. Warnings (corrupt data that libjpeg would paper over)
/// jump back too, as TJFLAG_STOPONWARNING makes the full-image decoder do.
struct ErrorJump {
  jpeg_error_mgr manager;
  std::jmp_buf jump;
  char message[JMSG_LENGTH_MAX];
};

[[noreturn]] void jumpOnError(j_common_ptr info) {
  auto *error = reinterpret_cast<ErrorJump *>(info->err);
  (*info->err->format_message)(info, error->message);
  std::longjmp(error->jump, 1);
}

void jumpOnWarning(j_common_ptr info, int level) {
  if (level < 0) // -1: a warning; 0 and up: trace messages, ignored
    jumpOnError(info);
}

/// The decode itself; any libjpeg error or warning jumps out of it (to decodeRows).
__attribute__((noinline)) void readRegion(jpeg_decompress_struct &info, ErrorJump *error,
                                          const uint8_t *data, size_t size, int reduction,
                                          int left, int top, int right, int bottom,
                                          kiln::data::RgbRegion &out) {
  jpeg_mem_src(&info, data, static_cast<unsigned long>(size));
  jpeg_read_header(&info, TRUE);
  bool cmyk = info.jpeg_color_space == JCS_CMYK || info.jpeg_color_space == JCS_YCCK;
  info.out_color_space = cmyk ? JCS_CMYK : JCS_RGB;
  info.scale_num = 1;
  info.scale_denom = static_cast<unsigned>(reduction);
  jpeg_start_decompress(&info);
  int width = static_cast<int>(info.output_width), height = static_cast<int>(info.output_height);
  left = std::max(0, std::min(left, width - 1));
  right = std::max(left + 1, std::min(right, width));
  top = std::max(0, std::min(top, height - 1));
  bottom = std::max(top + 1, std::min(bottom, height));
  JDIMENSION x = static_cast<JDIMENSION>(left), columns = static_cast<JDIMENSION>(right - left);
  if (columns < static_cast<JDIMENSION>(width)) // nothing to crop otherwise
    jpeg_crop_scanline(&info, &x, &columns);
  if (top > 0)
    jpeg_skip_scanlines(&info, static_cast<JDIMENSION>(top));
  out.x = static_cast<int>(x);
  out.y = top;
  out.image.width = static_cast<int>(columns);
  out.image.height = bottom - top;
  size_t channels = cmyk ? 4 : 3, rowBytes = columns * channels;
  // CMYK rows shrink to RGB in place, so row r starts at r * 3 * columns either way; the
  // buffer holds one 4-channel row more than the RGB image needs.
  out.image.pixels.resize(static_cast<size_t>(out.image.height) * columns * 3 + rowBytes);
  for (int row = 0; row < out.image.height; ++row) {
    uint8_t *target = out.image.pixels.data() + static_cast<size_t>(row) * columns * 3;
    JSAMPROW rows[1] = {target};
    if (jpeg_read_scanlines(&info, rows, 1) != 1) {
      std::snprintf(error->message, sizeof(error->message), "no data for row %d", top + row);
      std::longjmp(error->jump, 1);
    }
    if (cmyk)
      kiln::data::invertedCmykToRgb(target, columns);
  }
  out.image.pixels.resize(static_cast<size_t>(out.image.height) * columns * 3);
}

/// Where libjpeg's errors land: longjmp must not cross a frame whose objects have
/// destructors, so this frame has none and modifies nothing after setjmp. False with
/// `error->message` set on failure.
bool decodeRows(jpeg_decompress_struct &info, ErrorJump *error, const uint8_t *data,
                size_t size, int reduction, int left, int top, int right, int bottom,
                kiln::data::RgbRegion &out) {
  if (setjmp(error->jump))
    return false;
  readRegion(info, error, data, size, reduction, left, top, right, bottom, out);
  return true;
}

} // namespace

kiln_status_t kiln::data::decodeJpegRegion(const uint8_t *data, size_t size,
                                           const std::string &name, int reduction, int left,
                                           int top, int right, int bottom, RgbRegion &out) {
  if (reduction != 1 && reduction != 2 && reduction != 4 && reduction != 8)
    return makeStatus(KILN_STATUS_INVALID_ARGUMENT,
                      name + ": JPEG reduction " + std::to_string(reduction) +
                          " is not 1, 2, 4 or 8");
  if (size == 0 || size > static_cast<size_t>(UINT32_MAX))
    return makeStatus(KILN_STATUS_DATA_ERROR,
                      name + ": not a JPEG file (" + std::to_string(size) + " bytes)");
  jpeg_decompress_struct info;
  ErrorJump error;
  info.err = jpeg_std_error(&error.manager);
  error.manager.error_exit = jumpOnError;
  error.manager.emit_message = jumpOnWarning;
  error.message[0] = '\0';
  jpeg_create_decompress(&info);
  bool decoded = decodeRows(info, &error, data, size, reduction, left, top, right, bottom, out);
  jpeg_destroy_decompress(&info); // also ends a decode stopped before the last row
  if (!decoded)
    return makeStatus(KILN_STATUS_DATA_ERROR,
                      name + ": corrupt or truncated JPEG data (" + error.message + ")");
  return nullptr;
}
