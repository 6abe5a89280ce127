"""Mirrors and pull-through caches (docs/spec.md §7): distribution's registry in proxy mode as
the mirror of a test registry, a fault proxy in front of it as its request log; --mirror and
registries.conf; digest-only resolution, fallback on a dead or lying mirror, ns on every
mirror request, credentials that stay with their host."""
import base64
import json
import urllib.parse

import pytest

from harness.fault_proxy import FaultProxy, flip_byte
from harness.util import free_port

REF = "team/multilayer:v1"


@pytest.fixture
def upstream(make_registry, images):
    return make_registry("plain", push={REF: images["multilayer"]})


@pytest.fixture
def front(make_registry, upstream):
    """A pull-through cache of `upstream`, behind a fault proxy that logs what reaches it."""
    mirror = make_registry("plain", proxy_of=upstream)
    with FaultProxy(mirror.url) as proxy:
        yield proxy


def env_with(hocker_env, tmp_path, conf_text=None):
    env = dict(hocker_env)
    if conf_text is None:
        env["HOCKER_REGISTRIES_CONF"] = ""  # No configuration, whatever the machine has.
    else:
        conf = tmp_path / "registries.conf"
        conf.write_text(conf_text)
        env["HOCKER_REGISTRIES_CONF"] = str(conf)
    return env


def pull(run, hocker, env, ref, out, *extra):
    rc, _, stderr = run([hocker, "image", ref, "-o", str(out), "-q"] + list(extra), env=env)
    assert rc == 0, stderr
    return out.read_bytes(), stderr


def warnings(stderr):
    return [line for line in stderr.splitlines() if ": warning: " in line]


def blob_count(images):
    """The distinct blobs of the test image: its config and each distinct layer."""
    return 1 + len({layer.digest for layer in images["multilayer"].layers})


def ns_of(upstream):
    return "ns=" + urllib.parse.quote(upstream.host, safe="")


def test_a_pull_through_the_mirror_is_identical_and_a_second_spares_the_upstream(
        hocker, run, hocker_env, tmp_path, upstream, front, images):
    env = env_with(hocker_env, tmp_path)
    ref = upstream.host + "/" + REF
    direct, _ = pull(run, hocker, env, ref, tmp_path / "direct.tar")
    first_mark = upstream.log_mark()
    through, _ = pull(run, hocker, env, ref, tmp_path / "first.tar", "--mirror", front.url)
    assert through == direct
    # digest-only: the tag is the upstream's word, the manifest it names comes from the mirror.
    assert upstream.count_requests("HEAD", "/manifests/v1", since=first_mark) == 1
    assert upstream.count_requests("GET", "/manifests/v1", since=first_mark) == 0
    assert front.requests("/manifests/sha256:", method="GET")
    assert not front.requests("/manifests/v1")
    assert all(ns_of(upstream) in entry.path for entry in front.requests())
    second_mark = upstream.log_mark()
    rc, _, stderr = run([hocker, "image", ref, "-o", str(tmp_path / "second.tar"), "--mirror",
                         front.url], env=env)
    assert rc == 0, stderr
    assert (tmp_path / "second.tar").read_bytes() == direct
    assert upstream.count_requests("GET", "/blobs/", since=second_mark) == 0
    assert "sources: %d blobs from mirrors" % blob_count(images) in stderr
    assert "0 from the registry, 0 mirror misses" in stderr


def test_a_mirror_that_is_down_costs_one_warning(hocker, run, hocker_env, tmp_path, upstream):
    env = env_with(hocker_env, tmp_path)
    ref = upstream.host + "/" + REF
    dead = "http://127.0.0.1:%d" % free_port()
    out, stderr = pull(run, hocker, env, ref, tmp_path / "out.tar", "--mirror", dead)
    direct, _ = pull(run, hocker, env, ref, tmp_path / "direct.tar")
    assert out == direct
    assert len(warnings(stderr)) == 1, stderr
    assert "mirror 127.0.0.1:" in warnings(stderr)[0]


def test_mirrors_are_tried_in_the_order_given(hocker, run, hocker_env, tmp_path, upstream, front,
                                              images):
    env = env_with(hocker_env, tmp_path)
    dead = "http://127.0.0.1:%d" % free_port()
    rc, _, stderr = run([hocker, "image", upstream.host + "/" + REF, "-o",
                         str(tmp_path / "out.tar"), "--mirror", dead, "--mirror", front.url],
                        env=env)
    assert rc == 0, stderr
    assert len(warnings(stderr)) == 1 and dead[7:] in warnings(stderr)[0], stderr
    assert "%d blobs from mirrors" % blob_count(images) in stderr
    assert "0 from the registry, 1 mirror miss" in stderr


def test_a_mirror_flipping_a_byte_is_refused_and_the_upstream_serves(
        hocker, run, hocker_env, tmp_path, upstream, front, images):
    env = env_with(hocker_env, tmp_path)
    ref = upstream.host + "/" + REF
    layer = images["multilayer"].layers[-1].digest
    rule = front.add_rule("/blobs/" + layer, flip_byte(10), method="GET", upstream_status=200)
    rc, stdout, stderr = run([hocker, "image", ref, "-o", str(tmp_path / "out.tar"), "--mirror",
                              front.url, "--json"], env=env)
    assert rc == 0, stderr
    assert rule.hits == 1
    assert len(warnings(stderr)) == 1 and "digest mismatch" in stderr, stderr
    sources = json.loads(stdout)["sources"]
    assert sources["mirrorBlobs"] == blob_count(images) - 1 and sources["mirrorBytes"] > 0
    assert sources["registryBlobs"] == 1 and sources["mirrorMisses"] == 1
    direct, _ = pull(run, hocker, env, ref, tmp_path / "direct.tar")
    assert (tmp_path / "out.tar").read_bytes() == direct


