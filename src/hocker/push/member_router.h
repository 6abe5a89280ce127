// Deciding what an archive member is from its first bytes, without holding it back: a small
// JSON document (a config, manifest, index) is kept in memory, anything else (a layer) streams
// on to a sink chosen when the first bytes are known.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include "hocker/base/byte_sink.h"

namespace hocker::push {

/// Routes one member's bytes. The member is a document when its first byte that is not JSON
/// whitespace is '{' and it is at most `max_document` bytes long (its size from the tar
/// header): it is then collected. Otherwise `route(first)` is called once with at least the
/// first four bytes (fewer for a shorter member) and returns the sink for all of them (nullptr:
/// the bytes are discarded). finish() finishes that sink.
class MemberRouter final : public ByteSink {
 public:
  using Route = std::function<ByteSink*(Bytes first)>;
  MemberRouter(std::int64_t member_size, std::size_t max_document, Route route);

  void write(Bytes data) override;
  void finish() override;
  /// The document's bytes when the member was one (after finish()).
  const std::optional<std::string>& document() const { return document_; }

 private:
  void decide(Bytes first);
  std::int64_t member_size_;
  std::size_t max_document_;
  Route route_;
  std::string head_;
  bool decided_ = false;
  ByteSink* sink_ = nullptr;
  std::optional<std::string> document_;
};

}  // namespace hocker::push
