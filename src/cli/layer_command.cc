// hocker layer: one blob exactly as stored (compressed), verified while it streams. This is
// nixpkgs' fetchDockerLayer fetcher, so the classic line must keep working:
//   hocker-layer --out="$out" --registry URI --layer HEX repo/name "" +RTS -N2 -RTS
#include <unistd.h>

#include <CLI/CLI.hpp>

#include "cli/blob_source.h"
#include "cli/command.h"
#include "cli/options.h"
#include "cli/output.h"
#include "hocker/base/atomic_file.h"
#include "hocker/blob/sinks.h"
#include "hocker/image/descriptor.h"
#include "hocker/image/media_types.h"

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
    auto client = make_client(options_, reference);
    image::Descriptor blob{
        std::string(image::media_type::kDockerLayerGzip), digest, -1, {}, {}, {}};
    std::string subject = "layer " + digest.string();
    auto cache = open_cache(options_.cache);
    if (options_.out.empty() || options_.out == "-") {
      blob::FdSink stdout_sink(STDOUT_FILENO, "standard output");
      blob::VerifySink verify(subject, digest, -1, stdout_sink);
      fetch_blob_through_cache(*client, reference.repository, blob, verify, cache.get());
      verify.finish();
      return 0;
    }
    AtomicFile file(options_.out);
    blob::VerifySink verify(subject, digest, -1, file);
    fetch_blob_through_cache(*client, reference.repository, blob, verify, cache.get());
    verify.finish();
    file.commit();
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
