"""Session fixtures for hocker's integration tests (see README.md here)."""
import os
import shutil
import signal
from concurrent.futures import ThreadPoolExecutor

import pytest

from harness import consumers
from harness.images import FIXTURE_REFS, File, ImageBuilder
from harness.redirect import RedirectServer
from harness.registry import Registry
from harness.util import REPO_ROOT, make_tempdir, run as _run

DEFAULT_HOCKER = os.path.join(REPO_ROOT, "build", "debug", "src", "cli", "hocker")
CLASSIC_LINKS = ("hocker-image", "hocker-layer", "hocker-config", "hocker-manifest", "docker2nix")


def hocker_path():
    p = os.environ.get("HOCKER_BIN", DEFAULT_HOCKER)
    return p if os.path.isabs(p) else os.path.join(REPO_ROOT, p)


def pytest_configure(config):
    config.addinivalue_line(
        "markers",
        "consumer: runs a real third-party consumer (dockerd, podman, containerd, umoci, "
        "oci-image-tool, nix-build) on hocker's output; slow, so the sanitizer run skips it")
    # Hermetic: every server here is on loopback; a proxy from the developer's environment
    # would only get in the way (test_proxy_env.py sets its own).
    for name in list(os.environ):
        if name.lower() in ("http_proxy", "https_proxy", "all_proxy", "no_proxy"):
            del os.environ[name]
    # SIGTERM -> KeyboardInterrupt, so fixture finalizers stop registries and daemons
    if signal.getsignal(signal.SIGTERM) is signal.SIG_DFL:
        def on_term(signum, frame):
            raise KeyboardInterrupt("SIGTERM")
        signal.signal(signal.SIGTERM, on_term)


def pytest_collection_modifyitems(config, items):
    for item in items:  # whatever uses the private dockerd or containerd is a consumer test
        fixtures = getattr(item, "fixturenames", ())
        if "docker_daemon" in fixtures or "containerd" in fixtures:
            item.add_marker(pytest.mark.consumer)


def pytest_report_header(config):
    p = hocker_path()
    return "hocker binary: %s (%s)" % (p, "present" if os.path.exists(p) else "MISSING")


@pytest.fixture(scope="session")
def session_dir():
    d = make_tempdir("hocker-it-session-")
    yield d
    shutil.rmtree(d, ignore_errors=True)


@pytest.fixture(scope="session")
def image_builder(session_dir):
    """ImageBuilder for extra images (build_image / build_index)."""
    return ImageBuilder(os.path.join(session_dir, "images"))


@pytest.fixture(scope="session")
def images(image_builder):
    """Fixture images by key: hello multilayer multiarch multiarch-oci oci zstd lying."""
    return image_builder.fixtures()


def _push_all(reg, images):
    jobs = [(images[k], ref) for k, ref in FIXTURE_REFS.items()]
    if reg.mode == "token":
        jobs.append((images["hello"], "public/hello:latest"))
    with ThreadPoolExecutor(max_workers=3) as ex:
        for f in [ex.submit(reg.push, img, ref) for img, ref in jobs]:
            f.result()


def _registry(mode, images, request):
    reg = Registry(mode)

    def fin():
        reg.stop()
        shutil.rmtree(reg.workdir, ignore_errors=True)
    request.addfinalizer(fin)
    _push_all(reg, images)
    return reg


@pytest.fixture(scope="session")
def plain_registry(images, request):
    return _registry("plain", images, request)


@pytest.fixture(scope="session")
def tls_registry(images, request):
    return _registry("basic-tls", images, request)


@pytest.fixture(scope="session")
def token_registry(images, request):
    return _registry("token", images, request)


@pytest.fixture(params=["plain", "basic-tls", "token"])
def any_registry(request):
    """Parametrised over the three session registries."""
    return request.getfixturevalue({"plain": "plain_registry", "basic-tls": "tls_registry",
                                    "token": "token_registry"}[request.param])


