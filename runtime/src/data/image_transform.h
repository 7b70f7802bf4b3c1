//===- image_transform.h - from an encoded image to one normalised sample ==//
//
// The seeds' recipes. Training: a random resized crop (area 8-100 % of the image, aspect
// 3/4-4/3, ten tries and then a centre crop) and a horizontal flip with probability 1/2.
// Evaluation: resize the short side to 256 / 224 of the output and take the centre (256 ->
// 224). Both then scale bilinearly to the output size, map pixels to [0, 1], apply
// (x - mean) / std per channel and write CHW or HWC, fp32 or bf16. Only the crop's part of the
// JPEG is decoded (decodeJpegRegion), and when the crop is at least twice the output in both
// directions it is decoded at 1/2, 1/4 or 1/8 scale.
//
//===----------------------------------------------------------------------===//
#ifndef KILN_RUNTIME_SRC_DATA_IMAGE_TRANSFORM_H
#define KILN_RUNTIME_SRC_DATA_IMAGE_TRANSFORM_H

#include "dataset.h"
#include "jpeg_image.h"

#include "../random.h"

namespace kiln::data {

/// How the channels of one sample are laid out: [3, H, W] (NCHW batches) or [H, W, 3].
enum class PixelLayout { CHW, HWC };

/// The element type a sample is written in.
enum class SampleType { F32, BF16 };

/// A rectangle of the source image, in its pixels (fractional for the evaluation crop).
struct CropBox {
  double x = 0, y = 0, width = 0, height = 0;
};

/// Everything that decides how an image becomes a sample.
struct ImageTransform {
  int width = 224, height = 224;
  PixelLayout layout = PixelLayout::CHW;
  SampleType type = SampleType::F32;
  std::array<float, 3> mean = {0, 0, 0};
  std::array<float, 3> deviation = {1, 1, 1}; ///< per channel, after mean
  bool augment = true; ///< random resized crop and flip; otherwise resize and centre crop
  double minArea = 0.08, maxArea = 1.0;
  double minAspect = 3.0 / 4.0, maxAspect = 4.0 / 3.0;
  double evalResize = 256.0 / 224.0; ///< short side before the centre crop, per output pixel
};

/// The transform that fills samples of `sample`'s shape ([3, H, W] or [H, W, 3]) with the
/// options' channel mean and std, augmenting if `augment`. Another shape is an error naming
/// the input and `source`.
kiln_status_t imageTransformFor(const SampleSpec &sample, const DatasetOptions &options,
                                bool augment, const std::string &source,
                                ImageTransform &out);

/// The random resized crop of a `width` x `height` image (integer box, inside the image).
CropBox randomResizedCrop(int width, int height, const ImageTransform &transform,
                          runtime::SplitMix64 &random);

/// The evaluation crop: the centre of the image resized to evalResize x the output.
CropBox centreCrop(int width, int height, const ImageTransform &transform);

/// The JPEG reduction (1, 2, 4 or 8) for `crop`: the largest that keeps the reduced crop at
/// least as large as the output in both directions.
int decodeReduction(const CropBox &crop, const ImageTransform &transform);

/// Scales `crop` of `image` bilinearly (pixel centres aligned) to the output size, mirrored
/// left-right if `flip`, normalises and writes one sample to `out`.
void resampleCrop(const RgbImage &image, const CropBox &crop, bool flip,
                  const ImageTransform &transform, void *out);

/// Decodes the JPEG `data[0..size)` and transforms it into `out`; `seed` draws the crop and
/// the flip. Errors name `name`.
kiln_status_t transformJpeg(const uint8_t *data, size_t size, const std::string &name,
                            const ImageTransform &transform, uint64_t seed, void *out);

} // namespace kiln::data

#endif // KILN_RUNTIME_SRC_DATA_IMAGE_TRANSFORM_H
