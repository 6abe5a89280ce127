"""A large blob over several connections (docs/spec.md §2.6): hocker fetches a layer larger
than one 8 MiB chunk with bounded Range requests on --blob-connections connections, through
harness/fault_proxy.py (with a per-connection rate cap, like a CDN): the archive is byte-identical
to a one-stream pull, a chunk cut off is retried alone within its range, a chunk of wrong bytes
fails the digest (exit 6, nothing written), and --blob-connections 1 asks for no range."""
import os
import random

import pytest

from harness.cli import assert_one_error_line, leftovers
from harness.fault_proxy import FaultProxy, flip_byte, reset_after

NAME, TAG = "team/ranged", "v1"
MIB = 1 << 20
CHUNK = 8 * MIB
RECORDED_TAG = "hocker/ranged:v1"


@pytest.fixture(scope="module")
def ranged_image(image_builder):
    # Incompressible, so the gzip blob spans three chunks (two full, one short).
    data = random.Random(7).randbytes(20 * MIB)
    return image_builder.build_image("ranged", [{"files": {"opt/big.bin": data}}])


@pytest.fixture(scope="module")
def registry(make_registry, ranged_image):
    return make_registry("plain", push={NAME + ":" + TAG: ranged_image})


@pytest.fixture
def proxy(registry):
    # 40 MB/s per connection: several connections are visibly faster, the test stays short.
    with FaultProxy(registry.url, timeout=10, rate=40_000_000) as p:
        yield p


@pytest.fixture(scope="module")
def one_stream_archive(hocker, run, registry, tmp_path_factory):
    out = tmp_path_factory.mktemp("one") / "one.tar"
    rc, _, err = run([hocker, "image", "--plain-http", "-q", "--blob-connections", "1", "--tag",
                      RECORDED_TAG, "-o", str(out), registry.host + "/" + NAME + ":" + TAG])
    assert rc == 0, err
    return out.read_bytes()


def pull(hocker, run, proxy, out, *extra):
    return run([hocker, "image", "--plain-http", "-q", "--tag", RECORDED_TAG, "-o", str(out)]
               + list(extra) + [proxy.host + "/" + NAME + ":" + TAG])


def layer_ranges(proxy, layer):
    return [e.range for e in proxy.requests(layer.digest, method="GET")]


def chunk_range(layer, index):
    end = min((index + 1) * CHUNK, layer.size) - 1
    return "bytes=%d-%d" % (index * CHUNK, end)


def test_a_large_layer_comes_in_range_chunks_and_matches_a_one_stream_pull(
        hocker, run, proxy, ranged_image, one_stream_archive, tmp_path):
    layer = ranged_image.layers[0]
    assert layer.size > 2 * CHUNK
    out = tmp_path / "out.tar"
    rc, _, err = pull(hocker, run, proxy, out, "--blob-connections", "4")
    assert rc == 0, err
    assert out.read_bytes() == one_stream_archive
    assert sorted(layer_ranges(proxy, layer)) == sorted(chunk_range(layer, i) for i in range(3))


def test_a_chunk_cut_off_is_retried_alone_within_its_range(
        hocker, run, proxy, ranged_image, one_stream_archive, tmp_path):
    layer = ranged_image.layers[0]
    second = chunk_range(layer, 1)
    proxy.add_rule(lambda r: r.range == second, reset_after(100_000), method="GET")
    out = tmp_path / "out.tar"
    rc, _, err = pull(hocker, run, proxy, out)
    assert rc == 0, err
    assert out.read_bytes() == one_stream_archive
    ranges = layer_ranges(proxy, layer)
    assert ranges.count(chunk_range(layer, 0)) == 1
    assert ranges.count(chunk_range(layer, 2)) == 1
    assert ranges.count(second) == 1
    resumed = [r for r in ranges if r not in (chunk_range(layer, i) for i in range(3))]
    assert len(resumed) == 1, ranges
    start, end = resumed[0][len("bytes="):].split("-")
    assert CHUNK < int(start) <= CHUNK + 100_000 and int(end) == 2 * CHUNK - 1


def test_a_chunk_of_wrong_bytes_fails_the_digest_and_writes_nothing(
        hocker, run, proxy, ranged_image, tmp_path):
    layer = ranged_image.layers[0]
    third = chunk_range(layer, 2)
    proxy.add_rule(lambda r: r.range == third, flip_byte(1234), method="GET", times=None)
    out = tmp_path / "out.tar"
    rc, _, err = pull(hocker, run, proxy, out)
    assert rc == 6, err
    assert_one_error_line(err, "hocker-image", layer.digest)
    assert not out.exists()
    assert leftovers(tmp_path) == []


def test_one_blob_connection_asks_for_no_range(hocker, run, proxy, ranged_image,
                                                one_stream_archive, tmp_path):
    layer = ranged_image.layers[0]
    out = tmp_path / "out.tar"
    rc, _, err = pull(hocker, run, proxy, out, "--blob-connections", "1")
    assert rc == 0, err
    assert out.read_bytes() == one_stream_archive
    assert layer_ranges(proxy, layer) == [None]


def test_an_interrupted_ranged_download_resumes_from_the_cache(
        hocker, run, proxy, ranged_image, one_stream_archive, tmp_path):
    layer = ranged_image.layers[0]
    cache, out = tmp_path / "cache", tmp_path / "out.tar"
    third = chunk_range(layer, 2)
    proxy.add_rule(lambda r: r.range == third, reset_after(1000), method="GET", times=None)
    rc, _, err = pull(hocker, run, proxy, out, "--retries", "1", "--cache", str(cache))
    assert rc == 3, err
    assert not out.exists()
    proxy.clear_rules()
    first_run = len(proxy.requests())
    rc, _, err = pull(hocker, run, proxy, out, "--cache", str(cache))
    assert rc == 0, err
    assert out.read_bytes() == one_stream_archive
    resumed = [e.range for e in proxy.requests(layer.digest, method="GET", since=first_run)]
    # The chunks handed on before the failure were kept: the second run starts after them.
    assert resumed and resumed[0] is not None and not resumed[0].startswith("bytes=0-"), resumed
