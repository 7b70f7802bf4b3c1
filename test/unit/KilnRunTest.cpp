//===- KilnRunTest.cpp - kiln-run's command line, exit codes and files ----===//
//
// Runs the built kiln-run (KILN_RUN_PATH) on the fixture artifacts. Scripts rely on this
// interface: inputs map in order to the buffers with role input, outputs are written as
// DIR/output_<i>.pb in the order of the buffers with role output, exit code 0 / 1 (runtime
// error) / 2 (usage error).
//
//===----------------------------------------------------------------------===//
#include "KilnRunUtil.h"

#include <vector>

using namespace kiln::test;

namespace {

/// Writes a float32 tensor file.
std::string writeFloats(const std::string &name, std::vector<int64_t> shape,
                        std::vector<float> values) {
  std::string path = scratchPath(name);
  kiln_status_t status = kiln_tensor_file_write(path.c_str(), name.c_str(), KILN_DTYPE_F32,
                                                static_cast<uint32_t>(shape.size()),
                                                shape.data(), values.data());
  EXPECT_EQ(takeMessage(status), "");
  return path;
}

std::vector<double> valuesOf(const kiln_tensor_t *tensor) {
  std::vector<double> values;
  for (uint64_t i = 0; i < kiln_tensor_element_count(tensor); ++i)
    values.push_back(kiln_element_load(kiln_tensor_dtype(tensor), kiln_tensor_data(tensor), i));
  return values;
}

TEST(KilnRun, HelpExplainsCommandsAndExitsZero) {
  RunResult result = kilnRun({"--help"});
  EXPECT_EXIT_CODE(result, 0);
  EXPECT_PRED2(contains, result.output, "usage: kiln-run <command> [options]");
  EXPECT_PRED2(contains, result.output, "info ARTIFACT.kx");
  EXPECT_PRED2(contains, result.output, "infer ARTIFACT.kx");
  for (const char *flag : {"--input", "--output-dir", "--repeat", "--warmup", "--print"})
    EXPECT_PRED2(contains, result.output, flag);
  result = kilnRun({"infer", "--help"});
  EXPECT_EXIT_CODE(result, 0);
  EXPECT_PRED2(contains, result.output, "usage: kiln-run infer");
  result = kilnRun({"help", "info"});
  EXPECT_EXIT_CODE(result, 0);
  EXPECT_PRED2(contains, result.output, "usage: kiln-run info");
}

TEST(KilnRun, UsageErrorsExitTwoWithAHint) {
  struct Case {
    std::vector<std::string> args;
    const char *expected;
  };
  const Case cases[] = {
      {{}, "error: missing command"},
      {{"frobnicate"}, "error: unknown command 'frobnicate'"},
      {{"infer"}, "error: infer needs an artifact"},
      {{"infer", KILN_FIXTURE_GOOD, "--bogus"}, "error: unknown option '--bogus' for infer"},
      {{"infer", KILN_FIXTURE_GOOD, "--input"}, "error: --input needs a file"},
      {{"infer", KILN_FIXTURE_GOOD, "--input", "--print"}, "error: --input needs a file"},
      {{"infer", KILN_FIXTURE_GOOD, "--output-dir"}, "error: --output-dir needs a directory"},
      {{"infer", KILN_FIXTURE_GOOD, "--repeat", "0"}, "error: --repeat needs a positive count"},
      {{"infer", KILN_FIXTURE_GOOD, "--repeat", "3x"}, "error: --repeat needs a positive count"},
      {{"infer", KILN_FIXTURE_GOOD, "--warmup", "-1"}, "error: --warmup needs a count of 0 or more"},
      {{"infer", KILN_FIXTURE_GOOD, "--warmup", "two"}, "error: --warmup needs a count of 0 or more"},
      {{"infer", KILN_FIXTURE_GOOD, "--print=yes"}, "error: --print takes no value"},
      {{"infer", KILN_FIXTURE_GOOD, "extra.kx"}, "error: unexpected argument 'extra.kx'"},
      {{"info"}, "error: info needs an artifact"},
      {{"info", KILN_FIXTURE_GOOD, KILN_FIXTURE_MIXED}, "error: info takes exactly one artifact"},
      {{"info", "--verbose", KILN_FIXTURE_GOOD}, "error: unknown option '--verbose' for info"},
  };
  for (const Case &c : cases) {
    RunResult result = kilnRun(c.args);
    SCOPED_TRACE(result.output);
    EXPECT_EQ(result.exitCode, 2);
    EXPECT_PRED2(contains, result.output, c.expected);
    EXPECT_PRED2(contains, result.output, "--help` for usage");
  }
}

TEST(KilnRun, WrongNumberOfInputsIsAUsageErrorListingThem) {
  std::string image = writeFloats("image.pb", {2, 3}, {1, 2, 3, 4, 5, 6});
  RunResult result = kilnRun({"infer", KILN_FIXTURE_MIXED, "--input", image});
  EXPECT_EXIT_CODE(result, 2);
  EXPECT_PRED2(contains, result.output, "takes 2 input(s) (image, scale), got 1");
}

TEST(KilnRun, InfoPrintsTheDescriptor) {
  RunResult result = kilnRun({"info", KILN_FIXTURE_MIXED});
  EXPECT_EXIT_CODE(result, 0);
  for (const char *expected :
       {"producer: kiln unit-test fixture", "source:   mixed_artifact.c",
        "options:  fixture=mixed;batch=2", "batch:    2", "buffers (7, 80 bytes):",
        "forward(image, scale, shift, temperature, logits, label)", "reset(logits, label)"})
    EXPECT_PRED2(contains, result.output, expected);
  for (const char *row : {"input", "float16", "[2, 3]", "scalar_input", "bfloat16", "int64"})
    EXPECT_PRED2(contains, result.output, row);
}

TEST(KilnRun, RuntimeErrorsExitOneNamingTheFile) {
  RunResult result = kilnRun({"info", scratchPath("missing.kx")});
  EXPECT_EXIT_CODE(result, 1);
  EXPECT_PRED2(contains, result.output, "missing.kx: no such artifact file");
  result = kilnRun({"infer", KILN_FIXTURE_BAD_MAGIC});
  EXPECT_EXIT_CODE(result, 1);
  EXPECT_PRED2(contains, result.output, "bad descriptor magic");
  result = kilnRun({"infer", KILN_FIXTURE_NO_FORWARD});
  EXPECT_EXIT_CODE(result, 1);
  EXPECT_PRED2(contains, result.output, "no entry point 'forward' (it has: fwd_bwd)");
}

TEST(KilnRun, InferWritesOutputsInDescriptorOrder) {
  std::string x = writeFloats("x.pb", {4}, {1, 2, 3, 4});
  std::string outDir = scratchPath("out/nested");
  RunResult result = kilnRun({"infer", KILN_FIXTURE_GOOD, "--input", x, "--output-dir", outDir});
  EXPECT_EXIT_CODE(result, 0);
  EXPECT_PRED2(contains, result.output, "forward: ");
  EXPECT_PRED2(contains, result.output, " ms");
  TensorPtr y = readTensorOrFail(outDir + "/output_0.pb");
  ASSERT_TRUE(y);
  EXPECT_STREQ(kiln_tensor_name(y.get()), "y");
  EXPECT_EQ(valuesOf(y.get()), (std::vector<double>{1.5, 3.5, 5.5, 7.5}));
}

TEST(KilnRun, InferMapsInputsInOrderAndPrintsArgmax) {
  std::string image = writeFloats("image.pb", {2, 3}, {1, 2, 3, 4, -5, 6});
  std::string scalePath = scratchPath("scale.pb");
  const int64_t shape[] = {3};
  uint16_t scale[3];
  for (int c = 0; c < 3; ++c)
    kiln_element_store(KILN_DTYPE_F16, scale, c, 3.0 - c); // 3, 2, 1
  ASSERT_EQ(takeMessage(kiln_tensor_file_write(scalePath.c_str(), "scale", KILN_DTYPE_F16, 1,
                                               shape, scale)),
            "");
  std::string outDir = scratchPath("out");
  RunResult result = kilnRun({"infer", KILN_FIXTURE_MIXED, "--input=" + image, "--input",
                              scalePath, "--output-dir=" + outDir, "--print"});
  EXPECT_EXIT_CODE(result, 0);
  // (image * {3, 2, 1} + {0.5, -1, 2}) / 2 = [[1.75, 1.5, 2.5], [6.25, -5.5, 4]]
  EXPECT_PRED2(contains, result.output, "logits float32 [2, 3]: 1.75 1.5 2.5 6.25 -5.5 4");
  EXPECT_PRED2(contains, result.output, "argmax per row: 2 0");
  EXPECT_PRED2(contains, result.output, "label int64 [2]: 2 0");
  TensorPtr logits = readTensorOrFail(outDir + "/output_0.pb");
  TensorPtr label = readTensorOrFail(outDir + "/output_1.pb");
  ASSERT_TRUE(logits && label);
  EXPECT_EQ(valuesOf(logits.get()), (std::vector<double>{1.75, 1.5, 2.5, 6.25, -5.5, 4}));
  EXPECT_EQ(kiln_tensor_dtype(label.get()), KILN_DTYPE_I64);
  EXPECT_EQ(valuesOf(label.get()), (std::vector<double>{2, 0}));
}

TEST(KilnRun, InferWithoutInputsUsesDeterministicPseudoRandomData) {
  std::string first = scratchPath("first"), second = scratchPath("second");
  RunResult result = kilnRun({"infer", KILN_FIXTURE_MIXED, "--output-dir", first});
  EXPECT_EXIT_CODE(result, 0);
  EXPECT_PRED2(contains, result.output, "no --input given");
  EXPECT_PRED2(contains, result.output, "pseudo-random");
  EXPECT_EXIT_CODE(kilnRun({"infer", KILN_FIXTURE_MIXED, "--output-dir", second}), 0);
  for (const char *file : {"/output_0.pb", "/output_1.pb"}) {
    std::string a = readFile(first + file);
    EXPECT_FALSE(a.empty());
    EXPECT_EQ(a, readFile(second + file)) << file;
  }
}

TEST(KilnRun, RepeatReportsMedianAndMinimum) {
  RunResult result = kilnRun({"infer", KILN_FIXTURE_GOOD, "--repeat", "5"});
  EXPECT_EXIT_CODE(result, 0);
  EXPECT_PRED2(contains, result.output, "forward: median ");
  EXPECT_PRED2(contains, result.output, " over 5 runs");
}

TEST(KilnRun, WarmupRunsAreNotTimed) {
  RunResult result = kilnRun({"infer", KILN_FIXTURE_GOOD, "--warmup", "3", "--repeat", "2"});
  EXPECT_EXIT_CODE(result, 0);
  EXPECT_PRED2(contains, result.output, " over 2 runs");
}

TEST(KilnRun, BadInputFilesExitOneNamingFileBufferAndShapes) {
  std::string wrongShape = writeFloats("wrong.pb", {2, 2}, {1, 2, 3, 4});
  RunResult result = kilnRun({"infer", KILN_FIXTURE_GOOD, "--input", wrongShape});
  EXPECT_EXIT_CODE(result, 1);
  EXPECT_PRED2(contains, result.output,
               "wrong.pb -> buffer 'x': shape [2, 2] does not match the buffer's shape [4]");

  std::string good = readFile(writeFloats("x.pb", {4}, {1, 2, 3, 4}));
  std::string cut = scratchPath("cut.pb");
  writeFile(cut, good.substr(0, good.size() - 3));
  result = kilnRun({"infer", KILN_FIXTURE_GOOD, "--input", cut});
  EXPECT_EXIT_CODE(result, 1);
  EXPECT_PRED2(contains, result.output, "cut.pb");

  result = kilnRun({"infer", KILN_FIXTURE_GOOD, "--input", scratchPath("missing.pb")});
  EXPECT_EXIT_CODE(result, 1);
  EXPECT_PRED2(contains, result.output, "missing.pb: cannot open tensor file");
}

TEST(KilnRun, OutputDirectoryThatIsAFileExitsOne) {
  std::string file = scratchPath("file");
  writeFile(file, "x");
  RunResult result = kilnRun({"infer", KILN_FIXTURE_GOOD, "--output-dir", file});
  EXPECT_EXIT_CODE(result, 1);
  EXPECT_PRED2(contains, result.output, "error: cannot create output directory");
}

} // namespace
