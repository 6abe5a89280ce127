// RegistryTarget: a thin adapter; retries, auth scopes and chunking are the registry module's.
#include "hocker/push/registry_target.h"

#include "hocker/registry/blob_upload.h"

namespace hocker::push {

namespace {

class RegistryUpload final : public PushUpload {
 public:
  RegistryUpload(registry::Client& client, const std::string& repository)
      : upload_(client, repository) {}
  void write(Bytes data) override { upload_.write(data); }
  void finish() override { upload_.finish(); }
  void commit(const digest::Digest& digest) override { upload_.commit(digest); }

 private:
  registry::BlobUpload upload_;
};

}  // namespace

bool RegistryTarget::has_blob(const digest::Digest& digest) {
  return client_.has_blob(repository_, digest);
}

bool RegistryTarget::mount_blob(const digest::Digest& digest, const std::string& repository) {
  registry::MountResult result = client_.mount_blob(repository_, digest, repository);
  if (result.mounted) return true;
  if (result.session) client_.cancel_upload(*result.session);
  return false;
}

std::unique_ptr<PushUpload> RegistryTarget::begin_upload() {
  return std::make_unique<RegistryUpload>(client_, repository_);
}

void RegistryTarget::put_blob(const digest::Digest& digest, std::string_view content) {
  client_.put_blob(repository_, digest, content);
}

digest::Digest RegistryTarget::put_manifest(const std::string& reference,
                                            std::string_view media_type, std::string_view raw) {
  return client_.put_manifest(repository_, reference, std::string(media_type), raw);
}

}  // namespace hocker::push
