// LayerPush: the registry is asked before any compression when the blob is predictable: from
// the diff_id map for a plain tar whose diff_id the config already gave, from a first pass's
// digest for an already-compressed member.
#include "hocker/push/layer_push.h"

#include "hocker/base/error.h"

namespace hocker::push {

bool ensure_blob(PushTarget& target, const BlobPolicy& policy, const digest::Digest& digest) {
  if (target.has_blob(digest)) return true;
  return !policy.mount_from.empty() && target.mount_blob(digest, policy.mount_from);
}

LayerPush::LayerPush(PushTarget& target, const BlobPolicy& policy, const std::string& subject,
                     const LayerHints& hints, Bytes first)
    : policy_(policy) {
  Compression source = sniff_compression(first);
  if (source == Compression::kNone && hints.diff_id && policy.diff_ids != nullptr &&
      policy.compression != Compression::kNone) {
    if (auto remembered = policy.diff_ids->find(*hints.diff_id, policy.compression)) {
      if (ensure_blob(target, policy, remembered->digest)) {
        known_ = LayerPlan{remembered->digest, remembered->size, policy.compression, true};
      }
    }
  } else if (source != Compression::kNone && hints.digest) {
    if (ensure_blob(target, policy, *hints.digest)) {
      known_ = LayerPlan{*hints.digest, -1, source, false};  // The size is learnt by hashing.
    }
  }
  if (known_) {
    // Hash only: the diff_id is checked whatever the registry has.
    encoder_ = std::make_unique<LayerEncoder>(subject, Compression::kNone, discard_);
    return;
  }
  upload_ = target.begin_upload();
  encoder_ = std::make_unique<LayerEncoder>(subject, policy.compression, *upload_);
}

LayerPush::~LayerPush() = default;

void LayerPush::finish() {
  encoder_->finish();
  const EncodedLayer& hashed = encoder_->result();
  if (known_) {
    // A compressed member hashed here must be the very blob the registry has.
    if (!known_->compressed_here && hashed.digest != known_->digest) {
      throw Error(ErrorKind::kIntegrity, "a layer changed while it was being pushed");
    }
    std::int64_t size = known_->compressed_here ? known_->size : hashed.size;
    result_ = EncodedLayer{known_->digest, hashed.diff_id, size, known_->compression,
                           known_->compressed_here};
    return;
  }
  result_ = hashed;
  upload_->commit(result_->digest);
  if (result_->compressed_here && policy_.diff_ids != nullptr) {
    policy_.diff_ids->record(result_->diff_id, result_->compression,
                             DiffIdMap::Blob{result_->digest, result_->size});
  }
}

}  // namespace hocker::push
