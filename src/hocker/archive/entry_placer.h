// Puts tar entries whose content is produced concurrently, out of order and of possibly unknown
// size, into the archive in their fixed order. The entry at the head of the order writes straight
// into the output; entries ahead of their turn spool to anonymous files and are copied in when
// the head reaches them; a spooling entry that becomes the head copies what it has and goes
// direct for the rest. With a seekable output and every size known, all entries go direct at
// precomputed offsets. With a seekable output and sizes *predicted*, entries ahead of their
// turn write in place at their predicted offsets; a prediction that fails moves the later
// entries' bytes to spool files and the head-of-line order takes over from there.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "hocker/archive/spool_file.h"
#include "hocker/base/atomic_file.h"
#include "hocker/base/byte_sink.h"

namespace hocker::archive {

/// One entry whose content a worker produces.
struct PlacedEntry {
  std::string name;
  /// The content size when known in advance, else -1 (the header is written at the end).
  std::int64_t size = -1;
  /// With size < 0: a guess at the content size (-1 none). Never trusted: each entry's real
  /// size is what its worker writes; a wrong guess costs a copy, never a wrong archive.
  std::int64_t predicted = -1;
};

/// Thread-safe in the way workers use it: entry i is written and completed by one thread.
class EntryPlacer {
 public:
  /// Seekable output: entries are laid out from offset `start` of `file`, whose append position
  /// is left alone. Throws Error(kFormat) for an entry name that does not fit a tar header.
  EntryPlacer(std::vector<PlacedEntry> entries, AtomicFile& file, std::int64_t start,
              std::string spool_dir);
  /// Stream output: entries are written to `stream` in order, from its current position.
  EntryPlacer(std::vector<PlacedEntry> entries, ByteSink& stream, std::string spool_dir);
  ~EntryPlacer();
  EntryPlacer(const EntryPlacer&) = delete;
  EntryPlacer& operator=(const EntryPlacer&) = delete;

  /// The sink for entry `index`'s content. Its finish() does nothing: call complete().
  ByteSink& content(std::size_t index);
  /// Entry `index`'s content is whole and verified: its header and padding are written, and it
  /// and any completed entries after it are placed when its turn comes. Throws Error(kLocalIo),
  /// or Error(kInternal) when an announced size was not met.
  void complete(std::size_t index);
  /// Whether every entry has been placed.
  bool all_placed() const;
  /// The offset just past the last entry (seekable output, once all_placed()).
  std::int64_t end_offset() const { return head_offset_; }

 private:
  struct Slot;
  class SlotSink;
  void validate_names() const;
  void lay_out_fixed(std::int64_t start);
  void lay_out_predicted(std::int64_t start);
  bool write_region(Slot& slot, Bytes data);
  void evacuate(Slot& slot);
  void break_layout(std::size_t index);
  void write_content(std::size_t index, Bytes data);
  void promote(Slot& slot);
  void place_from(std::size_t index);
  void place(Slot& slot);
  void write_header(const Slot& slot, std::int64_t size);

  std::vector<std::unique_ptr<Slot>> slots_;
  AtomicFile* file_ = nullptr;
  ByteSink* stream_ = nullptr;
  std::string spool_dir_;
  bool fixed_layout_ = false;  // Seekable and every size known: offsets precomputed.
  // Seekable, owned by the head: every entry placed so far met its prediction, so the entries
  // writing in their predicted regions are at their final offsets.
  bool layout_holds_ = false;
  std::atomic<std::size_t> head_{0};
  std::int64_t head_offset_ = 0;  // Seekable: where the head entry's header goes.
  mutable std::mutex mutex_;
};

}  // namespace hocker::archive
