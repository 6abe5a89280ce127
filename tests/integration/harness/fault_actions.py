"""The faults fault_proxy.py injects: `Action` and the constructors that make one (stdlib only).

Import them from harness.fault_proxy (which re-exports them, and also offers them as
FaultProxy.<name>); fault_wire.py carries them out.

Actions
-------
Byte counts and offsets are relative to the body of *this* response (for a 206, the partial
body).  Body actions on a response without a body (HEAD, 204, 304) act right after the headers
(wrong_length changes the declared Content-Length of a HEAD answer); give `method="GET"` to
keep HEADs out.
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
"""
import json

__all__ = ["Action", "reset_after", "stall_after", "status", "truncate", "wrong_length",
           "flip_byte", "redirect_loop", "oversized", "hang", "drop"]

# Actions that answer without contacting the upstream (so no upstream_status filter).
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


def ignore_range():
    """Forward the request without its Range header: the whole body comes back, with 200."""
    return Action("ignore_range")


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
