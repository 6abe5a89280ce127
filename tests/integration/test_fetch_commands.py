"""hocker-manifest, hocker-config, hocker-layer, tags and digest against the real registry,
in both command-line forms and all three registry modes."""
import os

import pytest

from harness.cli import (assert_one_error_line, classic, leftovers, modern, sha256, split_ref)
from harness.images import FIXTURE_REFS

SINGLE = ["hello", "multilayer", "oci", "zstd"]


def image_for(images, key):
    """The image manifest hocker selects by default (this host is linux/amd64)."""
    image = images[key]
    return image.children["linux/amd64"] if hasattr(image, "children") else image


@pytest.mark.parametrize("key", SINGLE + ["multiarch", "multiarch-oci"])
def test_manifest_prints_the_exact_bytes_in_both_forms(hocker_link, run, any_registry, images,
                                                        key, hocker_env):
    name, tag = split_ref(FIXTURE_REFS[key])
    expected = image_for(images, key).manifest_digest
    rc, out, err = run([hocker_link("hocker-manifest")] + classic(any_registry, name, tag),
                       env=hocker_env)
    assert rc == 0, err
    assert sha256(out) == expected
    rc, out, err = run([hocker_link("hocker-manifest")] + modern(any_registry, FIXTURE_REFS[key]),
                       env=hocker_env)
    assert rc == 0, err
    assert sha256(out) == expected


@pytest.mark.parametrize("key", SINGLE + ["multiarch"])
def test_config_prints_the_exact_bytes_in_both_forms(hocker, run, any_registry, images, key,
                                                      hocker_env):
    name, tag = split_ref(FIXTURE_REFS[key])
    expected = image_for(images, key).config_digest
    rc, out, err = run([hocker, "config"] + classic(any_registry, name, tag), env=hocker_env)
    assert rc == 0, err
    assert sha256(out) == expected
    rc, out, err = run([hocker, "config"] + modern(any_registry, FIXTURE_REFS[key]),
                       env=hocker_env)
    assert rc == 0, err
    assert sha256(out) == expected


@pytest.mark.parametrize("platform,child", [
    ("linux/amd64", "linux/amd64"), ("linux/arm64/v8", "linux/arm64/v8"),
    ("linux/arm64", "linux/arm64/v8"), ("linux/arm/v7", "linux/arm/v7")])
@pytest.mark.parametrize("key", ["multiarch", "multiarch-oci"])
def test_each_platform_selects_its_own_manifest(hocker, run, plain_registry, images, key,
                                                 platform, child):
    rc, out, err = run([hocker, "manifest", "--platform", platform] +
                       modern(plain_registry, FIXTURE_REFS[key]))
    assert rc == 0, err
    assert sha256(out) == images[key].children[child].manifest_digest


def test_index_flag_prints_the_list_itself(hocker, run, plain_registry, images):
    rc, out, err = run([hocker, "manifest", "--index"] +
                       modern(plain_registry, FIXTURE_REFS["multiarch"]))
    assert rc == 0, err
    assert sha256(out) == images["multiarch"].index_digest


def test_an_absent_platform_fails_listing_the_available_ones(hocker_link, run, plain_registry):
    rc, out, err = run([hocker_link("hocker-manifest"), "--platform", "linux/s390x"] +
                       classic(plain_registry, "team/multiarch", "v1"))
    assert rc == 5
    assert out == b""
    assert_one_error_line(err, "hocker-manifest", "linux/s390x", "linux/amd64",
                          "linux/arm64/v8", "linux/arm/v7")


@pytest.mark.parametrize("command", ["config", "image"])
def test_a_single_platform_image_of_another_platform_is_refused(hocker, run, plain_registry,
                                                                 images, tmp_path, command):
    out = tmp_path / "out"
    argv = [hocker, command, "-o", str(out)] + modern(plain_registry, FIXTURE_REFS["hello"])
    rc, _, err = run(argv + ["--platform", "linux/arm64"])
    assert rc == 5, err
    assert_one_error_line(err, "hocker-" + command, images["hello"].manifest_digest,
                          "linux/amd64 only", "not for linux/arm64")
    assert not out.exists() and leftovers(tmp_path) == []
    rc, _, err = run(argv + ["--platform", "linux/amd64"])
    assert rc == 0, err


@pytest.mark.parametrize("key", ["hello", "multilayer", "zstd"])
def test_layer_writes_the_exact_blob_and_prints_the_path(hocker_link, run, any_registry, images,
                                                        key, tmp_path, hocker_env):
    name, tag = split_ref(FIXTURE_REFS[key])
    for layer in images[key].unique_layers:
        out_path = tmp_path / ("layer-" + layer.digest[7:19])
        rc, out, err = run([hocker_link("hocker-layer"), "--out", str(out_path), "--layer",
                            layer.digest[7:]] + classic(any_registry, name, tag), env=hocker_env)
        assert rc == 0, err
        assert out == (str(out_path) + "\n").encode()
        assert sha256(out_path.read_bytes()) == layer.digest
    assert leftovers(tmp_path) == []


