"""hocker inspect, and every --json output checked against its schema in docs/json/."""
import json
import os

import jsonschema
import pytest

from harness.cli import assert_one_error_line, classic, modern, split_ref
from harness.images import FIXTURE_REFS

SCHEMA_DIR = os.path.join(os.path.dirname(__file__), "..", "..", "docs", "json")
PLATFORMS = ["linux/amd64", "linux/arm64/v8", "linux/arm/v7"]
ESC = "\x1b"


def schema(name):
    with open(os.path.join(SCHEMA_DIR, name + ".schema.json")) as f:
        return json.load(f)


def validated(out, name):
    """The JSON document hocker printed, after checking it against docs/json/NAME."""
    document = json.loads(out)
    jsonschema.Draft202012Validator(schema(name)).validate(document)
    assert document["schemaVersion"] == 1
    return document


def image_for(images, key):
    image = images[key]
    return image.children["linux/amd64"] if hasattr(image, "children") else image


@pytest.fixture(scope="module")
def labelled(image_builder, plain_registry):
    """An image whose config has Cmd, Env and Labels, some with terminal escapes in them."""
    config = {"Entrypoint": ["/hello", "--flag"], "Cmd": ["serve"],
              "Env": ["PATH=/bin", "GREETING=hi " + ESC + "[31mred"],
              "Labels": {"org.opencontainers.image.title": "labelled",
                         "evil": ESC + "]0;pwned" + "\x07"}}
    image = image_builder.build_image("labelled", [{"etc/a.txt": "a\n"}, {"etc/b.txt": "b\n"}],
                                      config_extra={"config": config})
    plain_registry.push(image, "team/labelled:v1")
    return image


@pytest.mark.parametrize("key", ["hello", "multilayer", "oci", "zstd", "multiarch",
                                 "multiarch-oci"])
def test_inspect_json_matches_the_schema_and_the_image(hocker, run, any_registry, images, key,
                                                       hocker_env):
    rc, out, err = run([hocker, "inspect", "--json"] + modern(any_registry, FIXTURE_REFS[key]),
                       env=hocker_env)
    assert rc == 0, err
    document = validated(out, "inspect")
    image = image_for(images, key)
    assert document["name"] == any_registry.host + "/" + FIXTURE_REFS[key]
    assert document["manifestDigest"] == image.manifest_digest
    assert document["manifestMediaType"] == image.media_type
    assert document["configDigest"] == image.config_digest
    assert [(l["digest"], l["size"], l["mediaType"]) for l in document["layers"]] == \
        [(l.digest, l.size, l.media_type) for l in image.layers]
    assert document["totalSize"] == sum(l.size for l in image.layers)
    assert (document["os"], document["architecture"]) == ("linux", "amd64")
    assert document["entrypoint"] == image.config["config"].get("Entrypoint")
    assert document["created"] == image.config["created"]
    if key.startswith("multiarch"):
        assert document["digest"] == images[key].index_digest
        assert document["mediaType"] == images[key].media_type
        assert [p["platform"] for p in document["platforms"]] == PLATFORMS
        assert [p["selected"] for p in document["platforms"]] == [True, False, False]
    else:
        assert document["digest"] == image.manifest_digest
        assert document["platforms"] == []


@pytest.mark.parametrize("platform", ["linux/arm64", "linux/arm/v7"])
def test_inspect_platform_selects_that_entry_of_the_index(hocker, run, plain_registry, images,
                                                          platform):
    rc, out, err = run([hocker, "inspect", "--json", "--platform", platform] +
                       modern(plain_registry, FIXTURE_REFS["multiarch"]))
    assert rc == 0, err
    document = validated(out, "inspect")
    selected = [p["platform"] for p in document["platforms"] if p["selected"]]
    child = images["multiarch"].children["linux/arm64/v8" if platform == "linux/arm64"
                                         else platform]
    assert selected == [child.platform]
    assert document["manifestDigest"] == child.manifest_digest
    assert document["architecture"] == child.platform.split("/")[1]


