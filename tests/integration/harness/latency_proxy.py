"""A latency-modelling HTTP/1.1 reverse proxy that counts requests and connections (stdlib only).

A small pull is decided by round trips and connections, not bytes; on loopback both are free.
This proxy puts a price on them, like a registry some distance away:

  * every NEW connection costs `connect_delay` seconds (default 0.1: TCP + TLS handshakes),
    paid between accept and the first byte read from it;
  * every request costs `request_delay` seconds (default 0.05: the one-way trip of the
    request), paid after its head arrived and before it is forwarded.

Keep-alive works (each client connection keeps one upstream connection), so a client that
reuses connections pays the connection price once.  Answers are relayed in 64 KiB chunks,
never buffered whole (a body of unknown length is read whole: error documents only).
`rewrite` maps text to replace in WWW-Authenticate and Location headers: put one proxy in
front of the registry and another in front of its token server, and rewrite the registry's
challenge so its realm names the second proxy (see LatencyPair).

API
---
LatencyProxy(upstream_url, request_delay=0.05, connect_delay=0.1, rewrite=None)
    Starts at once on a free 127.0.0.1 port.  `url`, `host`, `port`.  Context manager; close().
proxy.connections -> int             connections accepted so far
proxy.requests(since=0) -> [[method, path, status]]   requests in arrival order (status:
                                     the upstream's answer, None until it came or when none did)
proxy.mark() -> (connections, requests)        pass to counts(since=...) for later ones
proxy.counts(since=(0, 0)) -> {"connections": n, "requests": n}
proxy.before_forward = None          set to f(method, path): called in each request's thread
                                     before it is forwarded (a test holds a request there)

LatencyPair(registry, request_delay=0.05, connect_delay=0.1)
    A proxy in front of a token-mode harness Registry and one in front of its token issuer,
    the registry's realm rewritten to the latter.  `.registry` and `.token` are the proxies,
    `.host` the registry proxy's; counts() -> {"registry": {...}, "token": {...}}.
"""
import http.client
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler

from .server_thread import QuietServer, ServerThread

_HOP_BY_HOP = {"connection", "keep-alive", "proxy-connection", "transfer-encoding", "te",
               "trailer", "upgrade", "host"}
_CHUNK = 64 << 10


class LatencyProxy(ServerThread):
    def __init__(self, upstream_url, request_delay=0.05, connect_delay=0.1, rewrite=None):
        u = urllib.parse.urlsplit(upstream_url)
        if u.scheme != "http" or not u.hostname:
            raise ValueError("LatencyProxy needs an http:// upstream, not %r" % upstream_url)
        self.upstream_url = "http://" + u.netloc
        self._upstream = (u.hostname, u.port or 80)
        self.request_delay, self.connect_delay = request_delay, connect_delay
        self._lock = threading.Lock()
        self._connections = 0
        self._log = []
        self.before_forward = None
        server = QuietServer(("127.0.0.1", 0), self._handler_class())
        self.host = "127.0.0.1:%d" % server.server_address[1]
        self.url = "http://" + self.host
        self.rewrite = dict(rewrite or {})
        self.rewrite.setdefault(self.upstream_url, self.url)
        self._serve(server, poll_interval=0.05)  # sets self.port

    @property
    def connections(self):
        with self._lock:
            return self._connections

    def requests(self, since=0):
        with self._lock:
            return [list(entry) for entry in self._log[since:]]

    def mark(self):
        with self._lock:
            return (self._connections, len(self._log))

    def counts(self, since=(0, 0)):
        with self._lock:
            return {"connections": self._connections - since[0],
                    "requests": len(self._log) - since[1]}

    def _rewritten(self, value):
        for old, new in self.rewrite.items():
            value = value.replace(old, new)
        return value

    def _handler_class(self):
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            timeout = 30
            # Headers and body leave in separate writes: without TCP_NODELAY (which registries,
            # written in Go, set) the body waits for the client's delayed ACK, ~40 ms a request.
            disable_nagle_algorithm = True

            def log_message(self, *args):
                pass

            def setup(self):
                super().setup()
                with proxy._lock:
                    proxy._connections += 1
                time.sleep(proxy.connect_delay)
                self.upstream = None

            def finish(self):
                if self.upstream is not None:
                    self.upstream.close()
                try:
                    super().finish()
                except OSError:
                    pass

            def _forward(self):
                entry = [self.command, self.path, None]
                with proxy._lock:
                    proxy._log.append(entry)
                time.sleep(proxy.request_delay)
                if proxy.before_forward is not None:
                    proxy.before_forward(self.command, self.path)
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else None
                headers = {k: v for k, v in self.headers.items() if k.lower() not in _HOP_BY_HOP}
                headers["Host"] = "%s:%d" % proxy._upstream
                try:
                    answer = self._send_upstream(body, headers)
                except OSError:
                    self.send_error(502)
                    self.close_connection = True
                    return
                entry[2] = answer.status
                self._relay(answer)

            def _send_upstream(self, body, headers):
                for attempt in (1, 2):  # a kept upstream connection may have been closed
                    if self.upstream is None:
                        self.upstream = http.client.HTTPConnection(*proxy._upstream, timeout=30)
                    try:
                        self.upstream.request(self.command, self.path, body=body, headers=headers)
                        return self.upstream.getresponse()
                    except (OSError, http.client.HTTPException):
                        self.upstream.close()
                        self.upstream = None
                        if attempt == 2:
                            raise OSError("upstream unreachable")
                return None

            def _relay(self, answer):
                no_body = self.command == "HEAD" or answer.status in (204, 304)
                declared = answer.getheader("Content-Length")
                payload = None
                if not no_body and declared is None:
                    payload = answer.read()  # chunked or close-delimited: a small document
                self.send_response(answer.status, answer.reason)
                for name, value in answer.getheaders():
                    lower = name.lower()
                    if lower in _HOP_BY_HOP or (payload is not None and lower == "content-length"):
                        continue
                    if lower in ("www-authenticate", "location"):
                        value = proxy._rewritten(value)
                    self.send_header(name, value)
                if payload is not None:
                    self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                if no_body:
                    answer.read()
                elif payload is not None:
                    self.wfile.write(payload)
                else:
                    while True:
                        chunk = answer.read(_CHUNK)
                        if not chunk:
                            break
                        self.wfile.write(chunk)
                self.wfile.flush()
                if answer.will_close:
                    self.upstream.close()
                    self.upstream = None

            do_GET = do_HEAD = do_POST = do_PUT = do_PATCH = do_DELETE = _forward

        return Handler


class LatencyPair:
    """A token-mode registry and its token server, each behind a LatencyProxy."""

    def __init__(self, registry, request_delay=0.05, connect_delay=0.1):
        issuer = urllib.parse.urlsplit(registry.issuer.realm)
        issuer_url = "%s://%s" % (issuer.scheme, issuer.netloc)
        self.token = LatencyProxy(issuer_url, request_delay, connect_delay)
        self.registry = LatencyProxy(registry.url, request_delay, connect_delay,
                                     rewrite={issuer_url: self.token.url})
        self.host = self.registry.host

    def mark(self):
        return (self.registry.mark(), self.token.mark())

    def counts(self, since=((0, 0), (0, 0))):
        return {"registry": self.registry.counts(since[0]), "token": self.token.counts(since[1])}

    def close(self):
        self.registry.close()
        self.token.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

