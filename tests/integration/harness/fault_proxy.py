"""A fault-injecting HTTP/1.1 reverse proxy for reliability tests (loopback only, stdlib only).

Put it between hocker and a plain-HTTP registry; each request is forwarded to the upstream
(method, path, query and headers, including Authorization and Range; Host is rewritten to the
upstream's) and the answer is relayed back streamed in 64 KiB chunks, never buffered whole.
Keep-alive works (Content-Length framing; bodies of unknown length are re-chunked).  Location
headers pointing at the upstream are rewritten to point at the proxy, so redirects stay in it.
Rules pick requests and break their answers in precise ways; every request is logged.
The faults are in fault_actions.py, the request handling in fault_wire.py; everything below is
importable from here.

API
---
FaultProxy(upstream_url, timeout=30.0, rate=None)
    Starts at once on a free 127.0.0.1 port.  `rate` (bytes per second) caps every answer's
    body on each connection, like a link whose per-connection throughput is limited (a CDN, a
    TCP window over a long path); None: as fast as the proxy can relay.  Attributes: `url` ("http://127.0.0.1:PORT"),
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

Actions
-------
Defined, with their exact behaviour, in fault_actions.py; also available as FaultProxy.<name>.
    reset_after(n_bytes, grace=0.1)  headers + n body bytes, then TCP RST
    stall_after(n_bytes, seconds)    headers + n body bytes, silence for `seconds`, then FIN
    status(code, retry_after=None, body=None, headers=None, content_type="application/json")
                                     answer `code` without contacting the upstream
    truncate(n_bytes)                declare the real Content-Length, send n bytes, then FIN
    wrong_length(delta)              declare Content-Length + delta
    flip_byte(offset)                send byte `offset` XOR 0xFF
    ignore_range()                   forward without the Range header (200, whole body)
    redirect_loop(status=307)        answer `status` with Location = the same URL (forever)
    oversized(extra_bytes)           send the body + extra_bytes more bytes, then FIN
    hang(seconds)                    answer nothing for `seconds`, then FIN
    drop()                           TCP RST without answering
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
import re
import socket
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler

from .fault_actions import (_NO_UPSTREAM, Action, drop, flip_byte, hang, ignore_range, oversized,
                            redirect_loop, reset_after, stall_after, status, truncate,
                            wrong_length)
from .fault_wire import _handle_request
from .server_thread import QuietServer

__all__ = ["FaultProxy", "Rule", "Entry", "Action", "reset_after", "stall_after", "status",
           "truncate", "wrong_length", "flip_byte", "redirect_loop", "oversized", "hang", "drop",
           "ignore_range"]

_DEFAULT = object()


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



# ---------------------------------------------------------------------------------- server

class FaultProxy:
    reset_after = staticmethod(reset_after)
    stall_after = staticmethod(stall_after)
    status = staticmethod(status)
    truncate = staticmethod(truncate)
    wrong_length = staticmethod(wrong_length)
    flip_byte = staticmethod(flip_byte)
    ignore_range = staticmethod(ignore_range)
    redirect_loop = staticmethod(redirect_loop)
    oversized = staticmethod(oversized)
    hang = staticmethod(hang)
    drop = staticmethod(drop)

    def __init__(self, upstream_url, timeout=30.0, rate=None):
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
        self._server = QuietServer(("127.0.0.1", 0), self._handler_class())
        self._server.rate = rate  # bytes per second per connection; None = uncapped
        self.rate = rate
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
                headers = {k.lower(): v for k, v in self.headers.items()}
                _handle_request(proxy, self, Request(self.command, self.path, headers))

            do_GET = do_HEAD = do_POST = do_PUT = do_PATCH = do_DELETE = do_OPTIONS = _handle

        return Handler
