"""No secret ever leaves hocker (docs/spec.md §4.2: "no secrets, no tokens"): with credentials from
-u/-p, --password-stdin, DOCKER_USER/DOCKER_PASS, -t, DOCKER_TOKEN, a credentials file or the
docker config, against the basic-auth TLS registry, the token registry and a basic-auth
registry of our own, whether the command succeeds or fails (wrong secret, unknown repository,
dead registry, bad manifest), the password and the token appear nowhere in stdout, stderr or
any file hocker wrote (the output directory and the blob cache), and HOME gains nothing.

Passwords are the registries' own random ones (`pw-<16 hex>`) or unusual strings made here;
tokens are minted here from the harness issuer, each unique (a random `jti`)."""
import base64
import json
import os
import secrets
import urllib.parse

import pytest

from harness.cli import assert_one_error_line
from harness.fault_proxy import FaultProxy, flip_byte, status
from harness.hostile_registry import Answer, HostileRegistry
from harness.util import free_port

HELLO = "library/hello:latest"
MT_MANIFEST = "application/vnd.docker.distribution.manifest.v2+json"


def unusual(prefix):
    """A password nobody else uses, with characters that need quoting in URLs and forms."""
    return "%s-%s!~^%%&+=/:@" % (prefix, secrets.token_hex(6))


def secret_forms(secret, username=None):
    """The secret as it could leak: raw, URL-encoded, in a Basic header, JWT signature alone."""
    forms = {secret, urllib.parse.quote(secret, safe=""), urllib.parse.quote_plus(secret)}
    if username is not None:
        forms.add(base64.b64encode(("%s:%s" % (username, secret)).encode()).decode())
    if secret.count(".") == 2:  # a JWT: its signature is a secret of its own
        forms.add(secret.rsplit(".", 1)[1])
    return sorted(forms)


def files_under(*directories):
    for directory in directories:
        for root, _, names in os.walk(directory):
            for name in names:
                yield os.path.join(root, name)


def snapshot(directory):
    return sorted(files_under(directory))


class Leaks:
    """Runs hocker and checks that no secret appears in what it printed or wrote."""

    def __init__(self, run, hocker_env, tmp_path):
        self.run_ = run
        self.env = dict(hocker_env)
        self.home = hocker_env["HOME"]
        self.out_dir = tmp_path / "out"
        self.cache = tmp_path / "cache"
        self.out_dir.mkdir()
        self.secrets = []

    def guard(self, secret, username=None):
        self.secrets += secret_forms(secret, username)
        return secret

    def write_docker_config(self, document):
        directory = self.env["DOCKER_CONFIG"]
        os.makedirs(directory, exist_ok=True)
        with open(os.path.join(directory, "config.json"), "w") as f:
            json.dump(document, f)

    def run(self, argv, env=None, input=None):
        home_before = snapshot(self.home)
        rc, stdout, stderr = self.run_(argv, env=dict(self.env, **(env or {})), input=input,
                                       timeout=60)
        self.check(stdout, stderr)
        assert snapshot(self.home) == home_before, "hocker wrote into HOME"
        return rc, stdout, stderr

    def check(self, stdout, stderr):
        assert self.secrets, "nothing to look for"
        for secret in self.secrets:
            raw = secret.encode()
            assert raw not in stdout, "secret on stdout"
            assert secret not in stderr, "secret on stderr: %s" % stderr
            for path in files_under(self.out_dir, self.cache):
                with open(path, "rb") as f:
                    assert raw not in f.read(), "secret written to " + path
        # Nothing that looks like a credential is ever printed: no JWT, no auth header.
        for marker in ("eyJ", "Bearer ", "Basic ", "Authorization"):
            assert marker not in stderr, stderr


@pytest.fixture
def leaks(run, hocker_env, tmp_path):
    return Leaks(run, hocker_env, tmp_path)


