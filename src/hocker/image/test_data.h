// Helpers shared by the image unit tests: golden files and small JSON documents.
#pragma once

#include <fstream>
#include <sstream>
#include <string>

#include "hocker/digest/digest.h"

namespace hocker::image::testing {

/// The bytes of tests/data/image/<name>.
inline std::string read_golden(const std::string& name) {
  std::ifstream file(std::string(HOCKER_TEST_DATA) + "/image/" + name, std::ios::binary);
  std::ostringstream bytes;
  bytes << file.rdbuf();
  return bytes.str();
}

/// A valid sha256 digest string derived from `seed`.
inline std::string digest_of(const std::string& seed) {
  return digest::sha256(seed).string();
}

/// A descriptor JSON object.
inline std::string descriptor_json(const std::string& media_type, const std::string& seed,
                                   const std::string& extra = "") {
  return R"({"mediaType":")" + media_type + R"(","digest":")" + digest_of(seed) + R"(","size":12)" +
         extra + "}";
}

/// `depth` nested arrays around `inner`.
inline std::string nested(std::size_t depth, const std::string& inner = "1") {
  return std::string(depth, '[') + inner + std::string(depth, ']');
}

}  // namespace hocker::image::testing
