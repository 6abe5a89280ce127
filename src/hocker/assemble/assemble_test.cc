#include "hocker/assemble/assemble.h"

#include <gtest/gtest.h>

#include "hocker/assemble/test_blobs.h"
#include "hocker/base/test_support.h"

namespace hocker::assemble {
namespace {

using test_support::kind_of;
using test_support::StringSink;
using testing::LockedTestImage;
using testing::ScratchDir;
using testing::write_file;

struct Assemble : ::testing::Test {
  ScratchDir scratch;
  LockedTestImage test;
  Assemble() { test.write_blobs(scratch.path); }

  archive::ImageSource source(VerifyLayers verify = VerifyLayers::kUpFront,
                              const std::optional<std::string>& tag = std::nullopt) {
    return make_source(test.image, test.image.platforms[0], BlobFiles::in_directory(scratch.path),
                       tag, verify);
  }
  std::filesystem::path layer_file(std::size_t i) const {
    return LockedTestImage::path_of(scratch.path, test.layers[i]);
  }
};

TEST_F(Assemble, BuildsTheSourceFromTheManifestAndConfigFilesExactly) {
  archive::ImageSource made = source();
  EXPECT_EQ(made.manifest.raw(), test.manifest);
  EXPECT_EQ(made.config.raw(), test.config);
  EXPECT_EQ(made.repo_tags, std::vector<std::string>{"127.0.0.1:5000/team/app:1.0"});
  EXPECT_EQ(made.oci_ref_name, "1.0");
  EXPECT_EQ(made.oci_image_name, "127.0.0.1:5000/team/app:1.0");
}

TEST_F(Assemble, RecordsTheGivenTagAsHockerImageDoes) {
  archive::ImageSource made = source(VerifyLayers::kUpFront, "mine:2");
  EXPECT_EQ(made.repo_tags, std::vector<std::string>{"mine:2"});
  EXPECT_EQ(made.oci_ref_name, "1.0");
}

TEST_F(Assemble, TheFetcherStreamsEachLayerFile) {
  archive::ImageSource made = source();
  for (std::size_t i = 0; i < test.layers.size(); ++i) {
    StringSink sink;
    made.fetch(made.manifest.layers()[i], sink);
    EXPECT_EQ(sink.text, test.layers[i]);
  }
}

TEST_F(Assemble, AMissingLayerFileIsNotFoundNamingItsDigest) {
  std::filesystem::remove(layer_file(1));
  std::string message;
  EXPECT_EQ(kind_of([&] { source(); }, &message), ErrorKind::kNotFound);
  EXPECT_NE(message.find(digest::sha256(test.layers[1]).string()), std::string::npos) << message;
}

TEST_F(Assemble, ALayerFileOfAnotherSizeIsAnIntegrityErrorEvenWhenVerifiedWhileWriting) {
  write_file(layer_file(0), test.layers[0] + "x");
  std::string message;
  EXPECT_EQ(kind_of([&] { source(VerifyLayers::kWhileWriting); }, &message), ErrorKind::kIntegrity);
  EXPECT_NE(message.find("the lock says"), std::string::npos) << message;
}

TEST_F(Assemble, ATamperedLayerOfTheSameSizeIsAnIntegrityErrorWhenVerifiedUpFront) {
  std::string tampered = test.layers[1];
  tampered[0] ^= 1;
  write_file(layer_file(1), tampered);
  EXPECT_EQ(kind_of([&] { source(VerifyLayers::kUpFront); }), ErrorKind::kIntegrity);
  // Left to the archive writer, which verifies every layer as it streams.
  EXPECT_NO_THROW(source(VerifyLayers::kWhileWriting));
}

TEST_F(Assemble, ATamperedManifestOrConfigIsAlwaysAnIntegrityError) {
  for (const std::string* document : {&test.manifest, &test.config}) {
    SCOPED_TRACE(*document);
    std::filesystem::path file = LockedTestImage::path_of(scratch.path, *document);
    std::string tampered = *document;
    tampered[tampered.size() - 1] = ' ';
    write_file(file, tampered);
    EXPECT_EQ(kind_of([&] { source(VerifyLayers::kWhileWriting); }), ErrorKind::kIntegrity);
    write_file(file, *document);
  }
}

TEST_F(Assemble, ALockDisagreeingWithItsConfigIsAFormatError) {
  test.image.platforms[0].layers[1].diff_id = digest::sha256("three").string();
  std::string message;
  EXPECT_EQ(kind_of([&] { source(); }, &message), ErrorKind::kFormat);
  EXPECT_NE(message.find("diff_id 1"), std::string::npos) << message;
}

TEST(BlobFiles, FindsNestedFilesBeforeFlatOnes) {
  ScratchDir scratch;
  digest::Digest digest = digest::sha256("blob");
  write_file(scratch.path / digest.hex(), "flat");
  BlobFiles files = BlobFiles::in_directory(scratch.path);
  EXPECT_EQ(files.locate(digest), scratch.path / digest.hex());
  write_file(scratch.path / "sha256" / digest.hex(), "nested");
  EXPECT_EQ(files.locate(digest), scratch.path / "sha256" / digest.hex());
}

TEST(BlobFiles, ListedFilesAreFoundByTheHexDigestEndingTheirName) {
  digest::Digest digest = digest::sha256("blob");
  std::string hex = digest.hex();
  struct Case {
    std::string file;
    bool found;
  } cases[] = {
      {"/x/" + hex, true},
      {"/x/sha256:" + hex, true},
      {"/nix/store/abc-blob-sha256-" + hex, true},
      {"/x/" + hex + ".tar", false},
      {"/x/a" + hex, false},  // The tail of a longer hex run.
      {"/x/" + hex + "/y", false},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.file);
    BlobFiles files = BlobFiles::listed({c.file});
    if (c.found) {
      EXPECT_EQ(files.locate(digest), c.file);
    } else {
      EXPECT_EQ(kind_of([&] { files.locate(digest); }), ErrorKind::kNotFound);
    }
  }
}

TEST(BlobFiles, ANonDirectoryIsAUsageError) {
  EXPECT_EQ(kind_of([] { BlobFiles::in_directory("/nonexistent/blobs"); }), ErrorKind::kUsage);
}

lock::Lockfile two_images() {
  LockedTestImage test;
  lock::Lockfile lockfile;
  lockfile.images = {test.image, test.image};
  lockfile.images[1].reference = "127.0.0.1:5000/other:2";
  lock::LockedPlatform arm = lockfile.images[1].platforms[0];
  arm.platform = {"linux", "arm", "v7"};
  lockfile.images[1].platforms.push_back(arm);
  return lockfile;
}

TEST(SelectImage, TakesTheFirstByDefaultElseAnIndexOrAReference) {
  lock::Lockfile lockfile = two_images();
  EXPECT_EQ(&select_image(lockfile, ""), &lockfile.images[0]);
  EXPECT_EQ(&select_image(lockfile, "1"), &lockfile.images[1]);
  EXPECT_EQ(&select_image(lockfile, "127.0.0.1:5000/other:2"), &lockfile.images[1]);
  std::string message;
  EXPECT_EQ(kind_of([&] { select_image(lockfile, "other:2"); }, &message), ErrorKind::kNotFound);
  EXPECT_NE(message.find("127.0.0.1:5000/other:2"), std::string::npos) << message;
  EXPECT_EQ(kind_of([&] { select_image(lockfile, "2"); }), ErrorKind::kNotFound);
}

TEST(SelectPlatform, TakesTheOnlyOneOrTheOneAskedFor) {
  lock::Lockfile lockfile = two_images();
  const lock::LockedImage& single = lockfile.images[0];
  EXPECT_EQ(&select_platform(single, std::nullopt), &single.platforms[0]);
  const lock::LockedImage& multi = lockfile.images[1];
  EXPECT_EQ(&select_platform(multi, image::Platform::parse("linux/arm/v7")), &multi.platforms[1]);
  EXPECT_EQ(&select_platform(multi, image::Platform::parse("linux/arm")), &multi.platforms[1]);
  std::string message;
  EXPECT_EQ(
      kind_of([&] { select_platform(multi, image::Platform::parse("linux/s390x")); }, &message),
      ErrorKind::kNotFound);
  EXPECT_NE(message.find("linux/amd64, linux/arm/v7"), std::string::npos) << message;
}

}  // namespace
}  // namespace hocker::assemble
