#include "hocker/copy/blob_copy.h"

#include <thread>

#include "hocker/base/error.h"
#include "hocker/copy/blob_pipe.h"
#include "hocker/digest/digest.h"
#include "hocker/pull/blob_pull.h"

namespace hocker::copy {
namespace {

// Passes the bytes on to the pipe, hashing them, and tells the observer how far it got.
class VerifyingSink final : public ByteSink {
 public:
  VerifyingSink(BlobPipe& pipe, const image::Descriptor& blob, ProgressObserver* progress,
                std::size_t index)
      : pipe_(pipe), hasher_(blob.digest.algorithm()), progress_(progress), index_(index) {}
  void write(Bytes data) override {
    hasher_.update(data);
    size_ += std::ssize(data);
    pipe_.write(data);
    if (progress_ != nullptr) progress_->layer_progress(index_, std::ssize(data));
  }
  void finish() override {}
  // Throws Error(kIntegrity) unless the bytes written are the blob's.
  void verify(const image::Descriptor& blob) {
    if (size_ != blob.size) {
      throw Error(ErrorKind::kIntegrity, "blob " + blob.digest.string() +
                                             ": size mismatch: expected " +
                                             std::to_string(blob.size) + " bytes, got " +
                                             std::to_string(size_) + "; not committed");
    }
    digest::Digest computed = hasher_.digest();
    if (computed != blob.digest) {
      throw Error(ErrorKind::kIntegrity, "blob " + blob.digest.string() + ": the bytes hash to " +
                                             computed.string() + "; not committed");
    }
  }

 private:
  BlobPipe& pipe_;
  digest::Hasher hasher_;
  std::int64_t size_ = 0;
  ProgressObserver* progress_;
  std::size_t index_;
};

// The download side, on a thread of its own: the GET (resumed with Range when it breaks off)
// into the pipe, closed only once every byte matched the descriptor.
void download_into(const CopyEnds& ends, const image::Descriptor& blob, BlobPipe& pipe,
                   std::size_t index, ProgressObserver* progress) noexcept {
  try {
    VerifyingSink sink(pipe, blob, progress, index);
    pull::fetch_blob(ends.source, ends.source_repository, blob, sink, ends.cache);
    sink.verify(blob);
    pipe.close();
  } catch (...) {
    pipe.fail(std::current_exception());
  }
}

// One upload of the blob: a GET and a streamed PUT at once, through a bounded pipe. A failure
// on either side ends both; the session is cancelled unless the PUT committed the blob.
void stream_blob(const CopyEnds& ends, const image::Descriptor& blob,
                 registry::UploadSession& session, std::size_t index, ProgressObserver* progress) {
  BlobPipe pipe;
  std::jthread download(
      [&ends, &blob, &pipe, index, progress] { download_into(ends, blob, pipe, index, progress); });
  try {
    ends.target.stream_upload(session, blob.digest, blob.size,
                              [&pipe](std::span<std::byte> out) { return pipe.read(out); });
  } catch (...) {
    pipe.cancel();
    download.join();
    ends.target.cancel_upload(session);
    throw;
  }
}

// Before a blob starts again: waits as the retry policy says, telling the observer.
void notify_restart(const registry::ClientOptions& options, const Error& failure, int attempt,
                    int attempts) {
  auto delay = registry::backoff_delay(options.retry, attempt, failure.retry_after());
  if (options.on_retry) {
    options.on_retry(registry::RetryNotice{failure.what(), delay, attempt + 1, attempts, 0});
  }
  std::this_thread::sleep_for(delay);
}

// Uploads the blob, into `session` when a refused mount opened one. A transient failure (a
// connection cut on either side, a lost session) starts the blob again in a new session, up
// to the target's retry attempts.
void upload_blob(const CopyEnds& ends, const image::Descriptor& blob, std::size_t index,
                 ProgressObserver* progress, std::optional<registry::UploadSession> session) {
  int attempts = ends.target.options().retry.attempts;
  for (int attempt = 1;; ++attempt) {
    try {
      registry::UploadSession current =
          session ? std::move(*session) : ends.target.start_upload(ends.target_repository);
      session.reset();
      stream_blob(ends, blob, current, index, progress);
      return;
    } catch (const Error& error) {
      if (!error.is_transient() || attempt >= attempts) throw;
      notify_restart(ends.target.options(), error, attempt, attempts);
    }
  }
}

}  // namespace

bool same_registry(const CopyEnds& ends) {
  return &ends.source == &ends.target ||
         ends.source.registry().domain == ends.target.registry().domain;
}

BlobOutcome copy_blob(const CopyEnds& ends, const image::Descriptor& blob, std::size_t index,
                      ProgressObserver* progress) {
  if (progress != nullptr) progress->layer_started(index, blob.digest.string(), blob.size);
  BlobOutcome outcome = BlobOutcome::kUploaded;
  if (ends.target.has_blob(ends.target_repository, blob.digest)) {
    outcome = BlobOutcome::kPresent;
  } else if (same_registry(ends) && ends.source_repository != ends.target_repository) {
    registry::MountResult mount =
        ends.target.mount_blob(ends.target_repository, blob.digest, ends.source_repository);
    if (mount.mounted) {
      outcome = BlobOutcome::kMounted;
    } else {
      upload_blob(ends, blob, index, progress, std::move(mount.session));
    }
  } else {
    upload_blob(ends, blob, index, progress, std::nullopt);
  }
  if (progress != nullptr) progress->layer_finished(index, blob.digest.string(), false);
  return outcome;
}

}  // namespace hocker::copy
