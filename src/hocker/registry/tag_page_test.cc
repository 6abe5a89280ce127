#include "hocker/registry/tag_page.h"

#include <gtest/gtest.h>

#include "hocker/base/error.h"

namespace hocker::registry {
namespace {

std::string failure_of(std::string_view body, TagListing& listing) {
  try {
    parse_tag_page(body, "GET x", listing);
  } catch (const Error& error) {
    EXPECT_EQ(error.kind(), ErrorKind::kFormat);
    return error.what();
  }
  return "";
}

TEST(ParseTagPage, CollectsTheTagsOfAPage) {
  TagListing listing;
  parse_tag_page(R"({"name":"a/b","tags":["1.0","latest"],"other":[{"tags":[1]}]})", "GET x",
                 listing);
  EXPECT_EQ(listing.tags, (std::vector<std::string>{"1.0", "latest"}));
  EXPECT_EQ(listing.dropped, 0u);
}

TEST(ParseTagPage, TakesNullOrMissingTagsAsAnEmptyPage) {
  TagListing listing;
  parse_tag_page(R"({"name":"a","tags":null})", "GET x", listing);
  parse_tag_page(R"({"name":"a"})", "GET x", listing);
  EXPECT_TRUE(listing.tags.empty());
}

TEST(ParseTagPage, DropsAndCountsStringsThatAreNotTags) {
  TagListing listing;
  parse_tag_page(
      "{\"tags\":[\"ok\",\"\\u001b[2J\",\"a\\nb\",\"\",\".x\",\"" + std::string(129, 'a') + "\"]}",
      "GET x", listing);
  EXPECT_EQ(listing.tags, (std::vector<std::string>{"ok"}));
  EXPECT_EQ(listing.dropped, 5u);
}

TEST(ParseTagPage, RefusesPagesThatAreNotTagLists) {
  struct Case {
    const char* body;
    const char* message;
  } cases[] = {
      {"[]", "GET x: answer is not a JSON object"},
      {"\"x\"", "GET x: answer is not a JSON object"},
      {"{\"tags\":", "GET x: answer is not a JSON object"},
      {R"({"tags":"x"})", "GET x: \"tags\" is not an array"},
      {R"({"tags":{}})", "GET x: \"tags\" is not an array"},
      {R"({"tags":[1]})", "GET x: a tag is not a string"},
      {R"({"tags":[["a"]]})", "GET x: a tag is not a string"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.body);
    TagListing listing;
    EXPECT_EQ(failure_of(c.body, listing), c.message);
  }
}

TEST(ParseTagPage, RefusesDeepNestingAndOversizedPages) {
  TagListing listing;
  EXPECT_NE(failure_of(std::string(100, '[') + std::string(100, ']'), listing).find("deeper"),
            std::string::npos);
  std::string huge = R"({"tags":[]})" + std::string(kMaxTagPageSize, ' ');
  EXPECT_NE(failure_of(huge, listing).find("allowed"), std::string::npos);
}

TEST(ParseTagPage, RefusesAListingBeyondTheTagLimit) {
  TagListing listing;
  listing.tags.assign(kMaxTags - 1, "t");
  parse_tag_page(R"({"tags":["last"]})", "GET x", listing);
  EXPECT_EQ(failure_of(R"({"tags":["one-more"]})", listing), "GET x: more than 100000 tags");
}

}  // namespace
}  // namespace hocker::registry
