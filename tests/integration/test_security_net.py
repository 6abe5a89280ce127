"""Network security through the real binary, against scripted loopback servers
(harness/hostile_server.py): no credential follows a redirect to another origin, tokens are
asked for pull only, --insecure covers the registry named and nothing else, credential
helpers are never taken from the current directory, and a slow drip cannot hold hocker."""
import hashlib
import json
import os
import time

import pytest

from harness.cli import assert_one_error_line
from harness.hostile_server import Reply, ScriptedServer, json_reply, make_pki

NAME, TAG = "team/app", "v1"
MANIFEST = json.dumps({
    "schemaVersion": 2, "mediaType": "application/vnd.docker.distribution.manifest.v2+json",
    "config": {"mediaType": "application/vnd.docker.container.image.v1+json", "size": 2,
               "digest": "sha256:" + "a" * 64},
    "layers": []}).encode()


@pytest.fixture
def servers(request):
    """servers(answer, tls=None, legacy_tls=False) -> a ScriptedServer stopped after the test."""
    def make(answer, tls=None, legacy_tls=False):
        server = ScriptedServer(answer, tls, legacy_tls)
        request.addfinalizer(server.stop)
        return server
    return make


def bearer_registry(realm, scope="repository:%s:pull" % NAME):
    """A registry answer: 401 with a Bearer challenge until a token comes, then the manifest."""
    def answer(request):
        if request.headers.get("authorization", "").startswith("Bearer "):
            return Reply(200, MANIFEST, {"Content-Type": json.loads(MANIFEST)["mediaType"]})
        challenge = 'Bearer realm="%s",service="scripted",scope="%s"' % (realm(), scope)
        return json_reply({"errors": [{"code": "UNAUTHORIZED", "message": "token"}]}, 401,
                          {"WWW-Authenticate": challenge})
    return answer


def docker_config(hocker_env, config):
    os.makedirs(hocker_env["DOCKER_CONFIG"], exist_ok=True)
    with open(os.path.join(hocker_env["DOCKER_CONFIG"], "config.json"), "w") as f:
        json.dump(config, f)


def manifest(hocker_link, run, registry_url, *extra, env=None, timeout=60, cwd=None):
    argv = [hocker_link("hocker-manifest"), "--registry", registry_url] + list(extra)
    return run(argv + [NAME, TAG], env=env, timeout=timeout, cwd=cwd)


# --- no credential follows a redirect to another origin ---------------------------------

@pytest.mark.parametrize("status", [307, 308])
def test_a_refresh_token_post_is_not_redirected_to_another_origin(
        hocker_link, run, servers, hocker_env, status):
    thief = servers(lambda request: json_reply({"token": "stolen"}))
    realm = servers(lambda request: Reply(status, headers={"Location": thief.url + "/steal"}))
    registry = servers(bearer_registry(lambda: realm.url + "/token"))
    docker_config(hocker_env, {"auths": {registry.host: {"identitytoken": "refresh-secret"}}})
    rc, out, err = manifest(hocker_link, run, registry.url, "--retries", "1", env=hocker_env)
    assert [r.method for r in realm.requests] == ["POST"]
    assert b"refresh-secret" in realm.requests[0].body  # The addressee did get it.
    assert thief.requests == []
    assert rc == 3, err
    assert_one_error_line(err, "hocker-manifest", "another origin")
    assert "refresh-secret" not in err


def test_a_password_is_not_redirected_to_another_origin(hocker_link, run, servers, hocker_env):
    thief = servers(lambda request: json_reply({"token": "t"}))
    realm = servers(lambda request: Reply(302, headers={"Location": thief.url + "/steal"}))
    registry = servers(bearer_registry(lambda: realm.url + "/token"))
    rc, out, err = manifest(hocker_link, run, registry.url, "-u", "alice", "-p", "hunter2",
                            env=hocker_env)
    assert realm.requests[0].headers.get("authorization", "").startswith("Basic ")
    assert thief.requests, "the GET token request follows, without credentials"
    for request in thief.requests:
        assert "authorization" not in request.headers
        assert "hunter2" not in request.target


