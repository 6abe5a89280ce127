"""hocker copy SRC DST: registry to registry, digests kept, blobs skipped, mounted or uploaded
(started again after a reset), the manifest last, push rights refused in one line."""
import json
import os
import signal
import subprocess
import time

import pytest

from harness.cli import assert_one_error_line, auth_args
from harness.fault_proxy import FaultProxy, drop, flip_byte, hang, reset_after, status


def copy_args(reg, src, dst, *extra):
    return ["copy", reg.host + "/" + src, reg.host + "/" + dst] + auth_args(reg) + list(extra)


def manifest_digest(reg, name, ref, accept=None):
    r = reg.get_manifest(name, ref) if accept is None else reg.get_manifest(name, ref,
                                                                            accept=accept)
    assert r.status == 200, r
    return r.header("docker-content-digest")


def test_copy_keeps_the_manifest_digest(run, hocker, hocker_env, any_registry, images):
    reg = any_registry
    rc, out, err = run([hocker] + copy_args(reg, "team/multilayer:v1", "copies/multilayer:v1",
                                            "-q"), env=hocker_env)
    assert rc == 0, err
    expected = images["multilayer"].manifest_digest
    assert out.decode() == "%s/copies/multilayer@%s\n" % (reg.host, expected)
    assert manifest_digest(reg, "copies/multilayer", "v1") == expected


def test_all_platforms_keeps_the_index_byte_for_byte(run, hocker, hocker_env, any_registry):
    reg = any_registry
    rc, out, err = run([hocker] + copy_args(reg, "team/multiarch:v1", "copies/multiarch:v1",
                                            "--all-platforms", "-q"), env=hocker_env)
    assert rc == 0, err
    src = [hocker, "manifest", "--index", reg.host + "/team/multiarch:v1"] + auth_args(reg)
    dst = [hocker, "manifest", "--index", reg.host + "/copies/multiarch:v1"] + auth_args(reg)
    rc1, source_index, _ = run(src, env=hocker_env)
    rc2, copied_index, err2 = run(dst, env=hocker_env)
    assert rc1 == 0 and rc2 == 0, err2
    assert copied_index == source_index
    for child in json.loads(source_index)["manifests"]:
        r = reg.get_manifest("copies/multiarch", child["digest"], accept=child["mediaType"])
        assert r.status == 200, child


def test_a_platform_copies_one_manifest_of_an_index(run, hocker, hocker_env, plain_registry,
                                                    images):
    reg = plain_registry
    rc, out, err = run([hocker] + copy_args(reg, "team/multiarch:v1", "copies/arm64:v1",
                                            "--platform", "linux/arm64", "-q"), env=hocker_env)
    assert rc == 0, err
    digest = out.decode().strip().rpartition("@")[2]
    children = images["multiarch"].children
    assert digest in [c.manifest_digest for c in children.values()]
    assert manifest_digest(reg, "copies/arm64", "v1") == digest


@pytest.mark.parametrize("mode", ["plain", "token"])
def test_a_copy_within_one_registry_mounts_every_blob(run, hocker, hocker_env, make_registry,
                                                      images, mode):
    # token: the mount's token must carry pull on the source as well as push on the target
    reg = make_registry(mode, push={"team/multilayer:v1": images["multilayer"]})
    mark = reg.log_mark()
    rc, _, err = run([hocker] + copy_args(reg, "team/multilayer:v1", "other/app:v1", "-q"),
                     env=hocker_env)
    assert rc == 0, err
    assert reg.count_requests("POST", "/blobs/uploads/?mount=", since=mark, status=201) >= 2
    assert reg.count_requests("PATCH", "/blobs/uploads/", since=mark) == 0
    assert reg.count_requests("PUT", "/blobs/uploads/", since=mark) == 0


def test_a_second_copy_uploads_nothing(run, hocker, hocker_env, plain_registry, make_registry):
    dst = make_registry("plain")
    args = [hocker, "copy", plain_registry.host + "/team/multilayer:v1",
            dst.host + "/team/multilayer:v1", "-q"]
    rc, _, err = run(args, env=hocker_env)
    assert rc == 0, err
    assert dst.count_requests("PUT", "/blobs/uploads/") >= 2
    mark = dst.log_mark()
    rc, _, err = run(args, env=hocker_env)
    assert rc == 0, err
    entries = dst.access_entries(since=mark)
    assert {e["method"] for e in entries} <= {"GET", "HEAD", "PUT"}, entries
    assert [e for e in entries if e["method"] == "PUT"] == \
        [e for e in entries if e["method"] == "PUT" and "/manifests/" in e["path"]]
    assert dst.count_requests("HEAD", "/blobs/", since=mark) >= 2


def test_skopeo_inspects_the_copy(run, hocker, hocker_env, plain_registry, make_registry,
                                  images):
    dst = make_registry("plain")
    rc, out, err = run([hocker, "copy", plain_registry.host + "/team/oci:v1",
                        dst.host + "/copied/oci:v2", "-q"], env=hocker_env)
    assert rc == 0, err
    rc, out, err = run(["skopeo", "inspect", "--tls-verify=false",
                        "docker://%s/copied/oci:v2" % dst.host], env={"HOME": dst.workdir})
    assert rc == 0, err
    info = json.loads(out)
    assert info["Digest"] == images["oci"].manifest_digest
    assert len(info["Layers"]) >= 1


