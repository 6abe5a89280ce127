// Fuzzes the image documents a registry serves: classification, manifests, indexes (with
// platform selection) and configs. hocker::Error is the expected way to refuse input.
#include <cstddef>
#include <cstdint>
#include <string>

#include "hocker/base/error.h"
#include "hocker/image/manifest.h"

namespace {

template <typename Function>
void expect_error_or_value(Function function) {
  try {
    function();
  } catch (const hocker::Error&) {
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace hocker::image;
  std::string raw(reinterpret_cast<const char*>(data), size);
  expect_error_or_value([&] { (void)classify(raw, ""); });
  expect_error_or_value([&] { (void)classify(raw, media_type::kDockerManifestList); });
  expect_error_or_value([&] { (void)Manifest::parse(raw).layers().size(); });
  expect_error_or_value([&] { (void)ImageConfig::parse(raw).diff_ids().size(); });
  expect_error_or_value([&] {
    Index index = Index::parse(raw);
    (void)index.platforms();
    for (const char* wanted : {"linux/amd64", "linux/arm64", "linux/arm/v6", "windows/amd64"}) {
      expect_error_or_value([&] { (void)index.select(Platform::parse(wanted)); });
    }
  });
  return 0;
}
