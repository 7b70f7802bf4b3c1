//===- TfRecordTest.cpp - CRC-32C, TFRecord framing, tf.Example, the dataset ===//
#include "ImageTestUtil.h"
#include "TrainTestUtil.h"

#include "data/crc32c.h"
#include "data/dataset.h"
#include "data/tf_example.h"
#include "data/tfrecord_file.h"

#include "tf_example.pb.h"

using namespace kiln::test;
using namespace kiln::data;
namespace pb = kiln::tfexample;

namespace {

/// A serialised tf.Example as TensorFlow's ImageNet script writes it (COCO's has no class
/// label but boxes and object labels).
std::string exampleBytes(const std::string &jpeg, std::optional<int64_t> label,
                         std::vector<BoundingBox> boxes = {},
                         std::vector<int64_t> objectLabels = {}) {
  pb::Example example;
  auto &features = *example.mutable_features()->mutable_feature();
  features["image/encoded"].mutable_bytes_list()->add_value(jpeg);
  features["image/format"].mutable_bytes_list()->add_value("JPEG");
  if (label)
    features["image/class/label"].mutable_int64_list()->add_value(*label);
  for (const BoundingBox &box : boxes) {
    features["image/object/bbox/xmin"].mutable_float_list()->add_value(box.xmin);
    features["image/object/bbox/ymin"].mutable_float_list()->add_value(box.ymin);
    features["image/object/bbox/xmax"].mutable_float_list()->add_value(box.xmax);
    features["image/object/bbox/ymax"].mutable_float_list()->add_value(box.ymax);
  }
  for (int64_t object : objectLabels)
    features["image/object/class/label"].mutable_int64_list()->add_value(object);
  return example.SerializeAsString();
}

/// A shard of `count` ImageNet-style records; record i has label (first + i) % 3.
std::string shard(int count, int first = 0) {
  std::string bytes;
  for (int i = 0; i < count; ++i)
    bytes += frameTfRecord(exampleBytes(gradientJpeg(40, 30, i), (first + i) % 3));
  return bytes;
}

std::string openError(const std::string &spec, DatasetOptions options = {}) {
  std::unique_ptr<Dataset> dataset;
  return takeMessage(openDataset(spec, Split::Train, sampleSpec({3, 16, 16}), options, dataset));
}

TEST(Crc32c, MatchesTheStandardCheckValuesAndTensorFlowsMask) {
  EXPECT_EQ(crc32c("123456789", 9), 0xe3069283u);
  std::string zeros(32, '\0'), ones(32, '\xff');
  EXPECT_EQ(crc32c(zeros.data(), zeros.size()), 0x8a9136aau); // RFC 3720 B.4
  EXPECT_EQ(crc32c(ones.data(), ones.size()), 0x62a8ab43u);
  EXPECT_EQ(maskedCrc32c("123456789", 9), 0xc78ab0e5u); // rotate right 15, add 0xa282ead8
}

TEST(TfRecordFile, FramesAndReadsRecordsBack) {
  std::string framed = frameTfRecord("hello");
  ASSERT_EQ(framed.size(), 8u + 4 + 5 + 4);
  EXPECT_EQ(framed.substr(0, 8), std::string("\x05\0\0\0\0\0\0\0", 8)); // little-endian u64
  EXPECT_EQ(framed.substr(12, 5), "hello");
  std::string path = scratchPath("a.tfrecord");
  writeFile(path, framed + frameTfRecord("") + frameTfRecord(std::string(70000, 'x')));
  std::unique_ptr<TfRecordFile> file;
  ASSERT_EQ(takeMessage(TfRecordFile::open(path, file)), "");
  ASSERT_EQ(file->records(), 3u);
  std::string record;
  ASSERT_EQ(takeMessage(file->read(0, record)), "");
  EXPECT_EQ(record, "hello");
  ASSERT_EQ(takeMessage(file->read(1, record)), "");
  EXPECT_EQ(record, "");
  ASSERT_EQ(takeMessage(file->read(2, record)), "");
  EXPECT_EQ(record, std::string(70000, 'x'));
}

TEST(TfRecordFile, RefusesTruncationAndCrcMismatchesNamingFileAndRecord) {
  std::string good = frameTfRecord("first") + frameTfRecord("second record");
  std::string path = scratchPath("b.tfrecord");
  std::unique_ptr<TfRecordFile> file;
  writeFile(path, good.substr(0, good.size() - 3));
  EXPECT_PRED2(contains, takeMessage(TfRecordFile::open(path, file)),
               path + ": truncated TFRecord file: record 1 (byte 21) needs 17 bytes after its "
                      "header, the file has 14");
  writeFile(path, good + "\x01\x02");
  EXPECT_PRED2(contains, takeMessage(TfRecordFile::open(path, file)),
               "record 2 (byte 50) has 2 bytes, less than a 12-byte header");
  std::string badLength = good;
  badLength[8] ^= 0x40;
  writeFile(path, badLength);
  EXPECT_PRED2(contains, takeMessage(TfRecordFile::open(path, file)),
               path + ": record 0 (byte 0): length CRC mismatch");
  std::string badData = good;
  badData[21 + 12 + 3] ^= 0x01; // a byte of "second record"
  writeFile(path, badData);
  ASSERT_EQ(takeMessage(TfRecordFile::open(path, file)), ""); // the framing is intact
  std::string record;
  EXPECT_EQ(takeMessage(file->read(0, record)), "");
  EXPECT_PRED2(contains, takeMessage(file->read(1, record)),
               path + ": record 1 (byte 21): data CRC mismatch (corrupt record)");
  EXPECT_EQ(kiln_status_code(TfRecordFile::open(scratchPath("none"), file)), KILN_STATUS_NOT_FOUND);
}

TEST(TfExample, ReadsImageLabelBoxesAndObjectLabels) {
  std::vector<BoundingBox> boxes = {{0.1f, 0.2f, 0.5f, 0.6f}, {0, 0, 1, 1}};
  ExampleImage image;
  ASSERT_EQ(takeMessage(parseExampleImage(exampleBytes("JPEGBYTES", std::nullopt, boxes, {3, 17}),
                                          "coco record 0", image)), "");
  EXPECT_EQ(image.encoded, "JPEGBYTES");
  EXPECT_FALSE(image.label.has_value());
  ASSERT_EQ(image.boxes.size(), 2u);
  EXPECT_FLOAT_EQ(image.boxes[0].ymin, 0.2f);
  EXPECT_FLOAT_EQ(image.boxes[0].xmax, 0.5f);
  EXPECT_EQ(image.objectLabels, (std::vector<int64_t>{3, 17}));
  ASSERT_EQ(takeMessage(parseExampleImage(exampleBytes("J", 412), "r", image)), "");
  EXPECT_EQ(image.label, 412);
  EXPECT_TRUE(image.boxes.empty());
}

TEST(TfExample, RefusesGarbageMissingImagesAndMismatchedBoxes) {
  ExampleImage image;
  EXPECT_PRED2(contains, takeMessage(parseExampleImage("\xff\xff\xff", "f record 2", image)),
               "f record 2: not a tf.Example protocol buffer");
  pb::Example example;
  (*example.mutable_features()->mutable_feature())["image/class/label"]
      .mutable_int64_list()->add_value(1);
  EXPECT_PRED2(contains, takeMessage(parseExampleImage(example.SerializeAsString(), "r", image)),
               "r: no image/encoded bytes");
  (*example.mutable_features()->mutable_feature())["image/encoded"]
      .mutable_float_list()->add_value(1);
  EXPECT_PRED2(contains, takeMessage(parseExampleImage(example.SerializeAsString(), "r", image)),
               "r: feature 'image/encoded' is not a bytes_list");
  std::string bytes = exampleBytes("J", 1, {{0, 0, 1, 1}});
  pb::Example boxes;
  ASSERT_TRUE(boxes.ParseFromString(bytes));
  (*boxes.mutable_features()->mutable_feature())["image/object/bbox/ymax"]
      .mutable_float_list()->add_value(0.5f);
  EXPECT_PRED2(contains, takeMessage(parseExampleImage(boxes.SerializeAsString(), "r", image)),
               "have different lengths (1, 1, 1, 2)");
}

TEST(TfRecordDataset, ReadsShardsInSortedOrderWithLabels) {
  std::string dir = freshPath("records");
  makeDir(dir);
  writeFile(dir + "/train-00001-of-00002", shard(2, 3));
  writeFile(dir + "/train-00000-of-00002", shard(3, 0));
  writeFile(dir + "/validation-00000-of-00001", shard(1));
  std::unique_ptr<Dataset> dataset;
  ASSERT_EQ(takeMessage(openDataset("tfrecord:" + dir + "/train-*", Split::Train,
                                    sampleSpec({16, 16, 3}), {}, dataset)), "");
  EXPECT_EQ(dataset->size(), 5u);
  EXPECT_PRED2(contains, dataset->describe(),
               "/train-* (5 records in 2 files, augmented to 16x16)");
  std::vector<int32_t> labels;
  std::vector<float> x(768);
  for (uint64_t i = 0; i < 5; ++i) {
    int32_t label = -1;
    ASSERT_EQ(takeMessage(dataset->load(i, i, x.data(), label)), "");
    labels.push_back(label);
  }
  EXPECT_EQ(labels, (std::vector<int32_t>{0, 1, 2, 0, 1}));
  // TensorFlow's ImageNet labels count from 1: --label-offset 1 maps 1..3 to 0..2.
  writeFile(dir + "/validation-00000-of-00001",
            frameTfRecord(exampleBytes(gradientJpeg(40, 30), 3)));
  DatasetOptions options;
  options.labelOffset = 1;
  ASSERT_EQ(takeMessage(openDataset("tfrecord:" + dir + "/validation-*", Split::Eval,
                                    sampleSpec({3, 16, 16}), options, dataset)), "");
  int32_t label = -1;
  ASSERT_EQ(takeMessage(dataset->load(0, 0, x.data(), label)), "");
  EXPECT_EQ(label, 2);
}

TEST(TfRecordDataset, BadShardsAndRecordsAreErrorsNamingTheFile) {
  std::string dir = freshPath("records");
  makeDir(dir);
  EXPECT_PRED2(contains, openError("tfrecord:" + dir + "/train-*"),
               dir + "/train-*: no file matches");
  std::string good = shard(2);
  writeFile(dir + "/train-0", good.substr(0, good.size() - 100));
  EXPECT_PRED2(contains, openError("tfrecord:" + dir + "/train-*"),
               dir + "/train-0: truncated TFRecord file: record 1");
  writeFile(dir + "/train-0", "");
  EXPECT_PRED2(contains, openError("tfrecord:" + dir + "/train-*"), "hold no records");

  writeFile(dir + "/train-0",
            frameTfRecord(exampleBytes(gradientJpeg(40, 30), 7)) +
                frameTfRecord(exampleBytes(gradientJpeg(40, 30), std::nullopt, {{0, 0, 1, 1}}, {5})) +
                frameTfRecord(exampleBytes("not a jpeg", 1)));
  std::unique_ptr<Dataset> dataset;
  ASSERT_EQ(takeMessage(openDataset("tfrecord:" + dir + "/train-0", Split::Train,
                                    sampleSpec({3, 16, 16}), {}, dataset)), "");
  std::vector<float> x(768);
  int32_t label = -1;
  EXPECT_PRED2(contains, takeMessage(dataset->load(0, 0, x.data(), label)),
               dir + "/train-0 record 0: image/class/label 7 is not in [0, 3) (--label-offset 1");
  EXPECT_PRED2(contains, takeMessage(dataset->load(1, 0, x.data(), label)),
               dir + "/train-0 record 1: no image/class/label (a detection record?");
  EXPECT_PRED2(contains, takeMessage(dataset->load(2, 0, x.data(), label)),
               dir + "/train-0 record 2: not a JPEG file");
}

TEST(TrainOnTfRecords, TrainsAndEvaluatesFromShards) {
  std::string dir = freshPath("records");
  makeDir(dir);
  std::string records;
  for (int i = 0; i < 10; ++i)
    records += frameTfRecord(exampleBytes(gradientJpeg(64, 48, i), i % 3));
  writeFile(dir + "/train-00000-of-00001", records);
  writeFile(dir + "/validation-00000-of-00001", shard(5));
  kiln::train::TrainOptions options =
      trainOptions(KILN_FIXTURE_TRAIN_RGB, "tfrecord:" + dir + "/train-*");
  options.evalDataSpec = "tfrecord:" + dir + "/validation-*";
  TrainResult result = runTrainingCaptured(options);
  ASSERT_EQ(result.error, "");
  EXPECT_PRED2(contains, result.output, "(10 records in 1 file, augmented to 32x32)");
  EXPECT_PRED2(contains, result.output, "(5 images)");
  EXPECT_PRED2(contains, result.output, "(2 steps, 8 images in ");
}

} // namespace