def test_pull_only_rights_fail_with_one_line_and_exit_4(run, hocker, hocker_env,
                                                        token_registry):
    reg = token_registry  # anonymous users may pull public/ repositories, never push
    rc, out, err = run([hocker, "copy", reg.host + "/public/hello:latest",
                        reg.host + "/public/copied:latest", "-q"], env=hocker_env)
    assert rc == 4, err
    assert out == b""
    assert_one_error_line(err, "hocker-copy", "needs push rights", "public/copied")
    pushes = [e for e in reg.token_requests() if "repository:public/copied:pull,push"
              in e["scopes"]]
    assert pushes and all(g["actions"] == ["pull"] for e in pushes for g in e["granted"])


def test_pull_only_credentials_fail_with_one_line_and_exit_4(run, hocker, hocker_env,
                                                             token_registry):
    reg = token_registry
    reg.issuer.readers["reader"] = "pw-reader-only"
    rc, out, err = run([hocker, "copy", reg.host + "/team/multilayer:v1",
                        reg.host + "/readers/copied:v1", "-u", "reader", "-p", "pw-reader-only",
                        "-q"], env=hocker_env)
    assert rc == 4, err
    assert out == b""
    assert_one_error_line(err, "hocker-copy", "credentials refused", "needs push rights",
                          "readers/copied")
    assert "pw-reader-only" not in err
    assert reg.get_manifest("readers/copied", "v1").status == 404


def test_a_reset_upload_starts_the_blob_again_and_the_copy_succeeds(run, hocker, hocker_env,
                                                                    plain_registry,
                                                                    make_registry, images):
    dst = make_registry("plain")
    with FaultProxy(dst.url) as proxy:
        # Each blob goes as one streamed PUT: a connection reset, then a 503, each start the
        # blob again in a new session, fetched anew from the source.
        reset = proxy.add_rule("/blobs/uploads/", drop(), method="PUT")
        refused = proxy.add_rule("/blobs/uploads/", status(503), method="PUT")
        rc, out, err = run([hocker, "copy", "--plain-http",
                            plain_registry.host + "/team/multilayer:v1",
                            proxy.host + "/team/multilayer:v1", "--retries", "3"],
                           env=hocker_env)
        assert rc == 0, err
        assert reset.hits == 1 and refused.hits == 1
        assert not proxy.requests("/blobs/uploads/", method="PATCH"), "chunks sent, not a stream"
    assert manifest_digest(dst, "team/multilayer", "v1") == images["multilayer"].manifest_digest
    # The lines-style progress (stderr is not a terminal) names what a copy does.
    assert "Copying blob: " in err and "Downloading" not in err


def test_a_download_cut_midway_resumes_with_range_while_the_upload_waits(
        run, hocker, hocker_env, plain_registry, make_registry, images):
    dst = make_registry("plain")
    layer = max(images["multilayer"].layers, key=lambda l: l.size)
    with FaultProxy(plain_registry.url) as proxy:
        proxy.add_rule("/blobs/" + layer.digest, reset_after(layer.size // 2), method="GET",
                       upstream_status=200)
        rc, out, err = run([hocker, "copy", "--plain-http", "-q",
                            proxy.host + "/team/multilayer:v1",
                            dst.host + "/team/multilayer:v1", "--retries", "3"],
                           env=hocker_env)
        assert rc == 0, err
        first, retry = proxy.requests("/blobs/" + layer.digest, method="GET")[:2]
        assert first.outcome == "reset"
        assert retry.range == "bytes=%d-" % first.bytes_sent
    assert manifest_digest(dst, "team/multilayer", "v1") == images["multilayer"].manifest_digest


def test_a_corrupt_source_blob_exits_6_and_commits_nothing(run, hocker, hocker_env,
                                                            plain_registry, make_registry,
                                                            images):
    dst = make_registry("plain")
    layer = images["multilayer"].layers[0]
    with FaultProxy(plain_registry.url) as proxy:
        proxy.add_rule("/blobs/" + layer.digest, flip_byte(1000), method="GET", times=None)
        rc, out, err = run([hocker, "copy", "--plain-http", "-q", "--retries", "1",
                            proxy.host + "/team/multilayer:v1",
                            dst.host + "/team/multilayer:v1"], env=hocker_env)
    assert rc == 6, err
    assert_one_error_line(err, "hocker-copy", layer.digest)
    assert dst.get_manifest("team/multilayer", "v1").status == 404
    head = dst.request("HEAD", "/v2/team/multilayer/blobs/" + layer.digest)
    assert head.status == 404


def test_an_interrupted_copy_exits_130_and_leaves_the_tag(hocker, hocker_env, plain_registry,
                                                          make_registry, images):
    dst = make_registry("plain", push={"team/app:v1": images["hello"]})
    before = manifest_digest(dst, "team/app", "v1")
    with FaultProxy(dst.url) as proxy:
        proxy.add_rule("/blobs/uploads/", hang(60), method="PUT")
        env = dict(os.environ)
        env.update({k: v for k, v in hocker_env.items() if v is not None})
        proc = subprocess.Popen([hocker, "copy", "--plain-http", "-q",
                                 plain_registry.host + "/team/multilayer:v1",
                                 proxy.host + "/team/app:v1"], env=env,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        deadline = time.monotonic() + 30
        while not proxy.requests("/blobs/uploads/", method="PUT", settle=0):
            assert time.monotonic() < deadline and proc.poll() is None, proc.stderr.read()
            time.sleep(0.05)
        proc.send_signal(signal.SIGTERM)
        out, err = proc.communicate(timeout=30)
    assert proc.returncode == 130, err
    assert out == b""
    assert manifest_digest(dst, "team/app", "v1") == before
