#include "hocker/push/shared_blobs.h"

#include <gtest/gtest.h>

#include <map>
#include <set>
#include <vector>

namespace hocker::push {
namespace {

// A registry of repositories that mounts a blob from a repository that has it.
struct FakeRegistry {
  std::map<std::string, std::set<std::string>> blobs;
  std::vector<std::string> log;
};

class RepositoryTarget final : public PushTarget {
 public:
  RepositoryTarget(FakeRegistry& registry, std::string name)
      : registry_(registry), name_(std::move(name)) {}
  class Upload final : public PushUpload {
   public:
    explicit Upload(RepositoryTarget& target) : target_(target) {}
    void write(Bytes /*data*/) override {}
    void finish() override {}
    void commit(const digest::Digest& digest) override {
      target_.registry_.blobs[target_.name_].insert(digest.string());
      target_.registry_.log.push_back("upload " + target_.name_);
    }

   private:
    RepositoryTarget& target_;
  };
  std::string name() const override { return name_; }
  bool has_blob(const digest::Digest& digest) override {
    return registry_.blobs[name_].contains(digest.string());
  }
  bool mount_blob(const digest::Digest& digest, const std::string& repository) override {
    registry_.log.push_back("mount " + name_ + " from " + repository);
    if (!registry_.blobs[repository].contains(digest.string())) return false;
    registry_.blobs[name_].insert(digest.string());
    return true;
  }
  std::unique_ptr<PushUpload> begin_upload() override { return std::make_unique<Upload>(*this); }
  void put_blob(const digest::Digest& digest, std::string_view /*content*/) override {
    registry_.blobs[name_].insert(digest.string());
    registry_.log.push_back("put " + name_);
  }
  digest::Digest put_manifest(const std::string& /*reference*/, std::string_view /*type*/,
                              std::string_view raw) override {
    return digest::sha256(raw);
  }

 private:
  FakeRegistry& registry_;
  std::string name_;
};

TEST(SharingTarget, MountsABlobAnotherRepositoryOfTheBundleReceived) {
  FakeRegistry registry;
  SharedBlobs shared;
  digest::Digest blob = digest::sha256("layer");
  RepositoryTarget first_repo(registry, "team/one");
  SharingTarget first(first_repo, "r.io", shared);
  EXPECT_FALSE(first.has_blob(blob));
  first.begin_upload()->commit(blob);
  RepositoryTarget second_repo(registry, "team/two");
  SharingTarget second(second_repo, "r.io", shared);
  EXPECT_TRUE(second.has_blob(blob));
  EXPECT_EQ(second.mounted(), 1);
  EXPECT_EQ(registry.log,
            (std::vector<std::string>{"upload team/one", "mount team/two from team/one"}));
}

TEST(SharingTarget, NeverMountsAcrossRegistriesOrFromItself) {
  FakeRegistry registry;
  SharedBlobs shared;
  digest::Digest config = digest::sha256("config");
  RepositoryTarget one_repo(registry, "team/one");
  SharingTarget one(one_repo, "r.io", shared);
  one.put_blob(config, "config");
  RepositoryTarget elsewhere_repo(registry, "team/two");
  SharingTarget elsewhere(elsewhere_repo, "other.io", shared);
  EXPECT_FALSE(elsewhere.has_blob(config));
  EXPECT_EQ(shared.holder("r.io", "team/one", config), std::nullopt);
  EXPECT_EQ(shared.holder("r.io", "team/two", config), "team/one");
  EXPECT_EQ(registry.log, std::vector<std::string>{"put team/one"});
}

TEST(SharingTarget, RecordsABlobTheRepositoryAlreadyHad) {
  FakeRegistry registry;
  SharedBlobs shared;
  digest::Digest blob = digest::sha256("base");
  registry.blobs["team/one"].insert(blob.string());
  RepositoryTarget one_repo(registry, "team/one");
  SharingTarget one(one_repo, "r.io", shared);
  EXPECT_TRUE(one.has_blob(blob));
  EXPECT_EQ(shared.holder("r.io", "team/two", blob), "team/one");
}

}  // namespace
}  // namespace hocker::push
