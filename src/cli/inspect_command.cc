// hocker inspect: a summary of an image from its manifests and configuration, for people or
// (--json) for scripts. No layer is downloaded.
#include <CLI/CLI.hpp>

#include "cli/command.h"
#include "cli/image_summary.h"
#include "cli/inspect_text.h"
#include "cli/json_output.h"
#include "cli/options.h"
#include "cli/output.h"
#include "hocker/pull/blob_pull.h"
#include "hocker/pull/image_pull.h"

namespace hocker::cli {
namespace {

class InspectCommand final : public Command {
 public:
  std::string name() const override { return "inspect"; }
  std::string description() const override {
    return "Summarise an image (platforms, layers, sizes, config) without fetching its layers";
  }
  void configure(CLI::App& app) override {
    add_fetch_options(app, options_, WithOutput::kNo);
    app.add_flag("--json", json_,
                 "Print the summary as JSON (schema: docs/json/inspect.schema.json)");
  }
  int run() override {
    ref::Reference reference = reference_from(options_);
    auto sources = make_sources(options_, reference);
    pull::ImagePull pull(*sources, reference, requested_platform(options_));
    auto cache = pull::open_cache(options_.cache);
    image::ImageConfig config = pull.fetch_config(cache.get());  // Checks --platform too.
    ImageSummary summary = summarize_image(reference, pull.resolved(), config);
    write_stdout(json_ ? inspect_json(summary) : render_inspect_text(summary));
    return 0;
  }

 private:
  FetchOptions options_;
  bool json_ = false;
};

}  // namespace

std::unique_ptr<Command> make_inspect_command() {
  return std::make_unique<InspectCommand>();
}

}  // namespace hocker::cli
