// hocker-gendocs: writes hocker's man pages and shell completions from its command-line
// definitions, at build time, so that neither can drift from the parser.
//   hocker-gendocs --man DIR --completions DIR
#include <filesystem>
#include <fstream>
#include <iostream>
#include <string>

#include "cli/completion.h"
#include "cli/manpage.h"
#include "cli/option_facts.h"
#include "cli/version.h"

namespace {

namespace fs = std::filesystem;

void write_file(const fs::path& path, const std::string& content) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << content;
  out.close();
  if (!out) throw std::runtime_error("cannot write " + path.string());
}

void write_man_pages(const fs::path& directory) {
  fs::create_directories(directory);
  auto commands = hocker::cli::command_facts();
  auto version = hocker::cli::version_line();
  write_file(directory / "hocker.1",
             hocker::cli::hocker_man_page(commands, hocker::cli::top_level_facts(), version));
  for (const auto& command : commands) {
    std::string page = hocker::cli::page_name(command);
    write_file(directory / (page + ".1"),
               hocker::cli::command_man_page(command, commands, version));
    // A classic name that is not the page's own (docker2nix) is a link to the page.
    if (command.classic.empty() || command.classic == page) continue;
    fs::path link = directory / (command.classic + ".1");
    fs::remove(link);
    fs::create_symlink(page + ".1", link);
  }
}

void write_completions(const fs::path& directory) {
  fs::create_directories(directory);
  auto commands = hocker::cli::command_facts();
  auto top_level = hocker::cli::top_level_facts();
  write_file(directory / "hocker.bash", hocker::cli::bash_completion(commands, top_level));
  write_file(directory / "_hocker", hocker::cli::zsh_completion(commands, top_level));
  write_file(directory / "hocker.fish", hocker::cli::fish_completion(commands, top_level));
}

}  // namespace

int main(int argc, char** argv) {
  try {
    for (int i = 1; i + 1 < argc; i += 2) {
      std::string flag = argv[i];
      if (flag == "--man") {
        write_man_pages(argv[i + 1]);
      } else if (flag == "--completions") {
        write_completions(argv[i + 1]);
      } else {
        throw std::runtime_error("unknown flag " + flag);
      }
    }
    if (argc < 3 || argc % 2 == 0) throw std::runtime_error("usage: --man DIR --completions DIR");
  } catch (const std::exception& error) {
    std::cerr << "hocker-gendocs: error: " << error.what() << "\n";
    return 1;
  }
  return 0;
}
