// Small ASCII text helpers shared by every module: case folding, trimming, and making text that
// came from outside (a server, a file, the command line) safe to show in a one-line message.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace hocker {

/// The characters trim() removes by default: space, tab, CR and LF.
inline constexpr std::string_view kAsciiWhitespace = " \t\r\n";

/// A copy of `text` with 'A'-'Z' mapped to 'a'-'z'; every other byte (UTF-8 included) unchanged.
std::string ascii_lowercase(std::string_view text);

/// `text` without the leading characters that occur in `characters`.
std::string_view trim_start(std::string_view text, std::string_view characters = kAsciiWhitespace);

/// `text` without the trailing characters that occur in `characters`.
std::string_view trim_end(std::string_view text, std::string_view characters = kAsciiWhitespace);

/// `text` without the leading and trailing characters that occur in `characters`.
std::string_view trim(std::string_view text, std::string_view characters = kAsciiWhitespace);

/// Untrusted `text` made safe for a message: at most `max_length` bytes of it, each byte outside
/// printable ASCII (0x20-0x7e: control characters, DEL, every byte of UTF-8) shown as '?', and
/// "..." appended when it was cut.
std::string printable(std::string_view text, std::size_t max_length = 80);

/// printable(text, max_length) in double quotes: "\"" + printable + "\"".
std::string quote_untrusted(std::string_view text, std::size_t max_length = 80);

/// `text` made one line: each control character (below 0x20, and DEL) becomes a space; other
/// bytes, UTF-8 included, are kept. When longer than `max_length` it is cut there and "..."
/// is appended.
std::string one_line(std::string text, std::size_t max_length = std::string::npos);

/// `uri` without the userinfo of its authority ("https://user:pass@host/x" becomes
/// "https://host/x"), so that a password in a URI never reaches a message. Text without "://"
/// is returned as it is.
std::string strip_userinfo(std::string_view uri);

/// `text` with every byte but RFC 3986's unreserved ones (ALPHA, DIGIT, "-", ".", "_", "~")
/// written as %XX (upper-case hex): how a URL query or a form body carries a value.
std::string percent_encode(std::string_view text);

}  // namespace hocker
