"""A loopback front that redirects blob GETs to a second host:port (a fake CDN).

front  http://127.0.0.1:A  - `GET|HEAD /v2/<name>/blobs/<digest>`: checks the request
       upstream with a HEAD (client's headers, so auth works as usual); if that is 200,
       answers 307 to the CDN, else passes the upstream answer through.  Everything else
       is proxied to the registry unchanged (WWW-Authenticate included).
cdn    http://127.0.0.1:B  - `GET /cdn/<name>/blobs/<digest>?sig=...` serves the blob
       bytes (fetched from the real registry with the harness's credentials); honours
       `Range: bytes=N-`.
Both record every request (method, path, headers) in `front_requests` / `cdn_requests`.
"""
import http.client
import re
import ssl
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from .util import free_port

_BLOB_RE = re.compile(r"^/v2/(.+)/blobs/(sha\d+:[0-9a-f]+)$")
_CDN_RE = re.compile(r"^/cdn/(.+)/blobs/(sha\d+:[0-9a-f]+)(\?.*)?$")
_HOP = {"connection", "keep-alive", "transfer-encoding", "te", "trailer", "upgrade",
        "proxy-authorization", "proxy-authenticate", "host", "content-length"}


def _server(handler_cls):
    port = free_port()
    srv = ThreadingHTTPServer(("127.0.0.1", port), handler_cls)
    srv.daemon_threads = True
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    return srv, port


class RedirectServer:
    def __init__(self, registry, status=307):
        self.registry = registry
        self.status = status
        self.front_requests, self.cdn_requests = [], []
        self._lock = threading.Lock()
        self._blob_cache = {}
        self._front, self.port = _server(self._front_handler())
        self._cdn, self.cdn_port = _server(self._cdn_handler())
        self.host = "127.0.0.1:%d" % self.port
        self.url = "http://" + self.host
        self.cdn_host = "127.0.0.1:%d" % self.cdn_port

    def stop(self):
        for s in (self._front, self._cdn):
            s.shutdown()
            s.server_close()

    def _record(self, lst, h):
        with self._lock:
            lst.append({"method": h.command, "path": h.path,
                        "headers": {k.lower(): v for k, v in h.headers.items()}})

    def _upstream(self):
        reg = self.registry
        host, port = reg.host.rsplit(":", 1)
        if reg.url.startswith("https"):
            ctx = ssl.create_default_context(cafile=reg.ca_file)
            return http.client.HTTPSConnection(host, int(port), timeout=30, context=ctx)
        return http.client.HTTPConnection(host, int(port), timeout=30)

    def blob(self, name, digest):
        key = (name, digest)
        if key not in self._blob_cache:
            r = self.registry.get_blob(name, digest)
            if r.status != 200:
                raise RuntimeError("upstream blob %s: %d" % (digest, r.status))
            self._blob_cache[key] = r.body
        return self._blob_cache[key]

    def _front_handler(self):
        rs = self

        class Front(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *a):
                pass

            def _proxy(self, method):
                rs._record(rs.front_requests, self)
                n = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(n) if n else None
                hdrs = {k: v for k, v in self.headers.items() if k.lower() not in _HOP}
                m = _BLOB_RE.match(self.path.split("?")[0])
                c = rs._upstream()
                try:
                    if m and method in ("GET", "HEAD"):
                        c.request("HEAD", self.path, headers=hdrs)
                        up = c.getresponse()
                        up.read()
                        if up.status == 200:
                            loc = "http://%s/cdn/%s/blobs/%s?sig=hocker-test-signature" % (
                                rs.cdn_host, m.group(1), m.group(2))
                            self.send_response(rs.status)
                            self.send_header("Location", loc)
                            self.send_header("Content-Length", "0")
                            self.end_headers()
                            return
                        c.close()
                        c = rs._upstream()
                    c.request(method, self.path, body=body, headers=hdrs)
                    up = c.getresponse()
                    data = up.read()
                    self.send_response(up.status)
                    for k, v in up.getheaders():
                        if k.lower() not in _HOP:
                            self.send_header(k, v)
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    if method != "HEAD":
                        self.wfile.write(data)
                finally:
                    c.close()

            def do_GET(self):
                self._proxy("GET")

            def do_HEAD(self):
                self._proxy("HEAD")

            def do_PUT(self):
                self._proxy("PUT")

            def do_POST(self):
                self._proxy("POST")

            def do_PATCH(self):
                self._proxy("PATCH")

            def do_DELETE(self):
                self._proxy("DELETE")

        return Front

    def _cdn_handler(self):
        rs = self

        class Cdn(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *a):
                pass

            def _serve(self, head):
                rs._record(rs.cdn_requests, self)
                m = _CDN_RE.match(self.path)
                if not m:
                    self.send_response(404)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                data = rs.blob(m.group(1), m.group(2))
                start = 0
                rng = self.headers.get("Range")
                mr = re.match(r"bytes=(\d+)-$", rng or "")
                if mr and int(mr.group(1)) < len(data):
                    start = int(mr.group(1))
                    self.send_response(206)
                    self.send_header("Content-Range",
                                     "bytes %d-%d/%d" % (start, len(data) - 1, len(data)))
                else:
                    self.send_response(200)
                self.send_header("Content-Type", "application/octet-stream")
                self.send_header("Content-Length", str(len(data) - start))
                self.send_header("Accept-Ranges", "bytes")
                self.end_headers()
                if not head:
                    self.wfile.write(data[start:])

            def do_GET(self):
                self._serve(False)

            def do_HEAD(self):
                self._serve(True)

        return Cdn