def test_the_upstream_password_never_reaches_the_mirror(
        hocker, run, hocker_env, tmp_path, make_registry, images):
    upstream = make_registry("token", push={REF: images["multilayer"]})
    mirror = make_registry("plain", proxy_of=upstream)
    env = env_with(hocker_env, tmp_path)
    ref = upstream.host + "/" + REF
    with FaultProxy(mirror.url) as front:
        rc, _, stderr = run([hocker, "image", ref, "-o", str(tmp_path / "out.tar"), "-q",
                             "--username", upstream.username, "--password", upstream.password,
                             "--mirror", front.url], env=env)
        assert rc == 0, stderr
        entries = front.requests()
    assert entries and all("/blobs/" not in e.path or e.status == 200 for e in entries)
    assert any("/blobs/" in e.path for e in entries)
    basic = base64.b64encode(("%s:%s" % (upstream.username, upstream.password)).encode()).decode()
    for entry in entries:
        assert "authorization" not in entry.headers, entry.path
        text = json.dumps(entry.headers) + entry.path
        assert upstream.password not in text and basic not in text


def test_a_mirror_gets_its_own_credentials_from_the_docker_config(
        hocker, run, hocker_env, tmp_path, make_registry, upstream, images):
    mirror = make_registry("basic-tls", proxy_of=upstream)
    env = env_with(hocker_env, tmp_path)
    docker_dir = tmp_path / "home" / ".docker"
    docker_dir.mkdir(parents=True, exist_ok=True)
    auth = base64.b64encode(("%s:%s" % (mirror.username, mirror.password)).encode()).decode()
    (docker_dir / "config.json").write_text(json.dumps({"auths": {mirror.host: {"auth": auth}}}))
    env["DOCKER_CONFIG"] = str(docker_dir)
    ref = upstream.host + "/" + REF
    rc, _, stderr = run([hocker, "image", ref, "-o", str(tmp_path / "out.tar"), "--mirror",
                         mirror.url, "--ca-file", mirror.ca_file], env=env)
    assert rc == 0, stderr
    assert not warnings(stderr), stderr
    blob_gets = [e for e in mirror.access_entries() if e["method"] == "GET" and "/blobs/" in
                 e["path"]]
    # The mirror asks for basic auth on every request: a 200 means its own credentials went.
    assert blob_gets and all(e["status"] == 200 for e in blob_gets)
    assert "%d blobs from mirrors" % blob_count(images) in stderr
    assert "0 from the registry, 0 mirror misses" in stderr


def test_registries_conf_mirrors_with_unknown_keys_ignored(hocker, run, hocker_env, tmp_path,
                                                           upstream, front):
    conf = """
short-name-mode = "enforcing"
[[registry]]
prefix = "%s"
future-key = true
[[registry.mirror]]
location = "%s"
pull-from-mirror = "all"
another-future-key = "x"
""" % (upstream.host, front.host)
    env = env_with(hocker_env, tmp_path, conf)
    ref = upstream.host + "/" + REF
    out, _ = pull(run, hocker, env, ref, tmp_path / "out.tar")
    assert front.requests("/manifests/v1", method="GET")  # all: the tag too.
    assert front.requests("/blobs/", method="GET")
    assert all(ns_of(upstream) in entry.path for entry in front.requests())
    direct, _ = pull(run, hocker, env_with(hocker_env, tmp_path), ref, tmp_path / "direct.tar")
    assert out == direct


def test_layer_and_config_commands_go_through_the_mirror(hocker, run, hocker_env, tmp_path,
                                                         upstream, front, images):
    env = env_with(hocker_env, tmp_path)
    ref = upstream.host + "/" + REF
    layer = images["multilayer"].layers[0].digest
    rc, _, stderr = run([hocker, "layer", "-l", layer, "-o", str(tmp_path / "layer"), "-q",
                         "--mirror", front.url, ref], env=env)
    assert rc == 0, stderr
    rc, stdout, stderr = run([hocker, "config", ref, "-q", "--mirror", front.url], env=env)
    assert rc == 0, stderr
    assert front.requests("/blobs/" + layer, method="GET")
    assert front.requests("/blobs/" + images["multilayer"].config_digest, method="GET")


@pytest.mark.parametrize("text,line", [
    ('[[registry]]\nprefix = "a.example"\nlocation = \n', 3),
    ('[[registry]]\nprefix = "a.example"\n[[registry.mirror]]\nlocation = "m"\n'
     'pull-from-mirror = "never"\n', 5),
])
def test_a_malformed_registries_conf_exits_2_naming_file_and_line(hocker, run, hocker_env,
                                                                  tmp_path, text, line):
    env = env_with(hocker_env, tmp_path, text)
    rc, stdout, stderr = run([hocker, "manifest", "127.0.0.1:1/team/app:v1"], env=env)
    assert rc == 2, stderr
    assert stdout == b""
    assert "%s:%d: " % (tmp_path / "registries.conf", line) in stderr
    assert len(stderr.strip().splitlines()) == 1


def test_a_blocked_registry_is_refused(hocker, run, hocker_env, tmp_path, upstream):
    conf = '[[registry]]\nprefix = "%s/team"\nblocked = true\n' % upstream.host
    env = env_with(hocker_env, tmp_path, conf)
    mark = upstream.log_mark()
    rc, _, stderr = run([hocker, "manifest", upstream.host + "/" + REF], env=env)
    assert rc == 2 and "is blocked by" in stderr, stderr
    assert upstream.log_mark() == mark
