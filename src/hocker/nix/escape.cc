#include "hocker/nix/escape.h"

#include "hocker/base/error.h"

namespace hocker::nix {

// The rules follow Nix's lexer (libexpr/lexer.l): inside "…", `\X` stands for X except \n,
// \r and \t; `${` opens an antiquotation; everything else, control bytes included, is literal.
std::string escape_string(std::string_view text) {
  std::string out;
  out.reserve(text.size() + 8);
  for (std::size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    switch (c) {
      case '\0':
        throw Error(ErrorKind::kFormat, "cannot write a NUL byte into a Nix string");
      case '\\':
        out += "\\\\";
        break;
      case '"':
        out += "\\\"";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      case '$':
        out += (i + 1 < text.size() && text[i + 1] == '{') ? "\\$" : "$";
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::string quote_string(std::string_view text) {
  return "\"" + escape_string(text) + "\"";
}

}  // namespace hocker::nix
