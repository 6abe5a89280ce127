#include "cli/app.h"

#include <CLI/CLI.hpp>
#include <cstdio>
#include <new>

#include "cli/args.h"
#include "cli/command.h"
#include "cli/report.h"
#include "cli/version.h"
#include "hocker/base/cleanup.h"
#include "hocker/base/error.h"

namespace hocker::cli {
namespace {

constexpr const char* kExitCodes =
    "Exit codes: 0 success, 1 other failure, 2 usage, 3 network or TLS, 4 authentication, "
    "5 not found, 6 integrity (digest or size mismatch), 7 local I/O, 8 format, 9 stale "
    "lockfile, 130 interrupted.";

void prepare(CLI::App& app) {
  app.set_version_flag("--version", std::string(version_line()));
  app.footer(kExitCodes);
  app.allow_windows_style_options(false);
}

// CLI11 takes its arguments reversed.
std::vector<std::string> reversed(std::vector<std::string> arguments) {
  return {arguments.rbegin(), arguments.rend()};
}

// CLI11 checks required arguments before it reports the ones it did not expect, yet the
// unexpected one is the user's real mistake ("hocker-image --bogus" is not a missing IMAGE).
[[noreturn]] void rethrow_clearer(const CLI::App& app) {
  try {
    throw;
  } catch (const CLI::RequiredError&) {
    if (app.remaining_size() > 0) {
      throw Error(ErrorKind::kUsage,
                  "unexpected argument " + app.remaining().front() + "; see --help");
    }
    throw;
  }
}

// "hocker help" and "hocker help image", as git and docker accept them.
std::vector<std::string> help_as_a_flag(std::vector<std::string> arguments) {
  if (arguments.empty() || arguments[0] != "help") return arguments;
  arguments.erase(arguments.begin());
  arguments.push_back("--help");
  return arguments;
}

// The first word that is not an option names the subcommand (the top level has only flags).
void check_subcommand_name(const std::vector<std::unique_ptr<Command>>& commands,
                           const std::vector<std::string>& arguments) {
  for (const std::string& argument : arguments) {
    if (argument.empty() || argument[0] == '-') continue;
    std::string known;
    for (const auto& command : commands) {
      if (command->name() == argument) return;
      known += (known.empty() ? "" : ", ") + command->name();
    }
    throw Error(ErrorKind::kUsage,
                "unknown command " + argument + " (commands: " + known + "); see --help");
  }
}

int run_classic(Command& command, std::vector<std::string> arguments) {
  CLI::App app{command.description(), program_name()};
  prepare(app);
  command.set_invocation(Invocation::kClassicLink);
  command.configure(app);
  try {
    auto args = reversed(std::move(arguments));
    app.parse(args);
  } catch (const CLI::Success& success) {
    return app.exit(success);
  } catch (const CLI::ParseError&) {
    rethrow_clearer(app);
  }
  return command.run();
}

int run_modern(std::vector<std::unique_ptr<Command>>& commands,
               std::vector<std::string> arguments) {
  CLI::App app{hocker_description(), "hocker"};
  prepare(app);
  app.require_subcommand(1);
  std::vector<std::pair<CLI::App*, Command*>> subcommands;
  for (auto& command : commands) {
    CLI::App* sub = app.add_subcommand(command->name(), command->description());
    sub->footer(kExitCodes);
    command->configure(*sub);
    subcommands.emplace_back(sub, command.get());
  }
  arguments = help_as_a_flag(std::move(arguments));
  check_subcommand_name(commands, arguments);
  try {
    auto args = reversed(std::move(arguments));
    app.parse(args);
  } catch (const CLI::Success& success) {
    return app.exit(success);
  } catch (const CLI::ParseError&) {
    for (auto [sub, command] : subcommands) {
      if (sub->parsed()) {  // The error is the subcommand's: say so, as its program name.
        set_program_name(program_name_for(command->name()));
        rethrow_clearer(*sub);
      }
    }
    rethrow_clearer(app);
  }
  for (auto [sub, command] : subcommands) {
    if (sub->parsed()) {
      set_program_name(program_name_for(command->name()));
      return command->run();
    }
  }
  throw Error(ErrorKind::kUsage, "no subcommand given; see --help");
}

int dispatch(const std::string& subcommand, std::vector<std::string> arguments) {
  auto commands = make_commands();
  if (subcommand.empty()) return run_modern(commands, std::move(arguments));
  for (auto& command : commands) {
    if (command->name() == subcommand) return run_classic(*command, std::move(arguments));
  }
  throw Error(ErrorKind::kInternal, "unknown command " + subcommand);
}

}  // namespace

std::string hocker_description() {
  return "hocker: fetch Docker and OCI images from a registry, no daemon needed";
}

std::vector<std::unique_ptr<Command>> make_commands() {
  std::vector<std::unique_ptr<Command>> commands;
  commands.push_back(make_image_command());
  commands.push_back(make_manifest_command());
  commands.push_back(make_config_command());
  commands.push_back(make_layer_command());
  commands.push_back(make_nix_command());
  commands.push_back(make_tags_command());
  commands.push_back(make_digest_command());
  commands.push_back(make_inspect_command());
  commands.push_back(make_lock_command());
  commands.push_back(make_assemble_command());
  commands.push_back(make_export_command());
  commands.push_back(make_copy_command());
  commands.push_back(make_push_command());
  return commands;
}

int run(const std::string& argv0, const std::vector<std::string>& arguments) {
  install_cleanup_handlers();
  std::string subcommand = subcommand_for_program(argv0);
  set_program_name(program_name_for(subcommand));
  try {
    return dispatch(subcommand, strip_rts_flags(arguments));
  } catch (const CLI::ParseError& error) {
    print_error(std::string(error.what()) + "; see --help");
    return exit_code(ErrorKind::kUsage);
  } catch (const Error& error) {
    print_error(error.what());
    return exit_code(error.kind());
  } catch (const std::bad_alloc&) {
    print_error("out of memory");
    return exit_code(ErrorKind::kInternal);
  } catch (const std::exception& error) {
    print_error(std::string("internal error: ") + error.what());
    return exit_code(ErrorKind::kInternal);
  }
}

}  // namespace hocker::cli