def test_inspect_downloads_no_layer(hocker, run, plain_registry, images):
    image = images["multilayer"]
    mark = plain_registry.log_mark()
    rc, out, err = run([hocker, "inspect"] + modern(plain_registry, FIXTURE_REFS["multilayer"]))
    assert rc == 0, err
    for layer in image.unique_layers:
        assert plain_registry.count_requests("GET", layer.digest, since=mark) == 0
        assert plain_registry.count_requests("HEAD", layer.digest, since=mark) == 0
    assert plain_registry.count_requests("GET", "/blobs/" + image.config_digest, since=mark) == 1
    assert plain_registry.count_requests("GET", "/blobs/", since=mark) == 1


def test_inspect_prints_aligned_fields_and_a_layer_table(hocker, run, plain_registry, images):
    image = images["multiarch"].children["linux/amd64"]
    name, tag = split_ref(FIXTURE_REFS["multiarch"])
    rc, out, err = run([hocker, "inspect"] + classic(plain_registry, name, tag))
    assert rc == 0, err
    assert err == ""
    text = out.decode()
    lines = text.splitlines()
    fields = dict((line[:13].rstrip(" :"), line[13:]) for line in lines if line[:1] != " "
                  and ":" in line[:13])
    assert fields["Name"] == plain_registry.host + "/" + FIXTURE_REFS["multiarch"]
    assert fields["Digest"] == images["multiarch"].index_digest
    assert fields["Manifest"] == image.manifest_digest
    assert fields["Image ID"] == image.config_digest
    assert fields["Platform"] == "linux/amd64"
    assert fields["Entrypoint"] == '["/hello"]'
    assert fields["Cmd"] == "(none)"
    platform_lines = [l for l in lines if "sha256:" in l and l.split()[-1] == "(selected)"]
    assert len(platform_lines) == 1 and image.manifest_digest in platform_lines[0]
    for child in images["multiarch"].children.values():
        assert child.manifest_digest in text
    header = lines.index(next(l for l in lines if l.startswith("#  DIGEST")))
    row = lines[header + 1].split()
    layer = image.layers[0]
    assert row[:3] == ["1", layer.digest, layer.media_type]
    assert " ".join(row[3:]) == "%s (%d bytes)" % (human(layer.size), layer.size)
    assert lines[header].index("SIZE") == lines[header + 1].index(row[3])


def human(size):
    """The display's decimal units with one decimal: 999 B, 1.5 KB."""
    if size < 1000:
        return "%d B" % size
    for unit in ["KB", "MB", "GB"]:
        size /= 1000.0
        if size < 1000:
            return "%.1f %s" % (size, unit)


def test_inspect_shows_config_text_without_terminal_escapes(hocker, run, plain_registry,
                                                            labelled):
    rc, out, err = run([hocker, "inspect", plain_registry.host + "/team/labelled:v1"])
    assert rc == 0, err
    text = out.decode()
    assert ESC not in text and "\x07" not in text
    assert "org.opencontainers.image.title=labelled" in text
    assert "GREETING=hi ?[31mred" in text
    assert 'Cmd:         ["serve"]' in text
    assert 'Entrypoint:  ["/hello","--flag"]' in text


def test_inspect_json_keeps_config_text_exact(hocker, run, plain_registry, labelled):
    rc, out, err = run([hocker, "inspect", "--json", plain_registry.host + "/team/labelled:v1"])
    assert rc == 0, err
    document = validated(out, "inspect")
    assert document["labels"] == labelled.config["config"]["Labels"]
    assert document["env"] == labelled.config["config"]["Env"]
    assert document["cmd"] == ["serve"]
    assert document["entrypoint"] == ["/hello", "--flag"]


def test_inspect_of_an_absent_platform_fails_in_one_line(hocker, run, plain_registry):
    rc, out, err = run([hocker, "inspect", "--json", "--platform", "linux/s390x"] +
                       modern(plain_registry, FIXTURE_REFS["multiarch"]))
    assert rc == 5
    assert out == b""
    assert_one_error_line(err, "hocker-inspect", "linux/s390x", "linux/amd64")


@pytest.mark.parametrize("key", ["hello", "multiarch"])
def test_digest_json_matches_the_schema(hocker, run, any_registry, images, key, hocker_env):
    rc, out, err = run([hocker, "digest", "--json"] + modern(any_registry, FIXTURE_REFS[key]),
                       env=hocker_env)
    assert rc == 0, err
    document = validated(out, "digest")
    expected = images[key].index_digest if key == "multiarch" else images[key].manifest_digest
    assert document["digest"] == expected
    assert document["reference"] == any_registry.host + "/" + FIXTURE_REFS[key]


