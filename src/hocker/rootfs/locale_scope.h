// libarchive converts names between UTF-8 (pax records) and the locale's multibyte encoding:
// under the C locale a non-ASCII name fails to convert. A UTF-8 locale for this thread only,
// while the flattener runs, keeps every name's bytes as they are.
#pragma once

#include <locale.h>

namespace hocker::rootfs {

/// Switches the calling thread to C.UTF-8 until destroyed (a no-op when the C library lacks it).
class LocaleScope {
 public:
  LocaleScope();
  ~LocaleScope();
  LocaleScope(const LocaleScope&) = delete;
  LocaleScope& operator=(const LocaleScope&) = delete;

 private:
  locale_t utf8_ = nullptr;
  locale_t previous_ = nullptr;
};

}  // namespace hocker::rootfs
