"""What `-o PATH` does with a path that is not a regular file: a character device or FIFO
(directly or through a symlink, as /dev/stdout is) is written through and never renamed over;
a symlink to a regular file has that file replaced atomically and the link kept; a block device
or a symlink another user owns is refused in one line (exit 7). Device nodes are made with
mknod in a private folder, and /dev/stdout is tried in a private mount namespace with its own
/dev, so the host's /dev is never touched."""
import hashlib
import os
import pathlib
import shutil
import stat
import subprocess
import tempfile
import threading

import pytest

from harness.cli import assert_one_error_line
from harness.images import FIXTURE_REFS

REF = FIXTURE_REFS["multilayer"]

pytestmark = pytest.mark.skipif(os.geteuid() != 0, reason="needs root for mknod")


def argv_for(hocker, registry, images, command, out):
    layer = images["multilayer"].layers[0]
    extra = {"layer": ["--layer", layer.digest[7:]], "image": [], "manifest": []}[command]
    return [hocker, command, "-q", "-o", str(out)] + extra + [registry.host + "/" + REF]


def run(argv):
    child = subprocess.run(argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, timeout=120)
    return child.returncode, child.stdout, child.stderr.decode()


def reference_output(hocker, registry, images, command, tmp_path):
    """The bytes `command` writes to a regular file."""
    out = tmp_path / ("reference-" + command)
    rc, _, err = run(argv_for(hocker, registry, images, command, out))
    assert rc == 0, err
    return out.read_bytes()


@pytest.mark.parametrize("command", ["manifest", "layer", "image"])
def test_a_character_device_is_written_through_and_stays_a_device(
        hocker, plain_registry, images, tmp_path, command):
    null = tmp_path / "null"
    os.mknod(null, 0o666 | stat.S_IFCHR, os.makedev(1, 3))
    rc, stdout, err = run(argv_for(hocker, plain_registry, images, command, null))
    assert rc == 0, err
    assert stdout == b""  # No path to report: the data went to the device.
    assert stat.S_ISCHR(os.lstat(null).st_mode)
    assert sorted(os.listdir(tmp_path)) == ["null"]


@pytest.mark.parametrize("command", ["manifest", "layer", "image"])
def test_a_fifo_receives_the_same_bytes_as_a_file(hocker, plain_registry, images, tmp_path,
                                                  command):
    expected = reference_output(hocker, plain_registry, images, command, tmp_path)
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    # Held open for writing too, so that opening the reading end does not wait and reading
    # ends when this is closed after hocker is done, whatever hocker did with the path.
    keeper = os.open(fifo, os.O_RDWR)
    reading_end = os.fdopen(os.open(fifo, os.O_RDONLY), "rb")
    received = []
    reader = threading.Thread(target=lambda: received.append(reading_end.read()), daemon=True)
    reader.start()
    try:
        rc, stdout, err = run(argv_for(hocker, plain_registry, images, command, fifo))
    finally:
        os.close(keeper)
        reader.join(timeout=30)
        reading_end.close()
    assert rc == 0, err
    assert stdout == b""
    assert hashlib.sha256(received[0]).digest() == hashlib.sha256(expected).digest()
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)


def test_a_symlink_to_a_device_is_written_through_and_both_stay(hocker, plain_registry, images,
                                                                tmp_path):
    null = tmp_path / "null"
    os.mknod(null, 0o666 | stat.S_IFCHR, os.makedev(1, 3))
    link = tmp_path / "link"
    link.symlink_to(null)
    rc, stdout, err = run(argv_for(hocker, plain_registry, images, "layer", link))
    assert rc == 0, err
    assert stdout == b""
    assert link.is_symlink() and stat.S_ISCHR(os.lstat(null).st_mode)


def test_dev_stdout_receives_the_data_and_not_the_path(hocker, plain_registry, images, tmp_path):
    expected = reference_output(hocker, plain_registry, images, "manifest", tmp_path)
    argv = " ".join(argv_for(hocker, plain_registry, images, "manifest", "/dev/stdout"))
    script = ("mount -t tmpfs tmpfs /dev && ln -s /proc/self/fd/1 /dev/stdout && "
              "mknod -m 666 /dev/null c 1 3 && %s; rc=$?; "
              "test -L /dev/stdout || echo 'hocker replaced /dev/stdout' >&2; exit $rc" % argv)
    rc, stdout, err = run(["unshare", "-m", "--propagation", "private", "sh", "-c", script])
    assert rc == 0, err
    assert stdout == expected


def test_a_symlink_to_a_regular_file_replaces_that_file_and_keeps_the_link(
        hocker, plain_registry, images, tmp_path):
    expected = reference_output(hocker, plain_registry, images, "manifest", tmp_path)
    real = tmp_path / "versions" / "current.json"
    real.parent.mkdir()
    real.write_text("old")
    link = tmp_path / "current.json"
    link.symlink_to(real)
    rc, stdout, err = run(argv_for(hocker, plain_registry, images, "manifest", link))
    assert rc == 0, err
    assert stdout.decode() == str(link) + "\n"
    assert link.is_symlink() and real.read_bytes() == expected
    assert os.listdir(real.parent) == ["current.json"]


def test_a_block_device_is_refused_and_left_alone(hocker, plain_registry, images, tmp_path):
    block = tmp_path / "block"
    os.mknod(block, 0o600 | stat.S_IFBLK, os.makedev(7, 200))
    rc, stdout, err = run(argv_for(hocker, plain_registry, images, "layer", block))
    assert rc == 7, err
    assert_one_error_line(err, "hocker-layer", str(block), "block device")
    assert stdout == b"" and stat.S_ISBLK(os.lstat(block).st_mode)
    assert sorted(os.listdir(tmp_path)) == ["block"]


def test_a_symlink_planted_by_another_user_is_not_followed(hocker, plain_registry, images):
    top = pathlib.Path(tempfile.mkdtemp(prefix="hocker-output-targets-"))
    try:
        top.chmod(0o755)
        shared = top / "shared"  # Like /tmp: sticky and writable by all.
        shared.mkdir()
        shared.chmod(0o1777)
        victim = top / "victim"
        victim.write_text("precious")
        planted = shared / "out.json"
        subprocess.run(["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups",
                        "ln", "-s", str(victim), str(planted)], check=True)
        rc, stdout, err = run(argv_for(hocker, plain_registry, images, "manifest", planted))
        assert rc == 7, err
        assert_one_error_line(err, "hocker-manifest", str(planted), "owned by uid 65534")
        assert victim.read_text() == "precious" and planted.is_symlink()
    finally:
        shutil.rmtree(top)
