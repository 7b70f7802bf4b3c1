//===- OnnxExportTest.cpp - trained weights back into an ONNX model -------===//
#include "TrainTestUtil.h"

#include "train/onnx_export.h"

#include <cstring>

using namespace kiln::test;
using namespace kiln::train;

namespace {

std::vector<float> rawFloats(const onnx::TensorProto &tensor) {
  std::vector<float> values(tensor.raw_data().size() / sizeof(float));
  std::memcpy(values.data(), tensor.raw_data().data(), tensor.raw_data().size());
  return values;
}

TEST(OnnxExport, ReplacesParameterAndStateInitializersByName) {
  std::string data = scratchDir();
  writeIdxDir(data, 16, 4);
  std::string source = scratchPath("model.onnx"), exported = scratchPath("trained.onnx"),
              checkpoint = scratchPath("run.ckpt");
  writeModel(source, fixtureModel());
  TrainOptions options = trainOptions(KILN_FIXTURE_TRAIN, "idx:" + data);
  options.checkpointPath = checkpoint;
  options.exportPath = exported;
  options.onnxModelPath = source;
  TrainResult result = runTrainingCaptured(options);
  ASSERT_EQ(result.error, "");
  EXPECT_PRED2(contains, result.output, "exported the trained weights to " + exported);

  onnx::ModelProto model = readModel(exported);
  ASSERT_EQ(model.graph().initializer_size(), 4);
  EXPECT_EQ(model.graph().node(0).op_type(), "Gemm");
  EXPECT_EQ(model.opset_import(0).version(), 17);
  for (const onnx::TensorProto &tensor : model.graph().initializer()) {
    SCOPED_TRACE(tensor.name());
    if (tensor.name() == "unrelated") {
      EXPECT_EQ(tensor.float_data_size(), 2);
      EXPECT_EQ(tensor.float_data(0), 5.0f);
      continue;
    }
    EXPECT_EQ(tensor.data_type(), onnx::TensorProto::FLOAT);
    EXPECT_EQ(tensor.float_data_size(), 0);
    std::vector<float> expected = checkpointValues(KILN_FIXTURE_TRAIN, checkpoint, tensor.name().c_str());
    EXPECT_EQ(rawFloats(tensor), expected);
    EXPECT_NE(expected, std::vector<float>(expected.size(), 9.0f));
  }
  EXPECT_EQ(model.graph().initializer(2).dims_size(), 2); // dims kept as the model had them
}

TEST(OnnxExport, MissingInitializerIsAnErrorAndWritesNothing) {
  std::string source = scratchPath("model.onnx"), exported = scratchPath("trained.onnx");
  writeModel(source, fixtureModel(/*withState=*/false));
  ArtifactPtr artifact = loadOrFail(KILN_FIXTURE_TRAIN);
  SessionPtr session = sessionOrFail(artifact.get());
  TrainingArtifact bound;
  ASSERT_EQ(takeMessage(bindTrainingArtifact(artifact.get(), TrainingNeeds(), bound)), "");
  std::string error = takeMessage(exportToOnnx(source, exported, session.get(), bound));
  EXPECT_PRED2(contains, error, source + ": cannot export the trained weights into this model:");
  EXPECT_PRED2(contains, error, "x.running_mean: no initializer of that name");
  EXPECT_FALSE(contains(error, "fc.weight"));
  EXPECT_EQ(readFile(exported), "");

  onnx::ModelProto wrong = fixtureModel();
  wrong.mutable_graph()->mutable_initializer(1)->add_dims(2); // fc.bias [3, 2]
  writeModel(source, wrong);
  EXPECT_PRED2(contains, takeMessage(exportToOnnx(source, exported, session.get(), bound)),
               "fc.bias: the initializer has 6 elements, the buffer 3");
  EXPECT_PRED2(contains,
               takeMessage(exportToOnnx(scratchPath("none.onnx"), exported, session.get(), bound)),
               "none.onnx: cannot open the ONNX model to export into");
}

} // namespace
