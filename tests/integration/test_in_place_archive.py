"""The docker format written in place (docs/architecture.md §4): with several layers and --jobs
above 1, hocker reads each gzip layer's last 4 bytes (ISIZE) with one small Range request to
lay the archive out up front. The archive must be the same bytes whatever those requests
answer: right sizes, a layer of two gzip members whose ISIZE tells only the last one's, sizes
altered on the way, or a server that ignores Range (that request is cut off, not read whole)."""
import gzip
import os
import random

import pytest

import harness.images as images
from harness.fault_proxy import FaultProxy, flip_byte, ignore_range

NAME, TWO, TAG = "team/inplace", "team/twomembers", "v1"
RECORDED = "hocker/inplace:v1"
MIB = 1 << 20


def layer_specs(seed):
    rnd = random.Random(seed)
    # A large first layer (it finishes last) and small ones after it that finish first.
    # The first is incompressible: cutting off its whole-body answer early is visible.
    sizes = [6 * MIB, 300_000, 1 * MIB, 50_000]
    return [{"files": {"data/f%d.bin" % i: rnd.randbytes(n) if i == 0 else
                       rnd.randbytes(n // 2) + bytes(n // 2)}}
            for i, n in enumerate(sizes)]


@pytest.fixture(scope="module")
def plain_image(image_builder):
    return image_builder.build_image("inplace", layer_specs(1))


@pytest.fixture(scope="module")
def two_member_image(image_builder):
    def two_members(data, compression):
        half = len(data) // 2
        return (gzip.compress(data[:half], compresslevel=6, mtime=0)
                + gzip.compress(data[half:], compresslevel=6, mtime=0))
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(images, "compress", two_members)
        return image_builder.build_image("twomembers", layer_specs(2))


@pytest.fixture(scope="module")
def registry(make_registry, plain_image, two_member_image):
    return make_registry("plain", push={NAME + ":" + TAG: plain_image,
                                        TWO + ":" + TAG: two_member_image})


@pytest.fixture
def proxy(registry):
    with FaultProxy(registry.url, timeout=10) as p:
        yield p


def pull(hocker, run, host, name, out, jobs, min_bytes="0"):
    # These images are small: HOCKER_IN_PLACE_MIN_BYTES=0 lays them out in place all the same.
    env = dict(os.environ, HOCKER_IN_PLACE_MIN_BYTES=min_bytes)
    rc, _, err = run([hocker, "image", "--plain-http", "-q", "--blob-connections", "1",
                      "--jobs", str(jobs), "--tag", RECORDED, "-o", str(out),
                      host + "/" + name + ":" + TAG], env=env)
    assert rc == 0, err
    return out.read_bytes()


def size_reads(proxy, image):
    """The 4-byte Range requests hocker made for the image's layers, by digest."""
    found = {}
    for layer in image.layers:
        tail = "bytes=%d-%d" % (layer.size - 4, layer.size - 1)
        found[layer.digest] = [e for e in proxy.requests(layer.digest, method="GET")
                               if e.range == tail]
    return found


def is_size_read(req):
    return req.range is not None and req.range.startswith("bytes=") and \
        req.range.count("-") == 1 and not req.range.endswith("-") and \
        int(req.range.split("-")[1]) - int(req.range[6:].split("-")[0]) == 3


@pytest.mark.parametrize("name", [NAME, TWO])
def test_an_archive_laid_out_from_read_sizes_is_the_one_written_layer_by_layer(
        hocker, run, registry, proxy, plain_image, two_member_image, name, tmp_path):
    image = plain_image if name == NAME else two_member_image
    expected = pull(hocker, run, registry.host, name, tmp_path / "one.tar", 1)
    assert pull(hocker, run, proxy.host, name, tmp_path / "four.tar", 4) == expected
    reads = size_reads(proxy, image)
    assert all(len(r) == 1 and r[0].status == 206 for r in reads.values()), reads


def test_sizes_altered_on_the_way_give_the_same_archive(
        hocker, run, registry, proxy, plain_image, tmp_path):
    expected = pull(hocker, run, registry.host, NAME, tmp_path / "one.tar", 1)
    # The low byte of every ISIZE flipped: each layer's size is off by up to 255 bytes.
    proxy.add_rule(is_size_read, flip_byte(0), times=None)
    assert pull(hocker, run, proxy.host, NAME, tmp_path / "four.tar", 4) == expected


def test_a_server_ignoring_range_is_cut_off_and_the_archive_is_the_same(
        hocker, run, registry, proxy, plain_image, tmp_path):
    expected = pull(hocker, run, registry.host, NAME, tmp_path / "one.tar", 1)
    proxy.add_rule(is_size_read, ignore_range(), times=None)
    assert pull(hocker, run, proxy.host, NAME, tmp_path / "four.tar", 4) == expected
    big = plain_image.layers[0]
    answered = [e for e in proxy.requests(big.digest, method="GET") if e.status == 200]
    # The layer's own download, and the size read that got the whole body and was cut off.
    assert len(answered) == 2, answered
    assert min(e.bytes_sent for e in answered) < big.size


def test_an_image_below_the_threshold_makes_no_size_read(
        hocker, run, registry, proxy, plain_image, tmp_path):
    expected = pull(hocker, run, registry.host, NAME, tmp_path / "one.tar", 1)
    assert pull(hocker, run, proxy.host, NAME, tmp_path / "four.tar", 4, min_bytes="") == expected
    assert all(not r for r in size_reads(proxy, plain_image).values())


def test_a_malformed_threshold_is_a_usage_error(hocker, run, registry, tmp_path):
    env = dict(os.environ, HOCKER_IN_PLACE_MIN_BYTES="lots")
    rc, _, err = run([hocker, "image", "--plain-http", "-q", "-o", str(tmp_path / "x.tar"),
                      registry.host + "/" + NAME + ":" + TAG], env=env)
    assert rc == 2, err
    assert "HOCKER_IN_PLACE_MIN_BYTES" in err
    assert not (tmp_path / "x.tar").exists()