def test_an_https_registry_redirecting_to_http_on_its_host_loses_the_authorization(
        hocker_link, run, servers, hocker_env, tmp_path):
    plain = servers(lambda request: Reply(200, MANIFEST))
    ca_file, cert, key = make_pki(str(tmp_path))
    registry = servers(lambda request: Reply(307, headers={
        "Location": plain.url + request.path}), tls=(cert, key))
    rc, out, err = manifest(hocker_link, run, registry.url, "--ca-file", ca_file, "-t", "tok",
                            env=hocker_env)
    assert registry.requests[0].headers["authorization"] == "Bearer tok"
    assert plain.requests and all("authorization" not in r.headers for r in plain.requests)


# --- tokens are asked for pull only -------------------------------------------------------

def test_token_requests_ask_for_pull_only_whatever_the_challenge_says(
        hocker_link, run, servers, hocker_env):
    realm = servers(lambda request: json_reply({"token": "t"}))
    scope = "repository:%s:pull,push repository:team/other:* repository:team/x:delete" % NAME
    registry = servers(bearer_registry(lambda: realm.url + "/token", scope))
    rc, out, err = manifest(hocker_link, run, registry.url, env=hocker_env)
    assert rc == 0, err
    assert out == MANIFEST
    assert realm.requests[0].query["scope"] == [
        "repository:%s:pull" % NAME, "repository:team/other:pull", "repository:team/x:pull"]


# --- --insecure covers the registry named, nothing else ---------------------------------

def _tls_pair(tmp_path, name):
    directory = tmp_path / name
    directory.mkdir()
    return make_pki(str(directory))  # ca_file, cert, key


def test_insecure_does_not_cover_a_token_realm_on_another_origin(
        hocker_link, run, servers, hocker_env, tmp_path):
    realm_ca, realm_cert, realm_key = _tls_pair(tmp_path, "realm")
    _, registry_cert, registry_key = _tls_pair(tmp_path, "registry")
    realm = servers(lambda request: json_reply({"token": "t"}), tls=(realm_cert, realm_key))
    registry = servers(bearer_registry(lambda: realm.url + "/token"),
                       tls=(registry_cert, registry_key))
    rc, out, err = manifest(hocker_link, run, registry.url, "--insecure", "--retries", "1",
                            "-u", "alice", "-p", "hunter2", env=hocker_env)
    assert registry.requests, "the registry itself is reached under --insecure"
    assert realm.requests == []
    assert rc == 3, err
    assert_one_error_line(err, "hocker-manifest", "TLS certificate refused", realm.host,
                          "--insecure covers the registry's own host:port only")
    # The realm's own CA makes it trusted: the refusal above was verification, nothing else.
    rc, out, err = manifest(hocker_link, run, registry.url, "--insecure", "--ca-file", realm_ca,
                            "-u", "alice", "-p", "hunter2", env=hocker_env)
    assert rc == 0, err
    assert out == MANIFEST


def test_insecure_does_not_cover_a_redirect_target_on_another_origin(
        hocker_link, run, servers, hocker_env, tmp_path):
    _, target_cert, target_key = _tls_pair(tmp_path, "target")
    _, registry_cert, registry_key = _tls_pair(tmp_path, "registry")
    target = servers(lambda request: Reply(200, MANIFEST), tls=(target_cert, target_key))
    registry = servers(lambda request: Reply(307, headers={"Location": target.url + "/m"}),
                       tls=(registry_cert, registry_key))
    rc, out, err = manifest(hocker_link, run, registry.url, "--insecure", "--retries", "1",
                            env=hocker_env)
    assert registry.requests
    assert target.requests == []
    assert rc == 3, err
    assert_one_error_line(err, "hocker-manifest", "TLS certificate refused")


WEAK_OPENSSL_CONF = """openssl_conf = openssl_init
[openssl_init]
ssl_conf = ssl_sect
[ssl_sect]
system_default = system_default_sect
[system_default_sect]
MinProtocol = TLSv1
CipherString = DEFAULT@SECLEVEL=0
"""


def test_tls_older_than_1_2_is_refused_even_where_openssl_would_allow_it(
        hocker_link, run, servers, hocker_env, tmp_path):
    ca_file, cert, key = _tls_pair(tmp_path, "legacy")
    registry = servers(lambda request: Reply(200, MANIFEST), tls=(cert, key), legacy_tls=True)
    weak = tmp_path / "weak.cnf"
    weak.write_text(WEAK_OPENSSL_CONF)
    rc, out, err = manifest(hocker_link, run, registry.url, "--ca-file", ca_file, "--retries",
                            "1", env=dict(hocker_env, OPENSSL_CONF=str(weak)))
    assert registry.requests == []
    assert rc == 3, err
    assert_one_error_line(err, "hocker-manifest", "TLS 1.2")


