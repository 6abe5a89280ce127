"""A fault-injecting HTTP/1.1 reverse proxy for reliability tests (loopback only, stdlib only).

Put it between hocker and a plain-HTTP registry; each request is forwarded to the upstream
(method, path, query and headers, including Authorization and Range; Host is rewritten to the
upstream's) and the answer is relayed back streamed in 64 KiB chunks, never buffered whole.
Keep-alive works (Content-Length framing; bodies of unknown length are re-chunked).  Location
headers pointing at the upstream are rewritten to point at the proxy, so redirects stay in it.
Rules pick requests and break their answers in precise ways; every request is logged.

API
---
FaultProxy(upstream_url, timeout=30.0)
    Starts at once on a free 127.0.0.1 port.  Attributes: `url` ("http://127.0.0.1:PORT"),
    `host` ("127.0.0.1:PORT"), `port`, `upstream_url`.  Context manager; `close()` (idempotent)
    stops the server, wakes stalled handlers and shuts every open client connection.
    Threads are daemons and every socket has a timeout, so nothing hangs at exit.

proxy.add_rule(match=None, action=None, times=DEFAULT, method=None, upstream_status=None)
    -> Rule
    match:  None (every request), a str (substring of the request path, query included),
            a compiled regex (`re.search` on the path), or a callable `f(req) -> bool` where
            `req` has `.method .path .headers` (dict, lower-case names) and `.range`.
    method: None or a method name ("GET") or a collection of them.
    times:  how many matching requests the rule applies to, then it is spent; None = forever.
            Default: 1, except `redirect_loop()` which defaults to forever.
    upstream_status: None, or a status / collection of statuses: the rule then applies only
            to upstream answers with that status (e.g. 200 so a token-auth 401 does not
            spend it).  Such rules are checked after the upstream answered and only when no
            unfiltered rule fired; they take only actions that forward (not status,
            redirect_loop, hang, drop).
    Rules are tried in the order added; the first live match fires (one rule per request).
    Returns the Rule: `.hits` (times fired), `.spent`, `.times`, `.action`, `.method`,
    `.upstream_status`.
proxy.remove_rule(rule), proxy.clear_rules(), proxy.rules (list copy)

Actions (module functions, also available as FaultProxy.<name>).  Byte counts and offsets are
relative to the body of *this* response (for a 206, the partial body).  Body actions on a
response without a body (HEAD, 204, 304) act right after the headers (wrong_length changes the
declared Content-Length of a HEAD answer); give `method="GET"` to keep HEADs out.
    reset_after(n_bytes, grace=0.1)
                               headers + first n bytes of the body, then TCP RST (SO_LINGER 0).
                               A RST makes the client's kernel discard what the client has not
                               read yet, so before it the proxy waits (at most 2 s) until the
                               client's kernel has acknowledged every byte, then `grace` s more
                               for the client to read them: an active reader then gets exactly
                               n bytes.  grace=0: reset at once (the client keeps <= n bytes).
    stall_after(n_bytes, seconds)
                               headers + n bytes, then silence for `seconds`, then close (FIN).
    status(code, retry_after=None, body=None, headers=None, content_type="application/json")
                               answer `code` without contacting the upstream, with Retry-After
                               when given; default body is a distribution-style JSON error
                               (429 -> TOOMANYREQUESTS, 503 -> UNAVAILABLE, ...).  Keep-alive.
    truncate(n_bytes)          declare the real Content-Length, send n bytes, close cleanly (FIN).
    wrong_length(delta)        declare Content-Length + delta.  delta > 0: send the real body,
                               then close (FIN).  delta < 0: send only the declared bytes, keep
                               the connection alive.
    flip_byte(offset)          send the body with byte `offset` XOR 0xFF (no-op past the end).
    redirect_loop(status=307)  answer `status` with Location = the same URL on the proxy.
    oversized(extra_bytes)     declare the real Content-Length, send the body and `extra_bytes`
                               more bytes ("X"), then close (FIN).
    hang(seconds)              read the request, answer nothing for `seconds`, then close (FIN).
    drop()                     read the request, then TCP RST without answering.
An upstream that cannot be reached gives 502 with a JSON error body.

Log
---
proxy.requests(path_substring=None, method=None, since=0, settle=2.0) -> [Entry]
    Entries in arrival order.  An Entry has: `method path range` (Range header or None)
    `headers` (request, lower-case) `status` (sent to the client, None if none was)
    `upstream_status` `declared_length` (Content-Length sent, None if chunked/none)
    `bytes_sent` (body bytes the proxy wrote to the client; headers excluded)
    `rule` (the Rule that fired or None) `action` (its name, e.g. "reset_after", or None)
    `outcome` ("ok" "reset" "stalled" "closed" "hung" "client-gone" "upstream-error")
    `error` (repr of a client-side OSError, or None) `request` `time`
    `done` (bytes_sent is final).  Waits up to `settle` s for in-flight entries to be done
    (an entry is done before a stall starts, so stalls do not delay this).
proxy.bytes_sent(path_substring=None, method=None, since=0) -> int  (sum over entries)
proxy.log_mark() -> int   (pass as `since=` to see only later requests)
proxy.clear_log()

Example
-------
    from harness.fault_proxy import FaultProxy, reset_after, status

    with FaultProxy(registry.url) as proxy:
        proxy.add_rule("/blobs/", reset_after(100_000), method="GET", upstream_status=200)
        proxy.add_rule("/manifests/", status(429, retry_after=1))
        rc, out, err = run([hocker, "layer", "-l", digest, "-o", path, "--plain-http",
                            proxy.host + "/team/multilayer:v1"])
        first, retry = proxy.requests("/blobs/" + digest, method="GET")
        assert first.outcome == "reset" and first.bytes_sent == 100_000
        assert retry.range == "bytes=100000-" and retry.status == 206
        assert retry.bytes_sent == layer_size - 100_000

Limitations: http:// upstreams only; request bodies are read whole before forwarding
(fine for pulls; chunked request bodies are not supported); one upstream connection per
request; HTTP/1.0 clients get close-delimited bodies.
"""
import fcntl
import http.client
import json
import os
import re
import socket
import struct
import sys
import termios
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

