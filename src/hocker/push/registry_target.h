// The PushTarget of a real registry: one repository through registry::Client's write side.
#pragma once

#include <string>

#include "hocker/push/push_target.h"
#include "hocker/registry/client.h"

namespace hocker::push {

/// `repository` of the registry `client` talks to. Thread-safe as the client is.
class RegistryTarget final : public PushTarget {
 public:
  RegistryTarget(registry::Client& client, std::string repository)
      : client_(client), repository_(std::move(repository)) {}

  std::string name() const override { return repository_; }
  bool has_blob(const digest::Digest& digest) override;
  bool mount_blob(const digest::Digest& digest, const std::string& repository) override;
  std::unique_ptr<PushUpload> begin_upload() override;
  void put_blob(const digest::Digest& digest, std::string_view content) override;
  digest::Digest put_manifest(const std::string& reference, std::string_view media_type,
                              std::string_view raw) override;

 private:
  registry::Client& client_;
  std::string repository_;
};

}  // namespace hocker::push
