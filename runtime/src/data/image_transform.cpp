//===- image_transform.cpp - from an encoded image to one normalised sample ===//
#include "image_transform.h"

#include "../internal.h"

#include <algorithm>
#include <cmath>
#include <cstring>

using namespace kiln::runtime;
using namespace kiln::data;

namespace {

/// Uniform in [low, high), from the top 53 bits of the stream.
double uniform(SplitMix64 &random, double low, double high) {
  return low + (high - low) * static_cast<double>(random.next() >> 11) * 0x1.0p-53;
}

/// float to bfloat16 with round-to-nearest-even (the values here are finite).
uint16_t toBf16(float value) {
  uint32_t bits;
  std::memcpy(&bits, &value, sizeof(bits));
  bits += 0x7fff + ((bits >> 16) & 1);
  return static_cast<uint16_t>(bits >> 16);
}

/// Where one output column or row samples the source: two neighbours and a weight.
struct Tap {
  int first, second;
  float weight;
};

/// The taps of `count` outputs over [start, start + extent) of a source of `size` pixels,
/// with pixel centres aligned: output i samples start + (i + 0.5) * extent / count - 0.5.
void makeTaps(double start, double extent, int count, int size, std::vector<Tap> &taps) {
  taps.resize(static_cast<size_t>(count));
  double step = extent / count;
  for (int i = 0; i < count; ++i) {
    double at = std::clamp(start + (i + 0.5) * step - 0.5, 0.0, static_cast<double>(size - 1));
    int first = static_cast<int>(at);
    taps[i] = {first, std::min(first + 1, size - 1), static_cast<float>(at - first)};
  }
}

template <PixelLayout Layout, SampleType Type>
void resampleInto(const RgbImage &image, const CropBox &crop, bool flip,
                  const ImageTransform &transform, void *out) {
  using Element = std::conditional_t<Type == SampleType::F32, float, uint16_t>;
  auto *samples = static_cast<Element *>(out);
  const int width = transform.width, height = transform.height;
  thread_local std::vector<Tap> columns, rows;
  thread_local std::vector<float> line;
  makeTaps(crop.x, crop.width, width, image.width, columns);
  makeTaps(crop.y, crop.height, height, image.height, rows);
  if (flip)
    std::reverse(columns.begin(), columns.end());
  // Only the columns the taps touch are blended vertically.
  int low = image.width, high = 0;
  for (const Tap &tap : columns) {
    low = std::min(low, tap.first);
    high = std::max(high, tap.second);
  }
  size_t span = static_cast<size_t>(high - low + 1) * 3;
  line.resize(span);
  float scale[3], bias[3];
  for (int c = 0; c < 3; ++c) {
    scale[c] = 1.0f / (255.0f * transform.deviation[c]);
    bias[c] = -transform.mean[c] / transform.deviation[c];
  }
  const size_t stride = static_cast<size_t>(image.width) * 3;
  const size_t plane = static_cast<size_t>(width) * height;
  for (int y = 0; y < height; ++y) {
    const Tap &row = rows[y];
    const uint8_t *top = image.pixels.data() + row.first * stride + low * 3;
    const uint8_t *bottom = image.pixels.data() + row.second * stride + low * 3;
    for (size_t i = 0; i < span; ++i)
      line[i] = top[i] + row.weight * (static_cast<float>(bottom[i]) - top[i]);
    for (int x = 0; x < width; ++x) {
      const Tap &column = columns[x];
      const float *left = &line[(column.first - low) * 3];
      const float *right = &line[(column.second - low) * 3];
      for (int c = 0; c < 3; ++c) {
        float value = (left[c] + column.weight * (right[c] - left[c])) * scale[c] + bias[c];
        size_t at = Layout == PixelLayout::CHW ? c * plane + static_cast<size_t>(y) * width + x
                                               : (static_cast<size_t>(y) * width + x) * 3 + c;
        if constexpr (Type == SampleType::F32)
          samples[at] = value;
        else
          samples[at] = toBf16(value);
      }
    }
  }
}

} // namespace

