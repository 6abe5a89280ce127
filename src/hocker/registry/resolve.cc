#include "hocker/registry/resolve.h"

#include "hocker/base/error.h"

namespace hocker::registry {

ResolvedImage resolve_image(Client& client, const ref::Reference& reference,
                            const image::Platform& platform) {
  return resolve_image(
      [&](const std::string& identifier) {
        return client.fetch_manifest(reference.repository, identifier);
      },
      reference, platform);
}

ResolvedImage resolve_image(const ManifestFetcher& fetch, const ref::Reference& reference,
                            const image::Platform& platform) {
  FetchedManifest first = fetch(reference.identifier());
  if (image::classify(first.raw, first.content_type) == image::DocumentKind::kImageManifest) {
    image::Manifest parsed = image::Manifest::parse(first.raw);
    return {std::nullopt, std::move(first), std::move(parsed)};
  }
  image::Index index = image::Index::parse(first.raw);
  const image::Descriptor& entry = index.select(platform);
  FetchedManifest chosen = fetch(entry.digest.string());
  if (image::classify(chosen.raw, chosen.content_type) != image::DocumentKind::kImageManifest) {
    throw Error(ErrorKind::kFormat, "manifest " + entry.digest.string() + " for platform " +
                                        platform.string() + " is not an image manifest");
  }
  image::Manifest parsed = image::Manifest::parse(chosen.raw);
  return {std::move(first), std::move(chosen), std::move(parsed)};
}

}  // namespace hocker::registry
