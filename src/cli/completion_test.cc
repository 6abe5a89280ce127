#include "cli/completion.h"

#include <gtest/gtest.h>

namespace hocker::cli {
namespace {

std::vector<CommandFacts> one_command(const std::string& description) {
  OptionFacts option;
  option.names = {"--mode"};
  option.value_name = "TEXT";
  option.choices = {"fast", "safe"};
  option.kind = ValueKind::kText;
  option.description = description;
  return {CommandFacts{"thing", "hocker-thing", "It's a [thing]", {option}}};
}

TEST(Completion, QuotesAndBracketsInDescriptionsAreEscapedForEachShell) {
  auto commands = one_command("it's [x]: y");
  EXPECT_NE(zsh_completion(commands, {}).find("'--mode=[it'\\''s \\[x\\]\\: y]:text:(fast safe)'"),
            std::string::npos);
  EXPECT_NE(fish_completion(commands, {}).find("-l mode -x -a 'fast safe' -d 'it\\'s [x]: y'"),
            std::string::npos);
  EXPECT_NE(
      bash_completion(commands, {}).find("--mode)\n      COMPREPLY=($(compgen -W 'fast safe'"),
      std::string::npos);
}

TEST(Completion, ClassicNamesAreRegisteredWithEveryShell) {
  auto commands = one_command("d");
  EXPECT_NE(bash_completion(commands, {}).find("complete -F _hocker hocker hocker-thing\n"),
            std::string::npos);
  EXPECT_EQ(zsh_completion(commands, {}).rfind("#compdef hocker hocker-thing\n", 0), 0u);
  EXPECT_NE(fish_completion(commands, {}).find("complete -c hocker-thing -l mode"),
            std::string::npos);
}

}  // namespace
}  // namespace hocker::cli
