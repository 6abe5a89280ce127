"""Wrappers around real consumers of our outputs: skopeo, dockerd, podman, nix.

Functions raise ConsumerUnavailable when the tool cannot run on this machine; the
conftest fixtures turn that into pytest.skip with the reason.
"""
import json
import os
import shutil

from .util import (check, forget_exit, make_tempdir, on_exit, run, start_process,
                   stop_process, wait_until)


class ConsumerUnavailable(Exception):
    """The consumer cannot run here (missing binary, daemon will not start)."""


class ConsumerError(RuntimeError):
    """The consumer ran and refused the input; message carries its stderr."""


def _need(binary):
    path = shutil.which(binary) or (binary if os.path.exists(binary) else None)
    if not path:
        raise ConsumerUnavailable("%s is not installed" % binary)
    return path


def _checked(argv, what, timeout=300, **kw):
    rc, out, err = run(argv, timeout=timeout, **kw)
    if rc != 0:
        raise ConsumerError("%s failed (exit %d): %s" % (what, rc, err.strip()))
    return out


# -- skopeo -------------------------------------------------------------------------
def _transport(path, transport):
    if transport is None:
        transport = "docker-archive"
    return "%s:%s" % (transport, path)


def skopeo_inspect_archive(path, transport="docker-archive", raw=False):
    """`skopeo inspect docker-archive:PATH` as a dict (raw=True: the manifest)."""
    _need("skopeo")
    argv = ["skopeo", "--insecure-policy", "inspect"] + (["--raw"] if raw else [])
    return json.loads(_checked(argv + [_transport(path, transport)], "skopeo inspect"))


def skopeo_copy_archive_to_oci(path, dest, transport="docker-archive"):
    """`skopeo copy docker-archive:PATH oci:DEST` (verifies layers vs diff_ids).
    transport: docker-archive or oci-archive.  Raises ConsumerError with stderr."""
    _need("skopeo")
    return _checked(["skopeo", "--insecure-policy", "copy", "-q", _transport(path, transport),
                     "oci:" + dest], "skopeo copy %s" % transport).decode()


# -- private daemons -------------------------------------------------------------------
class _PrivateDaemon:
    """A daemon of our own in its own work folder: started in a new session (setsid, so stop()
    signals the group), stopped at exit if not before, ready once `cmd("version")` succeeds.
    Subclasses call _start() from __init__ and implement cmd()."""

    def _start(self, name, argv, timeout):
        self.log = os.path.join(self.workdir, name + ".log")
        self._proc = start_process(argv, self.log, self.log)
        on_exit(self.stop)
        try:
            def up():
                if self._proc.poll() is not None:
                    raise ConsumerUnavailable("%s exited: %s" % (name, self.log_tail()))
                return run(self.cmd("version"), timeout=10)[0] == 0
            wait_until(up, timeout=timeout, interval=0.2, what=name)
        except ConsumerUnavailable:
            self.stop()
            raise
        except Exception as e:
            self.stop()
            raise ConsumerUnavailable("%s did not start: %s\n%s" % (name, e, self.log_tail()))

    def cmd(self, *args):
        raise NotImplementedError

    def log_tail(self):
        try:
            with open(self.log, errors="replace") as f:
                return f.read()[-3000:]
        except OSError:
            return ""

    def _after_stop(self):
        """What to undo once the process is gone, before the work folder is removed."""

    def stop(self):
        forget_exit(self.stop)
        stop_process(self._proc, timeout=20)
        self._after_stop()
        shutil.rmtree(self.workdir, ignore_errors=True)


# -- docker ---------------------------------------------------------------------------
class DockerDaemon(_PrivateDaemon):
    """A private dockerd (vfs, no networking) on its own socket; call stop() when done."""

    def __init__(self, workdir=None, client="/usr/bin/docker", timeout=60):
        _need("dockerd")
        self.client = _need(client)
        self.workdir = workdir or make_tempdir("hocker-dockerd-")
        w = self.workdir
        self.socket = os.path.join(w, "docker.sock")
        self.host = "unix://" + self.socket
        conf = os.path.join(w, "daemon.json")
        with open(conf, "w") as f:
            f.write("{}")
        argv = ["dockerd", "--data-root", os.path.join(w, "data"),
                "--exec-root", os.path.join(w, "exec"), "--pidfile", os.path.join(w, "docker.pid"),
                "-H", self.host, "--config-file", conf, "--iptables=false", "--ip6tables=false",
                "--bridge=none", "--storage-driver=vfs"]
        self._start("dockerd", argv, timeout)

    def cmd(self, *args):
        return [self.client, "-H", self.host] + list(args)

    def docker(self, *args, timeout=300, input=None):
        """Run a docker client command; returns stdout text, raises ConsumerError."""
        return _checked(self.cmd(*args), "docker " + args[0], timeout=timeout,
                        input=input).decode("utf-8", "replace")

    def load(self, path):
        return self.docker("load", "-i", path)

    def load_stream(self, data):
        return self.docker("load", input=data)

    def run(self, image, *args):
        return self.docker("run", "--rm", "--network", "none", image, *args)

    def image_inspect(self, name):
        return json.loads(self.docker("image", "inspect", name))[0]

    def rmi(self, *names):
        return run(self.cmd("rmi", "-f", *names))

    def _after_stop(self):
        run(["umount", "-R", os.path.join(self.workdir, "exec")], timeout=20)