__all__ = ["FaultProxy", "Rule", "Entry", "Action", "reset_after", "stall_after", "status",
           "truncate", "wrong_length", "flip_byte", "redirect_loop", "oversized", "hang", "drop"]

CHUNK = 64 * 1024
_DEFAULT = object()

# Hop-by-hop headers (and the framing headers the proxy sets itself).
_HOP = {"connection", "keep-alive", "proxy-connection", "proxy-authenticate",
        "proxy-authorization", "te", "trailer", "trailers", "transfer-encoding", "upgrade"}

_NO_UPSTREAM = {"status", "redirect_loop", "hang", "drop"}

_ERROR_CODES = {400: "BAD_REQUEST", 401: "UNAUTHORIZED", 403: "DENIED", 404: "NOT_FOUND",
                429: "TOOMANYREQUESTS", 500: "UNKNOWN", 502: "UNAVAILABLE",
                503: "UNAVAILABLE", 504: "UNAVAILABLE"}


# ----------------------------------------------------------------------------------- actions

class Action:
    """A fault.  `kind` names it; the other attributes are its parameters."""

    def __init__(self, kind, default_times=1, **params):
        self.kind = kind
        self.default_times = default_times
        self.params = params
        for k, v in params.items():
            setattr(self, k, v)

    def __repr__(self):
        args = ", ".join("%s=%r" % kv for kv in self.params.items())
        return "%s(%s)" % (self.kind, args)


def _nonneg(name, n):
    if not isinstance(n, int) or n < 0:
        raise ValueError("%s must be an int >= 0, not %r" % (name, n))
    return n


