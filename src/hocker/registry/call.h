// The state of one logical registry request across retries and authentication rounds;
// shared by the client's translation units, not part of its interface.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "hocker/base/byte_sink.h"
#include "hocker/http/transport.h"
#include "hocker/registry/client.h"

namespace hocker::registry {

/// One logical request, kept across retries and authentication rounds.
struct Client::Call {
  std::string method = "GET";
  std::string url;  // Absolute, built from base_url().
  std::string scope;
  std::vector<http::Header> headers;
  ByteSink* sink = nullptr;
  std::size_t max_body = 4u << 20;
  std::int64_t expected_length = -1;  // Whole-body length; -1 unknown.
  std::int64_t delivered = 0;         // Body bytes already handed to sink (for resuming).
  int auth_rounds = 0;
  bool anonymous = false;  // Never send credentials (a URL outside the registry).
};

}  // namespace hocker::registry
