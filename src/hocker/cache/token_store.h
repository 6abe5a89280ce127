// The Authenticator's memory between runs (auth/token_memory.h) as files in the cache
// directory: DIR/auth/realm-<hash> (a registry's token realm and service) and
// DIR/auth/token-<hash> (one token and its expiry). Names are SHA-256 hashes of what they are
// for (registry, scope, credential identity), so no secret is ever written but the token.
#pragma once

#include <chrono>
#include <functional>
#include <optional>
#include <string>

#include "hocker/auth/token_memory.h"
#include "hocker/base/unique_fd.h"

namespace hocker::cache {

/// Files created 0600 in a folder created 0700, written to a temporary name and renamed into
/// place, read back only when they are regular files of the current user (the rules of
/// private_files.h). Thread-safe (no shared state beyond the folder). Expiry is wall-clock time:
/// a token is handed out with the seconds it has left, never once they are up.
class TokenStore final : public auth::TokenMemory {
 public:
  using WallClock = std::chrono::system_clock;
  /// Opens (creating when missing) `root`/auth. Throws Error(kLocalIo) as BlobCache does when
  /// the root or the folder belongs to someone else or is open to group and others.
  explicit TokenStore(std::string root,
                      std::function<WallClock::time_point()> now = &WallClock::now);

  std::optional<auth::RememberedRealm> realm(const std::string& registry) override;
  void remember_realm(const std::string& registry, const auth::RememberedRealm& realm) override;
  std::optional<auth::RememberedToken> token(const auth::TokenKey& key) override;
  void remember_token(const auth::TokenKey& key, const auth::RememberedToken& token) override;

  /// The file name a token for `key` is kept under ("token-<64 hex>"), for tests.
  static std::string token_file_name(const auth::TokenKey& key);

 private:
  std::optional<std::string> read_entry(const std::string& name) const;
  void write_entry(const std::string& name, const std::string& text) const noexcept;

  std::string folder_path_;
  UniqueFd folder_;
  std::function<WallClock::time_point()> now_;
};

/// Where token realms are remembered when no cache directory is given: `$XDG_CACHE_HOME/hocker`
/// (an absolute path), else `$HOME/.cache/hocker` when HOME names an existing folder (so a Nix
/// builder's /homeless-shelter is never created). nullopt when neither applies or when
/// HOCKER_REALM_MEMORY is "0". `environment` reads a variable (the real environment when
/// empty; tests pass their own).
std::optional<std::string> realm_memory_directory(
    const std::function<std::optional<std::string>(const char* name)>& environment = {});

}  // namespace hocker::cache