def reset_after(n_bytes, grace=0.1):
    """Headers + first n_bytes of the body, then abort the connection with a TCP RST."""
    return Action("reset_after", n_bytes=_nonneg("n_bytes", n_bytes), grace=float(grace))


def stall_after(n_bytes, seconds):
    """Headers + first n_bytes of the body, then silence for `seconds`, then close (FIN)."""
    return Action("stall_after", n_bytes=_nonneg("n_bytes", n_bytes), seconds=float(seconds))


def status(code, retry_after=None, body=None, headers=None, content_type="application/json"):
    """Answer `code` without contacting the upstream (Retry-After when given)."""
    if body is None:
        ecode = _ERROR_CODES.get(code, "UNKNOWN")
        message = {429: "too many requests", 503: "service unavailable"}.get(
            code, "injected error %d" % code)
        body = json.dumps({"errors": [{"code": ecode, "message": message, "detail": None}]})
    if isinstance(body, str):
        body = body.encode()
    return Action("status", code=int(code), retry_after=retry_after, body=body,
                  headers=dict(headers or {}), content_type=content_type)


def truncate(n_bytes):
    """Declare the real Content-Length, send only n_bytes, then close cleanly (FIN)."""
    return Action("truncate", n_bytes=_nonneg("n_bytes", n_bytes))


def wrong_length(delta):
    """Declare Content-Length + delta (real body sent; a negative delta stops at the declared)."""
    if not isinstance(delta, int) or delta == 0:
        raise ValueError("delta must be a non-zero int")
    return Action("wrong_length", delta=delta)


def flip_byte(offset):
    """Send the body with the byte at `offset` XOR 0xFF."""
    return Action("flip_byte", offset=_nonneg("offset", offset))


def redirect_loop(status=307):
    """Answer `status` with Location pointing back at the same URL (default: forever)."""
    return Action("redirect_loop", default_times=None, status=int(status))


def oversized(extra_bytes):
    """Declare the real Content-Length, send the body plus extra_bytes more, then close."""
    return Action("oversized", extra_bytes=_nonneg("extra_bytes", extra_bytes))


def hang(seconds):
    """Read the request, send nothing for `seconds`, then close (FIN)."""
    return Action("hang", seconds=float(seconds))


def drop():
    """Read the request, then abort with a TCP RST without answering."""
    return Action("drop")


# --------------------------------------------------------------------------- rules and log

class Request:
    """What a match predicate sees."""

    def __init__(self, method, path, headers):
        self.method = method
        self.path = path
        self.headers = headers
        self.range = headers.get("range")

    def __repr__(self):
        return "Request(%s %s)" % (self.method, self.path)


class Rule:
    def __init__(self, match, action, times, method, upstream_status=None):
        self.match = match
        self.action = action
        self.times = times
        if isinstance(method, str):
            method = {method.upper()}
        elif method is not None:
            method = {m.upper() for m in method}
        self.method = method
        if isinstance(upstream_status, int):
            upstream_status = {upstream_status}
        elif upstream_status is not None:
            upstream_status = set(upstream_status)
        self.upstream_status = upstream_status
        self.hits = 0

    @property
    def spent(self):
        return self.times is not None and self.hits >= self.times

    def matches(self, req):
        if self.method is not None and req.method not in self.method:
            return False
        m = self.match
        if m is None:
            return True
        if isinstance(m, str):
            return m in req.path
        if isinstance(m, re.Pattern):
            return m.search(req.path) is not None
        return bool(m(req))

    def __repr__(self):
        return "Rule(%r, %r, times=%r, hits=%d)" % (self.match, self.action, self.times,
                                                    self.hits)


