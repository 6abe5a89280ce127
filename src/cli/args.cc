#include "cli/args.h"

#include <array>
#include <utility>

namespace hocker::cli {
namespace {

constexpr std::array<std::pair<std::string_view, std::string_view>, 5> kClassicNames{{
    {"hocker-manifest", "manifest"},
    {"hocker-config", "config"},
    {"hocker-layer", "layer"},
    {"hocker-image", "image"},
    {"docker2nix", "nix"},
}};

}  // namespace

std::string subcommand_for_program(std::string_view argv0) {
  auto slash = argv0.rfind('/');
  std::string_view base = slash == std::string_view::npos ? argv0 : argv0.substr(slash + 1);
  for (auto [program, subcommand] : kClassicNames) {
    if (base == program) return std::string(subcommand);
  }
  return "";
}

std::vector<std::string> strip_rts_flags(const std::vector<std::string>& arguments) {
  std::vector<std::string> kept;
  bool in_rts = false;
  bool verbatim = false;
  for (const std::string& argument : arguments) {
    if (verbatim) {
      kept.push_back(argument);
    } else if (in_rts) {
      if (argument == "-RTS") in_rts = false;
    } else if (argument == "+RTS") {
      in_rts = true;
    } else {
      if (argument == "--") verbatim = true;
      kept.push_back(argument);
    }
  }
  return kept;
}

std::string program_name_for(std::string_view subcommand) {
  if (subcommand == "nix") return "docker2nix";
  if (subcommand.empty()) return "hocker";
  return "hocker-" + std::string(subcommand);
}

}  // namespace hocker::cli
