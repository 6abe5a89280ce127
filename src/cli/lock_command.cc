// hocker lock: pin images by registry digests in a lockfile (docs/spec.md §3.9), keep one
// current (--update) or tell whether it is (--check). No layer is ever fetched.
#include <CLI/CLI.hpp>
#include <map>

#include "cli/command.h"
#include "cli/options.h"
#include "cli/output.h"
#include "cli/report.h"
#include "hocker/base/error.h"
#include "hocker/lock/lockfile.h"
#include "hocker/lock/resolve.h"
#include "hocker/pull/blob_pull.h"

namespace hocker::cli {
namespace {

// "REFERENCE: OLD -> NEW", one pin that moved.
std::string describe(const lock::PinChange& change) {
  return change.reference + ": " + change.old_digest + " -> " + change.new_digest;
}

class LockCommand final : public Command {
 public:
  std::string name() const override { return "lock"; }
  std::string description() const override {
    return "Pin images by registry digests in a lockfile (for Nix's fetchImage); no layer is "
           "fetched";
  }
  void configure(CLI::App& app) override {
    add_client_options(app, options_);
    auto* platform = app.add_option("--platform", platforms_,
                                    "os/arch[/variant] to pin; repeat, or separate with commas "
                                    "(default: the host's, as hocker image picks it)")
                         ->delimiter(',')
                         ->allow_extra_args(false)
                         ->type_name("PLATFORM");
    auto* all = app.add_flag("--all-platforms", all_platforms_,
                             "Pin every platform of an index (attestations left out)");
    auto* out = app.add_option("-o,--out", out_,
                               "Write the lockfile to PATH atomically, printing nothing "
                               "(default: stdout)")
                    ->type_name("PATH");
    auto* update = app.add_option("--update", update_,
                                  "Pin again each tag of FILE whose digest moved, for the "
                                  "platforms FILE pins; rewrite FILE only if a pin changed and "
                                  "print REFERENCE: OLD -> NEW for each")
                       ->type_name("FILE");
    auto* check = app.add_option("--check", check_,
                                 "Exit 9 when a tag of FILE no longer names its pinned digest, "
                                 "naming each stale pin on stderr (one manifest request per tag)")
                      ->type_name("FILE");
    auto* references =
        app.add_option("REFERENCE", references_, "Full references to pin (host/repository:tag)");
    all->excludes(platform);
    update->excludes(check);
    for (CLI::Option* file_mode : {update, check}) {
      for (CLI::Option* other : {platform, all, out, references}) file_mode->excludes(other);
    }
  }
  int run() override {
    if (!update_.empty()) return run_update();
    if (!check_.empty()) return run_check();
    if (references_.empty()) {
      throw Error(ErrorKind::kUsage, "expected at least one REFERENCE, or --update/--check FILE");
    }
    lock::PlatformSelection selection = selection_from_flags();
    auto cache = pull::open_cache(options_.cache);
    lock::Lockfile lockfile;
    for (const std::string& text : references_) {
      ref::Reference reference = ref::Reference::parse(text);
      lockfile.images.push_back(
          lock::lock_image(client_for(reference), text, reference, selection, cache.get()));
    }
    if (out_.empty() || out_ == "-") {
      write_stdout(lock::serialize_lockfile(lockfile));
    } else {
      lock::write_lockfile(out_, lockfile);
    }
    return 0;
  }

 private:
  lock::PlatformSelection selection_from_flags() const {
    if (all_platforms_) return {lock::PlatformSelection::Mode::kAll, {}};
    if (platforms_.empty()) return {lock::PlatformSelection::Mode::kHost, {}};
    lock::PlatformSelection selection{lock::PlatformSelection::Mode::kListed, {}};
    for (const std::string& text : platforms_) {
      selection.platforms.push_back(image::Platform::parse(text));
    }
    return selection;
  }

  // One client per registry, so that a second image there reuses its connections and tokens,
  // and --password-stdin reads its one line once.
  registry::Client& client_for(const ref::Reference& reference) {
    auto& client = clients_[reference.registry.domain + " " + reference.registry.scheme];
    if (!client) {
      client = make_client(options_, reference);
      options_.password_stdin = false;  // The password read is now in options_.password.
    }
    return *client;
  }

  std::string current_digest(const lock::LockedImage& image) {
    ref::Reference reference = ref::Reference::parse(image.reference);
    return client_for(reference)
        .fetch_manifest_digest(reference.repository, reference.identifier())
        .string();
  }

  int run_update() {
    lock::Lockfile before = lock::read_lockfile(update_);
    auto cache = pull::open_cache(options_.cache);
    std::vector<lock::PinChange> changes;
    lock::Lockfile after = lock::update_lockfile(
        before, [this](const lock::LockedImage& image) { return current_digest(image); },
        [this, &cache](const lock::LockedImage& image) {
          ref::Reference reference = ref::Reference::parse(image.reference);
          return lock::lock_image(client_for(reference), image.reference, reference,
                                  lock::selection_of(image), cache.get());
        },
        changes);
    if (after != before) lock::write_lockfile(update_, after);
    std::string listing;
    for (const lock::PinChange& change : changes) listing += describe(change) + "\n";
    write_stdout(listing);
    return 0;
  }

  int run_check() {
    lock::Lockfile lockfile = lock::read_lockfile(check_);
    std::vector<lock::PinChange> stale = lock::stale_pins(
        lockfile, [this](const lock::LockedImage& image) { return current_digest(image); });
    if (stale.empty()) return 0;
    for (const lock::PinChange& change : stale) warn("stale pin " + describe(change));
    throw Error(ErrorKind::kStale, check_ + ": " + std::to_string(stale.size()) + " stale pin" +
                                       (stale.size() == 1 ? "" : "s") + "; run hocker lock " +
                                       "--update " + check_);
  }

  FetchOptions options_;
  std::vector<std::string> platforms_;
  bool all_platforms_ = false;
  std::string out_;
  std::string update_;
  std::string check_;
  std::vector<std::string> references_;
  std::map<std::string, std::unique_ptr<registry::Client>> clients_;
};

}  // namespace

std::unique_ptr<Command> make_lock_command() {
  return std::make_unique<LockCommand>();
}

}  // namespace hocker::cli
