// Where a pull's blobs came from, for the line printed after a pull through mirrors and for
// the "sources" object of --json.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "hocker/pull/sources.h"

namespace hocker::cli {

/// "2 blobs from mirrors (1.5 MiB), 1 from the registry, 1 mirror miss".
std::string describe_sources(const pull::SourceCounts& counts);

/// Prints describe_sources() as "<program>: sources: …" on stderr when `sources` has mirrors
/// and `quiet` is false; nothing otherwise.
void report_sources(const pull::Sources& sources, bool quiet);
/// The same for the images of one archive, their counts summed.
void report_sources(const std::vector<std::unique_ptr<pull::Sources>>& sources, bool quiet);

/// The counts of every image's sources, summed.
pull::SourceCounts total_counts(const std::vector<std::unique_ptr<pull::Sources>>& sources);

}  // namespace hocker::cli
