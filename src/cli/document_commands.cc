// hocker manifest / config / tags / digest: small documents, printed as the registry sent them.
#include <CLI/CLI.hpp>

#include "cli/command.h"
#include "cli/json_output.h"
#include "cli/options.h"
#include "cli/output.h"
#include "cli/report.h"
#include "hocker/base/error.h"
#include "hocker/pull/blob_pull.h"
#include "hocker/pull/image_pull.h"

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
    auto sources = make_sources(options_, reference);
    if (index_) {
      deliver(options_.out, pull::fetch_index(*sources, reference).raw);
      return 0;
    }
    pull::ImagePull pull(*sources, reference, requested_platform(options_));
    deliver(options_.out, pull.resolved().manifest.raw);
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
    auto sources = make_sources(options_, reference);
    pull::ImagePull pull(*sources, reference, requested_platform(options_));
    auto cache = pull::open_cache(options_.cache);
    deliver(options_.out, pull.fetch_config(cache.get()).raw());
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
    std::size_t dropped = 0;
    std::vector<std::string> tags = client->list_tags(reference.repository, &dropped);
    if (dropped > 0) {
      warn("left out " + std::to_string(dropped) + " tag" + (dropped == 1 ? "" : "s") +
           " the registry listed that are not valid tag names");
    }
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
  void configure(CLI::App& app) override {
    add_fetch_options(app, options_, WithOutput::kNo);
    app.add_flag("--json", json_, "Print reference, digest (and what else is known) as JSON");
  }
  int run() override {
    ref::Reference reference = reference_from(options_);
    if (!options_.platform.empty()) {
      auto sources = make_sources(options_, reference);
      pull::ImagePull pull(*sources, reference, requested_platform(options_));
      print(digest_of_resolved(reference, options_.platform, pull.resolved()));
      return 0;
    }
    auto client = make_client(options_, reference);
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
