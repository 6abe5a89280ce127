#include "hocker/base/document_check.h"

#include <gtest/gtest.h>

#include "hocker/base/error.h"

namespace hocker {
namespace {

TEST(DocumentProblem, AcceptsASmallShallowDocument) {
  EXPECT_EQ(document_problem(R"({"a":[1,{"b":"[[["}]})", 100, 3), "");
}

TEST(DocumentProblem, RefusesADocumentLargerThanTheCap) {
  EXPECT_EQ(document_problem(std::string(11, ' '), 10, 64), "11 bytes, more than the 10 allowed");
}

TEST(DocumentProblem, RefusesNestingDeeperThanTheCap) {
  EXPECT_EQ(document_problem("[[[[]]]]", 100, 3), "JSON nested deeper than 3 levels");
}

TEST(DocumentProblem, IgnoresBracketsInsideStringsWithEscapedQuotes) {
  EXPECT_EQ(document_problem(R"(["\"[[[[[[", 1])", 100, 1), "");
}

TEST(CheckDocument, ThrowsAFormatErrorNamingTheDocument) {
  try {
    check_document("[[", 100, 1, "tag list");
    FAIL() << "no error";
  } catch (const Error& error) {
    EXPECT_EQ(error.kind(), ErrorKind::kFormat);
    EXPECT_STREQ(error.what(), "invalid tag list: JSON nested deeper than 1 levels");
  }
}

}  // namespace
}  // namespace hocker
