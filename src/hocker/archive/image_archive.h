// Assembles an image archive for `docker load` (docker format) or an OCI layout in a tar, from
// a manifest, a config and a blob fetcher; fetching layers concurrently while the archive is
// written in a fixed, deterministic order. Fetching itself (HTTP, retries) is left to the caller.
#pragma once

#include <cstdint>
#include <span>
#include <string>

#include "hocker/archive/archive_output.h"
#include "hocker/archive/image_source.h"
#include "hocker/base/progress.h"

namespace hocker::archive {

enum class Format { kDocker, kOci };

/// WriteOptions::in_place_min_bytes by default: 256 MiB of compressed layers.
inline constexpr std::int64_t kInPlaceMinBytes = std::int64_t{256} << 20;

struct WriteOptions {
  Format format = Format::kDocker;
  /// Concurrent layer downloads; 0 = kDefaultJobs.
  int jobs = 0;
  /// gzip the whole archive (for an output named *.gz).
  bool gzip = false;
  ProgressObserver* progress = nullptr;
  /// Where layer spool files go; empty = $TMPDIR or /tmp.
  std::string spool_dir;
  /// OCI format: what happens to image manifests served with docker media types.
  ManifestDigests manifest_digests = ManifestDigests::kReencode;
  /// Docker format to a file: each layer's decompressed size is read ahead (one small ranged
  /// request per layer, layer_size.h) so that every layer is written in place, only when the
  /// image's compressed layers total at least this many bytes. Below it, the few layers that
  /// finish out of order cost less to spool than the extra requests cost in round trips.
  std::int64_t in_place_min_bytes = kInPlaceMinBytes;
};

/// Concurrent layer downloads when WriteOptions::jobs is 0. Measured on the 2-core build
/// machine with an in-process fetcher reading 4 gzip layers (37-217 MB, 1.37 GB decompressed)
/// from files into a docker archive on a file, best of 3: jobs=1 3.5-4.7 s, 2 3.7 s, 3 3.5 s,
/// 4 3.6 s, 6 5.5 s (the machine was shared, hence the spread). The pipeline is CPU-bound, so two
/// streams fill two cores; a third costs nothing measurable and hides network stalls that an
/// in-process fetcher cannot show; more only add spooling. Docker's default is also 3. Against
/// the loopback registry (bench/, 1 GiB image, 3 runs each): docker format 2.06-2.87 s with 2,
/// 2.08-2.15 s with 3, 2.09-2.15 s with 4; peak RSS 13.8, 14.3, 14.8 MB (each layer in flight
/// holds about 0.5 MB of buffers). Through a proxy capping each connection at 20 MB/s (bench/
/// --cases jobs, same image, one run each on an otherwise idle machine, with ranged fetching on
/// as by default): --jobs 1 7.6 s, 2 6.4 s, 3 5.7 s, 4 4.9 s, 5 4.6 s, 6-8 4.6-4.8 s; with one
/// connection per blob 22.5, 11.5, 8.2, 6.3, 6.2, 4.5, 4.5, 4.5 s. Layers are now written in
/// place, so more streams no longer add spooling, and on the loopback registry 5 measured as 3
/// did (2.17 s against 2.08 s, medians of 3, within the spread): 5 is the default, where the
/// capped sweep stops gaining.
inline constexpr int kDefaultJobs = 5;

/// Fetches every layer (concurrently, `jobs` at a time) and writes the archive to `output` in a
/// fixed order: the same image gives byte-identical output, on a file or a stream. Verifies
/// each layer's compressed digest and size against its descriptor and, in docker format, the
/// sha256 of the decompressed stream against config.diff_ids()[i] (Error(kIntegrity, "layer
/// sha256:…: … expected …, got …")). A diff_ids count unlike the layer count, and foreign
/// (nondistributable, with urls) layers unless allowed, are Error(kFormat). A layer that appears
/// twice is stored once. On any error the other downloads stop at their next chunk and the first
/// error is rethrown; the output is then incomplete (the caller discards an AtomicFile). Memory
/// stays flat: blobs pass through fixed-size buffers; layers that arrive ahead of their turn spool
/// to unlinked files in spool_dir.
void write_image_archive(const ImageSource& source, const WriteOptions& options,
                         ArchiveOutput& output);

/// write_image_archive() for a bundle: every image (each one platform of a named image) in one
/// archive, in the order given; a blob that several images share is fetched once (with the
/// fetcher of the first image that has it) and stored once. Docker format: one manifest.json
/// entry per image, each RepoTags name on the first image that carries it. OCI format: one
/// index.json entry per image with its platform and names; several platforms of one named
/// image are one entry for a nested OCI index of their manifests (the registry's own index,
/// with ManifestDigests::kPreserve and every platform). Throws as write_image_archive() does.
void write_archive(std::span<const ImageSource> images, const WriteOptions& options,
                   ArchiveOutput& output);

}  // namespace hocker::archive
