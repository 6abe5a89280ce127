#include "hocker/lock/select.h"

#include <algorithm>

#include "hocker/base/error.h"

namespace hocker::lock {

std::vector<image::Descriptor> select_entries(const image::Index& index,
                                              const PlatformSelection& selection) {
  std::vector<image::Platform> wanted;
  switch (selection.mode) {
    case PlatformSelection::Mode::kHost:
      wanted = {image::Platform::host()};
      break;
    case PlatformSelection::Mode::kListed:
      wanted = selection.platforms;
      break;
    case PlatformSelection::Mode::kAll:
      wanted = index.platforms();
      if (wanted.empty()) {
        throw Error(ErrorKind::kNotFound,
                    "index " + index.digest().string() + " names no platform to pin");
      }
      break;
  }
  // Select by platform, then keep the chosen entries in the index's own order.
  std::vector<bool> chosen(index.manifests().size(), false);
  for (const image::Platform& platform : wanted) {
    const image::Descriptor& entry = index.select(platform);
    chosen[static_cast<std::size_t>(&entry - index.manifests().data())] = true;
  }
  std::vector<image::Descriptor> result;
  for (std::size_t i = 0; i < chosen.size(); ++i) {
    if (chosen[i]) result.push_back(index.manifests()[i]);
  }
  return result;
}

PlatformSelection selection_of(const LockedImage& image) {
  PlatformSelection selection{PlatformSelection::Mode::kListed, {}};
  for (const LockedPlatform& locked : image.platforms) {
    selection.platforms.push_back(locked.platform);
  }
  return selection;
}

}  // namespace hocker::lock