def pull_argv(hocker, reg, ref, leaks, *extra):
    argv = [hocker, "image", "-q", "-o", str(leaks.out_dir / "image.tar"), "--cache",
            str(leaks.cache), reg.host + "/" + ref, "--retries", "2"] + list(extra)
    if reg.ca_file:
        argv += ["--ca-file", reg.ca_file]
    return argv


def mint(reg, repository="library/hello"):
    """A fresh pull token for `repository` from the registry's own issuer."""
    access = [{"type": "repository", "name": repository, "actions": ["pull"]}]
    return reg.issuer.make_token(reg.username, access)


# How each source hands hocker a secret: (argv, env, stdin) for (username, secret).
def by_flags(leaks, user, secret):
    return ["-u", user, "-p", secret], {}, None


def by_stdin(leaks, user, secret):
    return ["-u", user, "--password-stdin"], {}, secret + "\n"


def by_environment(leaks, user, secret):
    return [], {"DOCKER_USER": user, "DOCKER_PASS": secret}, None


def by_credentials_file(leaks, user, secret, tmp_name="creds"):
    path = os.path.join(leaks.home, tmp_name)
    with open(path, "w") as f:
        f.write("USERNAME=%s\nPASSWORD=%s\n" % (user, secret))
    return ["-f", path], {}, None


def by_docker_config(leaks, user, secret, host):
    auth = base64.b64encode(("%s:%s" % (user, secret)).encode()).decode()
    leaks.write_docker_config({"auths": {host: {"auth": auth}}})
    return [], {}, None


def by_token_flag(leaks, token):
    return ["-t", token], {}, None


def by_token_environment(leaks, token):
    return [], {"DOCKER_TOKEN": token}, None


def by_token_file(leaks, token):
    path = os.path.join(leaks.home, "token-creds")
    with open(path, "w") as f:
        f.write("BEARER_TOKEN=%s\n" % token)
    return ["-f", path], {}, None


def by_token_in_docker_config(leaks, token, host):
    leaks.write_docker_config({"auths": {host: {"registrytoken": token}}})
    return [], {}, None


BASIC_SOURCES = ["flags", "stdin", "environment", "credentials-file", "docker-config"]
TOKEN_SOURCES = ["token-flag", "token-environment", "token-file", "token-docker-config"]


def basic_source(name, leaks, reg, user, secret):
    if name == "docker-config":
        return by_docker_config(leaks, user, secret, reg.host)
    return {"flags": by_flags, "stdin": by_stdin, "environment": by_environment,
            "credentials-file": by_credentials_file}[name](leaks, user, secret)


def token_source(name, leaks, reg, token):
    if name == "token-docker-config":
        return by_token_in_docker_config(leaks, token, reg.host)
    return {"token-flag": by_token_flag, "token-environment": by_token_environment,
            "token-file": by_token_file}[name](leaks, token)


def registry_for(mode, tls_registry, token_registry):
    return tls_registry if mode == "basic-tls" else token_registry


# ---------------------------------------------------------------------- basic credentials

@pytest.mark.parametrize("source", BASIC_SOURCES)
@pytest.mark.parametrize("mode", ["basic-tls", "token"])
def test_a_password_from_any_source_pulls_and_leaks_nowhere(
        hocker, tls_registry, token_registry, leaks, mode, source):
    reg = registry_for(mode, tls_registry, token_registry)
    leaks.guard(reg.password, reg.username)
    argv, env, stdin = basic_source(source, leaks, reg, reg.username, reg.password)
    rc, stdout, err = leaks.run(pull_argv(hocker, reg, HELLO, leaks, *argv), env, stdin)
    assert rc == 0, err
    assert stdout == (str(leaks.out_dir / "image.tar") + "\n").encode()
    assert os.listdir(leaks.out_dir) == ["image.tar"]
    assert os.listdir(leaks.cache / "blobs" / "sha256"), "the cache was not used"


