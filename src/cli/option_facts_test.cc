#include "cli/option_facts.h"

#include <gtest/gtest.h>

#include <CLI/CLI.hpp>

namespace hocker::cli {
namespace {

OptionFacts only_option(CLI::App& app) {
  auto all = option_facts(app);
  EXPECT_EQ(all.size(), 2u);  // --help, then the option under test.
  return all.back();
}

TEST(OptionFacts, AnIsMemberCheckGivesTheAllowedValues) {
  CLI::App app;
  std::string format;
  app.add_option("--format", format, "archive format")->check(CLI::IsMember({"docker", "oci"}));
  OptionFacts facts = only_option(app);
  EXPECT_EQ(facts.names, (std::vector<std::string>{"--format"}));
  EXPECT_EQ(facts.choices, (std::vector<std::string>{"docker", "oci"}));
  EXPECT_EQ(facts.value_name, "TEXT");
  EXPECT_EQ(facts.description, "archive format");
}

TEST(OptionFacts, PathAndFileTypeNamesAndAnExistingFileCheckAreFiles) {
  std::string value;
  for (const char* type_name : {"PATH", "FILE"}) {
    CLI::App app;
    app.add_option("-o,--out", value)->type_name(type_name);
    OptionFacts facts = only_option(app);
    EXPECT_EQ(facts.kind, ValueKind::kFile);
    EXPECT_EQ(facts.names, (std::vector<std::string>{"-o", "--out"}));
  }
  CLI::App app;
  app.add_option("--ca-file", value)->check(CLI::ExistingFile);
  OptionFacts facts = only_option(app);
  EXPECT_EQ(facts.kind, ValueKind::kFile);
  EXPECT_EQ(facts.value_name, "FILE");
}

TEST(OptionFacts, ADirTypeNameIsADirectoryAndPlainTextIsText) {
  std::string value;
  CLI::App app;
  app.add_option("--cache", value)->type_name("DIR");
  EXPECT_EQ(only_option(app).kind, ValueKind::kDirectory);
  CLI::App other;
  other.add_option("--tag", value);
  EXPECT_EQ(only_option(other).kind, ValueKind::kText);
}

TEST(OptionFacts, AFlagTakesNoValueAndAPositionalIsNamed) {
  CLI::App app;
  bool quiet = false;
  std::vector<std::string> positionals;
  app.add_flag("-q,--quiet", quiet);
  app.add_option("IMAGE", positionals)->expected(1, 2);
  auto all = option_facts(app);
  ASSERT_EQ(all.size(), 3u);
  EXPECT_TRUE(all[1].value_name.empty());
  EXPECT_EQ(all[1].kind, ValueKind::kNone);
  EXPECT_EQ(all[2].positional, "IMAGE");
  EXPECT_TRUE(all[2].names.empty());
  EXPECT_TRUE(all[2].repeatable);
}

TEST(CommandFacts, ClassicCommandsCarryTheirProgramNameAndOthersNone) {
  std::map<std::string, std::string> classic;
  for (const CommandFacts& command : command_facts()) classic[command.name] = command.classic;
  EXPECT_EQ(classic.at("image"), "hocker-image");
  EXPECT_EQ(classic.at("nix"), "docker2nix");
  EXPECT_EQ(classic.at("tags"), "");
}

}  // namespace
}  // namespace hocker::cli
