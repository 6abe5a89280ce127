"""hocker push against the real registry: round trips through hocker image, compressed and
streamed docker archives, OCI layouts with an index, re-pushes that upload nothing, real
consumers of what was pushed (skopeo, docker pull + run), and bad inputs."""
import gzip
import hashlib
import io
import json
import signal
import subprocess
import tarfile
import time

import pytest

from harness import consumers
from harness.cli import assert_one_error_line
from harness.fault_proxy import FaultProxy, hang
from harness.images import FIXTURE_REFS


def fetch(run, hocker, ref, out, *extra):
    rc, _, stderr = run([hocker, "image", ref, "-q", "-o", str(out)] + list(extra))
    assert rc == 0, stderr
    return out.read_bytes()


def push(run, hocker, source, ref, *extra, input=None):
    rc, stdout, stderr = run([hocker, "push", str(source), ref, "-q"] + list(extra), input=input)
    assert rc == 0, stderr
    name = ref.rsplit(":", 1)[0] if "/" not in ref.rsplit(":", 1)[-1] else ref
    assert stdout.startswith((name + "@sha256:").encode()), stdout
    return stdout.decode().strip().split("@", 1)[1]


def uploads(reg, mark):
    """Blob upload requests (POST, PATCH, PUT on /blobs/uploads/) since `mark`."""
    return sum(reg.count_requests(method, "/blobs/uploads/", since=mark)
               for method in ("POST", "PATCH", "PUT"))


@pytest.fixture
def source(hocker, run, plain_registry, tmp_path):
    """hocker image of team/multilayer:v1, recorded as example/app:1."""
    out = tmp_path / "source.tar"
    fetch(run, hocker, plain_registry.host + "/" + FIXTURE_REFS["multilayer"], out,
          "--tag", "example/app:1")
    return out


def pulled_back(run, hocker, ref, tmp_path, name="back.tar"):
    return fetch(run, hocker, ref, tmp_path / name, "--tag", "example/app:1")


def test_round_trip_through_push_gives_a_byte_identical_archive(
        hocker, run, make_registry, images, source, tmp_path):
    reg = make_registry("plain")
    digest = push(run, hocker, source, reg.host + "/pushed/app:v1")
    assert pulled_back(run, hocker, reg.host + "/pushed/app:v1", tmp_path) == source.read_bytes()
    manifest = json.loads(reg.get_manifest("pushed/app", "v1").body)
    assert manifest["mediaType"] == "application/vnd.docker.distribution.manifest.v2+json"
    assert manifest["config"]["digest"] == images["multilayer"].config_digest
    assert "sha256:" + hashlib.sha256(reg.get_manifest("pushed/app", "v1").body).hexdigest() \
        == digest


@pytest.mark.parametrize("compress", ["gzip", "zstd"])
def test_a_compressed_docker_archive_pushes_the_same_image(
        hocker, run, make_registry, source, tmp_path, compress):
    reg = make_registry("plain")
    packed = tmp_path / ("source.tar." + compress)
    subprocess.run([compress, "-q", "-k", "-c", str(source)], stdout=packed.open("wb"),
                   check=True)
    push(run, hocker, packed, reg.host + "/pushed/app:v1")
    assert pulled_back(run, hocker, reg.host + "/pushed/app:v1", tmp_path) == source.read_bytes()


def manifest_last(archive):
    """The members of `archive` rewritten with manifest.json last, as streamLayeredImage does."""
    out = io.BytesIO()
    with tarfile.open(archive) as src, tarfile.open(fileobj=out, mode="w") as dst:
        members = src.getmembers()
        members.sort(key=lambda m: m.name == "manifest.json")
        for member in members:
            dst.addfile(member, src.extractfile(member) if member.isfile() else None)
    return out.getvalue()


def test_a_stream_on_stdin_with_the_manifest_last_is_pushed_in_one_pass(
        hocker, run, make_registry, source, tmp_path):
    reg = make_registry("plain")
    stream = manifest_last(source)
    assert tarfile.open(fileobj=io.BytesIO(stream)).getnames()[-1] == "manifest.json"
    push(run, hocker, "-", reg.host + "/pushed/app:v1", input=stream)
    assert pulled_back(run, hocker, reg.host + "/pushed/app:v1", tmp_path) == source.read_bytes()


