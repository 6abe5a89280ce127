// write_image_archive: carries out an ArchivePlan on a file (layers placed concurrently, see
// entry_placer.h) or on a stream (everything in order, optionally gzip-compressed).
#include "hocker/archive/image_archive.h"

#include <unistd.h>

#include <algorithm>

#include "hocker/archive/archive_plan.h"
#include "hocker/archive/layer_pipeline.h"
#include "hocker/archive/layer_size.h"
#include "hocker/archive/scheduler.h"
#include "hocker/archive/spool_file.h"
#include "hocker/base/checked.h"
#include "hocker/base/error.h"
#include "hocker/blob/sinks.h"

namespace hocker::archive {
namespace {

constexpr std::size_t kMaxSizeReads = 16;  // Size reads in flight at once.

struct Run {
  std::span<const ImageSource> images;
  const WriteOptions& options;
  const ArchivePlan& plan;
};

void write_front(const ArchivePlan& plan, ByteSink& sink) {
  TarWriter writer(sink);
  for (const FrontEntry& entry : plan.front) {
    if (entry.type == EntryType::kDirectory) {
      writer.add_directory(entry.name);
    } else {
      writer.add_file(entry.name, entry.content);
    }
  }
}

int jobs_of(const WriteOptions& options) {
  return options.jobs > 0 ? options.jobs : kDefaultJobs;
}

void fetch_layers(const Run& run, EntryPlacer& placer) {
  StopFlag stop{false};
  int jobs = jobs_of(run.options);
  if (run.options.progress != nullptr) {
    std::int64_t total = 0;
    for (const LayerTask& task : run.plan.tasks)
      total = checked_add(total, task.blob.size, "layers");
    run.options.progress->image_started(run.plan.tasks.size(), total);
  }
  std::size_t slots =
      handoff_slots(std::min(run.plan.tasks.size(), static_cast<std::size_t>(std::max(jobs, 1))));
  run_in_parallel(run.plan.tasks.size(), jobs, stop, [&](std::size_t i) {
    const LayerTask& task = run.plan.tasks[i];
    std::string written = fetch_layer(task, run.images[task.source].fetch, placer.content(i),
                                      run.options.progress, stop, slots);
    placer.complete(i);
    if (run.options.progress != nullptr) {
      run.options.progress->layer_finished(task.index, written, task.diff_id.has_value());
    }
  });
  if (!placer.all_placed()) throw Error(ErrorKind::kInternal, "archive entries left unplaced");
}

// Entries of unknown size (docker format) get a guess each, all read at once (one small ranged
// request per compressed layer), so that layers finishing out of order are written in place.
// Only worth it when several layers download at once and the image is large.
std::vector<PlacedEntry> predicted_entries(const Run& run) {
  std::vector<PlacedEntry> entries = run.plan.entries;
  if (entries.size() < 2 || jobs_of(run.options) < 2) return entries;
  std::int64_t compressed = 0;
  for (const LayerTask& task : run.plan.tasks) compressed += task.blob.size;
  if (compressed < run.options.in_place_min_bytes) return entries;
  StopFlag stop{false};
  int threads = static_cast<int>(std::min<std::size_t>(entries.size(), kMaxSizeReads));
  run_in_parallel(entries.size(), threads, stop, [&](std::size_t i) {
    const LayerTask& task = run.plan.tasks[i];
    if (entries[i].size >= 0) return;
    entries[i].predicted =
        layer_size_hint(task.blob, run.images[task.source].read_range).value_or(-1);
  });
  return entries;
}

// Seekable and uncompressed: the small entries first, then the layers in place, concurrently.
void write_to_file(const Run& run, AtomicFile& file) {
  write_front(run.plan, file);
  EntryPlacer placer(predicted_entries(run), file, file.position(),
                     spool_directory(run.options.spool_dir));
  fetch_layers(run, placer);
  file.seek(placer.end_offset());
  file.write(tar_zeros(kTarTrailerSize));
  // A prediction that failed may have left bytes past the real end.
  if (::ftruncate(file.fd(), static_cast<off_t>(file.position())) != 0) {
    throw Error(ErrorKind::kLocalIo, "cannot truncate " + file.target());
  }
}

// A stream, or anything gzip-compressed: every byte in order, in large writes.
void write_to_stream(const Run& run, ArchiveOutput& output) {
  blob::FdSink descriptor(output.fd(), output.what());
  ByteSink* base = output.is_seekable() ? static_cast<ByteSink*>(output.file()) : &descriptor;
  std::unique_ptr<ByteSink> compressor;
  if (run.options.gzip) compressor = blob::make_gzip_compressor(*base);
  blob::BufferedSink buffered(compressor ? *compressor : *base);
  write_front(run.plan, buffered);
  EntryPlacer placer(run.plan.entries, buffered, spool_directory(run.options.spool_dir));
  fetch_layers(run, placer);
  buffered.write(tar_zeros(kTarTrailerSize));
  buffered.finish();
}

}  // namespace

void write_image_archive(const ImageSource& source, const WriteOptions& options,
                         ArchiveOutput& output) {
  write_archive(std::span<const ImageSource>(&source, 1), options, output);
}

void write_archive(std::span<const ImageSource> images, const WriteOptions& options,
                   ArchiveOutput& output) {
  ArchivePlan plan = options.format == Format::kDocker
                         ? plan_docker_archive(images)
                         : plan_oci_archive(images, options.manifest_digests);
  Run run{images, options, plan};
  if (output.is_seekable() && !options.gzip) {
    write_to_file(run, *output.file());
  } else {
    write_to_stream(run, output);
  }
}

}  // namespace hocker::archive
