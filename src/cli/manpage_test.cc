#include "cli/manpage.h"

#include <gtest/gtest.h>

#include <CLI/CLI.hpp>

#include "cli/command.h"
#include "hocker/base/error.h"

namespace hocker::cli {
namespace {

std::string roff_bold(const std::string& name) {
  std::string out = "\\fB";
  for (char c : name) out += c == '-' ? std::string("\\-") : std::string(1, c);
  return out + "\\fR";
}

const CommandFacts& facts_named(const std::vector<CommandFacts>& all, const std::string& name) {
  for (const CommandFacts& command : all) {
    if (command.name == name) return command;
  }
  throw std::runtime_error("no command " + name);
}

// Walks CLI11's own option list, not the facts the page is written from.
TEST(ManPage, EveryOptionTheParserKnowsIsInItsCommandsPage) {
  auto all = command_facts();
  for (auto& command : make_commands()) {
    SCOPED_TRACE(command->name());
    CLI::App app;
    command->configure(app);
    std::string page = command_man_page(facts_named(all, command->name()), all, "hocker 1.0");
    for (const CLI::Option* option : app.get_options()) {
      for (const std::string& name : option->get_lnames()) {
        EXPECT_NE(page.find(roff_bold("--" + name)), std::string::npos) << name;
      }
      for (const std::string& name : option->get_snames()) {
        EXPECT_NE(page.find(roff_bold("-" + name)), std::string::npos) << name;
      }
    }
  }
}

TEST(ManPage, TheNixPageIsAlsoDocker2nixAndListsTheHashFormats) {
  auto all = command_facts();
  std::string page = command_man_page(facts_named(all, "nix"), all, "hocker 1.0");
  EXPECT_NE(page.find(".SH NAME\nhocker\\-nix, docker2nix \\- "), std::string::npos);
  EXPECT_NE(page.find(roff_bold("--hash-format") + " \\fIbase32|sri\\fR"), std::string::npos);
  EXPECT_NE(page.find(".TH HOCKER-NIX 1 \"\" \"hocker 1.0\""), std::string::npos);
}

TEST(ManPage, TextThatLooksLikeARoffRequestIsEscaped) {
  CommandFacts command{"x", "", ".so /etc/passwd \\ back", {}};
  std::string page = command_man_page(command, {command}, "hocker 1.0");
  EXPECT_NE(page.find("\n\\&.so /etc/passwd \\e back.\n"), std::string::npos) << page;
  EXPECT_EQ(page.find("\n.so"), std::string::npos);
}

TEST(ManPage, HockerPageListsEveryCommandWithItsPage) {
  auto all = command_facts();
  std::string page = hocker_man_page(all, top_level_facts(), "hocker 1.0");
  for (const CommandFacts& command : all) {
    EXPECT_NE(page.find(roff_bold(page_name(command)) + "(1)"), std::string::npos) << command.name;
  }
  EXPECT_NE(page.find(roff_bold("--version")), std::string::npos);
}

TEST(ManPage, ExitStatusListsTheCodeOfEveryErrorKind) {
  auto all = command_facts();
  std::string page = command_man_page(all.front(), all, "hocker 1.0");
  std::string section = page.substr(page.find(".SH \"EXIT STATUS\""));
  section = section.substr(0, section.find(".SH ENVIRONMENT"));
  for (ErrorKind kind : {ErrorKind::kInternal, ErrorKind::kUsage, ErrorKind::kNetwork,
                         ErrorKind::kAuth, ErrorKind::kNotFound, ErrorKind::kIntegrity,
                         ErrorKind::kLocalIo, ErrorKind::kFormat, ErrorKind::kInterrupted}) {
    EXPECT_NE(section.find(".B " + std::to_string(exit_code(kind)) + "\n"), std::string::npos)
        << kind_name(kind);
  }
  EXPECT_NE(section.find(".B 0\n"), std::string::npos);
}

}  // namespace
}  // namespace hocker::cli
