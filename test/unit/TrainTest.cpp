//===- TrainTest.cpp - the training loop on the train fixture -------------===//
//
// Runs kiln::train::runTraining in-process on fixtures/train_artifact.c and toy IDX data
// (32 training samples = 8 updates per epoch at batch 4; 10 evaluation samples).
//
//===----------------------------------------------------------------------===//
#include "TrainTestUtil.h"

#include <sstream>

using namespace kiln::test;
using namespace kiln::train;

namespace {

std::string toyDir() {
  std::string dir = scratchDir();
  writeIdxDir(dir, 32, 10);
  return "idx:" + dir;
}

/// The lines of `text` that start with `prefix`.
std::vector<std::string> linesStartingWith(const std::string &text, const std::string &prefix) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);)
    if (line.rfind(prefix, 0) == 0)
      lines.push_back(line);
  return lines;
}

TEST(Train, LearnsTheToyTaskAndReportsEvaluations) {
  TrainOptions options = trainOptions(KILN_FIXTURE_TRAIN, toyDir());
  options.epochs = 4;
  options.lr.baseLr = 0.5;
  TrainResult result = runTrainingCaptured(options);
  ASSERT_EQ(result.error, "") << result.output;
  std::vector<std::string> evals = linesStartingWith(result.output, "eval epoch ");
  ASSERT_EQ(evals.size(), 4u) << result.output;
  EXPECT_PRED2(contains, evals[3], "eval epoch 4: loss ");
  EXPECT_PRED2(contains, evals[3], "top1 100.00% top5 100.00% (10 images)");
  EXPECT_EQ(linesStartingWith(result.output, "train: ").size(), 1u);
  EXPECT_PRED2(contains, result.output, " images/s (32 steps, 128 images in ");
}

TEST(Train, StepsCrossEpochsAndEvaluateAtEachEndAndAtTheEnd) {
  TrainOptions options = trainOptions(KILN_FIXTURE_TRAIN, toyDir());
  options.steps = 10;
  TrainResult result = runTrainingCaptured(options);
  ASSERT_EQ(result.error, "");
  std::vector<std::string> evals = linesStartingWith(result.output, "eval epoch ");
  ASSERT_EQ(evals.size(), 2u) << result.output;
  EXPECT_PRED2(contains, evals[0], "eval epoch 1: ");
  EXPECT_PRED2(contains, evals[1], "eval epoch 2: ");
  EXPECT_PRED2(contains, result.output, "(10 steps, 40 images in ");
}

/// Writes train files holding the toy samples 0..3 `copies` times over into `dir`.
std::string repeatedDir(const std::string &name, uint32_t copies) {
  std::string dir = scratchPath(name);
  mkdir(dir.c_str(), 0777);
  ToyData toy = toyData(4, 4, 4, 3, 0);
  std::vector<uint8_t> images, labels;
  for (uint32_t c = 0; c < copies; ++c) {
    images.insert(images.end(), toy.images.begin(), toy.images.end());
    labels.insert(labels.end(), toy.labels.begin(), toy.labels.end());
  }
  writeFile(dir + "/train-images-idx3-ubyte", idxBytes({4 * copies, 4, 4}, images));
  writeFile(dir + "/train-labels-idx1-ubyte", idxBytes({4 * copies}, labels));
  return dir;
}

TEST(Train, AccumulatingTwoCopiesOfABatchEqualsTheBatchOnce) {
  // grad_scale = 1/2 makes the sum of two identical micro-batch gradients their mean; doubling
  // and halving are exact in float, so the weights must agree bit for bit. Were grad_scale left
  // at 1 (or 0), the updates would be twice as large (or nothing).
  std::string once = scratchPath("once.ckpt"), twice = scratchPath("twice.ckpt");
  TrainOptions options = trainOptions(KILN_FIXTURE_TRAIN, "idx:" + repeatedDir("one", 1));
  options.steps = 3;
  options.shuffle = false;
  options.evaluate = false;
  options.lr.baseLr = 0.3;
  options.checkpointPath = once;
  ASSERT_EQ(runTrainingCaptured(options).error, "");
  options.dataSpec = "idx:" + repeatedDir("two", 2);
  options.accum = 2;
  options.checkpointPath = twice;
  ASSERT_EQ(runTrainingCaptured(options).error, "");

  for (const char *name : {"fc.weight", "fc.bias", "fc.weight@momentum", "fc.bias@momentum"}) {
    std::vector<float> a = checkpointValues(KILN_FIXTURE_TRAIN, once, name);
    EXPECT_EQ(a, checkpointValues(KILN_FIXTURE_TRAIN, twice, name)) << name;
  }
  std::vector<float> weight = checkpointValues(KILN_FIXTURE_TRAIN, once, "fc.weight");
  EXPECT_NE(weight, std::vector<float>(weight.size(), 0.0f)); // it did train
}