def test_digest_json_with_a_platform_tells_media_type_and_size(hocker, run, plain_registry,
                                                               images):
    child = images["multiarch"].children["linux/arm/v7"]
    rc, out, err = run([hocker, "digest", "--json", "--platform", "linux/arm/v7"] +
                       modern(plain_registry, FIXTURE_REFS["multiarch"]))
    assert rc == 0, err
    document = validated(out, "digest")
    assert document["digest"] == child.manifest_digest
    assert document["mediaType"] == child.media_type
    assert document["size"] == len(child.manifest_bytes)
    assert document["platform"] == "linux/arm/v7"


def test_tags_json_matches_the_schema(hocker, run, make_registry, images):
    reg = make_registry("plain", push={"team/tagged:%s" % t: images["hello"]
                                       for t in ["a", "b", "v1.0"]})
    rc, out, err = run([hocker, "tags", "--json", reg.host + "/team/tagged"])
    assert rc == 0, err
    document = validated(out, "tags")
    assert document["repository"] == reg.host + "/team/tagged"
    assert sorted(document["tags"]) == ["a", "b", "v1.0"]


@pytest.mark.parametrize("fmt", ["docker", "oci"])
def test_image_json_summarises_the_archive_written(hocker, run, plain_registry, images,
                                                   tmp_path, fmt):
    image = images["multiarch"].children["linux/arm64/v8"]
    target = tmp_path / "image.tar"
    rc, out, err = run([hocker, "image", "--json", "-q", "--format", fmt, "--platform",
                        "linux/arm64", "-o", str(target)] +
                       modern(plain_registry, FIXTURE_REFS["multiarch"]))
    assert rc == 0, err
    document = validated(out, "image")
    assert document["output"] == str(target)
    assert document["bytesWritten"] == target.stat().st_size > 0
    assert document["manifestDigest"] == image.manifest_digest
    assert document["configDigest"] == document["imageId"] == image.config_digest
    assert document["platform"] == "linux/arm64/v8"
    assert document["layers"] == len(image.layers)
    assert document["format"] == fmt
    assert document["reference"] == plain_registry.host + "/" + FIXTURE_REFS["multiarch"]


@pytest.mark.parametrize("out_args", [["-o", "-"], []])
def test_image_json_to_stdout_is_a_usage_error(hocker, run, plain_registry, out_args):
    rc, out, err = run([hocker, "image", "--json"] + out_args +
                       modern(plain_registry, FIXTURE_REFS["hello"]))
    assert rc == 2
    assert out == b""
    assert_one_error_line(err, "hocker-image", "--json", "--out")


def test_a_renamed_key_fails_its_schema(hocker, run, plain_registry):
    rc, out, err = run([hocker, "inspect", "--json"] +
                       modern(plain_registry, FIXTURE_REFS["hello"]))
    assert rc == 0, err
    document = validated(out, "inspect")
    document["configDigests"] = document.pop("configDigest")
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.Draft202012Validator(schema("inspect")).validate(document)


def test_image_json_lists_every_image_and_platform_of_a_bundle(hocker, run, plain_registry,
                                                               images, tmp_path):
    target = tmp_path / "bundle.tar"
    multiarch = plain_registry.host + "/" + FIXTURE_REFS["multiarch"]
    hello = plain_registry.host + "/" + FIXTURE_REFS["hello"]
    rc, out, err = run([hocker, "image", "--json", "-q", "--plain-http", "--platform",
                        "linux/amd64,linux/arm64/v8", "-o", str(target), multiarch, hello])
    assert rc == 0, err
    document = validated(out, "image")
    children = images["multiarch"].children
    assert [(i["reference"], i["manifestDigest"], i["platform"]) for i in document["images"]] == [
        (multiarch, children["linux/amd64"].manifest_digest, "linux/amd64"),
        (multiarch, children["linux/arm64/v8"].manifest_digest, "linux/arm64/v8"),
        (hello, images["hello"].manifest_digest, "linux/amd64")]
    assert document["manifestDigest"] == children["linux/amd64"].manifest_digest
