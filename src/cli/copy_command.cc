// hocker copy SRC DST: an image from one registry (or repository) to another, digests kept
// (docs/spec.md §9). The library does the work; this file builds the two clients and prints
// the destination's name@digest.
#include <CLI/CLI.hpp>

#include "cli/command.h"
#include "cli/options.h"
#include "cli/output.h"
#include "cli/progress_display.h"
#include "hocker/base/error.h"
#include "hocker/copy/copy.h"
#include "hocker/pull/blob_pull.h"

namespace hocker::cli {
namespace {

class CopyCommand final : public Command {
 public:
  std::string name() const override { return "copy"; }
  std::string description() const override {
    return "Copy an image from one registry or repository to another, keeping its digests";
  }
  void configure(CLI::App& app) override {
    add_client_options(app, options_);
    app.add_option("--platform", options_.platform,
                   "os/arch[/variant] to copy of an index (default: host)");
    app.add_flag("--all-platforms", all_platforms_,
                 "Copy the whole manifest list / OCI index (every platform), not one manifest")
        ->excludes("--platform");
    app.add_option("--src-credentials-file", source_credentials_,
                   "Credentials for SRC's registry when it is not DST's (same format as "
                   "--credentials-file; the authentication options are for DST's registry)")
        ->type_name("FILE")
        ->check(CLI::ExistingFile);
    app.add_option("-j,--jobs", jobs_, "Blobs copied at once")->check(CLI::Range(1, 64));
    app.add_option("SRC", source_, "The image to copy (a reference)")->required();
    app.add_option("DST", target_, "Where to put it (a reference: its tag, or its digest)")
        ->required();
  }
  int run() override {
    ref::Reference source = ref::Reference::parse(source_);
    ref::Reference target = ref::Reference::parse(target_);
    auto target_client = make_client(options_, target);
    std::unique_ptr<registry::Client> own_source_client;
    registry::Client* source_client = target_client.get();
    if (!(source.registry == target.registry)) {
      // The explicit credentials belong to DST's registry: SRC's come from its own file, the
      // environment or the docker config, never from DST's flags.
      FetchOptions source_options = options_;
      source_options.username.clear();
      source_options.password.clear();
      source_options.password_stdin = false;
      source_options.token.clear();
      source_options.credentials_file = source_credentials_;
      own_source_client = make_client(source_options, source);
      source_client = own_source_client.get();
    }
    auto cache = pull::open_cache(options_.cache);
    auto display =
        make_progress_display(choose_progress_style(options_.quiet), "Copying blob", false);
    copy::CopyOptions copy_options;
    copy_options.platforms = all_platforms_ ? copy::Platforms::kAll : copy::Platforms::kOne;
    copy_options.platform = requested_platform(options_);
    copy_options.jobs = jobs_;
    copy_options.cache = cache.get();
    copy_options.progress = display.get();
    copy::CopyResult result =
        copy::copy_image(*source_client, source, *target_client, target, copy_options);
    display->finish();
    write_stdout(target.registry.domain + "/" + target.repository + "@" + result.digest.string() +
                 "\n");
    return 0;
  }

 private:
  FetchOptions options_;
  std::string source_, target_, source_credentials_;
  bool all_platforms_ = false;
  int jobs_ = 4;
};

}  // namespace

std::unique_ptr<Command> make_copy_command() {
  return std::make_unique<CopyCommand>();
}

}  // namespace hocker::cli
