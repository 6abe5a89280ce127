// One layer on its way to the registry: decided from its first bytes, it is either uploaded
// (compressed on the way when it is a plain tar) or, when the registry already has the blob it
// would become, only hashed so that its diff_id can still be checked.
#pragma once

#include <memory>
#include <optional>
#include <string>

#include "hocker/base/byte_sink.h"
#include "hocker/blob/sinks.h"
#include "hocker/push/diff_id_map.h"
#include "hocker/push/layer_encoder.h"
#include "hocker/push/push_target.h"

namespace hocker::push {

/// What a push does with blobs, shared by every layer of it.
struct BlobPolicy {
  Compression compression = Compression::kGzip;  ///< For plain tar layers.
  std::string mount_from;                        ///< A repository to mount known blobs from.
  DiffIdMap* diff_ids = nullptr;                 ///< Remembered compressions, when a cache is used.
};

/// What is known about a layer before its bytes arrive.
struct LayerHints {
  std::optional<digest::Digest> diff_id;  ///< From the config, when it came first.
  std::optional<digest::Digest> digest;   ///< Of the member as stored, from a first pass.
};

/// Whether the repository has `digest`: a HEAD, then a mount from `policy.mount_from` when set.
bool ensure_blob(PushTarget& target, const BlobPolicy& policy, const digest::Digest& digest);

/// A blob the registry already has, which a layer member should become.
struct LayerPlan {
  digest::Digest digest;
  std::int64_t size = 0;
  Compression compression = Compression::kNone;
  bool compressed_here = false;
};

/// A sink for one layer member's bytes. The constructor looks at `first` (the member's first
/// bytes, which are then written again through write()) and asks the registry when the blob is
/// predictable; finish() commits the upload (Error kIntegrity when the registry refuses it).
class LayerPush final : public ByteSink {
 public:
  LayerPush(PushTarget& target, const BlobPolicy& policy, const std::string& subject,
            const LayerHints& hints, Bytes first);
  ~LayerPush() override;
  LayerPush(const LayerPush&) = delete;
  LayerPush& operator=(const LayerPush&) = delete;

  void write(Bytes data) override { encoder_->write(data); }
  void finish() override;

  /// The blob the manifest names (valid after finish()).
  const EncodedLayer& result() const { return *result_; }
  /// Whether bytes were sent to the registry.
  bool uploaded() const { return upload_ != nullptr; }

 private:
  const BlobPolicy& policy_;
  blob::NullSink discard_;
  std::unique_ptr<PushUpload> upload_;
  std::unique_ptr<LayerEncoder> encoder_;
  std::optional<LayerPlan> known_;  // The blob the registry has, when only hashing.
  std::optional<EncodedLayer> result_;
};

}  // namespace hocker::push