/// Writes train files holding the first `count` toy samples of 8 (a fixed set) into `dir`,
/// starting at sample `first`.
std::string slicedDir(const std::string &name, uint32_t first, uint32_t count) {
  std::string dir = scratchPath(name);
  mkdir(dir.c_str(), 0777);
  ToyData toy = toyData(8, 4, 4, 3, 0);
  std::vector<uint8_t> images(toy.images.begin() + first * 16,
                              toy.images.begin() + (first + count) * 16);
  std::vector<uint8_t> labels(toy.labels.begin() + first, toy.labels.begin() + first + count);
  writeFile(dir + "/train-images-idx3-ubyte", idxBytes({count, 4, 4}, images));
  writeFile(dir + "/train-labels-idx1-ubyte", idxBytes({count}, labels));
  return dir;
}

TEST(Train, ReplicasComputeTheUpdatesOfAccumulation) {
  // Two replicas take the micro-batches (and dropout seeds) that --accum 2 takes, in the same
  // order, and sum their gradients in replica order as accumulation sums them in micro-batch
  // order; grad_scale is 1/2 either way: the weights and momenta agree bit for bit. With
  // grad_scale left at 1/accum or the gradients not summed, they would not.
  std::string data = toyDir();
  TrainOptions options = trainOptions(KILN_FIXTURE_TRAIN_DROPOUT, data);
  options.seed = 3;
  options.steps = 6;
  options.evaluate = false;
  options.lr.baseLr = 0.3;
  std::string accumulated = scratchPath("accumulated.ckpt");
  options.accum = 2;
  options.checkpointPath = accumulated;
  ASSERT_EQ(runTrainingCaptured(options).error, "");
  std::string replicated = scratchPath("replicated.ckpt");
  options.accum = 1;
  options.replicas = 2;
  options.checkpointPath = replicated;
  TrainResult result = runTrainingCaptured(options);
  ASSERT_EQ(result.error, "") << result.output;
  EXPECT_PRED2(contains, result.output, "batch 4 x accum 1 x replicas 2");
  EXPECT_PRED2(contains, result.output, "(6 steps, 48 images in ");
  for (const char *name : {"fc.weight", "fc.bias", "fc.weight@momentum", "fc.bias@momentum"})
    EXPECT_EQ(checkpointValues(KILN_FIXTURE_TRAIN_DROPOUT, accumulated, name),
              checkpointValues(KILN_FIXTURE_TRAIN_DROPOUT, replicated, name))
        << name;
}

TEST(Train, ReplicasAverageTheirRunningStatistics) {
  // One update over samples 0-3 and 4-7: replica 0's running mean becomes 0.1 m(0-3), replica
  // 1's 0.1 m(4-7), and the replicas keep their average (what two one-batch runs give, halved).
  TrainOptions options = trainOptions(KILN_FIXTURE_TRAIN, "idx:" + slicedDir("first4", 0, 4));
  options.steps = 1;
  options.shuffle = false;
  options.evaluate = false;
  std::string first = scratchPath("first4.ckpt"), second = scratchPath("second4.ckpt"),
              both = scratchPath("both.ckpt");
  options.checkpointPath = first;
  ASSERT_EQ(runTrainingCaptured(options).error, "");
  options.dataSpec = "idx:" + slicedDir("second4", 4, 4);
  options.checkpointPath = second;
  ASSERT_EQ(runTrainingCaptured(options).error, "");
  options.dataSpec = "idx:" + slicedDir("all8", 0, 8);
  options.replicas = 2;
  options.checkpointPath = both;
  ASSERT_EQ(runTrainingCaptured(options).error, "");
  std::vector<float> a = checkpointValues(KILN_FIXTURE_TRAIN, first, "x.running_mean");
  std::vector<float> b = checkpointValues(KILN_FIXTURE_TRAIN, second, "x.running_mean");
  std::vector<float> averaged = checkpointValues(KILN_FIXTURE_TRAIN, both, "x.running_mean");
  ASSERT_EQ(averaged.size(), a.size());
  ASSERT_NE(a, b); // the two halves differ, so a replica's own mean would fail the check
  for (size_t i = 0; i < a.size(); ++i)
    EXPECT_FLOAT_EQ(averaged[i], (a[i] + b[i]) * 0.5f) << i;
}

