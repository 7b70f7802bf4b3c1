//===- jpeg_image.cpp - JPEG decoding with TurboJPEG, to packed RGB -------===//
#include "jpeg_image.h"

#include "../internal.h"

#include <turbojpeg.h>

using namespace kiln::runtime;

namespace {

/// A TurboJPEG decompressor per thread: a handle must not be shared between threads, and
/// creating one per image would cost more than decoding a small one.
class Decompressor {
public:
  Decompressor() : handle(tjInitDecompress()) {}
  ~Decompressor() {
    if (handle)
      tjDestroy(handle);
  }
  tjhandle get() const { return handle; }
  /// A fresh handle: after a failure TurboJPEG 2.1 can leave the old one mid-header, and its
  /// next header read then "succeeds" with a 0 x 0 image.
  void reset() {
    if (handle)
      tjDestroy(handle);
    handle = tjInitDecompress();
  }

private:
  tjhandle handle;
};

thread_local Decompressor decompressor;

/// Images beyond this are refused rather than decoded into gigabytes (ImageNet's largest is
/// about 8.5 megapixels).
constexpr int64_t kMaxPixels = int64_t{1} << 28;

kiln_status_t turboError(const std::string &name, const char *what) {
  kiln_status_t status = makeStatus(KILN_STATUS_DATA_ERROR, name + ": " + what + " (" +
                                                                tjGetErrorStr2(decompressor.get()) + ")");
  decompressor.reset();
  return status;
}

struct Header {
  int width = 0, height = 0, subsampling = 0, colorspace = 0;
};

kiln_status_t readHeader(const uint8_t *data, size_t size, const std::string &name,
                         Header &out) {
  if (!decompressor.get())
    return makeStatus(KILN_STATUS_INTERNAL, name + ": cannot create a TurboJPEG decompressor");
  if (size == 0 || size > static_cast<size_t>(UINT32_MAX))
    return makeStatus(KILN_STATUS_DATA_ERROR,
                      name + ": not a JPEG file (" + std::to_string(size) + " bytes)");
  if (tjDecompressHeader3(decompressor.get(), data, static_cast<unsigned long>(size),
                          &out.width, &out.height, &out.subsampling, &out.colorspace) != 0)
    return turboError(name, "not a JPEG file or a corrupt JPEG header");
  if (out.width <= 0 || out.height <= 0 ||
      int64_t{out.width} * out.height > kMaxPixels)
    return makeStatus(KILN_STATUS_DATA_ERROR,
                      name + ": JPEG of " + std::to_string(out.width) + "x" +
                          std::to_string(out.height) + " pixels is empty or too large");
  return nullptr;
}

} // namespace

kiln_status_t kiln::data::readJpegInfo(const uint8_t *data, size_t size,
                                       const std::string &name, JpegInfo &out) {
  Header header;
  KILN_RETURN_IF_ERROR(readHeader(data, size, name, header));
  out.width = header.width;
  out.height = header.height;
  return nullptr;
}

kiln_status_t kiln::data::decodeJpeg(const uint8_t *data, size_t size, const std::string &name,
                                     int reduction, RgbImage &out) {
  Header header;
  KILN_RETURN_IF_ERROR(readHeader(data, size, name, header));
  if (reduction != 1 && reduction != 2 && reduction != 4 && reduction != 8)
    return makeStatus(KILN_STATUS_INVALID_ARGUMENT,
                      name + ": JPEG reduction " + std::to_string(reduction) +
                          " is not 1, 2, 4 or 8");
  tjscalingfactor factor = {1, reduction};
  out.width = TJSCALED(header.width, factor);
  out.height = TJSCALED(header.height, factor);
  bool cmyk = header.colorspace == TJCS_CMYK || header.colorspace == TJCS_YCCK;
  int channels = cmyk ? 4 : 3;
  size_t count = static_cast<size_t>(out.width) * static_cast<size_t>(out.height);
  out.pixels.resize(count * channels);
  if (tjDecompress2(decompressor.get(), data, static_cast<unsigned long>(size),
                    out.pixels.data(), out.width, 0, out.height, cmyk ? TJPF_CMYK : TJPF_RGB,
                    TJFLAG_STOPONWARNING) != 0)
    return turboError(name, "corrupt or truncated JPEG data");
  if (cmyk) {
    invertedCmykToRgb(out.pixels.data(), count);
    out.pixels.resize(3 * count);
  }
  return nullptr;
}

void kiln::data::invertedCmykToRgb(uint8_t *pixels, size_t count) {
  for (size_t i = 0; i < count; ++i) {
    const uint8_t *cmyk = pixels + 4 * i;
    unsigned k = cmyk[3];
    uint8_t rgb[3];
    for (int c = 0; c < 3; ++c)
      rgb[c] = static_cast<uint8_t>((cmyk[c] * k + 127) / 255);
    pixels[3 * i] = rgb[0];
    pixels[3 * i + 1] = rgb[1];
    pixels[3 * i + 2] = rgb[2];
  }
}
