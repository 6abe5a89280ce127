// hocker layer: one blob exactly as stored (compressed), verified while it streams. This is
// nixpkgs' fetchDockerLayer fetcher, so the classic line must keep working:
//   hocker-layer --out="$out" --registry URI --layer HEX repo/name "" +RTS -N2 -RTS
#include <unistd.h>

#include <CLI/CLI.hpp>

#include "cli/command.h"
#include "cli/options.h"
#include "cli/output.h"
#include "cli/source_summary.h"
#include "hocker/base/atomic_file.h"
#include "hocker/blob/sinks.h"
#include "hocker/pull/blob_pull.h"

namespace hocker::cli {
namespace {

class LayerCommand final : public Command {
 public:
  std::string name() const override { return "layer"; }
  std::string description() const override {
    return "Fetch one layer blob (compressed, exact bytes) by its sha256, verified";
  }
  void configure(CLI::App& app) override {
    app.add_option("-l,--layer", layer_, "The layer's sha256 digest (hex, or sha256:hex)")
        ->required();
    add_fetch_options(app, options_, WithOutput::kYes);
  }
  int run() override {
    digest::Digest digest = digest::Digest::from_sha256_hex(layer_);
    ref::Reference reference = reference_from(options_);
    auto sources = make_sources(options_, reference);
    auto cache = pull::open_cache(options_.cache);
    if (options_.out.empty() || options_.out == "-") {
      blob::FdSink stdout_sink(STDOUT_FILENO, "standard output");
      sources->fetch_layer(digest, stdout_sink, cache.get());
      report_sources(*sources, options_.quiet);
      return 0;
    }
    AtomicFile file(options_.out);
    sources->fetch_layer(digest, file, cache.get());
    file.commit();
    report_sources(*sources, options_.quiet);
    announce_output(file);
    return 0;
  }

 private:
  FetchOptions options_;
  std::string layer_;
};

}  // namespace

std::unique_ptr<Command> make_layer_command() {
  return std::make_unique<LayerCommand>();
}

}  // namespace hocker::cli
