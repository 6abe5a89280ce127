"""hocker lock against the real test registry: lockfiles for single images, indexes with
variants (docker and OCI), nested names and digest pins; byte-identical reruns; the schema;
--check and --update after a tag moved; and never a layer request."""
import json
import os
import uuid

import jsonschema
import pytest

from harness.cli import assert_one_error_line, auth_args, leftovers
from harness.util import REPO_ROOT

SCHEMA = os.path.join(REPO_ROOT, "docs", "json", "lock.schema.json")
STALE = 9  # the documented exit code of a stale lockfile


def validate(lock_bytes):
    assert lock_bytes.endswith(b"}\n")
    document = json.loads(lock_bytes)
    with open(SCHEMA) as f:
        jsonschema.Draft202012Validator(json.load(f)).validate(document)
    return document


def lock(run, hocker, *args, expect=0):
    rc, out, err = run([hocker, "lock"] + list(args))
    assert rc == expect, err
    return out, err


def expected_platform(image):
    return dict(zip(("os", "architecture", "variant"), image.platform.split("/")))


def assert_pins(entry, image):
    """`entry` (one platform of a lockfile) pins `image` (a harness Image) exactly."""
    assert entry["platform"] == expected_platform(image)
    assert entry["manifest"] == {"digest": image.manifest_digest, "mediaType": image.media_type,
                                 "size": len(image.manifest_bytes)}
    assert entry["config"]["digest"] == image.config_digest
    assert entry["config"]["size"] == len(image.config_bytes)
    assert entry["layers"] == [{"digest": l.digest, "mediaType": l.media_type, "size": l.size,
                                "diffId": l.diff_id} for l in image.layers]


def layer_requests(registry, since, images):
    digests = {l.digest for image in images for l in image.layers}
    return [e for e in registry.access_entries(since)
            if "/blobs/" in e["path"] and e["path"].rsplit("/", 1)[-1] in digests]


def test_a_single_platform_image_is_pinned_without_fetching_a_layer(hocker, run, plain_registry,
                                                                    images):
    mark = plain_registry.log_mark()
    reference = plain_registry.host + "/team/multilayer:v1"
    out, _ = lock(run, hocker, reference)
    document = validate(out)
    assert document["lockVersion"] == 1
    [entry] = document["images"]
    image = images["multilayer"]
    assert entry["reference"] == reference
    assert entry["registry"] == plain_registry.host
    assert entry["repository"] == "team/multilayer" and entry["tag"] == "v1"
    assert entry["digest"] == image.manifest_digest and entry["mediaType"] == image.media_type
    [platform] = entry["platforms"]
    assert_pins(platform, image)
    assert layer_requests(plain_registry, mark, [image]) == []
    # The config was fetched (its diff_ids are in the file), the layers never.
    assert plain_registry.count_requests("GET", "/blobs/" + image.config_digest, since=mark) == 1


@pytest.mark.parametrize("key", ["multiarch", "multiarch-oci"])
def test_an_index_pins_the_platforms_asked_for_in_index_order(hocker, run, plain_registry, images,
                                                              key):
    index = images[key]
    reference = plain_registry.host + "/team/%s:v1" % key
    mark = plain_registry.log_mark()
    out, _ = lock(run, hocker, "--platform", "linux/arm/v7", "--platform", "linux/amd64",
                  reference)
    [entry] = validate(out)["images"]
    assert entry["digest"] == index.index_digest and entry["mediaType"] == index.media_type
    assert [p["platform"] for p in entry["platforms"]] == [
        {"os": "linux", "architecture": "amd64"},
        {"os": "linux", "architecture": "arm", "variant": "v7"}]
    assert_pins(entry["platforms"][0], index.children["linux/amd64"])
    assert_pins(entry["platforms"][1], index.children["linux/arm/v7"])
    assert layer_requests(plain_registry, mark, index.children.values()) == []