class Entry:
    def __init__(self, req, rule):
        self.time = time.time()
        self.request = req
        self.method = req.method
        self.path = req.path
        self.headers = req.headers
        self.range = req.range
        self.rule = rule
        self.action = rule.action.kind if rule else None
        self.status = None
        self.upstream_status = None
        self.declared_length = None
        self.bytes_sent = 0
        self.outcome = None
        self.error = None
        self.done = False

    def __repr__(self):
        return ("Entry(%s %s range=%r status=%r sent=%d action=%s outcome=%s)"
                % (self.method, self.path, self.range, self.status, self.bytes_sent,
                   self.action, self.outcome))


class _Abort(Exception):
    """The handler already dealt with the connection (reset, stall, close)."""


# ---------------------------------------------------------------------------------- server

class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    block_on_close = False

    def handle_error(self, request, client_address):
        if isinstance(sys.exc_info()[1], OSError):
            return  # a client that resets or times out is business as usual here
        super().handle_error(request, client_address)


class FaultProxy:
    reset_after = staticmethod(reset_after)
    stall_after = staticmethod(stall_after)
    status = staticmethod(status)
    truncate = staticmethod(truncate)
    wrong_length = staticmethod(wrong_length)
    flip_byte = staticmethod(flip_byte)
    redirect_loop = staticmethod(redirect_loop)
    oversized = staticmethod(oversized)
    hang = staticmethod(hang)
    drop = staticmethod(drop)

    def __init__(self, upstream_url, timeout=30.0):
        u = urllib.parse.urlsplit(upstream_url)
        if u.scheme != "http" or not u.hostname:
            raise ValueError("FaultProxy needs an http:// upstream, not %r" % upstream_url)
        self.upstream_url = "http://%s" % u.netloc
        self._up_host = u.hostname
        self._up_port = u.port or 80
        self._up_netloc = u.netloc
        self.timeout = timeout
        self._lock = threading.Lock()
        self._cond = threading.Condition(self._lock)
        self._rules = []
        self._log = []
        self._conns = set()
        self._stop = threading.Event()
        self._closed = False
        self._server = _Server(("127.0.0.1", 0), self._handler_class())
        self.port = self._server.server_address[1]
        self.host = "127.0.0.1:%d" % self.port
        self.url = "http://" + self.host
        self._thread = threading.Thread(target=self._server.serve_forever,
                                        kwargs={"poll_interval": 0.1},
                                        name="fault-proxy-%d" % self.port, daemon=True)
        self._thread.start()

    # -- lifecycle
    def close(self):
        with self._lock:
            if self._closed:
                return
            self._closed = True
            conns = list(self._conns)
        self._stop.set()
        self._server.shutdown()
        self._server.server_close()
        for c in conns:
            try:
                c.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
        self._thread.join(timeout=5)

    stop = close

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    # -- rules
    def add_rule(self, match=None, action=None, times=_DEFAULT, method=None,
                 upstream_status=None):
        if action is None or not isinstance(action, Action):
            raise ValueError("add_rule needs an action (reset_after(...), status(...), ...)")
        if upstream_status is not None and action.kind in _NO_UPSTREAM:
            raise ValueError("%s does not contact the upstream: no upstream_status filter"
                             % action.kind)
        if times is _DEFAULT:
            times = action.default_times
        if times is not None and (not isinstance(times, int) or times < 1):
            raise ValueError("times must be an int >= 1 or None")
        rule = Rule(match, action, times, method, upstream_status)
        with self._lock:
            self._rules.append(rule)
        return rule

    def remove_rule(self, rule):
        with self._lock:
            self._rules = [r for r in self._rules if r is not rule]

    def clear_rules(self):
        with self._lock:
            self._rules = []

    @property
    def rules(self):
        with self._lock:
            return list(self._rules)

    def _pick(self, req, upstream_status=None):
        """Before forwarding (upstream_status None): the first live unconditional rule.
        After the upstream answered: the first live rule filtered on that status."""
        with self._lock:
            for rule in self._rules:
                if rule.spent or not rule.matches(req):
                    continue
                if (rule.upstream_status is None if upstream_status is None
                        else upstream_status in (rule.upstream_status or ())):
                    rule.hits += 1
                    return rule
        return None

    # -- log
    def _new_entry(self, req, rule):
        e = Entry(req, rule)
        with self._lock:
            self._log.append(e)
        return e

    def _finish(self, entry, outcome=None):
        with self._cond:
            if outcome is not None and entry.outcome is None:
                entry.outcome = outcome
            entry.done = True
            self._cond.notify_all()

    def _select(self, path_substring, method, since):
        return [e for e in self._log[since:]
                if (path_substring is None or path_substring in e.path)
                and (method is None or e.method == method.upper())]

    def requests(self, path_substring=None, method=None, since=0, settle=2.0):
        deadline = time.monotonic() + settle
        with self._cond:
            while True:
                sel = self._select(path_substring, method, since)
                left = deadline - time.monotonic()
                if all(e.done for e in sel) or left <= 0:
                    return sel
                self._cond.wait(left)

    def bytes_sent(self, path_substring=None, method=None, since=0):
        return sum(e.bytes_sent for e in self.requests(path_substring, method, since))

    def log_mark(self):
        with self._lock:
            return len(self._log)

    def clear_log(self):
        with self._lock:
            self._log = []

    # -- handler
    def _handler_class(self):
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            timeout = proxy.timeout  # idle keep-alive connections end
            server_version = "hocker-fault-proxy"

            def log_message(self, *args):
                pass

            server_proxy = proxy

            def setup(self):
                super().setup()
                with proxy._lock:
                    proxy._conns.add(self.connection)

            def finish(self):
                with proxy._lock:
                    proxy._conns.discard(self.connection)
                try:
                    super().finish()
                except OSError:
                    pass

            def _handle(self):
                _handle_request(proxy, self)

            do_GET = do_HEAD = do_POST = do_PUT = do_PATCH = do_DELETE = do_OPTIONS = _handle

        return Handler


