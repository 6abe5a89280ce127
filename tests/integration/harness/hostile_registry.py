"""A tiny "hostile registry": serves fixed bytes as a v2 registry's answers, so tests can hand
hocker malformed or lying documents.  Loopback only, a free port, plain HTTP.

routes: {path: Answer} for `/v2/`, `/v2/<name>/manifests/<ref>`, `/v2/<name>/blobs/<digest>`
(or any other path, e.g. `/v2/<name>/tags/list` or a token realm); anything else is 404 with a
distribution-style MANIFEST_UNKNOWN / BLOB_UNKNOWN body.  An Answer may carry extra headers,
and its body may be generated per request (`Generated`): big, endless, or echoing what the
client sent.
`require_basic=(user, password)` answers 401 with a Basic challenge when the request does not
carry those credentials.  Every request is recorded in `requests` as (method, path).
"""
import base64
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from .util import free_port


class Answer:
    """One response: body bytes, status, Content-Type, an optional lying Content-Length and
    extra headers."""

    def __init__(self, body, status=200, content_type="application/octet-stream",
                 content_length=None, headers=None):
        self.body = body if isinstance(body, bytes) else body.encode()
        self.status = status
        self.content_type = content_type
        self.content_length = len(self.body) if content_length is None else content_length
        self.headers = dict(headers or {})


class Generated:
    """A response made per request: `make(path, request_headers)` returns (status, headers,
    chunks), chunks an iterable of bytes sent without Content-Length (the connection closes
    after it), so a body may be far larger than memory or never end."""

    def __init__(self, make, content_type="application/json"):
        self.make = make
        self.content_type = content_type


def _not_found(path):
    code = "BLOB_UNKNOWN" if "/blobs/" in path else "MANIFEST_UNKNOWN"
    body = json.dumps({"errors": [{"code": code, "message": "unknown", "detail": path}]})
    return Answer(body, status=404, content_type="application/json")


class HostileRegistry:
    def __init__(self, routes, require_basic=None):
        self.routes = dict(routes)
        self.routes.setdefault("/v2/", Answer(b"{}", content_type="application/json"))
        self.require_basic = require_basic
        self.requests = []
        self._lock = threading.Lock()
        self.port = free_port()
        self._server = ThreadingHTTPServer(("127.0.0.1", self.port), self._handler())
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        self.host = "127.0.0.1:%d" % self.port
        self.url = "http://" + self.host

    def stop(self):
        self._server.shutdown()
        self._server.server_close()

    def _authorised(self, header):
        if self.require_basic is None:
            return True
        expected = base64.b64encode(("%s:%s" % self.require_basic).encode()).decode()
        return header == "Basic " + expected

    def _answer(self, method, path, authorization):
        with self._lock:
            self.requests.append((method, path))
        if not self._authorised(authorization):
            body = json.dumps({"errors": [{"code": "UNAUTHORIZED", "message": "authentication "
                                           "required", "detail": None}]})
            return Answer(body, status=401, content_type="application/json"), {
                "WWW-Authenticate": 'Basic realm="hostile"'}
        return self.routes.get(path.split("?", 1)[0]) or _not_found(path), {}

    def _handler(self):
        registry = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def _stream(self, answer, with_body):
                status, headers, chunks = answer.make(self.path, self.headers)
                self.send_response(status)
                self.send_header("Content-Type", answer.content_type)
                self.send_header("Docker-Distribution-API-Version", "registry/2.0")
                self.send_header("Connection", "close")
                for key, value in headers.items():
                    self.send_header(key, value)
                self.end_headers()
                self.close_connection = True
                if not with_body:
                    return
                try:
                    for chunk in chunks:
                        self.wfile.write(chunk)
                except (BrokenPipeError, ConnectionResetError):
                    pass

            def _serve(self, with_body):
                answer, extra = registry._answer(self.command, self.path,
                                                 self.headers.get("Authorization"))
                if isinstance(answer, Generated):
                    self._stream(answer, with_body)
                    return
                extra = dict(answer.headers, **extra)
                self.send_response(answer.status)
                self.send_header("Content-Type", answer.content_type)
                self.send_header("Content-Length", str(answer.content_length))
                self.send_header("Docker-Distribution-API-Version", "registry/2.0")
                for key, value in extra.items():
                    self.send_header(key, value)
                if answer.content_length != len(answer.body):
                    self.send_header("Connection", "close")
                    self.close_connection = True
                self.end_headers()
                if with_body:
                    try:
                        self.wfile.write(answer.body)
                    except (BrokenPipeError, ConnectionResetError):
                        pass

            def do_GET(self):
                self._serve(True)

            def do_HEAD(self):
                self._serve(False)

        return Handler
