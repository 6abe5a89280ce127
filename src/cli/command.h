// One subcommand of hocker: its options and what it does. The same object serves the modern
// form (`hocker image ...`, a CLI11 subcommand) and the classic one (`hocker-image ...`, the
// root app).
#pragma once

#include <memory>
#include <string>
#include <vector>

namespace CLI {
class App;
}

namespace hocker::cli {

/// How a command was invoked: as `hocker NAME` (a subcommand), or through a link named after
/// a classic program (hocker-image, docker2nix, ...), whose two positionals are always
/// IMAGE-NAME IMAGE-TAG.
enum class Invocation { kSubcommand, kClassicLink };

class Command {
 public:
  virtual ~Command() = default;
  /// "image", "nix", ...
  virtual std::string name() const = 0;
  virtual std::string description() const = 0;
  /// Registers options and positionals on `app`.
  virtual void configure(CLI::App& app) = 0;
  /// Runs after a successful parse. Throws hocker::Error; returns the exit code (0).
  virtual int run() = 0;

  /// Set before configure() by the dispatcher; kSubcommand until then.
  void set_invocation(Invocation invocation) { invocation_ = invocation; }
  Invocation invocation() const { return invocation_; }

 private:
  Invocation invocation_ = Invocation::kSubcommand;
};

/// Every command, in the order --help lists them.
std::vector<std::unique_ptr<Command>> make_commands();

std::unique_ptr<Command> make_manifest_command();
std::unique_ptr<Command> make_config_command();
std::unique_ptr<Command> make_layer_command();
std::unique_ptr<Command> make_image_command();
std::unique_ptr<Command> make_nix_command();
std::unique_ptr<Command> make_tags_command();
std::unique_ptr<Command> make_digest_command();
std::unique_ptr<Command> make_inspect_command();
std::unique_ptr<Command> make_lock_command();
std::unique_ptr<Command> make_assemble_command();
std::unique_ptr<Command> make_export_command();
std::unique_ptr<Command> make_copy_command();
std::unique_ptr<Command> make_push_command();

}  // namespace hocker::cli
