// push --all from a stream (a docker archive on stdin) in one pass. It works when manifest.json
// comes before the layers (hocker image writes it first): the names are then known before any
// upload, each layer goes up once, to the first image that lists it, and the other images of
// the registry mount it. A layer before manifest.json would have to go to a registry and
// repository not yet known, so it is refused (docker save and streamLayeredImage write
// manifest.json last: push their file instead).
#pragma once

#include <functional>
#include <optional>

#include "hocker/push/bundle_names.h"
#include "hocker/push/docker_push.h"
#include "hocker/push/push_target.h"
#include "hocker/push/tar_reader.h"

namespace hocker::push {

/// The target of one pushed name (the caller keeps it alive for the whole push; a blob another
/// image put into the same registry must be found by its has_blob(), as SharingTarget does).
using OpenTarget = std::function<PushTarget&(const ref::Reference& name)>;
/// Called after each image's manifest was put.
using Pushed = std::function<void(const BundleImage& image, const PushReport& report)>;

/// Pushes every image of the archive `reader` streams, in manifest.json order, each manifest
/// after all the stream was read and every layer matched its diff_id. Throws Error(kUsage) for
/// a layer before manifest.json, names on several registries and several entries with one
/// name (each needs a file); Error(kFormat) as docker_bundle_images and for a missing member;
/// Error(kIntegrity) for a layer that does not match its diff_id (no manifest is then put).
void push_docker_stream(TarReader& reader, const std::optional<Destination>& destination,
                        const PushOptions& options, const OpenTarget& open_target,
                        const Pushed& pushed);

}  // namespace hocker::push