/// Trains with `accum` x `replicas` micro-batches per update (8 samples) straight through,
/// and stopped and resumed, and expects the same checkpoint.
void expectResumesBitIdentically(uint32_t accum, uint32_t replicas) {
  // The dropout fixture: its updates depend on the seed scalar of every micro-batch as well as
  // on the shuffled order, so the checkpoint must carry both. With replicas the checkpoint is
  // replica 0's, and a resumed run gives it to every replica.
  std::string data = toyDir();
  TrainOptions options = trainOptions(KILN_FIXTURE_TRAIN_DROPOUT, data);
  options.seed = 7;
  options.accum = accum;
  options.replicas = replicas;
  options.lr.baseLr = 0.2;
  // A schedule that does not depend on the run's length (cosine does), so a shorter first run
  // computes the same updates as the first part of the long one.
  options.lr.schedule = LrSchedule::Step;
  options.lr.stepEpochs = {1};
  options.lr.gamma = 0.5;
  options.lr.warmupEpochs = 0.5;
  options.epochs = 2;
  std::string straight = scratchPath("straight.ckpt");
  options.checkpointPath = straight;
  ASSERT_EQ(runTrainingCaptured(options).error, "");

  // Stopped at the end of epoch 1, then resumed.
  std::string halves = scratchPath("halves.ckpt");
  options.epochs = 1;
  options.checkpointPath = halves;
  ASSERT_EQ(runTrainingCaptured(options).error, "");
  options.epochs = 2;
  options.resumePath = halves;
  TrainResult resumed = runTrainingCaptured(options);
  ASSERT_EQ(resumed.error, "");
  EXPECT_PRED2(contains, resumed.output, "resumed from " + halves + " at step 4");
  EXPECT_EQ(readFile(halves), readFile(straight));

  // Stopped in the middle of epoch 1 (after 3 of its 4 updates), then resumed.
  std::string middle = scratchPath("middle.ckpt");
  options.resumePath.clear();
  options.epochs.reset();
  options.steps = 3;
  options.checkpointPath = middle;
  ASSERT_EQ(runTrainingCaptured(options).error, "");
  options.steps.reset();
  options.epochs = 2;
  options.resumePath = middle;
  ASSERT_EQ(runTrainingCaptured(options).error, "");
  EXPECT_EQ(readFile(middle), readFile(straight));

  // The comparison can fail: another seed trains to other weights.
  std::string otherSeed = scratchPath("other.ckpt");
  options.resumePath.clear();
  options.seed = 8;
  options.checkpointPath = otherSeed;
  ASSERT_EQ(runTrainingCaptured(options).error, "");
  EXPECT_NE(checkpointValues(KILN_FIXTURE_TRAIN_DROPOUT, otherSeed, "fc.weight"),
            checkpointValues(KILN_FIXTURE_TRAIN_DROPOUT, straight, "fc.weight"));
}

TEST(Train, ResumingContinuesBitIdentically) {
  expectResumesBitIdentically(/*accum=*/2, /*replicas=*/1);
}

TEST(Train, ResumingWithReplicasContinuesBitIdentically) {
  expectResumesBitIdentically(/*accum=*/1, /*replicas=*/2);
}

