#include "hocker/registry/blob_upload.h"

#include <algorithm>
#include <thread>

#include "hocker/base/error.h"

namespace hocker::registry {
namespace {

std::size_t chunk_for(const UploadSession& session, std::size_t chunk_size) {
  if (session.min_chunk > kMaxUploadChunk) {
    throw Error(ErrorKind::kFormat, "upload to " + session.repository + ": the registry asks for " +
                                        std::to_string(session.min_chunk) +
                                        "-byte chunks, more than hocker holds in memory (" +
                                        std::to_string(kMaxUploadChunk) + ")");
  }
  return std::max(std::max<std::size_t>(chunk_size, 1),
                  static_cast<std::size_t>(session.min_chunk));
}

Error must_restart(const UploadSession& session, std::int64_t held, std::int64_t low,
                   std::int64_t high) {
  return Error(ErrorKind::kNetwork,
               "upload to " + session.repository + ": the registry holds " + std::to_string(held) +
                   " bytes, outside the chunk being sent (" + std::to_string(low) + "-" +
                   std::to_string(high) + "); the upload must start again",
               Transient::kYes);
}

}  // namespace

BlobUpload::BlobUpload(Client& client, UploadSession session, std::size_t chunk_size,
                       digest::Algorithm algorithm)
    : client_(client),
      session_(std::move(session)),
      chunk_size_(chunk_for(session_, chunk_size)),
      hasher_(algorithm) {}

BlobUpload::BlobUpload(Client& client, const std::string& repository, std::size_t chunk_size,
                       digest::Algorithm algorithm)
    : BlobUpload(client, client.start_upload(repository), chunk_size, algorithm) {}

BlobUpload::~BlobUpload() {
  if (!done_) client_.cancel_upload(session_);
}

void BlobUpload::write(Bytes data) {
  while (!data.empty()) {
    std::size_t take = std::min(data.size(), chunk_size_ - buffer_.size());
    hasher_.update(data.first(take));
    buffer_.append(reinterpret_cast<const char*>(data.data()), take);
    data = data.subspan(take);
    if (buffer_.size() == chunk_size_) send_buffer();
  }
}

// PATCHes buffer_, resuming within it after a transient failure (docs/spec.md §7).
void BlobUpload::send_buffer() {
  resend_from_ = 0;
  std::int64_t end = sent_ + static_cast<std::int64_t>(buffer_.size());
  for (int attempt = 1; resend_from_ < buffer_.size(); ++attempt) {
    std::int64_t offset = sent_ + static_cast<std::int64_t>(resend_from_);
    try {
      std::int64_t held =
          client_.send_chunk(session_, offset, std::string_view(buffer_).substr(resend_from_));
      if (held < offset || held > end) throw must_restart(session_, held, offset, end);
      resend_from_ = static_cast<std::size_t>(held - sent_);
    } catch (const Error& error) {
      if (!error.is_transient() || attempt >= client_.options().retry.attempts) throw;
      resend_from_registry_position(attempt, error);
    }
  }
  sent_ = end;
  buffer_.clear();
  resend_from_ = 0;
}

// After a failed PATCH: waits as the retry policy says, then asks the registry how much of
// the chunk arrived, so that only the rest is sent again.
void BlobUpload::resend_from_registry_position(int attempt, const Error& failure) {
  const ClientOptions& options = client_.options();
  auto delay = backoff_delay(options.retry, attempt, failure.retry_after());
  std::int64_t offset = sent_ + static_cast<std::int64_t>(resend_from_);
  if (options.on_retry) {
    options.on_retry(RetryNotice{failure.what(), delay, attempt + 1, options.retry.attempts, 0});
  }
  std::this_thread::sleep_for(delay);
  std::int64_t held = client_.upload_offset(session_);
  std::int64_t end = sent_ + static_cast<std::int64_t>(buffer_.size());
  if (held < sent_ || held > end) throw must_restart(session_, held, offset, end);
  resend_from_ = static_cast<std::size_t>(held - sent_);
}

void BlobUpload::commit(const digest::Digest& digest) {
  digest::Digest computed = hasher_.digest();
  if (computed != digest) {
    done_ = true;
    client_.cancel_upload(session_);
    throw Error(ErrorKind::kIntegrity, "blob " + digest.string() + ": the " +
                                           std::to_string(size()) + " bytes uploaded hash to " +
                                           computed.string() + "; not committed");
  }
  if (!buffer_.empty()) send_buffer();
  done_ = true;
  client_.complete_upload(session_, digest);
}

}  // namespace hocker::registry
