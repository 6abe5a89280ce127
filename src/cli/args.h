// Command-line preprocessing that CLI11 cannot do: dispatch on the program name (the classic
// links hocker-image, docker2nix, ...) and removal of GHC runtime flags (+RTS ... -RTS) that
// nixpkgs' fetchdocker builders append.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace hocker::cli {

/// The subcommand a program name implies: "hocker-image" → "image", "docker2nix" → "nix",
/// anything else (e.g. "hocker") → "". Only the base name of `argv0` counts.
std::string subcommand_for_program(std::string_view argv0);

/// `arguments` without every `+RTS ... -RTS` span (an unterminated span runs to the end).
/// A lone "--" ends option processing: what follows it is kept verbatim.
std::vector<std::string> strip_rts_flags(const std::vector<std::string>& arguments);

/// The name errors are reported under: "hocker-image" for the image subcommand, "docker2nix"
/// for nix, "hocker" when no subcommand is known.
std::string program_name_for(std::string_view subcommand);

}  // namespace hocker::cli
