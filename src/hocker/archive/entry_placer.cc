#include "hocker/archive/entry_placer.h"

#include "hocker/archive/tar_writer.h"
#include "hocker/base/checked.h"
#include "hocker/base/error.h"

namespace hocker::archive {

class EntryPlacer::SlotSink final : public ByteSink {
 public:
  SlotSink(EntryPlacer& placer, std::size_t index) : placer_(placer), index_(index) {}
  void write(Bytes data) override { placer_.write_content(index_, data); }
  void finish() override {}

 private:
  EntryPlacer& placer_;
  std::size_t index_;
};

struct EntryPlacer::Slot {
  PlacedEntry entry;
  std::size_t index = 0;
  SlotSink sink;
  // Owned by the entry's worker until `completed`, then by whoever places it.
  std::optional<SpoolFile> spool;
  bool direct = false;
  std::int64_t data_offset = 0;  // Seekable output, once direct.
  std::int64_t written = 0;
  // Predicted layout: where the content goes if every entry before it meets its prediction.
  std::int64_t region_offset = -1;
  std::int64_t region_size = -1;
  std::mutex region_mutex;  // Guards in_region, and `written` while in_region.
  bool in_region = false;   // The bytes so far are at region_offset (the worker is not head).
  // Guarded by mutex_.
  bool completed = false;
  bool placed = false;

