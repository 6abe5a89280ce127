// One large blob over several connections: consecutive chunks are fetched with bounded Range
// requests on worker threads into a bounded reorder window, and handed to the sink in order.
// How a chunk is requested (retries, authentication, redirects) is the fetcher's business.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>

#include "hocker/base/byte_sink.h"

namespace hocker::registry {

/// Fetches the blob's bytes from `start` into `sink` (write() only), asking for `length` bytes
/// with a Range request. Returns the offset after the last byte delivered: start + length when
/// the server honoured the Range, the blob's size when it ignored it and sent the whole body
/// (the bytes before `start` skipped). Throws what the request throws, after its retries.
using ChunkFetcher =
    std::function<std::int64_t(std::int64_t start, std::int64_t length, ByteSink& sink)>;

struct RangedFetchOptions {
  int connections = 4;                              ///< worker connections; <= 1: one stream
  std::int64_t chunk_size = std::int64_t{8} << 20;  ///< bytes per Range request
  /// The first chunk's throughput (bytes per second, request included, the time the sink took
  /// left out: a slow consumer is no reason for more connections) below which the rest is
  /// fetched over several connections, provided the network took more than twice what the sink
  /// took (the bottleneck is the network, not a busy consumer); otherwise one connection is
  /// enough and the rest comes in one request, without the reorder window's memory.
  std::int64_t parallel_below = std::int64_t{64} << 20;
  /// How many bytes of the first chunk, counted from its first byte, tell early that one
  /// connection is slow: below half of parallel_below over them, the workers start at once
  /// instead of after the first chunk.
  std::int64_t probe_size = std::int64_t{1} << 20;
  /// Worker connections free for all blobs of the process (shared by concurrent fetches, so
  /// that memory is bounded however many layers are in flight); null: no shared limit. A fetch
  /// that finds none free takes the rest in one request.
  std::atomic<int>* free_workers = nullptr;
};

/// Streams bytes [offset, size) of a blob into `sink` (write() only; the caller verifies and
/// finishes), in order, each byte once. The first chunk is fetched on the calling thread and
/// streamed straight into `sink`: when the server ignores its Range (the whole body came), that
/// was all (workers already started are stopped, their requests cut off). When the first chunk
/// came at options.parallel_below bytes per second or faster, the rest is fetched in one Range
/// request, streamed likewise. Otherwise (decided early, after options.probe_size bytes, when
/// the first chunk is clearly slow) up to options.connections worker threads (as many as
/// options.free_workers grants) fetch the following chunks, at most workers + 1 chunks ahead of
/// the sink (memory stays at that many × chunk_size), and the
/// calling thread writes each chunk once all before it were written. A chunk whose fetcher
/// throws ends the whole transfer with that exception (the fetcher retries transient failures
/// itself); so does a worker's chunk answered with the whole body (Error(kFormat): the server
/// stopped honouring Range) and an exception from `sink`; the workers are stopped and joined
/// before it propagates.
void fetch_ranged(std::int64_t offset, std::int64_t size, const ChunkFetcher& fetch, ByteSink& sink,
                  const RangedFetchOptions& options);

}  // namespace hocker::registry
