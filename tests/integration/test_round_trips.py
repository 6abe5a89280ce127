"""Round trips of a small pull from a token-auth registry, counted through latency proxies
(harness/latency_proxy.py): one in front of the registry, one in front of its token server.
The counts are the point here, not the time; the proxies add no delay in these tests."""
import os
import stat
import time

import pytest

from harness.latency_proxy import LatencyPair, LatencyProxy


@pytest.fixture
def pair(token_registry):
    with LatencyPair(token_registry, request_delay=0, connect_delay=0) as p:
        yield p


@pytest.fixture
def pull(hocker, run, token_registry, hocker_env, tmp_path):
    """pull(pair, *extra, user=None, password=None) -> (rc, stderr, counts, registry requests,
    token requests) for `hocker image --plain-http` of library/hello through the pair."""
    def go(pair, *extra, user=token_registry.username, password=token_registry.password,
           name="library/hello:latest"):
        out = tmp_path / "hello.tar"
        argv = [hocker, "image", "--plain-http", "-o", str(out)] + list(extra)
        if user is not None:
            argv += ["--username", user, "--password", password]
        mark = pair.mark()
        rc, _, err = run(argv + ["%s/%s" % (pair.host, name)], env=hocker_env)
        if out.exists():
            out.unlink()
        return (rc, err, pair.counts(mark), pair.registry.requests(mark[0][1]),
                pair.token.requests(mark[1][1]))
    return go


def token_files(cache):
    folder = os.path.join(cache, "auth")
    return [os.path.join(folder, n) for n in sorted(os.listdir(folder)) if n.startswith("token-")]


def hold_manifests_until_the_ping_answered(pair):
    """The proxies add no delay here: the second manifest request (the first one meets the
    challenge) is held until the second connection's ping is answered (at most 10 s), so that
    the blobs after it find that connection pooled."""
    start = len(pair.registry.requests())

    def hold(method, path):
        manifests = [r for r in pair.registry.requests(start) if "/manifests/" in r[1]]
        deadline = time.monotonic() + 10
        while "/manifests/" in path and len(manifests) == 2 and time.monotonic() < deadline:
            if any(r[1] == "/v2/" and r[2] is not None for r in pair.registry.requests(start)):
                time.sleep(0.05)  # The client pools the connection as the answer arrives.
                return
            time.sleep(0.01)

    pair.registry.before_forward = hold


def test_a_first_pull_makes_six_requests_on_three_connections(pull, pair, hocker_env):
    hold_manifests_until_the_ping_answered(pair)
    rc, err, counts, registry, token = pull(pair)
    assert rc == 0, err
    # challenge (401), a ping opening the second connection (401), manifest, config and layer;
    # one token.
    assert counts["registry"]["requests"] == 5, registry
    assert [r[2] for r in registry].count(401) == 2, registry
    assert [r[:2] for r in registry].count(["GET", "/v2/"]) == 1, registry
    assert counts["token"]["requests"] == 1, token
    assert counts["registry"]["connections"] == 2
    assert counts["token"]["connections"] == 1
    # Without --cache only the realm is written, in the user's cache folder; no token anywhere.
    assert os.listdir(hocker_env["HOME"]) == []
    assert [n.split("-")[0] for n in os.listdir(realm_folder())] == ["realm"]


def realm_folder():
    return os.path.join(os.environ["XDG_CACHE_HOME"], "hocker", "auth")


def test_a_later_pull_asks_the_remembered_realm_while_opening_two_connections(pull, pair):
    assert pull(pair)[0] == 0
    folder = realm_folder()
    assert stat.S_IMODE(os.stat(folder).st_mode) == 0o700
    for name in os.listdir(folder):
        assert stat.S_IMODE(os.stat(os.path.join(folder, name)).st_mode) == 0o600
    rc, err, counts, registry, token = pull(pair)
    assert rc == 0, err
    assert len(token) == 1, "a new token (none is kept without --cache), asked at once"
    # Two pings opening the connections meanwhile, then manifest, config and layer on them.
    assert [r[:2] for r in registry].count(["GET", "/v2/"]) == 2, registry
    assert [r[2] for r in registry if r[1] != "/v2/"] == [200, 200, 200], registry
    assert counts["registry"]["connections"] == 2, registry
    assert not [n for n in os.listdir(folder) if n.startswith("token-")]


