// Shared by the registry client's unit tests: a scripted registry on the in-tree test server
// and a client for it with fast retries.
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "hocker/base/error.h"
#include "hocker/http/test_server.h"
#include "hocker/registry/client.h"

namespace hocker::registry::testing {

using http::testing::ServerConnection;
using http::testing::ServerRequest;
using http::testing::TestServer;

/// The registry as a reference names it: "127.0.0.1:PORT", no scheme.
inline ref::Registry loopback(const TestServer& server, std::string scheme = "") {
  return ref::Registry{"127.0.0.1:" + std::to_string(server.port()), std::move(scheme)};
}

/// Retries that wait a millisecond, so that only a Retry-After makes a test wait.
inline ClientOptions fast_options() {
  ClientOptions options;
  options.retry.attempts = 3;
  options.retry.base_delay = std::chrono::milliseconds(1);
  options.retry.max_delay = std::chrono::milliseconds(1);
  return options;
}

inline std::unique_ptr<Client> client_for(const TestServer& server,
                                          auth::Credentials credentials = {},
                                          ClientOptions options = fast_options()) {
  auto authenticator = std::make_shared<auth::Authenticator>(std::move(credentials), "test");
  return std::make_unique<Client>(loopback(server), std::move(authenticator), std::move(options));
}

/// The error `action` throws; a test failure when it throws none.
template <typename Action>
Error error_of(Action action) {
  try {
    action();
  } catch (const Error& error) {
    return error;
  }
  ADD_FAILURE() << "no error thrown";
  return Error(ErrorKind::kInternal, "none");
}

/// The Authorization header of each request the server saw ("" when absent).
inline std::vector<std::string> authorizations(const TestServer& server) {
  std::vector<std::string> values;
  for (const ServerRequest& request : server.requests()) {
    values.push_back(request.headers.get("Authorization").value_or(""));
  }
  return values;
}

constexpr const char* kManifest = R"({"schemaVersion":2})";

}  // namespace hocker::registry::testing