def test_layer_accepts_the_exact_line_of_nixpkgs_builder(hocker_link, run, plain_registry,
                                                         images, tmp_path):
    layer = images["hello"].layers[0]
    for tag in ["", "unused"]:
        out_path = tmp_path / ("out" + tag)
        rc, out, err = run([hocker_link("hocker-layer"), "--out=" + str(out_path), "--registry",
                            plain_registry.url, "--layer", layer.digest[7:], "library/hello", tag,
                            "+RTS", "-N2", "-RTS"])
        assert rc == 0, err
        assert sha256(out_path.read_bytes()) == layer.digest


def test_config_accepts_the_exact_line_of_nixpkgs_builder(hocker_link, run, plain_registry,
                                                          images, tmp_path):
    out_path = tmp_path / "config.json"
    rc, out, err = run([hocker_link("hocker-config"), "--out=" + str(out_path), "--registry",
                        plain_registry.url, "library/hello", "latest", "+RTS", "-N2", "-RTS"])
    assert rc == 0, err
    assert out == (str(out_path) + "\n").encode()
    assert sha256(out_path.read_bytes()) == images["hello"].config_digest


def test_layer_accepts_the_prefixed_digest_form(hocker, run, plain_registry, images, tmp_path):
    layer = images["hello"].layers[0]
    rc, out, err = run([hocker, "layer", "-l", layer.digest, "-o", str(tmp_path / "l")] +
                       modern(plain_registry, "library/hello:latest"))
    assert rc == 0, err
    assert sha256((tmp_path / "l").read_bytes()) == layer.digest


def test_tags_lists_every_tag(hocker, run, make_registry, images):
    reg = make_registry("plain", push={"team/tagged:%s" % t: images["hello"]
                                       for t in ["a", "b", "v1.0"]})
    rc, out, err = run([hocker, "tags", reg.host + "/team/tagged"])
    assert rc == 0, err
    assert sorted(out.decode().split()) == ["a", "b", "v1.0"]


@pytest.mark.parametrize("key", ["hello", "multiarch"])
def test_digest_resolves_a_tag_to_the_manifest_digest(hocker, run, any_registry, images, key,
                                                     hocker_env):
    rc, out, err = run([hocker, "digest"] + modern(any_registry, FIXTURE_REFS[key]),
                       env=hocker_env)
    assert rc == 0, err
    assert out.decode().strip() == images[key].manifest_digest


def test_digest_reference_pins_and_verifies_content(hocker, run, plain_registry, images):
    digest = images["hello"].manifest_digest
    rc, out, err = run([hocker, "manifest", plain_registry.host + "/library/hello@" + digest])
    assert rc == 0, err
    assert sha256(out) == digest


def test_out_writes_atomically_and_prints_the_path(hocker_link, run, plain_registry, images,
                                                   tmp_path):
    target = tmp_path / "manifest.json"
    target.write_bytes(b"old content")
    rc, out, err = run([hocker_link("hocker-manifest"), "--out", str(target)] +
                       classic(plain_registry, "library/hello", "latest"))
    assert rc == 0, err
    assert out == (str(target) + "\n").encode()
    assert sha256(target.read_bytes()) == images["hello"].manifest_digest
    assert leftovers(tmp_path) == []


@pytest.mark.parametrize("args,code,fragments", [
    (["library/hello", "nope"], 5, ["MANIFEST_UNKNOWN", "/v2/library/hello/manifests/nope"]),
    (["team/absent", "v1"], 5, ["/v2/team/absent/manifests/v1", "404"]),
])
def test_not_found_gives_exit_5_with_the_registry_code(hocker_link, run, plain_registry, args,
                                                       code, fragments, tmp_path):
    target = tmp_path / "out"
    rc, out, err = run([hocker_link("hocker-manifest"), "--out", str(target), "--registry",
                        plain_registry.url] + args)
    assert rc == code
    assert_one_error_line(err, "hocker-manifest", *fragments)
    assert not target.exists() and leftovers(tmp_path) == []


def test_an_unknown_digest_gives_exit_5(hocker, run, plain_registry):
    digest = "sha256:" + "0" * 64
    rc, out, err = run([hocker, "manifest", plain_registry.host + "/library/hello@" + digest])
    assert rc == 5
    assert_one_error_line(err, "hocker-manifest", "MANIFEST_UNKNOWN")


def test_an_unknown_layer_gives_exit_5(hocker_link, run, plain_registry, tmp_path):
    rc, out, err = run([hocker_link("hocker-layer"), "--out", str(tmp_path / "x"), "--layer",
                        "1" * 64, "--registry", plain_registry.url, "library/hello", ""])
    assert rc == 5
    assert_one_error_line(err, "hocker-layer", "BLOB_UNKNOWN")
    assert os.listdir(tmp_path) == []


def test_modern_form_defaults_to_plain_http_for_loopback_registries(hocker, run, plain_registry,
                                                                     images):
    rc, out, err = run([hocker, "manifest", plain_registry.host + "/library/hello"])
    assert rc == 0, err
    assert sha256(out) == images["hello"].manifest_digest
