"""Start Debian's docker-registry (distribution 2.8) in one of three modes.

plain      HTTP, no auth
basic-tls  HTTPS (harness CA) + htpasswd basic auth
token      HTTP + `auth: token` backed by harness.token_issuer
"""
import http.client
import json
import os
import re
import secrets
import shutil
import ssl
import tempfile
import time

from .token_issuer import TokenIssuer
from .util import (check, free_port, make_tempdir, on_exit, forget_exit, run,
                   sha256_bytes, start_process, stop_process, wait_until)

MODES = ("plain", "basic-tls", "token")
SERVICE = "hocker-test-registry"
ISSUER = "hocker-test-issuer"

ACCEPT_ALL = ", ".join([
    "application/vnd.docker.distribution.manifest.v2+json",
    "application/vnd.docker.distribution.manifest.list.v2+json",
    "application/vnd.oci.image.manifest.v1+json",
    "application/vnd.oci.image.index.v1+json",
])

_ACCESS_RE = re.compile(r'^(\S+) \S+ (\S+) \[([^\]]*)\] "(\S+) (\S+) [^"]*" (\d{3}) (\S+)')
_REPO_RE = re.compile(r"^/v2/(.+)/(manifests|blobs|tags)/")


def make_pki(d):
    """CA + server cert (SAN IP:127.0.0.1, DNS:localhost, IP:::1) with openssl; returns paths."""
    ca_key, ca_crt = os.path.join(d, "ca.key"), os.path.join(d, "ca.crt")
    key, csr, crt = (os.path.join(d, n) for n in ("server.key", "server.csr", "server.crt"))
    ext = os.path.join(d, "server.ext")
    check(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", ca_key,
           "-out", ca_crt, "-days", "30", "-subj", "/CN=hocker-test-ca",
           "-addext", "basicConstraints=critical,CA:TRUE",
           "-addext", "keyUsage=critical,keyCertSign,cRLSign"])
    check(["openssl", "req", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", csr,
           "-subj", "/CN=localhost"])
    with open(ext, "w") as f:
        f.write("subjectAltName=IP:127.0.0.1,DNS:localhost,IP:::1\n"
                "basicConstraints=CA:FALSE\nkeyUsage=digitalSignature,keyEncipherment\n"
                "extendedKeyUsage=serverAuth\n")
    check(["openssl", "x509", "-req", "-in", csr, "-CA", ca_crt, "-CAkey", ca_key,
           "-CAcreateserial", "-out", crt, "-days", "30", "-extfile", ext])
    return ca_crt, crt, key


class Response:
    def __init__(self, status, headers, body):
        self.status, self.headers, self.body = status, headers, body  # headers: lower-case keys

    def header(self, name, default=None):
        return self.headers.get(name.lower(), default)

    def json(self):
        return json.loads(self.body)

    def __repr__(self):
        return "<Response %d %r>" % (self.status, self.body[:200])


