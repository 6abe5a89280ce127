// The OCI layout push: a plan from index.json (blobs, then documents children-first), carried
// out from a directory or from the two passes over an archive.
#include "hocker/push/oci_push.h"

#include <fcntl.h>
#include <sys/stat.h>

#include <algorithm>
#include <atomic>
#include <set>

#include "hocker/archive/scheduler.h"
#include "hocker/base/error.h"
#include "hocker/base/unique_fd.h"
#include "hocker/blob/sinks.h"
#include "hocker/image/manifest.h"
#include "hocker/image/media_types.h"

namespace hocker::push {

namespace {

constexpr const char* kRefName = "org.opencontainers.image.ref.name";
constexpr int kMaxNesting = 4;  // index → index → manifest is the deepest seen in practice.

class Planner {
 public:
  explicit Planner(const ReadDocument& read) : read_(read) {}

  // Adds `descriptor` (a manifest or index) and everything below it to the plan.
  void add(const image::Descriptor& descriptor, const std::string& reference, int depth) {
    if (depth > kMaxNesting) throw Error(ErrorKind::kFormat, "indexes nested too deeply");
    std::string raw = read_(descriptor);
    add_raw(raw, descriptor.media_type, reference, depth);
  }

  void add_raw(const std::string& raw, const std::string& declared_type,
               const std::string& reference, int depth) {
    OciDocument document{raw, declared_type, reference};
    if (image::classify(raw, declared_type) == image::DocumentKind::kIndex) {
      image::Index index = image::Index::parse(raw);
      for (const auto& child : index.manifests()) add(child, child.digest.string(), depth + 1);
      if (document.media_type.empty()) document.media_type = type_of(index.media_type(), true);
    } else {
      image::Manifest manifest = image::Manifest::parse(raw);
      add_blob(manifest.config());
      for (const auto& layer : manifest.layers()) add_blob(layer);
      if (document.media_type.empty()) document.media_type = type_of(manifest.media_type(), false);
    }
    plan_.documents.push_back(std::move(document));
  }

  OciPlan take() { return std::move(plan_); }

 private:
  static std::string type_of(const std::string& declared, bool index) {
    if (!declared.empty()) return declared;
    return std::string(index ? image::media_type::kOciIndex : image::media_type::kOciManifest);
  }
  void add_blob(const image::Descriptor& blob) {
    if (seen_.insert(blob.digest.string()).second) plan_.blobs.push_back(blob);
  }

  const ReadDocument& read_;
  OciPlan plan_;
  std::set<std::string> seen_;
};

// index.json entries that carry different names are several images, not one index.
void refuse_several_names(const image::Index& top) {
  std::set<std::string> names;
  for (const auto& entry : top.manifests()) {
    auto name = entry.annotations.find("io.containerd.image.name");
    if (name == entry.annotations.end()) name = entry.annotations.find(kRefName);
    if (name != entry.annotations.end()) names.insert(name->second);
  }
  if (names.size() > 1) {
    throw Error(ErrorKind::kFormat, "index.json names " + std::to_string(names.size()) +
                                        " images: push them all with --all");
  }
}

std::string blob_path(const std::string& directory, const digest::Digest& digest) {
  return directory + "/blobs/" + std::string(digest.algorithm_name()) + "/" + digest.hex();
}

UniqueFd open_blob(const std::string& path) {
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW));
  if (!fd) throw Error(ErrorKind::kFormat, "cannot open " + path + ": the layout lacks a blob");
  return fd;
}

void copy_fd(int fd, ByteSink& sink, const std::string& path) {
  std::vector<char> buffer(kChunkSize);
  for (;;) {
    ssize_t count = ::read(fd, buffer.data(), buffer.size());
    if (count < 0 && errno == EINTR) continue;
    if (count < 0) throw Error(ErrorKind::kLocalIo, "cannot read " + path);
    if (count == 0) return;
    sink.write(as_bytes(buffer.data(), static_cast<std::size_t>(count)));
  }
}

// Streams `fd` (the blob `descriptor`) into a new upload, verified on the way.
void upload_verified(PushTarget& target, const image::Descriptor& descriptor,
                     const std::function<void(ByteSink&)>& feed, const std::string& subject) {
  auto upload = target.begin_upload();
  blob::VerifySink verify(subject, descriptor.digest, descriptor.size, *upload);
  feed(verify);
  verify.finish();
  upload->commit(descriptor.digest);
}

std::string verified_document(std::string raw, const image::Descriptor& descriptor,
                              const std::string& subject) {
  blob::NullSink discard;
  blob::VerifySink verify(subject, descriptor.digest, descriptor.size, discard);
  verify.write(as_bytes(raw.data(), raw.size()));
  verify.finish();
  return raw;
}

}  // namespace

