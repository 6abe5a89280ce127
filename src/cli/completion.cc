#include "cli/completion.h"

#include <cctype>

namespace hocker::cli {
namespace {

constexpr const char* kGenerated =
    "# Generated from hocker's command-line definitions; do not edit.\n";

// 'text' for a POSIX shell (bash, zsh): a quote closes, is escaped, and reopens.
std::string quoted(const std::string& raw) {
  std::string out = "'";
  for (char c : raw) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

// 'text' for fish, where a backslash and a quote are escaped inside single quotes.
std::string fish_quoted(const std::string& raw) {
  std::string out = "'";
  for (char c : raw) {
    if (c == '\'' || c == '\\') out += '\\';
    out += c;
  }
  return out + "'";
}

std::string joined(const std::vector<std::string>& words, const char* separator) {
  std::string out;
  for (const std::string& word : words) out += (out.empty() ? "" : separator) + word;
  return out;
}

std::vector<std::string> command_names(const std::vector<CommandFacts>& commands) {
  std::vector<std::string> names;
  names.reserve(commands.size());
  for (const CommandFacts& command : commands) names.push_back(command.name);
  return names;
}

std::vector<std::string> classic_names(const std::vector<CommandFacts>& commands) {
  std::vector<std::string> names;
  for (const CommandFacts& command : commands) {
    if (!command.classic.empty()) names.push_back(command.classic);
  }
  return names;
}

std::vector<std::string> all_option_names(const std::vector<OptionFacts>& options) {
  std::vector<std::string> names;
  for (const OptionFacts& option : options)
    names.insert(names.end(), option.names.begin(), option.names.end());
  return names;
}

// The case arms completing the value of the option `prev`, then the options themselves.
std::string bash_command_arm(const std::string& pattern, const std::vector<OptionFacts>& options) {
  std::string out = "  " + pattern + ")\n    case $prev in\n";
  std::vector<std::string> free_text;  // Values hocker cannot guess: complete nothing.
  for (const OptionFacts& option : options) {
    if (option.names.empty() || option.value_name.empty()) continue;
    std::string names = joined(option.names, "|");
    if (!option.choices.empty()) {
      out += "    " + names + ")\n      COMPREPLY=($(compgen -W " +
             quoted(joined(option.choices, " ")) + " -- \"$cur\"))\n      return ;;\n";
    } else if (option.kind == ValueKind::kFile || option.kind == ValueKind::kDirectory) {
      out += "    " + names +
             ")\n      compopt -o filenames 2>/dev/null\n      COMPREPLY=($(compgen " +
             (option.kind == ValueKind::kFile ? "-f" : "-d") + " -- \"$cur\"))\n      return ;;\n";
    } else {
      free_text.push_back(names);
    }
  }
  if (!free_text.empty()) out += "    " + joined(free_text, "|") + ")\n      return ;;\n";
  out += "    esac\n    if [[ $cur == -* ]]; then\n      COMPREPLY=($(compgen -W " +
         quoted(joined(all_option_names(options), " ")) + " -- \"$cur\"))\n    fi\n    ;;\n";
  return out;
}

// A description inside _arguments' [...]: brackets and colons are escaped.
std::string zsh_description(const std::string& raw) {
  std::string out;
  for (char c : raw) {
    if (c == '[' || c == ']' || c == ':' || c == '\\') out += '\\';
    out += c;
  }
  return out;
}

std::string zsh_action(const OptionFacts& option) {
  std::string message = option.value_name;
  for (char& c : message) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (!option.choices.empty()) return ":" + message + ":(" + joined(option.choices, " ") + ")";
  if (option.kind == ValueKind::kFile) return ":" + message + ":_files";
  if (option.kind == ValueKind::kDirectory) return ":" + message + ":_files -/";
  return ":" + message + ": ";
}

// One _arguments spec per option name; names of one option exclude each other.
std::vector<std::string> zsh_specs(const std::vector<OptionFacts>& options) {
  std::vector<std::string> specs;
  for (const OptionFacts& option : options) {
    if (!option.positional.empty()) {
      specs.push_back(quoted(std::string(option.repeatable ? "*" : "1") + ":" +
                             zsh_description(option.positional) + ": "));
      continue;
    }
    std::string exclusion = option.names.size() > 1 ? "(" + joined(option.names, " ") + ")" : "";
    for (const std::string& name : option.names) {
      std::string suffix;
      if (!option.value_name.empty()) suffix = name.size() == 2 ? "+" : "=";
      std::string action = option.value_name.empty() ? "" : zsh_action(option);
      specs.push_back(quoted(exclusion + name + suffix + "[" + zsh_description(option.description) +
                             "]" + action));
    }
  }
  return specs;
}

std::string zsh_function_name(const std::string& command) {
  std::string name = "_hocker_" + command;
  for (char& c : name) c = c == '-' ? '_' : c;
  return name;
}

std::string zsh_commands_array(const std::vector<CommandFacts>& commands) {
  std::string out = "  local -a commands=(\n";
  for (const CommandFacts& command : commands) {
    std::string item = command.name + ":" + command.description;
    out += "    " + quoted(item) + "\n";
  }
  return out + "    'help:Show help on a command'\n  )\n";
}

// The top level: a command first, then that command's arguments.
std::string zsh_main(const std::vector<CommandFacts>& commands,
                     const std::vector<OptionFacts>& top_level) {
  std::string out =
      "_hocker() {\n  local curcontext=$curcontext state line ret=1\n"
      "  case $service in\n";
  for (const CommandFacts& command : commands) {
    if (command.classic.empty()) continue;
    out += "  " + command.classic + ") " + zsh_function_name(command.name) + "; return ;;\n";
  }
  out += "  esac\n" + zsh_commands_array(commands) + "  _arguments -C -s -S : \\\n";
  for (const std::string& spec : zsh_specs(top_level)) out += "    " + spec + " \\\n";
  out +=
      "    '1:command:->command' '*::argument:->argument' && ret=0\n  case $state in\n"
      "  command) _describe -t commands 'hocker command' commands && ret=0 ;;\n"
      "  argument)\n    case $words[1] in\n";
  for (const CommandFacts& command : commands) {
    out += "    " + command.name + ") " + zsh_function_name(command.name) + " && ret=0 ;;\n";
  }
  return out +
         "    help) _describe -t commands 'hocker command' commands && ret=0 ;;\n"
         "    esac\n    ;;\n  esac\n  return ret\n}\n";
}

// A `complete` line per option of one command, under `condition` (empty: always).
std::string fish_options(const std::string& program, const std::string& condition,
                         const std::vector<OptionFacts>& options) {
  std::string out;
  for (const OptionFacts& option : options) {
    if (option.names.empty()) continue;
    out += "complete -c " + program + (condition.empty() ? "" : " -n " + fish_quoted(condition));
    for (const std::string& name : option.names) {
      out += (name.size() == 2 ? " -s " + name.substr(1) : " -l " + name.substr(2));
    }
    if (!option.choices.empty()) {
      out += " -x -a " + fish_quoted(joined(option.choices, " "));
    } else if (option.kind == ValueKind::kFile) {
      out += " -r -F";
    } else if (option.kind == ValueKind::kDirectory) {
      out += " -x -a '(__fish_complete_directories (commandline -ct))'";
    } else if (!option.value_name.empty()) {
      out += " -x";
    }
    out += " -d " + fish_quoted(option.description) + "\n";
  }
  return out;
}

const char* kBashMain = R"(_hocker() {
  local cur=${COMP_WORDS[COMP_CWORD]} prev= command= i
  ((COMP_CWORD > 0)) && prev=${COMP_WORDS[COMP_CWORD - 1]}
  # --format=oci arrives as three words: --format, =, oci.
  if [[ $cur == = ]]; then
    cur=
  elif [[ $prev == = ]] && ((COMP_CWORD > 1)); then
    prev=${COMP_WORDS[COMP_CWORD - 2]}
  fi
  COMPREPLY=()
  case ${COMP_WORDS[0]##*/} in
)";

}  // namespace

std::string bash_completion(const std::vector<CommandFacts>& commands,
                            const std::vector<OptionFacts>& top_level) {
  std::string names = quoted(joined(command_names(commands), " "));
  std::string out = "# bash completion for hocker and its classic names.\n";
  out += kGenerated;
  out += "\n_hocker_complete_command() {\n  local command=$1 cur=$2 prev=$3\n  case $command in\n";
  for (const CommandFacts& command : commands)
    out += bash_command_arm(command.name, command.options);
  out += "  help)\n    COMPREPLY=($(compgen -W " + names + " -- \"$cur\"))\n    ;;\n  esac\n}\n\n";
  out += kBashMain;
  for (const CommandFacts& command : commands) {
    if (!command.classic.empty())
      out += "  " + command.classic + ") command=" + command.name + " ;;\n";
  }
  out +=
      "  *)\n    for ((i = 1; i < COMP_CWORD; i++)); do\n"
      "      [[ ${COMP_WORDS[i]} == -* ]] || { command=${COMP_WORDS[i]}; break; }\n"
      "    done\n    ;;\n  esac\n";
  out +=
      "  if [[ -n $command ]]; then\n    _hocker_complete_command \"$command\" \"$cur\" \"$prev\"\n"
      "  elif [[ $cur == -* ]]; then\n    COMPREPLY=($(compgen -W " +
      quoted(joined(all_option_names(top_level), " ")) +
      " -- \"$cur\"))\n  else\n"
      "    COMPREPLY=($(compgen -W " +
      quoted("help " + joined(command_names(commands), " ")) + " -- \"$cur\"))\n  fi\n}\n\n";
  return out + "complete -F _hocker hocker " + joined(classic_names(commands), " ") + "\n";
}

std::string zsh_completion(const std::vector<CommandFacts>& commands,
                           const std::vector<OptionFacts>& top_level) {
  std::string out = "#compdef hocker " + joined(classic_names(commands), " ") + "\n" + kGenerated;
  for (const CommandFacts& command : commands) {
    out += "\n" + zsh_function_name(command.name) + "() {\n  _arguments -s -S : \\\n";
    for (const std::string& spec : zsh_specs(command.options)) out += "    " + spec + " \\\n";
    out += "    && return 0\n  return 1\n}\n";
  }
  return out + "\n" + zsh_main(commands, top_level) + "\n_hocker \"$@\"\n";
}

std::string fish_completion(const std::vector<CommandFacts>& commands,
                            const std::vector<OptionFacts>& top_level) {
  std::string names = joined(command_names(commands), " ");
  std::string out =
      "# fish completion for hocker and its classic names.\n" + std::string(kGenerated);
  std::string no_command = "not __fish_seen_subcommand_from help " + names;
  out += "complete -c hocker -f\n";
  for (const CommandFacts& command : commands) {
    out += "complete -c hocker -n " + fish_quoted(no_command) + " -a " + command.name + " -d " +
           fish_quoted(command.description) + "\n";
  }
  out +=
      "complete -c hocker -n " + fish_quoted(no_command) + " -a help -d 'Show help on a command'\n";
  out += "complete -c hocker -n '__fish_seen_subcommand_from help' -a " + fish_quoted(names) + "\n";
  out += fish_options("hocker", no_command, top_level);
  for (const CommandFacts& command : commands) {
    out += "\n# " + command.name + "\n";
    out += fish_options("hocker", "__fish_seen_subcommand_from " + command.name, command.options);
    if (command.classic.empty()) continue;
    out += "complete -c " + command.classic + " -f\n";
    out += fish_options(command.classic, "", command.options);
  }
  return out;
}

}  // namespace hocker::cli
