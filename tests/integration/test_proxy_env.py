"""The usual proxy environment variables (docs/spec.md §2.7): http_proxy for plain HTTP, https_proxy
tunnels TLS with CONNECT (the proxy never sees the registry credentials), no_proxy bypasses,
proxy credentials in the proxy URL are used and never printed. A forward proxy of ours
(harness/forward_proxy.py) stands in for a corporate one."""
import hashlib

import pytest

from harness.cli import assert_one_error_line
from harness.forward_proxy import ForwardProxy
from harness.images import FIXTURE_REFS

HELLO = FIXTURE_REFS["hello"]


def sha256(data):
    return "sha256:" + hashlib.sha256(data).hexdigest()


@pytest.fixture
def forward_proxy():
    with ForwardProxy() as proxy:
        yield proxy


def test_http_proxy_carries_a_plain_http_pull(hocker, run, plain_registry, images, tmp_path,
                                              forward_proxy):
    out = tmp_path / "hello.tar"
    rc, _, err = run([hocker, "image", "--plain-http", "-q", "-o", out,
                      plain_registry.host + "/" + HELLO], env={"http_proxy": forward_proxy.url})
    assert rc == 0, err
    hello = images["hello"]
    v2 = plain_registry.url + "/v2/" + HELLO.split(":")[0]
    expected = {v2 + "/manifests/latest", v2 + "/blobs/" + hello.config_digest,
                v2 + "/blobs/" + hello.layers[0].digest}
    assert {e["target"] for e in forward_proxy.log} == expected, forward_proxy.log
    assert all(e["status"] == 200 for e in forward_proxy.log), forward_proxy.log


def test_https_proxy_tunnels_tls_and_never_sees_the_credentials(hocker, run, tls_registry,
                                                                images, hocker_env,
                                                                forward_proxy):
    env = dict(hocker_env, https_proxy=forward_proxy.url)
    rc, out, err = run([hocker, "manifest", "--ca-file", tls_registry.ca_file, "-u",
                        tls_registry.username, "-p", tls_registry.password,
                        tls_registry.host + "/" + HELLO], env=env)
    assert rc == 0, err
    assert sha256(out) == images["hello"].manifest_digest
    # Only tunnels, all to the registry (the scheme probe and the pooled connections each
    # open one); inside them TLS, so the registry credentials never reach the proxy.
    assert forward_proxy.log, "the proxy was not used"
    for entry in forward_proxy.log:
        assert (entry["method"], entry["target"], entry["status"]) == (
            "CONNECT", tls_registry.host, 200), entry
        assert entry["authorization"] is None


def test_no_proxy_bypasses_the_proxy(hocker, run, plain_registry, images, forward_proxy):
    rc, out, err = run([hocker, "manifest", "--plain-http", plain_registry.host + "/" + HELLO],
                       env={"http_proxy": forward_proxy.url, "no_proxy": "127.0.0.1"})
    assert rc == 0, err
    assert sha256(out) == images["hello"].manifest_digest
    assert forward_proxy.log == []


@pytest.mark.parametrize("scheme", ["http", "https"])
def test_proxy_credentials_in_the_proxy_url_are_used_and_never_printed(
        hocker, run, plain_registry, tls_registry, images, hocker_env, scheme):
    registry = plain_registry if scheme == "http" else tls_registry
    argv = [hocker, "manifest", "--retries", "2"]
    argv += ["--plain-http"] if scheme == "http" else ["--ca-file", registry.ca_file, "-u",
                                                        registry.username, "-p",
                                                        registry.password]
    argv.append(registry.host + "/" + HELLO)
    with ForwardProxy(credentials=("proxy-user", "proxy-s3cret")) as proxy:
        good = "http://proxy-user:proxy-s3cret@127.0.0.1:%d" % proxy.port
        rc, out, err = run(argv, env=dict(hocker_env, **{scheme + "_proxy": good}))
        assert rc == 0, err
        assert sha256(out) == images["hello"].manifest_digest
        assert proxy.log and all(e["proxy_authorization"] for e in proxy.log), proxy.log
        bad = "http://proxy-user:wrong-s3cret@127.0.0.1:%d" % proxy.port
        rc, out, err = run(argv, env=dict(hocker_env, **{scheme + "_proxy": bad}))
    assert rc == 4, err
    variable = "http_proxy" if scheme == "http" else "https_proxy"
    assert_one_error_line(err, "hocker-manifest", "407 Proxy Authentication Required",
                          "check the user:password in " + variable)
    assert "s3cret" not in err
