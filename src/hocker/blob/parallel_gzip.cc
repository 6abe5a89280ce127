// make_parallel_gzip_compressor: blocks are deflated by worker threads and emitted in order by
// the caller's thread. Each block's bytes are a function of (block, the 32 KiB before it, level)
// only, never of which thread ran it or when: that is what keeps the output deterministic.
#include "hocker/blob/parallel_gzip.h"

#include <zlib.h>

#include <algorithm>
#include <array>
#include <condition_variable>
#include <cstring>
#include <deque>
#include <exception>
#include <mutex>
#include <thread>
#include <vector>

#include "hocker/base/error.h"

namespace hocker::blob {

namespace {

constexpr std::size_t kWindow =
    std::size_t{32} * 1024;  // deflate's window, hence the dictionary's size.

struct Block {
  std::vector<unsigned char> dictionary;  // Up to kWindow bytes of input just before the block.
  std::vector<unsigned char> input;
  bool last = false;
  std::vector<unsigned char> output;
  uLong crc = 0;
  bool done = false;  // Guarded by the pool's mutex.
  std::exception_ptr error;
};

// One zlib raw-deflate state, reset for every block.
class RawDeflater {
 public:
  explicit RawDeflater(int level) {
    // Negative windowBits: raw deflate, no zlib or gzip wrapper (zlib.h, deflateInit2).
    if (deflateInit2(&stream_, level, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY) != Z_OK) {
      throw Error(ErrorKind::kInternal, "cannot initialise the gzip compressor");
    }
  }
  ~RawDeflater() { deflateEnd(&stream_); }
  RawDeflater(const RawDeflater&) = delete;
  RawDeflater& operator=(const RawDeflater&) = delete;

  void compress(Block& block) {
    if (deflateReset(&stream_) != Z_OK ||
        (!block.dictionary.empty() &&
         deflateSetDictionary(&stream_, block.dictionary.data(),
                              static_cast<uInt>(block.dictionary.size())) != Z_OK)) {
      throw Error(ErrorKind::kInternal, "gzip compression failed");
    }
    stream_.next_in = block.input.data();
    stream_.avail_in = static_cast<uInt>(block.input.size());
    int flush = block.last ? Z_FINISH : Z_SYNC_FLUSH;
    block.output.resize(deflateBound(&stream_, block.input.size()) + 64);
    std::size_t produced = 0;
    for (;;) {
      stream_.next_out = block.output.data() + produced;
      stream_.avail_out = static_cast<uInt>(block.output.size() - produced);
      int status = deflate(&stream_, flush);
      produced = block.output.size() - stream_.avail_out;
      if (status == Z_STREAM_ERROR) throw Error(ErrorKind::kInternal, "gzip compression failed");
      if (block.last ? status == Z_STREAM_END : stream_.avail_in == 0 && stream_.avail_out > 0) {
        break;
      }
      block.output.resize(block.output.size() * 2);
    }
    block.output.resize(produced);
    block.crc =
        crc32(crc32(0, nullptr, 0), block.input.data(), static_cast<uInt>(block.input.size()));
  }

 private:
  z_stream stream_{};
};

// Worker threads taking blocks from a queue; each has its own deflate state.
class Pool {
 public:
  Pool(unsigned threads, int level) {
    for (unsigned i = 0; i < threads; ++i) workers_.emplace_back([this, level] { run(level); });
  }
  ~Pool() {
    {
      std::lock_guard lock(mutex_);
      stopping_ = true;
    }
    wake_workers_.notify_all();
    for (std::thread& worker : workers_) worker.join();
  }
  Pool(const Pool&) = delete;
  Pool& operator=(const Pool&) = delete;

  void submit(std::shared_ptr<Block> block) {
    {
      std::lock_guard lock(mutex_);
      queue_.push_back(std::move(block));
    }
    wake_workers_.notify_one();
  }
  void wait(const Block& block) {
    std::unique_lock lock(mutex_);
    block_done_.wait(lock, [&] { return block.done; });
  }

 private:
  void run(int level) {
    std::unique_ptr<RawDeflater> deflater;
    for (;;) {
      std::shared_ptr<Block> block;
      {
        std::unique_lock lock(mutex_);
        wake_workers_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
        if (stopping_) return;
        block = std::move(queue_.front());
        queue_.pop_front();
      }
      try {
        if (!deflater) deflater = std::make_unique<RawDeflater>(level);
        deflater->compress(*block);
      } catch (...) {
        block->error = std::current_exception();
      }
      {
        std::lock_guard lock(mutex_);
        block->done = true;
      }
      block_done_.notify_all();
    }
  }

