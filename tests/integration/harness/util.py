"""Small shared helpers: temp dirs, ports, hashing, subprocess, cleanup."""
import atexit
import ctypes
import hashlib
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import threading
import time

REPO_ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", ".."))
INTEGRATION_DIR = os.path.join(REPO_ROOT, "tests", "integration")

_cleanups = []  # (callable) run at interpreter exit as a backstop


def on_exit(fn):
    """Register fn to run at interpreter exit (backstop for fixture finalizers)."""
    _cleanups.append(fn)
    return fn


def forget_exit(fn):
    try:
        _cleanups.remove(fn)
    except ValueError:
        pass


@atexit.register
def _run_cleanups():
    while _cleanups:
        fn = _cleanups.pop()
        try:
            fn()
        except Exception:
            pass


def make_tempdir(prefix="hocker-it-"):
    """A temp dir removed at interpreter exit unless removed earlier."""
    path = tempfile.mkdtemp(prefix=prefix)
    on_exit(lambda: shutil.rmtree(path, ignore_errors=True))
    return path


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def sha256_bytes(data):
    return "sha256:" + hashlib.sha256(data).hexdigest()


def sha256_file(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return "sha256:" + h.hexdigest()


def bare(digest):
    """'sha256:abc' -> 'abc'."""
    return digest.split(":", 1)[1] if ":" in digest else digest


def run(argv, env=None, input=None, timeout=120, cwd=None):
    """Run argv; return (returncode, stdout bytes, stderr text).

    env: dict merged over os.environ (a value of None removes the variable).
    input: bytes or str for stdin (stdin is /dev/null otherwise).
    """
    full_env = dict(os.environ)
    for k, v in (env or {}).items():
        if v is None:
            full_env.pop(k, None)
        else:
            full_env[k] = v
    if isinstance(input, str):
        input = input.encode()
    p = subprocess.run([str(a) for a in argv], input=input, env=full_env, cwd=cwd,
                       stdin=None if input is not None else subprocess.DEVNULL,
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=timeout)
    return p.returncode, p.stdout, p.stderr.decode("utf-8", "replace")


def check(argv, **kw):
    """run() that raises RuntimeError (with stderr) on a non-zero exit; returns stdout bytes."""
    rc, out, err = run(argv, **kw)
    if rc != 0:
        raise RuntimeError("command failed (%d): %s\n%s" % (rc, " ".join(map(str, argv)), err))
    return out


def wait_until(pred, timeout=20.0, interval=0.05, what="condition"):
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        try:
            if pred():
                return
        except Exception as e:  # noqa: BLE001 - keep polling
            last = e
        time.sleep(interval)
    raise TimeoutError("timed out waiting for %s%s" % (what, ": %r" % last if last else ""))


def _die_with_parent():
    """preexec: SIGTERM this child when the starting thread dies (even on SIGKILL of pytest)."""
    try:
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except Exception:  # noqa: BLE001 - best effort
        pass


def start_process(argv, stdout_path, stderr_path, env=None, new_session=True):
    """Start a background process in its own session; returns Popen.  Started from the
    main thread, it also gets SIGTERM if the test process dies without cleaning up."""
    out = open(stdout_path, "ab")
    err = open(stderr_path, "ab")
    main = threading.current_thread() is threading.main_thread()
    try:
        p = subprocess.Popen([str(a) for a in argv], stdin=subprocess.DEVNULL, stdout=out,
                             stderr=err, env=env, start_new_session=new_session,
                             preexec_fn=_die_with_parent if main else None)
    finally:
        out.close()
        err.close()
    return p


def stop_process(p, timeout=10.0):
    """SIGTERM the process group we started (by its id), then SIGKILL if needed."""
    if p is None or p.poll() is not None:
        return
    try:
        os.killpg(p.pid, signal.SIGTERM)
    except (ProcessLookupError, PermissionError):
        p.terminate()
    try:
        p.wait(timeout)
    except subprocess.TimeoutExpired:
        try:
            os.killpg(p.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        p.wait(5)
