"""Proves the integration harness itself: registries, images, pushes, redirects, consumers."""
import gzip
import io
import json
import os
import subprocess
import tarfile

import pytest

from harness import consumers
from harness.images import FIXTURE_REFS, MT, PLATFORMS
from harness.registry import ACCEPT_ALL, SERVICE
from harness.util import check, run, sha256_bytes


def curl(*args):
    """curl -sS with headers on stdout; returns (status, headers text, body bytes)."""
    rc, out, err = run(["curl", "-sS", "-i"] + list(args))
    assert rc == 0, err
    head, _, body = out.partition(b"\r\n\r\n")
    return int(head.split()[1]), head.decode("latin-1"), body


# -- registries answer /v2/ ------------------------------------------------------------------
def test_plain_v2(plain_registry):
    status, _, body = curl(plain_registry.url + "/v2/")
    assert status == 200 and body == b"{}"


def test_tls_basic_v2(tls_registry):
    r = tls_registry
    status, head, _ = curl("--cacert", r.ca_file, r.url + "/v2/")
    assert status == 401 and 'www-authenticate: basic realm="hocker-test"' in head.lower()
    status, _, _ = curl("--cacert", r.ca_file, "-u", "%s:%s" % (r.username, r.password),
                        r.url + "/v2/")
    assert status == 200
    status, _, _ = curl("--cacert", r.ca_file, "-u", "%s:wrong" % r.username, r.url + "/v2/")
    assert status == 401
    rc, _, _ = run(["curl", "-sS", r.url + "/v2/"])  # CA not trusted by default
    assert rc == 60
    status, _, _ = curl("--cacert", r.ca_file, "-u", "%s:%s" % (r.username, r.password),
                        "https://localhost:%d/v2/" % r.port)
    assert status == 200


def test_token_challenge(token_registry):
    r = token_registry
    status, head, _ = curl(r.url + "/v2/")
    assert status == 401
    assert ('bearer realm="%s",service="%s"' % (r.issuer.realm, SERVICE)) in head.lower()
    status, head, _ = curl("-H", "Accept: " + ACCEPT_ALL, r.url + "/v2/team/oci/manifests/v1")
    assert status == 401 and 'scope="repository:team/oci:pull"' in head


def _token(r, scope, creds):
    args = ["-G", r.issuer.realm, "--data-urlencode", "service=" + SERVICE,
            "--data-urlencode", "scope=" + scope]
    if creds:
        args += ["-u", creds]
    status, _, body = curl(*args)
    return status, (json.loads(body) if status == 200 else body)


def _manifest(r, name, token):
    return curl("-H", "Accept: " + ACCEPT_ALL, "-H", "Authorization: Bearer " + token,
                "%s/v2/%s/manifests/latest" % (r.url, name))


def test_token_public_anonymous(token_registry, images):
    r = token_registry
    status, reply = _token(r, "repository:public/hello:pull", None)
    assert status == 200
    assert set(reply) >= {"token", "access_token", "expires_in", "issued_at"}
    status, _, body = _manifest(r, "public/hello", reply["token"])
    assert status == 200 and sha256_bytes(body) == images["hello"].manifest_digest
    last = r.token_requests()[-1]
    assert last["authorization"] is False and last["scopes"] == ["repository:public/hello:pull"]
    assert last["granted"] == [{"type": "repository", "name": "public/hello", "actions": ["pull"]}]


def test_token_private_needs_credentials(token_registry, images):
    r = token_registry
    status, reply = _token(r, "repository:library/hello:pull", None)
    assert status == 200 and r.token_requests()[-1]["granted"] == []
    status, head, body = _manifest(r, "library/hello", reply["token"])
    assert status == 401 and 'error="insufficient_scope"' in head and b"UNAUTHORIZED" in body
    status, reply = _token(r, "repository:library/hello:pull",
                           "%s:%s" % (r.username, r.password))
    assert status == 200 and r.token_requests()[-1]["authorization"] is True
    status, _, body = _manifest(r, "library/hello", reply["token"])
    assert status == 200 and sha256_bytes(body) == images["hello"].manifest_digest
    status, _ = _token(r, "repository:library/hello:pull", r.username + ":wrong")
    assert status == 401 and r.token_requests()[-1]["status"] == 401
    status, reply = _token(r, "repository:public/hello:pull,push", None)
    assert r.token_requests()[-1]["granted"][0]["actions"] == ["pull"]  # no anonymous push


# -- pushed images are served byte-exact -------------------------------------------------------
def test_served_digests(any_registry, images):
    r = any_registry
    for key, ref in FIXTURE_REFS.items():
        img = images[key]
        name, _, tag = ref.rpartition(":")
        assert r.pushed[ref] == img.manifest_digest
        resp = r.get_manifest(name, tag, accept=img.media_type)
        assert resp.status == 200 and sha256_bytes(resp.body) == img.manifest_digest, key
        for child in (img.children.values() if img.is_index else [img]):
            cfg = r.get_blob(name, child.config_digest)
            assert cfg.body == child.config_bytes
            for layer in child.unique_layers:
                assert r.request("HEAD", "/v2/%s/blobs/%s" % (name, layer.digest)).status == 200


def test_oci_needs_accept(plain_registry):
    resp = plain_registry.get_manifest("team/oci", "v1",
                                       accept=MT["docker"]["manifest"])
    assert resp.status == 404


