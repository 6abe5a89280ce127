"""Local I/O failures (docs/spec.md §4, exit 7): the output cannot be created or written. Each ends in
one line naming what could not be written and why, and leaves nothing behind. A full disk is
simulated with RLIMIT_FSIZE (with SIGXFSZ ignored, a write past the limit fails with EFBIG),
a full device with /dev/full."""
import os
import resource
import signal
import subprocess

import pytest

from harness.cli import assert_one_error_line, leftovers
from harness.fault_proxy import FaultProxy
from harness.images import FIXTURE_REFS

REF = FIXTURE_REFS["multilayer"]


def run_limited(argv, file_size_limit=None, stdout=subprocess.PIPE):
    """Runs argv, optionally unable to write more than `file_size_limit` bytes to any file."""
    def limit():
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # inherited across exec
        resource.setrlimit(resource.RLIMIT_FSIZE, (file_size_limit, file_size_limit))
    child = subprocess.run(argv, stdin=subprocess.DEVNULL, stdout=stdout, stderr=subprocess.PIPE,
                           preexec_fn=limit if file_size_limit else None, timeout=120)
    return child.returncode, child.stdout, child.stderr.decode()


def command_argv(hocker, registry, images, command, out):
    big = max(images["multilayer"].layers, key=lambda layer: layer.size)
    extra = {"layer": ["--layer", big.digest[7:]], "image": [], "manifest": [], "config": []}
    return [hocker, command, "-q", "-o", str(out)] + extra[command] + [registry.host + "/" + REF]


@pytest.mark.parametrize("command", ["manifest", "config", "layer", "image"])
def test_an_output_directory_that_does_not_exist_is_a_local_io_error(
        hocker, plain_registry, images, tmp_path, command):
    out = tmp_path / "missing" / "out"
    rc, stdout, err = run_limited(command_argv(hocker, plain_registry, images, command, out))
    assert rc == 7, err
    assert_one_error_line(err, "hocker-" + command, "cannot create a file beside " + str(out),
                          "No such file or directory")
    assert stdout == b"" and os.listdir(tmp_path) == []


@pytest.mark.parametrize("command", ["layer", "image"])
def test_the_big_downloads_check_the_output_directory_before_any_request(
        hocker, plain_registry, images, tmp_path, command):
    with FaultProxy(plain_registry.url) as proxy:
        argv = command_argv(hocker, proxy, images, command, tmp_path / "missing" / "out")
        rc, _, err = run_limited(argv[:2] + ["--plain-http"] + argv[2:])
        assert rc == 7, err
        assert proxy.requests(settle=0.2) == []


@pytest.mark.parametrize("command,form", [("layer", None), ("image", "docker"),
                                          ("image", "oci")])
def test_a_full_disk_mid_write_is_a_local_io_error_that_leaves_nothing(
        hocker, plain_registry, images, tmp_path, command, form):
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    out = out_dir / "result"
    argv = command_argv(hocker, plain_registry, images, command, out)
    if form:
        argv[2:2] = ["--format", form]
    rc, stdout, err = run_limited(argv, file_size_limit=100_000)
    assert rc == 7, err
    assert_one_error_line(err, "hocker-" + command, "File too large")
    assert str(out) in err or "spool" in err, err
    assert stdout == b"" and os.listdir(out_dir) == [] and leftovers(out_dir) == []


@pytest.mark.parametrize("command", ["manifest", "layer", "image"])
def test_a_full_standard_output_is_a_local_io_error(hocker, plain_registry, images, command):
    argv = command_argv(hocker, plain_registry, images, command, "-")
    with open("/dev/full", "wb") as full:
        rc, _, err = run_limited(argv, stdout=full)
    assert rc == 7, err
    assert_one_error_line(err, "hocker-" + command, "standard output", "No space left on device")


def test_an_output_path_that_is_a_directory_is_refused_and_left_alone(hocker, plain_registry,
                                                                      images, tmp_path):
    target = tmp_path / "a-directory"
    target.mkdir()
    (target / "keep").write_text("precious")
    rc, stdout, err = run_limited(command_argv(hocker, plain_registry, images, "image", target))
    assert rc == 7, err
    assert_one_error_line(err, "hocker-image", str(target))
    assert sorted(os.listdir(tmp_path)) == ["a-directory"]
    assert (target / "keep").read_text() == "precious"
