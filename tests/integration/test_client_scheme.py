"""The registry client end to end: the scheme a loopback registry named without one settles on
is the one a Nix expression pins, and a manifest pinned by a sha512 digest is verified with
sha512 (a registry that indexes manifests by sha256 only answers such a pin 'unknown')."""
import hashlib
import json
import os
import tarfile

from harness import consumers
from harness.cli import assert_one_error_line, split_ref
from harness.hostile_registry import Answer, HostileRegistry
from harness.images import FIXTURE_REFS
from harness.util import REPO_ROOT

NIX_DIR = os.path.join(REPO_ROOT, "tests", "integration", "nix")


def evaluate(path):
    return consumers.nix_eval_json("import %s/standins.nix %s" % (NIX_DIR, path))


def tls_auth(reg):
    return ["--ca-file", reg.ca_file, "-u", reg.username, "-p", reg.password]


def test_nix_of_a_tls_registry_named_without_a_scheme_pins_https(hocker, hocker_link, run,
                                                                  tls_registry, images, hocker_env,
                                                                  tmp_path):
    rc, expression, err = run([hocker, "nix", tls_registry.host + "/" + FIXTURE_REFS["hello"]] +
                              tls_auth(tls_registry), env=hocker_env)
    assert rc == 0, err
    path = tmp_path / "hello.nix"
    path.write_bytes(expression)
    value = evaluate(path)
    assert value["registry"] == "https://%s/v2/" % tls_registry.host
    # What the expression's fetchers run: the pinned registry must serve the config.
    name, tag = split_ref(FIXTURE_REFS["hello"])
    rc, config, err = run([hocker_link("hocker-config"), "--registry", value["registry"]] +
                          tls_auth(tls_registry) + [name, tag], env=hocker_env)
    assert rc == 0, err
    assert "sha256:" + hashlib.sha256(config).hexdigest() == images["hello"].config_digest


def test_nix_of_a_plain_registry_named_without_a_scheme_pins_http(hocker, run, plain_registry,
                                                                  tmp_path):
    rc, expression, err = run([hocker, "nix", plain_registry.host + "/" + FIXTURE_REFS["hello"]])
    assert rc == 0, err
    path = tmp_path / "hello.nix"
    path.write_bytes(expression)
    assert evaluate(path)["registry"] == "http://%s/v2/" % plain_registry.host


def test_tags_of_a_tls_registry_named_without_a_scheme_are_listed(hocker, run, tls_registry,
                                                                  hocker_env):
    rc, out, err = run([hocker, "tags", tls_registry.host + "/library/hello"] +
                       tls_auth(tls_registry), env=hocker_env)
    assert rc == 0, err
    assert out.decode().split() == ["latest"]


def sha512_of(data):
    return "sha512:" + hashlib.sha512(data).hexdigest()


def test_a_sha512_pin_is_unknown_to_a_registry_indexing_by_sha256(hocker, run, plain_registry,
                                                                 images):
    # docker distribution 2.8 files manifests under their sha256 digest only: it answers a
    # sha512 reference MANIFEST_UNKNOWN even for bytes it serves. hocker says so; it does not
    # guess another way to find the manifest.
    pin = sha512_of(images["hello"].manifest_bytes)
    rc, out, err = run([hocker, "manifest", plain_registry.host + "/library/hello@" + pin])
    assert rc == 5 and out == b""
    assert_one_error_line(err, "hocker-manifest", "MANIFEST_UNKNOWN")


def serve_by_sha512(image, pin):
    """A registry that files the image's manifest under `pin`, as the OCI spec allows."""
    routes = {"/v2/library/hello/manifests/" + pin: Answer(image.manifest_bytes,
                                                             content_type=image.media_type)}
    routes["/v2/library/hello/blobs/" + image.config_digest] = Answer(image.config_bytes)
    for layer in image.layers:
        routes["/v2/library/hello/blobs/" + layer.digest] = Answer(layer.read())
    return HostileRegistry(routes)


def test_a_sha512_pinned_manifest_is_verified_with_sha512_and_pulled(hocker, run, images,
                                                                     tmp_path):
    image = images["hello"]
    pin = sha512_of(image.manifest_bytes)
    registry = serve_by_sha512(image, pin)
    try:
        ref = registry.host + "/library/hello@" + pin
        rc, out, err = run([hocker, "manifest", ref])
        assert rc == 0, err
        assert out == image.manifest_bytes
        rc, out, err = run([hocker, "digest", ref])
        assert rc == 0, err
        assert out.decode() == pin + "\n"
        archive = tmp_path / "hello.tar"
        rc, out, err = run([hocker, "image", ref, "-q", "-o", str(archive)])
        assert rc == 0, err
        with tarfile.open(archive) as tar:
            manifest = json.load(tar.extractfile("manifest.json"))
            config = tar.extractfile(manifest[0]["Config"]).read()
        assert "sha256:" + hashlib.sha256(config).hexdigest() == image.config_digest
    finally:
        registry.stop()


def test_a_wrong_sha512_pin_is_an_integrity_error(hocker, run, images, tmp_path):
    image = images["hello"]
    wrong = sha512_of(image.manifest_bytes + b" ")
    registry = serve_by_sha512(image, wrong)
    try:
        rc, out, err = run([hocker, "manifest", registry.host + "/library/hello@" + wrong])
        assert rc == 6 and out == b""
        assert_one_error_line(err, "hocker-manifest", "digest mismatch: got sha512:")
    finally:
        registry.stop()
