#include "hocker/http/status.h"

#include <gtest/gtest.h>

namespace hocker::http {
namespace {

TEST(ReasonPhrase, NamesTheStatusesRegistriesAndTokenServersSend) {
  struct Case {
    long status;
    const char* phrase;
  } cases[] = {
      {400, "Bad Request"},
      {401, "Unauthorized"},
      {403, "Forbidden"},
      {404, "Not Found"},
      {405, "Method Not Allowed"},
      {406, "Not Acceptable"},
      {407, "Proxy Authentication Required"},
      {408, "Request Timeout"},
      {416, "Range Not Satisfiable"},
      {429, "Too Many Requests"},
      {500, "Internal Server Error"},
      {502, "Bad Gateway"},
      {503, "Service Unavailable"},
      {504, "Gateway Timeout"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.status);
    EXPECT_EQ(reason_phrase(c.status), c.phrase);
  }
}

TEST(ReasonPhrase, IsEmptyForStatusesItDoesNotName) {
  for (long status : {0L, -1L, 200L, 418L, 501L, 599L, 999L}) {
    SCOPED_TRACE(status);
    EXPECT_EQ(reason_phrase(status), "");
  }
}

TEST(StatusText, AppendsThePhraseWhenThereIsOne) {
  EXPECT_EQ(status_text(404), "404 Not Found");
  EXPECT_EQ(status_text(429), "429 Too Many Requests");
  EXPECT_EQ(status_text(418), "418");
}

}  // namespace
}  // namespace hocker::http