@pytest.fixture(scope="session")
def make_registry(request):
    """Factory: make_registry(mode, push={ref: image}, proxy_of=None) -> a fresh Registry for
    this session (for tests that need a clean access log or their own images); with proxy_of,
    a pull-through cache of that registry."""
    def make(mode="plain", push=None, proxy_of=None):
        reg = Registry(mode, proxy_of=proxy_of)

        def fin():
            reg.stop()
            shutil.rmtree(reg.workdir, ignore_errors=True)
        request.addfinalizer(fin)
        for ref, img in (push or {}).items():
            reg.push(img, ref)
        return reg
    return make


@pytest.fixture(scope="session")
def make_bundle_registry(image_builder, make_registry):
    """Factory: make_bundle_registry(prefix) -> (registry, {name: image}, [full refs]): images
    one, two (OCI) and three, built as PREFIX-NAME and sharing their base layer (the hello
    binary), pushed as bundle/NAME:1..3 to a registry of their own."""
    def make(prefix):
        base = {"hello": File(image_builder.hello_binary(), 0o755)}
        built = {}
        for name, media in (("one", "docker"), ("two", "oci"), ("three", "docker")):
            built[name] = image_builder.build_image(
                prefix + name, [base, {name + ".txt": name + "\n"}], media=media,
                entrypoint=["/hello"])
        assert len({image.layers[0].digest for image in built.values()}) == 1
        refs = {"bundle/%s:%s" % (name, i + 1): image
                for i, (name, image) in enumerate(built.items())}
        reg = make_registry("plain", push=refs)
        return reg, built, ["%s/%s" % (reg.host, ref) for ref in refs]
    return make


@pytest.fixture
def make_redirect(request):
    """Factory: make_redirect(registry, status=307) -> RedirectServer, stopped after the test."""
    def make(registry, status=307):
        rs = RedirectServer(registry, status=status)
        request.addfinalizer(rs.stop)
        return rs
    return make


def _consumer_daemon(start, what):
    """Yields start() (a private consumer daemon) and stops it after; skips with the reason if
    it cannot start here."""
    try:
        d = start()
    except consumers.ConsumerUnavailable as e:
        pytest.skip("%s unavailable: %s" % (what, e))
    yield d
    d.stop()


@pytest.fixture(scope="session")
def docker_daemon():
    """A private dockerd; skips (with the reason) if it cannot start here."""
    yield from _consumer_daemon(consumers.DockerDaemon, "docker daemon")


@pytest.fixture(scope="session")
def containerd():
    """A private containerd; skips (with the reason) if it cannot start here."""
    yield from _consumer_daemon(consumers.Containerd, "containerd")


@pytest.fixture(scope="session")
def hocker():
    """Path of the hocker binary (HOCKER_BIN or build/debug/src/cli/hocker); skips if absent."""
    p = hocker_path()
    if not os.access(p, os.X_OK):
        pytest.skip("hocker binary not built yet: %s (set HOCKER_BIN)" % p)
    return p


@pytest.fixture(scope="session")
def hocker_link(hocker):
    """hocker_link('hocker-image') -> path of the classic link beside the binary (skips if absent)."""
    def link(name):
        assert name in CLASSIC_LINKS, name
        p = os.path.join(os.path.dirname(hocker), name)
        if not os.path.exists(p):
            pytest.skip("classic link not built yet: %s" % p)
        return p
    return link


@pytest.fixture(autouse=True)
def fresh_realm_memory(tmp_path_factory, monkeypatch):
    """hocker remembers token realms in the user's cache folder ($XDG_CACHE_HOME/hocker); each
    test starts with its own, empty one (outside its tmp_path, which some tests expect to stay
    empty), so that no test sees what another one learned."""
    folder = tmp_path_factory.mktemp("xdg-cache", numbered=True) / "cache"
    monkeypatch.setenv("XDG_CACHE_HOME", str(folder))


@pytest.fixture
def hocker_env(tmp_path):
    """Environment overrides isolating hocker from the user's docker config and credentials."""
    home = tmp_path / "home"
    home.mkdir()
    return {"HOME": str(home), "DOCKER_CONFIG": str(home / ".docker"), "DOCKER_USER": None,
            "DOCKER_PASS": None, "DOCKER_TOKEN": None}


@pytest.fixture(scope="session")
def run():
    """run(argv, env=None, input=None, timeout=120) -> (returncode, stdout bytes, stderr text)."""
    return _run
