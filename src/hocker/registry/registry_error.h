// Turns a registry's non-success answer into a hocker::Error: the status decides the kind
// (docs/spec.md §4.1), the body's `{"errors":[{"code","message"}]}` (distribution spec) adds the
// registry's own words.
#pragma once

#include <string>
#include <string_view>

#include "hocker/base/error.h"

namespace hocker::registry {

/// "CODE: message" for each entry of a distribution-spec error body, joined with "; ", or ""
/// when the body is not such a document, or is http::kMaxErrorBody bytes or more (a body the
/// transport cut) or nests deeper than 16 levels: those are not parsed. Registered secrets
/// are masked and control characters stripped (base/scrub.h). Bounded in length; never
/// throws.
std::string describe_error_body(std::string_view body);

/// The error for an HTTP answer `status` to `what` (e.g. "GET https://host/v2/x/manifests/1").
/// 401/403 → kAuth, 404 → kNotFound, 429 and 5xx → kNetwork (transient), other 4xx → kFormat.
Error error_for_status(const std::string& what, long status, std::string_view body);

}  // namespace hocker::registry