TEST(Train, EvaluateOnlyReproducesTheLastEvaluation) {
  std::string data = toyDir(), checkpoint = scratchPath("run.ckpt");
  TrainOptions options = trainOptions(KILN_FIXTURE_TRAIN, data);
  options.epochs = 2;
  options.checkpointPath = checkpoint;
  TrainResult trained = runTrainingCaptured(options);
  ASSERT_EQ(trained.error, "");
  TrainOptions evaluate = trainOptions(KILN_FIXTURE_TRAIN, data);
  evaluate.evaluateCheckpoint = checkpoint;
  TrainResult evaluated = runTrainingCaptured(evaluate);
  ASSERT_EQ(evaluated.error, "");
  std::vector<std::string> last = linesStartingWith(trained.output, "eval epoch 2: ");
  ASSERT_EQ(last.size(), 1u);
  EXPECT_EQ(linesStartingWith(evaluated.output, "eval "), last);
  EXPECT_EQ(linesStartingWith(evaluated.output, "train: ").size(), 0u);
}

TEST(Train, ReplicasEvaluateAsOneSessionDoes) {
  // 10 evaluation samples at batch 4: 3 batches, the last padded; 2 replicas evaluate them in
  // two rounds (2 batches, then 1), 3 replicas in one.
  std::string data = toyDir(), checkpoint = scratchPath("replicas-run.ckpt");
  TrainOptions options = trainOptions(KILN_FIXTURE_TRAIN, data);
  options.epochs = 2;
  options.replicas = 2;
  options.lr.baseLr = 0.5;
  options.checkpointPath = checkpoint;
  TrainResult trained = runTrainingCaptured(options);
  ASSERT_EQ(trained.error, "") << trained.output;
  std::vector<std::string> last = linesStartingWith(trained.output, "eval epoch 2: ");
  ASSERT_EQ(last.size(), 1u) << trained.output;
  for (uint32_t replicas : {1u, 3u}) {
    TrainOptions evaluate = trainOptions(KILN_FIXTURE_TRAIN, data);
    evaluate.evaluateCheckpoint = checkpoint;
    evaluate.replicas = replicas;
    TrainResult evaluated = runTrainingCaptured(evaluate);
    ASSERT_EQ(evaluated.error, "");
    EXPECT_EQ(linesStartingWith(evaluated.output, "eval "), last) << replicas << " replicas";
  }
  EXPECT_PRED2(contains, last[0], "(10 images)");
}

TEST(Train, ZeroLearningRateLeavesTheParametersAlone) {
  std::string checkpoint = scratchPath("run.ckpt");
  TrainOptions options = trainOptions(KILN_FIXTURE_TRAIN, toyDir());
  options.lr.baseLr = 0;
  options.checkpointPath = checkpoint;
  ASSERT_EQ(runTrainingCaptured(options).error, "");
  EXPECT_EQ(checkpointValues(KILN_FIXTURE_TRAIN, checkpoint, "fc.weight"),
            std::vector<float>(48, 0.0f));
  EXPECT_EQ(checkpointValues(KILN_FIXTURE_TRAIN, checkpoint, "fc.bias"),
            (std::vector<float>{0.1f, -0.1f, 0.05f}));
  // The state still moved: fwd_bwd updates running statistics whatever the learning rate.
  EXPECT_NE(checkpointValues(KILN_FIXTURE_TRAIN, checkpoint, "x.running_mean"),
            std::vector<float>(16, 0.0f));
}

