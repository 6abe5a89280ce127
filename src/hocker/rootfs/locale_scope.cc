#include "hocker/rootfs/locale_scope.h"

namespace hocker::rootfs {

LocaleScope::LocaleScope() : utf8_(newlocale(LC_CTYPE_MASK, "C.UTF-8", nullptr)) {
  if (utf8_ != nullptr) previous_ = uselocale(utf8_);
}

LocaleScope::~LocaleScope() {
  if (utf8_ == nullptr) return;
  uselocale(previous_);
  freelocale(utf8_);
}

}  // namespace hocker::rootfs
