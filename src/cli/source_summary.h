// Where a pull's blobs came from, for the line printed after a pull through mirrors and for
// the "sources" object of --json.
#pragma once

#include <string>

#include "hocker/pull/sources.h"

namespace hocker::cli {

/// "2 blobs from mirrors (1.5 MiB), 1 from the registry, 1 mirror miss".
std::string describe_sources(const pull::SourceCounts& counts);

/// Prints describe_sources() as "<program>: sources: …" on stderr when `sources` has mirrors
/// and `quiet` is false; nothing otherwise.
void report_sources(const pull::Sources& sources, bool quiet);

}  // namespace hocker::cli
