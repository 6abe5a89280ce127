#include "hocker/assemble/assemble.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <map>
#include <vector>

#include "hocker/archive/image_names.h"
#include "hocker/base/error.h"
#include "hocker/base/unique_fd.h"
#include "hocker/image/media_types.h"
#include "hocker/ref/reference.h"

namespace hocker::assemble {
namespace {

constexpr std::size_t kChunkSize = 256u << 10;  // Large reads; see the write-size notes.

std::string system_error(const std::string& what) {
  return what + ": " + std::strerror(errno);
}

UniqueFd open_blob_file(const std::filesystem::path& path) {
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (fd.get() < 0) throw Error(ErrorKind::kLocalIo, system_error("cannot open " + path.string()));
  return fd;
}

// Reads `path` to its end in large chunks, handing each to `consume`.
template <typename Consume>
void read_chunks(const std::filesystem::path& path, Consume consume) {
  UniqueFd fd = open_blob_file(path);
  std::vector<std::byte> buffer(kChunkSize);
  for (;;) {
    ssize_t count = ::read(fd.get(), buffer.data(), buffer.size());
    if (count < 0 && errno == EINTR) continue;
    if (count < 0) throw Error(ErrorKind::kLocalIo, system_error("cannot read " + path.string()));
    if (count == 0) return;
    consume(Bytes(buffer.data(), static_cast<std::size_t>(count)));
  }
}

// A blob of the lock and the file that should hold it.
struct BlobFile {
  digest::Digest digest;
  std::uint64_t size = 0;
  std::filesystem::path path;
};

std::string subject(const BlobFile& blob) {
  return "blob " + blob.digest.string() + ": file " + blob.path.string();
}

// Locates the file of `locked` and checks its size, which costs no read.
BlobFile locate(const lock::LockedBlob& locked, const BlobFiles& files) {
  BlobFile blob{digest::Digest::parse(locked.digest), locked.size, {}};
  blob.path = files.locate(blob.digest);
  struct stat status {};
  if (::stat(blob.path.c_str(), &status) != 0) {
    throw Error(ErrorKind::kLocalIo, system_error("cannot read " + blob.path.string()));
  }
  if (!S_ISREG(status.st_mode)) {
    throw Error(ErrorKind::kLocalIo, subject(blob) + ": not a regular file");
  }
  if (static_cast<std::uint64_t>(status.st_size) != blob.size) {
    throw Error(ErrorKind::kIntegrity, subject(blob) + " has " + std::to_string(status.st_size) +
                                           " bytes, the lock says " + std::to_string(blob.size));
  }
  return blob;
}

void check_digest(const BlobFile& blob, const digest::Digest& actual) {
  if (actual == blob.digest) return;
  throw Error(ErrorKind::kIntegrity,
              subject(blob) + " does not match its digest: its content is " + actual.string());
}

void verify_file(const BlobFile& blob) {
  digest::Hasher hasher(blob.digest.algorithm());
  read_chunks(blob.path, [&](Bytes chunk) { hasher.update(chunk); });
  check_digest(blob, hasher.digest());
}

// The whole (small, size-checked) document, verified against its digest.
std::string read_document(const BlobFile& blob, std::size_t limit, std::string_view what) {
  if (blob.size > limit) {
    throw Error(ErrorKind::kFormat, std::string(what) + " " + blob.digest.string() +
                                        ": the lock's size " + std::to_string(blob.size) +
                                        " exceeds the limit of " + std::to_string(limit));
  }
  std::string text;
  text.reserve(blob.size);
  digest::Hasher hasher(blob.digest.algorithm());
  read_chunks(blob.path, [&](Bytes chunk) {
    hasher.update(chunk);
    text.append(reinterpret_cast<const char*>(chunk.data()), chunk.size());
  });
  check_digest(blob, hasher.digest());
  return text;
}

[[noreturn]] void disagree(const lock::LockedPlatform& platform, const std::string& what) {
  throw Error(ErrorKind::kFormat, "the lock's entry for manifest " + platform.manifest.digest +
                                      " disagrees with its " + what);
}

bool same_blob(const image::Descriptor& descriptor, const lock::LockedBlob& locked) {
  return descriptor.digest.string() == locked.digest && descriptor.size >= 0 &&
         static_cast<std::uint64_t>(descriptor.size) == locked.size;
}

// The manifest's bytes match the lock's digest; its content must also be what the lock lists.
void check_manifest(const image::Manifest& manifest, const lock::LockedPlatform& platform) {
  if (!same_blob(manifest.config(), platform.config)) disagree(platform, "manifest's config");
  const auto& layers = manifest.layers();
  if (layers.size() != platform.layers.size()) disagree(platform, "manifest's layer count");
  for (std::size_t i = 0; i < layers.size(); ++i) {
    if (!same_blob(layers[i], platform.layers[i])) {
      disagree(platform, "manifest's layer " + std::to_string(i));
    }
  }
}

void check_config(const image::ImageConfig& config, const lock::LockedPlatform& platform) {
  const auto& diff_ids = config.diff_ids();
  if (diff_ids.size() != platform.layers.size()) disagree(platform, "config's diff_ids count");
  for (std::size_t i = 0; i < diff_ids.size(); ++i) {
    if (diff_ids[i].string() != platform.layers[i].diff_id) {
      disagree(platform, "config's diff_id " + std::to_string(i));
    }
  }
}

// Streams layer files into the writer's sinks; the writer verifies what arrives.
archive::BlobFetcher file_fetcher(std::map<std::string, std::filesystem::path> paths) {
  return [paths = std::move(paths)](const image::Descriptor& blob, ByteSink& sink) {
    auto found = paths.find(blob.digest.string());
    if (found == paths.end()) {
      throw Error(ErrorKind::kInternal, "blob " + blob.digest.string() + " was not located");
    }
    read_chunks(found->second, [&](Bytes chunk) { sink.write(chunk); });
  };
}

}  // namespace

const lock::LockedImage& select_image(const lock::Lockfile& lockfile, std::string_view which) {
  const auto& images = lockfile.images;
  if (images.empty()) throw Error(ErrorKind::kNotFound, "the lockfile locks no image");
  if (which.empty()) return images.front();
  if (which.find_first_not_of("0123456789") == std::string_view::npos && which.size() <= 6) {
    std::size_t index = std::stoul(std::string(which));
    if (index < images.size()) return images[index];
  }
  std::string known;
  for (const lock::LockedImage& image : images) {
    if (image.reference == which) return image;
    known += (known.empty() ? "" : ", ") + image.reference;
  }
  throw Error(ErrorKind::kNotFound, "the lockfile has no image " + std::string(which) +
                                        " (locked: " + known + "; or an index from 0)");
}

const lock::LockedPlatform& select_platform(const lock::LockedImage& image,
                                            const std::optional<image::Platform>& wanted) {
  const auto& platforms = image.platforms;
  if (!wanted && platforms.size() == 1) return platforms.front();
  image::Platform target = wanted.value_or(image::Platform::host());
  std::string known;
  for (const lock::LockedPlatform& entry : platforms) {
    if (entry.platform.matches(target)) return entry;
    known += (known.empty() ? "" : ", ") + entry.platform.string();
  }
  throw Error(ErrorKind::kNotFound,
              image.reference + " has no platform " + target.string() + "; locked: " + known);
}

archive::ImageSource make_source(const lock::LockedImage& image,
                                 const lock::LockedPlatform& platform, const BlobFiles& files,
                                 const std::optional<std::string>& tag, VerifyLayers verify) {
  BlobFile manifest_file = locate(platform.manifest, files);
  BlobFile config_file = locate(platform.config, files);
  std::map<std::string, std::filesystem::path> layer_paths;
  std::vector<BlobFile> layer_files;
  for (const lock::LockedLayer& layer : platform.layers) {
    layer_files.push_back(locate(layer, files));
    layer_paths.emplace(layer.digest, layer_files.back().path);
  }
  image::Manifest manifest =
      image::Manifest::parse(read_document(manifest_file, image::kMaxManifestSize, "manifest"));
  check_manifest(manifest, platform);
  image::ImageConfig config =
      image::ImageConfig::parse(read_document(config_file, image::kMaxConfigSize, "config"));
  check_config(config, platform);
  if (verify == VerifyLayers::kUpFront) {
    for (const BlobFile& layer : layer_files) verify_file(layer);
  }
  archive::ImageNames names = archive::image_names(ref::Reference::parse(image.reference), tag);
  return archive::ImageSource{std::move(manifest), std::move(config), std::move(names.repo_tags),
                              std::move(names.oci_ref_name), std::move(names.oci_image_name),
                              file_fetcher(std::move(layer_paths)),
                              // A foreign layer's file is here like any other: its URLs are
                              // never used.
                              true};
}

}  // namespace hocker::assemble
