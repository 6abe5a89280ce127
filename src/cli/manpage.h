// Man pages in roff (man(7) macros), written from the same option definitions the parser
// uses: hocker(1) and one page per command, which documents its classic name too.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "cli/option_facts.h"

namespace hocker::cli {

/// "hocker-image": the page (and file) name of a command's man page.
std::string page_name(const CommandFacts& command);

/// The roff source of hocker(1): the commands, the top-level options, exit status,
/// environment, files, examples. `version` is the line --version prints.
std::string hocker_man_page(const std::vector<CommandFacts>& commands,
                            const std::vector<OptionFacts>& top_level, std::string_view version);

/// The roff source of `command`'s page, e.g. hocker-image(1) for `hocker-image` and
/// `hocker image`. `all` names the other pages under SEE ALSO.
std::string command_man_page(const CommandFacts& command, const std::vector<CommandFacts>& all,
                             std::string_view version);

}  // namespace hocker::cli
