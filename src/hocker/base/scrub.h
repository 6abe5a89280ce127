// A process-wide list of the secret values in use (passwords, tokens and the forms they take
// on the wire), and the scrubber that masks them in any text before it is shown: a server may
// echo what it was sent.
#pragma once

#include <string>
#include <string_view>

namespace hocker {

/// Remembers `value` as a secret for the rest of the process, together with its base64 and
/// percent-encoded forms. Empty values are ignored. Thread-safe.
void register_secret(std::string_view value);

/// `text` with every registered secret, in each of its forms and in any letter case, replaced
/// by "***"; a form shorter than 8 characters only where no letter or digit touches it. Longer
/// secrets are masked first, so a secret inside another does not leave a visible remainder.
/// Thread-safe.
std::string scrub(std::string_view text);

/// `text` safe to show on a terminal: C0 controls and DEL become ' ', C1 controls (U+0080 to
/// U+009F, encoded as C2 80..C2 9F) and bytes that are not valid UTF-8 become '?', so no escape
/// sequence or line break from a server reaches the terminal. Other UTF-8 is kept.
std::string strip_controls(std::string_view text);

/// scrub() and then strip_controls(): what every printed message goes through.
std::string printable_message(std::string_view text);

/// Forgets every registered secret (for tests).
void clear_secrets();

}  // namespace hocker
