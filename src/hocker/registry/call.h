// The state of one logical registry request across retries and authentication rounds, and the
// transport pool's lease; shared by the client's translation units, not part of its interface.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "hocker/base/byte_sink.h"
#include "hocker/http/transport.h"
#include "hocker/registry/client.h"

namespace hocker::registry {

/// Whether a request may carry the registry's credentials.
enum class SendCredentials { kYes, kNo };

/// One logical request, kept across retries and authentication rounds.
struct Client::Call {
  std::string method = "GET";
  std::string url;  // Absolute, built from request_base_url().
  std::string scope;
  std::vector<http::Header> headers;
  ByteSink* sink = nullptr;
  std::size_t max_body = 4u << 20;
  std::int64_t expected_length = -1;  // Whole-body length; -1 unknown.
  std::int64_t delivered = 0;         // Body bytes already handed to sink (for resuming).
  std::int64_t range_end = -1;        // >= 0: ask for the bytes before this offset only.
  bool partial_only = false;          // A 200 to the Range ends the call (no whole body).
  http::AnswerDeadline answer_deadline = http::AnswerDeadline::kUnlessStreaming;
  std::string_view body;   // Sent with POST, PUT and PATCH; the caller's bytes, not copied.
  BodyReader body_reader;  // When set: a streamed body of body_length bytes, read once.
  std::int64_t body_length = -1;
  int attempts = 0;  // > 0: at most this many attempts; 0: the retry policy's.
  int auth_rounds = 0;
  SendCredentials send_credentials = SendCredentials::kYes;  // kNo: a URL outside the registry.
};

/// `url` with `query` appended ("?query", or "&query" when it has one already).
std::string with_query(const std::string& url, const std::string& query);

/// Borrows an idle transport (keeping its connections warm) and gives it back.
class Client::TransportLease {
 public:
  explicit TransportLease(Client& client) : client_(client) {
    std::lock_guard lock(client_.mutex_);
    if (!client_.idle_.empty()) {
      transport_ = std::move(client_.idle_.back());
      client_.idle_.pop_back();
    }
    if (!transport_) transport_ = std::make_unique<http::Transport>(client_.options_.transport);
  }
  ~TransportLease() {
    std::lock_guard lock(client_.mutex_);
    client_.idle_.push_back(std::move(transport_));
  }
  http::Transport& operator*() { return *transport_; }
  /// Takes the most recently pooled connection instead (one just warmed), leaving this one at
  /// the back of the queue.
  void trade_for_pooled() {
    std::lock_guard lock(client_.mutex_);
    if (client_.idle_.empty()) return;
    std::unique_ptr<http::Transport> pooled = std::move(client_.idle_.back());
    client_.idle_.pop_back();
    client_.idle_.insert(client_.idle_.begin(), std::move(transport_));
    transport_ = std::move(pooled);
  }

 private:
  Client& client_;
  std::unique_ptr<http::Transport> transport_;
};

}  // namespace hocker::registry
