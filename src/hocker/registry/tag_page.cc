#include "hocker/registry/tag_page.h"

#include <nlohmann/json.hpp>

#include "hocker/base/document_check.h"
#include "hocker/base/error.h"
#include "hocker/ref/grammar.h"

namespace hocker::registry {
namespace {

// A SAX reader: tags go straight into the listing, everything else is skipped, so a page
// costs its tags and not a DOM of the whole answer.
class TagPageReader final : public nlohmann::json_sax<nlohmann::json> {
 public:
  TagPageReader(const std::string& what, TagListing& listing) : what_(what), listing_(listing) {}

  bool null() override { return scalar(/*is_null=*/true); }
  bool boolean(bool) override { return scalar(); }
  bool number_integer(number_integer_t) override { return scalar(); }
  bool number_unsigned(number_unsigned_t) override { return scalar(); }
  bool number_float(number_float_t, const string_t&) override { return scalar(); }
  bool binary(binary_t&) override { return scalar(); }
  bool string(string_t& value) override {
    if (!in_tags()) return scalar();
    if (!ref::grammar::is_valid_tag(value)) {
      ++listing_.dropped;
    } else {
      listing_.tags.push_back(std::move(value));
    }
    if (listing_.tags.size() + listing_.dropped > kMaxTags) {
      fail("more than " + std::to_string(kMaxTags) + " tags");
    }
    return true;
  }
  bool start_object(std::size_t) override { return open(/*array=*/false); }
  bool end_object() override { return close(); }
  bool start_array(std::size_t) override { return open(/*array=*/true); }
  bool end_array() override { return close(); }
  bool key(string_t& name) override {
    if (depth_ == 1) tags_key_ = name == "tags";
    return true;
  }
  bool parse_error(std::size_t, const std::string&, const nlohmann::detail::exception&) override {
    fail("answer is not a JSON object");
  }

 private:
  bool in_tags() const { return depth_ == 2 && tags_array_; }
  bool at_tags_value() const { return depth_ == 1 && tags_key_; }

  bool scalar(bool is_null = false) {
    if (depth_ == 0) fail("answer is not a JSON object");
    if (in_tags()) fail("a tag is not a string");
    if (at_tags_value() && !is_null) fail("\"tags\" is not an array");
    return true;
  }
  bool open(bool array) {
    if (depth_ == 0 && array) fail("answer is not a JSON object");
    if (in_tags()) fail("a tag is not a string");
    if (at_tags_value()) {
      if (!array) fail("\"tags\" is not an array");
      tags_array_ = true;
    }
    ++depth_;
    return true;
  }
  bool close() {
    if (--depth_ == 1) tags_array_ = false;
    return true;
  }
  [[noreturn]] void fail(const std::string& reason) {
    throw Error(ErrorKind::kFormat, what_ + ": " + reason);
  }

  const std::string& what_;
  TagListing& listing_;
  std::size_t depth_ = 0;
  bool tags_key_ = false;
  bool tags_array_ = false;
};

}  // namespace

void parse_tag_page(std::string_view body, const std::string& what, TagListing& listing) {
  if (std::string problem = document_problem(body, kMaxTagPageSize, kMaxJsonDepth);
      !problem.empty()) {
    throw Error(ErrorKind::kFormat, what + ": invalid tag list: " + problem);
  }
  TagPageReader reader(what, listing);
  nlohmann::json::sax_parse(body, &reader);
}

}  // namespace hocker::registry