def test_the_tag_comes_from_repo_tags_when_the_reference_names_none(
        hocker, run, make_registry, source, tmp_path):
    reg = make_registry("plain")
    push(run, hocker, source, reg.host + "/pushed/app")
    assert reg.get_manifest("pushed/app", "1").status == 200


def test_a_second_push_with_a_cache_uploads_no_blob(
        hocker, run, make_registry, source, tmp_path):
    reg = make_registry("plain")
    cache = tmp_path / "cache"
    first = push(run, hocker, source, reg.host + "/pushed/app:v1", "--cache", str(cache))
    mark = reg.log_mark()
    second = push(run, hocker, source, reg.host + "/pushed/app:v1", "--cache", str(cache))
    assert second == first
    assert uploads(reg, mark) == 0
    assert reg.count_requests("PUT", "/manifests/", since=mark) == 1
    assert reg.count_requests("HEAD", "/blobs/", since=mark) >= 1


def test_zstd_compression_pushes_an_oci_manifest(hocker, run, make_registry, source, tmp_path):
    reg = make_registry("plain")
    push(run, hocker, source, reg.host + "/pushed/app:z", "--compression", "zstd")
    manifest = json.loads(reg.get_manifest("pushed/app", "z").body)
    assert manifest["mediaType"] == "application/vnd.oci.image.manifest.v1+json"
    assert {l["mediaType"] for l in manifest["layers"]} == \
        {"application/vnd.oci.image.layer.v1.tar+zstd"}
    assert pulled_back(run, hocker, reg.host + "/pushed/app:z", tmp_path) == source.read_bytes()


@pytest.mark.consumer
def test_an_oci_layout_with_a_two_platform_index_is_pushed_whole(
        hocker, run, plain_registry, make_registry, images, tmp_path):
    reg = make_registry("plain")
    layout = tmp_path / "layout"
    subprocess.run(["skopeo", "--insecure-policy", "copy", "-q", "--all", "--preserve-digests",
                    "--src-tls-verify=false",
                    "docker://%s/%s" % (plain_registry.host, FIXTURE_REFS["multiarch-oci"]),
                    "oci:%s:v1" % layout], check=True)
    digest = push(run, hocker, layout, reg.host + "/pushed/multi:v1")
    index = images["multiarch-oci"]
    assert digest == index.index_digest
    rc, stdout, stderr = run([hocker, "manifest", "--index", reg.host + "/pushed/multi:v1"])
    assert rc == 0, stderr
    assert stdout == index.index_bytes


@pytest.mark.consumer
def test_skopeo_reads_and_copies_what_was_pushed(hocker, run, make_registry, source, tmp_path):
    reg = make_registry("plain")
    push(run, hocker, source, reg.host + "/pushed/app:v1")
    ref = "docker://%s/pushed/app:v1" % reg.host
    out = subprocess.run(["skopeo", "--insecure-policy", "inspect", "--tls-verify=false", ref],
                         capture_output=True, check=True)
    assert json.loads(out.stdout)["Digest"].startswith("sha256:")
    subprocess.run(["skopeo", "--insecure-policy", "copy", "-q", "--src-tls-verify=false", ref,
                    "oci:%s" % (tmp_path / "copy")], check=True)


def test_docker_pulls_and_runs_the_pushed_hello_image(
        hocker, run, plain_registry, make_registry, docker_daemon, tmp_path):
    reg = make_registry("plain")
    hello = tmp_path / "hello.tar"
    fetch(run, hocker, plain_registry.host + "/" + FIXTURE_REFS["hello"], hello)
    push(run, hocker, hello, reg.host + "/pushed/hello:v1")
    ref = "%s/pushed/hello:v1" % reg.host
    docker_daemon.docker("pull", ref)
    out = docker_daemon.run(ref)
    assert out


def hostile_archive(tmp_path, name):
    path = tmp_path / "hostile.tar"
    with tarfile.open(path, "w") as tar:
        info = tarfile.TarInfo(name)
        info.size = 4
        tar.addfile(info, io.BytesIO(b"evil"))
    return path


