//===- DataTest.cpp - IDX files, the IDX and synthetic datasets -----------===//
#include "TrainTestUtil.h"

#include "data/dataset.h"
#include "data/idx_file.h"

using namespace kiln::test;
using namespace kiln::data;

namespace {

std::string readIdxError(const std::string &path) {
  IdxArray array;
  return takeMessage(readIdxFile(path, array));
}

TEST(IdxFile, ReadsRawAndGzippedAlike) {
  std::vector<uint8_t> data = {0, 1, 2, 250, 251, 252};
  std::string bytes = idxBytes({3, 1, 2}, data);
  std::string raw = scratchPath("a-idx3-ubyte"), gz = scratchPath("a-idx3-ubyte.gz");
  writeFile(raw, bytes);
  writeGzip(gz, bytes);
  EXPECT_NE(readFile(gz), bytes); // really compressed
  for (const std::string &path : {raw, gz}) {
    IdxArray array;
    ASSERT_EQ(takeMessage(readIdxFile(path, array)), "") << path;
    EXPECT_EQ(array.dims, (std::vector<uint32_t>{3, 1, 2}));
    EXPECT_EQ(array.bytes, data);
  }
}

TEST(IdxFile, RefusesBadMagicNamingTheFile) {
  std::string path = scratchPath("bad");
  writeFile(path, std::string("\x01\x02\x08\x01\x00\x00\x00\x01\x05", 9));
  std::string error = readIdxError(path);
  EXPECT_PRED2(contains, error, path + ": not an IDX file (bad magic");
  writeFile(path, std::string("\x00\x00\x0d\x01\x00\x00\x00\x01\x05", 9));
  EXPECT_PRED2(contains, readIdxError(path), "IDX element type 0x0d is not supported");
}

TEST(IdxFile, RefusesTruncatedHeaderAndData) {
  std::string bytes = idxBytes({2, 4, 4}, std::vector<uint8_t>(32, 7));
  std::string path = scratchPath("cut");
  writeFile(path, bytes.substr(0, 9));
  EXPECT_PRED2(contains, readIdxError(path), path + ": truncated IDX header");
  writeFile(path, bytes.substr(0, bytes.size() - 1));
  EXPECT_PRED2(contains, readIdxError(path), "IDX data holds 31 bytes, but its dimensions need 32");
  // A gzip stream cut short is an error too, not a silently shorter file.
  std::string gz = scratchPath("cut.gz");
  writeGzip(gz, idxBytes({64, 4, 4}, std::vector<uint8_t>(1024, 3)));
  std::string compressed = readFile(gz);
  writeFile(gz, compressed.substr(0, compressed.size() / 2));
  EXPECT_PRED2(contains, readIdxError(gz), gz + ": ");
}

TEST(IdxFile, MissingFileIsNotFound) {
  IdxArray array;
  kiln_status_t status = readIdxFile(scratchPath("missing"), array);
  EXPECT_EQ(kiln_status_code(status), KILN_STATUS_NOT_FOUND);
  EXPECT_PRED2(contains, takeMessage(status), "missing: cannot open IDX file");
}

TEST(IdxDataset, ScalesPixelsToUnitRangeAndKeepsLabels) {
  std::string dir = scratchDir();
  writeIdxDir(dir, 8, 5, /*gzip=*/true);
  ToyData expected = toyData(8, 4, 4, 3, 0);
  std::unique_ptr<Dataset> dataset;
  ASSERT_EQ(takeMessage(openDataset("idx:" + dir, Split::Train, sampleSpec(), {}, dataset)), "");
  ASSERT_EQ(dataset->size(), 8u);
  EXPECT_PRED2(contains, dataset->describe(), "train-images-idx3-ubyte.gz (8 images, 4x4)");
  float sample[16];
  int32_t label = -1;
  ASSERT_EQ(takeMessage(dataset->load(5, 0, sample, label)), "");
  EXPECT_EQ(label, expected.labels[5]);
  for (int i = 0; i < 16; ++i)
    EXPECT_FLOAT_EQ(sample[i], expected.images[5 * 16 + i] / 255.0f);
  ASSERT_EQ(takeMessage(openDataset("idx:" + dir, Split::Eval, sampleSpec({4, 4}), {}, dataset)),
            "");
  EXPECT_EQ(dataset->size(), 5u); // the t10k files
}

TEST(IdxDataset, RefusesImagesOfAnotherShape) {
  std::string dir = scratchDir();
  writeIdxDir(dir, 4, 0, false, 5, 5);
  std::unique_ptr<Dataset> dataset;
  std::string error = takeMessage(openDataset("idx:" + dir, Split::Train, sampleSpec(), {}, dataset));
  EXPECT_PRED2(contains, error, "holds 5x5 images, but the artifact's input 'x' takes samples "
                                "of shape [1, 4, 4]");
}

TEST(IdxDataset, RefusesMissingFilesCountMismatchAndLabelsOutOfRange) {
  std::string dir = emptyDir(scratchPath("data"));
  std::unique_ptr<Dataset> dataset;
  std::string error = takeMessage(openDataset("idx:" + dir, Split::Train, sampleSpec(), {}, dataset));
  EXPECT_PRED2(contains, error, "no train-images-idx3-ubyte or train-images-idx3-ubyte.gz");

  writeIdxDir(dir, 6, 0);
  writeFile(dir + "/train-labels-idx1-ubyte", idxBytes({5}, {0, 1, 2, 0, 1}));
  error = takeMessage(openDataset("idx:" + dir, Split::Train, sampleSpec(), {}, dataset));
  EXPECT_PRED2(contains, error, "holds 6 images but");
  EXPECT_PRED2(contains, error, "holds 5 labels");

  writeFile(dir + "/train-labels-idx1-ubyte", idxBytes({6}, {0, 1, 2, 0, 9, 1}));
  error = takeMessage(openDataset("idx:" + dir, Split::Train, sampleSpec(), {}, dataset));
  EXPECT_PRED2(contains, error, "label 9 of item 4 is not below the model's 3 classes");
}

TEST(OpenDataset, RefusesUnknownSpecs) {
  std::unique_ptr<Dataset> dataset;
  EXPECT_PRED2(contains, takeMessage(openDataset("png:/x", Split::Train, sampleSpec(), {}, dataset)),
               "unknown data spec 'png:/x' (known: idx:DIR, ");
  EXPECT_PRED2(contains, takeMessage(openDataset("idx:", Split::Train, sampleSpec(), {}, dataset)),
               "needs a directory");
}

TEST(SyntheticDataset, IsFixedAndLabelledWithinTheClasses) {
  DatasetOptions options;
  options.syntheticSamples = 50;
  std::unique_ptr<Dataset> a, b;
  ASSERT_EQ(takeMessage(openDataset("synthetic", Split::Train, sampleSpec({2, 3}, 7), options, a)), "");
  ASSERT_EQ(takeMessage(openDataset("synthetic", Split::Eval, sampleSpec({2, 3}, 7), options, b)), "");
  EXPECT_EQ(a->size(), 50u);
  std::vector<int> seen(7);
  for (uint64_t i = 0; i < 50; ++i) {
    float x[6], y[6];
    int32_t label = -1, other = -1;
    ASSERT_EQ(takeMessage(a->load(i, 0, x, label)), "");
    ASSERT_EQ(takeMessage(b->load(i, 0, y, other)), "");
    EXPECT_EQ(label, other);
    ASSERT_GE(label, 0);
    ASSERT_LT(label, 7);
    ++seen[label];
    for (int k = 0; k < 6; ++k) {
      EXPECT_EQ(x[k], y[k]);
      EXPECT_GE(x[k], 0.0f);
      EXPECT_LT(x[k], 1.0f);
    }
  }
  EXPECT_EQ(std::count(seen.begin(), seen.end(), 0), 0); // 50 draws cover 7 classes
}

} // namespace
