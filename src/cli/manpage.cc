#include "cli/manpage.h"

#include <algorithm>
#include <cctype>
#include <utility>

namespace hocker::cli {
namespace {

struct Example {
  std::string comment;
  std::string command_line;
};

// Roff already.
constexpr const char* kHockerDescription =
    "hocker fetches Docker and OCI images from a registry (Docker Registry HTTP API v2 / OCI "
    "distribution) without a container daemon: a whole image for docker load, one layer, an "
    "image's manifest or configuration, its tags and digest, or a Nix expression that pins "
    "every blob by hash. Every byte is verified against its digest.\n.PP\n"
    "Each command is a subcommand, hocker COMMAND, and the classic commands are also links "
    "to the one binary: hocker\\-image, hocker\\-layer, hocker\\-config, "
    "hocker\\-manifest and docker2nix.";

// One source for the exit codes the error kinds map to, in the words of the README.
constexpr std::pair<int, const char*> kExitStatus[] = {
    {0, "Success."},
    {1, "Any other failure (a bug, an unexpected state)."},
    {2, "Usage: bad flags, bad reference, conflicting options."},
    {3, "Network or TLS: cannot connect, timed out, certificate refused, retries exhausted."},
    {4, "Authentication or authorisation refused."},
    {5, "Not found: repository, tag, digest, or no manifest for the platform."},
    {6, "Integrity: a digest or size does not match."},
    {7, "Local I/O: cannot write the output, disk full."},
    {8, "Format: malformed or unsupported manifest, index, config or input file."},
    {9, "Stale: hocker lock \\-\\-check found a pin its tag no longer names."},
    {130, "Interrupted (SIGINT or SIGTERM); no partial output is left behind."},
};

constexpr std::pair<const char*, const char*> kEnvironment[] = {
    {"DOCKER_USER, DOCKER_PASS", "Basic credentials, used when no credential flag is given."},
    {"DOCKER_TOKEN", "A bearer token sent as is, used when no credential flag is given."},
    {"DOCKER_CONFIG", "The directory holding the docker config.json (default ~/.docker)."},
    {"HOCKER_CACHE", "The blob cache directory when --cache is not given (default: no cache)."},
    {"HOCKER_IN_PLACE_MIN_BYTES",
     "hocker image, docker format to a file: from how many bytes of compressed layers each "
     "layer's size is read ahead (a 4-byte ranged request per layer) so that every layer is "
     "written in place instead of spooled (default 268435456; 0: always)."},
    {"HOCKER_REALM_MEMORY", "0: remember no token realm in the user's cache folder (see FILES)."},
    {"HOME", "Where ~/.docker/config.json is looked for; a missing HOME is not an error."},
    {"XDG_CACHE_HOME", "The user's cache folder for remembered token realms (default ~/.cache)."},
    {"http_proxy, https_proxy, all_proxy, no_proxy",
     "Proxies, as for curl(1): https registries are tunnelled with CONNECT; no_proxy lists "
     "hosts reached directly. Proxy credentials go in the proxy URL and are never printed."},
    {"SSL_CERT_FILE, NIX_SSL_CERT_FILE",
     "A PEM bundle of CAs to trust when --ca-file is not given, as in a Nix builder."},
};

constexpr std::pair<const char*, const char*> kFiles[] = {
    {"$DOCKER_CONFIG/config.json, ~/.docker/config.json",
     "Credentials: credHelpers, auths (auth, username/password, identitytoken) and credsStore "
     "(docker\\-credential\\-NAME get). Consulted only when neither flags nor the environment "
     "give credentials."},
    {"CACHE/blobs/sha256/HEX",
     "Verified compressed blobs kept by --cache CACHE or HOCKER_CACHE, verified again when "
     "read; deleting the directory is always safe."},
    {"CACHE/partial/",
     "Downloads in progress, locked, resumed by the next run with a Range request."},
    {"CACHE/auth/",
     "Token realms and unexpired tokens (0600 files named by hashes), so that a repeated pull "
     "skips the challenge and the token request."},
    {"$XDG_CACHE_HOME/hocker/auth/, ~/.cache/hocker/auth/",
     "Without a cache: token realms only (no token, no secret), so that a later run asks the "
     "token server at once; not written when HOME is missing or HOCKER_REALM_MEMORY is 0."},
};

// Hand-written examples per command; a command without any gets a generic line.
std::vector<Example> examples_for(const std::string& name) {
  if (name == "image") {
    return {{"The whole image as a tarball for docker load:",
             "hocker-image --out hello-world.tar library/hello-world latest"},
            {"Straight into docker:",
             "hocker image registry.example.com:5000/team/api:dev -o - | docker load"},
            {"Another platform, as an OCI archive:",
             "hocker image debian:12 --platform linux/arm64 --format oci -o debian-arm64.tar"},
            {"Two platforms of one image:",
             "hocker image debian:12 --platform linux/amd64,linux/arm64/v8 -o debian.tar"},
            {"Three images in one archive (a shared layer is stored once):",
             "hocker image debian:12 alpine:3.20 ghcr.io/org/app:1.2 -o bundle.tar"}};
  }
  if (name == "layer") {
    return {{"One layer, exact compressed bytes, verified against its sha256:",
             "hocker-layer --out layer.tar.gz --layer 5c90d4a2d1a8... library/debian jessie"}};
  }
  if (name == "config") {
    return {{"The image configuration, exact bytes:", "hocker-config library/debian jessie"},
            {"Of another platform:", "hocker config debian:12 --platform linux/arm64"}};
  }
  if (name == "manifest") {
    return {{"The host platform's manifest:", "hocker manifest debian:12"},
            {"The manifest list itself:", "hocker manifest debian:12 --index"}};
  }
  if (name == "nix") {
    return {{"Classic: the manifest on stdin:",
             "hocker-manifest library/debian bookworm | docker2nix library/debian bookworm > "
             "debian.nix"},
            {"Modern: fetch the manifest directly:",
             "hocker nix registry.example.com:5000/team/api:dev --platform linux/arm64 > api.nix"}};
  }
  if (name == "tags") return {{"List the tags:", "hocker tags localhost:5000/team/api"}};
  if (name == "export") {
    return {{"The root filesystem as one tar:", "hocker export debian:12 -o rootfs.tar"},
            {"Unpacked into a new directory:", "hocker export debian:12 --unpack ./rootfs"}};
  }
  if (name == "digest") return {{"The digest a tag resolves to:", "hocker digest debian:12"}};
  if (name == "lock") {
    return {{"Pin two images for two platforms:",
             "hocker lock debian:12 ghcr.io/org/app:1.2 --platform linux/amd64,linux/arm64 "
             "-o images.lock"},
            {"Pin again the tags that moved:", "hocker lock --update images.lock"},
            {"Fail (exit 9) when a tag moved:", "hocker lock --check images.lock"}};
  }
  if (name == "assemble") {
    return {{"The first locked image, from a folder of blobs named by digest:",
             "hocker assemble images.lock --blobs ./blobs -o app.tar"},
            {"Another image and platform, OCI format, blob files named one by one:",
             "hocker assemble images.lock --image 1 --platform linux/arm/v7 --format oci "
             "--blob ./sha256:3f4c... --blob ./sha256:9a0b... -o app.tar"}};
  }
  if (name == "push") {
    return {{"A docker archive (nix-build's dockerTools.buildImage result):",
             "hocker push result registry.example.com:5000/team/api:dev"},
            {"A stream (dockerTools.streamLayeredImage), in one pass:",
             "$(nix-build -A streamed) | hocker push - registry.example.com:5000/team/api:dev"}};
  }
  return {{"", "hocker " + name + " debian:12"}};
}

// Text for the body of a paragraph: a backslash is \e, and a line may not start with a
// control character.
std::string text(std::string_view raw) {
  std::string out;
  for (char c : raw) {
    if (c == '\\') {
      out += "\\e";
    } else {
      out += c;
    }
    if (c == '\n') out += "\\&";
  }
  if (!out.empty() && (out[0] == '.' || out[0] == '\'')) out.insert(0, "\\&");
  return out;
}

// A literal name in bold: every hyphen a minus sign, so it can be copied and searched.
std::string literal(std::string_view raw) {
  std::string out;
  for (char c : text(raw)) {
    if (c == '-') out += '\\';
    out += c;
  }
  return out;
}

std::string bold(std::string_view raw) {
  return "\\fB" + literal(raw) + "\\fR";
}
std::string italic(std::string_view raw) {
  return "\\fI" + literal(raw) + "\\fR";
}

std::string header(const std::string& name, std::string_view version) {
  std::string upper = name;
  std::transform(upper.begin(), upper.end(), upper.begin(),
                 [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
  std::string out = ".\\\" Generated from hocker's command-line definitions; do not edit.\n";
  out += ".TH " + upper + " 1 \"\" \"" + text(version) + "\" \"User Commands\"\n";
  return out + ".nh\n";  // No hyphenation: option and command names stay whole.
}

std::string option_term(const OptionFacts& option) {
  std::string term;
  for (const std::string& name : option.names) term += (term.empty() ? "" : ", ") + bold(name);
  if (option.value_name.empty()) return term;
  if (!option.choices.empty()) {
    std::string choices;
    for (const std::string& choice : option.choices)
      choices += (choices.empty() ? "" : "|") + choice;
    return term + " " + italic(choices);
  }
  return term + " " + italic(option.value_name);
}

std::string options_section(const std::vector<OptionFacts>& options) {
  std::string out = ".SH OPTIONS\n";
  std::vector<std::string> groups;
  for (const OptionFacts& option : options) {
    if (!option.positional.empty()) continue;
    if (std::find(groups.begin(), groups.end(), option.group) == groups.end()) {
      groups.push_back(option.group);
    }
  }
  for (const std::string& group : groups) {
    if (groups.size() > 1) out += ".SS \"" + text(group) + "\"\n";
    for (const OptionFacts& option : options) {
      if (!option.positional.empty() || option.group != group) continue;
      out += ".TP\n" + option_term(option) + "\n" + text(option.description) + "\n";
    }
  }
  return out;
}

std::string definition_list(const char* title, const auto& entries) {
  std::string out = ".SH " + std::string(title) + "\n";
  for (const auto& [term, meaning] : entries) {
    out += ".TP\n.B " + literal(term) + "\n" + meaning + "\n";
  }
  return out;
}

std::string exit_status_section() {
  std::string out = ".SH \"EXIT STATUS\"\n";
  for (const auto& [code, meaning] : kExitStatus) {
    out += ".TP\n.B " + std::to_string(code) + "\n" + meaning + "\n";
  }
  return out + ".PP\nEvery error is one line on standard error, prefixed with the program name.\n";
}

std::string examples_section(const std::vector<Example>& examples) {
  std::string out = ".SH EXAMPLES\n";
  for (const Example& example : examples) {
    if (!example.comment.empty()) out += ".PP\n" + text(example.comment) + "\n";
    out += ".PP\n.RS 4\n.EX\n" + text(example.command_line) + "\n.EE\n.RE\n";
  }
  return out;
}

std::string see_also(const std::string& self, const std::vector<CommandFacts>& all) {
  std::vector<std::string> pages{"hocker"};
  for (const CommandFacts& command : all) pages.push_back(page_name(command));
  std::string out = ".SH \"SEE ALSO\"\n";
  bool first = true;
  for (const std::string& page : pages) {
    if (page == self) continue;
    out += (first ? "" : ",\n") + bold(page) + "(1)";
    first = false;
  }
  return out + "\n";
}

std::string common_sections() {
  return exit_status_section() + definition_list("ENVIRONMENT", kEnvironment) +
         definition_list("FILES", kFiles);
}

std::string positionals_of(const CommandFacts& command) {
  std::string out;
  for (const OptionFacts& option : command.options) {
    if (option.positional.empty()) continue;
    out += " " + italic(option.positional) + (option.repeatable ? "..." : "");
  }
  return out;
}

}  // namespace

std::string page_name(const CommandFacts& command) {
  return "hocker-" + command.name;
}

std::string hocker_man_page(const std::vector<CommandFacts>& commands,
                            const std::vector<OptionFacts>& top_level, std::string_view version) {
  std::string out = header("hocker", version);
  out += ".SH NAME\nhocker \\- fetch Docker and OCI images from a registry, no daemon needed\n";
  out += ".SH SYNOPSIS\n.B hocker\n" + italic("COMMAND") + " [" + italic("OPTIONS") + "] " +
         italic("IMAGE") + "\n.br\n.B hocker\n[" + bold("--help") + "|" + bold("--version") + "]\n";
  out += std::string(".SH DESCRIPTION\n") + kHockerDescription + "\n.SH COMMANDS\n";
  for (const CommandFacts& command : commands) {
    out += ".TP\n" + bold(command.name) + "\n" + text(command.description) + ". See " +
           bold(page_name(command)) + "(1).\n";
  }
  out += options_section(top_level);
  out += common_sections();
  out += examples_section(
      {{"Fetch an image for docker load:", "hocker image ghcr.io/org/app:1.2 \\-o app.tar"},
       {"Help on one command:", "hocker help image"}});
  return out + see_also("hocker", commands);
}

std::string command_man_page(const CommandFacts& command, const std::vector<CommandFacts>& all,
                             std::string_view version) {
  std::string page = page_name(command);
  std::string out = header(page, version);
  std::string names = literal(page);
  if (!command.classic.empty() && command.classic != page) names += ", " + literal(command.classic);
  out += ".SH NAME\n" + names + " \\- " + text(command.description) + "\n.SH SYNOPSIS\n";
  std::string arguments = "[" + italic("OPTIONS") + "]" + positionals_of(command) + "\n";
  if (!command.classic.empty())
    out += ".B " + literal(command.classic) + "\n" + arguments + ".br\n";
  out += ".B hocker " + literal(command.name) + "\n" + arguments;
  out += ".SH DESCRIPTION\n" + text(command.description) + ".\n";
  if (!command.classic.empty()) {
    out += ".PP\n" + bold(command.classic) + " and " + bold("hocker " + command.name) +
           " are the same command: the classic name is a link to " + bold("hocker") + ".\n";
  }
  for (const OptionFacts& option : command.options) {
    if (option.positional.empty()) continue;
    out += ".TP\n" + italic(option.positional) + "\n" + text(option.description) + "\n";
  }
  out += options_section(command.options);
  out += common_sections();
  out += examples_section(examples_for(command.name));
  return out + see_also(page, all);
}

}  // namespace hocker::cli
