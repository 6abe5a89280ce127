#include "hocker/cache/token_store.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <charconv>
#include <cstdlib>
#include <optional>
#include <vector>

#include "hocker/auth/token_text.h"
#include "hocker/base/error.h"
#include "hocker/cache/private_files.h"
#include "hocker/digest/digest.h"

namespace hocker::cache {
namespace {

constexpr std::string_view kTokenMagic = "hocker-token 1";
constexpr std::string_view kRealmMagic = "hocker-realm 1";
// Entries are a few lines; anything longer was not written by hocker.
constexpr std::size_t kMaxEntry = 64u << 10;

std::string hash_of(std::string_view text) {
  digest::Hasher hasher;
  hasher.update(text);
  return hasher.digest().hex();
}

// The lines of `text`, which must end with a line break.
std::optional<std::vector<std::string_view>> lines_of(std::string_view text) {
  if (text.empty() || text.back() != '\n') return std::nullopt;
  std::vector<std::string_view> lines;
  while (!text.empty()) {
    std::size_t end = text.find('\n');
    lines.push_back(text.substr(0, end));
    text.remove_prefix(end + 1);
  }
  return lines;
}

bool is_one_line(std::string_view text) {
  return text.find_first_of("\r\n") == std::string_view::npos;
}

}  // namespace

TokenStore::TokenStore(std::string root, std::function<WallClock::time_point()> now)
    : now_(std::move(now)) {
  while (root.size() > 1 && root.back() == '/') root.pop_back();
  UniqueFd root_fd = open_private_root(root);
  folder_path_ = root + "/auth";
  folder_ = open_private_folder(root_fd.get(), "auth", folder_path_);
}

std::string TokenStore::token_file_name(const auth::TokenKey& key) {
  // The identity is hashed on its own first, so that no field can run into the next.
  std::string material = key.registry + '\0' + key.scope + '\0' + hash_of(key.identity);
  return "token-" + hash_of(material);
}

std::optional<std::string> TokenStore::read_entry(const std::string& name) const {
  try {
    UniqueFd file =
        open_private_file(folder_.get(), name, O_RDONLY, Create::kNo, folder_path_ + "/" + name);
    if (!file) return std::nullopt;
    std::string text(kMaxEntry + 1, '\0');
    std::size_t filled = 0;
    while (filled < text.size()) {
      ssize_t count = ::read(file.get(), text.data() + filled, text.size() - filled);
      if (count < 0 && errno == EINTR) continue;
      if (count < 0) return std::nullopt;
      if (count == 0) break;
      filled += static_cast<std::size_t>(count);
    }
    if (filled > kMaxEntry) return std::nullopt;
    text.resize(filled);
    return text;
  } catch (const Error&) {
    return std::nullopt;  // Unreadable: as good as missing.
  }
}

// Written under a temporary name and renamed, so a reader never sees half an entry.
void TokenStore::write_entry(const std::string& name, const std::string& text) const noexcept {
  static std::atomic<unsigned> counter{0};
  std::string temporary =
      name + ".tmp-" + std::to_string(::getpid()) + "-" + std::to_string(counter++);
  try {
    UniqueFd file = open_private_file(folder_.get(), temporary, O_RDWR | O_EXCL | O_TRUNC,
                                      Create::kYes, folder_path_ + "/" + temporary);
    std::size_t written = 0;
    while (file && written < text.size()) {
      ssize_t count = ::write(file.get(), text.data() + written, text.size() - written);
      if (count < 0 && errno == EINTR) continue;
      if (count <= 0) break;
      written += static_cast<std::size_t>(count);
    }
    if (file && written == text.size() && file.close() == 0 &&
        ::renameat(folder_.get(), temporary.c_str(), folder_.get(), name.c_str()) == 0) {
      return;
    }
  } catch (...) {
    // Best effort: the next run goes through the challenge again.
  }
  ::unlinkat(folder_.get(), temporary.c_str(), 0);
}

std::optional<auth::RememberedRealm> TokenStore::realm(const std::string& registry) {
  std::optional<std::string> text = read_entry("realm-" + hash_of(registry));
  if (!text) return std::nullopt;
  auto lines = lines_of(*text);
  if (!lines || lines->size() != 4 || (*lines)[0] != kRealmMagic || (*lines)[1] != registry) {
    return std::nullopt;
  }
  std::string_view realm = (*lines)[2];
  if (!realm.starts_with("https://") && !realm.starts_with("http://")) return std::nullopt;
  return auth::RememberedRealm{std::string(realm), std::string((*lines)[3])};
}

void TokenStore::remember_realm(const std::string& registry, const auth::RememberedRealm& realm) {
  if (!is_one_line(registry) || !is_one_line(realm.realm) || !is_one_line(realm.service)) return;
  write_entry("realm-" + hash_of(registry), std::string(kRealmMagic) + "\n" + registry + "\n" +
                                                realm.realm + "\n" + realm.service + "\n");
}

std::optional<auth::RememberedToken> TokenStore::token(const auth::TokenKey& key) {
  std::optional<std::string> text = read_entry(token_file_name(key));
  if (!text) return std::nullopt;
  auto lines = lines_of(*text);
  if (!lines || lines->size() != 3 || (*lines)[0] != kTokenMagic) return std::nullopt;
  std::string_view expiry_text = (*lines)[1];
  long long expiry = 0;
  auto [end, error] =
      std::from_chars(expiry_text.data(), expiry_text.data() + expiry_text.size(), expiry);
  std::string_view value = (*lines)[2];
  if (error != std::errc() || end != expiry_text.data() + expiry_text.size() || value.empty() ||
      !auth::is_header_safe(value)) {
    return std::nullopt;
  }
  auto now = std::chrono::duration_cast<std::chrono::seconds>(now_().time_since_epoch()).count();
  if (expiry <= now) return std::nullopt;
  return auth::RememberedToken{std::string(value), std::chrono::seconds(expiry - now)};
}

void TokenStore::remember_token(const auth::TokenKey& key, const auth::RememberedToken& token) {
  if (token.value.empty() || !auth::is_header_safe(token.value)) return;
  auto now = std::chrono::duration_cast<std::chrono::seconds>(now_().time_since_epoch()).count();
  long long expiry = now + token.lifetime.count();
  write_entry(token_file_name(key),
              std::string(kTokenMagic) + "\n" + std::to_string(expiry) + "\n" + token.value + "\n");
}

std::optional<std::string> realm_memory_directory(
    const std::function<std::optional<std::string>(const char* name)>& environment) {
  auto get = [&environment](const char* name) -> std::optional<std::string> {
    if (environment) return environment(name);
    const char* value = std::getenv(name);
    if (value == nullptr) return std::nullopt;
    return std::string(value);
  };
  if (get("HOCKER_REALM_MEMORY") == "0") return std::nullopt;
  if (std::optional<std::string> xdg = get("XDG_CACHE_HOME"); xdg && xdg->starts_with('/')) {
    return *xdg + "/hocker";
  }
  std::optional<std::string> home = get("HOME");
  struct stat info {};
  if (!home || !home->starts_with('/') || ::stat(home->c_str(), &info) != 0 ||
      !S_ISDIR(info.st_mode)) {
    return std::nullopt;
  }
  return *home + "/.cache/hocker";
}

}  // namespace hocker::cache
