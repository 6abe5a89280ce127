#include "hocker/base/scrub.h"

#include <gtest/gtest.h>

#include <thread>
#include <vector>

#include "hocker/base/secret.h"

namespace hocker {
namespace {

class ScrubTest : public ::testing::Test {
 protected:
  void SetUp() override { clear_secrets(); }
  void TearDown() override { clear_secrets(); }
};

TEST_F(ScrubTest, MasksTheSecretItself) {
  register_secret("hunter2!");
  EXPECT_EQ(scrub("the server says hunter2! is wrong"), "the server says *** is wrong");
}

TEST_F(ScrubTest, MasksTheBase64FormOfUserAndPassword) {
  register_secret("alice:s3cret");
  // base64("alice:s3cret")
  EXPECT_EQ(scrub("got Authorization: Basic YWxpY2U6czNjcmV0"), "got Authorization: Basic ***");
}

TEST_F(ScrubTest, MasksTheBase64FormWithOrWithoutPadding) {
  register_secret("bob:pa55word");
  // base64("bob:pa55word") is "Ym9iOnBhNTV3b3Jk"; base64("bob:pa55word!") needs padding.
  register_secret("bob:pa55word!");
  EXPECT_EQ(scrub("a Ym9iOnBhNTV3b3JkIQ== b Ym9iOnBhNTV3b3JkIQ c"), "a *** b *** c");
}

TEST_F(ScrubTest, MasksThePercentEncodedFormInEitherCase) {
  register_secret("alice:p@ss word");
  EXPECT_EQ(scrub("account=alice%3Ap%40ss%20word"), "account=***");
  EXPECT_EQ(scrub("account=alice%3ap%40ss%20word"), "account=***");
}

TEST_F(ScrubTest, MasksInAnyLetterCase) {
  register_secret("Hunter2Pw");
  EXPECT_EQ(scrub("scheme hunter2pw and HUNTER2PW"), "scheme *** and ***");
}

TEST_F(ScrubTest, MasksTheLongerSecretFirst) {
  register_secret("abcdefgh");
  register_secret("xxabcdefghxx");
  EXPECT_EQ(scrub("token xxabcdefghxx"), "token ***");
}

TEST_F(ScrubTest, MasksAShortSecretOnlyWhereItStandsAlone) {
  register_secret("pw");
  EXPECT_EQ(scrub("password pw, 'pw' and pw2"), "password ***, '***' and pw2");
}

TEST_F(ScrubTest, ConstructingASecretRegistersIt) {
  Secret secret("tok-123456");
  EXPECT_EQ(scrub("Bearer tok-123456"), "Bearer ***");
}

TEST_F(ScrubTest, LeavesTextAloneWhenNoSecretIsKnown) {
  EXPECT_EQ(scrub("nothing to hide"), "nothing to hide");
}

TEST_F(ScrubTest, IgnoresAnEmptySecret) {
  register_secret("");
  EXPECT_EQ(scrub("abc"), "abc");
}

TEST_F(ScrubTest, IsSafeFromManyThreads) {
  std::vector<std::thread> threads;
  for (int i = 0; i < 4; ++i) {
    threads.emplace_back([i] {
      for (int j = 0; j < 200; ++j) {
        register_secret("secret-" + std::to_string(i) + "-" + std::to_string(j));
        (void)scrub("secret-0-0 and more");
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(scrub("x secret-3-199 y"), "x *** y");
}

TEST(StripControls, ReplacesC0ControlsAndDelWithSpaces) {
  EXPECT_EQ(strip_controls("a\x1b[31mb\nc\x7f"), "a [31mb c ");
}

TEST(StripControls, ReplacesUtf8EncodedC1Controls) {
  EXPECT_EQ(strip_controls("a\xc2\x9b"
                           "31mb\xc2\x85"),
            "a?31mb?");
}

TEST(StripControls, ReplacesRawC1BytesThatAreNotUtf8) {
  EXPECT_EQ(strip_controls("a\x9b"
                           "31m\x85z"),
            "a?31m?z");
}

TEST(StripControls, KeepsValidUtf8) {
  EXPECT_EQ(strip_controls("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x90\xb3 \xc2\xa0"),
            "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x90\xb3 \xc2\xa0");
}

TEST(StripControls, ReplacesOverlongAndTruncatedSequences) {
  EXPECT_EQ(strip_controls("\xc0\x80|\xe0\x80\x80|\xe2\x82"), "??|???|??");
}

TEST_F(ScrubTest, PrintableMessageScrubsAndStrips) {
  register_secret("pw-0000");
  EXPECT_EQ(printable_message("denied pw-0000\r\n\x1b]0;x\x07"), "denied ***   ]0;x ");
}

}  // namespace
}  // namespace hocker
