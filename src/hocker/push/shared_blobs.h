// What the pushes of one bundle share: which repository of which registry already received
// each blob, so that a later image of the same registry mounts it (POST ?mount=&from=) instead
// of uploading it again. Each image's PushTarget is wrapped in a SharingTarget.
#pragma once

#include <atomic>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "hocker/push/push_target.h"

namespace hocker::push {

/// Blob digest → the repository that has it, per registry. Thread-safe.
class SharedBlobs {
 public:
  /// Remembers that `repository` of `registry` has `digest` (the first one is kept).
  void record(const std::string& registry, const std::string& repository,
              const digest::Digest& digest);
  /// A repository of `registry` other than `repository` known to have `digest`.
  std::optional<std::string> holder(const std::string& registry, const std::string& repository,
                                    const digest::Digest& digest) const;

 private:
  mutable std::mutex mutex_;
  std::map<std::string, std::map<std::string, std::string>> holders_;
};

/// `inner` (one repository of `registry`) with has_blob() answering true, after a mount, for a
/// blob another repository of the same registry received during this bundle push; every blob
/// that `inner` is found to have, or receives, is recorded.
class SharingTarget final : public PushTarget {
 public:
  SharingTarget(PushTarget& inner, std::string registry, SharedBlobs& shared)
      : inner_(inner), registry_(std::move(registry)), shared_(shared) {}

  std::string name() const override { return inner_.name(); }
  bool has_blob(const digest::Digest& digest) override;
  bool mount_blob(const digest::Digest& digest, const std::string& repository) override;
  std::unique_ptr<PushUpload> begin_upload() override;
  void put_blob(const digest::Digest& digest, std::string_view content) override;
  digest::Digest put_manifest(const std::string& reference, std::string_view media_type,
                              std::string_view raw) override {
    return inner_.put_manifest(reference, media_type, raw);
  }

  /// Blobs mounted from another repository of the bundle.
  int mounted() const { return mounted_; }

 private:
  void record(const digest::Digest& digest) { shared_.record(registry_, name(), digest); }

  PushTarget& inner_;
  std::string registry_;
  SharedBlobs& shared_;
  std::atomic<int> mounted_{0};
};

}  // namespace hocker::push