# ------------------------------------------------------------------------------- mechanics

def _rst(h, grace=0.0):
    """Abort the client connection with a TCP RST (after `grace`, see reset_after)."""
    h.close_connection = True
    sock = h.connection
    if grace > 0:
        stop = h.server_proxy._stop
        deadline = time.monotonic() + 2.0
        while time.monotonic() < deadline and not stop.is_set() and _unacked(sock) > 0:
            time.sleep(0.005)
        stop.wait(grace)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    except OSError:
        pass
    with h.server_proxy._lock:
        h.server_proxy._conns.discard(sock)
    # detach(): the socket object (and rfile/wfile over it) now holds fd -1, so nothing the
    # server does afterwards (shutdown(SHUT_WR) would send a FIN) reaches the real socket.
    fd = sock.detach()
    if fd >= 0:
        os.close(fd)  # SO_LINGER 0: the kernel sends RST


def _unacked(sock):
    """Bytes sent but not yet acknowledged by the peer (Linux SIOCOUTQ); 0 if unknown."""
    try:
        buf = fcntl.ioctl(sock.fileno(), termios.TIOCOUTQ, b"\0\0\0\0")
        return struct.unpack("i", buf)[0]
    except (OSError, AttributeError):
        return 0


def _fin(h):
    """Close the client connection cleanly once this request is done (FIN)."""
    h.close_connection = True


def _send(h, entry, data):
    h.wfile.write(data)
    entry.bytes_sent += len(data)


def _send_head(h, entry, code, reason, headers, length, chunked=False):
    h.send_response_only(code, reason)
    for k, v in headers:
        h.send_header(k, v)
    if length is not None:
        h.send_header("Content-Length", str(length))
        entry.declared_length = length
    elif chunked:
        h.send_header("Transfer-Encoding", "chunked")
    if h.close_connection:
        h.send_header("Connection", "close")
    h.end_headers()
    entry.status = code