# -- podman -----------------------------------------------------------------------------
def podman_load(path, workdir=None):
    """`podman load -i PATH` into a throwaway vfs store; returns the output text."""
    _need("podman")
    w = workdir or make_tempdir("hocker-podman-")
    try:
        argv = ["podman", "--root", os.path.join(w, "root"), "--runroot", os.path.join(w, "run"),
                "--storage-driver", "vfs", "--cgroup-manager", "cgroupfs",
                "--events-backend", "file", "load", "-i", path]
        return _checked(argv, "podman load", env={"XDG_RUNTIME_DIR": os.path.join(w, "xdg")}
                        ).decode("utf-8", "replace")
    finally:
        if workdir is None:
            shutil.rmtree(w, ignore_errors=True)


# -- containerd --------------------------------------------------------------------------
class Containerd(_PrivateDaemon):
    """A private containerd (cri plugin disabled) on its own socket; call stop() when done."""

    def __init__(self, workdir=None, timeout=60):
        _need("containerd")
        self.ctr_path = _need("ctr")
        self.workdir = workdir or make_tempdir("hocker-containerd-")
        w = self.workdir
        self.socket = os.path.join(w, "containerd.sock")
        conf = os.path.join(w, "config.toml")
        with open(conf, "w") as f:
            f.write('version = 2\nroot = "%s"\nstate = "%s"\n'
                    'disabled_plugins = ["io.containerd.grpc.v1.cri"]\n'
                    '[grpc]\n  address = "%s"\n[ttrpc]\n  address = "%s"\n'
                    % (os.path.join(w, "root"), os.path.join(w, "state"), self.socket,
                       self.socket + ".ttrpc"))
        self._start("containerd", ["containerd", "--config", conf], timeout)

    def cmd(self, *args):
        return [self.ctr_path, "-a", self.socket] + list(args)

    def ctr(self, *args, timeout=300):
        return _checked(self.cmd(*args), "ctr " + " ".join(args[:2]),
                        timeout=timeout).decode("utf-8", "replace")

    def image_import(self, path, *flags):
        """`ctr images import [FLAGS] PATH`; returns its output."""
        return self.ctr("images", "import", *flags, path)

    def image_names(self):
        return self.ctr("images", "list", "--quiet").split()


# -- strict OCI consumers --------------------------------------------------------------------
def umoci_unpack(layout_dir, tag, bundle):
    """`umoci unpack --rootless --image DIR:TAG BUNDLE`; the root filesystem is BUNDLE/rootfs."""
    _need("umoci")
    return _checked(["umoci", "unpack", "--rootless", "--image", "%s:%s" % (layout_dir, tag),
                     bundle], "umoci unpack").decode("utf-8", "replace")


def oci_image_tool_validate(layout_dir, tag):
    """`oci-image-tool validate --type image --ref name=TAG DIR`; returns its output."""
    _need("oci-image-tool")
    return _checked(["oci-image-tool", "validate", "--type", "image", "--ref", "name=" + tag,
                     layout_dir], "oci-image-tool validate").decode("utf-8", "replace")


def skopeo(*args, timeout=300):
    """`skopeo --insecure-policy ARGS…`; returns stdout text."""
    _need("skopeo")
    return _checked(["skopeo", "--insecure-policy"] + list(args), "skopeo " + args[0],
                    timeout=timeout).decode("utf-8", "replace")


# -- nix -----------------------------------------------------------------------------------
def nix_instantiate_parse(path):
    """`nix-instantiate --parse FILE`: returns the normalised text, raises on syntax errors."""
    _need("nix-instantiate")
    return _checked(["nix-instantiate", "--parse", path], "nix-instantiate --parse").decode()


def nix_eval_json(expr):
    _need("nix-instantiate")
    return json.loads(_checked(["nix-instantiate", "--eval", "--strict", "--json", "-E", expr],
                               "nix-instantiate --eval"))


def nix_hash_base32(hex_digest):
    _need("nix-hash")
    hex_digest = hex_digest.split(":", 1)[-1]
    return _checked(["nix-hash", "--type", "sha256", "--to-base32", hex_digest],
                    "nix-hash").decode().strip()


def nix_hash_file_base32(path):
    _need("nix-hash")
    return _checked(["nix-hash", "--type", "sha256", "--flat", "--base32", path],
                    "nix-hash").decode().strip()


def skopeo_reference_archive(image_dir, dest, tag, transport="docker-archive"):
    """Make a reference archive from a dir: image with skopeo (what hocker should match)."""
    _need("skopeo")
    return _checked(["skopeo", "--insecure-policy", "copy", "-q", "dir:" + image_dir,
                     "%s:%s:%s" % (transport, dest, tag)], "skopeo copy to " + transport)


def read_archive_manifest(path):
    """The `manifest.json` of a docker-archive tar (skopeo inspect does not show RepoTags)."""
    import tarfile
    with tarfile.open(path) as tf:
        return json.loads(tf.extractfile("manifest.json").read())