TEST(Train, WritesCsvAndJsonLinesLogs) {
  std::string data = toyDir();
  for (const char *name : {"log.csv", "log.jsonl"}) {
    std::string log = scratchPath(name);
    TrainOptions options = trainOptions(KILN_FIXTURE_TRAIN, data);
    options.steps = 12;
    options.logEvery = 5;
    options.logPath = log;
    TrainResult result = runTrainingCaptured(options);
    ASSERT_EQ(result.error, "");
    std::string text = readFile(log);
    // Steps 5, 8 (end of epoch 1), 10, 12 (the end); evaluations after steps 8 and 12.
    if (contains(name, ".csv")) {
      std::vector<std::string> lines = linesStartingWith(text, "");
      ASSERT_EQ(lines.size(), 7u) << text;
      EXPECT_EQ(lines[0], "kind,epoch,step,lr,loss,top1,top5,images_per_s");
      EXPECT_EQ(lines[1].rfind("train,1,5,0.01,", 0), 0u) << lines[1];
      EXPECT_EQ(lines[2].rfind("train,1,8,", 0), 0u) << lines[2];
      EXPECT_EQ(lines[3].rfind("eval,1,8,0.01,", 0), 0u) << lines[3];
      EXPECT_PRED2(contains, lines[3], ",100,"); // top5 of 3 classes
      EXPECT_EQ(lines[4].rfind("train,2,10,", 0), 0u) << lines[4];
      EXPECT_EQ(lines[6].rfind("eval,2,12,", 0), 0u) << lines[6];
    } else {
      std::vector<std::string> lines = linesStartingWith(text, "{");
      ASSERT_EQ(lines.size(), 6u) << text;
      EXPECT_EQ(lines[0].rfind("{\"kind\": \"train\", \"epoch\": 1, \"step\": 5, \"lr\": 0.01, "
                               "\"loss\": ", 0),
                0u)
          << lines[0];
      EXPECT_PRED2(contains, lines[2], "{\"kind\": \"eval\", \"epoch\": 1, \"step\": 8,");
      for (const std::string &line : lines)
        for (const char *key : {"\"top1\": ", "\"top5\": ", "\"images_per_s\": "})
          EXPECT_PRED2(contains, line, key);
    }
    // Plain progress lines on the output, one per logged step.
    EXPECT_EQ(linesStartingWith(result.output, "epoch ").size(), 4u) << result.output;
  }
}

TEST(Train, SyntheticDataTrainsAndEvaluatesOnTheSameSet) {
  TrainOptions options = trainOptions(KILN_FIXTURE_TRAIN, "synthetic");
  options.syntheticSamples = 22;
  TrainResult result = runTrainingCaptured(options);
  ASSERT_EQ(result.error, "");
  EXPECT_PRED2(contains, result.output, "synthetic (22 samples of 16 values, 3 classes)");
  EXPECT_PRED2(contains, result.output, "(22 images)"); // 5 batches of 4 and one padded
  EXPECT_PRED2(contains, result.output, "(5 steps, 20 images in ");
}

TEST(Train, RefusesBadArtifactsDataAndOptions) {
  std::string data = toyDir();
  TrainOptions options = trainOptions(KILN_FIXTURE_GOOD, data);
  EXPECT_PRED2(contains, runTrainingCaptured(options).error, "no entry point 'fwd_bwd'");
  options = trainOptions(KILN_FIXTURE_TRAIN, data);
  options.accum = 9; // 36 samples per update, 32 in the set
  EXPECT_PRED2(contains, runTrainingCaptured(options).error,
               "has fewer samples than one update takes (batch 4 x accum 9)");
  options.accum = 3;
  options.replicas = 3; // 36 samples again
  EXPECT_PRED2(contains, runTrainingCaptured(options).error,
               "has fewer samples than one update takes (batch 4 x accum 3 x replicas 3)");
  options = trainOptions(KILN_FIXTURE_TRAIN, "idx:" + scratchPath("nowhere"));
  EXPECT_PRED2(contains, runTrainingCaptured(options).error,
               "training data: " + scratchPath("nowhere") + ": no train-images-idx3-ubyte");
  options = trainOptions(KILN_FIXTURE_TRAIN, "idx:" + repeatedDir("no-t10k", 2));
  EXPECT_PRED2(contains, runTrainingCaptured(options).error,
               "evaluation data (--eval-data names another set, --no-eval skips evaluation)");
  options = trainOptions(KILN_FIXTURE_TRAIN, data);
  options.checkpointPath = scratchPath("missing-dir/run.ckpt");
  EXPECT_PRED2(contains, runTrainingCaptured(options).error,
               "missing-dir/run.ckpt: cannot write checkpoint: directory");
  options = trainOptions(KILN_FIXTURE_TRAIN, data);
  options.logPath = scratchPath("log.txt");
  EXPECT_PRED2(contains, runTrainingCaptured(options).error, "a log file ends in .csv, .jsonl");
}

} // namespace