def test_lock_update_and_check_take_the_credential_and_tls_options(hocker, run, any_registry,
                                                                   images, tmp_path):
    path = tmp_path / "images.lock"
    reference = any_registry.host + "/team/multiarch-oci:v1"
    lock(run, hocker, reference, "--platform", "linux/arm64", "-o", str(path),
         *auth_args(any_registry))
    [entry] = validate(path.read_bytes())["images"]
    assert_pins(entry["platforms"][0], images["multiarch-oci"].children["linux/arm64/v8"])
    lock(run, hocker, "--check", str(path), *auth_args(any_registry))
    out, _ = lock(run, hocker, "--update", str(path), *auth_args(any_registry))
    assert out == b""


def test_a_comma_list_of_platforms_is_the_same_as_repeating_the_flag(hocker, run,
                                                                     plain_registry):
    reference = plain_registry.host + "/team/multiarch:v1"
    repeated, _ = lock(run, hocker, "--platform", "linux/arm64", "--platform", "linux/arm/v7",
                       reference)
    listed, _ = lock(run, hocker, "--platform", "linux/arm64,linux/arm/v7", reference)
    assert listed == repeated


def test_all_platforms_pins_every_entry_of_an_oci_index(hocker, run, plain_registry, images):
    index = images["multiarch-oci"]
    mark = plain_registry.log_mark()
    out, _ = lock(run, hocker, "--all-platforms", plain_registry.host + "/team/multiarch-oci:v1")
    [entry] = validate(out)["images"]
    assert len(entry["platforms"]) == 3
    for platform, name in zip(entry["platforms"], ["linux/amd64", "linux/arm64/v8",
                                                   "linux/arm/v7"]):
        assert_pins(platform, index.children[name])
    assert layer_requests(plain_registry, mark, index.children.values()) == []
    # What it costs: the index, then each platform's manifest and config, once each.
    requests = sorted((e["method"], e["path"]) for e in plain_registry.access_entries(mark)
                      if e["path"] != "/v2/")
    base = "/v2/team/multiarch-oci/"
    assert requests == sorted(
        [("GET", base + "manifests/v1")] +
        [("GET", base + "manifests/" + c.manifest_digest) for c in index.children.values()] +
        [("GET", base + "blobs/" + c.config_digest) for c in index.children.values()])


def test_without_a_platform_flag_the_host_platform_is_pinned(hocker, run, plain_registry, images):
    out, _ = lock(run, hocker, plain_registry.host + "/team/multiarch:v1")
    [entry] = validate(out)["images"]
    assert [p["manifest"]["digest"] for p in entry["platforms"]] == [
        images["multiarch"].children["linux/amd64"].manifest_digest]


def test_a_platform_the_index_lacks_is_not_found(hocker, run, plain_registry):
    rc, out, err = run([hocker, "lock", "--platform", "linux/s390x",
                        plain_registry.host + "/team/multiarch:v1"])
    assert rc == 5 and out == b""
    assert_one_error_line(err, "hocker-lock", "linux/s390x", "available: linux/amd64")


def test_a_nested_name_and_a_digest_pin_in_one_file_in_the_order_given(
        hocker, run, plain_registry, images):
    hello = images["hello"]
    plain_registry.push(hello, "org/team/app:1.0")
    nested = plain_registry.host + "/org/team/app:1.0"
    pinned = plain_registry.host + "/team/multiarch@" + images["multiarch"].index_digest
    out, _ = lock(run, hocker, "--all-platforms", nested, pinned)
    first, second = validate(out)["images"]
    assert_pins(first["platforms"][0], hello)
    assert first["reference"] == nested and first["repository"] == "org/team/app"
    assert first["tag"] == "1.0" and first["digest"] == hello.manifest_digest
    assert second["reference"] == pinned and second["tag"] is None
    assert second["digest"] == images["multiarch"].index_digest
    assert_pins(second["platforms"][1], images["multiarch"].children["linux/arm64/v8"])


