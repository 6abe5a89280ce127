"""Authentication against the real registry: token and basic modes, every credential source,
TLS verification, and redirects that must not carry credentials."""
import base64
import json
import os
import stat

import pytest

from harness.cli import assert_one_error_line, classic, sha256
from harness.fault_proxy import FaultProxy


def manifest_argv(link, reg, name="library/hello", tag="latest", *extra):
    return [link, "--registry", reg.url] + list(extra) + [name, tag]


def test_token_mode_pulls_a_public_repository_anonymously(hocker_link, run, token_registry,
                                                          images, hocker_env):
    before = len(token_registry.token_requests())
    rc, out, err = run(manifest_argv(hocker_link("hocker-manifest"), token_registry,
                                     "public/hello"), env=hocker_env)
    assert rc == 0, err
    assert sha256(out) == images["hello"].manifest_digest
    ours = token_registry.token_requests()[before:]
    assert ours and not any(r["authorization"] for r in ours)


def test_token_mode_needs_credentials_for_a_private_repository(hocker_link, run, token_registry,
                                                               hocker_env):
    rc, out, err = run(manifest_argv(hocker_link("hocker-manifest"), token_registry),
                       env=hocker_env)
    assert rc == 4
    assert_one_error_line(err, "hocker-manifest", token_registry.host, "401")


def test_token_mode_with_a_password_pulls_a_private_repository(hocker_link, run, token_registry,
                                                               images, hocker_env):
    rc, out, err = run(manifest_argv(hocker_link("hocker-manifest"), token_registry,
                                     "library/hello", "latest", "-u", token_registry.username,
                                     "-p", token_registry.password), env=hocker_env)
    assert rc == 0, err
    assert sha256(out) == images["hello"].manifest_digest


@pytest.mark.parametrize("mode", ["token", "basic-tls"])
def test_a_wrong_password_is_refused_naming_the_registry(hocker_link, run, token_registry,
                                                         tls_registry, mode, hocker_env):
    reg = token_registry if mode == "token" else tls_registry
    extra = ["-u", reg.username, "-p", "wrong-password"]
    if reg.ca_file:
        extra += ["--ca-file", reg.ca_file]
    rc, out, err = run(manifest_argv(hocker_link("hocker-manifest"), reg, "library/hello",
                                     "latest", *extra), env=hocker_env)
    assert rc == 4
    assert_one_error_line(err, "hocker-manifest", reg.host)
    assert "wrong-password" not in err


def test_basic_auth_over_tls_with_the_generated_ca(hocker, run, tls_registry, images,
                                                   hocker_env):
    rc, out, err = run([hocker, "config", tls_registry.host + "/library/hello", "--ca-file",
                        tls_registry.ca_file, "-u", tls_registry.username, "-p",
                        tls_registry.password], env=hocker_env)
    assert rc == 0, err
    assert sha256(out) == images["hello"].config_digest


def test_tls_without_the_ca_is_refused_and_insecure_accepts_it(hocker_link, run, tls_registry,
                                                              images, hocker_env):
    base = [hocker_link("hocker-manifest"), "--registry", tls_registry.url, "-u",
            tls_registry.username, "-p", tls_registry.password]
    rc, out, err = run(base + ["library/hello", "latest"], env=hocker_env)
    assert rc == 3
    assert_one_error_line(err, "hocker-manifest", "certificate")
    rc, out, err = run(base + ["--insecure", "library/hello", "latest"], env=hocker_env)
    assert rc == 0, err
    assert sha256(out) == images["hello"].manifest_digest


def test_a_loopback_tls_registry_named_without_a_scheme_is_found_and_verified(
        hocker, run, tls_registry, images, hocker_env):
    # 127.0.0.1:PORT without a scheme may speak either: hocker pings plain HTTP first (no
    # credentials), sees a TLS port, and then verifies the certificate like any https registry.
    ref = tls_registry.host + "/library/hello:latest"
    creds = ["-u", tls_registry.username, "-p", tls_registry.password]
    rc, out, err = run([hocker, "manifest", ref] + creds, env=hocker_env)
    assert rc == 3, err
    assert_one_error_line(err, "hocker-manifest", "https://" + tls_registry.host, "certificate")
    assert tls_registry.password not in err
    rc, out, err = run([hocker, "manifest", ref, "--ca-file", tls_registry.ca_file] + creds,
                       env=hocker_env)
    assert rc == 0, err
    assert sha256(out) == images["hello"].manifest_digest


def test_the_plain_http_probe_of_a_loopback_registry_carries_no_credentials(
        hocker, run, make_registry, images, hocker_env):
    reg = make_registry("token", push={"private/hello:latest": images["hello"]})
    with FaultProxy(reg.url) as proxy:
        rc, out, err = run([hocker, "manifest", proxy.host + "/private/hello:latest", "-u",
                            reg.username, "-p", reg.password], env=hocker_env)
        assert rc == 0, err
        assert sha256(out) == images["hello"].manifest_digest
        seen = [(r.path, r.status, "authorization" in r.headers) for r in proxy.requests()]
    # The first request probes plain HTTP anonymously; its 401 challenge brings the token.
    assert seen == [("/v2/private/hello/manifests/latest", 401, False),
                    ("/v2/private/hello/manifests/latest", 200, True)], seen