# --- credential helpers are never taken from the current directory ----------------------

def _marking_helper(directory, marker):
    path = os.path.join(directory, "docker-credential-planted")
    with open(path, "w") as f:
        f.write("#!/bin/sh\ntouch '%s'\nprintf '{\"Username\":\"u\",\"Secret\":\"s\"}'\n" % marker)
    os.chmod(path, 0o755)


@pytest.mark.parametrize("where", ["current directory", "absolute PATH entry"])
def test_a_credential_helper_runs_only_from_an_absolute_path_entry(
        hocker_link, run, servers, hocker_env, tmp_path, where):
    registry = servers(lambda request: Reply(200, MANIFEST))
    docker_config(hocker_env, {"credsStore": "planted"})
    cwd, bin_dir = tmp_path / "cwd", tmp_path / "bin"
    cwd.mkdir()
    bin_dir.mkdir()
    marker = str(tmp_path / "helper-ran")
    _marking_helper(str(cwd if where == "current directory" else bin_dir), marker)
    env = dict(hocker_env, PATH="::%s:/usr/bin:/bin" % bin_dir)
    rc, out, err = manifest(hocker_link, run, registry.url, env=env, cwd=str(cwd))
    assert rc == 0, err
    assert os.path.exists(marker) == (where == "absolute PATH entry")


# --- a slow drip cannot hold hocker --------------------------------------------------------

def test_a_manifest_dripping_in_ends_within_the_timeout(hocker_link, run, servers, hocker_env):
    # Two bytes a second: never "stalled", and the whole manifest would take minutes.
    registry = servers(lambda request: Reply(200, MANIFEST, drip=0.5))
    start = time.monotonic()
    rc, out, err = manifest(hocker_link, run, registry.url, "--timeout", "2", "--retries", "1",
                            env=hocker_env, timeout=40)
    assert time.monotonic() - start < 15
    assert rc == 3, err
    assert_one_error_line(err, "hocker-manifest", "not complete within 2 s")


def test_a_token_answer_dripping_in_ends_within_the_timeout(hocker_link, run, servers,
                                                            hocker_env):
    realm = servers(lambda request: Reply(200, json.dumps({"token": "t" * 100}), drip=0.5))
    registry = servers(bearer_registry(lambda: realm.url + "/token"))
    start = time.monotonic()
    rc, out, err = manifest(hocker_link, run, registry.url, "--timeout", "2", "--retries", "1",
                            env=hocker_env, timeout=60)
    assert time.monotonic() - start < 15
    assert rc == 3, err
    assert_one_error_line(err, "hocker-manifest", realm.host + "/token",
                          "not complete within 2 s")


def test_a_config_dripping_into_the_cache_ends_within_the_timeout(hocker_link, run, servers,
                                                                   hocker_env, tmp_path):
    # Through --cache the config streams into a cache file like a layer, yet it is a small
    # document: a drip must end as it does for a manifest, not only on a stall.
    config = b'{"architecture":"amd64","os":"linux","rootfs":{"type":"layers","diff_ids":[]}}'
    digest = "sha256:" + hashlib.sha256(config).hexdigest()
    manifest_bytes = json.dumps({
        "schemaVersion": 2, "mediaType": "application/vnd.docker.distribution.manifest.v2+json",
        "config": {"mediaType": "application/vnd.docker.container.image.v1+json",
                   "size": len(config), "digest": digest},
        "layers": []}).encode()

    def answer(request):
        if "/manifests/" in request.path:
            return Reply(200, manifest_bytes, {
                "Content-Type": "application/vnd.docker.distribution.manifest.v2+json"})
        return Reply(200, config, drip=0.5)
    registry = servers(answer)
    cache = tmp_path / "cache"
    start = time.monotonic()
    rc, out, err = run([hocker_link("hocker-config"), "--registry", registry.url, "--cache",
                        str(cache), "--timeout", "2", "--retries", "1", NAME, TAG],
                       env=hocker_env, timeout=60)
    assert time.monotonic() - start < 15
    assert rc == 3, err
    assert_one_error_line(err, "hocker-config", "blobs/" + digest, "not complete within 2 s")
