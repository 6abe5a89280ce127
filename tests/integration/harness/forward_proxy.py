"""A forward HTTP proxy of the kind corporate networks put between CI runners and registries:
absolute-form requests (`GET http://host/path HTTP/1.1`) for plain HTTP, `CONNECT host:port`
tunnels for HTTPS. Loopback only, stdlib only, bodies streamed.

ForwardProxy(credentials=None)
    Starts at once on a free 127.0.0.1 port. `url` ("http://127.0.0.1:PORT"), `port`.
    credentials=(user, password): every request must carry a matching Proxy-Authorization
    (Basic), else 407 with `Proxy-Authenticate: Basic realm="proxy"`.
    `log`: one dict per request: method, target (absolute URL or host:port), status,
    authorization (the Authorization header the proxy could read, or None),
    proxy_authorization (bool: one was sent).
    Context manager; close() stops it.
"""
import base64
import http.client
import select
import socket
import threading
import urllib.parse
from http.server import BaseHTTPRequestHandler

from .server_thread import QuietServer, ServerThread

_HOP = {"connection", "keep-alive", "proxy-connection", "proxy-authorization", "te",
        "trailer", "transfer-encoding", "upgrade"}
CHUNK = 64 * 1024


class _Server(QuietServer):
    def handle_error(self, request, client_address):
        pass  # clients hang up mid-tunnel; nothing to report


class ForwardProxy(ServerThread):
    def __init__(self, credentials=None):
        self.credentials = credentials
        self.log = []
        self._lock = threading.Lock()
        self._serve(_Server(("127.0.0.1", 0), self._handler_class()), poll_interval=0.1)
        self.url = "http://127.0.0.1:%d" % self.port

    def _record(self, handler, status):
        entry = {"method": handler.command, "target": handler.path, "status": status,
                 "authorization": handler.headers.get("Authorization"),
                 "proxy_authorization": handler.headers.get("Proxy-Authorization") is not None}
        with self._lock:
            self.log.append(entry)

    def _authorized(self, handler):
        if self.credentials is None:
            return True
        expected = "Basic " + base64.b64encode(("%s:%s" % self.credentials).encode()).decode()
        return handler.headers.get("Proxy-Authorization") == expected

    def _handler_class(self):
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def _refuse(self, code, message):
                proxy._record(self, code)
                self.send_response(code, message)
                if code == 407:
                    self.send_header("Proxy-Authenticate", 'Basic realm="proxy"')
                self.send_header("Content-Length", "0")
                self.end_headers()

            def do_CONNECT(self):
                if not proxy._authorized(self):
                    return self._refuse(407, "Proxy Authentication Required")
                host, _, port = self.path.rpartition(":")
                if host not in ("127.0.0.1", "localhost"):
                    return self._refuse(403, "Loopback Only")
                try:
                    upstream = socket.create_connection((host, int(port)), timeout=10)
                except OSError:
                    return self._refuse(502, "Bad Gateway")
                proxy._record(self, 200)
                self.send_response(200, "Connection Established")
                self.end_headers()
                _tunnel(self.connection, upstream)
                self.close_connection = True

            def _forward(self):
                if not proxy._authorized(self):
                    return self._refuse(407, "Proxy Authentication Required")
                url = urllib.parse.urlsplit(self.path)
                if url.scheme != "http" or url.hostname not in ("127.0.0.1", "localhost"):
                    return self._refuse(403, "Loopback Only")
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else None
                headers = {k: v for k, v in self.headers.items() if k.lower() not in _HOP}
                path = url.path + ("?" + url.query if url.query else "")
                conn = http.client.HTTPConnection(url.hostname, url.port or 80, timeout=30)
                try:
                    conn.request(self.command, path, body=body, headers=headers)
                    resp = conn.getresponse()
                except OSError:
                    conn.close()
                    return self._refuse(502, "Bad Gateway")
                proxy._record(self, resp.status)
                self.send_response(resp.status, resp.reason)
                for k, v in resp.getheaders():
                    if k.lower() not in _HOP and k.lower() != "content-length":
                        self.send_header(k, v)
                declared = resp.getheader("Content-Length")
                if self.command == "HEAD" or declared is not None:
                    # Content-Length framing: the body streams through in chunks.
                    self.send_header("Content-Length", declared or "0")
                    self.end_headers()
                    while self.command != "HEAD":
                        chunk = resp.read(CHUNK)
                        if not chunk:
                            break
                        self.wfile.write(chunk)
                else:
                    body = resp.read()  # small (error and token answers): framed anew
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                conn.close()

            do_GET = do_HEAD = do_POST = _forward

        return Handler


def _tunnel(client, upstream):
    """Copies bytes both ways until either side closes."""
    sockets = [client, upstream]
    try:
        while True:
            readable, _, broken = select.select(sockets, [], sockets, 30)
            if broken or not readable:
                return
            for s in readable:
                data = s.recv(CHUNK)
                if not data:
                    return
                (upstream if s is client else client).sendall(data)
    except OSError:
        return
    finally:
        upstream.close()
