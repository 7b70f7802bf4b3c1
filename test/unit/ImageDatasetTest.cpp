//===- ImageDatasetTest.cpp - CIFAR binaries, JPEG folders, training on them ===//
#include "ImageTestUtil.h"
#include "TrainTestUtil.h"

#include "data/dataset.h"

using namespace kiln::test;
using namespace kiln::data;

namespace {

SampleSpec imageSpec(std::vector<int64_t> shape = {3, 32, 32}, int64_t classes = 3) {
  return sampleSpec(std::move(shape), classes);
}

std::string openError(const std::string &spec, Split split = Split::Train,
                      SampleSpec sample = imageSpec()) {
  std::unique_ptr<Dataset> dataset;
  return takeMessage(openDataset(spec, split, sample, {}, dataset));
}

void writeCifar10(const std::string &dir, int perBatch, int test) {
  makeDir(dir);
  for (int b = 1; b <= 5; ++b)
    writeFile(dir + "/data_batch_" + std::to_string(b) + ".bin", cifarRecords(perBatch, 1, 10));
  writeFile(dir + "/test_batch.bin", cifarRecords(test, 1, 10));
}

TEST(CifarDataset, ReadsCifar10PlanesIntoChwOrHwc) {
  std::string dir = freshPath("cifar");
  writeCifar10(dir, 4, 3);
  std::unique_ptr<Dataset> chw, hwc;
  DatasetOptions options;
  ASSERT_EQ(takeMessage(openDataset("cifar10:" + dir, Split::Train, imageSpec({3, 32, 32}, 10),
                                    options, chw)), "");
  ASSERT_EQ(takeMessage(openDataset("cifar10:" + dir, Split::Train, imageSpec({32, 32, 3}, 10),
                                    options, hwc)), "");
  EXPECT_EQ(chw->size(), 20u);
  EXPECT_PRED2(contains, chw->describe(), "data_batch_{1..5}.bin (20 images, 32x32 RGB)");
  std::vector<float> a(3072), b(3072);
  int32_t label = -1;
  // Sample 6 is record 2 of data_batch_2.bin.
  ASSERT_EQ(takeMessage(chw->load(6, 0, a.data(), label)), "");
  EXPECT_EQ(label, 2);
  ASSERT_EQ(takeMessage(hwc->load(6, 0, b.data(), label)), "");
  for (int c = 0; c < 3; ++c)
    for (int p = 0; p < 1024; p += 97) {
      float expected = ((2 + 3 * c + p) % 256) / 255.0f;
      EXPECT_FLOAT_EQ(a[c * 1024 + p], expected);
      EXPECT_FLOAT_EQ(b[p * 3 + c], expected);
    }
  std::unique_ptr<Dataset> test;
  ASSERT_EQ(takeMessage(openDataset("cifar10:" + dir, Split::Eval, imageSpec({3, 32, 32}, 10),
                                    options, test)), "");
  EXPECT_EQ(test->size(), 3u);
}

TEST(CifarDataset, Cifar100UsesTheFineLabelAndChannelStatistics) {
  std::string parent = freshPath("c100"), dir = parent + "/cifar-100-binary";
  makeDir(parent);
  makeDir(dir);
  writeFile(dir + "/train.bin", cifarRecords(30, 2, 100));
  DatasetOptions options;
  options.channelMean = {0.5f, 0.25f, 0};
  options.channelStd = {0.5f, 0.25f, 2};
  std::unique_ptr<Dataset> dataset;
  // The parent of the archive's folder is accepted too.
  ASSERT_EQ(takeMessage(openDataset("cifar100:" + parent, Split::Train,
                                    imageSpec({3, 32, 32}, 100), options, dataset)), "");
  std::vector<float> x(3072);
  int32_t label = -1;
  ASSERT_EQ(takeMessage(dataset->load(25, 0, x.data(), label)), "");
  EXPECT_EQ(label, 25); // the coarse label is 25 % 20 = 5
  for (int c = 0; c < 3; ++c) {
    float pixel = ((25 + 3 * c + 10) % 256) / 255.0f;
    EXPECT_NEAR(x[c * 1024 + 10], (pixel - options.channelMean[c]) / options.channelStd[c], 1e-5);
  }
}

TEST(CifarDataset, RefusesMissingTruncatedMislabelledAndMisshapen) {
  std::string dir = freshPath("cifar");
  EXPECT_PRED2(contains, openError("cifar10:" + dir, Split::Train, imageSpec({3, 32, 32}, 10)),
               dir + "/data_batch_1.bin: no such file (a CIFAR-10 directory holds the binary "
                     "version's data_batch_1.bin ... data_batch_5.bin)");
  writeCifar10(dir, 2, 2);
  std::string records = cifarRecords(2, 1, 10);
  writeFile(dir + "/data_batch_3.bin", records.substr(0, records.size() - 5));
  EXPECT_PRED2(contains, openError("cifar10:" + dir, Split::Train, imageSpec({3, 32, 32}, 10)),
               dir + "/data_batch_3.bin: 6141 bytes are not a whole number of 3073-byte "
                     "CIFAR-10 records");
  writeCifar10(dir, 5, 2);
  EXPECT_PRED2(contains, openError("cifar10:" + dir, Split::Train, imageSpec({3, 32, 32}, 3)),
               "data_batch_1.bin: label 3 of record 3 is not below the model's 3 classes");
  EXPECT_PRED2(contains, openError("cifar10:" + dir, Split::Train, imageSpec({1, 28, 28}, 10)),
               "the artifact's input 'x' takes samples of shape [1, 28, 28] (B x 3 x 32 x 32");
}

TEST(JpegFolderDataset, NumbersSortedClassFoldersAndListsTheirJpegs) {
  std::string dir = freshPath("imagenet");
  writeJpegSplit(dir, "train", {"n02", "n01", "n03"}, {2, 3, 1});
  writeFile(dir + "/train/n01/notes.txt", "not an image");
  writeFile(dir + "/train/n01/._0.JPEG", "macOS resource fork, not an image");
  makeDir(dir + "/train/.ipynb_checkpoints");
  writeFile(dir + "/train/n03/extra.jpg", gradientJpeg(40, 40));
  std::unique_ptr<Dataset> dataset;
  ASSERT_EQ(takeMessage(openDataset("jpeg:" + dir, Split::Train, imageSpec(), {}, dataset)), "");
  EXPECT_EQ(dataset->size(), 7u);
  EXPECT_PRED2(contains, dataset->describe(),
               dir + "/train (7 JPEG images in 3 classes, augmented to 32x32)");
  std::vector<int32_t> labels;
  std::vector<float> x(3072);
  for (uint64_t i = 0; i < dataset->size(); ++i) {
    int32_t label = -1;
    ASSERT_EQ(takeMessage(dataset->load(i, 99, x.data(), label)), "");
    labels.push_back(label);
    for (float value : x)
      ASSERT_TRUE(value >= 0 && value <= 1) << value;
  }
  EXPECT_EQ(labels, (std::vector<int32_t>{0, 0, 0, 1, 1, 2, 2})); // n01 x3, n02 x2, n03 x2
}

TEST(JpegFolderDataset, EvaluationUsesTrainsNumberingOrTheLabelsFile) {
  std::string dir = freshPath("imagenet");
  writeJpegSplit(dir, "train", {"a", "b", "c"}, {1, 1, 1});
  writeJpegSplit(dir, "val", {"c"}, {2});
  std::unique_ptr<Dataset> dataset;
  ASSERT_EQ(takeMessage(openDataset("jpeg:" + dir, Split::Eval, imageSpec(), {}, dataset)), "");
  EXPECT_PRED2(contains, dataset->describe(), "centre-cropped to 32x32");
  std::vector<float> x(3072), y(3072);
  int32_t label = -1;
  ASSERT_EQ(takeMessage(dataset->load(1, 5, x.data(), label)), "");
  EXPECT_EQ(label, 2); // "c" is class 2 of train's sorted folders
  ASSERT_EQ(takeMessage(dataset->load(1, 6, y.data(), label)), "");
  EXPECT_EQ(x, y); // no randomness in evaluation
  writeFile(dir + "/labels.txt", "c cat\n\nb bird\na ant\n");
  ASSERT_EQ(takeMessage(openDataset("jpeg:" + dir, Split::Eval, imageSpec(), {}, dataset)), "");
  ASSERT_EQ(takeMessage(dataset->load(0, 0, x.data(), label)), "");
  EXPECT_EQ(label, 0); // labels.txt lists c first
}

TEST(JpegFolderDataset, RefusesMissingFoldersEmptyClassesAndUnknownClasses) {
  std::string dir = freshPath("imagenet");
  EXPECT_PRED2(contains, openError("jpeg:" + dir), dir + ": no such folder (a jpeg: directory "
                                                         "holds train/<class>/*.JPEG");
  makeDir(dir);
  EXPECT_PRED2(contains, openError("jpeg:" + dir), dir + "/train: cannot list the folder");
  writeJpegSplit(dir, "train", {"a", "b"}, {1, 0});
  EXPECT_PRED2(contains, openError("jpeg:" + dir),
               dir + "/train/b: empty class: no .JPEG, .jpeg or .jpg files");
  writeJpegSplit(dir, "train", {"a", "b"}, {1, 1});
  writeFile(dir + "/labels.txt", "a\n");
  EXPECT_PRED2(contains, openError("jpeg:" + dir),
               dir + "/train/b: class folder 'b' is not one of the 1 classes of " + dir +
                   "/labels.txt");
  writeFile(dir + "/labels.txt", "a\nb\na\n");
  EXPECT_PRED2(contains, openError("jpeg:" + dir), "labels.txt:3: class 'a' listed twice");
  writeFile(dir + "/labels.txt", "a\nb\nc\nd\n");
  EXPECT_PRED2(contains, openError("jpeg:" + dir), "names 4 classes, more than the model's 3");
  std::remove((dir + "/labels.txt").c_str());
  EXPECT_PRED2(contains, openError("jpeg:" + dir, Split::Train, imageSpec({1, 4, 4})),
               "holds RGB images, but the artifact's input 'x' takes samples of shape [1, 4, 4]");
}

TEST(JpegFolderDataset, ACorruptFileFailsToLoadNamingIt) {
  std::string dir = freshPath("imagenet");
  writeJpegSplit(dir, "train", {"a"}, {2});
  std::string jpeg = gradientJpeg(48, 40);
  writeFile(dir + "/train/a/1.JPEG", jpeg.substr(0, jpeg.size() / 3));
  std::unique_ptr<Dataset> dataset;
  ASSERT_EQ(takeMessage(openDataset("jpeg:" + dir, Split::Train, imageSpec(), {}, dataset)), "");
  std::vector<float> x(3072);
  int32_t label = -1;
  EXPECT_EQ(takeMessage(dataset->load(0, 0, x.data(), label)), "");
  EXPECT_PRED2(contains, takeMessage(dataset->load(1, 0, x.data(), label)),
               dir + "/train/a/1.JPEG: not a JPEG file or a corrupt JPEG header");
  EXPECT_EQ(takeMessage(dataset->load(0, 0, x.data(), label)), ""); // and the next is fine
}

TEST(OpenDataset, ListsEveryKnownSpecForAnUnknownOne) {
  EXPECT_PRED2(contains, openError("png:/x"),
               "unknown data spec 'png:/x' (known: idx:DIR, cifar10:DIR, cifar100:DIR, "
               "jpeg:DIR, tfrecord:GLOB, synthetic)");
  EXPECT_PRED2(contains, openError("jpeg:"), "data spec 'jpeg:' needs a directory (jpeg:DIR)");
}

TEST(TrainOnImages, TrainsOnCifarAndOnJpegFoldersSkippingACorruptJpeg) {
  std::string cifar = freshPath("cifar");
  makeDir(cifar);
  for (int b = 1; b <= 5; ++b)
    writeFile(cifar + "/data_batch_" + std::to_string(b) + ".bin", cifarRecords(4, 1, 3));
  writeFile(cifar + "/test_batch.bin", cifarRecords(6, 1, 3));
  kiln::train::TrainOptions options = trainOptions(KILN_FIXTURE_TRAIN_RGB, "cifar10:" + cifar);
  TrainResult result = runTrainingCaptured(options);
  ASSERT_EQ(result.error, "");
  EXPECT_PRED2(contains, result.output, "(20 images, 32x32 RGB)");
  EXPECT_PRED2(contains, result.output, "(6 images)");

  std::string dir = freshPath("imagenet");
  writeJpegSplit(dir, "train", {"a", "b", "c"}, {3, 3, 3}, 64, 48);
  writeJpegSplit(dir, "val", {"a", "b"}, {2, 2}, 64, 48);
  writeFile(dir + "/train/b/1.JPEG", "corrupt");
  writeFile(dir + "/val/a/0.JPEG", "corrupt too");
  options = trainOptions(KILN_FIXTURE_TRAIN_RGB, "jpeg:" + dir);
  options.epochs = 2;
  options.shuffle = false; // so the corrupt training image (position 4) is in both epochs
  options.dataThreads = 3;
  options.channelMean = {0.5f, 0.5f, 0.5f};
  options.channelStd = {0.25f, 0.25f, 0.25f};
  result = runTrainingCaptured(options);
  ASSERT_EQ(result.error, "");
  EXPECT_PRED2(contains, result.output, "(9 JPEG images in 3 classes, augmented to 32x32)");
  EXPECT_PRED2(contains, result.output, "(3 images)"); // one of 4 validation images skipped
  EXPECT_PRED2(contains, result.output, "(4 steps, 16 images in ");
  // Twice in training (once per epoch) and twice in evaluation.
  EXPECT_PRED2(contains, result.output, "4 samples failed to load and were skipped");
}

} // namespace

