#include "hocker/image/platform.h"

#include <sys/utsname.h>

#include <algorithm>

#include "hocker/base/error.h"
#include "hocker/base/text.h"

namespace hocker::image {
namespace {

bool is_platform_character(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
         c == '_' || c == '-';
}

[[noreturn]] void fail(std::string_view text) {
  // Cut before quoting: this message has never marked a cut with "...".
  throw Error(ErrorKind::kUsage, "invalid platform " + quote_untrusted(text.substr(0, 80)) +
                                     ": expected os/architecture[/variant], e.g. linux/arm64/v8");
}

// The uname machine names the Linux kernel reports, as docker maps them (containerd's
// platforms/cpuinfo and database.go).
Platform from_machine(std::string_view machine) {
  if (machine == "x86_64" || machine == "amd64") return {"linux", "amd64", ""};
  if (machine == "aarch64" || machine == "arm64" || machine == "armv8l") {
    return {"linux", "arm64", "v8"};
  }
  if (machine.starts_with("armv7")) return {"linux", "arm", "v7"};
  if (machine.starts_with("armv6")) return {"linux", "arm", "v6"};
  if (machine.starts_with("armv5")) return {"linux", "arm", "v5"};
  if (machine == "i386" || machine == "i486" || machine == "i586" || machine == "i686") {
    return {"linux", "386", ""};
  }
  return Platform{"linux", std::string(machine), ""}.normalized();
}

}  // namespace

Platform Platform::parse(std::string_view text) {
  Platform platform;
  std::string* parts[] = {&platform.os, &platform.architecture, &platform.variant};
  std::size_t count = 0;
  std::string_view rest = text;
  while (true) {
    std::size_t slash = rest.find('/');
    std::string_view part = rest.substr(0, slash);
    if (count == 3 || part.empty() || part.front() == '.' || part.front() == '-' ||
        !std::all_of(part.begin(), part.end(), is_platform_character)) {
      fail(text);
    }
    *parts[count++] = part;
    if (slash == std::string_view::npos) break;
    rest.remove_prefix(slash + 1);
  }
  if (count < 2) fail(text);
  return platform;
}

Platform Platform::host() {
  utsname name{};
  if (uname(&name) != 0) throw Error(ErrorKind::kInternal, "cannot determine the host platform");
  return from_machine(name.machine);
}

Platform Platform::normalized() const {
  Platform result{ascii_lowercase(os), ascii_lowercase(architecture), ascii_lowercase(variant)};
  std::string& arch = result.architecture;
  std::string& var = result.variant;
  if (arch == "x86_64" || arch == "x86-64") arch = "amd64";
  if (arch == "aarch64") arch = "arm64";
  if (arch == "i386") arch = "386";
  if (arch == "armhf" || arch == "armel") {
    var = arch == "armhf" ? "v7" : "v6";
    arch = "arm";
  }
  if (arch == "amd64" && var == "v1") var.clear();
  if (arch == "arm64" && (var.empty() || var == "8" || var == "v8.0")) var = "v8";
  if (arch == "arm" && var.empty()) var = "v7";
  if (arch == "arm" && (var == "5" || var == "6" || var == "7" || var == "8")) var = "v" + var;
  return result;
}

bool Platform::matches(const Platform& wanted) const {
  return normalized() == wanted.normalized();
}

std::string Platform::string() const {
  std::string text = os + "/" + architecture;
  if (!variant.empty()) text += "/" + variant;
  return text;
}

}  // namespace hocker::image
