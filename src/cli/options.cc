#include "cli/options.h"

#include <CLI/CLI.hpp>
#include <cmath>
#include <cstdlib>
#include <iostream>

#include "cli/report.h"
#include "hocker/auth/credentials.h"
#include "hocker/base/error.h"

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

void add_connection_options(CLI::App& app, FetchOptions& options) {
  app.add_option("--registry", options.registry,
                 "Registry base URI, e.g. https://registry.example.com:5000 (classic form; "
                 "default Docker Hub)");
  app.add_option("--platform", options.platform, "os/arch[/variant] to select (default: host)");
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
  app.add_flag("-q,--quiet", options.quiet, "No progress output and no retry notices");
  app.add_option("--cache", options.cache,
                 "Keep verified blobs in DIR and reuse them (default: $HOCKER_CACHE; off)")
      ->type_name("DIR");
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
  add_connection_options(app, options);
  add_auth_options(app, options);
}

void add_fetch_options(CLI::App& app, FetchOptions& options, WithOutput with_output) {
  add_connection_options(app, options);
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

std::optional<image::Platform> requested_platform(const FetchOptions& options) {
  if (options.platform.empty()) return std::nullopt;
  return image::Platform::parse(options.platform);
}

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
  registry::ClientOptions client_options;
  client_options.transport.tls_verify =
      options.insecure ? http::TlsVerify::kNo : http::TlsVerify::kYes;
  client_options.transport.insecure_host = reference.registry.api_host();
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
  client_options.plain_http = options.plain_http;
  client_options.retry.attempts = options.retries;
  if (!options.quiet) {
    // A 429 with Retry-After: 30 would otherwise look like a hang.
    client_options.on_retry = [](const registry::RetryNotice& notice) {
      warn(registry::describe(notice));
    };
  }
  return std::make_unique<registry::Client>(reference.registry, std::move(authenticator),
                                            std::move(client_options));
}

}  // namespace hocker::cli
