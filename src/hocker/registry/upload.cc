// The registry's write side: blob existence, cross-repository mounts, upload sessions and
// manifest PUTs (OCI distribution spec, "Push"). Streaming a blob in chunks with resume is
// registry/blob_upload.cc, built on send_chunk() and upload_offset().
#include <charconv>

#include "hocker/base/error.h"
#include "hocker/registry/call.h"
#include "hocker/registry/client.h"

namespace hocker::registry {
namespace {

constexpr const char* kOctetStream = "application/octet-stream";

// The registry's words for a blob it will not take as named: the bytes are at fault.
bool is_integrity_refusal(const Error& error) {
  std::string_view text = error.what();
  for (const char* code : {"DIGEST_INVALID", "BLOB_UPLOAD_INVALID", "SIZE_INVALID"}) {
    if (text.find(code) != std::string_view::npos) return true;
  }
  return false;
}

// "0-N" (distribution spec; some registries write "bytes=0-N") -> N + 1.
std::optional<std::int64_t> parse_range_end(std::string_view range) {
  if (range.starts_with("bytes=")) range.remove_prefix(6);
  std::size_t dash = range.find('-');
  if (dash == std::string_view::npos || range.substr(0, dash) != "0") return std::nullopt;
  std::string_view end = range.substr(dash + 1);
  std::int64_t value = 0;
  auto [stop, failure] = std::from_chars(end.data(), end.data() + end.size(), value);
  if (failure != std::errc() || stop != end.data() + end.size() || value < 0) return std::nullopt;
  return value + 1;
}

std::int64_t parse_min_chunk(const http::Headers& headers) {
  auto header = headers.get("OCI-Chunk-Min-Length");
  if (!header) return 0;
  std::int64_t value = 0;
  auto [stop, failure] = std::from_chars(header->data(), header->data() + header->size(), value);
  if (failure != std::errc() || stop != header->data() + header->size() || value < 0) return 0;
  return value;
}

}  // namespace

std::string push_scope(const std::string& repository) {
  return "repository:" + repository + ":pull,push";
}

// A Location answer, relative or absolute, resolved against the request; one pointing away
// from the registry's origin is refused: the session URL gets our credentials.
std::string Client::upload_location(const Call& call, const http::Response& response) {
  auto location = response.headers.get("Location");
  if (!location || location->empty()) {
    throw Error(ErrorKind::kFormat, call.method + " " + http::redact_url(call.url) + ": " +
                                        std::to_string(response.status) +
                                        " answer without a Location for the upload");
  }
  std::string url = http::resolve_location(call.url, *location);
  if (http::origin_of(url) != http::origin_of(call.url)) {
    throw Error(ErrorKind::kNetwork, call.method + " " + http::redact_url(call.url) +
                                         ": the registry moved the upload to another host (" +
                                         http::redact_url(url) +
                                         "); refusing to send it the credentials");
  }
  return url;
}

// Sends an upload request, turning refusals into the messages of docs/spec.md §9.
http::Response Client::send_upload(Call& call, const std::string& repository) {
  try {
    return send(call);
  } catch (const Error& error) {
    if (error.kind() == ErrorKind::kAuth) {
      throw Error(ErrorKind::kAuth, std::string(error.what()) + "; pushing to " + registry_.domain +
                                        "/" + repository + " needs push rights on that repository");
    }
    if (error.kind() == ErrorKind::kFormat && is_integrity_refusal(error)) {
      throw Error(ErrorKind::kIntegrity, error.what());
    }
    throw;
  }
}

bool Client::has_blob(const std::string& repository, const digest::Digest& digest) {
  Call call;
  call.method = "HEAD";
  call.url = request_base_url() + "/v2/" + repository + "/blobs/" + digest.string();
  call.scope = push_scope(repository);
  try {
    send_upload(call, repository);
    return true;
  } catch (const Error& error) {
    if (error.kind() == ErrorKind::kNotFound) return false;
    throw;
  }
}

MountResult Client::mount_blob(const std::string& repository, const digest::Digest& digest,
                               const std::string& from_repository) {
  Call call;
  call.method = "POST";
  call.url = request_base_url() + "/v2/" + repository + "/blobs/uploads/?mount=" + digest.string() +
             "&from=" + from_repository;
  call.scope = push_scope(repository) + " " + pull_scope(from_repository);
  http::Response response = send_upload(call, repository);
  if (response.status == 201) return {true, std::nullopt};
  return {false, UploadSession{repository, upload_location(call, response),
                               parse_min_chunk(response.headers)}};
}

UploadSession Client::start_upload(const std::string& repository) {
  Call call;
  call.method = "POST";
  call.url = request_base_url() + "/v2/" + repository + "/blobs/uploads/";
  call.scope = push_scope(repository);
  http::Response response = send_upload(call, repository);
  return {repository, upload_location(call, response), parse_min_chunk(response.headers)};
}

void Client::put_blob(const std::string& repository, const digest::Digest& digest,
                      std::string_view bytes) {
  UploadSession session = start_upload(repository);
  complete_upload(session, digest, bytes);
}

std::int64_t Client::send_chunk(UploadSession& session, std::int64_t offset,
                                std::string_view chunk) {
  Call call;
  call.method = "PATCH";
  call.url = session.url;
  call.scope = push_scope(session.repository);
  call.attempts = 1;
  call.body = chunk;
  call.headers.push_back({"Content-Type", kOctetStream});
  std::int64_t end = offset + static_cast<std::int64_t>(chunk.size());
  call.headers.push_back({"Content-Range", std::to_string(offset) + "-" + std::to_string(end - 1)});
  http::Response response = send_upload(call, session.repository);
  session.url = upload_location(call, response);
  auto range = response.headers.get("Range");
  // "0-0" stands for an empty session as well as for one byte (distribution writes both so):
  // one byte only when this chunk made the session one byte long.
  if (range && *range == "0-0") return end == 1 ? 1 : 0;
  std::optional<std::int64_t> held = range ? parse_range_end(*range) : std::nullopt;
  return held.value_or(end);
}

std::int64_t Client::upload_offset(UploadSession& session) {
  Call call;
  call.url = session.url;
  call.scope = push_scope(session.repository);
  http::Response response;
  try {
    response = send_upload(call, session.repository);
  } catch (const Error& error) {
    if (error.kind() != ErrorKind::kNotFound) throw;
    throw Error(ErrorKind::kNetwork,
                std::string(error.what()) + ": the registry lost the upload; start it again",
                Transient::kYes);
  }
  if (response.headers.get("Location")) session.url = upload_location(call, response);
  auto range = response.headers.get("Range");
  // A registry holding nothing may name no range (or "0-0", ambiguous with one byte: a
  // resend of that byte is then refused with 416 and the blob restarts).
  if (!range) return 0;
  std::optional<std::int64_t> held = parse_range_end(*range);
  if (!held) {
    throw Error(ErrorKind::kFormat,
                "GET " + http::redact_url(call.url) + ": unreadable upload Range " + *range);
  }
  return *held == 1 && *range == "0-0" ? 0 : *held;
}

void Client::complete_upload(UploadSession& session, const digest::Digest& digest,
                             std::string_view last) {
  Call call;
  call.method = "PUT";
  std::string separator = session.url.find('?') == std::string::npos ? "?" : "&";
  call.url = session.url + separator + "digest=" + digest.string();
  call.scope = push_scope(session.repository);
  call.body = last;
  call.headers.push_back({"Content-Type", kOctetStream});
  try {
    send_upload(call, session.repository);
  } catch (const Error& error) {
    // A PUT whose answer was lost and that was sent again finds the session closed: the
    // blob is there when the first one went through.
    if (error.kind() == ErrorKind::kNotFound && has_blob(session.repository, digest)) return;
    throw;
  }
}

void Client::stream_upload(UploadSession& session, const digest::Digest& digest, std::int64_t size,
                           const BodyReader& reader) {
  Call call;
  call.method = "PUT";
  call.url = with_query(session.url, "digest=" + digest.string());
  call.scope = push_scope(session.repository);
  call.attempts = 1;
  call.body_reader = reader;
  call.body_length = size;
  call.headers.push_back({"Content-Type", kOctetStream});
  send_upload(call, session.repository);
}

void Client::cancel_upload(const UploadSession& session) noexcept {
  try {
    Call call;
    call.method = "DELETE";
    call.url = session.url;
    call.scope = push_scope(session.repository);
    call.attempts = 1;
    send(call);
  } catch (...) {
    // Best effort: the registry expires abandoned sessions itself.
  }
}

digest::Digest Client::put_manifest(const std::string& repository, const std::string& reference,
                                    const std::string& media_type, std::string_view raw) {
  std::optional<digest::Digest> named = digest::Digest::try_parse(reference);
  digest::Hasher hasher(named ? named->algorithm() : digest::Algorithm::kSha256);
  hasher.update(raw);
  digest::Digest computed = hasher.digest();
  std::string what = "manifest " + repository + ":" + reference;
  if (named && *named != computed) {
    throw Error(ErrorKind::kIntegrity,
                what + ": the bytes hash to " + computed.string() + ", not the digest named");
  }
  Call call;
  call.method = "PUT";
  call.url = request_base_url() + "/v2/" + repository + "/manifests/" + reference;
  call.scope = push_scope(repository);
  call.body = raw;
  call.headers.push_back({"Content-Type", media_type});
  http::Response response = send_upload(call, repository);
  if (auto header = response.headers.get("Docker-Content-Digest")) {
    auto answered = digest::Digest::try_parse(*header);
    if (answered && answered->algorithm() == computed.algorithm() && *answered != computed) {
      throw Error(ErrorKind::kIntegrity, what + ": the registry stored it as " +
                                             answered->string() + ", hocker computed " +
                                             computed.string());
    }
  }
  return computed;
}

}  // namespace hocker::registry
