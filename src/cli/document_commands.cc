// hocker manifest / config / tags / digest: small documents, printed as the registry sent them.
#include <CLI/CLI.hpp>

#include "cli/blob_source.h"
#include "cli/command.h"
#include "cli/json_output.h"
#include "cli/options.h"
#include "cli/output.h"
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
  void configure(CLI::App& app) override {
    add_fetch_options(app, options_, WithOutput::kNo);
    app.add_flag("--json", json_, "Print the repository and its tags as JSON");
  }
  int run() override {
    ref::Reference reference = reference_from(options_);
    auto client = make_client(options_, reference);
    std::vector<std::string> tags = client->list_tags(reference.repository);
    if (json_) {
      write_stdout(tags_json(reference.registry.domain + "/" + reference.repository, tags));
      return 0;
    }
    std::string listing;
    for (const std::string& tag : tags) listing += tag + "\n";
    write_stdout(listing);
    return 0;
  }

 private:
  FetchOptions options_;
  bool json_ = false;
};

class DigestCommand final : public Command {
 public:
  std::string name() const override { return "digest"; }
  std::string description() const override {
    return "Print the manifest digest a reference resolves to (with --platform: that platform's)";
  }
  void configure(CLI::App& app) override {
    add_fetch_options(app, options_, WithOutput::kNo);
    app.add_flag("--json", json_, "Print reference, digest (and what else is known) as JSON");
  }
  int run() override {
    ref::Reference reference = reference_from(options_);
    auto client = make_client(options_, reference);
    if (!options_.platform.empty()) {
      registry::ResolvedImage resolved =
          registry::resolve_image(*client, reference, platform_from(options_));
      print(digest_of_resolved(reference, options_.platform, resolved));
      return 0;
    }
    digest::Digest digest =
        client->fetch_manifest_digest(reference.repository, reference.identifier());
    if (reference.digest && digest != *reference.digest) {
      throw Error(ErrorKind::kIntegrity,
                  reference.string() + ": registry answered digest " + digest.string());
    }
    print({reference.string(), digest.string(), "", std::nullopt, std::nullopt});
    return 0;
  }

 private:
  void print(const DigestResult& result) const {
    write_stdout(json_ ? digest_json(result) : result.digest + "\n");
  }

  FetchOptions options_;
  bool json_ = false;
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
