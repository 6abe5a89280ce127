// docker2nix / hocker nix: a Nix expression for nixpkgs' fetchdocker that pins the config and
// every layer by hash (docs/spec.md §3.6). The manifest comes from --manifest, stdin (classic form)
// or the registry (modern form).
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <fstream>
#include <iostream>
#include <sstream>

#include "cli/command.h"
#include "cli/options.h"
#include "cli/output.h"
#include "cli/report.h"
#include "hocker/base/error.h"
#include "hocker/image/manifest.h"
#include "hocker/nix/fetchdocker.h"
#include "hocker/pull/image_pull.h"

namespace hocker::cli {
namespace {

std::string read_bounded(std::istream& in, const std::string& what) {
  std::string data(image::kMaxManifestSize + 1, '\0');
  in.read(data.data(), static_cast<std::streamsize>(data.size()));
  data.resize(static_cast<std::size_t>(in.gcount()));
  if (data.size() > image::kMaxManifestSize) {
    throw Error(ErrorKind::kFormat,
                what + ": larger than " + std::to_string(image::kMaxManifestSize) + " bytes");
  }
  if (in.bad()) throw Error(ErrorKind::kLocalIo, "cannot read " + what);
  return data;
}

std::string read_manifest_input(const std::string& path) {
  if (path.empty() || path == "-") return read_bounded(std::cin, "standard input");
  std::ifstream file(path, std::ios::binary);
  if (!file) throw Error(ErrorKind::kLocalIo, "cannot read manifest file " + path);
  return read_bounded(file, path);
}

image::Manifest parse_input(std::string raw) {
  if (raw.empty()) throw Error(ErrorKind::kFormat, "no manifest on input");
  if (image::classify(raw, "") == image::DocumentKind::kIndex) {
    throw Error(ErrorKind::kFormat,
                "input is a manifest list / OCI index: pick a platform first, e.g. "
                "hocker-manifest --platform linux/amd64 NAME TAG | docker2nix NAME TAG");
  }
  return image::Manifest::parse(std::move(raw));
}

// fetchdocker's registry attribute: the base URI with "/v2/".
std::string registry_attribute(std::string base) {
  while (!base.empty() && base.back() == '/') base.pop_back();
  if (base.ends_with("/v2")) base.resize(base.size() - 3);
  return base + "/v2/";
}

// nixpkgs' fetchdocker fetchers ask for the config by tag at build time, which gives the
// builder's platform: a manifest chosen from an index for another platform pins a config they
// cannot fetch. A single manifest is what the tag names everywhere, so it is not warned about.
void warn_about_foreign_platform(const registry::ResolvedImage& resolved) {
  if (!resolved.index) return;
  image::Platform host = image::Platform::host();
  image::Index index = image::Index::parse(resolved.index->raw);
  for (const image::Descriptor& entry : index.manifests()) {
    if (entry.digest != resolved.manifest.digest || !entry.platform) continue;
    if (entry.platform->matches(host)) return;
    warn("the manifest pinned is for " + entry.platform->string() + ", not this host's " +
         host.string() +
         ": nixpkgs' fetchdocker fetchers can only fetch the builder's "
         "platform; use hocker lock --platform " +
         entry.platform->string() + " with the Nix library's fetchImage instead");
    return;
  }
}

class NixCommand final : public Command {
 public:
  std::string name() const override { return "nix"; }
  std::string description() const override {
    return "Write a Nix expression for nixpkgs' fetchdocker pinning config and layers";
  }
  void configure(CLI::App& app) override {
    add_fetch_options(app, options_, WithOutput::kNo);
    app.add_option("--manifest", manifest_path_, "Read the manifest from PATH ('-' = stdin)")
        ->type_name("PATH");
    app.add_option("--altName", alt_name_, "The derivation name (default: the image name)");
    app.add_option("--hash-format", hash_format_, "base32 (default) or sri")
        ->check(CLI::IsMember({"base32", "sri"}));
  }
  int run() override {
    ref::Reference reference = reference_from(options_);
    if (!reference.tag) {
      throw Error(ErrorKind::kUsage, "docker2nix needs a tag: fetchdocker names images by tag");
    }
    bool classic = options_.positionals.size() == 2;
    std::string registry =
        options_.registry.empty() ? reference.registry.base_url() : options_.registry;
    std::optional<image::Manifest> manifest;
    if (classic || !manifest_path_.empty()) {
      manifest = parse_input(read_manifest_input(manifest_path_));
    } else {
      auto client = make_client(options_, reference);
      pull::ImagePull pull(*client, reference, requested_platform(options_));
      warn_about_foreign_platform(pull.resolved());
      manifest = pull.manifest();
      registry = client->settle_base_url();  // Settled by the fetch: the scheme it used.
    }
    auto [repository, image_name] = nix::split_repository(reference.repository);
    nix::FetchdockerInput input{
        alt_name_.empty() ? image_name : alt_name_,
        registry_attribute(registry),
        repository,
        image_name,
        *reference.tag,
        manifest->config().digest,
        {},
        hash_format_ == "sri" ? nix::HashFormat::kSri : nix::HashFormat::kBase32};
    for (const auto& layer : manifest->layers()) input.layers.push_back(layer.digest);
    write_stdout(nix::render_fetchdocker(input));
    return 0;
  }

 private:
  FetchOptions options_;
  std::string manifest_path_;
  std::string alt_name_;
  std::string hash_format_ = "base32";
};

}  // namespace

std::unique_ptr<Command> make_nix_command() {
  return std::make_unique<NixCommand>();
}

}  // namespace hocker::cli
