#include "hocker/assemble/blob_files.h"

#include "hocker/base/error.h"

namespace hocker::assemble {
namespace {

bool is_hex_digit(char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
}

// Whether `name` ends with `hex`, and the match does not start inside a longer hex run (so a
// sha256 hex never matches the tail of a sha512 one).
bool named_after(const std::string& name, const std::string& hex) {
  if (name.size() < hex.size()) return false;
  std::size_t start = name.size() - hex.size();
  if (name.compare(start, hex.size(), hex) != 0) return false;
  return start == 0 || !is_hex_digit(name[start - 1]);
}

bool file_exists(const std::filesystem::path& path) {
  std::error_code error;
  return std::filesystem::exists(path, error);
}

}  // namespace

BlobFiles BlobFiles::in_directory(std::filesystem::path directory) {
  if (!std::filesystem::is_directory(directory)) {
    throw Error(ErrorKind::kUsage, "--blobs " + directory.string() + ": not a directory");
  }
  return BlobFiles(std::move(directory), {});
}

BlobFiles BlobFiles::listed(std::vector<std::filesystem::path> files) {
  return BlobFiles({}, std::move(files));
}

std::filesystem::path BlobFiles::locate(const digest::Digest& digest) const {
  if (!directory_.empty()) {
    std::filesystem::path nested = directory_ / digest.algorithm_name() / digest.hex();
    if (file_exists(nested)) return nested;
    std::filesystem::path flat = directory_ / digest.hex();
    if (file_exists(flat)) return flat;
    throw Error(ErrorKind::kNotFound, "blob " + digest.string() + ": no file " + nested.string() +
                                          " or " + flat.string());
  }
  for (const std::filesystem::path& file : files_) {
    if (named_after(file.filename().string(), digest.hex())) return file;
  }
  throw Error(ErrorKind::kNotFound,
              "blob " + digest.string() + ": none of the --blob files is named after it");
}

}  // namespace hocker::assemble
