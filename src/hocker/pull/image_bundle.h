// Pulling several platforms of an image, and several images, into one archive (a bundle): which
// image manifests to take for a platform selection, and the ImageSources that share their
// downloads, so that a blob common to several of them is fetched once.
#pragma once

#include <memory>
#include <set>
#include <string>
#include <vector>

#include "hocker/archive/image_source.h"
#include "hocker/image/platform.h"
#include "hocker/pull/image_pull.h"

namespace hocker::pull {

/// Which platforms of an image to take.
struct PlatformSelection {
  /// The platforms asked for (--platform), in order; empty = the host's.
  std::vector<image::Platform> platforms;
  /// Every platform of the image's index (--all-platforms); attestations are not images.
  bool all = false;
};

/// The image manifests `reference` gives for `selection`, one ImagePull each, in the order asked
/// (with `all`, the index's order), a manifest chosen twice taken once. What the reference names
/// is fetched once for all platforms. A reference naming a single image manifest gives that one
/// (checked against the platforms asked for). Throws what ImagePull throws.
std::vector<std::unique_ptr<ImagePull>> pull_platforms(registry::Client& client,
                                                       const ref::Reference& reference,
                                                       const PlatformSelection& selection);
/// pull_platforms through `sources` (mirrors first, as their modes allow); borrows `sources`,
/// which must outlive the pulls.
std::vector<std::unique_ptr<ImagePull>> pull_platforms(Sources& sources,
                                                       const ref::Reference& reference,
                                                       const PlatformSelection& selection);

/// The ImageSource of every platform of one image (their pulls from pull_platforms()), for
/// write_archive(). The docker names (RepoTags) go to one platform only, as docker load would
/// otherwise give them to whichever loads last: the host's when it is among them, else the first.
/// With `all`, each source carries the whole index (ImageSource::whole_index).
class PlatformDownloads {
 public:
  /// Starts each platform's download (ImageDownload); layers an earlier platform or image of
  /// the bundle fetches (`claimed`, updated here) are not fetched ahead again. Throws what
  /// ImageDownload throws.
  PlatformDownloads(const std::vector<std::unique_ptr<ImagePull>>& pulls, bool all,
                    const DownloadOptions& options, std::set<std::string>& claimed);

  const std::vector<archive::ImageSource>& sources() const { return sources_; }
  int jobs() const { return jobs_; }

 private:
  std::vector<std::unique_ptr<ImageDownload>> downloads_;
  std::vector<archive::ImageSource> sources_;
  int jobs_ = 0;
};

}  // namespace hocker::pull