@pytest.mark.parametrize("source", BASIC_SOURCES)
@pytest.mark.parametrize("mode", ["basic-tls", "token"])
def test_a_wrong_password_from_any_source_is_refused_and_leaks_nowhere(
        hocker, tls_registry, token_registry, leaks, mode, source):
    reg = registry_for(mode, tls_registry, token_registry)
    wrong = leaks.guard(unusual("Wr0ng"), reg.username)
    leaks.guard(reg.password, reg.username)
    argv, env, stdin = basic_source(source, leaks, reg, reg.username, wrong)
    rc, stdout, err = leaks.run(pull_argv(hocker, reg, HELLO, leaks, *argv), env, stdin)
    assert rc == 4, err
    assert_one_error_line(err, "hocker-image", reg.host, "401")
    assert stdout == b"" and os.listdir(leaks.out_dir) == []


@pytest.mark.parametrize("mode", ["basic-tls", "token"])
def test_an_unknown_repository_with_good_credentials_leaks_nowhere(
        hocker, tls_registry, token_registry, leaks, mode):
    reg = registry_for(mode, tls_registry, token_registry)
    leaks.guard(reg.password, reg.username)
    rc, stdout, err = leaks.run(pull_argv(hocker, reg, "team/no-such-repo:v1", leaks, "-u",
                                          reg.username, "-p", reg.password))
    assert rc == 5, err
    assert_one_error_line(err, "hocker-image", "team/no-such-repo", "404")
    assert stdout == b"" and os.listdir(leaks.out_dir) == []


@pytest.mark.parametrize("source", ["flags", "stdin", "environment"])
def test_a_dead_registry_with_a_password_leaks_nowhere(hocker_link, leaks, source):
    password = leaks.guard(unusual("D3ad"), "someone")
    argv, env, stdin = basic_source(source, leaks, None, "someone", password)
    rc, stdout, err = leaks.run([hocker_link("hocker-image"), "--registry",
                                 "https://127.0.0.1:%d" % free_port(), "--retries", "1", "-q",
                                 "--out", str(leaks.out_dir / "image.tar")] + argv
                                + ["library/hello", "latest"], env, stdin)
    assert rc == 3, err
    assert_one_error_line(err, "hocker-image", "127.0.0.1")
    assert stdout == b"" and os.listdir(leaks.out_dir) == []


def test_credentials_inside_the_registry_uri_are_refused_and_masked(hocker_link, leaks):
    password = leaks.guard(unusual("Ur1"), "someone")
    uri = "https://someone:%s@127.0.0.1:%d" % (urllib.parse.quote(password, safe=""),
                                                 free_port())
    rc, stdout, err = leaks.run([hocker_link("hocker-image"), "--registry", uri, "-q", "--out",
                                 str(leaks.out_dir / "image.tar"), "library/hello", "latest"])
    assert rc == 2, err
    assert_one_error_line(err, "hocker-image", "credentials in the URI are not supported")
    assert os.listdir(leaks.out_dir) == []


def test_the_classic_form_with_a_password_pulls_and_leaks_nowhere(hocker_link, tls_registry,
                                                                  leaks):
    leaks.guard(tls_registry.password, tls_registry.username)
    rc, stdout, err = leaks.run([hocker_link("hocker-image"), "--registry", tls_registry.url,
                                 "--ca-file", tls_registry.ca_file, "-u", tls_registry.username,
                                 "-p", tls_registry.password, "--out",
                                 str(leaks.out_dir / "image.tar"), "--cache", str(leaks.cache),
                                 "library/hello", "latest"])
    assert rc == 0, err
    assert "Downloading layer:" in err  # progress lines are checked too
    assert os.listdir(leaks.out_dir) == ["image.tar"]


# ------------------------------------------------------------------------------- tokens

@pytest.mark.parametrize("source", TOKEN_SOURCES)
def test_a_token_from_any_source_pulls_and_leaks_nowhere(hocker, token_registry, leaks,
                                                         source):
    token = leaks.guard(mint(token_registry))
    leaks.guard(token_registry.password, token_registry.username)
    argv, env, stdin = token_source(source, leaks, token_registry, token)
    before = len(token_registry.token_requests())
    rc, stdout, err = leaks.run(pull_argv(hocker, token_registry, HELLO, leaks, *argv), env,
                                stdin)
    assert rc == 0, err
    assert os.listdir(leaks.out_dir) == ["image.tar"]
    assert len(token_registry.token_requests()) == before, "the given token was not used as is"


