// SharedBlobs and SharingTarget: a HEAD first (the repository may have the blob already), then
// a mount from the bundle's first holder, and uploads recorded when the registry accepts them.
#include "hocker/push/shared_blobs.h"

#include <functional>

namespace hocker::push {

namespace {

// An upload that records its blob once the registry accepted it.
class RecordingUpload final : public PushUpload {
 public:
  RecordingUpload(std::unique_ptr<PushUpload> inner,
                  std::function<void(const digest::Digest&)> done)
      : inner_(std::move(inner)), done_(std::move(done)) {}
  void write(Bytes data) override { inner_->write(data); }
  void finish() override { inner_->finish(); }
  void commit(const digest::Digest& digest) override {
    inner_->commit(digest);
    done_(digest);
  }

 private:
  std::unique_ptr<PushUpload> inner_;
  std::function<void(const digest::Digest&)> done_;
};

}  // namespace

void SharedBlobs::record(const std::string& registry, const std::string& repository,
                         const digest::Digest& digest) {
  std::lock_guard lock(mutex_);
  holders_[registry].emplace(digest.string(), repository);
}

std::optional<std::string> SharedBlobs::holder(const std::string& registry,
                                               const std::string& repository,
                                               const digest::Digest& digest) const {
  std::lock_guard lock(mutex_);
  auto in_registry = holders_.find(registry);
  if (in_registry == holders_.end()) return std::nullopt;
  auto found = in_registry->second.find(digest.string());
  if (found == in_registry->second.end() || found->second == repository) return std::nullopt;
  return found->second;
}

bool SharingTarget::has_blob(const digest::Digest& digest) {
  if (inner_.has_blob(digest)) {
    record(digest);
    return true;
  }
  std::optional<std::string> from = shared_.holder(registry_, name(), digest);
  if (!from || !inner_.mount_blob(digest, *from)) return false;
  ++mounted_;
  record(digest);
  return true;
}

bool SharingTarget::mount_blob(const digest::Digest& digest, const std::string& repository) {
  if (!inner_.mount_blob(digest, repository)) return false;
  record(digest);
  return true;
}

std::unique_ptr<PushUpload> SharingTarget::begin_upload() {
  return std::make_unique<RecordingUpload>(
      inner_.begin_upload(), [this](const digest::Digest& digest) { record(digest); });
}

void SharingTarget::put_blob(const digest::Digest& digest, std::string_view content) {
  inner_.put_blob(digest, content);
  record(digest);
}

}  // namespace hocker::push
