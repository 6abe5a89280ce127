"""hocker-image against the real registry, checked by real consumers: skopeo (re-verifies
every digest), docker load + docker run, podman load."""
import glob
import gzip
import hashlib
import json
import os
import pty
import tarfile

import pytest

from harness import consumers
from harness.cli import assert_one_error_line, leftovers, split_ref
from harness.images import FIXTURE_REFS

CASES = [("hello", None), ("multilayer", None), ("oci", None), ("zstd", None),
         ("multiarch", "linux/amd64"), ("multiarch", "linux/arm64/v8"),
         ("multiarch", "linux/arm/v7"), ("multiarch-oci", "linux/arm64/v8")]


DOCKER_LAYER = "application/vnd.docker.image.rootfs.diff.tar"
OCI_LAYER = "application/vnd.oci.image.layer.v1.tar"
OCI_LAYER_TYPE = {DOCKER_LAYER: OCI_LAYER, DOCKER_LAYER + ".gzip": OCI_LAYER + "+gzip",
                  DOCKER_LAYER + ".zstd": OCI_LAYER + "+zstd"}


def pick(images, key, platform):
    image = images[key]
    return image.children[platform] if platform else image


def fetch_image(run, link, reg, key, out, *extra, platform=None):
    name, tag = split_ref(FIXTURE_REFS[key])
    argv = [link, "--registry", reg.url, "--out", str(out)] + list(extra)
    if platform:
        argv += ["--platform", platform]
    rc, stdout, stderr = run(argv + [name, tag])
    assert rc == 0, stderr
    assert stdout == (str(out) + "\n").encode()
    return stderr


def expected_repo_tag(reg, key):
    return "%s/%s" % (reg.host, FIXTURE_REFS[key])


@pytest.mark.parametrize("key,platform", CASES)
def test_docker_archive_passes_skopeo_and_names_the_image(hocker_link, run, plain_registry,
                                                          images, key, platform, tmp_path):
    out = tmp_path / "image.tar"
    stderr = fetch_image(run, hocker_link("hocker-image"), plain_registry, key, out,
                         platform=platform)
    image = pick(images, key, platform)
    assert "Downloading layer: %s => decompressed => wrote " % image.layers[0].digest[7:14] in stderr
    consumers.skopeo_copy_archive_to_oci(str(out), str(tmp_path / "oci"))
    manifest = consumers.read_archive_manifest(str(out))
    assert manifest[0]["RepoTags"] == [expected_repo_tag(plain_registry, key)]
    assert manifest[0]["Config"] == image.config_digest[7:] + ".json"
    assert manifest[0]["Layers"] == [layer.diff_id[7:] + ".tar" for layer in image.layers]
    assert leftovers(tmp_path) == []


@pytest.mark.parametrize("key,platform", CASES)
def test_oci_archive_passes_skopeo_with_blobs_as_sent(hocker_link, run, plain_registry, images,
                                                      key, platform, tmp_path):
    out = tmp_path / "image.tar"
    fetch_image(run, hocker_link("hocker-image"), plain_registry, key, out, "--format", "oci",
                platform=platform)
    consumers.skopeo_copy_archive_to_oci(str(out), str(tmp_path / "oci"), "oci-archive")
    image = pick(images, key, platform)
    manifest = consumers.read_archive_manifest(str(out))
    assert manifest[0]["Layers"] == ["blobs/sha256/" + layer.digest[7:] for layer in image.layers]
    # The config and every layer inside are the registry's, byte for byte; the manifest too
    # when it has OCI media types, else it is re-encoded with them (strict OCI) and index.json
    # records the registry's digest.
    with tarfile.open(out) as tf:
        entry, = json.loads(tf.extractfile("index.json").read())["manifests"]
        inside = tf.extractfile("blobs/sha256/" + entry["digest"][7:]).read()
        if image.media_type == "application/vnd.oci.image.manifest.v1+json":
            assert entry["digest"] == image.manifest_digest
            assert inside == image.manifest_bytes
        else:
            assert entry["annotations"]["io.github.hocker.original-manifest-digest"] == \
                image.manifest_digest
            assert json.loads(inside)["layers"] == [
                dict(l, mediaType=OCI_LAYER_TYPE[l["mediaType"]]) for l in image.manifest["layers"]]
        assert tf.extractfile("blobs/sha256/" + image.config_digest[7:]).read() == \
            image.config_bytes
        for layer in image.layers:
            blob = tf.extractfile("blobs/sha256/" + layer.digest[7:]).read()
            assert "sha256:" + hashlib.sha256(blob).hexdigest() == layer.digest


def test_the_same_image_twice_gives_byte_identical_archives(hocker_link, run, plain_registry,
                                                            tmp_path):
    first, second = tmp_path / "a.tar", tmp_path / "b.tar"
    fetch_image(run, hocker_link("hocker-image"), plain_registry, "multilayer", first)
    fetch_image(run, hocker_link("hocker-image"), plain_registry, "multilayer", second, "-j", "1")
    assert first.read_bytes() == second.read_bytes()


@pytest.mark.parametrize("form", ["docker", "oci"])
def test_stdout_stream_equals_the_out_file(hocker, run, plain_registry, tmp_path, form):
    out = tmp_path / "image.tar"
    ref = plain_registry.host + "/" + FIXTURE_REFS["multilayer"]
    rc, stdout, stderr = run([hocker, "image", ref, "--format", form, "-o", str(out), "-q"])
    assert rc == 0, stderr
    rc, streamed, stderr = run([hocker, "image", ref, "--format", form, "-o", "-", "-q"])
    assert rc == 0, stderr
    assert streamed == out.read_bytes()


