#include "cli/source_summary.h"

#include "cli/progress_render.h"
#include "cli/report.h"

namespace hocker::cli {
namespace {

std::string plural(std::int64_t count, const std::string& noun, const std::string& nouns) {
  return std::to_string(count) + " " + (count == 1 ? noun : nouns);
}

}  // namespace

std::string describe_sources(const pull::SourceCounts& counts) {
  return plural(counts.mirror_blobs, "blob", "blobs") + " from mirrors (" +
         human_bytes(static_cast<double>(counts.mirror_bytes)) + "), " +
         std::to_string(counts.primary_blobs) + " from the registry, " +
         plural(counts.mirror_misses, "mirror miss", "mirror misses");
}

void report_sources(const pull::Sources& sources, bool quiet) {
  if (quiet || !sources.has_mirrors()) return;
  note("sources", describe_sources(sources.counts()));
}

}  // namespace hocker::cli