def _read_request_body(h):
    if h.headers.get("Transfer-Encoding"):
        h.close_connection = True  # not supported; do not try to parse what follows
        return None
    n = int(h.headers.get("Content-Length") or 0)
    return h.rfile.read(n) if n else None


def _handle_request(proxy, h):
    headers = {k.lower(): v for k, v in h.headers.items()}
    req = Request(h.command, h.path, headers)
    rule = proxy._pick(req)
    entry = proxy._new_entry(req, rule)
    action = rule.action if rule else None
    kind = action.kind if action else None
    if h.request_version != "HTTP/1.1":
        h.close_connection = True
    try:
        body = _read_request_body(h)
        if kind == "drop":
            entry.outcome = "reset"
            proxy._finish(entry)
            _rst(h)
            return
        if kind == "hang":
            entry.outcome = "hung"
            proxy._finish(entry)
            proxy._stop.wait(action.seconds)
            _fin(h)
            return
        if kind == "status":
            _answer_status(h, entry, action)
            proxy._finish(entry, "ok")
            return
        if kind == "redirect_loop":
            loc = proxy.url + h.path
            _send_head(h, entry, action.status, None,
                       [("Location", loc), ("Content-Type", "text/plain")], 0)
            proxy._finish(entry, "ok")
            return
        _forward(proxy, h, entry, action, body)
        proxy._finish(entry, "ok")
    except _Abort:
        proxy._finish(entry)
    except OSError as e:  # the client went away (or timed out) while we wrote to it
        h.close_connection = True
        entry.error = repr(e)
        proxy._finish(entry, "client-gone")
    finally:
        if not entry.done:
            proxy._finish(entry, "error")


def _answer_status(h, entry, action):
    hdrs = [("Content-Type", action.content_type)]
    if action.retry_after is not None:
        hdrs.append(("Retry-After", str(action.retry_after)))
    hdrs.extend(action.headers.items())
    _send_head(h, entry, action.code, None, hdrs, len(action.body))
    if h.command != "HEAD":
        _send(h, entry, action.body)


def _upstream_error(h, entry, err):
    h.close_connection = True
    body = json.dumps({"errors": [{"code": "UNAVAILABLE", "message": "fault proxy: upstream "
                                   "unreachable: %s" % err, "detail": None}]}).encode()
    _send_head(h, entry, 502, None, [("Content-Type", "application/json")], len(body))
    if h.command != "HEAD":
        _send(h, entry, body)
    entry.outcome = "upstream-error"


def _forward(proxy, h, entry, action, body):
    conn = http.client.HTTPConnection(proxy._up_host, proxy._up_port, timeout=proxy.timeout)
    try:
        try:
            conn.putrequest(h.command, h.path, skip_host=True, skip_accept_encoding=True)
            conn.putheader("Host", proxy._up_netloc)
            for k, v in h.headers.items():
                lk = k.lower()
                if lk in _HOP or lk == "host" or (lk == "content-length" and body is None):
                    continue
                conn.putheader(k, v)
            if body is not None and "content-length" not in (k.lower() for k in h.headers):
                conn.putheader("Content-Length", str(len(body)))
            conn.endheaders(body)
            resp = conn.getresponse()
        except (OSError, http.client.HTTPException) as e:
            _upstream_error(h, entry, e)
            return
        entry.upstream_status = resp.status
        if action is None:
            rule = proxy._pick(entry.request, resp.status)
            if rule is not None:
                entry.rule, entry.action, action = rule, rule.action.kind, rule.action
        _relay(proxy, h, entry, action, resp)
    finally:
        conn.close()


