"""The blob cache on a shared machine: a root run given a cache that another user prepared, or
one holding entries hocker did not make (symlinks to a victim file, hard links, FIFOs), never
writes the victim, never streams it, never hangs; it refuses the cache in one line (exit 7) or
ignores the foreign entries and pulls from the registry."""
import hashlib
import os
import pathlib
import shutil
import subprocess
import tempfile

import pytest

from harness.cli import assert_one_error_line
from harness.fault_proxy import FaultProxy, reset_after, status
from harness.images import FIXTURE_REFS

REF = FIXTURE_REFS["multilayer"]
NOBODY = 65534
VICTIM_TEXT = b"VICTIM: precious content that must stay put and private\n"

pytestmark = pytest.mark.skipif(os.geteuid() != 0, reason="needs root to act as another user")


def as_nobody(script):
    """Runs `script` with sh as uid/gid 65534 (no groups)."""
    subprocess.run(["setpriv", "--reuid=%d" % NOBODY, "--regid=%d" % NOBODY, "--clear-groups",
                    "sh", "-ec", script], check=True, timeout=30)


def run(argv):
    child = subprocess.run(argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, timeout=60)  # A hang fails the test.
    return child.returncode, child.stdout, child.stderr.decode()


@pytest.fixture
def shared():
    """A folder like /tmp (sticky, writable by all) and a victim file only root may write, in
    a place the other user can reach (pytest's own folders are closed to others)."""
    top = pathlib.Path(tempfile.mkdtemp(prefix="hocker-cache-safety-"))
    top.chmod(0o755)
    folder = top / "shared"
    folder.mkdir()
    folder.chmod(0o1777)
    victim = top / "victim"
    victim.write_bytes(VICTIM_TEXT)
    victim.chmod(0o644)
    yield folder, victim
    shutil.rmtree(top)


def layer_argv(hocker, registry, layer, cache):
    return [hocker, "layer", "-q", "--cache", str(cache), "-o", "-", "--layer", layer.digest[7:],
            registry.host + "/" + REF]


def image_argv(hocker, registry, cache, out):
    return [hocker, "image", "-q", "--cache", str(cache), "-o", str(out),
            registry.host + "/" + REF]


def plant(cache, image, victim):
    """Foreign entries for every blob of `image`: links to the victim, a hard link, FIFOs."""
    hexes = dict.fromkeys([image.config_digest[7:]] + [layer.digest[7:] for layer in image.layers])
    lines = ["mkdir -p %s/blobs/sha256 %s/partial/sha256" % (cache, cache)]
    for number, hex_ in enumerate(hexes):
        lines.append("ln -s %s %s/partial/sha256/%s" % (victim, cache, hex_) if number % 2 else
                     "mkfifo %s/partial/sha256/%s" % (cache, hex_))
        lines.append("ln -s %s %s/blobs/sha256/%s" % (victim, cache, hex_) if number % 2 else
                     "mkfifo %s/blobs/sha256/%s" % (cache, hex_))
    return "\n".join(lines)


@pytest.mark.parametrize("command", ["layer", "image"])
def test_a_cache_another_user_prepared_is_refused_and_the_victim_untouched(
        hocker, plain_registry, images, shared, command):
    folder, victim = shared
    cache = folder / "cache"
    image = images["multilayer"]
    as_nobody(plant(cache, image, victim))
    out = folder / "out.tar"
    argv = (layer_argv(hocker, plain_registry, image.layers[1], cache) if command == "layer"
            else image_argv(hocker, plain_registry, cache, out))
    rc, stdout, err = run(argv)
    assert rc == 7, err
    assert_one_error_line(err, "hocker-" + command, str(cache), "owned by uid 65534",
                          "refusing")
    assert stdout == b"" and not out.exists()
    assert victim.read_bytes() == VICTIM_TEXT


def test_a_cache_writable_by_others_is_refused(hocker, plain_registry, images, tmp_path):
    cache = tmp_path / "cache"
    cache.mkdir()
    cache.chmod(0o777)
    rc, stdout, err = run(layer_argv(hocker, plain_registry, images["multilayer"].layers[0],
                                     cache))
    assert rc == 7, err
    assert_one_error_line(err, "hocker-layer", "writable by group or others", "chmod go-w")
    assert stdout == b""