  Slot(PlacedEntry e, std::size_t i, EntryPlacer& placer)
      : entry(std::move(e)), index(i), sink(placer, i) {}
};

EntryPlacer::EntryPlacer(std::vector<PlacedEntry> entries, AtomicFile& file, std::int64_t start,
                         std::string spool_dir)
    : file_(&file), spool_dir_(std::move(spool_dir)), head_offset_(start) {
  bool all_known = true;
  for (std::size_t i = 0; i < entries.size(); ++i) {
    all_known = all_known && entries[i].size >= 0;
    slots_.push_back(std::make_unique<Slot>(std::move(entries[i]), i, *this));
  }
  validate_names();
  if (all_known) {
    lay_out_fixed(start);
  } else {
    lay_out_predicted(start);
  }
}

EntryPlacer::EntryPlacer(std::vector<PlacedEntry> entries, ByteSink& stream, std::string spool_dir)
    : stream_(&stream), spool_dir_(std::move(spool_dir)) {
  for (std::size_t i = 0; i < entries.size(); ++i) {
    slots_.push_back(std::make_unique<Slot>(std::move(entries[i]), i, *this));
  }
  validate_names();
}

EntryPlacer::~EntryPlacer() = default;

void EntryPlacer::validate_names() const {
  for (const auto& slot : slots_) tar_header(slot->entry.name, 0);
}

// Every offset is known: headers go in now and each worker writes its region directly.
void EntryPlacer::lay_out_fixed(std::int64_t start) {
  fixed_layout_ = true;
  std::int64_t offset = start;
  for (auto& slot : slots_) {
    slot->data_offset = offset + static_cast<std::int64_t>(kTarBlockSize);
    slot->direct = true;
    write_header(*slot, slot->entry.size);
    offset = checked_add(offset, tar_entry_size(slot->entry.size), "archive layout");
  }
  head_offset_ = offset;
}

// The offsets the predictions give, up to the first entry without one: such entries write in
// place from the start, and stay there as long as every entry before them meets its prediction.
void EntryPlacer::lay_out_predicted(std::int64_t start) {
  layout_holds_ = true;
  std::int64_t offset = start;
  for (auto& slot : slots_) {
    std::int64_t size = slot->entry.size >= 0 ? slot->entry.size : slot->entry.predicted;
    if (size < 0) return;
    slot->region_offset = offset + static_cast<std::int64_t>(kTarBlockSize);
    slot->region_size = size;
    slot->in_region = true;
    offset = checked_add(offset, tar_entry_size(size), "archive layout");
  }
}

ByteSink& EntryPlacer::content(std::size_t index) {
  return slots_.at(index)->sink;
}

void EntryPlacer::write_header(const Slot& slot, std::int64_t size) {
  TarHeader header = tar_header(slot.entry.name, size);
  if (file_ != nullptr) {
    file_->pwrite_at(header, slot.data_offset - static_cast<std::int64_t>(kTarBlockSize));
  } else {
    stream_->write(header);
  }
}

void EntryPlacer::write_content(std::size_t index, Bytes data) {
  Slot& slot = *slots_[index];
  // Entries of unknown size can go direct only into a file (the header is patched later).
  bool can_promote = file_ != nullptr || slot.entry.size >= 0;
  if (!slot.direct && can_promote && head_.load(std::memory_order_acquire) == index) {
    promote(slot);
  }
  auto size = static_cast<std::int64_t>(data.size());
  if (slot.direct) {
    if (file_ != nullptr) {
      // The head outgrowing its prediction: the entries after it are not where they will go.
      if (layout_holds_ && slot.written + size > slot.region_size) break_layout(index);
      file_->pwrite_at(data, slot.data_offset + slot.written);
    } else {
      stream_->write(data);
    }
  } else if (!write_region(slot, data)) {
    if (!slot.spool) slot.spool.emplace(spool_dir_);
    slot.spool->write(data);
  } else {
    return;  // write_region counted it.
  }
  slot.written += size;
}

// An entry ahead of its turn writes at its predicted offset while it fits its prediction; one
// that outgrows it moves what it wrote to a spool file and goes on there.
bool EntryPlacer::write_region(Slot& slot, Bytes data) {
  std::lock_guard lock(slot.region_mutex);
  if (!slot.in_region) return false;
  auto size = static_cast<std::int64_t>(data.size());
  if (slot.written + size > slot.region_size) {
    evacuate(slot);
    return false;
  }
  file_->pwrite_at(data, slot.region_offset + slot.written);
  slot.written += size;
  return true;
}

// With slot.region_mutex held: the bytes written in place go to a spool file (the only copy a
// failed prediction costs).
void EntryPlacer::evacuate(Slot& slot) {
  if (!slot.spool) slot.spool.emplace(spool_dir_);
  slot.spool->append_from(file_->fd(), slot.region_offset, slot.written, file_->target());
  slot.in_region = false;
}

// By the head's owner, before it writes anything outside the predicted layout: the entries
// after `index` that wrote in place move to spool files, and head-of-line placement takes over.
void EntryPlacer::break_layout(std::size_t index) {
  layout_holds_ = false;
  for (std::size_t later = index + 1; later < slots_.size(); ++later) {
    Slot& slot = *slots_[later];
    std::lock_guard lock(slot.region_mutex);
    if (slot.in_region) evacuate(slot);
  }
}

// The caller owns the head: move what was spooled into place, then write directly.
void EntryPlacer::promote(Slot& slot) {
  if (file_ != nullptr) {
    {
      std::lock_guard lock(slot.region_mutex);
      if (slot.in_region && layout_holds_ &&
          slot.region_offset == head_offset_ + static_cast<std::int64_t>(kTarBlockSize)) {
        slot.in_region = false;  // Written in place all along: nothing to move.
        slot.data_offset = slot.region_offset;
        slot.direct = true;
        return;
      }
      if (slot.in_region) evacuate(slot);
    }
    if (layout_holds_) break_layout(slot.index);
    slot.data_offset = head_offset_ + static_cast<std::int64_t>(kTarBlockSize);
    if (slot.spool) slot.spool->copy_to_file(file_->fd(), slot.data_offset, file_->target());
  } else {
    // A stream entry of unknown size is promoted only once complete, by place().
    write_header(slot, slot.entry.size >= 0 ? slot.entry.size : slot.written);
    if (slot.spool) slot.spool->copy_to(*stream_);
  }
  slot.spool.reset();
  slot.direct = true;
}

void EntryPlacer::complete(std::size_t index) {
  Slot& slot = *slots_.at(index);
  if (slot.entry.size >= 0 && slot.written != slot.entry.size) {
    throw Error(ErrorKind::kInternal, "archive entry " + slot.entry.name + ": expected " +
                                          std::to_string(slot.entry.size) + " bytes, got " +
                                          std::to_string(slot.written));
  }
  if (fixed_layout_) {
    file_->pwrite_at(tar_zeros(static_cast<std::size_t>(tar_padding(slot.written))),
                     slot.data_offset + slot.written);
    std::lock_guard lock(mutex_);
    slot.completed = slot.placed = true;
    return;
  }
  bool is_head = false;
  {
    std::lock_guard lock(mutex_);
    slot.completed = true;
    is_head = head_.load() == index;
  }
  // Exactly one thread places a completed entry: its own worker when it is the head, else the
  // worker that moves the head onto it (both decide under mutex_).
  if (is_head) place_from(index);
}

void EntryPlacer::place_from(std::size_t index) {
  for (;;) {
    Slot& slot = *slots_[index];
    place(slot);
    std::lock_guard lock(mutex_);
    slot.placed = true;
    head_.store(index + 1, std::memory_order_release);
    if (++index == slots_.size() || !slots_[index]->completed) return;
  }
}

void EntryPlacer::place(Slot& slot) {
  if (!slot.direct) promote(slot);
  std::int64_t padding = tar_padding(slot.written);
  if (file_ != nullptr) {
    // A size unlike the prediction moves every later entry: their bytes leave their regions
    // before this entry's header and padding can land there.
    if (layout_holds_ && slot.written != slot.region_size) break_layout(slot.index);
    write_header(slot, slot.written);  // The real size, now that it is known.
    file_->pwrite_at(tar_zeros(static_cast<std::size_t>(padding)), slot.data_offset + slot.written);
    head_offset_ = slot.data_offset + slot.written + padding;
  } else {
    stream_->write(tar_zeros(static_cast<std::size_t>(padding)));
  }
}

bool EntryPlacer::all_placed() const {
  std::lock_guard lock(mutex_);
  for (const auto& slot : slots_) {
    if (!slot->placed) return false;
  }
  return true;
}

}  // namespace hocker::archive
