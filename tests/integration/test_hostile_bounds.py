"""What a hostile registry can still do with its answers: nothing beyond one error line.
Memory stays bounded whatever it sends (peak RSS measured with /usr/bin/time), secrets it
echoes never reach stderr, its strings never put escapes on the terminal, and the digest
`hocker digest` prints is the one it checked.  Served by harness/hostile_registry.py."""
import base64
import json
import os
import re
import subprocess
import urllib.parse

import pytest

from harness.hostile_registry import Answer, Generated, HostileRegistry
from harness.util import sha256_bytes

MAX_RSS_KIB = 64 * 1024
TIMEOUT = 120
MT_MANIFEST = "application/vnd.docker.distribution.manifest.v2+json"
MT_CONFIG = "application/vnd.docker.container.image.v1+json"
MT_LAYER = "application/vnd.docker.image.rootfs.diff.tar.gzip"
HEX = "5861314d7fccb39c2192173240eab44fa35ca66426201ca2acd0630a6258dd51"
TAGS = "/v2/hostile/app/tags/list"


@pytest.fixture
def registry(request):
    """registry(routes, require_basic=None) -> a HostileRegistry stopped after the test."""
    def make(routes, require_basic=None):
        served = HostileRegistry(routes, require_basic=require_basic)
        request.addfinalizer(served.stop)
        return served
    return make


_SANITIZED = {}


def _assert_bounded(hocker, rss):
    """Peak RSS within the budget. Under AddressSanitizer (scripts/test.sh asan) freed memory
    sits in quarantine and the shadow costs its own, so RSS says nothing there: not checked."""
    if hocker not in _SANITIZED:
        with open(hocker, "rb") as binary:
            _SANITIZED[hocker] = b"__asan_init" in binary.read()
    if not _SANITIZED[hocker]:
        assert rss <= MAX_RSS_KIB, "peak RSS %d KiB" % rss


def _measured(hocker, argv, env, tmp_path):
    """Runs hocker under /usr/bin/time: (returncode, stdout bytes, stderr text, max RSS KiB)."""
    rss_file = tmp_path / "rss"
    full_env = dict(os.environ)
    full_env.update({k: v for k, v in env.items() if v is not None})
    for key in [k for k, v in env.items() if v is None]:
        full_env.pop(key, None)
    full_env["NO_COLOR"] = "1"
    done = subprocess.run(["/usr/bin/time", "-f", "%M", "-o", str(rss_file), hocker] + argv,
                          env=full_env, capture_output=True, timeout=TIMEOUT)
    rss = int(rss_file.read_text().strip().splitlines()[-1])
    return done.returncode, done.stdout, done.stderr.decode("utf-8", "replace"), rss


def _one_error(stderr, program, fragment):
    lines = [line for line in stderr.splitlines() if line]
    errors = [line for line in lines if ": warning: " not in line]
    assert len(errors) == 1 and errors[0].startswith(program + ": error: "), stderr
    assert fragment in errors[0], stderr


def _repeat(chunk, total):
    def chunks():
        sent = 0
        while sent < total:
            yield chunk
            sent += len(chunk)
    return chunks()


# --- memory ---------------------------------------------------------------------------------