class Registry:
    """A running registry.  Attributes: mode, host, url, ca_file, username, password,
    issuer (token mode), pushed {ref: digest}, workdir."""

    def __init__(self, mode="plain", workdir=None, proxy_of=None):
        """proxy_of: another (plain-HTTP or token) Registry: this one is then a pull-through
        cache of it (distribution's proxy mode), logging in with its credentials if any."""
        if mode not in MODES:
            raise ValueError("mode must be one of %s" % (MODES,))
        self.mode = mode
        self.workdir = workdir or make_tempdir("hocker-reg-%s-" % mode)
        self.port = free_port()
        self.host = "127.0.0.1:%d" % self.port
        tls = mode == "basic-tls"
        self.url = ("https://" if tls else "http://") + self.host
        self.ca_file = self.cert_dir = None
        self.username = self.password = None
        self.issuer = None
        self.pushed = {}
        self._proc = None
        self.access_log = os.path.join(self.workdir, "access.log")
        self.error_log = os.path.join(self.workdir, "registry.log")
        self._token_cache = {}
        cfg = {
            "version": "0.1",
            "log": {"level": "info", "formatter": "text", "accesslog": {"disabled": False}},
            "storage": {"filesystem": {"rootdirectory": os.path.join(self.workdir, "storage")},
                        "delete": {"enabled": True}, "cache": {"blobdescriptor": "inmemory"}},
            "http": {"addr": self.host, "secret": secrets.token_hex(16),
                     "headers": {"X-Content-Type-Options": ["nosniff"]}},
            "health": {"storagedriver": {"enabled": False}},
            # Foreign layers may name loopback URLs only (the registry refuses all by default).
            "validation": {"manifests": {"urls": {"allow": [r"^http://127\.0\.0\.1:"]}}},
        }
        if proxy_of is not None:
            cfg["proxy"] = {"remoteurl": proxy_of.url}
            if proxy_of.username:
                cfg["proxy"].update(username=proxy_of.username, password=proxy_of.password)
        if mode != "plain":
            self.username = "hocker-user"
            self.password = "pw-" + secrets.token_hex(8)
        if tls:
            self.ca_file, crt, key = make_pki(self.workdir)
            cfg["http"]["tls"] = {"certificate": crt, "key": key}
            self.cert_dir = os.path.join(self.workdir, "certs.d")
            os.makedirs(self.cert_dir)
            shutil.copy(self.ca_file, os.path.join(self.cert_dir, "ca.crt"))
            htpasswd = os.path.join(self.workdir, "htpasswd")
            with open(htpasswd, "wb") as f:
                f.write(check(["htpasswd", "-Bbn", self.username, self.password]))
            cfg["auth"] = {"htpasswd": {"realm": "hocker-test", "path": htpasswd}}
        if mode == "token":
            self.issuer = TokenIssuer(SERVICE, ISSUER, self.username, self.password, self.workdir)
            cfg["auth"] = {"token": {"realm": self.issuer.realm, "service": SERVICE,
                                     "issuer": ISSUER,
                                     "rootcertbundle": self.issuer.cert_file}}
        self.config_file = os.path.join(self.workdir, "config.yml")
        with open(self.config_file, "w") as f:
            json.dump(cfg, f, indent=1)  # JSON is valid YAML
        self._start()

    # -- lifecycle ----------------------------------------------------------
    def _start(self):
        self._proc = start_process(["docker-registry", "serve", self.config_file],
                                   self.access_log, self.error_log)
        on_exit(self.stop)

        def up():
            if self._proc.poll() is not None:
                raise RuntimeError("registry exited (%s):\n%s" % (self._proc.returncode,
                                                                  self.error_text()))
            return self._raw_get("/v2/") in (200, 401)
        try:
            wait_until(up, timeout=20, what="registry on " + self.url)
        except Exception:
            self.stop()
            raise

    def _raw_get(self, path):
        if self.url.startswith("https"):
            ctx = ssl.create_default_context(cafile=self.ca_file)
            c = http.client.HTTPSConnection("127.0.0.1", self.port, timeout=2, context=ctx)
        else:
            c = http.client.HTTPConnection("127.0.0.1", self.port, timeout=2)
        try:
            c.request("GET", path)
            return c.getresponse().status
        finally:
            c.close()

    def stop(self):
        forget_exit(self.stop)
        stop_process(self._proc)
        if self.issuer:
            self.issuer.stop()  # its request log stays readable

    def error_text(self):
        try:
            with open(self.error_log, errors="replace") as f:
                return f.read()[-4000:]
        except OSError:
            return ""

    # -- logs ---------------------------------------------------------------
    def access_log_lines(self):
        with open(self.access_log, errors="replace") as f:
            return [l.rstrip("\n") for l in f if _ACCESS_RE.match(l)]

    def access_entries(self, since=0):
        """Parsed access-log entries: dicts with method, path, status, user."""
        out = []
        for l in self.access_log_lines()[since:]:
            m = _ACCESS_RE.match(l)
            out.append({"method": m.group(4), "path": m.group(5), "status": int(m.group(6)),
                        "user": m.group(2), "line": l})
        return out

    def log_mark(self):
        """Current number of access-log lines; pass as `since=` to count only later requests."""
        self._settle()
        return len(self.access_log_lines())

    def _settle(self):
        # the registry writes an access-log line after the response: wait until stable
        n, stable = -1, 0
        while stable < 2:
            m = len(self.access_log_lines())
            stable = stable + 1 if m == n else 0
            n = m
            time.sleep(0.05)

    def count_requests(self, method, path_substring, since=0, status=None):
        self._settle()
        return sum(1 for e in self.access_entries(since)
                   if e["method"] == method and path_substring in e["path"]
                   and (status is None or e["status"] == status))

    def token_requests(self):
        return self.issuer.token_requests() if self.issuer else []

    # -- HTTP helpers (curl) -------------------------------------------------
    def token(self, scope=None, credentials=True, cached=True):
        """A bearer token from the issuer for `scope` (token mode); cached for 60 s
        unless cached=False (each fetch shows up in token_requests())."""
        key = (scope, credentials)
        hit = self._token_cache.get(key)
        if cached and hit and time.monotonic() - hit[1] < 60:
            return hit[0]
        tok = self._fetch_token(scope, credentials)
        self._token_cache[key] = (tok, time.monotonic())
        return tok

    def _fetch_token(self, scope, credentials):
        args = ["curl", "-sS", "-f", "-G", self.issuer.realm, "--data-urlencode",
                "service=" + SERVICE]
        if scope:
            args += ["--data-urlencode", "scope=" + scope]
        if credentials:
            args += ["-u", "%s:%s" % (self.username, self.password)]
        return json.loads(check(args))["token"]

    def request(self, method, path, accept=None, auth=True, headers=None, token=None,
                data=None):
        """One curl request to the registry; returns Response.  auth=True adds the
        mode's credentials (basic, or a token for the path's repository with pull+push)."""
        with tempfile.TemporaryDirectory() as td:
            hfile, bfile = os.path.join(td, "h"), os.path.join(td, "b")
            args = ["curl", "-sS", "-X", method, "-D", hfile, "-o", bfile, "-w", "%{http_code}"]
            if method == "HEAD":
                args = ["curl", "-sS", "-I", "-D", hfile, "-o", bfile, "-w", "%{http_code}"]
            if self.ca_file:
                args += ["--cacert", self.ca_file]
            if accept:
                args += ["-H", "Accept: " + accept]
            for k, v in (headers or {}).items():
                args += ["-H", "%s: %s" % (k, v)]
            if data is not None:
                args += ["--data-binary", "@-"]
            if token is None and auth and self.mode == "token":
                m = _REPO_RE.match(path)
                token = self.token("repository:%s:pull,push" % m.group(1) if m else None)
            if token:
                args += ["-H", "Authorization: Bearer " + token]
            elif auth and self.mode == "basic-tls":
                args += ["-u", "%s:%s" % (self.username, self.password)]
            rc, out, err = run(args + [self.url + path], input=data, timeout=60)
            if rc != 0:
                raise RuntimeError("curl %s %s failed: %s" % (method, path, err))
            headers_out = {}
            with open(hfile, "rb") as f:
                blocks = f.read().decode("latin-1").split("\r\n\r\n")
            block = [b for b in blocks if b.strip()][-1]
            for line in block.split("\r\n")[1:]:
                k, _, v = line.partition(":")
                headers_out[k.strip().lower()] = v.strip()
            body = open(bfile, "rb").read() if os.path.exists(bfile) else b""
            return Response(int(out.decode()[-3:]), headers_out, body)

    def get_manifest(self, name, reference, accept=ACCEPT_ALL, **kw):
        return self.request("GET", "/v2/%s/manifests/%s" % (name, reference), accept=accept, **kw)

    def get_blob(self, name, digest, **kw):
        return self.request("GET", "/v2/%s/blobs/%s" % (name, digest), **kw)

    # -- push -----------------------------------------------------------------
    def push(self, image, ref):
        """skopeo copy --all --preserve-digests dir:IMAGE docker://HOST/REF, then check the
        registry serves the manifest (and each child of an index) byte-exact."""
        args = ["skopeo", "--insecure-policy", "copy", "--all", "--preserve-digests", "-q"]
        if self.cert_dir:
            args += ["--dest-cert-dir", self.cert_dir]
        else:
            args += ["--dest-tls-verify=false"]
        if self.username:
            args += ["--dest-creds", "%s:%s" % (self.username, self.password)]
        rc, _, err = run(args + ["dir:" + image.dir, "docker://%s/%s" % (self.host, ref)],
                         env={"HOME": self.workdir}, timeout=600)
        if rc != 0:
            raise RuntimeError("skopeo push of %s to %s failed:\n%s" % (image.dir, ref, err))
        name, _, tag = ref.rpartition(":")
        checks = [(tag, image.manifest_digest, image.media_type)]
        for child in getattr(image, "children", {}).values():
            checks.append((child.manifest_digest, child.manifest_digest, child.media_type))
        for reference, digest, media in checks:
            r = self.get_manifest(name, reference, accept=media)
            got = sha256_bytes(r.body)
            if r.status != 200 or got != digest:
                raise AssertionError("registry serves %s:%s as %s (status %d), pushed %s"
                                     % (name, reference, got, r.status, digest))
        self.pushed[ref] = image.manifest_digest
        return image.manifest_digest
