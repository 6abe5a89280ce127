"""A tiny Docker token issuer (RS256 JWT) for the registry's `auth: token` mode.

Policy: repositories whose name starts with `public/` may be pulled anonymously;
anything else (and any push) needs the basic credentials the issuer knows. Users added to
`readers` (name -> password) are granted `pull` alone, on every repository.
A wrong password gets 401.  Every request is logged in `requests`.
"""
import base64
import datetime
import hashlib
import json
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.x509.oid import NameOID

from .util import free_port


def b64url(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def libtrust_key_id(public_key):
    """libtrust key ID: base32(sha256(DER SPKI)[:30]) in 12 ':'-joined groups of 4."""
    der = public_key.public_bytes(serialization.Encoding.DER,
                                  serialization.PublicFormat.SubjectPublicKeyInfo)
    s = base64.b32encode(hashlib.sha256(der).digest()[:30]).decode().rstrip("=")
    return ":".join(s[i:i + 4] for i in range(0, 48, 4))


def parse_scope(scope):
    """'repository:team/app:pull,push' -> ('repository', 'team/app', ['pull', 'push'])."""
    typ, rest = scope.split(":", 1)
    name, _, actions = rest.rpartition(":")
    return typ, name, [a for a in actions.split(",") if a]


class TokenIssuer:
    def __init__(self, service, issuer, username, password, workdir, ttl=300):
        self.service, self.issuer = service, issuer
        self.username, self.password = username, password
        self.ttl = ttl
        self.readers = {}  # pull-only users: name -> password
        self.requests = []  # dicts: method, path, query, authorization, user, scopes, granted, status
        self._lock = threading.Lock()
        self.key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.kid = libtrust_key_id(self.key.public_key())
        now = datetime.datetime.now(datetime.timezone.utc)
        name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "hocker-test-token-signer")])
        cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name)
                .public_key(self.key.public_key()).serial_number(x509.random_serial_number())
                .not_valid_before(now - datetime.timedelta(days=1))
                .not_valid_after(now + datetime.timedelta(days=30))
                .sign(self.key, hashes.SHA256()))
        self.cert_file = workdir + "/token-signer.crt"
        with open(self.cert_file, "wb") as f:
            f.write(cert.public_bytes(serialization.Encoding.PEM))
        self.port = free_port()
        self.realm = "http://127.0.0.1:%d/token" % self.port
        self._server = ThreadingHTTPServer(("127.0.0.1", self.port), self._handler_class())
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()

    # -- token making -------------------------------------------------------
    def grant(self, user, scopes):
        """Access entries granted to `user` (None = anonymous) for scope strings."""
        access = []
        for scope in scopes:
            try:
                typ, name, actions = parse_scope(scope)
            except ValueError:
                continue
            if typ != "repository":
                continue
            if user is not None and user in self.readers:
                allowed = [a for a in actions if a == "pull"]
            elif user is not None:
                allowed = actions
            elif name.startswith("public/"):
                allowed = [a for a in actions if a == "pull"]
            else:
                allowed = []
            if allowed:
                access.append({"type": "repository", "name": name, "actions": allowed})
        return access

    def make_token(self, subject, access, ttl=None, **overrides):
        now = int(time.time())
        header = {"typ": "JWT", "alg": "RS256", "kid": self.kid}
        claims = {"iss": self.issuer, "sub": subject or "", "aud": self.service,
                  "exp": now + (ttl or self.ttl), "nbf": now - 10, "iat": now,
                  "jti": uuid.uuid4().hex, "access": access}
        claims.update(overrides)
        signing_input = (b64url(json.dumps(header, separators=(",", ":")).encode()) + "." +
                         b64url(json.dumps(claims, separators=(",", ":")).encode()))
        sig = self.key.sign(signing_input.encode(), padding.PKCS1v15(), hashes.SHA256())
        return signing_input + "." + b64url(sig)

    def token_requests(self):
        with self._lock:
            return list(self.requests)

    def stop(self):
        self._server.shutdown()
        self._server.server_close()

    # -- HTTP ---------------------------------------------------------------
    def _handler_class(self):
        issuer = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *a):  # quiet
                pass

            def _reply(self, status, obj, extra=None):
                body = json.dumps(obj).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                for k, v in (extra or {}).items():
                    self.send_header(k, v)
                self.end_headers()
                self.wfile.write(body)

            def _handle(self, params):
                if params.get("scope"):  # several scope= params, or space-separated
                    params["scope"] = [s for x in params["scope"] for s in x.split(" ") if s]
                u = urlsplit(self.path)
                auth = self.headers.get("Authorization")
                entry = {"method": self.command, "path": u.path, "query": u.query,
                         "params": params, "authorization": auth is not None,
                         "user": None, "scopes": params.get("scope", []), "granted": [],
                         "status": None}
                user = None
                if auth and auth.lower().startswith("basic "):
                    try:
                        u_, _, p_ = base64.b64decode(auth[6:].strip()).decode().partition(":")
                    except Exception:  # noqa: BLE001
                        u_, p_ = None, None
                    known = (u_ == issuer.username and p_ == issuer.password) or (
                        u_ in issuer.readers and issuer.readers[u_] == p_)
                    if not known:
                        entry["status"] = 401
                        issuer._log(entry)
                        return self._reply(401, {"errors": [{"code": "UNAUTHORIZED",
                                                             "message": "bad credentials"}]},
                                           {"WWW-Authenticate": 'Basic realm="hocker-token"'})
                    user = u_
                elif "username" in params:  # OAuth2 password grant (POST)
                    if (params.get("username", [""])[0] != issuer.username or
                            params.get("password", [""])[0] != issuer.password):
                        entry["status"] = 401
                        issuer._log(entry)
                        return self._reply(401, {"error": "invalid_grant"})
                    user = issuer.username
                if u.path != "/token":
                    entry["status"] = 404
                    issuer._log(entry)
                    return self._reply(404, {"error": "not found"})
                svc = params.get("service", [issuer.service])[0]
                if svc != issuer.service:
                    entry["status"] = 400
                    issuer._log(entry)
                    return self._reply(400, {"error": "unknown service"})
                access = issuer.grant(user, params.get("scope", []))
                token = issuer.make_token(user, access)
                entry.update(user=user, granted=access, status=200)
                issuer._log(entry)
                now = datetime.datetime.now(datetime.timezone.utc)
                self._reply(200, {"token": token, "access_token": token,
                                  "expires_in": issuer.ttl,
                                  "issued_at": now.strftime("%Y-%m-%dT%H:%M:%SZ")})

            def do_GET(self):
                self._handle(parse_qs(urlsplit(self.path).query))

            def do_POST(self):
                n = int(self.headers.get("Content-Length") or 0)
                form = parse_qs(self.rfile.read(n).decode()) if n else {}
                params = parse_qs(urlsplit(self.path).query)
                for k, v in form.items():
                    params.setdefault(k, []).extend(v)
                self._handle(params)

        return Handler

    def _log(self, entry):
        with self._lock:
            self.requests.append(entry)