  std::mutex mutex_;
  std::condition_variable wake_workers_;
  std::condition_variable block_done_;
  std::deque<std::shared_ptr<Block>> queue_;
  bool stopping_ = false;
  std::vector<std::thread> workers_;
};

Bytes bytes_of(const unsigned char* data, std::size_t size) {
  return {reinterpret_cast<const std::byte*>(data), size};
}

void put_le32(std::array<unsigned char, 8>& out, std::size_t at, uLong value) {
  for (std::size_t i = 0; i < 4; ++i) out.at(at + i) = static_cast<unsigned char>(value >> (8 * i));
}

class ParallelGzip final : public ByteSink {
 public:
  ParallelGzip(ByteSink& next, const ParallelGzipOptions& options)
      : next_(next),
        options_(options),
        max_in_flight_(2 * static_cast<std::size_t>(options.threads)) {
    if (options.level < 1 || options.level > 9 || options.block_size < kWindow) {
      throw Error(ErrorKind::kInternal, "bad gzip compressor options");
    }
    if (options.threads == 0) {
      inline_deflater_ = std::make_unique<RawDeflater>(options.level);
    } else {
      pool_ = std::make_unique<Pool>(options.threads, options.level);
    }
    current_ = fresh_block();
  }
  ~ParallelGzip() override = default;
  ParallelGzip(const ParallelGzip&) = delete;
  ParallelGzip& operator=(const ParallelGzip&) = delete;

  void write(Bytes data) override {
    const auto* bytes = reinterpret_cast<const unsigned char*>(data.data());
    std::size_t left = data.size();
    while (left > 0) {
      std::size_t take = std::min(left, options_.block_size - current_->input.size());
      current_->input.insert(current_->input.end(), bytes, bytes + take);
      bytes += take;
      left -= take;
      if (current_->input.size() == options_.block_size) submit(false);
    }
  }

  void finish() override {
    submit(true);
    while (!in_flight_.empty()) emit_oldest();
    std::array<unsigned char, 8> trailer{};
    put_le32(trailer, 0, crc_);
    put_le32(trailer, 4, static_cast<uLong>(total_ & 0xffffffffU));
    next_.write(bytes_of(trailer.data(), trailer.size()));
    next_.finish();
  }

 private:
  std::shared_ptr<Block> fresh_block() const {
    auto block = std::make_shared<Block>();
    block->input.reserve(options_.block_size);
    return block;
  }

  // Hands the current block to a worker (or compresses it here), with the window before it.
  void submit(bool last) {
    std::shared_ptr<Block> block = std::move(current_);
    block->last = last;
    block->dictionary = window_;
    // Every block but the last is full, and block_size >= kWindow: the next block's dictionary is
    // this block's tail.
    if (!last) {
      window_.assign(block->input.end() - static_cast<std::ptrdiff_t>(kWindow), block->input.end());
    }
    in_flight_.push_back(block);
    if (pool_) {
      pool_->submit(block);
      while (in_flight_.size() > max_in_flight_) emit_oldest();
    } else {
      inline_deflater_->compress(*block);
      block->done = true;
      emit_oldest();
    }
    if (!last) current_ = fresh_block();
  }

  void emit_oldest() {
    std::shared_ptr<Block> block = std::move(in_flight_.front());
    in_flight_.pop_front();
    if (pool_) pool_->wait(*block);
    if (block->error) std::rethrow_exception(block->error);
    if (!header_written_) write_header();
    next_.write(bytes_of(block->output.data(), block->output.size()));
    crc_ = crc32_combine(crc_, block->crc, static_cast<z_off_t>(block->input.size()));
    total_ += block->input.size();
  }

  void write_header() {
    // As zlib's gzip wrapper writes it (deflate.c): XFL 2 at level 9, 4 at level 1, else 0.
    unsigned char extra_flags = options_.level == 9 ? 2 : options_.level < 2 ? 4 : 0;
    const std::array<unsigned char, 10> header = {0x1f, 0x8b, 8, 0, 0, 0, 0, 0, extra_flags, 0xff};
    next_.write(bytes_of(header.data(), header.size()));
    header_written_ = true;
  }

  ByteSink& next_;
  ParallelGzipOptions options_;
  std::size_t max_in_flight_;
  std::unique_ptr<RawDeflater> inline_deflater_;
  std::shared_ptr<Block> current_;
  std::vector<unsigned char> window_;
  std::deque<std::shared_ptr<Block>> in_flight_;
  bool header_written_ = false;
  uLong crc_ = 0;
  std::uint64_t total_ = 0;
  std::unique_ptr<Pool> pool_;  // Last: its threads are joined before the blocks go.
};

}  // namespace

std::unique_ptr<ByteSink> make_parallel_gzip_compressor(ByteSink& next,
                                                        const ParallelGzipOptions& options) {
  return std::make_unique<ParallelGzip>(next, options);
}

}  // namespace hocker::blob
