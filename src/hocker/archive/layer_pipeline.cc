#include "hocker/archive/layer_pipeline.h"

#include <algorithm>

#include "hocker/base/error.h"
#include "hocker/blob/handoff_sink.h"
#include "hocker/blob/sinks.h"

namespace hocker::archive {
namespace {

// Reports compressed bytes as they arrive.
class ProgressSink final : public ByteSink {
 public:
  ProgressSink(ProgressObserver* progress, std::size_t index, ByteSink& next)
      : progress_(progress), index_(index), next_(next) {}
  void write(Bytes data) override {
    next_.write(data);
    if (progress_ != nullptr) {
      progress_->layer_progress(index_, static_cast<std::int64_t>(data.size()));
    }
  }
  void finish() override { next_.finish(); }

 private:
  ProgressObserver* progress_;
  std::size_t index_;
  ByteSink& next_;
};

// fetch → stop check → progress → verify (compressed digest, size) → `next`.
void fetch_verified(const LayerTask& task, const BlobFetcher& fetch, ByteSink& next,
                    ProgressObserver* progress, const StopFlag& stop) {
  blob::VerifySink verify("layer " + task.blob.digest.string(), task.blob.digest, task.blob.size,
                          next);
  ProgressSink counted(progress, task.index, verify);
  StopCheckSink checked(stop, counted);
  fetch(task.blob, checked);
  checked.finish();
}

}  // namespace

std::size_t handoff_slots(std::size_t concurrent) {
  constexpr std::size_t kChunksPerStage = 16;
  return std::max<std::size_t>(kChunksPerStage / std::max<std::size_t>(concurrent, 1), 2);
}

std::string fetch_layer(const LayerTask& task, const BlobFetcher& fetch, ByteSink& destination,
                        ProgressObserver* progress, const StopFlag& stop, std::size_t slots) {
  if (progress != nullptr) {
    progress->layer_started(task.index, task.blob.digest.string(), task.blob.size);
  }
  // Three threads per layer, joined by bounded hand-offs of kChunkSize chunks: the fetching
  // thread receives and hashes the compressed bytes, one inflates, one hashes the tar and
  // writes it. The hand-offs also coalesce the transport's small reads into large writes.
  if (!task.diff_id) {
    // Stored as sent: only the write moves to a thread of its own.
    blob::HandoffSink to_writer(destination, slots);
    fetch_verified(task, fetch, to_writer, progress, stop);
    return task.blob.digest.string();
  }
  blob::DigestTee tee(destination, task.diff_id->algorithm());
  blob::HandoffSink to_writer(tee, slots);
  // The diff_id check below is a SHA-256 of the same output: the gzip CRC-32 would add nothing.
  auto decompressor = blob::make_decompressor("layer " + task.blob.digest.string(), to_writer,
                                              blob::GzipCrc::kSkip);
  blob::HandoffSink to_inflater(*decompressor, slots);
  fetch_verified(task, fetch, to_inflater, progress, stop);
  digest::Digest actual = tee.digest();
  if (actual != *task.diff_id) {
    // The config's rootfs.diff_ids[i] is what docker load checks the layer file against.
    throw Error(ErrorKind::kIntegrity,
                "layer " + task.blob.digest.string() +
                    ": decompressed content does not match the config's diff_id: expected " +
                    task.diff_id->string() + ", got " + actual.string());
  }
  return actual.string();
}

}  // namespace hocker::archive
