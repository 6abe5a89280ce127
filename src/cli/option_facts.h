// What the man pages and the shell completions need to know about a parsed command line,
// read from the very CLI11 objects that parse it so that documentation cannot drift.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "cli/command.h"

namespace CLI {
class App;
class Option;
}  // namespace CLI

namespace hocker::cli {

/// What an option's value is, for completion.
enum class ValueKind { kNone, kText, kFile, kDirectory };

struct OptionFacts {
  std::vector<std::string> names;    ///< "-o", "--out"; empty for a positional.
  std::string positional;            ///< "IMAGE" for a positional, else empty.
  std::string value_name;            ///< "PATH", "TEXT", "INT"; empty for a flag.
  std::vector<std::string> choices;  ///< The values an IsMember check allows.
  bool repeatable = false;           ///< Takes more than one value (IMAGE-NAME IMAGE-TAG).
  ValueKind kind = ValueKind::kNone;
  std::string description;
  std::string group;
};

/// One command as documented: its modern name ("image"), the classic program name when it
/// has one ("hocker-image", "docker2nix"), and its options in definition order.
struct CommandFacts {
  std::string name;
  std::string classic;
  std::string description;
  std::vector<OptionFacts> options;
};

/// The facts of every option and positional registered on `app`, help and version included.
std::vector<OptionFacts> option_facts(const CLI::App& app);

/// Every command make_commands() returns, each configured on a fresh CLI::App exactly as
/// hocker's own parser configures it (help and --version flags included).
std::vector<CommandFacts> command_facts();

/// The options of `hocker` itself, without a subcommand (help and --version).
std::vector<OptionFacts> top_level_facts();

}  // namespace hocker::cli
