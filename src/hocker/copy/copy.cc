#include "hocker/copy/copy.h"

#include <atomic>
#include <exception>
#include <mutex>
#include <set>
#include <thread>
#include <vector>

#include "hocker/base/error.h"
#include "hocker/copy/blob_copy.h"
#include "hocker/image/manifest.h"

namespace hocker::copy {
namespace {

constexpr int kMaxIndexDepth = 4;

struct Document {
  registry::FetchedManifest fetched;
  std::string media_type;
};

// What goes to the target: blobs (each once), then the documents in order, the named one last.
struct Plan {
  std::vector<image::Descriptor> blobs;
  std::set<std::string> planned;  // Digests, as strings.
  std::vector<Document> documents;
};

std::string media_type_of(const registry::FetchedManifest& fetched, image::DocumentKind kind) {
  if (kind == image::DocumentKind::kIndex) {
    auto index = image::Index::parse(fetched.raw);
    if (!index.media_type().empty()) return index.media_type();
    return fetched.content_type.empty() ? std::string(image::media_type::kOciIndex)
                                        : fetched.content_type;
  }
  auto manifest = image::Manifest::parse(fetched.raw);
  if (!manifest.media_type().empty()) return manifest.media_type();
  return fetched.content_type.empty() ? std::string(image::media_type::kOciManifest)
                                      : fetched.content_type;
}

void add_blob(Plan& plan, const image::Descriptor& blob) {
  // Foreign layers live at their URLs, not in any registry: the manifest points there.
  if (image::is_foreign_layer(blob.media_type)) return;
  if (plan.planned.insert(blob.digest.string()).second) plan.blobs.push_back(blob);
}

void plan_document(registry::Client& client, const std::string& repository,
                   registry::FetchedManifest fetched, Plan& plan, int depth) {
  image::DocumentKind kind = image::classify(fetched.raw, fetched.content_type);
  std::string media_type = media_type_of(fetched, kind);
  if (kind == image::DocumentKind::kIndex) {
    if (depth >= kMaxIndexDepth) {
      throw Error(ErrorKind::kFormat, "index " + fetched.digest.string() + ": nested deeper than " +
                                          std::to_string(kMaxIndexDepth) + " levels");
    }
    image::Index index = image::Index::parse(fetched.raw);
    for (const image::Descriptor& child : index.manifests()) {
      plan_document(client, repository, client.fetch_manifest(repository, child.digest.string()),
                    plan, depth + 1);
    }
  } else {
    auto manifest = image::Manifest::parse(fetched.raw);
    add_blob(plan, manifest.config());
    for (const image::Descriptor& layer : manifest.layers()) add_blob(plan, layer);
  }
  plan.documents.push_back({std::move(fetched), std::move(media_type)});
}

Plan make_plan(registry::Client& client, const ref::Reference& source, const CopyOptions& options) {
  registry::FetchedManifest top = client.fetch_manifest(source.repository, source.identifier());
  Plan plan;
  bool is_index = image::classify(top.raw, top.content_type) == image::DocumentKind::kIndex;
  if (is_index && options.platforms == Platforms::kOne) {
    auto index = image::Index::parse(top.raw);
    const image::Descriptor& chosen =
        index.select(options.platform.value_or(image::Platform::host()));
    top = client.fetch_manifest(source.repository, chosen.digest.string());
  }
  plan_document(client, source.repository, std::move(top), plan, 0);
  return plan;
}

// Copies the plan's blobs on up to `jobs` threads; the first failure stops the others from
// starting new blobs and is rethrown.
void copy_blobs(const CopyEnds& ends, const Plan& plan, const CopyOptions& options,
                CopyResult& result) {
  std::atomic<std::size_t> next{0};
  std::mutex mutex;
  std::exception_ptr failure;
  auto work = [&] {
    for (std::size_t i = next++; i < plan.blobs.size(); i = next++) {
      {
        std::lock_guard lock(mutex);
        if (failure) return;
      }
      try {
        BlobOutcome outcome = copy_blob(ends, plan.blobs[i], i, options.progress);
        std::lock_guard lock(mutex);
        ++(outcome == BlobOutcome::kPresent   ? result.blobs_present
           : outcome == BlobOutcome::kMounted ? result.blobs_mounted
                                              : result.blobs_uploaded);
      } catch (...) {
        std::lock_guard lock(mutex);
        if (!failure) failure = std::current_exception();
        return;
      }
    }
  };
  std::size_t threads = std::min<std::size_t>(std::max(options.jobs, 1), plan.blobs.size());
  std::vector<std::jthread> workers;
  for (std::size_t t = 1; t < threads; ++t) workers.emplace_back(work);
  work();
  workers.clear();  // Joins.
  if (failure) std::rethrow_exception(failure);
}

}  // namespace

CopyResult copy_image(registry::Client& source_client, const ref::Reference& source,
                      registry::Client& target_client, const ref::Reference& target,
                      const CopyOptions& options) {
  Plan plan = make_plan(source_client, source, options);
  const Document& named = plan.documents.back();
  if (target.digest && *target.digest != named.fetched.digest) {
    throw Error(ErrorKind::kUsage, "destination " + target.string() +
                                       " names another digest than " + "the source's " +
                                       named.fetched.digest.string());
  }
  if (options.progress != nullptr) {
    std::int64_t total = 0;
    for (const image::Descriptor& blob : plan.blobs) total += blob.size;
    options.progress->image_started(plan.blobs.size(), total);
  }
  CopyEnds ends{source_client, source.repository, target_client, target.repository, options.cache};
  CopyResult result{named.fetched.digest};
  copy_blobs(ends, plan, options, result);
  for (std::size_t i = 0; i + 1 < plan.documents.size(); ++i) {
    const Document& child = plan.documents[i];
    target_client.put_manifest(target.repository, child.fetched.digest.string(), child.media_type,
                               child.fetched.raw);
    ++result.manifests;
  }
  std::string reference = target.tag ? *target.tag : named.fetched.digest.string();
  result.digest =
      target_client.put_manifest(target.repository, reference, named.media_type, named.fetched.raw);
  ++result.manifests;
  return result;
}

}  // namespace hocker::copy
