#include "cli/options.h"

#include <CLI/CLI.hpp>
#include <cmath>
#include <cstdlib>
#include <iostream>

#include "cli/report.h"
#include "hocker/auth/credentials.h"
#include "hocker/base/error.h"
#include "hocker/base/text.h"
#include "hocker/cache/blob_cache.h"
#include "hocker/cache/token_store.h"
#include "hocker/mirror/registries_conf.h"
#include "hocker/mirror/source_plan.h"

namespace hocker::cli {
namespace {

void add_auth_options(CLI::App& app, FetchOptions& options) {
  auto* username = app.add_option("-u,--username", options.username, "Registry user name");
  auto* password = app.add_option("-p,--password", options.password, "Registry password");
  auto* password_stdin = app.add_flag("--password-stdin", options.password_stdin,
                                      "Read the password from the first line of stdin");
  auto* token = app.add_option("-t,--token", options.token, "Bearer token to send as is");
  auto* file = app.add_option("-f,--credentials-file", options.credentials_file,
                              "File with USERNAME=/PASSWORD= lines or a BEARER_TOKEN= line")
                   ->type_name("FILE");
  password->needs(username);
  password_stdin->needs(username)->excludes(password);
  for (CLI::Option* basic : {username, password, password_stdin}) {
    basic->excludes(token)->excludes(file);
  }
  token->excludes(file);
  for (CLI::Option* option : {username, password, password_stdin, token, file}) {
    option->group("Authentication (else DOCKER_USER/DOCKER_PASS/DOCKER_TOKEN, else docker config)");
  }
}

// What a command's references look like: one (or the classic pair) with --registry and
// --platform, or several full references whose command chooses its own platforms.
enum class ReferenceForm { kOne, kSeveral };

void add_connection_options(CLI::App& app, FetchOptions& options, ReferenceForm form) {
  if (form == ReferenceForm::kOne) {
    app.add_option("--registry", options.registry,
                   "Registry base URI, e.g. https://registry.example.com:5000 (classic form; "
                   "default Docker Hub)");
    app.add_option("--platform", options.platform, "os/arch[/variant] to select (default: host)");
  }
  app.add_flag("--insecure", options.insecure,
               "Do not verify the registry's TLS certificate (its host:port only: token realms "
               "and redirect targets elsewhere are still verified)");
  app.add_option("--ca-file", options.ca_file, "PEM bundle of CAs to trust for TLS")
      ->check(CLI::ExistingFile);
  app.add_flag("--plain-http", options.plain_http, "Talk plain HTTP to the registry");
  app.add_option("--retries", options.retries, "Attempts per request before giving up")
      ->check(CLI::Range(1, 100));
  app.add_option("--timeout", options.timeout,
                 "Seconds to connect, to stay silent mid-transfer, and to receive a whole answer "
                 "other than a blob (manifest, config, token, tag page; +1 s per 64 KiB)")
      ->check(CLI::Range(1.0, 3600.0));
  app.add_option("--blob-connections", options.blob_connections,
                 "Connections per large blob, fetched in 8 MiB Range chunks (1: one stream)")
      ->check(CLI::Range(1, 16));
  app.add_flag("-q,--quiet", options.quiet, "No progress output and no retry notices");
  app.add_option("--cache", options.cache,
                 "Keep verified blobs in DIR and reuse them (default: $HOCKER_CACHE; off)")
      ->type_name("DIR");
  app.add_option("--mirror", options.mirrors,
                 "Try this mirror or pull-through cache of the registry first (repeatable; "
                 "digest-only: tags are resolved at the registry; see registries.conf)")
      ->type_name("URL")
      ->expected(1)
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
}

std::string read_password_line() {
  std::string line;
  if (!std::getline(std::cin, line) || line.empty()) {
    throw Error(ErrorKind::kUsage, "--password-stdin: no password on standard input");
  }
  if (!line.empty() && line.back() == '\r') line.pop_back();
  return line;
}

std::optional<auth::Credentials> explicit_credentials(FetchOptions& options) {
  auth::Credentials credentials;
  if (!options.username.empty()) {
    if (options.password_stdin) options.password = read_password_line();
    if (options.password.empty()) {
      throw Error(ErrorKind::kUsage, "--username needs --password or --password-stdin");
    }
    credentials.kind = auth::Credentials::Kind::kBasic;
    credentials.username = options.username;
    credentials.secret = Secret(options.password);
    credentials.source = "--username";
    return credentials;
  }
  if (!options.token.empty()) {
    credentials.kind = auth::Credentials::Kind::kBearerToken;
    credentials.secret = Secret(options.token);
    credentials.source = "--token";
    return credentials;
  }
  if (!options.credentials_file.empty()) {
    return auth::read_credentials_file(options.credentials_file);
  }
  return std::nullopt;
}

}  // namespace

void add_client_options(CLI::App& app, FetchOptions& options) {
  add_connection_options(app, options, ReferenceForm::kSeveral);
  add_auth_options(app, options);
}

void add_fetch_options(CLI::App& app, FetchOptions& options, WithOutput with_output) {
  add_connection_options(app, options, ReferenceForm::kOne);
  add_auth_options(app, options);
  if (with_output == WithOutput::kYes) {
    app.add_option("-o,--out", options.out,
                   "Write to PATH (atomically) and print PATH; '-' is stdout. A character device "
                   "or FIFO (/dev/null, /dev/stdout) is written through, printing nothing; a "
                   "symlink to a file replaces that file; a block device, or a symlink owned by "
                   "another user (not root), is refused")
        ->type_name("PATH");
  }
  app.add_option("IMAGE", options.positionals,
                 "A reference (ghcr.io/org/app:1.2), or IMAGE-NAME IMAGE-TAG (classic form)")
      ->expected(1, 2)
      ->required();
}

ref::Reference reference_from(const FetchOptions& options) {
  const auto& positionals = options.positionals;
  if (positionals.size() == 2) {
    std::optional<std::string_view> registry;
    if (!options.registry.empty()) registry = options.registry;
    return ref::Reference::from_classic(registry, positionals[0], positionals[1]);
  }
  if (positionals.size() != 1) {
    throw Error(ErrorKind::kUsage, "expected a reference, or IMAGE-NAME IMAGE-TAG");
  }
  if (!options.registry.empty()) {
    // --registry with a one-argument reference: NAME[:TAG][@DIGEST] on that registry.
    ref::Registry registry = ref::Registry::parse_uri(options.registry);
    ref::Reference reference = ref::Reference::parse(registry.domain + "/" + positionals[0]);
    reference.registry = registry;
    return reference;
  }
  return ref::Reference::parse(positionals[0]);
}

namespace {

// Whether two positionals ending in `second` are IMAGE-NAME IMAGE-TAG in the subcommand form (a
// classic link always takes them so): --registry names the classic form's registry, a bare tag
// cannot be a reference of its own, and the classic tool took a digest ("sha256:…") in the
// tag's place.
bool is_classic_pair(const std::string& second, const std::string& registry) {
  if (!registry.empty()) return true;
  if (second.find_first_of("/:@") == std::string::npos) return true;
  for (std::string_view algorithm : {"sha256:", "sha384:", "sha512:"}) {
    if (second.rfind(algorithm, 0) == 0) return true;
  }
  return false;
}

}  // namespace

std::vector<ref::Reference> references_from(const FetchOptions& options, Invocation invocation) {
  const auto& positionals = options.positionals;
  bool classic = positionals.size() == 2 && (invocation == Invocation::kClassicLink ||
                                             is_classic_pair(positionals[1], options.registry));
  if (positionals.size() == 1 || classic) return {reference_from(options)};
  std::vector<ref::Reference> references;
  for (const std::string& positional : positionals) {
    FetchOptions one = options;
    one.positionals = {positional};
    references.push_back(reference_from(one));
  }
  return references;
}

std::optional<image::Platform> requested_platform(const FetchOptions& options) {
  if (options.platform.empty()) return std::nullopt;
  return image::Platform::parse(options.platform);
}

namespace {

registry::ClientOptions client_options_for(const FetchOptions& options,
                                           const ref::Registry& registry, bool insecure) {
  registry::ClientOptions client_options;
  client_options.transport.tls_verify = insecure ? http::TlsVerify::kNo : http::TlsVerify::kYes;
  client_options.transport.insecure_host = registry.api_host();
  client_options.transport.ca_file = options.ca_file;
  // nixpkgs' fetchers point SSL_CERT_FILE (or NIX_SSL_CERT_FILE) at the CA bundle of the
  // build; honour it as curl's command line tool does.
  for (const char* variable : {"SSL_CERT_FILE", "NIX_SSL_CERT_FILE"}) {
    const char* value = std::getenv(variable);
    if (client_options.transport.ca_file.empty() && value != nullptr && *value != '\0') {
      client_options.transport.ca_file = value;
    }
  }
  client_options.transport.stall_timeout_seconds = std::lround(options.timeout);
  client_options.transport.connect_timeout_seconds = std::lround(options.timeout);
  client_options.transport.answer_timeout_seconds = std::lround(options.timeout);
  return client_options;
}

// A mirror's client: its own credentials (docker config and its helpers: the flags and the
// environment are the upstream's), no retries (the next source is the retry), ?ns=.
pull::Mirror make_mirror(const FetchOptions& options, const mirror::MirrorSource& source,
                         const std::string& ns) {
  std::optional<auth::Credentials> credentials = auth::docker_config_credentials(
      source.registry.domain, [](const std::string& message) { warn(message); });
  auto authenticator = std::make_shared<auth::Authenticator>(
      credentials.value_or(auth::Credentials{}), source.registry.domain);
  registry::ClientOptions client_options =
      client_options_for(options, source.registry, source.insecure);
  client_options.retry.attempts = 1;
  client_options.query = "ns=" + percent_encode(ns);
  return {std::make_unique<registry::Client>(source.registry, std::move(authenticator),
                                             std::move(client_options)),
          source.repository, source.pull_from_mirror};
}

}  // namespace

std::unique_ptr<registry::Client> make_client(FetchOptions& options,
                                              const ref::Reference& reference) {
  std::optional<auth::Credentials> credentials = explicit_credentials(options);
  if (!credentials) credentials = auth::environment_credentials();
  if (!credentials) {
    credentials = auth::docker_config_credentials(
        reference.registry.domain, [](const std::string& message) { warn(message); });
  }
  auto authenticator = std::make_shared<auth::Authenticator>(
      credentials.value_or(auth::Credentials{}), reference.registry.domain);
  if (std::optional<std::string> cache = cache::cache_directory(options.cache)) {
    authenticator->set_memory(std::make_shared<cache::TokenStore>(*cache));
  } else if (std::optional<std::string> folder = cache::realm_memory_directory()) {
    try {  // Best effort: a folder that cannot be used costs only the 401 round trip.
      authenticator->set_memory(
          std::make_shared<auth::RealmsOnly>(std::make_shared<cache::TokenStore>(*folder)));
    } catch (const Error&) {
    }
  }
  registry::ClientOptions client_options =
      client_options_for(options, reference.registry, options.insecure);
  client_options.plain_http = options.plain_http;
  client_options.retry.attempts = options.retries;
  client_options.blob_ranges.connections = options.blob_connections;
  client_options.warm_connection = options.warm_connection;
  if (!options.quiet) {
    // A 429 with Retry-After: 30 would otherwise look like a hang.
    client_options.on_retry = [](const registry::RetryNotice& notice) {
      warn(registry::describe(notice));
    };
  }
  return std::make_unique<registry::Client>(reference.registry, std::move(authenticator),
                                            std::move(client_options));
}

std::unique_ptr<pull::Sources> make_sources(FetchOptions& options,
                                            const ref::Reference& reference) {
  std::optional<mirror::RegistriesConf> conf;
  if (std::optional<std::string> path = mirror::find_registries_conf()) {
    conf = mirror::load_registries_conf(*path);
  }
  mirror::SourcePlan plan =
      mirror::plan_sources(reference, conf ? &*conf : nullptr, options.mirrors);
  if (plan.primary_insecure) options.insecure = true;
  std::vector<pull::Mirror> mirrors;
  for (const mirror::MirrorSource& source : plan.mirrors) {
    mirrors.push_back(make_mirror(options, source, plan.ns));
  }
  return std::make_unique<pull::Sources>(
      make_client(options, plan.primary), plan.primary.repository, std::move(mirrors),
      !reference.digest, [](const std::string& message) { warn(message); });
}

}  // namespace hocker::cli