def test_access_log_counts(plain_registry, images):
    r, layer = plain_registry, images["multilayer"].layers[0]
    mark = r.log_mark()
    assert r.get_blob("team/multilayer", layer.digest).body == layer.read()
    assert r.count_requests("GET", "/v2/team/multilayer/blobs/" + layer.digest, since=mark) == 1
    assert r.count_requests("GET", "/blobs/", since=mark, status=200) == 1


# -- the redirect server -------------------------------------------------------------------------
@pytest.mark.parametrize("reg_fixture", ["plain_registry", "token_registry"])
def test_redirect_delivers_blob(request, reg_fixture, images, make_redirect):
    r = request.getfixturevalue(reg_fixture)
    rs = make_redirect(r)
    layer = images["multilayer"].layers[0]
    path = "/v2/team/multilayer/blobs/" + layer.digest
    hdr = []
    if r.mode == "token":
        hdr = ["-H", "Authorization: Bearer " + r.token("repository:team/multilayer:pull")]
        status, head, _ = curl(rs.url + path)  # challenge passes through the front
        assert status == 401 and "Bearer realm=" in head
    status, head, _ = curl(*hdr, rs.url + path)
    assert status == 307 and rs.cdn_host in head
    rc, body, err = run(["curl", "-sS", "-f", "-L"] + hdr + [rs.url + path])
    assert rc == 0, err
    assert sha256_bytes(body) == layer.digest
    assert rs.cdn_requests and all("authorization" not in q["headers"] for q in rs.cdn_requests)
    if hdr:
        assert all("authorization" in q["headers"] for q in rs.front_requests[1:])
    status, _, body = curl("-H", "Range: bytes=100-", "http://%s%s" % (
        rs.cdn_host, rs.cdn_requests[-1]["path"]))
    assert status == 206 and body == layer.read()[100:]
    status, _, body = curl(*hdr, "-H", "Accept: " + ACCEPT_ALL,
                           rs.url + "/v2/team/multilayer/manifests/v1")
    assert status == 200 and sha256_bytes(body) == images["multilayer"].manifest_digest


# -- the images themselves -------------------------------------------------------------------------
def _tar_of(layer):
    data = layer.read()
    if layer.compression == "gzip":
        data = gzip.decompress(data)
    elif layer.compression == "zstd":
        data = check(["zstd", "-d", "-q", "-c"], input=data)
    assert sha256_bytes(data) == layer.diff_id
    return tarfile.open(fileobj=io.BytesIO(data))


def test_image_shapes(images, tmp_path):
    hello = images["hello"]
    assert hello.config["config"]["Entrypoint"] == ["/hello"]
    binary = tmp_path / "hello"
    binary.write_bytes(_tar_of(hello.layers[0]).extractfile("hello").read())
    binary.chmod(0o755)
    assert subprocess.run([str(binary)], capture_output=True).stdout == b"Hello from hocker!\n"
    ml = images["multilayer"]
    digests = [l.digest for l in ml.layers]
    assert len(digests) == 5 and len(set(digests)) == 4
    assert any(_tar_of(l).getmembers() == [] for l in ml.layers)
    for key, media in (("multiarch", "docker"), ("multiarch-oci", "oci")):
        idx = images[key]
        assert idx.media_type == MT[media]["index"] and sorted(idx.children) == sorted(PLATFORMS)
        for plat, child in idx.children.items():
            c = child.config
            assert "/".join(filter(None, [c["os"], c["architecture"], c.get("variant")])) == plat
            assert child.media_type == MT[media]["manifest"]
    assert images["oci"].manifest["config"]["mediaType"] == MT["oci"]["config"]
    assert [l.media_type for l in images["zstd"].layers] == [MT["oci"]["zstd"], MT["oci"]["gzip"]]
    for l in images["zstd"].layers:
        _tar_of(l)
    lying = images["lying"]
    i = lying.lying_layer_index
    assert lying.config["rootfs"]["diff_ids"][i] != lying.layers[i].diff_id


# -- consumers --------------------------------------------------------------------------------------
def test_docker_daemon_version(docker_daemon):
    assert docker_daemon.docker("version", "--format", "{{.Server.Version}}").strip()


def test_consumers_on_reference_archive(images, tmp_path, docker_daemon):
    arch = str(tmp_path / "hello.tar")
    consumers.skopeo_reference_archive(images["hello"].dir, arch, "ref/hello:t1")
    info = consumers.skopeo_inspect_archive(arch)
    assert info["Layers"] == [images["hello"].layers[0].diff_id]
    assert consumers.read_archive_manifest(arch)[0]["RepoTags"] == ["docker.io/ref/hello:t1"]
    consumers.skopeo_copy_archive_to_oci(arch, str(tmp_path / "oci"))
    assert "ref/hello:t1" in consumers.podman_load(arch)
    docker_daemon.load(arch)
    assert docker_daemon.run("ref/hello:t1") == "Hello from hocker!\n"
    assert docker_daemon.image_inspect("ref/hello:t1")["Os"] == "linux"
    docker_daemon.rmi("ref/hello:t1")


def test_nix_helpers(images):
    layer = images["hello"].layers[0]
    assert consumers.nix_hash_base32(layer.digest) == consumers.nix_hash_file_base32(layer.path)
    assert consumers.nix_eval_json('{ a = "b"; }') == {"a": "b"}


def test_hocker_binary_and_links(hocker, hocker_link):
    assert os.access(hocker, os.X_OK)
    for name in ("hocker-image", "hocker-layer", "hocker-config", "hocker-manifest", "docker2nix"):
        assert os.access(hocker_link(name), os.X_OK)
