#include "hocker/copy/blob_copy.h"

#include "hocker/base/error.h"
#include "hocker/pull/blob_pull.h"
#include "hocker/registry/blob_upload.h"

namespace hocker::copy {
namespace {

// Passes the bytes on to the upload and tells the observer how far it got.
class ProgressSink final : public ByteSink {
 public:
  ProgressSink(ByteSink& next, ProgressObserver* progress, std::size_t index)
      : next_(next), progress_(progress), index_(index) {}
  void write(Bytes data) override {
    next_.write(data);
    if (progress_ != nullptr) progress_->layer_progress(index_, std::ssize(data));
  }
  void finish() override {}

 private:
  ByteSink& next_;
  ProgressObserver* progress_;
  std::size_t index_;
};

void stream_blob(const CopyEnds& ends, const image::Descriptor& blob, registry::BlobUpload& upload,
                 std::size_t index, ProgressObserver* progress) {
  ProgressSink sink(upload, progress, index);
  pull::fetch_blob(ends.source, ends.source_repository, blob, sink, ends.cache);
  if (upload.size() != blob.size) {
    throw Error(ErrorKind::kIntegrity,
                "blob " + blob.digest.string() + ": size mismatch: " + "expected " +
                    std::to_string(blob.size) + " bytes, got " + std::to_string(upload.size()));
  }
  upload.commit(blob.digest);
}

// One upload of the blob, into `session` when a refused mount opened one.
void upload_blob(const CopyEnds& ends, const image::Descriptor& blob, std::size_t index,
                 ProgressObserver* progress, std::optional<registry::UploadSession> session) {
  int attempts = ends.target.options().retry.attempts;
  for (int attempt = 1;; ++attempt) {
    try {
      if (session) {
        registry::BlobUpload upload(ends.target, std::move(*session));
        session.reset();
        stream_blob(ends, blob, upload, index, progress);
      } else {
        registry::BlobUpload upload(ends.target, ends.target_repository);
        stream_blob(ends, blob, upload, index, progress);
      }
      return;
    } catch (const Error& error) {
      // A transient failure here outlived the retries within the upload (a lost session):
      // the blob starts again, fetched anew.
      if (!error.is_transient() || attempt >= attempts) throw;
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
