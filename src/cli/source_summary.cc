#include "cli/source_summary.h"

#include <algorithm>

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

pull::SourceCounts total_counts(const std::vector<std::unique_ptr<pull::Sources>>& sources) {
  pull::SourceCounts total;
  for (const auto& each : sources) {
    pull::SourceCounts counts = each->counts();
    total.mirror_blobs += counts.mirror_blobs;
    total.mirror_bytes += counts.mirror_bytes;
    total.primary_blobs += counts.primary_blobs;
    total.mirror_misses += counts.mirror_misses;
  }
  return total;
}

void report_sources(const std::vector<std::unique_ptr<pull::Sources>>& sources, bool quiet) {
  bool mirrored = std::any_of(sources.begin(), sources.end(),
                              [](const auto& each) { return each->has_mirrors(); });
  if (quiet || !mirrored) return;
  note("sources", describe_sources(total_counts(sources)));
}

}  // namespace hocker::cli
