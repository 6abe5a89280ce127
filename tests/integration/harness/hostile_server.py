"""Scriptable loopback servers for the network-security tests (test_security_net.py): a fake
registry, a token realm, a redirect target or a thief, over plain HTTP or TLS.

`ScriptedServer(answer, tls=None, legacy_tls=False)`: `answer(request)` -> `Reply`; `request` has `method path
query headers{lower: value} body`, and every request is recorded in `requests` (also those
answered by an exception).  `tls=(cert_file, key_file)` serves https; `url` says which; `legacy_tls` limits it to TLS 1.0
and 1.1 (a client must also be allowed them, e.g. by OPENSSL_CONF, to get that far).
`Reply(status=200, body=b"", headers=None, drip=None)`: with `drip` (seconds), the body goes
out one byte per `drip` seconds after the headers (a slow-drip server).
`make_pki(directory)` (from harness.registry) makes a fresh CA and a loopback server cert:
a server whose CA is not handed to hocker has an untrusted certificate.
"""
import json
import ssl
import threading
import time
import warnings
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

from .registry import make_pki  # noqa: F401  (re-exported for the tests)
from .util import free_port


class Reply:
    def __init__(self, status=200, body=b"", headers=None, drip=None):
        self.status = status
        self.body = body if isinstance(body, bytes) else body.encode()
        self.headers = dict(headers or {})
        self.drip = drip


def json_reply(document, status=200, headers=None):
    return Reply(status, json.dumps(document), dict({"Content-Type": "application/json"},
                                                    **(headers or {})))


class Request:
    def __init__(self, method, target, headers, body):
        self.method = method
        self.target = target
        split = urlsplit(target)
        self.path = split.path
        self.query = parse_qs(split.query)
        self.headers = {k.lower(): v for k, v in headers.items()}
        self.body = body


class ScriptedServer:
    def __init__(self, answer, tls=None, legacy_tls=False):
        self.answer = answer
        self.requests = []
        self._lock = threading.Lock()
        self.port = free_port()
        self._server = ThreadingHTTPServer(("127.0.0.1", self.port), self._handler())
        self._server.daemon_threads = True
        if tls:
            context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            context.load_cert_chain(*tls)
            if legacy_tls:
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore", DeprecationWarning)
                    context.set_ciphers("DEFAULT:@SECLEVEL=0")
                    context.minimum_version = ssl.TLSVersion.TLSv1
                    context.maximum_version = ssl.TLSVersion.TLSv1_1
            self._server.socket = context.wrap_socket(self._server.socket, server_side=True)
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        self.host = "127.0.0.1:%d" % self.port
        self.url = ("https://" if tls else "http://") + self.host

    def stop(self):
        self._server.shutdown()
        self._server.server_close()

    def _handler(self):
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def _serve(self):
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                request = Request(self.command, self.path, self.headers, body)
                with server._lock:
                    server.requests.append(request)
                reply = server.answer(request)
                self.send_response(reply.status)
                self.send_header("Content-Length", str(len(reply.body)))
                self.send_header("Docker-Distribution-API-Version", "registry/2.0")
                for name, value in reply.headers.items():
                    self.send_header(name, value)
                self.end_headers()
                if self.command == "HEAD":
                    return
                try:
                    if reply.drip is None:
                        self.wfile.write(reply.body)
                        return
                    for byte in reply.body:
                        self.wfile.write(bytes([byte]))
                        self.wfile.flush()
                        time.sleep(reply.drip)
                except (BrokenPipeError, ConnectionResetError, ssl.SSLError):
                    self.close_connection = True

            do_GET = do_HEAD = do_POST = _serve

        return Handler
