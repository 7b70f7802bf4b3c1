//===- KilnRunTrainTest.cpp - `kiln-run train`: interface and exit codes --===//
//
// Scripts rely on: `kiln-run train m.kx --data idx:DIR --lr 0.05 --steps 4 --no-shuffle
// --export trained.onnx`, the `eval epoch E: ... top1 P% ...` and `train: N images/s` lines,
// and exit codes 0 / 1 (runtime error) / 2 (usage error).
//
//===----------------------------------------------------------------------===//
#include "ImageTestUtil.h"
#include "KilnRunUtil.h"
#include "TrainTestUtil.h"

#include <cstdio>

using namespace kiln::test;

namespace {

std::string toyDataSpec() {
  std::string dir = scratchPath("data");
  mkdir(dir.c_str(), 0777);
  writeIdxDir(dir, 32, 10, /*gzip=*/true);
  return "idx:" + dir;
}

TEST(KilnRunTrain, TheScriptedInterfaceTrainsEvaluatesAndExports) {
  // The fixture's descriptor names KILN_TRAIN_MODEL as its source; only this test writes it,
  // through a rename so a reader never sees half a file.
  std::string temporary = std::string(KILN_TRAIN_MODEL) + ".tmp";
  writeModel(temporary, fixtureModel());
  ASSERT_EQ(std::rename(temporary.c_str(), KILN_TRAIN_MODEL), 0);
  std::string exported = scratchPath("trained.onnx");
  RunResult result = kilnRun({"train", KILN_FIXTURE_TRAIN, "--data", toyDataSpec(), "--lr",
                              "0.05", "--steps", "4", "--no-shuffle", "--export", exported});
  EXPECT_EXIT_CODE(result, 0);
  EXPECT_PRED2(contains, result.output, "eval epoch 1: loss ");
  EXPECT_PRED2(contains, result.output, "(10 images)");
  EXPECT_PRED2(contains, result.output, "train: ");
  EXPECT_PRED2(contains, result.output, " images/s (4 steps, 16 images in ");
  onnx::ModelProto model = readModel(exported);
  ASSERT_EQ(model.graph().initializer_size(), 4);
  EXPECT_EQ(model.graph().initializer(0).name(), "fc.weight");
  EXPECT_EQ(model.graph().initializer(0).raw_data().size(), 48 * sizeof(float));
}

TEST(KilnRunTrain, HelpListsEveryOptionWithDefaults) {
  RunResult result = kilnRun({"train", "--help"});
  EXPECT_EXIT_CODE(result, 0);
  for (const char *flag :
       {"--data SPEC", "--eval-data", "--synthetic-samples N", "--normalize MEAN,STD",
        "--no-shuffle", "--seed S", "--drop-remainder", "--epochs N", "--steps N", "--accum K",
        "--replicas N", "--lr X", "--lr-schedule", "--warmup-epochs", "--lr-steps", "--lr-gamma",
        "--lr-base-batch", "--no-eval", "--log-every N", "--log FILE", "--progress",
        "--checkpoint FILE", "--checkpoint-every N", "--resume FILE", "--evaluate FILE",
        "--export FILE.onnx", "--onnx-model FILE"})
    EXPECT_PRED2(contains, result.output, flag);
  for (const char *value : {"(default 0.01)", "(default 1024)", "(default 50)", "(default 0.1)"})
    EXPECT_PRED2(contains, result.output, value);
  result = kilnRun({"--help"});
  EXPECT_PRED2(contains, result.output, "train ARTIFACT.kx --data SPEC");
}

TEST(KilnRunTrain, BadFlagsAreUsageErrors) {
  struct Case {
    std::vector<std::string> args;
    const char *expected;
  };
  const std::string train = KILN_FIXTURE_TRAIN;
  const Case cases[] = {
      {{"train"}, "train needs an artifact"},
      {{"train", train}, "train needs --data SPEC"},
      {{"train", train, "--data", "synthetic", "--bogus"}, "unknown option '--bogus' for train"},
      {{"train", train, "--data", "synthetic", "--epochs", "0"},
       "--epochs needs a whole number >= 1, not '0'"},
      {{"train", train, "--data", "synthetic", "--steps", "x"}, "--steps needs a whole number"},
      {{"train", train, "--data", "synthetic", "--accum=-2"}, "--accum needs a whole number"},
      {{"train", train, "--data", "synthetic", "--replicas", "0"},
       "--replicas needs a whole number >= 1, not '0'"},
      {{"train", train, "--data", "synthetic", "--lr", "fast"}, "--lr needs a number >= 0"},
      {{"train", train, "--data", "synthetic", "--lr-schedule", "linear"},
       "--lr-schedule needs constant, step or cosine, not 'linear'"},
      {{"train", train, "--data", "synthetic", "--lr-schedule", "step"},
       "--lr-schedule step needs --lr-steps"},
      {{"train", train, "--data", "synthetic", "--lr-steps", "30,,60"},
       "--lr-steps needs comma-separated epochs"},
      {{"train", train, "--data", "synthetic", "--lr-gamma", "0"}, "--lr-gamma needs a number > 0"},
      {{"train", train, "--data", "synthetic", "--normalize", "0.5"},
       "--normalize needs MEAN,STD with STD > 0"},
      {{"train", train, "--data", "synthetic", "--channel-mean", "0.5,0.5"},
       "--channel-mean needs three numbers R,G,B, not '0.5,0.5'"},
      {{"train", train, "--data", "synthetic", "--channel-std", "0.2,0,0.2"},
       "--channel-std needs three numbers R,G,B > 0"},
      {{"train", train, "--data", "synthetic", "--data-threads", "0"},
       "--data-threads needs a whole number >= 1"},
      {{"train", train, "--data", "synthetic", "--prefetch", "many"},
       "--prefetch needs a whole number >= 1"},
      {{"train", train, "--data", "synthetic", "--epochs", "2", "--steps", "3"},
       "give --epochs or --steps, not both"},
      {{"train", train, "--data", "synthetic", "--no-eval=yes"}, "--no-eval takes no value"},
      {{"train", train, "--data"}, "--data needs a spec"},
      {{"train", train, "other.kx", "--data", "synthetic"}, "unexpected argument 'other.kx'"},
      {{"train", train, "--data", "synthetic", "--resume", "a", "--evaluate", "b"},
       "give --resume or --evaluate, not both"},
  };
  for (const Case &c : cases) {
    RunResult result = kilnRun(c.args);
    SCOPED_TRACE(result.output);
    EXPECT_EQ(result.exitCode, 2);
    EXPECT_PRED2(contains, result.output, c.expected);
    EXPECT_PRED2(contains, result.output, "kiln-run train --help` for usage");
  }
}

TEST(KilnRunTrain, BadInputsExitOneWithAClearMessage) {
  std::string data = toyDataSpec();
  std::string dir = data.substr(4);
  std::string badMagic = scratchPath("bad-magic"), wrongShape = scratchPath("wrong-shape");
  mkdir(badMagic.c_str(), 0777);
  writeIdxDir(badMagic, 8, 4);
  writeFile(badMagic + "/train-images-idx3-ubyte", "\x12\x34\x08\x03garbage");
  mkdir(wrongShape.c_str(), 0777);
  writeIdxDir(wrongShape, 8, 4, false, 28, 28, 3);
  std::string corrupt = scratchPath("corrupt.ckpt"), wide = scratchPath("wide.ckpt");
  writeFile(corrupt, "KILNCKPT and then nonsense");
  ASSERT_EQ(kilnRun({"train", KILN_FIXTURE_TRAIN_WIDE, "--data", "synthetic", "--steps", "1",
                     "--no-eval", "--checkpoint", wide})
                .exitCode,
            0);
  const std::string train = KILN_FIXTURE_TRAIN;
  struct Case {
    std::vector<std::string> args;
    std::string expected;
  };
  const Case cases[] = {
      {{"train", train, "--data", "idx:" + scratchPath("missing")},
       scratchPath("missing") + ": no train-images-idx3-ubyte"},
      {{"train", train, "--data", "idx:" + badMagic},
       badMagic + "/train-images-idx3-ubyte: not an IDX file (bad magic"},
      {{"train", train, "--data", "idx:" + wrongShape},
       "holds 28x28 images, but the artifact's input 'x' takes samples of shape [1, 4, 4]"},
      {{"train", train, "--data", "tfrecord:" + dir + "/shard-*"},
       dir + "/shard-*: no file matches (tfrecord:GLOB names TFRecord shards"},
      {{"train", train, "--data", "png:/data"}, "unknown data spec 'png:/data'"},
      {{"train", train, "--data", "jpeg:" + scratchPath("missing")},
       scratchPath("missing") + ": no such folder (a jpeg: directory holds train/<class>/*.JPEG"},
      {{"train", train, "--data", "cifar10:" + dir},
       dir + " holds CIFAR-10 images (3x32x32), but the artifact's input 'x' takes samples of "
             "shape [1, 4, 4]"},
      {{"train", KILN_FIXTURE_GOOD, "--data", data}, "no entry point 'fwd_bwd'"},
      {{"train", KILN_FIXTURE_NO_FORWARD, "--data", data, "--no-eval"},
       "no entry point 'apply_update'"},
      {{"train", scratchPath("missing.kx"), "--data", data}, "missing.kx: no such artifact file"},
      {{"train", train, "--data", data, "--resume", corrupt},
       corrupt + ": corrupt or truncated checkpoint"},
      {{"train", train, "--data", data, "--evaluate", wide},
       wide + ": checkpoint of another model"},
      {{"train", train, "--data", data, "--checkpoint", scratchPath("no/dir/run.ckpt")},
       "no/dir/run.ckpt: cannot write checkpoint: directory"},
      {{"train", train, "--data", data, "--checkpoint", scratchDir()},
       ": cannot write checkpoint: it is a directory"},
      {{"train", train, "--data", data, "--export", scratchPath("x.onnx"), "--onnx-model",
        scratchPath("nothing.onnx")},
       "nothing.onnx: cannot open the ONNX model to export into"},
  };
  for (const Case &c : cases) {
    RunResult result = kilnRun(c.args);
    SCOPED_TRACE(result.output);
    EXPECT_EQ(result.exitCode, 1);
    EXPECT_PRED2(contains, result.output, "kiln-run: error: " );
    EXPECT_PRED2(contains, result.output, c.expected);
  }
}

TEST(KilnRunTrain, CheckpointResumeAndEvaluateFromTheCommandLine) {
  emptyDir(scratchDir());
  std::string data = toyDataSpec();
  std::string checkpoint = scratchPath("run.ckpt"), log = scratchPath("log.csv");
  RunResult first = kilnRun({"train", KILN_FIXTURE_TRAIN, "--data", data, "--epochs", "1",
                             "--seed", "3", "--checkpoint", checkpoint, "--log", log});
  EXPECT_EXIT_CODE(first, 0);
  RunResult second = kilnRun({"train", KILN_FIXTURE_TRAIN, "--data=" + data, "--epochs=2",
                              "--seed=3", "--checkpoint", checkpoint, "--resume", checkpoint,
                              "--log", log, "--progress", "lines", "--log-every", "2"});
  EXPECT_EXIT_CODE(second, 0);
  EXPECT_PRED2(contains, second.output, "resumed from " + checkpoint + " at step 8");
  EXPECT_PRED2(contains, second.output, "epoch 2 step 10: loss ");
  EXPECT_PRED2(contains, second.output, "(8 steps, 32 images in ");
  // The resumed run appends to the log: one header, then both runs' records.
  std::string text = readFile(log);
  EXPECT_EQ(text.rfind("kind,epoch,step,"), 0u);
  EXPECT_PRED2(contains, text, "\neval,1,8,");
  EXPECT_PRED2(contains, text, "\ntrain,2,10,");
  EXPECT_PRED2(contains, text, "\neval,2,16,");
  RunResult evaluated = kilnRun({"train", KILN_FIXTURE_TRAIN, "--eval-data", data, "--evaluate",
                                 checkpoint});
  EXPECT_EXIT_CODE(evaluated, 0);
  EXPECT_PRED2(contains, evaluated.output, "eval epoch 2: loss ");
  EXPECT_EQ(listDir(scratchDir()).size(), 3u); // data, run.ckpt, log.csv: no temporary files
}

} // namespace

namespace {

TEST(KilnRunTrain, ACorruptJpegIsReportedWithItsPathCountedAndSkipped) {
  std::string dir = freshPath("imagenet");
  writeJpegSplit(dir, "train", {"a", "b"}, {3, 3}, 64, 48);
  writeFile(dir + "/train/a/1.JPEG", "corrupt"); // position 1 of the unshuffled order
  RunResult result = kilnRun({"train", KILN_FIXTURE_TRAIN_RGB, "--data", "jpeg:" + dir,
                              "--no-shuffle", "--no-eval", "--data-threads", "2"});
  EXPECT_EXIT_CODE(result, 0);
  EXPECT_PRED2(contains, result.output,
               "kiln-run: warning: skipped a sample: " + dir +
                   "/train/a/1.JPEG: not a JPEG file or a corrupt JPEG header");
  EXPECT_PRED2(contains, result.output, "(1 steps, 4 images in ");
  EXPECT_PRED2(contains, result.output, "1 sample failed to load and was skipped");
}

} // namespace