namespace {

TEST(TrainOnImages, TheTrainedWeightsDoNotDependOnTheNumberOfDataThreads) {
  std::string dir = freshPath("imagenet");
  writeJpegSplit(dir, "train", {"a", "b", "c"}, {6, 5, 6}, 72, 56);
  std::vector<std::vector<float>> weights;
  // Seed 5 with 1 and 3 threads, then seed 6 (other crops and order), which must differ.
  for (uint32_t threads : {1u, 3u, 2u}) {
    kiln::train::TrainOptions options = trainOptions(KILN_FIXTURE_TRAIN_RGB, "jpeg:" + dir);
    options.epochs = 2;
    options.seed = threads == 2 ? 6 : 5;
    options.evaluate = false;
    options.dataThreads = threads;
    options.prefetch = 3;
    options.checkpointPath = scratchPath("run" + std::to_string(threads) + ".ckpt");
    ASSERT_EQ(runTrainingCaptured(options).error, "");
    weights.push_back(checkpointValues(KILN_FIXTURE_TRAIN_RGB, options.checkpointPath, "fc.weight"));
  }
  ASSERT_EQ(weights[0].size(), 3u * 3 * 32 * 32);
  EXPECT_EQ(weights[0], weights[1]);
  EXPECT_NE(weights[0], weights[2]);
}

} // namespace
