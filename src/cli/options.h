// The options every fetching command shares (docs/spec.md §1.3): where the registry is, who we are,
// which platform, how patient to be; and how they become a reference and a registry client.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "cli/command.h"
#include "hocker/image/platform.h"
#include "hocker/pull/sources.h"
#include "hocker/ref/reference.h"
#include "hocker/registry/client.h"

namespace CLI {
class App;
}

namespace hocker::cli {

struct FetchOptions {
  std::string registry;  ///< --registry URI (classic form); empty = from the reference.
  std::string username;
  std::string password;
  bool password_stdin = false;
  std::string token;
  std::string credentials_file;
  std::string platform;  ///< --platform os/arch[/variant]; empty = the host's.
  bool insecure = false;
  std::string ca_file;
  bool plain_http = false;
  bool quiet = false;
  int retries = 5;
  double timeout = 30;
  int blob_connections = registry::RangedFetchOptions{}.connections;  ///< --blob-connections
  std::string out;                       ///< --out PATH; empty = stdout.
  std::string cache;                     ///< --cache DIR; empty = HOCKER_CACHE or none.
  std::vector<std::string> mirrors;      ///< --mirror URL, in order (digest-only).
  std::vector<std::string> positionals;  ///< REFERENCE, or IMAGE-NAME IMAGE-TAG.
  /// Set by a command that fetches blobs concurrently: registry::ClientOptions::warm_connection.
  bool warm_connection = false;
};

/// Whether the command also takes --out.
enum class WithOutput { kNo, kYes };

/// Registers the shared options and the positional arguments on `app`.
void add_fetch_options(CLI::App& app, FetchOptions& options, WithOutput with_output);

/// Registers the shared connection and authentication options, without --registry, --platform
/// and positionals: for a command that takes several full references and its own platforms.
void add_client_options(CLI::App& app, FetchOptions& options);

/// The reference the positionals name: one argument is a full reference (modern form), two
/// are IMAGE-NAME IMAGE-TAG with --registry (classic form). Throws Error(kUsage).
ref::Reference reference_from(const FetchOptions& options);

/// The references the positionals name for a command that takes several (image): two
/// arguments are IMAGE-NAME IMAGE-TAG, the classic form, as reference_from() reads them, always
/// through a classic link; as a subcommand (for compatibility) when --registry is given, or the
/// second is a bare tag (no '/', ':' or '@') or a digest ("sha256:…"); otherwise each argument
/// is a reference. Throws Error(kUsage).
std::vector<ref::Reference> references_from(const FetchOptions& options, Invocation invocation);

/// The --platform value; nullopt when not given (the host's platform, unchecked).
std::optional<image::Platform> requested_platform(const FetchOptions& options);

/// A client for the reference's registry with credentials from flags, environment or docker
/// config (docs/spec.md §2.5), TLS and retry settings from the flags.
std::unique_ptr<registry::Client> make_client(FetchOptions& options,
                                              const ref::Reference& reference);

/// The sources of a pull of `reference` (docs/spec.md §7): the registries configuration
/// (mirror::find_registries_conf) and --mirror give the mirrors, each with its own credentials
/// from the docker config and never the flags' or the environment's; the primary location is
/// make_client's, for the reference as the configuration rewrites it. Throws Error(kUsage) for
/// a malformed configuration or a blocked reference.
std::unique_ptr<pull::Sources> make_sources(FetchOptions& options, const ref::Reference& reference);

}  // namespace hocker::cli