kiln_status_t kiln::data::imageTransformFor(const SampleSpec &sample,
                                            const DatasetOptions &options, bool augment,
                                            const std::string &source, ImageTransform &out) {
  const std::vector<int64_t> &shape = sample.shape;
  bool chw = shape.size() == 3 && shape[0] == 3 && shape[1] > 0 && shape[2] > 0;
  bool hwc = shape.size() == 3 && shape[2] == 3 && shape[0] > 0 && shape[1] > 0;
  if (!chw && !hwc)
    return makeStatus(KILN_STATUS_DATA_ERROR,
                      source + " holds RGB images, but the artifact's input '" +
                          sample.inputName + "' takes samples of shape " +
                          shapeString(shape.data(), static_cast<uint32_t>(shape.size())) +
                          " (images need B x 3 x H x W or B x H x W x 3)");
  out = ImageTransform();
  out.layout = chw ? PixelLayout::CHW : PixelLayout::HWC;
  out.height = static_cast<int>(chw ? shape[1] : shape[0]);
  out.width = static_cast<int>(chw ? shape[2] : shape[1]);
  out.mean = options.channelMean;
  out.deviation = options.channelStd;
  out.augment = augment;
  return nullptr;
}

CropBox kiln::data::randomResizedCrop(int width, int height, const ImageTransform &transform,
                                      SplitMix64 &random) {
  double area = static_cast<double>(width) * height;
  double logMin = std::log(transform.minAspect), logMax = std::log(transform.maxAspect);
  for (int attempt = 0; attempt < 10; ++attempt) {
    double target = area * uniform(random, transform.minArea, transform.maxArea);
    double aspect = std::exp(uniform(random, logMin, logMax));
    double w = std::round(std::sqrt(target * aspect));
    double h = std::round(std::sqrt(target / aspect));
    if (w > 0 && h > 0 && w <= width && h <= height) {
      double x = static_cast<double>(random.below(static_cast<uint64_t>(width - w) + 1));
      double y = static_cast<double>(random.below(static_cast<uint64_t>(height - h) + 1));
      return {x, y, w, h};
    }
  }
  // Ten misses (a very long or tall image): the largest centred crop of an allowed aspect.
  double w = width, h = height, ratio = w / h;
  if (ratio < transform.minAspect)
    h = std::round(w / transform.minAspect);
  else if (ratio > transform.maxAspect)
    w = std::round(h * transform.maxAspect);
  return {std::floor((width - w) / 2), std::floor((height - h) / 2), w, h};
}

CropBox kiln::data::centreCrop(int width, int height, const ImageTransform &transform) {
  double resizedShort = std::min(transform.width, transform.height) * transform.evalResize;
  double factor = resizedShort / std::min(width, height);
  double w = std::min<double>(width, transform.width / factor);
  double h = std::min<double>(height, transform.height / factor);
  return {(width - w) / 2, (height - h) / 2, w, h};
}

int kiln::data::decodeReduction(const CropBox &crop, const ImageTransform &transform) {
  for (int reduction : {8, 4, 2})
    if (crop.width / reduction >= transform.width && crop.height / reduction >= transform.height)
      return reduction;
  return 1;
}

void kiln::data::resampleCrop(const RgbImage &image, const CropBox &crop, bool flip,
                              const ImageTransform &transform, void *out) {
  bool chw = transform.layout == PixelLayout::CHW;
  if (transform.type == SampleType::F32)
    chw ? resampleInto<PixelLayout::CHW, SampleType::F32>(image, crop, flip, transform, out)
        : resampleInto<PixelLayout::HWC, SampleType::F32>(image, crop, flip, transform, out);
  else
    chw ? resampleInto<PixelLayout::CHW, SampleType::BF16>(image, crop, flip, transform, out)
        : resampleInto<PixelLayout::HWC, SampleType::BF16>(image, crop, flip, transform, out);
}

kiln_status_t kiln::data::transformJpeg(const uint8_t *data, size_t size,
                                        const std::string &name,
                                        const ImageTransform &transform, uint64_t seed,
                                        void *out) {
  JpegInfo info;
  KILN_RETURN_IF_ERROR(readJpegInfo(data, size, name, info));
  SplitMix64 random(seed);
  CropBox crop = transform.augment ? randomResizedCrop(info.width, info.height, transform, random)
                                   : centreCrop(info.width, info.height, transform);
  bool flip = transform.augment && (random.next() >> 63) != 0;
  thread_local RgbImage image;
  KILN_RETURN_IF_ERROR(decodeJpeg(data, size, name, decodeReduction(crop, transform), image));
  // The reduced image's size rounds up, so scale the crop by the actual ratio.
  double fx = static_cast<double>(image.width) / info.width;
  double fy = static_cast<double>(image.height) / info.height;
  CropBox reduced = {crop.x * fx, crop.y * fy, crop.width * fx, crop.height * fy};
  resampleCrop(image, reduced, flip, transform, out);
  return nullptr;
}
