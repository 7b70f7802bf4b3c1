//===- SessionTest.cpp - buffers and entry points of a session ------------===//
#include "TestUtil.h"

#include <cstdint>
#include <cstring>
#include <set>

using namespace kiln::test;

namespace {

float *floats(kiln_session_t *session, uint32_t index) {
  return static_cast<float *>(kiln_session_buffer_data(session, index));
}

TEST(Session, AllocatesAlignedBuffersWithInitialData) {
  ArtifactPtr artifact = loadOrFail(KILN_FIXTURE_GOOD);
  SessionPtr session = sessionOrFail(artifact.get());
  ASSERT_TRUE(session);
  for (uint32_t i = 0; i < 3; ++i) {
    void *data = kiln_session_buffer_data(session.get(), i);
    ASSERT_NE(data, nullptr);
    EXPECT_EQ(reinterpret_cast<uintptr_t>(data) % 64, 0u) << "buffer " << i;
  }
  float *bias = floats(session.get(), 1);
  EXPECT_EQ(bias[0], 0.5f);
  EXPECT_EQ(bias[3], 3.5f);
  for (uint32_t index : {0u, 2u})
    for (int i = 0; i < 4; ++i)
      EXPECT_EQ(floats(session.get(), index)[i], 0.0f) << "buffers without initial data start zeroed";
  EXPECT_EQ(kiln_session_buffer_data(session.get(), 3), nullptr);
  EXPECT_EQ(kiln_session_artifact(session.get()), artifact.get());
}

TEST(Session, GivesScalarAndEmptyBuffersValidDistinctMemory) {
  ArtifactPtr artifact = loadOrFail(KILN_FIXTURE_MIXED);
  SessionPtr session = sessionOrFail(artifact.get());
  ASSERT_TRUE(session);
  std::set<void *> seen;
  for (uint32_t i = 0; i < kiln_artifact_buffer_count(artifact.get()); ++i) {
    void *data = kiln_session_buffer_data(session.get(), i);
    ASSERT_NE(data, nullptr) << kiln_artifact_buffer_info(artifact.get(), i).name;
    EXPECT_EQ(reinterpret_cast<uintptr_t>(data) % 64, 0u);
    EXPECT_TRUE(seen.insert(data).second) << "buffers must not share memory";
  }
  auto index = [&](const char *name) {
    return static_cast<uint32_t>(kiln_artifact_find_buffer(artifact.get(), name));
  };
  EXPECT_EQ(*floats(session.get(), index("temperature")), 2.0f) << "scalar initial data";
  const void *shift = kiln_session_buffer_data(session.get(), index("shift"));
  EXPECT_EQ(kiln_element_load(KILN_DTYPE_BF16, shift, 1), -1.0) << "bfloat16 initial data";
}

TEST(Session, RunsEntryPointOnItsBuffers) {
  ArtifactPtr artifact = loadOrFail(KILN_FIXTURE_GOOD);
  SessionPtr session = sessionOrFail(artifact.get());
  float *x = floats(session.get(), 0);
  for (int i = 0; i < 4; ++i)
    x[i] = 10.0f * i;
  EXPECT_EQ(takeMessage(kiln_session_run(session.get(), "forward")), "");
  float *y = floats(session.get(), 2);
  EXPECT_EQ(y[0], 0.5f);
  EXPECT_EQ(y[1], 11.5f);
  EXPECT_EQ(y[3], 33.5f);
}

TEST(Session, RunsEachEntryOfAnArtifact) {
  ArtifactPtr artifact = loadOrFail(KILN_FIXTURE_MIXED);
  SessionPtr session = sessionOrFail(artifact.get());
  kiln_session_t *s = session.get();
  const float image[6] = {1, 2, 3, 4, -5, 6};
  std::memcpy(kiln_session_buffer_data(s, 0), image, sizeof(image));
  void *scale = kiln_session_buffer_data(s, 1);
  for (int c = 0; c < 3; ++c)
    kiln_element_store(KILN_DTYPE_F16, scale, c, 1.0 + c); // 1, 2, 3
  ASSERT_EQ(takeMessage(kiln_session_run(s, "forward")), "");
  // (image * scale + {0.5, -1, 2}) / 2
  const float expected[6] = {0.75f, 1.5f, 5.5f, 2.25f, -5.5f, 10.0f};
  for (int i = 0; i < 6; ++i)
    EXPECT_EQ(floats(s, 4)[i], expected[i]) << "logits[" << i << "]";
  auto *label = static_cast<int64_t *>(kiln_session_buffer_data(s, 5));
  EXPECT_EQ(label[0], 2);
  EXPECT_EQ(label[1], 2);
  ASSERT_EQ(takeMessage(kiln_session_run(s, "reset")), "");
  EXPECT_EQ(floats(s, 4)[2], 0.0f);
  EXPECT_EQ(label[0], 0);
}

TEST(Session, SessionsOfOneArtifactHaveSeparateBuffers) {
  ArtifactPtr artifact = loadOrFail(KILN_FIXTURE_GOOD);
  SessionPtr first = sessionOrFail(artifact.get());
  SessionPtr second = sessionOrFail(artifact.get());
  floats(first.get(), 1)[0] = 100.0f;
  EXPECT_EQ(floats(second.get(), 1)[0], 0.5f) << "initial data is copied, not shared";
  ASSERT_EQ(takeMessage(kiln_session_run(first.get(), "forward")), "");
  EXPECT_EQ(floats(first.get(), 2)[0], 100.0f);
  EXPECT_EQ(floats(second.get(), 2)[0], 0.0f);
}

TEST(Session, RefusesUnknownEntryNamingItAndTheKnownOnes) {
  ArtifactPtr artifact = loadOrFail(KILN_FIXTURE_MIXED);
  SessionPtr session = sessionOrFail(artifact.get());
  kiln_status_t status = kiln_session_run(session.get(), "fwd_bwd");
  EXPECT_EQ(kiln_status_code(status), KILN_STATUS_INVALID_ARGUMENT);
  std::string message = takeMessage(status);
  EXPECT_PRED2(contains, message, "no entry point 'fwd_bwd' (it has: forward, reset)");
  EXPECT_PRED2(contains, message, KILN_FIXTURE_MIXED);
}

TEST(Session, KeepsItsArtifactAlive) {
  ArtifactPtr artifact = loadOrFail(KILN_FIXTURE_GOOD);
  SessionPtr session = sessionOrFail(artifact.get());
  artifact.reset(); // the session still holds a reference
  EXPECT_EQ(takeMessage(kiln_session_run(session.get(), "forward")), "");
  EXPECT_EQ(floats(session.get(), 2)[3], 3.5f);
}

TEST(Session, RejectsNullArguments) {
  kiln_session_t *session = nullptr;
  kiln_status_t status = kiln_session_create(nullptr, &session);
  EXPECT_EQ(kiln_status_code(status), KILN_STATUS_INVALID_ARGUMENT);
  EXPECT_EQ(session, nullptr);
  takeMessage(status);
  status = kiln_session_run(nullptr, "forward");
  EXPECT_EQ(kiln_status_code(status), KILN_STATUS_INVALID_ARGUMENT);
  takeMessage(status);
  EXPECT_EQ(kiln_session_buffer_data(nullptr, 0), nullptr);
  kiln_session_release(nullptr);
}

// The prepared fixture: y = x * doubled, where `prepare` sets doubled = 2 * weight and counts
// its runs.
struct PreparedSession {
  ArtifactPtr artifact = loadOrFail(KILN_FIXTURE_PREPARED);
  SessionPtr session = sessionOrFail(artifact.get());
  float &at(const char *name) {
    int64_t index = kiln_artifact_find_buffer(artifact.get(), name);
    return *floats(session.get(), static_cast<uint32_t>(index));
  }
  std::string run(const char *entry) {
    return takeMessage(kiln_session_run(session.get(), entry));
  }
};

TEST(Session, PreparesOnceBeforeTheFirstEntryThatReadsPreparedBuffers) {
  PreparedSession s;
  s.at("x") = 5.0f;
  EXPECT_EQ(s.run("forward"), "");
  EXPECT_EQ(s.at("y"), 30.0f);
  EXPECT_EQ(s.run("forward"), "");
  EXPECT_EQ(s.at("runs"), 1.0f) << "unchanged parameters are not prepared again";
}

TEST(Session, PreparesAgainAfterAnEntryThatTakesParameters) {
  PreparedSession s;
  s.at("x") = 1.0f;
  EXPECT_EQ(s.run("forward"), "");
  EXPECT_EQ(s.run("update"), "");
  EXPECT_EQ(s.run("forward"), "");
  EXPECT_EQ(s.at("y"), 8.0f) << "forward must see the updated weight 4";
  EXPECT_EQ(s.at("runs"), 2.0f);
}

TEST(Session, PreparesAgainAfterHandingOutAParameter) {
  PreparedSession s;
  s.at("x") = 1.0f;
  EXPECT_EQ(s.run("forward"), "");
  s.at("weight") = 10.0f; // as a checkpoint load writes it
  EXPECT_EQ(s.run("forward"), "");
  EXPECT_EQ(s.at("y"), 20.0f);
  s.at("x") = 2.0f; // an input: nothing to prepare
  EXPECT_EQ(s.run("forward"), "");
  EXPECT_EQ(s.at("y"), 40.0f);
  EXPECT_EQ(s.at("runs"), 2.0f);
}

TEST(Session, ExplicitPrepareCountsAsPrepared) {
  PreparedSession s;
  EXPECT_EQ(s.run("prepare"), "");
  EXPECT_EQ(s.run("forward"), "");
  EXPECT_EQ(s.at("runs"), 1.0f);
}

} // namespace