def test_two_runs_give_identical_bytes_and_o_writes_the_file_atomically(hocker, run,
                                                                         plain_registry,
                                                                         tmp_path):
    references = [plain_registry.host + "/team/multiarch:v1", plain_registry.host + "/team/oci:v1"]
    first, _ = lock(run, hocker, "--all-platforms", *references)
    target = tmp_path / "images.lock"
    out, _ = lock(run, hocker, "--all-platforms", "-o", str(target), *references)
    assert out == b""
    assert target.read_bytes() == first
    assert leftovers(str(tmp_path)) == []


def test_a_digest_pin_the_registry_does_not_have_is_not_found(hocker, run, plain_registry):
    missing = "sha256:" + "0" * 64
    rc, out, err = run([hocker, "lock", plain_registry.host + "/team/oci@" + missing])
    assert rc == 5 and out == b""
    assert_one_error_line(err, "hocker-lock", "MANIFEST_UNKNOWN")


def build_variant(image_builder, text):
    return image_builder.build_image("lock-" + uuid.uuid4().hex[:8], [{"etc/version": text}])


def test_check_fails_after_a_tag_moved_and_update_repins_exactly_that_tag(
        hocker, run, plain_registry, image_builder, images, tmp_path):
    repository = "lock/moving-" + uuid.uuid4().hex[:8]
    old, new = build_variant(image_builder, "old\n"), build_variant(image_builder, "new\n")
    plain_registry.push(old, repository + ":v1")
    moving = plain_registry.host + "/" + repository + ":v1"
    steady = plain_registry.host + "/team/multiarch:v1"
    pinned = plain_registry.host + "/team/oci@" + images["oci"].manifest_digest
    path = tmp_path / "images.lock"
    lock(run, hocker, "-o", str(path), moving, steady, pinned)
    before = path.read_bytes()

    mark = plain_registry.log_mark()
    _, err = lock(run, hocker, "--check", str(path))  # current: exit 0, nothing said
    assert err == ""
    # One HEAD per tag (the digest-pinned image is not asked about), nothing else.
    entries = [e for e in plain_registry.access_entries(mark) if e["path"] != "/v2/"]
    assert sorted((e["method"], e["path"]) for e in entries) == sorted(
        [("HEAD", "/v2/%s/manifests/v1" % repository), ("HEAD", "/v2/team/multiarch/manifests/v1")])
    out, _ = lock(run, hocker, "--update", str(path))
    assert out == b"" and path.read_bytes() == before

    plain_registry.push(new, repository + ":v1")
    rc, out, err = run([hocker, "lock", "--check", str(path)])
    assert rc == STALE and out == b""
    lines = err.splitlines()
    assert lines[0] == "hocker-lock: warning: stale pin %s: %s -> %s" % (
        moving, old.manifest_digest, new.manifest_digest)
    assert_one_error_line(lines[1], "hocker-lock", "1 stale pin", "--update")

    mark = plain_registry.log_mark()
    out, _ = lock(run, hocker, "--update", str(path))
    assert out.decode() == "%s: %s -> %s\n" % (moving, old.manifest_digest, new.manifest_digest)
    after = validate(path.read_bytes())
    original = json.loads(before)
    assert after["images"][1:] == original["images"][1:]
    assert after["images"][0]["digest"] == new.manifest_digest
    assert_pins(after["images"][0]["platforms"][0], new)
    assert layer_requests(plain_registry, mark, [new]) == []
    lock(run, hocker, "--check", str(path))
    assert leftovers(str(tmp_path)) == []


def test_the_stale_exit_code_is_documented_in_help_and_man_page(hocker, run):
    rc, out, _ = run([hocker, "lock", "--help"])
    assert rc == 0 and b"9 stale lockfile" in out
    docs = os.path.normpath(os.path.join(os.path.dirname(hocker), "..", "..", "docs"))
    with open(os.path.join(docs, "man1", "hocker-lock.1")) as f:
        page = f.read()
    assert ".B 9\nStale: hocker lock \\-\\-check" in page
    with open(os.path.join(REPO_ROOT, "README.md")) as f:
        assert "| 9 | stale: `hocker lock --check`" in f.read()


