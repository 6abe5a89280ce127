// Shell completion scripts for bash, zsh and fish, written from the same option definitions
// the parser uses: subcommands, options, the values an IsMember check allows, and files or
// directories where an option takes a path.
#pragma once

#include <string>
#include <vector>

#include "cli/option_facts.h"

namespace hocker::cli {

/// A bash script defining _hocker and registering it for hocker and every classic name.
std::string bash_completion(const std::vector<CommandFacts>& commands,
                            const std::vector<OptionFacts>& top_level);

/// A zsh completion function file (#compdef) for hocker and every classic name.
std::string zsh_completion(const std::vector<CommandFacts>& commands,
                           const std::vector<OptionFacts>& top_level);

/// A fish script of `complete` lines for hocker and every classic name.
std::string fish_completion(const std::vector<CommandFacts>& commands,
                            const std::vector<OptionFacts>& top_level);

}  // namespace hocker::cli