def _big_error_body(path, headers):
    entry = json.dumps({"code": "MANIFEST_UNKNOWN", "message": "x" * 40}).encode()
    body = [b'{"errors":[' + entry] + [b"," + entry] * ((4 << 20) // len(entry)) + [b"]}"]
    return 404, {}, body


def _endless_error_body(path, headers):
    return 404, {}, _repeat(b'{"errors":[' * 4096, 1 << 30)


@pytest.mark.parametrize("make", [_big_error_body, _endless_error_body],
                         ids=["4MiB-of-error-entries", "1GiB-of-nesting"])
def test_a_huge_error_body_is_neither_held_nor_parsed(hocker, hocker_env, registry, tmp_path,
                                                      make):
    served = registry({"/v2/hostile/app/manifests/t": Generated(make)})
    rc, _, stderr, rss = _measured(hocker, ["manifest", "--retries", "1", "--plain-http",
                                            served.host + "/hostile/app:t"], hocker_env, tmp_path)
    assert rc == 5, stderr
    _one_error(stderr, "hocker-manifest", "404 Not Found")
    assert "MANIFEST_UNKNOWN" not in stderr, stderr
    _assert_bounded(hocker, rss)


def test_a_megabyte_of_response_headers_is_refused(hocker, hocker_env, registry, tmp_path):
    def make(path, headers):
        return 200, {"X-Padding-%d" % i: "p" * 500 for i in range(2000)}, [b"{}"]
    served = registry({"/v2/hostile/app/manifests/t": Generated(make)})
    rc, _, stderr, rss = _measured(hocker, ["manifest", "--retries", "1", "--plain-http",
                                            served.host + "/hostile/app:t"], hocker_env, tmp_path)
    assert rc == 8, stderr
    _one_error(stderr, "hocker-manifest", "response headers larger than")
    _assert_bounded(hocker, rss)


def _tag_pages(tags_per_page, next_of):
    def make(path, headers):
        query = urllib.parse.parse_qs(urllib.parse.urlparse(path).query)
        page = int(query.get("page", ["0"])[0])
        tags = ",".join('"t%d-%d"' % (page, i) for i in range(tags_per_page))
        body = ('{"name":"hostile/app","tags":[%s]}' % tags).encode()
        link = next_of(page)
        extra = {"Link": '<%s>; rel="next"' % link} if link else {}
        return 200, extra, [body]
    return Generated(make)


def _tags(hocker, served, hocker_env, tmp_path):
    return _measured(hocker, ["tags", "--retries", "1", "--plain-http",
                              served.host + "/hostile/app"], hocker_env, tmp_path)


def test_endless_tag_pages_end_at_the_page_limit(hocker, hocker_env, registry, tmp_path):
    served = registry({TAGS: _tag_pages(1, lambda page: TAGS + "?page=%d" % (page + 1))})
    rc, stdout, stderr, rss = _tags(hocker, served, hocker_env, tmp_path)
    assert rc == 8, stderr
    _one_error(stderr, "hocker-tags", "more than 1000 pages")
    assert stdout == b""
    assert len(served.requests) <= 1002  # the pages and the scheme probe
    _assert_bounded(hocker, rss)


def test_a_tag_page_linking_back_is_a_loop(hocker, hocker_env, registry, tmp_path):
    served = registry({TAGS: _tag_pages(3, lambda page: TAGS + "?page=%d" % ((page + 1) % 2))})
    rc, stdout, stderr, _ = _tags(hocker, served, hocker_env, tmp_path)
    assert rc == 8, stderr
    _one_error(stderr, "hocker-tags", "loop")
    assert len(served.requests) <= 4


def test_a_page_of_a_million_tags_is_refused_in_bounded_memory(hocker, hocker_env, registry,
                                                               tmp_path):
    def make(path, headers):
        return 200, {}, [b'{"tags":["a"'] + [b',"a"' * 4096] * 200 + [b"]}"]
    served = registry({TAGS: Generated(make)})
    rc, stdout, stderr, rss = _tags(hocker, served, hocker_env, tmp_path)
    assert rc == 8, stderr
    _one_error(stderr, "hocker-tags", "more than 100000 tags")
    _assert_bounded(hocker, rss)


def test_a_huge_token_answer_is_refused_in_bounded_memory(hocker, hocker_env, registry,
                                                          tmp_path):
    def token(path, headers):
        return 200, {}, ([b'{"token":"t","x":['] + [b"[" * 4096] * 64 + [b"]" * 4096] * 64 +
                         [b"]}"])
    served = registry({"/token": Generated(token)})
    challenge = 'Bearer realm="%s/token",service="hostile"' % served.url
    served.routes["/v2/hostile/app/manifests/t"] = Answer(
        "{}", status=401, content_type="application/json",
        headers={"WWW-Authenticate": challenge})
    rc, _, stderr, rss = _measured(hocker, ["manifest", "--retries", "1", "--plain-http",
                                            served.host + "/hostile/app:t"], hocker_env, tmp_path)
    assert rc == 4, stderr
    _one_error(stderr, "hocker-manifest", "nested deeper")
    _assert_bounded(hocker, rss)


# --- secrets --------------------------------------------------------------------------------

USER, PASSWORD, TOKEN = "alice", "Pa55:w/rd+x", "tok-9f8e7d6c5b4a"


def _lower_hex(text):
    return re.sub(r"%[0-9A-F]{2}", lambda match: match.group(0).lower(), text)


def _forms(token=False):
    """The password's forms on the wire, and the bearer token when one is in use."""
    pair = USER + ":" + PASSWORD
    forms = [PASSWORD, base64.b64encode(pair.encode()).decode(),
             urllib.parse.quote(pair, safe=""), _lower_hex(urllib.parse.quote(pair, safe="")),
             urllib.parse.quote(PASSWORD, safe="")]
    return forms + [TOKEN] if token else forms


def _echo(status, extra=None):
    def make(path, headers):
        said = "you sent %s; password %s; forms %s" % (
            headers.get("Authorization"), PASSWORD, " ".join(_forms(token=True)))
        body = json.dumps({"errors": [{"code": "DENIED", "message": said}],
                           "details": said}).encode()
        return status, dict(extra or {}), [body]
    return Generated(make)


def _assert_no_secret(stderr, token=False):
    for form in _forms(token):
        assert form not in stderr, "%r leaked:\n%s" % (form, stderr)


def _secret_run(hocker, served, hocker_env, tmp_path, retries="1"):
    creds = tmp_path / "creds"
    creds.write_text("USERNAME=%s\nPASSWORD=%s\n" % (USER, PASSWORD))
    return _measured(hocker, ["manifest", "--retries", retries, "--plain-http", "-f", str(creds),
                              served.host + "/hostile/app:t"], hocker_env, tmp_path)


def test_a_registry_echoing_basic_credentials_in_its_error_shows_none(hocker, hocker_env,
                                                                      registry, tmp_path):
    served = registry({"/v2/hostile/app/manifests/t": _echo(403)}, require_basic=(USER, PASSWORD))
    rc, _, stderr, _ = _secret_run(hocker, served, hocker_env, tmp_path)
    assert rc == 4, stderr
    _one_error(stderr, "hocker-manifest", "403 Forbidden (DENIED: you sent Basic ***")
    _assert_no_secret(stderr)


def test_retry_warnings_show_no_echoed_secret(hocker, hocker_env, registry, tmp_path):
    served = registry({"/v2/hostile/app/manifests/t": _echo(503)}, require_basic=(USER, PASSWORD))
    rc, _, stderr, _ = _secret_run(hocker, served, hocker_env, tmp_path, retries="2")
    assert rc == 3, stderr
    assert ": warning: " in stderr, stderr
    _assert_no_secret(stderr)


def test_a_token_server_and_challenge_echoing_secrets_show_none(hocker, hocker_env, registry,
                                                                tmp_path):
    served = registry({"/token": _echo(401)})
    challenge = ('Bearer realm="%s/token",service="hostile",error="invalid_token",'
                 'error_description="%s"' % (served.url, PASSWORD.replace('"', "")))
    served.routes["/v2/hostile/app/manifests/t"] = Answer(
        "{}", status=401, content_type="application/json", headers={"WWW-Authenticate": challenge})
    rc, _, stderr, _ = _secret_run(hocker, served, hocker_env, tmp_path)
    assert rc == 4, stderr
    _one_error(stderr, "hocker-manifest", "token server")
    _assert_no_secret(stderr)


def test_a_registry_echoing_the_bearer_token_in_use_shows_none(hocker, hocker_env, registry,
                                                               tmp_path):
    served = registry({"/token": Answer(json.dumps({"token": TOKEN}),
                                        content_type="application/json")})
    challenge = 'Bearer realm="%s/token",service="hostile"' % served.url

    def manifest(path, headers):
        if headers.get("Authorization") != "Bearer " + TOKEN:
            return 401, {"WWW-Authenticate": challenge}, [b"{}"]
        return _echo(403).make(path, headers)
    served.routes["/v2/hostile/app/manifests/t"] = Generated(manifest)
    rc, _, stderr, _ = _secret_run(hocker, served, hocker_env, tmp_path)
    assert rc == 4, stderr
    _one_error(stderr, "hocker-manifest", "you sent Bearer ***")
    _assert_no_secret(stderr, token=True)


def test_an_unsupported_scheme_named_by_the_password_shows_none(hocker, hocker_env, registry,
                                                                tmp_path):
    scheme = "X" + PASSWORD.replace(":", "").replace("/", "").replace("+", "")
    served = registry({"/v2/hostile/app/manifests/t": Answer(
        "{}", status=401, content_type="application/json",
        headers={"WWW-Authenticate": scheme + ' realm="x"'})})
    creds = tmp_path / "creds"
    creds.write_text("USERNAME=%s\nPASSWORD=%s\n" % (USER, scheme))
    rc, _, stderr, _ = _measured(hocker, ["manifest", "--retries", "1", "--plain-http", "-f",
                                          str(creds), served.host + "/hostile/app:t"],
                                 hocker_env, tmp_path)
    assert rc == 4, stderr
    assert scheme not in stderr and scheme.lower() not in stderr, stderr


# --- terminal -------------------------------------------------------------------------------

def test_tags_that_are_not_tag_names_are_left_out_with_one_warning(hocker, hocker_env, registry,
                                                                   tmp_path):
    tags = ["1.0", "\x1b]0;pwned\x07", "a\nb", "\u009b2J", "", "-x", "x" * 129, "latest"]
    served = registry({TAGS: Answer(json.dumps({"name": "hostile/app", "tags": tags}),
                                    content_type="application/json")})
    rc, stdout, stderr, _ = _tags(hocker, served, hocker_env, tmp_path)
    assert rc == 0, stderr
    assert stdout == b"1.0\nlatest\n"
    assert stderr.splitlines() == [
        "hocker-tags: warning: left out 6 tags the registry listed that are not valid tag names"]


def test_registry_error_text_carries_no_control_characters(hocker, hocker_env, registry,
                                                           tmp_path):
    message = "gone\x1b[2J\u009b31m\u0085\r\nhocker-tags: error: fake"
    served = registry({TAGS: Answer(json.dumps({"errors": [{"code": "NAME_UNKNOWN",
                                                            "message": message}]}),
                                    status=404, content_type="application/json")})
    rc, _, stderr, _ = _tags(hocker, served, hocker_env, tmp_path)
    assert rc == 5, stderr
    _one_error(stderr, "hocker-tags", "NAME_UNKNOWN: gone")
    raw = stderr.encode()
    for bad in (b"\x1b", b"\r", b"\xc2\x9b", b"\xc2\x85"):
        assert bad not in raw, stderr
    assert stderr.count("\n") == 1, stderr


# --- sizes ----------------------------------------------------------------------------------

@pytest.mark.parametrize("size", [(1 << 40) + 1, (1 << 63) - 1, -1],
                         ids=["1TiB+1", "int64-max", "negative"])
def test_a_layer_size_beyond_one_tebibyte_is_refused(hocker, hocker_env, registry, tmp_path,
                                                     size):
    config = b'{"rootfs":{"type":"layers","diff_ids":[]}}'
    manifest = json.dumps({
        "schemaVersion": 2, "mediaType": MT_MANIFEST,
        "config": {"mediaType": MT_CONFIG, "size": len(config), "digest": sha256_bytes(config)},
        "layers": [{"mediaType": MT_LAYER, "size": size, "digest": "sha256:" + HEX}]})
    served = registry({"/v2/hostile/app/manifests/t": Answer(manifest, content_type=MT_MANIFEST)})
    out = tmp_path / "out"
    out.mkdir()
    rc, _, stderr, _ = _measured(hocker, ["image", "--retries", "1", "--plain-http", "-o",
                                          str(out / "image.tar"), served.host + "/hostile/app:t"],
                                 hocker_env, tmp_path)
    assert rc == 8, stderr
    _one_error(stderr, "hocker-image", "size")
    assert os.listdir(out) == []


# --- digest ---------------------------------------------------------------------------------

def _manifest_routes(head_digest=None):
    manifest = json.dumps({"schemaVersion": 2, "mediaType": MT_MANIFEST,
                           "config": {"mediaType": MT_CONFIG, "size": 1,
                                      "digest": "sha256:" + HEX}, "layers": []}).encode()
    digest = sha256_bytes(manifest)
    headers = {"Docker-Content-Digest": head_digest} if head_digest else {}
    answer = Answer(manifest, content_type=MT_MANIFEST, headers=headers)
    return {"/v2/hostile/app/manifests/t": answer,
            "/v2/hostile/app/manifests/" + digest: answer}, digest


def test_digest_without_a_header_prints_the_digest_of_the_fetched_bytes(hocker, hocker_env,
                                                                        registry, tmp_path):
    routes, digest = _manifest_routes()
    served = registry(routes)
    rc, stdout, stderr, _ = _measured(hocker, ["digest", "--plain-http",
                                               served.host + "/hostile/app:t"],
                                      hocker_env, tmp_path)
    assert rc == 0, stderr
    assert stdout.decode() == digest + "\n"
    assert ("GET", "/v2/hostile/app/manifests/t") in served.requests


def test_digest_of_a_pinned_reference_refuses_a_lying_header(hocker, hocker_env, registry,
                                                             tmp_path):
    routes, digest = _manifest_routes(head_digest="sha256:" + HEX)
    served = registry(routes)
    rc, stdout, stderr, _ = _measured(hocker, ["digest", "--plain-http",
                                               served.host + "/hostile/app@" + digest],
                                      hocker_env, tmp_path)
    assert rc == 6, stderr
    _one_error(stderr, "hocker-digest", HEX)
    assert stdout == b""


def test_digest_prints_what_the_registry_says_for_a_tag_on_a_head(hocker, hocker_env, registry,
                                                                  tmp_path):
    # The rule: a HEAD answered with Docker-Content-Digest is the registry's word for a tag
    # (nothing to check it against without the GET the HEAD exists to avoid).
    routes, _ = _manifest_routes(head_digest="sha256:" + HEX)
    served = registry(routes)
    rc, stdout, stderr, _ = _measured(hocker, ["digest", "--plain-http",
                                               served.host + "/hostile/app:t"],
                                      hocker_env, tmp_path)
    assert rc == 0, stderr
    assert stdout.decode() == "sha256:" + HEX + "\n"
    assert ("GET", "/v2/hostile/app/manifests/t") not in served.requests
