// A tiny HTTP/1.1 server on 127.0.0.1 for unit tests only: one thread per connection, a
// handler per request, every request recorded. Keeps connections alive like a real server.
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <functional>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "hocker/base/unique_fd.h"
#include "hocker/http/transport.h"

namespace hocker::http::testing {

struct ServerRequest {
  std::string method;
  std::string target;  ///< path and query, as sent
  Headers headers;
  std::string body;
};

/// The server side of one connection, handed to the handler.
class ServerConnection {
 public:
  ServerConnection(int fd, int wake_fd) : fd_(fd), wake_fd_(wake_fd) {}

  /// Sends raw bytes; failures (the client went away) are ignored.
  void send(std::string_view data) const {
    while (!data.empty()) {
      ssize_t sent = ::send(fd_, data.data(), data.size(), MSG_NOSIGNAL);
      if (sent <= 0) return;
      data.remove_prefix(static_cast<std::size_t>(sent));
    }
  }
  /// Sends a complete response with Content-Length (no body bytes for HEAD).
  void respond(int status, std::string_view body, const std::vector<Header>& headers = {}) {
    std::string head = "HTTP/1.1 " + std::to_string(status) +
                       " X\r\nContent-Length: " + std::to_string(body.size()) + "\r\n";
    for (const Header& header : headers) head += header.name + ": " + header.value + "\r\n";
    send(head + "\r\n");
    if (method_ != "HEAD") send(body);
  }
  /// Blocks until the server shuts down: a stalled server.
  void wait_until_stopped() {
    pollfd wake{wake_fd_, POLLIN, 0};
    while (::poll(&wake, 1, -1) < 0) {
    }
  }
  /// Waits `milliseconds`, less when the server shuts down; false then.
  bool pause(int milliseconds) {
    pollfd wake{wake_fd_, POLLIN, 0};
    return ::poll(&wake, 1, milliseconds) == 0;
  }
  /// Closes the connection once the handler returns.
  void close_after() { closing_ = true; }

  // Used by TestServer.
  bool read_request(ServerRequest& request);
  bool closing() const { return closing_; }

 private:
  bool fill();

  int fd_;
  int wake_fd_;
  std::string buffer_;
  std::string method_;
  bool closing_ = false;
};

inline bool ServerConnection::fill() {
  pollfd fds[2] = {{fd_, POLLIN, 0}, {wake_fd_, POLLIN, 0}};
  if (::poll(fds, 2, -1) <= 0 || (fds[1].revents & POLLIN) != 0) return false;
  char chunk[4096];
  ssize_t received = ::recv(fd_, chunk, sizeof chunk, 0);
  if (received <= 0) return false;
  buffer_.append(chunk, static_cast<std::size_t>(received));
  return true;
}

inline bool ServerConnection::read_request(ServerRequest& request) {
  std::size_t end;
  while ((end = buffer_.find("\r\n\r\n")) == std::string::npos) {
    if (!fill()) return false;
    // Not an HTTP method (a TLS ClientHello): hang up, as a server that speaks no TLS would.
    if (buffer_[0] < 'A' || buffer_[0] > 'Z') return false;
  }
  std::string head = buffer_.substr(0, end);
  buffer_.erase(0, end + 4);
  std::size_t line_end = head.find("\r\n");
  std::string line = head.substr(0, line_end);
  std::size_t first = line.find(' '), second = line.rfind(' ');
  request.method = line.substr(0, first);
  request.target = line.substr(first + 1, second - first - 1);
  method_ = request.method;
  while (line_end != std::string::npos) {
    std::size_t start = line_end + 2;
    line_end = head.find("\r\n", start);
    std::string header = head.substr(start, line_end - start);
    std::size_t colon = header.find(':');
    if (colon == std::string::npos) continue;
    std::size_t value = header.find_first_not_of(' ', colon + 1);
    request.headers.add(header.substr(0, colon),
                        value == std::string::npos ? "" : header.substr(value));
  }
  std::size_t length =
      std::strtoul(request.headers.get("Content-Length").value_or("0").c_str(), nullptr, 10);
  while (buffer_.size() < length) {
    if (!fill()) return false;
  }
  request.body = buffer_.substr(0, length);
  buffer_.erase(0, length);
  return true;
}

/// Listens on an ephemeral loopback port until destroyed.
class TestServer {
 public:
  using Handler = std::function<void(const ServerRequest&, ServerConnection&)>;

  explicit TestServer(Handler handler) : handler_(std::move(handler)) {
    int wake[2];
    if (::pipe(wake) != 0) throw std::runtime_error("pipe");
    wake_read_.reset(wake[0]);
    wake_write_.reset(wake[1]);
    listen_fd_.reset(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t size = sizeof address;
    if (::bind(listen_fd_.get(), reinterpret_cast<sockaddr*>(&address), size) != 0 ||
        ::listen(listen_fd_.get(), 16) != 0 ||
        ::getsockname(listen_fd_.get(), reinterpret_cast<sockaddr*>(&address), &size) != 0) {
      throw std::runtime_error("cannot listen on 127.0.0.1");
    }
    port_ = ntohs(address.sin_port);
    acceptor_ = std::thread([this] { accept_loop(); });
  }

  ~TestServer() {
    (void)!::write(wake_write_.get(), "x", 1);
    acceptor_.join();
    for (std::thread& thread : connections_) thread.join();
  }

  int port() const { return port_; }
  std::string url(std::string_view path) const {
    return "http://127.0.0.1:" + std::to_string(port_) + std::string(path);
  }
  std::vector<ServerRequest> requests() const {
    std::lock_guard lock(mutex_);
    return requests_;
  }
  int connection_count() const { return accepted_.load(); }

 private:
  void accept_loop() {
    while (true) {
      pollfd fds[2] = {{listen_fd_.get(), POLLIN, 0}, {wake_read_.get(), POLLIN, 0}};
      if (::poll(fds, 2, -1) < 0) continue;
      if ((fds[1].revents & POLLIN) != 0) return;
      int fd = ::accept4(listen_fd_.get(), nullptr, nullptr, SOCK_CLOEXEC);
      if (fd < 0) continue;
      ++accepted_;
      connections_.emplace_back([this, fd] { serve(fd); });
    }
  }

  void serve(int fd) {
    UniqueFd owned(fd);
    ServerConnection connection(fd, wake_read_.get());
    ServerRequest request;
    while (connection.read_request(request)) {
      {
        std::lock_guard lock(mutex_);
        requests_.push_back(request);
      }
      handler_(request, connection);
      if (connection.closing()) break;
      request = ServerRequest();
    }
  }

  Handler handler_;
  UniqueFd listen_fd_;
  UniqueFd wake_read_;
  UniqueFd wake_write_;
  int port_ = 0;
  std::atomic<int> accepted_{0};
  std::thread acceptor_;
  std::vector<std::thread> connections_;
  mutable std::mutex mutex_;
  std::vector<ServerRequest> requests_;
};

}  // namespace hocker::http::testing