def _relay(proxy, h, entry, action, resp):
    kind = action.kind if action else None
    hdrs = []
    up_length = None
    for k, v in resp.getheaders():
        lk = k.lower()
        if lk in _HOP:
            continue
        if lk == "content-length":
            try:
                up_length = int(v)
            except ValueError:
                pass
            continue
        if lk == "location" and v.startswith(proxy.upstream_url):
            v = proxy.url + v[len(proxy.upstream_url):]
        hdrs.append((k, v))

    no_body = (h.command == "HEAD" or resp.status in (204, 304) or 100 <= resp.status < 200)
    if no_body:
        length = up_length if h.command == "HEAD" else None
        if kind == "wrong_length" and length is not None:
            length = max(0, length + action.delta)
        _send_head(h, entry, resp.status, resp.reason, hdrs, length)
        if kind == "reset_after":
            entry.outcome = "reset"
            _rst(h, action.grace)
            raise _Abort()
        if kind == "stall_after":
            _stall(proxy, h, entry, action.seconds)
        if kind in ("truncate", "oversized") or (kind == "wrong_length" and action.delta > 0):
            _fin(h)
        return

    # The body: a known length streams; unknown length streams chunked unless the action
    # needs the real length, in which case the (then necessarily small) body is buffered.
    buffered = None
    real_length = resp.length  # None when chunked or close-delimited
    if real_length is None and up_length is not None and not resp.chunked:
        real_length = up_length
    if real_length is None and action is not None:
        buffered = resp.read()
        real_length = len(buffered)

    declared = real_length
    limit = real_length  # body bytes taken from upstream and sent
    extra = 0
    flip = None
    end = "keep"
    if kind == "reset_after":
        limit, end = min(action.n_bytes, real_length), "rst"
    elif kind == "stall_after":
        limit, end = min(action.n_bytes, real_length), "stall"
    elif kind == "truncate":
        limit, end = min(action.n_bytes, real_length), "fin"
    elif kind == "wrong_length":
        declared = max(0, real_length + action.delta)
        if action.delta < 0:
            limit = declared
        else:
            end = "fin"
    elif kind == "flip_byte":
        flip = action.offset
    elif kind == "oversized":
        extra, end = action.extra_bytes, "fin"

    chunked = declared is None and not h.close_connection
    if declared is None and not chunked:
        h.close_connection = True  # HTTP/1.0: close-delimited
    _send_head(h, entry, resp.status, resp.reason, hdrs, declared, chunked=chunked)

    pos = 0
    src = _chunks(resp, buffered)
    while limit is None or pos < limit:
        want = CHUNK if limit is None else min(CHUNK, limit - pos)
        try:
            data = src(want)
        except (OSError, http.client.HTTPException):
            data = b""
            h.close_connection = True  # upstream broke: the client sees a short body
        if not data:
            if limit is not None and pos < limit:
                h.close_connection = True
            break
        if flip is not None and pos <= flip < pos + len(data):
            b = bytearray(data)
            b[flip - pos] ^= 0xFF
            data = bytes(b)
        pos += len(data)
        if chunked:
            h.wfile.write(b"%x\r\n" % len(data))
            _send(h, entry, data)
            h.wfile.write(b"\r\n")
        else:
            _send(h, entry, data)
    if chunked and not h.close_connection:
        h.wfile.write(b"0\r\n\r\n")
    while extra > 0:
        n = min(CHUNK, extra)
        _send(h, entry, b"X" * n)
        extra -= n

    if end == "rst":
        entry.outcome = "reset"
        _rst(h, action.grace)
        raise _Abort()
    if end == "stall":
        _stall(proxy, h, entry, action.seconds)
    if end == "fin":
        entry.outcome = "closed"
        _fin(h)


def _stall(proxy, h, entry, seconds):
    entry.outcome = "stalled"
    proxy._finish(entry)
    proxy._stop.wait(seconds)
    _fin(h)
    raise _Abort()


def _chunks(resp, buffered):
    if buffered is None:
        return resp.read
    view = memoryview(buffered)
    state = {"pos": 0}

    def read(n):
        p = state["pos"]
        state["pos"] = p + n
        return bytes(view[p:p + n])
    return read
