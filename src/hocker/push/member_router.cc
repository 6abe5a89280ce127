// MemberRouter: the first four bytes decide (enough for the gzip and zstd magic numbers).
#include "hocker/push/member_router.h"

#include "hocker/base/error.h"

namespace hocker::push {

namespace {

constexpr std::size_t kDecideBytes = 4;

bool looks_like_object(std::string_view head) {
  for (char c : head) {
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r') continue;
    return c == '{';
  }
  return false;
}

}  // namespace

MemberRouter::MemberRouter(std::int64_t member_size, std::size_t max_document, Route route)
    : member_size_(member_size), max_document_(max_document), route_(std::move(route)) {}

void MemberRouter::decide(Bytes first) {
  decided_ = true;
  std::string_view head(reinterpret_cast<const char*>(first.data()), first.size());
  if (member_size_ >= 0 && static_cast<std::uint64_t>(member_size_) <= max_document_ &&
      looks_like_object(head)) {
    document_.emplace();
    return;
  }
  sink_ = route_(first);
}

void MemberRouter::write(Bytes data) {
  if (!decided_) {
    head_.append(reinterpret_cast<const char*>(data.data()), data.size());
    if (head_.size() < kDecideBytes) return;
    std::string head = std::move(head_);
    head_.clear();
    decide(as_bytes(head.data(), head.size()));
    write(as_bytes(head.data(), head.size()));
    return;
  }
  if (document_) {
    if (document_->size() + data.size() > max_document_) {
      throw Error(ErrorKind::kFormat, "a document member is longer than its header says");
    }
    document_->append(reinterpret_cast<const char*>(data.data()), data.size());
  } else if (sink_ != nullptr) {
    sink_->write(data);
  }
}

void MemberRouter::finish() {
  if (!decided_) {
    std::string head = std::move(head_);
    head_.clear();
    decide(as_bytes(head.data(), head.size()));
    if (!head.empty()) write(as_bytes(head.data(), head.size()));
  }
  if (sink_ != nullptr) sink_->finish();
}

}  // namespace hocker::push
