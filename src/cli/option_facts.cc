#include "cli/option_facts.h"

#include <CLI/CLI.hpp>

#include "cli/app.h"
#include "cli/args.h"
#include "cli/version.h"

namespace hocker::cli {
namespace {

// "TEXT:{docker,oci}" → {"docker", "oci"}: CLI11 names an IsMember check by its set.
std::vector<std::string> choices_in(const std::string& type_name) {
  auto open = type_name.find('{');
  auto close = type_name.find('}', open);
  if (open == std::string::npos || close == std::string::npos) return {};
  std::vector<std::string> choices;
  std::string list = type_name.substr(open + 1, close - open - 1);
  std::size_t start = 0;
  while (start <= list.size()) {
    auto comma = list.find(',', start);
    if (comma == std::string::npos) comma = list.size();
    if (comma > start) choices.push_back(list.substr(start, comma - start));
    start = comma + 1;
  }
  return choices;
}

// The type name before any check: "PATH" of "PATH", "TEXT" of "TEXT:FILE".
std::string value_name_in(const std::string& type_name) {
  return type_name.substr(0, type_name.find(':'));
}

// FILE and PATH are files (an ExistingFile check is named FILE), DIR a directory.
ValueKind kind_of(const std::string& type_name) {
  std::string value = value_name_in(type_name);
  if (value == "DIR" || type_name.find(":DIR") != std::string::npos) return ValueKind::kDirectory;
  if (value == "FILE" || value == "PATH" || type_name.find(":FILE") != std::string::npos) {
    return ValueKind::kFile;
  }
  return ValueKind::kText;
}

OptionFacts facts_of(const CLI::Option& option) {
  OptionFacts facts;
  for (const std::string& name : option.get_snames()) facts.names.push_back("-" + name);
  for (const std::string& name : option.get_lnames()) facts.names.push_back("--" + name);
  if (facts.names.empty()) facts.positional = option.get_name();
  facts.description = option.get_description();
  facts.group = option.get_group();
  // A flag has no type name: CLI11 names the type of every option that takes a value.
  std::string type_name = option.get_type_name();
  if (!type_name.empty() || !facts.positional.empty()) {
    facts.value_name = value_name_in(type_name);
    facts.choices = choices_in(type_name);
    facts.kind = kind_of(type_name);
    if (facts.value_name == "TEXT" && facts.kind == ValueKind::kFile) facts.value_name = "FILE";
    facts.repeatable = option.get_items_expected_max() > 1;
  }
  return facts;
}

}  // namespace

std::vector<OptionFacts> option_facts(const CLI::App& app) {
  std::vector<OptionFacts> all;
  for (const CLI::Option* option : app.get_options()) all.push_back(facts_of(*option));
  return all;
}

std::vector<OptionFacts> top_level_facts() {
  CLI::App app{hocker_description(), "hocker"};
  app.set_version_flag("--version", std::string(version_line()));
  return option_facts(app);
}

std::vector<CommandFacts> command_facts() {
  std::vector<CommandFacts> all;
  for (auto& command : make_commands()) {
    CLI::App app{command->description(), command->name()};
    app.set_version_flag("--version", std::string(version_line()));
    command->configure(app);
    CommandFacts facts;
    facts.name = command->name();
    if (!subcommand_for_program(program_name_for(facts.name)).empty()) {
      facts.classic = program_name_for(facts.name);
    }
    facts.description = command->description();
    facts.options = option_facts(app);
    all.push_back(std::move(facts));
  }
  return all;
}

}  // namespace hocker::cli