def test_environment_variables_supply_credentials(hocker_link, run, token_registry, images,
                                                  hocker_env):
    env = dict(hocker_env, DOCKER_USER=token_registry.username,
               DOCKER_PASS=token_registry.password)
    rc, out, err = run(manifest_argv(hocker_link("hocker-manifest"), token_registry), env=env)
    assert rc == 0, err
    assert sha256(out) == images["hello"].manifest_digest


def test_a_credentials_file_supplies_credentials(hocker_link, run, token_registry, images,
                                                 tmp_path, hocker_env):
    creds = tmp_path / "creds"
    creds.write_text("USERNAME=%s\nPASSWORD=%s\n" % (token_registry.username,
                                                    token_registry.password))
    rc, out, err = run(manifest_argv(hocker_link("hocker-manifest"), token_registry,
                                     "library/hello", "latest", "-f", str(creds)), env=hocker_env)
    assert rc == 0, err
    assert sha256(out) == images["hello"].manifest_digest


def test_a_bearer_token_flag_is_sent_as_is(hocker_link, run, token_registry, images, hocker_env):
    token = token_registry.token("repository:library/hello:pull")
    rc, out, err = run(manifest_argv(hocker_link("hocker-manifest"), token_registry,
                                     "library/hello", "latest", "-t", token), env=hocker_env)
    assert rc == 0, err
    assert sha256(out) == images["hello"].manifest_digest
    assert token not in err


def test_a_bearer_token_credentials_file_is_sent_as_is(hocker_link, run, token_registry, images,
                                                       tmp_path, hocker_env):
    creds = tmp_path / "creds"
    creds.write_text("BEARER_TOKEN=%s\n" % token_registry.token("repository:library/hello:pull"))
    rc, out, err = run(manifest_argv(hocker_link("hocker-manifest"), token_registry,
                                     "library/hello", "latest", "-f", str(creds)), env=hocker_env)
    assert rc == 0, err
    assert sha256(out) == images["hello"].manifest_digest


def write_docker_config(hocker_env, document):
    directory = hocker_env["DOCKER_CONFIG"]
    os.makedirs(directory, exist_ok=True)
    with open(os.path.join(directory, "config.json"), "w") as f:
        json.dump(document, f)


def test_the_docker_config_supplies_credentials(hocker, run, token_registry, images,
                                                hocker_env):
    auth = base64.b64encode(("%s:%s" % (token_registry.username,
                                        token_registry.password)).encode()).decode()
    write_docker_config(hocker_env, {"auths": {token_registry.host: {"auth": auth}}})
    rc, out, err = run([hocker, "manifest", token_registry.host + "/library/hello"],
                       env=hocker_env)
    assert rc == 0, err
    assert sha256(out) == images["hello"].manifest_digest


def test_a_credential_helper_supplies_credentials(hocker, run, token_registry, images, tmp_path,
                                                  hocker_env):
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    helper = bin_dir / "docker-credential-test"
    helper.write_text("#!/bin/sh\nread server\n"
                      "printf '{\"ServerURL\":\"%%s\",\"Username\":\"%s\",\"Secret\":\"%s\"}' "
                      "\"$server\"\n" % (token_registry.username, token_registry.password))
    helper.chmod(helper.stat().st_mode | stat.S_IEXEC)
    write_docker_config(hocker_env, {"credHelpers": {token_registry.host: "test"}})
    env = dict(hocker_env, PATH=str(bin_dir) + os.pathsep + os.environ["PATH"])
    rc, out, err = run([hocker, "manifest", token_registry.host + "/library/hello"], env=env)
    assert rc == 0, err
    assert sha256(out) == images["hello"].manifest_digest


def test_a_missing_creds_store_helper_only_warns(hocker, run, token_registry, images,
                                                 hocker_env):
    write_docker_config(hocker_env, {"credsStore": "not-installed-anywhere"})
    rc, out, err = run([hocker, "manifest", token_registry.host + "/public/hello"],
                       env=hocker_env)
    assert rc == 0, err
    assert sha256(out) == images["hello"].manifest_digest
    assert len(err.splitlines()) == 1 and "warning" in err


def test_no_home_is_not_an_error(hocker, run, plain_registry, images):
    env = {"HOME": None, "DOCKER_CONFIG": None}
    rc, out, err = run([hocker, "manifest", plain_registry.host + "/library/hello"], env=env)
    assert rc == 0, err
    assert err == ""


@pytest.mark.parametrize("mode", ["plain", "token"])
def test_a_blob_redirect_to_another_host_never_carries_credentials(hocker_link, run, mode,
                                                                  plain_registry, token_registry,
                                                                  make_redirect, images,
                                                                  tmp_path, hocker_env):
    reg = plain_registry if mode == "plain" else token_registry
    front = make_redirect(reg)
    layer = images["hello"].layers[0]
    argv = [hocker_link("hocker-layer"), "--out", str(tmp_path / "l"), "--registry", front.url,
            "--layer", layer.digest[7:], "library/hello", ""]
    if reg.username:
        argv[1:1] = ["-u", reg.username, "-p", reg.password]
    rc, out, err = run(argv, env=hocker_env)
    assert rc == 0, err
    assert sha256((tmp_path / "l").read_bytes()) == layer.digest
    assert front.cdn_requests, "the blob did not come through the redirect"
    for request in front.cdn_requests:
        headers = {k.lower(): v for k, v in request["headers"].items()}
        assert "authorization" not in headers
