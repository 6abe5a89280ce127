"""The blob cache (--cache DIR / HOCKER_CACHE) and request economy (docs/spec.md §5): a warm pull asks
the registry for manifests only, images share base layers, an interrupted download resumes
from the cached partial file, two processes share one cache; and the hello image costs no
more requests than ping + manifest + config + layer. Counted from the registry's access log."""
import os
import random
import signal
import subprocess
import time

import pytest

from harness.cli import assert_one_error_line, leftovers
from harness.fault_proxy import FaultProxy, stall_after

BLOB_PATH = "/blobs/sha256:"


def layer_files(seed, size):
    """A layer holding `size` incompressible bytes, the same for the same seed."""
    return {"data/blob-%d.bin" % seed: random.Random(seed).randbytes(size)}


@pytest.fixture(scope="module")
def shared_images(image_builder):
    """Two images sharing their two base layers; each has one layer of its own."""
    base = [layer_files(1, 300_000), layer_files(2, 200_000)]
    app = image_builder.build_image("cache-app", base + [layer_files(3, 100_000)])
    tool = image_builder.build_image("cache-tool", base + [layer_files(4, 150_000)])
    return app, tool


@pytest.fixture(scope="module")
def big_image(image_builder):
    return image_builder.build_image("cache-big", [layer_files(5, 64 * 1024),
                                                   layer_files(6, 4 * 1024 * 1024)])


def pull(run, hocker, host, ref, out, cache, *extra, env=None):
    argv = [hocker, "image", host + "/" + ref, "-o", str(out), "-q", "--cache", str(cache)]
    rc, stdout, stderr = run(argv + list(extra), env=env)
    assert rc == 0, stderr
    return out.read_bytes()


def blob_gets(reg, since):
    return [e["path"].rsplit(":", 1)[1] for e in reg.access_entries(since)
            if e["method"] == "GET" and BLOB_PATH in e["path"]]


def hexes(image):
    return {image.config_digest[7:]} | {layer.digest[7:] for layer in image.layers}


def test_warm_cache_pull_requests_no_blobs_and_writes_the_same_archive(
        hocker, run, make_registry, shared_images, tmp_path):
    app, _ = shared_images
    reg = make_registry("plain", push={"cache/app:v1": app})
    cache = tmp_path / "cache"
    cold = pull(run, hocker, reg.host, "cache/app:v1", tmp_path / "cold.tar", cache)
    assert sorted(os.listdir(cache / "blobs" / "sha256")) == sorted(hexes(app))
    mark = reg.log_mark()
    warm = pull(run, hocker, reg.host, "cache/app:v1", tmp_path / "warm.tar", cache)
    assert blob_gets(reg, mark) == []
    assert warm == cold


def test_image_sharing_base_layers_downloads_only_its_own_blobs(
        hocker, run, make_registry, shared_images, tmp_path):
    app, tool = shared_images
    reg = make_registry("plain", push={"cache/app:v1": app, "cache/tool:v1": tool})
    cache = tmp_path / "cache"
    pull(run, hocker, reg.host, "cache/app:v1", tmp_path / "app.tar", cache)
    mark = reg.log_mark()
    pull(run, hocker, reg.host, "cache/tool:v1", tmp_path / "tool.tar", cache)
    assert sorted(blob_gets(reg, mark)) == sorted(hexes(tool) - hexes(app))


def test_cache_from_environment_is_shared_by_layer_config_and_image(
        hocker, run, make_registry, shared_images, tmp_path):
    app, _ = shared_images
    reg = make_registry("plain", push={"cache/app:v1": app})
    env = {"HOCKER_CACHE": str(tmp_path / "cache")}
    ref = reg.host + "/cache/app:v1"
    for layer in app.layers:
        rc, _, stderr = run([hocker, "layer", ref, "-l", layer.digest[7:], "-o",
                             str(tmp_path / layer.digest[7:])], env=env)
        assert rc == 0, stderr
    rc, config, stderr = run([hocker, "config", ref], env=env)
    assert rc == 0, stderr
    assert config == app.config_bytes
    mark = reg.log_mark()
    rc, _, stderr = run([hocker, "image", ref, "-q", "-o", str(tmp_path / "app.tar")], env=env)
    assert rc == 0, stderr
    rc, _, stderr = run([hocker, "layer", ref, "-l", app.layers[0].digest[7:], "-o",
                         str(tmp_path / "again")], env=env)
    assert rc == 0, stderr
    assert blob_gets(reg, mark) == []
    assert (tmp_path / "again").read_bytes() == open(app.layers[0].path, "rb").read()


