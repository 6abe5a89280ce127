// Where registry credentials come from: the classic credentials file, DOCKER_* environment
// variables, and docker's own config (auths, credsStore, credHelpers). Using them is left to
// the Authenticator; choosing between sources is left to the CLI.
#pragma once

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "hocker/base/secret.h"

namespace hocker::auth {

struct Credentials {
  enum class Kind { kAnonymous, kBasic, kBearerToken, kIdentityToken };
  Kind kind = Kind::kAnonymous;
  std::string username;
  Secret secret;       ///< password, bearer token, or identity (refresh) token
  std::string source;  ///< where they came from, for messages ("--username", "DOCKER_USER", ...)
};

using Warn = std::function<void(const std::string&)>;

/// Reads a classic credentials file: `USERNAME=..` and `PASSWORD=..` lines, or one
/// `BEARER_TOKEN=..` line (blank lines and surrounding whitespace tolerated). Throws
/// Error(kUsage) naming the file and line (never its content) when unreadable or malformed.
Credentials read_credentials_file(const std::string& path);

/// DOCKER_USER + DOCKER_PASS (preferred when both kinds are set) or DOCKER_TOKEN from the
/// environment; nullopt when unset or empty. Throws Error(kUsage) when only one of DOCKER_USER
/// and DOCKER_PASS is set.
std::optional<Credentials> environment_credentials();

/// Credentials for registry `domain` ("docker.io", "localhost:5000", "ghcr.io") from the
/// docker config: $DOCKER_CONFIG/config.json, else $HOME/.docker/config.json (no HOME or no
/// file: nullopt, no warning). Matches keys the way docker does (Docker Hub's key is
/// "https://index.docker.io/v1/"; others match by host[:port] with or without scheme and path).
/// Order: credHelpers[domain], auths[...] (`auth` base64 "user:pass", or username/password,
/// or identitytoken), credsStore. Helpers run as `docker-credential-<name> get` with the server
/// URL on stdin, bounded by a 10 s timeout (killed after). A helper that is missing, fails,
/// hangs or prints junk, a config that is not JSON, or a broken base64 `auth` -> one call to
/// `warn` with a one-line reason, and the lookup goes on without it. A helper that answers
/// "credentials not found" is a plain miss. Warnings never contain secrets.
std::optional<Credentials> docker_config_credentials(std::string_view domain, const Warn& warn);

/// docker_config_credentials() on an explicit config file, with an explicit helper timeout.
std::optional<Credentials> docker_config_credentials_from(const std::string& config_path,
                                                          std::string_view domain, const Warn& warn,
                                                          std::chrono::milliseconds timeout);

/// Runs `docker-credential-<helper> get` with `server_url` on stdin, killing it
/// (and its process group) after `timeout`. Returns nullopt when it has no credentials for
/// the server, and also after one call to `warn` when it is missing, fails, hangs or prints
/// something other than credentials JSON. The helper is the first regular executable of that
/// name in an absolute PATH entry, run by its absolute path: empty and relative entries (the
/// current directory, where anyone could plant one) are skipped; no PATH, no helper.
std::optional<Credentials> run_credential_helper(const std::string& helper,
                                                 const std::string& server_url,
                                                 std::chrono::milliseconds timeout,
                                                 const Warn& warn);

}  // namespace hocker::auth