@pytest.mark.parametrize("environment", [{"HOCKER_REALM_MEMORY": "0"},
                                         {"XDG_CACHE_HOME": None, "HOME": "/homeless-shelter"}],
                         ids=["turned-off", "nix-builder"])
def test_no_realm_is_remembered_when_off_or_without_a_home(hocker, run, pair, token_registry,
                                                           hocker_env, tmp_path, environment):
    env = dict(hocker_env, **environment)
    argv = [hocker, "image", "--plain-http", "-o", str(tmp_path / "o.tar"), "--username",
            token_registry.username, "--password", token_registry.password,
            pair.host + "/library/hello:latest"]
    for _ in range(2):
        mark = pair.mark()
        rc, _, err = run(argv, env=env)
        assert rc == 0, err
        assert 401 in [r[2] for r in pair.registry.requests(mark[0][1])], "challenged each time"
    assert not os.path.exists(os.environ["XDG_CACHE_HOME"])
    assert not os.path.exists("/homeless-shelter")


def test_the_second_registry_connection_opens_while_the_token_is_fetched(pull, pair):
    """The token request is held at the token server's proxy until the registry's proxy has
    accepted a second connection (at most 10 s: a pull that opens none only gets slower)."""
    start = pair.registry.connections
    seen = []

    def hold(method, path):
        deadline = time.monotonic() + 10
        while pair.registry.connections - start < 2 and time.monotonic() < deadline:
            time.sleep(0.01)
        seen.append(pair.registry.connections - start)

    pair.token.before_forward = hold
    rc, err, counts, registry, token = pull(pair)
    assert rc == 0, err
    assert seen == [2], "the second registry connection opened before the token was answered"
    assert counts["registry"]["connections"] == 2, registry


def test_one_job_opens_no_second_connection(pull, pair):
    rc, err, counts, registry, token = pull(pair, "--jobs", "1")
    assert rc == 0, err
    assert ["GET", "/v2/"] not in [r[:2] for r in registry], registry
    assert counts["registry"]["requests"] == 4, registry


def test_a_registry_without_auth_gets_no_extra_request(hocker, run, plain_registry, hocker_env,
                                                        tmp_path):
    with LatencyProxy(plain_registry.url, request_delay=0, connect_delay=0) as proxy:
        out = tmp_path / "hello.tar"
        rc, _, err = run([hocker, "image", "--plain-http", "-o", str(out),
                          proxy.host + "/library/hello:latest"], env=hocker_env)
        assert rc == 0, err
        paths = [r[1] for r in proxy.requests()]
    assert "/v2/" not in paths, paths
    assert len(paths) == 3, paths  # manifest, config, layer


def test_a_repeated_pull_with_cache_asks_for_the_manifest_alone(pull, pair, tmp_path):
    cache = str(tmp_path / "cache")
    rc, err, counts, registry, token = pull(pair, "--cache", cache)
    assert rc == 0, err
    assert counts["token"]["requests"] == 1
    rc, err, counts, registry, token = pull(pair, "--cache", cache)
    assert rc == 0, err
    assert token == [], "the remembered token is used: no token request"
    assert [(r[0], r[2]) for r in registry] == [("GET", 200)], registry
    assert "/manifests/" in registry[0][1]
    assert counts["registry"]["connections"] == 1