def test_gz_output_is_a_gzip_of_the_archive(hocker, run, plain_registry, tmp_path):
    ref = plain_registry.host + "/" + FIXTURE_REFS["multilayer"]
    plain, packed = tmp_path / "image.tar", tmp_path / "image.tar.gz"
    assert run([hocker, "image", ref, "-q", "-o", str(plain)])[0] == 0
    rc, stdout, stderr = run([hocker, "image", ref, "-q", "-o", str(packed)])
    assert rc == 0, stderr
    assert gzip.decompress(packed.read_bytes()) == plain.read_bytes()


def test_tag_overrides_the_recorded_name(hocker, run, plain_registry, tmp_path):
    out = tmp_path / "image.tar"
    rc, _, stderr = run([hocker, "image", plain_registry.host + "/library/hello", "--tag",
                         "renamed/hello:v2", "-q", "-o", str(out)])
    assert rc == 0, stderr
    assert consumers.read_archive_manifest(str(out))[0]["RepoTags"] == ["renamed/hello:v2"]


def test_quiet_prints_no_progress(hocker, run, plain_registry, tmp_path):
    rc, stdout, stderr = run([hocker, "image", plain_registry.host + "/library/hello", "-q", "-o",
                              str(tmp_path / "x.tar")])
    assert rc == 0 and stderr == ""


def registry_blob_file(reg, digest):
    pattern = os.path.join(reg.workdir, "storage", "**", "blobs", "sha256", digest[7:9],
                           digest[7:], "data")
    found = glob.glob(pattern, recursive=True)
    assert found, pattern
    return found[0]


def test_a_corrupted_blob_is_refused_with_no_output_left(hocker_link, run, make_registry, images,
                                                         tmp_path):
    reg = make_registry("plain", push={"team/corrupt:v1": images["multilayer"]})
    victim = images["multilayer"].layers[1]
    path = registry_blob_file(reg, victim.digest)
    data = bytearray(open(path, "rb").read())
    data[len(data) // 2] ^= 0xFF
    open(path, "wb").write(bytes(data))
    out = tmp_path / "image.tar"
    rc, stdout, stderr = run([hocker_link("hocker-image"), "--registry", reg.url, "--out",
                              str(out), "-q", "team/corrupt", "v1"])
    assert rc == 6
    assert_one_error_line(stderr, "hocker-image", victim.digest, "sha256:")
    assert not out.exists() and leftovers(tmp_path) == []


def test_a_config_that_lies_about_diff_ids_is_refused(hocker_link, run, plain_registry, images,
                                                      tmp_path):
    out = tmp_path / "image.tar"
    rc, stdout, stderr = run([hocker_link("hocker-image"), "--registry", plain_registry.url,
                              "--out", str(out), "-q", "team/lying", "v1"])
    assert rc == 6
    assert_one_error_line(stderr, "hocker-image", "diff")
    assert not out.exists() and leftovers(tmp_path) == []


@pytest.mark.parametrize("form", ["docker", "oci"])
def test_docker_loads_and_runs_the_hello_image(hocker_link, run, plain_registry, docker_daemon,
                                              tmp_path, form):
    out = tmp_path / "hello.tar"
    fetch_image(run, hocker_link("hocker-image"), plain_registry, "hello", out, "--format", form,
                "--tag", "hocker-test/hello-%s:latest" % form)
    loaded = docker_daemon.load(str(out))
    assert "hocker-test/hello-%s:latest" % form in loaded
    assert docker_daemon.run("hocker-test/hello-%s:latest" % form) == "Hello from hocker!\n"
    docker_daemon.rmi("hocker-test/hello-%s:latest" % form)


def test_docker_loads_a_streamed_multilayer_image(hocker, run, plain_registry, docker_daemon,
                                                  images):
    ref = plain_registry.host + "/" + FIXTURE_REFS["multilayer"]
    rc, streamed, stderr = run([hocker, "image", ref, "-o", "-", "-q"])
    assert rc == 0, stderr
    loaded = docker_daemon.load_stream(streamed)
    assert ref in loaded
    inspected = docker_daemon.image_inspect(ref)
    assert inspected["RootFS"]["Layers"] == [l.diff_id for l in images["multilayer"].layers]
    docker_daemon.rmi(ref)


@pytest.mark.parametrize("form", ["docker", "oci"])
def test_podman_loads_the_archive(hocker_link, run, plain_registry, tmp_path, form):
    out = tmp_path / "image.tar"
    fetch_image(run, hocker_link("hocker-image"), plain_registry, "multilayer", out, "--format",
                form)
    try:
        loaded = consumers.podman_load(str(out))
    except consumers.ConsumerUnavailable as error:
        pytest.skip("podman unavailable: %s" % error)
    assert "Loaded image" in loaded


def test_refuses_to_write_a_tarball_to_a_terminal_without_out(hocker, plain_registry):
    # A pseudo-terminal as stdout: hocker must refuse instead of spraying binary at a user.
    pid, fd = pty.fork()
    if pid == 0:
        os.execv(hocker, [hocker, "image", plain_registry.host + "/library/hello"])
    output = b""
    while True:
        try:
            chunk = os.read(fd, 4096)
        except OSError:
            break
        if not chunk:
            break
        output += chunk
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 2
    assert b"terminal" in output
