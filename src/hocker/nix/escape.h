// Nix string literals: escaping text for inside a double-quoted Nix string.
#pragma once

#include <string>
#include <string_view>

namespace hocker::nix {

/// Escapes `text` for inside a Nix double-quoted string (the quotes are not added): `\` and `"`
/// get a backslash, `${` becomes `\${` (a `$` not followed by `{` stays as it is), and newline,
/// carriage return and tab become `\n`, `\r`, `\t`. Other control characters and non-ASCII
/// bytes are copied as they are: Nix has no escape for them and its lexer takes them literally.
/// Throws Error(kFormat) on a NUL byte, which a Nix string cannot hold.
std::string escape_string(std::string_view text);

/// `"` + escape_string(text) + `"`.
std::string quote_string(std::string_view text);

}  // namespace hocker::nix
