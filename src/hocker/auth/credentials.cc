#include "hocker/auth/credentials.h"

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>

#include "hocker/base/error.h"
#include "hocker/base/text.h"

namespace hocker::auth {
namespace {

constexpr std::size_t kMaxCredentialsFile = 64u << 10;

std::string read_small_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    throw Error(ErrorKind::kUsage,
                "cannot read credentials file " + path + ": " + std::strerror(errno));
  }
  std::string content(kMaxCredentialsFile + 1, '\0');
  in.read(content.data(), static_cast<std::streamsize>(content.size()));
  if (in.bad()) throw Error(ErrorKind::kUsage, "cannot read credentials file " + path);
  content.resize(static_cast<std::size_t>(in.gcount()));
  if (content.size() > kMaxCredentialsFile) {
    throw Error(ErrorKind::kUsage, "credentials file " + path + " is too large");
  }
  return content;
}

const char* environment(const char* name) {
  const char* value = std::getenv(name);
  return value != nullptr && *value != '\0' ? value : nullptr;
}

}  // namespace

Credentials read_credentials_file(const std::string& path) {
  std::string content = read_small_file(path);
  std::optional<std::string> username, password, token;
  auto malformed = [&](const std::string& why) {
    return Error(ErrorKind::kUsage, "credentials file " + path + ": " + why +
                                        " (expected USERNAME= and PASSWORD= lines, or one "
                                        "BEARER_TOKEN= line)");
  };
  std::string_view rest = content;
  for (int number = 1; !rest.empty(); ++number) {
    std::size_t end = rest.find('\n');
    std::string_view line = trim(rest.substr(0, end));
    rest = end == std::string_view::npos ? std::string_view() : rest.substr(end + 1);
    if (line.empty()) continue;
    std::size_t equals = line.find('=');
    std::string where = "line " + std::to_string(number);
    if (equals == std::string_view::npos) throw malformed(where + " has no '='");
    std::string_view key = trim(line.substr(0, equals));
    std::string value(trim(line.substr(equals + 1)));
    std::optional<std::string>* slot = key == "USERNAME"       ? &username
                                       : key == "PASSWORD"     ? &password
                                       : key == "BEARER_TOKEN" ? &token
                                                               : nullptr;
    if (slot == nullptr) throw malformed(where + " has an unknown key");
    if (slot->has_value()) throw malformed(where + " repeats a key");
    if (value.empty()) throw malformed(where + " has an empty value");
    *slot = std::move(value);
  }
  Credentials credentials;
  credentials.source = path;
  if (token && !username && !password) {
    credentials.kind = Credentials::Kind::kBearerToken;
    credentials.secret = Secret(std::move(*token));
  } else if (username && password && !token) {
    credentials.kind = Credentials::Kind::kBasic;
    credentials.username = std::move(*username);
    credentials.secret = Secret(std::move(*password));
  } else {
    throw malformed("incomplete or conflicting entries");
  }
  return credentials;
}

std::optional<Credentials> environment_credentials() {
  const char* user = environment("DOCKER_USER");
  const char* pass = environment("DOCKER_PASS");
  const char* token = environment("DOCKER_TOKEN");
  if ((user == nullptr) != (pass == nullptr)) {
    throw Error(ErrorKind::kUsage,
                "DOCKER_USER and DOCKER_PASS must be set together (only one of them is set)");
  }
  Credentials credentials;
  if (user != nullptr) {
    credentials.kind = Credentials::Kind::kBasic;
    credentials.username = user;
    credentials.secret = Secret(pass);
    credentials.source = "DOCKER_USER";
    return credentials;
  }
  if (token != nullptr) {
    credentials.kind = Credentials::Kind::kBearerToken;
    credentials.secret = Secret(token);
    credentials.source = "DOCKER_TOKEN";
    return credentials;
  }
  return std::nullopt;
}

}  // namespace hocker::auth
