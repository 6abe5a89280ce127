"""nix/default.nix end to end with a real nix-build: fetchImage fetches every blob of a locked
image into a fixed-output derivation whose builder is hocker itself (no shell, empty PATH, no
HOME) and assembles the archive hocker image writes. Credentials reach the builds only through
impure environment variables, never a .drv file; a layer shared by two images is one store path
and is fetched once.

Fixed-output paths depend only on name and hash, so each test gives its derivations a fresh
`namePrefix`: without it Nix would reuse an earlier test's outputs and prove no fetch."""
import json
import os
import subprocess
import time
import uuid

import pytest

from harness.images import FIXTURE_REFS
from harness.util import REPO_ROOT

pytestmark = pytest.mark.consumer

NIX_LIB = os.path.join(REPO_ROOT, "nix", "default.nix")
NIX_OPTIONS = ["--option", "sandbox", "false", "--option", "build-users-group", "",
               "--option", "substituters", ""]


@pytest.fixture(scope="module")
def hocker_package(hocker, tmp_path_factory):
    """A folder shaped like the hocker package (bin/hocker), as fetchImage expects."""
    if subprocess.run(["which", "nix-build"], capture_output=True).returncode != 0:
        pytest.skip("nix-build is not installed")
    root = tmp_path_factory.mktemp("hocker-package")
    os.mkdir(root / "bin")
    os.symlink(os.path.abspath(hocker), root / "bin" / "hocker")
    return str(root)


def fresh_prefix():
    return "t%s-" % uuid.uuid4().hex[:10]


def fetch_image_expression(package, lock_path, prefix, **arguments):
    extra = "".join(" %s = %s;" % (key, value) for key, value in arguments.items())
    return ('(import %s { }).fetchImage { lockFile = %s; hocker = "%s"; namePrefix = "%s";%s }'
            % (NIX_LIB, lock_path, package, prefix, extra))


def nix_build(expression, env=None):
    started = time.monotonic()
    result = subprocess.run(["nix-build"] + NIX_OPTIONS + ["--no-out-link", "-E", expression],
                            capture_output=True, text=True, timeout=600,
                            env=dict(os.environ, **(env or {})))
    result.seconds = time.monotonic() - started
    return result


