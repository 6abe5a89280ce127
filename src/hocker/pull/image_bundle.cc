#include "hocker/pull/image_bundle.h"

#include <algorithm>
#include <functional>
#include <optional>

#include "hocker/image/manifest.h"

namespace hocker::pull {
namespace {

// The platforms the index `top` lists, or nothing when it is a single image manifest.
std::vector<image::Platform> index_platforms(const registry::FetchedManifest& top) {
  if (image::classify(top.raw, top.content_type) != image::DocumentKind::kIndex) return {};
  return image::Index::parse(top.raw).platforms();
}

// Every pull resolves from the one index fetched: a manifest chosen twice is taken once.
void add_pull(std::vector<std::unique_ptr<ImagePull>>& pulls, std::unique_ptr<ImagePull> pull) {
  for (const auto& taken : pulls) {
    if (taken->manifest().digest() == pull->manifest().digest()) return;
  }
  pulls.push_back(std::move(pull));
}

// The pulls for `selection`: `fetch_top` fetches what the reference names (once, for every
// platform), `make` resolves one platform (nullopt: the host's) from it.
using MakePull = std::function<std::unique_ptr<ImagePull>(const std::optional<image::Platform>&,
                                                          const registry::FetchedManifest& top)>;
std::vector<std::unique_ptr<ImagePull>> pulls_for(
    const PlatformSelection& selection, const std::function<registry::FetchedManifest()>& fetch_top,
    const MakePull& make) {
  registry::FetchedManifest top = fetch_top();
  std::vector<std::unique_ptr<ImagePull>> pulls;
  if (selection.all) {
    std::vector<image::Platform> platforms = index_platforms(top);
    if (platforms.empty()) pulls.push_back(make(std::nullopt, top));
    for (const image::Platform& platform : platforms) add_pull(pulls, make(platform, top));
    return pulls;
  }
  if (selection.platforms.empty()) pulls.push_back(make(std::nullopt, top));
  for (const image::Platform& platform : selection.platforms) {
    add_pull(pulls, make(platform, top));
  }
  return pulls;
}

}  // namespace

std::vector<std::unique_ptr<ImagePull>> pull_platforms(registry::Client& client,
                                                       const ref::Reference& reference,
                                                       const PlatformSelection& selection) {
  return pulls_for(
      selection,
      [&] { return client.fetch_manifest(reference.repository, reference.identifier()); },
      [&](const std::optional<image::Platform>& platform, const registry::FetchedManifest& top) {
        return std::make_unique<ImagePull>(client, reference, platform, top);
      });
}

std::vector<std::unique_ptr<ImagePull>> pull_platforms(Sources& sources,
                                                       const ref::Reference& reference,
                                                       const PlatformSelection& selection) {
  return pulls_for(
      selection, [&] { return sources.fetch_manifest(reference.identifier()); },
      [&](const std::optional<image::Platform>& platform, const registry::FetchedManifest& top) {
        return std::make_unique<ImagePull>(sources, reference, platform, top);
      });
}

namespace {

// Which platform keeps the docker names: the host's when it is there, else the first.
std::size_t named_platform(const std::vector<std::unique_ptr<ImagePull>>& pulls) {
  image::Platform host = image::Platform::host();
  for (std::size_t i = 0; i < pulls.size(); ++i) {
    if (pulls[i]->platform().matches(host)) return i;
  }
  return 0;
}

// The platform the index entry of the chosen manifest names, as it names it.
std::optional<image::Platform> entry_platform(const ImagePull& pull) {
  const auto& index = pull.resolved().index;
  if (!index) return std::nullopt;
  image::Index parsed = image::Index::parse(index->raw);  // Outlives the loop over its entries.
  for (const image::Descriptor& entry : parsed.manifests()) {
    if (entry.digest == pull.manifest().digest() && entry.platform) return entry.platform;
  }
  return pull.platform();
}

std::shared_ptr<const image::Index> whole_index(const ImagePull& pull) {
  const auto& index = pull.resolved().index;
  if (!index) return nullptr;
  return std::make_shared<const image::Index>(image::Index::parse(index->raw));
}

}  // namespace

PlatformDownloads::PlatformDownloads(const std::vector<std::unique_ptr<ImagePull>>& pulls, bool all,
                                     const DownloadOptions& options,
                                     std::set<std::string>& claimed) {
  std::shared_ptr<const image::Index> index = all ? whole_index(*pulls.front()) : nullptr;
  std::size_t named = named_platform(pulls);
  for (std::size_t i = 0; i < pulls.size(); ++i) {
    DownloadOptions download = options;
    download.fetched_elsewhere = claimed;
    downloads_.push_back(std::make_unique<ImageDownload>(*pulls[i], download));
    jobs_ = downloads_.back()->jobs();
    archive::ImageSource source = downloads_.back()->source();
    if (i != named) source.repo_tags.clear();
    source.platform = entry_platform(*pulls[i]);
    source.whole_index = index;
    for (const image::Descriptor& layer : source.manifest.layers()) {
      claimed.insert(layer.digest.string());
    }
    sources_.push_back(std::move(source));
  }
}

}  // namespace hocker::pull