def test_a_remembered_realm_skips_the_challenge_when_the_token_is_gone(pull, pair, tmp_path):
    cache = str(tmp_path / "cache")
    assert pull(pair, "--cache", cache)[0] == 0
    for path in token_files(cache):
        os.unlink(path)
    rc, err, counts, registry, token = pull(pair, "--cache", cache)
    assert rc == 0, err
    assert len(token) == 1, "asked the remembered realm at once"
    # No 401 round trip (the pings only open connections while the token is fetched).
    assert [r[2] for r in registry if r[1] != "/v2/"] == [200], registry


@pytest.mark.parametrize("content", ["garbage\n", "hocker-token 1\n1\n{token}\n",
                                     "hocker-token 1\n{expiry}\n{token} extra\n"])
def test_an_expired_or_corrupt_token_file_is_ignored_and_replaced(pull, pair, tmp_path,
                                                                  content):
    cache = str(tmp_path / "cache")
    assert pull(pair, "--cache", cache)[0] == 0
    [path] = token_files(cache)
    with open(path) as f:
        magic, expiry, old_token = f.read().splitlines()
    with open(path, "w") as f:
        f.write(content.format(token=old_token, expiry=expiry))
    rc, err, counts, registry, token = pull(pair, "--cache", cache)
    assert rc == 0, err
    assert len(token) == 1, "a new token was asked for"
    assert 401 not in [r[2] for r in registry if r[1] != "/v2/"]
    with open(path) as f:
        lines = f.read().splitlines()
    assert lines[0] == "hocker-token 1" and int(lines[1]) > 1 and lines[2] != old_token


def test_a_token_of_other_credentials_is_never_reused(pull, pair, tmp_path, token_registry):
    cache = str(tmp_path / "cache")
    assert pull(pair, "--cache", cache)[0] == 0
    # The same scope with a wrong password: the owner's token must not be offered.
    rc, err, counts, registry, token = pull(pair, "--cache", cache, password="wrong-password")
    assert rc == 4, err
    assert len(token) >= 1 and "/manifests/" not in str([r for r in registry if r[2] == 200])
    # Another user allowed to pull gets a token of their own.
    token_registry.issuer.readers["reader-rt"] = "reader-pw"
    rc, err, counts, registry, token = pull(pair, "--cache", cache, user="reader-rt",
                                            password="reader-pw")
    assert rc == 0, err
    assert len(token) == 1 and "account=reader-rt" in token[0][1]
    # Anonymous: a public repository, its own token too.
    rc, err, counts, registry, token = pull(pair, "--cache", cache, user=None,
                                            name="public/hello:latest")
    assert rc == 0, err
    assert len(token) == 1 and "account=" not in token[0][1]
    assert len(token_files(cache)) == 3


def test_token_files_are_private_and_no_token_reaches_stderr(pull, pair, tmp_path):
    cache = str(tmp_path / "cache")
    rc, err, *_ = pull(pair, "--cache", cache)
    assert rc == 0, err
    assert stat.S_IMODE(os.stat(os.path.join(cache, "auth")).st_mode) == 0o700
    [path] = token_files(cache)
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    with open(path) as f:
        value = f.read().splitlines()[2]
    rc, err2, *_ = pull(pair, "--cache", cache)
    assert rc == 0, err2
    for text in (err, err2):
        assert value not in text
        assert value.split(".")[-1] not in text  # not even the signature


def test_a_probing_pull_uses_the_remembered_token(hocker, run, pair, tmp_path, hocker_env,
                                                  token_registry):
    """Without --plain-http a loopback registry is probed without credentials first: the 401
    it answers is met with the remembered token, not a new one."""
    cache = str(tmp_path / "cache")
    argv = [hocker, "image", "--cache", cache, "-o", str(tmp_path / "o.tar"),
            "--username", token_registry.username, "--password", token_registry.password,
            pair.host + "/library/hello:latest"]
    rc, _, err = run(argv, env=hocker_env)
    assert rc == 0, err
    mark = pair.mark()
    rc, _, err = run(argv, env=hocker_env)
    assert rc == 0, err
    assert pair.token.requests(mark[1][1]) == []
    assert [r[2] for r in pair.registry.requests(mark[0][1])] == [401, 200]
