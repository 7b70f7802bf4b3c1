//===- SessionTest.cpp - buffers and entry points of a session ------------===//
#include "TestUtil.h"

#include <cstdint>

using namespace kiln::test;

namespace {

SessionPtr makeSession(kiln_artifact_t *artifact) {
  kiln_session_t *session = nullptr;
  kiln_status_t status = kiln_session_create(artifact, &session);
  EXPECT_EQ(status, nullptr) << kiln_status_message(status);
  kiln_status_free(status);
  return SessionPtr(session);
}

TEST(Session, AllocatesAlignedBuffersWithInitialData) {
  ArtifactPtr artifact = loadOrFail(KILN_FIXTURE_GOOD);
  SessionPtr session = makeSession(artifact.get());
  ASSERT_TRUE(session);
  for (uint32_t i = 0; i < 3; ++i) {
    void *data = kiln_session_buffer_data(session.get(), i);
    ASSERT_NE(data, nullptr);
    EXPECT_EQ(reinterpret_cast<uintptr_t>(data) % 64, 0u) << "buffer " << i;
  }
  auto *bias = static_cast<float *>(kiln_session_buffer_data(session.get(), 1));
  EXPECT_FLOAT_EQ(bias[0], 0.5f);
  EXPECT_FLOAT_EQ(bias[3], 3.5f);
  auto *x = static_cast<float *>(kiln_session_buffer_data(session.get(), 0));
  EXPECT_FLOAT_EQ(x[2], 0.0f) << "buffers without initial data start zeroed";
  EXPECT_EQ(kiln_session_buffer_data(session.get(), 3), nullptr);
}

TEST(Session, RunsEntryPointOnItsBuffers) {
  ArtifactPtr artifact = loadOrFail(KILN_FIXTURE_GOOD);
  SessionPtr session = makeSession(artifact.get());
  auto *x = static_cast<float *>(kiln_session_buffer_data(session.get(), 0));
  for (int i = 0; i < 4; ++i)
    x[i] = 10.0f * i;
  EXPECT_EQ(takeMessage(kiln_session_run(session.get(), "forward")), "");
  auto *y = static_cast<float *>(kiln_session_buffer_data(session.get(), 2));
  EXPECT_FLOAT_EQ(y[0], 0.5f);
  EXPECT_FLOAT_EQ(y[3], 33.5f);
}

TEST(Session, RefusesUnknownEntryNamingTheKnownOnes) {
  ArtifactPtr artifact = loadOrFail(KILN_FIXTURE_GOOD);
  SessionPtr session = makeSession(artifact.get());
  kiln_status_t status = kiln_session_run(session.get(), "fwd_bwd");
  EXPECT_EQ(kiln_status_code(status), KILN_STATUS_INVALID_ARGUMENT);
  std::string message = takeMessage(status);
  EXPECT_NE(message.find("no entry point 'fwd_bwd' (it has: forward)"), std::string::npos)
      << message;
}

TEST(Session, KeepsItsArtifactAlive) {
  ArtifactPtr artifact = loadOrFail(KILN_FIXTURE_GOOD);
  SessionPtr session = makeSession(artifact.get());
  artifact.reset(); // the session still holds a reference
  EXPECT_EQ(takeMessage(kiln_session_run(session.get(), "forward")), "");
}

} // namespace
