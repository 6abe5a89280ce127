"""The wire side of fault_proxy.py: one request from the client, forwarded and answered,
with the rule's fault applied on the way (stdlib only).

`_handle_request(proxy, h, req)` is the whole of it: `proxy` is the FaultProxy (its rules,
log, upstream address and stop event are used through it, never imported), `h` the
BaseHTTPRequestHandler of the client connection, `req` the Request the rules match.  The
answer is streamed in CHUNK bytes; see fault_proxy.py for the behaviour and fault_actions.py
for the faults.
"""
import fcntl
import http.client
import json
import os
import socket
import struct
import termios
import time

CHUNK = 64 * 1024

# Hop-by-hop headers (and the framing headers the proxy sets itself).
_HOP = {"connection", "keep-alive", "proxy-connection", "proxy-authenticate",
        "proxy-authorization", "te", "trailer", "trailers", "transfer-encoding", "upgrade"}


class _Abort(Exception):
    """The handler already dealt with the connection (reset, stall, close)."""


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
    rate = getattr(h.server, "rate", None)
    if not rate:
        h.wfile.write(data)
        entry.bytes_sent += len(data)
        return
    # Per-connection cap: this answer's body bytes may not run ahead of rate x elapsed time.
    for i in range(0, len(data), 16 * 1024):
        piece = data[i:i + 16 * 1024]
        h.wfile.write(piece)
        entry.bytes_sent += len(piece)
        h.rate_sent = getattr(h, "rate_sent", 0) + len(piece)
        wait = h.rate_start + h.rate_sent / rate - time.monotonic()
        if wait > 0:
            time.sleep(wait)


def _send_head(h, entry, code, reason, headers, length, chunked=False):
    h.rate_start, h.rate_sent = time.monotonic(), 0
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


def _handle_request(proxy, h, req):
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
                if lk == "range" and action is not None and action.kind == "ignore_range":
                    continue  # Like a server without Range support: the whole body, 200.
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