def refused_push(run, hocker, reg, archive, code):
    """Pushes the broken `archive` to bad/app:v1 on `reg` and checks that it fails with exit
    `code` and one error line; returns its standard output."""
    rc, stdout, stderr = run([hocker, "push", str(archive), reg.host + "/bad/app:v1"])
    assert rc == code
    assert_one_error_line(stderr, "hocker-push")
    return stdout


@pytest.mark.parametrize("name", ["../evil", "/etc/evil", "a/../../evil"])
def test_a_traversal_name_is_refused_before_any_upload(hocker, run, make_registry, tmp_path,
                                                       name):
    reg = make_registry("plain")
    mark = reg.log_mark()
    assert refused_push(run, hocker, reg, hostile_archive(tmp_path, name), 8) == b""
    assert uploads(reg, mark) == 0


def rewrite(archive, out, change):
    """Copies `archive` to `out`, passing each (member, bytes) through change()."""
    with tarfile.open(archive) as src, tarfile.open(out, "w") as dst:
        for member in src.getmembers():
            data = src.extractfile(member).read() if member.isfile() else None
            result = change(member, data)
            if result is None:
                continue
            member.size = len(result) if result is not None and member.isfile() else 0
            dst.addfile(member, io.BytesIO(result) if member.isfile() else None)


def test_an_archive_without_manifest_json_is_refused(hocker, run, make_registry, source,
                                                     tmp_path):
    reg = make_registry("plain")
    bad = tmp_path / "bad.tar"
    rewrite(source, bad, lambda m, d: None if m.name == "manifest.json" else d)
    refused_push(run, hocker, reg, bad, 8)
    assert reg.count_requests("PUT", "/manifests/") == 0


def test_a_layer_that_does_not_match_its_diff_id_pushes_no_manifest(
        hocker, run, make_registry, source, tmp_path):
    reg = make_registry("plain")
    config_name = json.loads(tarfile.open(source).extractfile("manifest.json").read())[0][
        "Config"]
    layer_name = json.loads(tarfile.open(source).extractfile("manifest.json").read())[0][
        "Layers"][0]
    bad = tmp_path / "bad.tar"

    def corrupt(member, data):
        if member.name == layer_name:
            return data[:-1] + bytes([data[-1] ^ 1])
        return data
    rewrite(source, bad, corrupt)
    assert config_name
    refused_push(run, hocker, reg, bad, 6)
    assert reg.count_requests("PUT", "/manifests/") == 0


def test_a_layer_count_that_differs_from_the_config_is_refused(
        hocker, run, make_registry, source, tmp_path):
    reg = make_registry("plain")
    bad = tmp_path / "bad.tar"

    def drop_layer(member, data):
        if member.name == "manifest.json":
            manifest = json.loads(data)
            manifest[0]["Layers"] = manifest[0]["Layers"][1:]
            return json.dumps(manifest).encode()
        return data
    rewrite(source, bad, drop_layer)
    refused_push(run, hocker, reg, bad, 8)
    assert uploads(reg, 0) == 0


def test_sigterm_during_an_upload_exits_130_and_moves_no_tag(
        hocker, run, make_registry, source, tmp_path):
    reg = make_registry("plain")
    with FaultProxy(reg.url) as proxy:
        proxy.add_rule("/blobs/uploads/", hang(60), method="POST")
        child = subprocess.Popen([hocker, "push", "-q", str(source), proxy.host + "/sig/app:v1"],
                                 stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        try:
            deadline = time.monotonic() + 30
            while not proxy.requests("/blobs/uploads/", "POST", settle=0):
                assert time.monotonic() < deadline, "no upload started"
                time.sleep(0.05)
            child.send_signal(signal.SIGTERM)
            stdout, stderr = child.communicate(timeout=30)
        finally:
            child.kill()
            child.wait()
    assert child.returncode == 130
    assert stdout == b""
    assert_one_error_line(stderr.decode(), "hocker-push", "interrupted")
    assert reg.count_requests("PUT", "/manifests/") == 0
    assert reg.get_manifest("sig/app", "v1").status == 404