def instantiate(expression):
    result = subprocess.run(["nix-instantiate"] + NIX_OPTIONS + ["-E", expression],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def closure(drv):
    """Every path of `drv`'s closure, .drv files and outputs."""
    result = subprocess.run(["nix-store", "-qR", "--include-outputs", drv], capture_output=True,
                            text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    return result.stdout.split()


def lock(run, hocker, registry, key, path, env=None):
    ref = registry.host + "/" + FIXTURE_REFS[key]
    rc, _, err = run([hocker, "lock", "--all-platforms", "-o", str(path), ref], env=env)
    assert rc == 0, err
    return path


def pulled(run, hocker, ref, path, *extra, env=None):
    rc, _, err = run([hocker, "image", "-q", "-o", str(path)] + list(extra) + [ref], env=env)
    assert rc == 0, err
    return path.read_bytes()


def test_fetch_image_builds_what_hocker_image_writes(hocker, hocker_package, run, plain_registry,
                                                     tmp_path):
    ref = plain_registry.host + "/" + FIXTURE_REFS["hello"]
    lock_path = lock(run, hocker, plain_registry, "hello", tmp_path / "hello.lock")
    mark = plain_registry.log_mark()
    result = nix_build(fetch_image_expression(hocker_package, lock_path, fresh_prefix()))
    assert result.returncode == 0, result.stderr[-3000:]
    # Manifest by digest, then config and the one layer: each fetched by its own derivation.
    assert plain_registry.count_requests("GET", "/manifests/sha256:", since=mark) == 1
    assert plain_registry.count_requests("GET", "/blobs/", since=mark) == 2
    built = open(result.stdout.strip(), "rb").read()
    assert built == pulled(run, hocker, ref, tmp_path / "pulled.tar")
    print("nix-build of hello (3 fetches + assemble): %.2f s" % result.seconds)


def test_the_oci_format_and_a_tag_pass_through(hocker, hocker_package, run, plain_registry,
                                               tmp_path):
    ref = plain_registry.host + "/" + FIXTURE_REFS["multilayer"]
    lock_path = lock(run, hocker, plain_registry, "multilayer", tmp_path / "multilayer.lock")
    result = nix_build(fetch_image_expression(hocker_package, lock_path, fresh_prefix(),
                                              format='"oci"', tag='"mine/app:2"'))
    assert result.returncode == 0, result.stderr[-3000:]
    assert open(result.stdout.strip(), "rb").read() == pulled(
        run, hocker, ref, tmp_path / "pulled.tar", "--format", "oci", "--tag", "mine/app:2")


def test_the_rootfs_format_builds_what_hocker_export_writes(hocker, hocker_package, run,
                                                           plain_registry, tmp_path):
    ref = plain_registry.host + "/" + FIXTURE_REFS["multilayer"]
    lock_path = lock(run, hocker, plain_registry, "multilayer", tmp_path / "multilayer.lock")
    result = nix_build(fetch_image_expression(hocker_package, lock_path, fresh_prefix(),
                                              format='"rootfs"'))
    assert result.returncode == 0, result.stderr[-3000:]
    exported = tmp_path / "rootfs.tar"
    rc, _, err = run([hocker, "export", "-q", "-o", str(exported), ref])
    assert rc == 0, err
    assert open(result.stdout.strip(), "rb").read() == exported.read_bytes()


def test_the_arm_v7_entry_of_a_multi_platform_image(hocker, hocker_package, run, plain_registry,
                                                    tmp_path):
    ref = plain_registry.host + "/" + FIXTURE_REFS["multiarch"]
    lock_path = lock(run, hocker, plain_registry, "multiarch", tmp_path / "multiarch.lock")
    result = nix_build(fetch_image_expression(hocker_package, lock_path, fresh_prefix(),
                                              platform='"linux/arm/v7"'))
    assert result.returncode == 0, result.stderr[-3000:]
    assert open(result.stdout.strip(), "rb").read() == pulled(
        run, hocker, ref, tmp_path / "pulled.tar", "--platform", "linux/arm/v7")


def test_a_private_image_needs_credentials_from_impure_variables(hocker, hocker_package, run,
                                                                 token_registry, tmp_path):
    ref = token_registry.host + "/" + FIXTURE_REFS["hello"]
    credentials = {"DOCKER_USER": token_registry.username, "DOCKER_PASS": token_registry.password}
    lock_path = lock(run, hocker, token_registry, "hello", tmp_path / "private.lock",
                     env=credentials)
    prefix = fresh_prefix()
    expression = fetch_image_expression(hocker_package, lock_path, prefix)
    anonymous = nix_build(expression, env={"DOCKER_USER": "", "DOCKER_PASS": "",
                                           "DOCKER_TOKEN": ""})
    assert anonymous.returncode != 0
    assert "authentication" in anonymous.stderr or "401" in anonymous.stderr, \
        anonymous.stderr[-3000:]
    result = nix_build(expression, env=credentials)
    assert result.returncode == 0, result.stderr[-3000:]
    assert open(result.stdout.strip(), "rb").read() == pulled(
        run, hocker, ref, tmp_path / "pulled.tar", env=credentials)
    for path in closure(instantiate(expression)):
        if path.endswith(".drv"):
            assert token_registry.password not in open(path).read(), path


def test_two_images_sharing_a_base_layer_share_its_store_path(hocker, hocker_package, run,
                                                              image_builder, make_registry,
                                                              docker_daemon, tmp_path):
    base = {"etc/base-release": "shared base layer\n"}
    hello = image_builder.hello()
    one = image_builder.build_image("nix-one", [base, {"one.txt": "first\n"}])
    two = image_builder.build_image("nix-two", [base, {"two.txt": "second\n"}])
    registry = make_registry("plain", push={"apps/nested/one:v1": one, "apps/nested/two:v1": two,
                                            "deep/er/name/hello:v1": hello})
    refs = [registry.host + "/" + name for name in
            ("apps/nested/one:v1", "apps/nested/two:v1", "deep/er/name/hello:v1")]
    rc, _, err = run([hocker, "lock", "-o", str(tmp_path / "apps.lock")] + refs)
    assert rc == 0, err
    prefix = fresh_prefix()
    expressions = [fetch_image_expression(hocker_package, tmp_path / "apps.lock", prefix,
                                          image=str(index)) for index in range(3)]
    first = nix_build(expressions[0])
    assert first.returncode == 0, first.stderr[-3000:]
    mark = registry.log_mark()
    second = nix_build(expressions[1])
    assert second.returncode == 0, second.stderr[-3000:]
    # The second image costs its manifest, config and own layer; the base layer is not fetched.
    assert registry.count_requests("GET", "/blobs/", since=mark) == 2
    assert registry.count_requests("GET", "/blobs/" + one.layers[0].digest, since=mark) == 0
    print("nix-build: first image %.2f s, second sharing its base %.2f s"
          % (first.seconds, second.seconds))
    base_paths = [{p for p in closure(instantiate(e)) if not p.endswith(".drv")
                   and p.endswith("blob-sha256-" + one.layers[0].digest[7:])}
                  for e in expressions[:2]]
    assert len(base_paths[0]) == 1 and base_paths[0] == base_paths[1]
    # A nested name, loaded and run by docker.
    third = nix_build(fetch_image_expression(hocker_package, tmp_path / "apps.lock", prefix,
                                             image='"%s"' % refs[2],
                                             tag='"hocker-test/nix-hello:1"'))
    assert third.returncode == 0, third.stderr[-3000:]
    loaded = docker_daemon.load(third.stdout.strip())
    assert "hocker-test/nix-hello:1" in loaded
    assert docker_daemon.run("hocker-test/nix-hello:1") == "Hello from hocker!\n"
    docker_daemon.rmi("hocker-test/nix-hello:1")


def test_an_altered_digest_in_the_lock_fails_the_build(hocker, hocker_package, run,
                                                       plain_registry, images, tmp_path):
    lock_path = lock(run, hocker, plain_registry, "hello", tmp_path / "hello.lock")
    layer = images["hello"].layers[0].digest
    altered = layer[:-1] + ("0" if layer[-1] != "0" else "1")
    lock_path.write_text(lock_path.read_text().replace(layer, altered))
    result = nix_build(fetch_image_expression(hocker_package, lock_path, fresh_prefix()))
    assert result.returncode != 0
    # hocker asks for the blob by the altered digest, which the registry does not have.
    assert altered in result.stderr and "blob-sha256-" + altered[7:] in result.stderr, \
        result.stderr[-3000:]


FAKE_NIXPKGS = os.path.join(REPO_ROOT, "tests", "integration", "nix", "fake-nixpkgs.nix")
FLAKE = os.path.join(REPO_ROOT, "flake.nix")


def evaluate(expression):
    result = subprocess.run(["nix-instantiate", "--eval", "--strict", "--json", "-E", expression],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


@pytest.mark.parametrize("path", ["nix/default.nix", "nix/package.nix", "flake.nix"])
def test_the_nix_files_parse(path):
    if subprocess.run(["which", "nix-instantiate"], capture_output=True).returncode != 0:
        pytest.skip("nix-instantiate is not installed")
    result = subprocess.run(["nix-instantiate", "--parse", os.path.join(REPO_ROOT, path)],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr


def flake_with_stand_in(body):
    return ("let fake = import %s; flake = (import %s).outputs { self = flake; nixpkgs = fake; };"
            " pkgs = fake.lib.fix (self: fake.base // flake.overlays.default self fake.base);"
            " names = map (p: p.pname); in %s" % (FAKE_NIXPKGS, FLAKE, body))


def test_the_package_builds_hocker_with_its_cmake_dependencies(hocker_package):
    value = evaluate(flake_with_stand_in(
        "let p = flake.packages.x86_64-linux.default; in { inherit (p) pname version cmakeFlags;"
        " native = names p.nativeBuildInputs; inputs = names p.buildInputs;"
        " main = p.meta.mainProgram; systems = builtins.attrNames flake.packages; }"))
    assert value["pname"] == "hocker" and value["main"] == "hocker"
    assert value["native"] == ["cmake", "ninja", "pkg-config"]
    assert value["inputs"] == ["curl", "openssl", "zlib", "isa-l", "zstd", "nlohmann_json",
                               "cli11", "gtest"]
    assert value["cmakeFlags"] == ["-DHOCKER_BUILD_TESTS=ON"]
    assert value["systems"] == ["aarch64-linux", "x86_64-linux"]
    cmake = open(os.path.join(REPO_ROOT, "CMakeLists.txt")).read()
    assert 'project(hocker VERSION %s ' % value["version"] in cmake


# (path below the repository root, type, whether the package's source keeps it)
SOURCE_ENTRIES = [("build", "directory", False), ("build-asan", "directory", False),
                  ("out", "directory", False), (".git", "directory", False),
                  ("tests/integration/__pycache__", "directory", False),
                  ("tests/integration/harness/cli.pyc", "regular", False),
                  ("src", "directory", True), ("src/cli/app.cc", "regular", True),
                  ("nix", "directory", True), ("CMakeLists.txt", "regular", True),
                  ("scripts/build.sh", "regular", True), ("docs/build", "directory", True)]


def test_the_package_source_leaves_build_trees_and_other_outputs_out(hocker_package):
    entries = " ".join('["%s" "%s"]' % (path, kind) for path, kind, _ in SOURCE_ENTRIES)
    kept = evaluate(flake_with_stand_in(
        "let src = flake.packages.x86_64-linux.default.src; root = toString src.origSrc; in"
        " map (entry: src.filter (root + \"/\" + builtins.elemAt entry 0)"
        " (builtins.elemAt entry 1)) [ %s ]" % entries))
    assert dict(zip((path for path, _, _ in SOURCE_ENTRIES), kept)) == {
        path: keep for path, _, keep in SOURCE_ENTRIES}


def test_the_overlay_hands_its_hocker_to_the_fetchdocker_fetchers(hocker_package):
    value = evaluate(flake_with_stand_in(
        '{ hocker = pkgs.hocker.pname;'
        ' config = (pkgs.fetchDockerConfig { imageName = "x"; tag = "1"; }).hocker.pname;'
        ' layer = (pkgs.fetchDockerLayer { imageName = "x"; }).hocker.pname;'
        ' before = (fake.base.fetchDockerLayer { imageName = "x"; }).hocker.pname; }'))
    assert value == {"hocker": "hocker", "config": "hocker", "layer": "hocker",
                     "before": "haskell-hocker"}


def test_the_flake_lib_fetch_image_uses_the_flake_hocker(hocker, hocker_package, run,
                                                         plain_registry, tmp_path):
    lock_path = lock(run, hocker, plain_registry, "multilayer", tmp_path / "multilayer.lock")
    value = evaluate(flake_with_stand_in(
        'let image = flake.lib.fetchImage { system = "x86_64-linux"; lockFile = %s; }; in'
        ' { inherit (image) builder name; blobs = builtins.length'
        ' (builtins.filter (a: a == "--blob") image.args); }' % lock_path))
    assert value["builder"].endswith("-hocker-2.0.0/bin/hocker")
    assert value["name"] == "multilayer-v1-linux-amd64-docker.tar"
    assert value["blobs"] == 2 + 4  # manifest, config, 4 distinct layers of 5


@pytest.mark.parametrize("system,platform", [("x86_64-linux", "linux/amd64"),
                                             ("aarch64-linux", "linux/arm64/v8"),
                                             ("armv7l-linux", "linux/arm/v7")])
def test_the_default_platform_is_the_one_nix_builds_for(hocker, hocker_package, run,
                                                        plain_registry, tmp_path, system,
                                                        platform):
    lock_path = lock(run, hocker, plain_registry, "multiarch", tmp_path / "multiarch.lock")
    value = evaluate('((import %s { }).fetchImage { lockFile = %s; hocker = "/x"; system = "%s"; })'
                     '.args' % (NIX_LIB, lock_path, system))
    assert value[value.index("--platform") + 1] == platform
