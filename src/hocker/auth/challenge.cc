#include "hocker/auth/challenge.h"

#include <cctype>
#include <optional>

#include "hocker/base/text.h"

namespace hocker::auth {
namespace {

bool is_token_char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) != 0 ||
         std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
}

bool is_token68_char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) != 0 ||
         std::string_view("-._~+/").find(c) != std::string_view::npos;
}

// Lenient unquoted values: registries send scope=repository:a/b:pull without quotes.
bool is_value_char(char c) {
  return static_cast<unsigned char>(c) > 0x20 && c != 0x7f && c != ',' && c != '"' && c != ';';
}

// A cursor over the header value; every method fails softly by returning nullopt/false.
class Parser {
 public:
  explicit Parser(std::string_view text) : text_(text) {}

  std::vector<Challenge> parse();

 private:
  bool at_end() const { return position_ >= text_.size(); }
  char peek() const { return text_[position_]; }
  void skip_spaces() {
    while (!at_end() && (peek() == ' ' || peek() == '\t')) ++position_;
  }
  void skip_separators() {
    while (!at_end() && (peek() == ' ' || peek() == '\t' || peek() == ',')) ++position_;
  }
  std::string_view token() {
    std::size_t start = position_;
    while (!at_end() && is_token_char(peek())) ++position_;
    return text_.substr(start, position_ - start);
  }
  bool at_param() const;
  std::optional<std::string> token68();
  std::optional<std::string> value();
  std::optional<std::string> quoted_string();
  bool params(Challenge& challenge);

  std::string_view text_;
  std::size_t position_ = 0;
};

// Whether the cursor is at `token BWS "="` (a parameter) rather than a new scheme.
bool Parser::at_param() const {
  std::size_t i = position_;
  while (i < text_.size() && is_token_char(text_[i])) ++i;
  if (i == position_) return false;
  while (i < text_.size() && (text_[i] == ' ' || text_[i] == '\t')) ++i;
  return i < text_.size() && text_[i] == '=';
}

// token68 = 1*tchar68 *"=", followed by the end or a comma.
std::optional<std::string> Parser::token68() {
  std::size_t i = position_;
  while (i < text_.size() && is_token68_char(text_[i])) ++i;
  if (i == position_) return std::nullopt;
  while (i < text_.size() && text_[i] == '=') ++i;
  std::size_t end = i;
  while (i < text_.size() && (text_[i] == ' ' || text_[i] == '\t')) ++i;
  if (i < text_.size() && text_[i] != ',') return std::nullopt;
  std::string result(text_.substr(position_, end - position_));
  position_ = i;
  return result;
}

std::optional<std::string> Parser::quoted_string() {
  std::string result;
  ++position_;  // The opening quote.
  while (!at_end()) {
    char c = text_[position_++];
    if (c == '"') return result;
    if (c == '\\') {
      if (at_end()) return std::nullopt;
      c = text_[position_++];
    }
    if ((static_cast<unsigned char>(c) < 0x20 && c != '\t') || c == 0x7f) return std::nullopt;
    result += c;
  }
  return std::nullopt;  // Unterminated.
}

std::optional<std::string> Parser::value() {
  if (!at_end() && peek() == '"') return quoted_string();
  std::size_t start = position_;
  while (!at_end() && is_value_char(peek())) ++position_;
  if (position_ == start) return std::nullopt;
  return std::string(text_.substr(start, position_ - start));
}

// The auth-params of one challenge, up to the next scheme or the end.
bool Parser::params(Challenge& challenge) {
  while (true) {
    skip_separators();
    if (at_end() || !at_param()) return true;
    std::string name = ascii_lowercase(token());
    skip_spaces();
    ++position_;  // The '=' that at_param() saw.
    skip_spaces();
    std::optional<std::string> parsed = value();
    if (!parsed) return false;
    challenge.params.emplace(std::move(name), std::move(*parsed));  // The first one wins.
    skip_spaces();
    if (!at_end() && peek() != ',') return false;
  }
}

std::vector<Challenge> Parser::parse() {
  std::vector<Challenge> challenges;
  while (true) {
    skip_separators();
    if (at_end()) return challenges;
    Challenge challenge;
    challenge.scheme = ascii_lowercase(token());
    if (challenge.scheme.empty()) return {};
    if (!at_end() && peek() != ' ' && peek() != '\t' && peek() != ',') return {};
    skip_spaces();
    // token68 first: "abc==" also looks like the start of a parameter.
    if (auto token = token68()) challenge.params.emplace("", std::move(*token));
    if (!params(challenge)) return {};
    challenges.push_back(std::move(challenge));
  }
}

}  // namespace

std::vector<Challenge> parse_challenges(std::string_view header) {
  return Parser(header).parse();
}

}  // namespace hocker::auth