def wait_for(condition, timeout=30.0, what="condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.05)
    raise AssertionError("timed out waiting for " + what)


def test_interrupted_download_resumes_from_the_cached_partial_file(
        hocker, run, make_registry, big_image, tmp_path):
    reg = make_registry("plain", push={"cache/big:v1": big_image})
    big = big_image.layers[1]
    kept = 1_500_000
    cache, out = tmp_path / "cache", tmp_path / "big.tar"
    partial = cache / "partial" / "sha256" / big.digest[7:]
    with FaultProxy(reg.url) as proxy:
        proxy.add_rule(big.digest, stall_after(kept, 60), method="GET")
        child = subprocess.Popen([hocker, "image", proxy.host + "/cache/big:v1", "-q", "-o",
                                  str(out), "--cache", str(cache)],
                                 stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        try:
            wait_for(lambda: partial.exists() and partial.stat().st_size == kept,
                     what="the partial file to hold the bytes sent before the stall")
            child.send_signal(signal.SIGTERM)
            child.wait(timeout=30)
        finally:
            child.kill()
            child.wait()
        assert child.returncode != 0
        assert not out.exists() and leftovers(tmp_path) == []
        assert partial.stat().st_size == kept

        proxy.clear_rules()
        mark = proxy.log_mark()
        resumed = pull(run, hocker, proxy.host, "cache/big:v1", out, cache)
        retry = proxy.requests(big.digest, method="GET", since=mark)
        assert [entry.range for entry in retry] == ["bytes=%d-" % kept]
        assert retry[0].bytes_sent == big.size - kept
        clean = pull(run, hocker, proxy.host, "cache/big:v1", tmp_path / "clean.tar",
                     tmp_path / "fresh-cache")
    assert not partial.exists()
    assert resumed == clean


def test_two_processes_sharing_a_cache_download_each_blob_once(
        hocker, make_registry, big_image, tmp_path):
    reg = make_registry("plain", push={"cache/big:v1": big_image})
    cache = tmp_path / "cache"
    mark = reg.log_mark()
    children = [subprocess.Popen([hocker, "image", reg.host + "/cache/big:v1", "-q", "-o",
                                  str(tmp_path / ("out%d.tar" % i)), "--cache", str(cache)],
                                 stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
                for i in range(2)]
    for child in children:
        _, stderr = child.communicate(timeout=120)
        assert child.returncode == 0, stderr.decode()
    assert (tmp_path / "out0.tar").read_bytes() == (tmp_path / "out1.tar").read_bytes()
    assert sorted(blob_gets(reg, mark)) == sorted(hexes(big_image))
    assert os.listdir(cache / "partial" / "sha256") == []


def test_rotten_cache_entry_is_refused_removed_and_fetched_anew_next_time(
        hocker, run, make_registry, shared_images, tmp_path):
    app, _ = shared_images
    reg = make_registry("plain", push={"cache/app:v1": app})
    cache = tmp_path / "cache"
    first = pull(run, hocker, reg.host, "cache/app:v1", tmp_path / "first.tar", cache)
    rotten = app.layers[2].digest[7:]
    entry = cache / "blobs" / "sha256" / rotten
    data = bytearray(entry.read_bytes())
    data[100] ^= 0xFF
    entry.write_bytes(bytes(data))
    out = tmp_path / "second.tar"
    argv = [hocker, "image", reg.host + "/cache/app:v1", "-q", "-o", str(out), "--cache",
            str(cache)]
    rc, _, stderr = run(argv)
    assert rc == 6, stderr
    assert_one_error_line(stderr, "hocker-image", "cached blob " + str(entry), "is corrupt")
    assert not out.exists() and leftovers(tmp_path) == [] and not entry.exists()
    mark = reg.log_mark()
    assert pull(run, hocker, reg.host, "cache/app:v1", out, cache) == first
    assert blob_gets(reg, mark) == [rotten]


@pytest.mark.parametrize("mode", ["plain", "token"])
def test_hello_image_costs_ping_manifest_config_and_layer_requests(
        hocker, run, make_registry, images, hocker_env, tmp_path, mode):
    hello = images["hello"]
    reg = make_registry(mode, push={"public/hello:latest": hello})
    mark = reg.log_mark()
    tokens_before = len(reg.token_requests())
    rc, _, stderr = run([hocker, "image", reg.host + "/public/hello:latest", "-q", "-o",
                         str(tmp_path / "hello.tar")], env=hocker_env)
    assert rc == 0, stderr
    requests = [(e["method"], e["path"], e["status"]) for e in reg.access_entries(mark)]
    # In token mode, one uncredentialed ping opens a second connection while the token is
    # fetched (its 401 ignored); nothing else of ping + manifest + config + layers is a ping.
    warm = ("GET", "/v2/", 401)
    assert requests.count(warm) == (1 if mode == "token" else 0), requests
    requests = [r for r in requests if r != warm]
    # A loopback registry named without a scheme gets its first request over plain HTTP as the
    # probe; in token mode that request comes back 401 with the challenge (one token request)
    # and is sent again.
    manifest = ("GET", "/v2/public/hello/manifests/latest")
    challenged = [manifest + (401,)] if mode == "token" else []
    assert requests[:len(challenged) + 1] == challenged + [manifest + (200,)], requests
    assert len(requests) == len(challenged) + 2 + len(hello.layers), requests
    assert all(r[2] == 200 for r in requests[len(challenged):]), requests
    assert len(reg.token_requests()) - tokens_before == (1 if mode == "token" else 0)
