// For the upload unit tests: a registry's write side on the in-tree test server. It keeps
// upload sessions and blobs per repository, insists that each request follows the Location
// the previous answer gave, and misbehaves on demand (a PATCH dropped halfway, a lost session,
// a manifest stored under another digest).
#pragma once

#include <map>
#include <mutex>
#include <optional>
#include <string>

#include "hocker/digest/digest.h"
#include "hocker/http/test_server.h"

namespace hocker::registry::testing {

class UploadRegistry {
 public:
  UploadRegistry()
      : server_(
            [this](const http::testing::ServerRequest& request,
                   http::testing::ServerConnection& connection) { serve(request, connection); }) {}

  http::testing::TestServer& server() { return server_; }
  /// Puts `content` into `repository` as a blob (a mount source).
  void add_blob(const std::string& repository, const std::string& content) {
    std::lock_guard lock(mutex_);
    blobs_[repository + "@" + digest::sha256(content).string()] = content;
  }
  std::optional<std::string> blob(const std::string& repository, const digest::Digest& digest) {
    std::lock_guard lock(mutex_);
    auto found = blobs_.find(repository + "@" + digest.string());
    if (found == blobs_.end()) return std::nullopt;
    return found->second;
  }
  std::optional<std::string> manifest(const std::string& repository, const std::string& reference) {
    std::lock_guard lock(mutex_);
    auto found = manifests_.find(repository + ":" + reference);
    if (found == manifests_.end()) return std::nullopt;
    return found->second;
  }

  bool absolute_locations = false;     ///< Location answers as absolute URLs (else relative).
  std::string min_chunk;               ///< Sent as OCI-Chunk-Min-Length when not empty.
  bool drop_next_patch = false;        ///< Keep half of the next PATCH, then cut the answer.
  bool lose_sessions_on_drop = false;  ///< With a dropped PATCH: forget the session as well.
  std::string manifest_digest_answer;  ///< Docker-Content-Digest to answer instead of the truth.
  std::string foreign_location;        ///< A Location on another host for the opening answer.

 private:
  struct Session {
    std::string repository;
    std::string data;
    int state = 0;  // Bumped by each answer; the next request must name it.
  };

  std::string location(int id, int state) const {
    std::string path = "/upload/" + std::to_string(id) + "?state=" + std::to_string(state);
    return absolute_locations ? server_.url(path) : path;
  }
  static std::string query_value(const std::string& target, const std::string& name) {
    std::size_t at = target.find(name + "=");
    if (at == std::string::npos) return "";
    std::size_t end = target.find('&', at);
    return target.substr(at + name.size() + 1,
                         end == std::string::npos ? std::string::npos : end - at - name.size() - 1);
  }
  static std::string range_of(const Session& session) {
    return "0-" + std::to_string(session.data.empty() ? 0 : session.data.size() - 1);
  }

  void serve(const http::testing::ServerRequest& request,
             http::testing::ServerConnection& connection) {
    std::lock_guard lock(mutex_);
    const std::string& target = request.target;
    if (target.starts_with("/upload/")) return serve_session(request, connection);
    std::size_t blobs = target.find("/blobs/");
    std::size_t manifests = target.find("/manifests/");
    if (request.method == "POST" && blobs != std::string::npos) {
      std::string repository = target.substr(4, blobs - 4);
      std::string mount = query_value(target, "mount");
      if (!mount.empty() && blobs_.count(query_value(target, "from") + "@" + mount)) {
        blobs_[repository + "@" + mount] = blobs_[query_value(target, "from") + "@" + mount];
        return connection.respond(201, "");
      }
      int id = next_id_++;
      sessions_[id] = Session{repository, "", 0};
      std::vector<http::Header> headers{
          {"Location", foreign_location.empty() ? location(id, 0) : foreign_location}};
      if (!min_chunk.empty()) headers.push_back({"OCI-Chunk-Min-Length", min_chunk});
      return connection.respond(202, "", headers);
    }
    if (request.method == "HEAD" && blobs != std::string::npos) {
      std::string key = target.substr(4, blobs - 4) + "@" + target.substr(blobs + 7);
      return connection.respond(blobs_.count(key) ? 200 : 404, "");
    }
    if (request.method == "PUT" && manifests != std::string::npos) {
      std::string key = target.substr(4, manifests - 4) + ":" + target.substr(manifests + 11);
      manifests_[key] = request.body;
      std::string answer = manifest_digest_answer.empty() ? digest::sha256(request.body).string()
                                                          : manifest_digest_answer;
      return connection.respond(201, "", {{"Docker-Content-Digest", answer}});
    }
    connection.respond(404, "");
  }

  void serve_session(const http::testing::ServerRequest& request,
                     http::testing::ServerConnection& connection) {
    int id = std::stoi(request.target.substr(8));
    auto found = sessions_.find(id);
    if (found == sessions_.end()) {
      return connection.respond(404, R"({"errors":[{"code":"BLOB_UPLOAD_UNKNOWN"}]})");
    }
    Session& session = found->second;
    if (query_value(request.target, "state") != std::to_string(session.state)) {
      return connection.respond(400, R"({"errors":[{"code":"STALE_LOCATION"}]})");
    }
    if (request.method == "GET") {
      return connection.respond(
          204, "", {{"Location", location(id, session.state)}, {"Range", range_of(session)}});
    }
    if (request.method == "DELETE") {
      sessions_.erase(found);
      return connection.respond(204, "");
    }
    if (request.method == "PATCH") {
      std::string range = request.headers.get("Content-Range").value_or("");
      if (range.substr(0, range.find('-')) != std::to_string(session.data.size())) {
        return connection.respond(416, "");
      }
      if (drop_next_patch) {
        drop_next_patch = false;
        session.data += request.body.substr(0, request.body.size() / 2);
        if (lose_sessions_on_drop) sessions_.erase(found);
        // An answer cut short (so that libcurl does not quietly resend on a new connection).
        connection.send("HTTP/1.1 202 Accepted\r\nContent-Length: 10\r\n\r\n");
        return connection.close_after();
      }
      session.data += request.body;
      ++session.state;
      return connection.respond(
          202, "", {{"Location", location(id, session.state)}, {"Range", range_of(session)}});
    }
    if (request.method == "PUT") {
      session.data += request.body;
      std::string digest = query_value(request.target, "digest");
      if (digest::sha256(session.data).string() != digest) {
        return connection.respond(400, R"({"errors":[{"code":"DIGEST_INVALID"}]})");
      }
      blobs_[session.repository + "@" + digest] = session.data;
      sessions_.erase(found);
      return connection.respond(201, "");
    }
    connection.respond(405, "");
  }

  mutable std::mutex mutex_;
  std::map<int, Session> sessions_;
  std::map<std::string, std::string> blobs_;      // "repository@digest" -> bytes.
  std::map<std::string, std::string> manifests_;  // "repository:reference" -> bytes.
  int next_id_ = 1;
  http::testing::TestServer server_;  // Last: stopped before the state it serves goes.
};

}  // namespace hocker::registry::testing