OciPlan plan_oci_layout(const std::string& index_json, const ReadDocument& read_document,
                        const std::string& tag) {
  image::Index top = image::Index::parse(index_json);
  Planner planner(read_document);
  if (top.manifests().size() == 1) {
    const image::Descriptor& only = top.manifests().front();
    std::string reference = tag;
    if (reference.empty()) {
      auto name = only.annotations.find(kRefName);
      if (name != only.annotations.end()) reference = name->second;
    }
    if (reference.empty()) {
      throw Error(ErrorKind::kUsage,
                  std::string("the reference names no tag and the layout has no ") + kRefName +
                      " annotation: name a tag");
    }
    planner.add(only, reference, 0);
    return planner.take();
  }
  refuse_several_names(top);
  if (tag.empty()) {
    throw Error(ErrorKind::kUsage, "the reference names no tag and the layout lists " +
                                       std::to_string(top.manifests().size()) +
                                       " manifests: name a tag");
  }
  planner.add_raw(index_json, std::string(image::media_type::kOciIndex), tag, 0);
  return planner.take();
}

PushReport put_oci_documents(const OciPlan& plan, PushTarget& target, PushReport report) {
  for (const auto& document : plan.documents) {
    report.digest = target.put_manifest(document.reference, document.media_type, document.raw);
    report.tag = document.reference;
  }
  return report;
}

bool is_oci_layout_directory(const std::string& path) {
  struct stat info {};
  return ::stat((path + "/oci-layout").c_str(), &info) == 0 && S_ISREG(info.st_mode);
}

PushReport push_oci_directory(const std::string& directory, PushTarget& target,
                              const BlobPolicy& policy, const std::string& tag, int jobs,
                              const std::string* index_override) {
  auto read_document = [&](const image::Descriptor& descriptor) {
    std::string path = blob_path(directory, descriptor.digest);
    if (descriptor.size > static_cast<std::int64_t>(image::kMaxManifestSize)) {
      throw Error(ErrorKind::kFormat, path + ": a manifest larger than the limit");
    }
    UniqueFd fd = open_blob(path);
    blob::StringSink content;
    copy_fd(fd.get(), content, path);
    return verified_document(content.data(), descriptor, path);
  };
  UniqueFd index_fd = open_blob(directory + "/index.json");
  blob::StringSink index_json;
  copy_fd(index_fd.get(), index_json, directory + "/index.json");
  OciPlan plan =
      plan_oci_layout(index_override ? *index_override : index_json.data(), read_document, tag);
  std::atomic<int> uploaded{0}, skipped{0};
  archive::StopFlag stop{false};
  archive::run_in_parallel(plan.blobs.size(), std::max(jobs, 1), stop, [&](std::size_t i) {
    const image::Descriptor& blob = plan.blobs[i];
    if (ensure_blob(target, policy, blob.digest)) {
      ++skipped;
      return;
    }
    std::string path = blob_path(directory, blob.digest);
    UniqueFd fd = open_blob(path);
    upload_verified(
        target, blob,
        [&](ByteSink& sink) {
          archive::StopCheckSink checked(stop, sink);
          copy_fd(fd.get(), checked, path);
        },
        path);
    ++uploaded;
  });
  return put_oci_documents(plan, target, PushReport{"", digest::sha256(""), uploaded, skipped});
}

bool is_oci_archive(const ArchiveScan& scan) {
  return !scan.manifest_json && scan.documents.contains("index.json");
}

PushReport push_oci_archive(const ArchiveScan& scan, TarReader& second_pass, PushTarget& target,
                            const BlobPolicy& policy, const std::string& tag,
                            const std::string* index_override) {
  auto member_of = [](const digest::Digest& digest) {
    return "blobs/" + std::string(digest.algorithm_name()) + "/" + digest.hex();
  };
  auto read_document = [&](const image::Descriptor& descriptor) {
    auto found = scan.documents.find(member_of(descriptor.digest));
    if (found == scan.documents.end()) {
      throw Error(ErrorKind::kFormat, "the archive lacks " + member_of(descriptor.digest));
    }
    return verified_document(found->second, descriptor, member_of(descriptor.digest));
  };
  OciPlan plan = plan_oci_layout(index_override ? *index_override : scan.documents.at("index.json"),
                                 read_document, tag);
  PushReport report{"", digest::sha256("")};
  std::map<std::string, image::Descriptor> pending;
  for (const auto& blob : plan.blobs) {
    if (ensure_blob(target, policy, blob.digest)) {
      ++report.skipped;
    } else if (auto kept = scan.documents.find(member_of(blob.digest));
               kept != scan.documents.end()) {
      target.put_blob(blob.digest, verified_document(kept->second, blob, kept->first));
      ++report.uploaded;
    } else {
      pending.emplace(member_of(blob.digest), blob);
    }
  }
  while (!pending.empty()) {
    auto member = second_pass.next();
    if (!member) break;
    auto found = pending.find(member->name);
    if (found == pending.end() || !member->is_file) continue;
    upload_verified(
        target, found->second, [&](ByteSink& sink) { second_pass.read(sink); }, member->name);
    ++report.uploaded;
    pending.erase(found);
  }
  if (!pending.empty()) {
    throw Error(ErrorKind::kFormat, "the archive lacks " + pending.begin()->first);
  }
  return put_oci_documents(plan, target, std::move(report));
}

}  // namespace hocker::push