def test_check_of_a_malformed_lockfile_names_the_file(hocker, run, tmp_path):
    path = tmp_path / "bad.lock"
    path.write_text('{"lockVersion": 2, "images": []}\n')
    rc, out, err = run([hocker, "lock", "--check", str(path)])
    assert rc == 8
    assert_one_error_line(err, "hocker-lock", str(path), "unsupported lockVersion 2")


def test_update_keeps_the_platforms_the_file_pins(hocker, run, plain_registry, image_builder,
                                                   tmp_path):
    repository = "lock/arm-" + uuid.uuid4().hex[:8]
    children = lambda text: [image_builder.build_image("lock-" + uuid.uuid4().hex[:8],
                                                        [{"etc/v": text + p}], platform=p)
                             for p in ("linux/amd64", "linux/arm/v7")]
    old = image_builder.build_index("lock-" + uuid.uuid4().hex[:8], children("old"))
    new = image_builder.build_index("lock-" + uuid.uuid4().hex[:8], children("new"))
    plain_registry.push(old, repository + ":v1")
    path = tmp_path / "arm.lock"
    lock(run, hocker, "--platform", "linux/arm/v7", "-o", str(path),
         plain_registry.host + "/" + repository + ":v1")
    plain_registry.push(new, repository + ":v1")
    lock(run, hocker, "--update", str(path))
    [entry] = validate(path.read_bytes())["images"]
    assert entry["digest"] == new.index_digest
    [platform] = entry["platforms"]
    assert_pins(platform, new.children["linux/arm/v7"])


@pytest.mark.parametrize("args", [[], ["--update", "x.lock", "team/app:1"],
                                  ["--check", "x.lock", "--platform", "linux/amd64"],
                                  ["--all-platforms", "--platform", "linux/amd64", "a/b:1"]])
def test_conflicting_or_missing_arguments_are_usage_errors(hocker, run, args):
    rc, out, err = run([hocker, "lock"] + args)
    assert rc == 2 and out == b""
    assert len(err.splitlines()) == 1


def test_nix_warns_when_the_pinned_manifest_is_for_another_platform(hocker, run, plain_registry):
    reference = plain_registry.host + "/team/multiarch:v1"
    rc, out, err = run([hocker, "nix", "--platform", "linux/arm/v7", reference])
    assert rc == 0 and b"fetchdocker" in out
    lines = err.splitlines()
    assert len(lines) == 1 and lines[0].startswith("docker2nix: warning: "), err
    assert "linux/arm/v7" in lines[0] and "hocker lock" in lines[0] and "fetchImage" in lines[0]


@pytest.mark.parametrize("platform, path", [("linux/amd64", "/team/multiarch:v1"),
                                            ("linux/arm/v7", "/team/oci:v1")])
def test_nix_says_nothing_when_the_builder_can_fetch_the_pin(hocker, run, plain_registry,
                                                             platform, path):
    # The host's entry of an index; and a single manifest, which the tag names on every
    # platform (docker2nix does not fetch its config, so nothing refuses the arm request).
    rc, out, err = run([hocker, "nix", "--platform", platform, plain_registry.host + path])
    assert rc == 0, err
    assert err == ""


def test_configs_come_from_the_cache_on_a_second_run(hocker, run, plain_registry, images,
                                                     tmp_path):
    cache = str(tmp_path / "cache")
    reference = plain_registry.host + "/team/multilayer:v1"
    first, _ = lock(run, hocker, "--cache", cache, reference)
    mark = plain_registry.log_mark()
    second, _ = lock(run, hocker, "--cache", cache, reference)
    assert second == first
    assert plain_registry.count_requests("GET", "/blobs/", since=mark) == 0