def own_cache_with_foreign_entries(tmp_path, image, victim):
    """A cache the user owns (0700) in which foreign entries were planted earlier."""
    cache = tmp_path / "own-cache"
    subprocess.run(["sh", "-ec", plant(cache, image, victim)], check=True)
    for folder in [cache, cache / "blobs", cache / "partial", cache / "blobs" / "sha256",
                   cache / "partial" / "sha256"]:
        folder.chmod(0o700)
    return cache


def test_layer_ignores_foreign_entries_and_streams_only_verified_registry_bytes(
        hocker, plain_registry, images, shared, tmp_path):
    _, victim = shared
    image = images["multilayer"]
    cache = own_cache_with_foreign_entries(tmp_path, image, victim)
    for layer in image.layers:
        rc, stdout, err = run(layer_argv(hocker, plain_registry, layer, cache))
        assert rc == 0, err
        assert "sha256:" + hashlib.sha256(stdout).hexdigest() == layer.digest
        assert VICTIM_TEXT not in stdout
        entry = cache / "blobs" / "sha256" / layer.digest[7:]
        assert entry.is_file() and not entry.is_symlink() and os.stat(entry).st_nlink == 1
    assert victim.read_bytes() == VICTIM_TEXT


def test_image_ignores_foreign_entries_without_hanging(hocker, plain_registry, images, shared,
                                                       tmp_path):
    _, victim = shared
    image = images["multilayer"]
    cache = own_cache_with_foreign_entries(tmp_path, image, victim)
    out = tmp_path / "image.tar"
    rc, stdout, err = run(image_argv(hocker, plain_registry, cache, out))
    assert rc == 0, err
    assert stdout.decode() == str(out) + "\n"
    assert VICTIM_TEXT not in out.read_bytes()
    assert victim.read_bytes() == VICTIM_TEXT
    # The second pull is served from the entries the first one wrote in place of the planted ones.
    again = tmp_path / "again.tar"
    rc, _, err = run(image_argv(hocker, plain_registry, cache, again))
    assert rc == 0, err
    assert again.read_bytes() == out.read_bytes()


def test_a_hard_link_to_the_victim_is_not_streamed_as_a_cached_blob(
        hocker, plain_registry, images, shared, tmp_path):
    _, victim = shared
    layer = images["multilayer"].layers[0]
    cache = tmp_path / "own-cache"
    (cache / "blobs" / "sha256").mkdir(parents=True)
    for folder in [cache, cache / "blobs", cache / "blobs" / "sha256"]:
        folder.chmod(0o700)
    os.link(victim, cache / "blobs" / "sha256" / layer.digest[7:])
    rc, stdout, err = run(layer_argv(hocker, plain_registry, layer, cache))
    assert rc == 0, err
    assert "sha256:" + hashlib.sha256(stdout).hexdigest() == layer.digest
    assert victim.read_bytes() == VICTIM_TEXT and os.stat(victim).st_nlink == 1


def test_an_unsized_partial_that_keeps_failing_starts_afresh_instead_of_growing(
        hocker, plain_registry, images, tmp_path):
    layer = max(images["multilayer"].layers, key=lambda each: each.size)
    step = layer.size // 10
    cache = tmp_path / "cache"
    partial = cache / "partial" / "sha256" / layer.digest[7:]
    with FaultProxy(plain_registry.url) as proxy:
        proxy.add_rule(layer.digest, reset_after(step), method="GET", times=None)
        # hocker layer knows only the digest, and a HEAD the CDN refuses leaves the size unknown.
        proxy.add_rule(layer.digest, status(405), method="HEAD", times=None)
        sizes, ranges = [], []
        for _ in range(6):
            mark = proxy.log_mark()
            rc, _, err = run([hocker, "layer", "-q", "--plain-http", "--retries", "1",
                              "--cache", str(cache), "-o", str(tmp_path / "layer"),
                              "--layer", layer.digest[7:], proxy.host + "/" + REF])
            assert rc == 3, err
            sizes.append(partial.stat().st_size)
            ranges.append([entry.range for entry in
                           proxy.requests(layer.digest, method="GET", since=mark)])
    # Four runs resume and grow it; the fifth resume is one too many: it starts from byte 0.
    assert sizes == [step, 2 * step, 3 * step, 4 * step, 5 * step, step]
    assert ranges[5] == [None] and ranges[4] == ["bytes=%d-" % (4 * step)]