@pytest.mark.parametrize("wrong", ["other-repository", "not-a-jwt"])
@pytest.mark.parametrize("source", TOKEN_SOURCES)
def test_a_refused_token_from_any_source_leaks_nowhere(hocker, token_registry, leaks, source,
                                                       wrong):
    token = (mint(token_registry, "team/someone-else") if wrong == "other-repository"
             else unusual("N0tAJwt"))
    leaks.guard(token)
    argv, env, stdin = token_source(source, leaks, token_registry, token)
    rc, stdout, err = leaks.run(pull_argv(hocker, token_registry, HELLO, leaks, *argv), env,
                                stdin)
    assert rc == 4, err
    assert_one_error_line(err, "hocker-image", token_registry.host, "401")
    assert stdout == b"" and os.listdir(leaks.out_dir) == []


@pytest.fixture
def token_proxy(token_registry):
    with FaultProxy(token_registry.url, timeout=10) as proxy:
        yield proxy


def proxied_pull(hocker, proxy, ref, leaks, *extra):
    return [hocker, "image", "--plain-http", "-q", "-o", str(leaks.out_dir / "image.tar"),
            "--cache", str(leaks.cache), "--retries", "1", proxy.host + "/" + ref] + list(extra)


@pytest.mark.parametrize("credentials", ["token", "password"])
def test_a_malformed_manifest_behind_auth_is_refused_and_leaks_nowhere(
        hocker, token_registry, token_proxy, leaks, credentials):
    token_proxy.add_rule("/manifests/", status(200, body=b'{"schemaVersion": 2, "layers": [',
                                               content_type=MT_MANIFEST),
                         method="GET", times=None)
    if credentials == "token":
        extra = ["-t", leaks.guard(mint(token_registry))]
    else:
        leaks.guard(token_registry.password, token_registry.username)
        extra = ["-u", token_registry.username, "-p", token_registry.password]
    rc, stdout, err = leaks.run(proxied_pull(hocker, token_proxy, HELLO, leaks, *extra))
    assert rc == 8, err
    assert_one_error_line(err, "hocker-image")
    assert stdout == b"" and os.listdir(leaks.out_dir) == []


def test_a_flipped_config_behind_a_token_is_refused_and_leaks_nowhere(
        hocker, token_registry, token_proxy, images, leaks):
    hello = images["hello"]
    token_proxy.add_rule(hello.config_digest, flip_byte(5), method="GET", upstream_status=200,
                         times=None)
    token = leaks.guard(mint(token_registry))
    rc, stdout, err = leaks.run(proxied_pull(hocker, token_proxy, HELLO, leaks, "-t", token))
    assert rc == 6, err
    assert_one_error_line(err, "hocker-image", hello.config_digest, "digest mismatch")
    assert stdout == b"" and os.listdir(leaks.out_dir) == []


# ------------------------------------------------ a basic-auth registry with our own password

@pytest.fixture
def own_basic_registry(images):
    """hello as `sec/app:ok` and a malformed manifest as `sec/bad:ok`, behind Basic auth with
    an unusual password."""
    hello = images["hello"]
    user, password = "sec-user", unusual("0wnPw")
    base = "/v2/sec/app/"
    routes = {base + "manifests/ok": Answer(hello.manifest_bytes, content_type=hello.media_type),
              base + "blobs/" + hello.config_digest: Answer(hello.config_bytes),
              "/v2/sec/bad/manifests/ok": Answer(b'{"schemaVersion": 2, "config": 7}',
                                                 content_type=MT_MANIFEST)}
    for layer in hello.layers:
        routes[base + "blobs/" + layer.digest] = Answer(layer.read())
    registry = HostileRegistry(routes, require_basic=(user, password))
    registry.username, registry.password = user, password
    yield registry
    registry.stop()


