// hocker manifest / config / tags / digest: small documents, printed as the registry sent them.
#include <CLI/CLI.hpp>

#include "cli/blob_source.h"
#include "cli/command.h"
#include "cli/options.h"
#include "cli/output.h"
#include "cli/report.h"
#include "hocker/base/error.h"
#include "hocker/registry/resolve.h"

namespace hocker::cli {
namespace {

class ManifestCommand final : public Command {
 public:
  std::string name() const override { return "manifest"; }
  std::string description() const override {
    return "Print an image's manifest (for --platform; the index itself with --index), exact bytes";
  }
  void configure(CLI::App& app) override {
    add_fetch_options(app, options_, WithOutput::kYes);
    app.add_flag("--index", index_, "Print the manifest list / OCI index instead");
  }
  int run() override {
    ref::Reference reference = reference_from(options_);
    auto client = make_client(options_, reference);
    if (index_) {
      registry::FetchedManifest fetched =
          client->fetch_manifest(reference.repository, reference.identifier());
      if (image::classify(fetched.raw, fetched.content_type) != image::DocumentKind::kIndex) {
        throw Error(ErrorKind::kFormat, reference.string() +
                                            " is a single-platform image, not an index: "
                                            "drop --index to print its manifest");
      }
      deliver(options_.out, fetched.raw);
      return 0;
    }
    registry::ResolvedImage resolved =
        registry::resolve_image(*client, reference, platform_from(options_));
    deliver(options_.out, resolved.manifest.raw);
    return 0;
  }

 private:
  FetchOptions options_;
  bool index_ = false;
};

class ConfigCommand final : public Command {
 public:
  std::string name() const override { return "config"; }
  std::string description() const override {
    return "Print an image's configuration JSON, exact bytes, digest-verified";
  }
  void configure(CLI::App& app) override { add_fetch_options(app, options_, WithOutput::kYes); }
  int run() override {
    ref::Reference reference = reference_from(options_);
    auto client = make_client(options_, reference);
    registry::ResolvedImage resolved =
        registry::resolve_image(*client, reference, platform_from(options_));
    auto cache = open_cache(options_.cache);
    image::ImageConfig config =
        fetch_config_through_cache(*client, reference.repository, resolved.parsed, cache.get());
    if (!options_.platform.empty()) {
      registry::check_requested_platform(resolved, config, platform_from(options_));
    }
    deliver(options_.out, config.raw());
    return 0;
  }

 private:
  FetchOptions options_;
};

class TagsCommand final : public Command {
 public:
  std::string name() const override { return "tags"; }
  std::string description() const override { return "List a repository's tags, one per line"; }
  void configure(CLI::App& app) override { add_fetch_options(app, options_, WithOutput::kNo); }
  int run() override {
    ref::Reference reference = reference_from(options_);
    auto client = make_client(options_, reference);
    std::string listing;
    std::size_t dropped = 0;
    for (const std::string& tag : client->list_tags(reference.repository, &dropped)) {
      listing += tag + "\n";
    }
    if (dropped > 0) {
      warn("left out " + std::to_string(dropped) + " tag" + (dropped == 1 ? "" : "s") +
           " the registry listed that are not valid tag names");
    }
    write_stdout(listing);
    return 0;
  }

 private:
  FetchOptions options_;
};

// The digest printed is always one that was checked, or the registry's own word for a tag:
// a HEAD answered with Docker-Content-Digest gives the registry's digest (a tag has nothing to
// check it against without the GET the HEAD avoids); without that header the manifest is
// fetched and the digest of its bytes printed; a reference pinned by digest must get that
// digest back, whichever way it came (Error kIntegrity otherwise).
class DigestCommand final : public Command {
 public:
  std::string name() const override { return "digest"; }
  std::string description() const override {
    return "Print the manifest digest a reference resolves to (with --platform: that platform's)";
  }
  void configure(CLI::App& app) override { add_fetch_options(app, options_, WithOutput::kNo); }
  int run() override {
    ref::Reference reference = reference_from(options_);
    auto client = make_client(options_, reference);
    if (!options_.platform.empty()) {
      registry::ResolvedImage resolved =
          registry::resolve_image(*client, reference, platform_from(options_));
      write_stdout(resolved.manifest.digest.string() + "\n");
      return 0;
    }
    digest::Digest digest =
        client->fetch_manifest_digest(reference.repository, reference.identifier());
    if (reference.digest && digest != *reference.digest) {
      throw Error(ErrorKind::kIntegrity,
                  reference.string() + ": registry answered digest " + digest.string());
    }
    write_stdout(digest.string() + "\n");
    return 0;
  }

 private:
  FetchOptions options_;
};

}  // namespace

std::unique_ptr<Command> make_manifest_command() {
  return std::make_unique<ManifestCommand>();
}
std::unique_ptr<Command> make_config_command() {
  return std::make_unique<ConfigCommand>();
}
std::unique_ptr<Command> make_tags_command() {
  return std::make_unique<TagsCommand>();
}
std::unique_ptr<Command> make_digest_command() {
  return std::make_unique<DigestCommand>();
}

}  // namespace hocker::cli
