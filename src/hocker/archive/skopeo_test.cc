// Cross-checks with an independent implementation: skopeo re-reads our archives and verifies
// every layer against its digest and the config's diff_ids.
#include <gtest/gtest.h>

#include <cstdio>

#include "hocker/archive/image_archive.h"
#include "hocker/archive/test_image.h"

namespace hocker::archive {
namespace {

using testing::gzip_layer;
using testing::TempDir;
using testing::TestImage;

bool has_skopeo() {
  return std::system("skopeo --version >/dev/null 2>&1") == 0;
}

// Runs `command`, returning its exit status and, in `output`, stdout and stderr together.
int run(const std::string& command, std::string& output) {
  std::FILE* pipe = ::popen((command + " 2>&1").c_str(), "r");
  if (pipe == nullptr) return -1;
  char buffer[4096];
  std::size_t got;
  while ((got = std::fread(buffer, 1, sizeof buffer, pipe)) > 0) output.append(buffer, got);
  return ::pclose(pipe);
}

void write_archive(const ImageSource& source, Format format, const std::string& path) {
  AtomicFile file(path);
  ArchiveOutput output(file);
  WriteOptions options;
  options.format = format;
  write_image_archive(source, options, output);
  file.commit();
}

TEST(Skopeo, CopiesOurDockerArchiveVerifyingEveryDiffId) {
  if (!has_skopeo()) GTEST_SKIP() << "skopeo is not installed";
  TempDir directory;
  TestImage image;
  image.layers = {gzip_layer(1, 200'000), gzip_layer(2, 1000), gzip_layer(1, 200'000)};
  ImageSource source = image.source();
  std::string archive = directory.path + "/image.tar";
  write_archive(source, Format::kDocker, archive);
  std::string output;
  EXPECT_EQ(
      run("skopeo copy docker-archive:" + archive + " oci:" + directory.path + "/copy", output), 0)
      << output;
  output.clear();
  EXPECT_EQ(run("skopeo list-tags docker-archive:" + archive, output), 0) << output;
  EXPECT_NE(output.find("example.com:5000/team/app:1.0"), std::string::npos) << output;
}

TEST(Skopeo, CopiesOurOciArchive) {
  if (!has_skopeo()) GTEST_SKIP() << "skopeo is not installed";
  for (auto media_types :
       {std::pair(image::media_type::kOciManifest, image::media_type::kOciConfig),
        std::pair(image::media_type::kDockerManifest, image::media_type::kDockerConfig)}) {
    SCOPED_TRACE(media_types.first);
    TempDir directory;
    TestImage image;
    image.manifest_media_type = std::string(media_types.first);
    image.config_media_type = std::string(media_types.second);
    image.layers = {gzip_layer(1, 100'000), gzip_layer(2, 1000)};
    ImageSource source = image.source();
    std::string archive = directory.path + "/image.tar";
    write_archive(source, Format::kOci, archive);
    std::string output;
    EXPECT_EQ(
        run("skopeo copy oci-archive:" + archive + " oci:" + directory.path + "/copy", output), 0)
        << output;
    output.clear();
    EXPECT_EQ(
        run("skopeo copy docker-archive:" + archive + " oci:" + directory.path + "/copy2", output),
        0)
        << output;
  }
}

}  // namespace
}  // namespace hocker::archive