@pytest.mark.parametrize("repository,password_ok,code,fragment", [
    ("sec/app", True, 0, None),
    ("sec/app", False, 4, "401"),
    ("sec/bad", True, 8, "invalid image manifest"),
    ("sec/none", True, 5, "MANIFEST_UNKNOWN"),
], ids=["pulls", "wrong-password", "bad-manifest", "unknown-repository"])
@pytest.mark.parametrize("source", BASIC_SOURCES)
def test_our_own_unusual_password_leaks_nowhere(hocker, own_basic_registry, leaks, source,
                                                repository, password_ok, code, fragment):
    reg = own_basic_registry
    leaks.guard(reg.password, reg.username)
    password = reg.password if password_ok else leaks.guard(unusual("Wr0ng"), reg.username)
    argv, env, stdin = basic_source(source, leaks, reg, reg.username, password)
    rc, stdout, err = leaks.run([hocker, "image", "--plain-http", "-q", "-o",
                                 str(leaks.out_dir / "image.tar"), "--cache", str(leaks.cache),
                                 "--retries", "1", reg.host + "/" + repository + ":ok"] + argv,
                                env, stdin)
    assert rc == code, err
    if code == 0:
        assert os.listdir(leaks.out_dir) == ["image.tar"]
    else:
        assert_one_error_line(err, "hocker-image", fragment)
        assert stdout == b"" and os.listdir(leaks.out_dir) == []


# -------------------------------------------------------------------------- --password-stdin

def test_password_stdin_takes_the_first_line_only_and_tolerates_crlf(hocker, tls_registry,
                                                                    images, leaks):
    leaks.guard(tls_registry.password, tls_registry.username)
    rc, stdout, err = leaks.run([hocker, "manifest", tls_registry.host + "/" + HELLO,
                                 "--ca-file", tls_registry.ca_file, "-u", tls_registry.username,
                                 "--password-stdin"],
                                input=tls_registry.password + "\r\nsecond line\n")
    assert rc == 0, err
    assert stdout == images["hello"].manifest_bytes


@pytest.mark.parametrize("conflict,fragment", [
    (["-u", "someone", "-p", "PASSWORD", "--password-stdin"], "--password-stdin"),
    (["-t", "PASSWORD", "--password-stdin"], "--password-stdin"),
    (["--password-stdin"], "--password-stdin requires --username"),
    (["-p", "PASSWORD"], "--password requires --username"),
    (["-u", "someone", "-p", "PASSWORD", "-t", "PASSWORD"], "--token"),
], ids=["with-password", "with-token", "without-username", "password-without-username",
        "password-with-token"])
@pytest.mark.parametrize("form", ["modern", "classic"])
def test_conflicting_credential_flags_are_a_usage_error_that_leaks_nothing(
        hocker, hocker_link, tls_registry, leaks, conflict, fragment, form):
    password = leaks.guard(unusual("C0nflict"), "someone")
    stdin_password = leaks.guard(unusual("Std1n"), "someone")
    flags = [password if arg == "PASSWORD" else arg for arg in conflict]
    program = "hocker-manifest"  # in both forms: a subcommand's usage error carries its name
    if form == "modern":
        argv = [hocker, "manifest", tls_registry.host + "/" + HELLO] + flags
    else:
        argv = [hocker_link(program), "--registry", tls_registry.url] + flags + [
            "library/hello", "latest"]
    rc, stdout, err = leaks.run(argv, input=stdin_password + "\n")
    assert rc == 2, err
    assert_one_error_line(err, program, fragment)
    assert stdout == b""


def test_password_stdin_without_a_password_is_a_usage_error(hocker, tls_registry, leaks):
    leaks.guard(tls_registry.password, tls_registry.username)
    rc, stdout, err = leaks.run([hocker, "manifest", tls_registry.host + "/" + HELLO,
                                 "--ca-file", tls_registry.ca_file, "-u", tls_registry.username,
                                 "--password-stdin"], input="")
    assert rc == 2, err
    assert_one_error_line(err, "hocker-manifest", "--password-stdin",
                          "no password on standard input")
