"""docker2nix end to end: the expression evaluates with a real Nix, its hashes are the ones
nix-hash computes from what our fetchers write, and real fixed-output derivations built by
nix-build with our hocker-config/hocker-layer succeed, or fail when a hash is altered."""
import json
import os
import subprocess
import uuid

import pytest

from harness import consumers
from harness.cli import assert_one_error_line, split_ref
from harness.images import FIXTURE_REFS
from harness.util import REPO_ROOT

NIX_DIR = os.path.join(REPO_ROOT, "tests", "integration", "nix")
NIX_BUILD = ["nix-build", "--option", "sandbox", "false", "--option", "build-users-group", "",
             "--option", "substituters", "", "--no-out-link"]


def generate(run, hocker_link, reg, key, tmp_path, *extra):
    name, tag = split_ref(FIXTURE_REFS[key])
    rc, manifest, err = run([hocker_link("hocker-manifest"), "--registry", reg.url, name, tag])
    assert rc == 0, err
    rc, expression, err = run([hocker_link("docker2nix"), "--registry", reg.url] + list(extra) +
                              [name, tag], input=manifest)
    assert rc == 0, err
    path = tmp_path / ("%s.nix" % key)
    path.write_bytes(expression)
    return path


def evaluate(path):
    return consumers.nix_eval_json("import %s/standins.nix %s" % (NIX_DIR, path))


@pytest.mark.parametrize("key", ["hello", "multilayer", "oci", "zstd"])
def test_expression_parses_and_carries_every_blob_in_order(hocker_link, run, plain_registry,
                                                           images, key, tmp_path):
    path = generate(run, hocker_link, plain_registry, key, tmp_path)
    consumers.nix_instantiate_parse(str(path))
    value = evaluate(path)
    image = images[key]
    repository, image_name = FIXTURE_REFS[key].split(":")[0].split("/")
    assert value["name"] == image_name
    assert value["registry"] == plain_registry.url + "/v2/"
    assert value["repository"] == repository and value["imageName"] == image_name
    assert value["tag"] == FIXTURE_REFS[key].split(":")[1]
    assert value["imageConfig"]["sha256"] == consumers.nix_hash_base32(image.config_digest)
    layers = value["imageLayers"]
    assert [l["layerDigest"] for l in layers] == [l.digest[7:] for l in image.layers]
    assert [l["sha256"] for l in layers] == [consumers.nix_hash_base32(l.digest)
                                             for l in image.layers]


def test_alt_name_sets_the_derivation_name(hocker_link, run, plain_registry, tmp_path):
    path = generate(run, hocker_link, plain_registry, "hello", tmp_path, "--altName", "greeter")
    assert evaluate(path)["name"] == "greeter"


def test_modern_form_fetches_the_manifest_itself(hocker, run, plain_registry, images, tmp_path):
    rc, expression, err = run([hocker, "nix", plain_registry.host + "/" + FIXTURE_REFS["hello"]])
    assert rc == 0, err
    path = tmp_path / "hello.nix"
    path.write_bytes(expression)
    value = evaluate(path)
    assert value["imageConfig"]["sha256"] == consumers.nix_hash_base32(
        images["hello"].config_digest)


def test_an_index_on_input_is_refused_with_advice(hocker_link, run, plain_registry):
    rc, index, err = run([hocker_link("hocker-manifest"), "--index", "--registry",
                          plain_registry.url, "team/multiarch", "v1"])
    assert rc == 0, err
    rc, out, err = run([hocker_link("docker2nix"), "team/multiarch", "v1"], input=index)
    assert rc == 8
    assert_one_error_line(err, "docker2nix", "platform")


@pytest.mark.parametrize("key", ["hello", "multilayer"])
def test_our_fetchers_write_exactly_what_the_expression_pins(hocker_link, run, plain_registry,
                                                             key, tmp_path):
    value = evaluate(generate(run, hocker_link, plain_registry, key, tmp_path))
    registry, repo = value["registry"], value["repository"] + "/" + value["imageName"]
    config_out = tmp_path / "config.json"
    rc, _, err = run([hocker_link("hocker-config"), "--out=%s" % config_out, "--registry",
                      registry, repo, value["tag"], "+RTS", "-N2", "-RTS"])
    assert rc == 0, err
    assert consumers.nix_hash_file_base32(str(config_out)) == value["imageConfig"]["sha256"]
    for index, layer in enumerate(value["imageLayers"]):
        out = tmp_path / ("layer%d" % index)
        rc, _, err = run([hocker_link("hocker-layer"), "--out=%s" % out, "--registry", registry,
                          "--layer", layer["layerDigest"], repo, "", "+RTS", "-N2", "-RTS"])
        assert rc == 0, err
        assert consumers.nix_hash_file_base32(str(out)) == layer["sha256"]


def nix_build(expression_path, hocker_bin_dir, suffix):
    expression = ('import %s (import %s/fetchers.nix { hockerBin = "%s"; nameSuffix = "%s"; })'
                  % (expression_path, NIX_DIR, hocker_bin_dir, suffix))
    return subprocess.run(NIX_BUILD + ["-E", expression], capture_output=True, text=True,
                          timeout=600)


@pytest.fixture
def nix_build_available():
    if subprocess.run(["which", "nix-build"], capture_output=True).returncode != 0:
        pytest.skip("nix-build is not installed")


def test_nix_build_of_fixed_output_derivations_succeeds_and_catches_a_wrong_hash(
        hocker, hocker_link, run, plain_registry, tmp_path, nix_build_available):
    path = generate(run, hocker_link, plain_registry, "multilayer", tmp_path)
    bin_dir = os.path.dirname(hocker)
    result = nix_build(path, bin_dir, "-ok-" + uuid.uuid4().hex[:10])
    assert result.returncode == 0, result.stderr[-2000:]
    built = json.loads(open(result.stdout.strip()).read())
    assert len(built[0]["Layers"]) == 5

    value = evaluate(path)
    good = value["imageLayers"][0]["sha256"]
    bad = ("0" if good[0] != "0" else "1") + good[1:]
    altered = tmp_path / "altered.nix"
    altered.write_text(path.read_text().replace(good, bad, 1))
    result = nix_build(altered, bin_dir, "-bad-" + uuid.uuid4().hex[:10])
    assert result.returncode != 0
    assert "hash mismatch" in result.stderr
