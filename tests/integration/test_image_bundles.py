"""hocker image writing strict OCI, several platforms and several images into one archive,
checked by real consumers: umoci, oci-image-tool, skopeo, docker, podman, containerd."""
import hashlib
import json
import os
import tarfile

import pytest

from harness import consumers
from harness.cli import assert_one_error_line
from harness.images import FIXTURE_REFS

ORIGINAL = "io.github.hocker.original-manifest-digest"
OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json"
OCI_TYPES = ("application/vnd.oci.image.config.v1+json",
             "application/vnd.oci.image.layer.v1.tar+gzip",
             "application/vnd.oci.image.layer.v1.tar+zstd",
             "application/vnd.oci.image.layer.v1.tar")


def image_ref(reg, key):
    return "%s/%s" % (reg.host, FIXTURE_REFS[key])


def hocker_image(run, hocker, out, *args):
    rc, stdout, stderr = run([hocker, "image", "-q", "--plain-http", "-o", str(out)] + list(args))
    assert rc == 0, stderr
    return stdout


def members(path):
    with tarfile.open(path) as tf:
        return {m.name: (tf.extractfile(m).read() if m.isfile() else None) for m in tf}


def index_json(path):
    return json.loads(members(path)["index.json"])


def extract(path, directory):
    with tarfile.open(path) as tf:
        tf.extractall(directory)
    return str(directory)


def blob(inside, digest):
    return inside["blobs/sha256/" + digest[7:]]


# -- strict OCI by default ---------------------------------------------------------------------
@pytest.mark.parametrize("key", ["hello", "multilayer"])
def test_a_docker_typed_image_is_written_with_oci_types(hocker, run, plain_registry, images,
                                                        key, tmp_path):
    out = tmp_path / "image.tar"
    hocker_image(run, hocker, out, "--format", "oci", image_ref(plain_registry, key))
    inside = members(out)
    entry, = json.loads(inside["index.json"])["manifests"]
    assert entry["mediaType"] == OCI_MANIFEST
    assert entry["annotations"][ORIGINAL] == images[key].manifest_digest
    assert entry["platform"] == {"architecture": "amd64", "os": "linux"}
    stored = blob(inside, entry["digest"])
    assert "sha256:" + hashlib.sha256(stored).hexdigest() == entry["digest"]
    manifest = json.loads(stored)
    assert manifest["mediaType"] == OCI_MANIFEST
    assert manifest["config"]["digest"] == images[key].config_digest
    assert [l["digest"] for l in manifest["layers"]] == [l.digest for l in images[key].layers]
    assert all(l["mediaType"] in OCI_TYPES for l in manifest["layers"] + [manifest["config"]])
    assert blob(inside, images[key].config_digest) == images[key].config_bytes
    assert "blobs/sha256/" + images[key].manifest_digest[7:] not in inside
    assert "repositories" not in inside
    # The same input, the same bytes.
    again = tmp_path / "again.tar"
    hocker_image(run, hocker, again, "--format", "oci", image_ref(plain_registry, key))
    assert again.read_bytes() == out.read_bytes()


@pytest.mark.consumer
@pytest.mark.parametrize("key", ["hello", "oci"])
def test_strict_oci_tools_read_the_archive(hocker, run, plain_registry, key, tmp_path):
    out = tmp_path / "image.tar"
    hocker_image(run, hocker, out, "--format", "oci", image_ref(plain_registry, key))
    layout = extract(out, tmp_path / "layout")
    tag = FIXTURE_REFS[key].rsplit(":", 1)[1]
    consumers.oci_image_tool_validate(layout, tag)
    consumers.umoci_unpack(layout, tag, str(tmp_path / "bundle"))
    assert os.path.isfile(tmp_path / "bundle" / "rootfs" / "hello")


def test_an_oci_typed_manifest_is_kept_as_the_registry_sent_it(hocker, run, plain_registry,
                                                              images, tmp_path):
    out = tmp_path / "image.tar"
    hocker_image(run, hocker, out, "--format", "oci", image_ref(plain_registry, "oci"))
    inside = members(out)
    entry, = json.loads(inside["index.json"])["manifests"]
    assert entry["digest"] == images["oci"].manifest_digest
    assert ORIGINAL not in entry["annotations"]
    assert blob(inside, entry["digest"]) == images["oci"].manifest_bytes


@pytest.mark.consumer
def test_preserve_digests_keeps_the_docker_manifest(hocker, run, plain_registry, images,
                                                    tmp_path):
    out = tmp_path / "image.tar"
    hocker_image(run, hocker, out, "--format", "oci", "--preserve-digests",
                 image_ref(plain_registry, "hello"))
    inside = members(out)
    entry, = json.loads(inside["index.json"])["manifests"]
    assert entry["mediaType"] == images["hello"].media_type
    assert entry["digest"] == images["hello"].manifest_digest
    assert blob(inside, entry["digest"]) == images["hello"].manifest_bytes
    # As the help warns: skopeo's strict OCI transport skips the docker-typed entry, while its
    # docker-archive transport reads the manifest.json beside it.
    with pytest.raises(consumers.ConsumerError, match="no descriptor found"):
        consumers.skopeo("inspect", "oci-archive:%s:latest" % out)
    consumers.skopeo("inspect", "docker-archive:%s" % out)


def test_preserve_digests_needs_the_oci_format(hocker, run, plain_registry, tmp_path):
    rc, _, stderr = run([hocker, "image", "--plain-http", "-o", str(tmp_path / "x.tar"),
                         "--preserve-digests", image_ref(plain_registry, "hello")])
    assert rc == 2
    assert_one_error_line(stderr, "hocker-image", "--preserve-digests", "--format oci")
    assert os.listdir(tmp_path) == []


# -- several platforms ---------------------------------------------------------------------------
TWO = ["linux/amd64", "linux/arm64/v8"]


def platform_string(p):
    return "/".join([p["os"], p["architecture"]] + ([p["variant"]] if "variant" in p else []))


@pytest.mark.parametrize("key", ["multiarch", "multiarch-oci"])
@pytest.mark.parametrize("how", [["--platform", "linux/amd64,linux/arm64/v8"],
                                 ["--platform", "linux/amd64", "--platform", "linux/arm64/v8"]])
def test_two_platforms_in_oci_format_are_one_named_entry_for_a_nested_index(
        hocker, run, plain_registry, images, key, how, tmp_path):
    out = tmp_path / "image.tar"
    hocker_image(run, hocker, out, "--format", "oci", *how, image_ref(plain_registry, key))
    inside = members(out)
    named, = json.loads(inside["index.json"])["manifests"]
    assert named["mediaType"] == "application/vnd.oci.image.index.v1+json"
    assert named["annotations"]["org.opencontainers.image.ref.name"] == "v1"
    assert named["annotations"]["io.containerd.image.name"] == image_ref(plain_registry, key)
    entries = json.loads(blob(inside, named["digest"]))["manifests"]
    assert [platform_string(e["platform"]) for e in entries] == TWO
    for entry, platform in zip(entries, TWO):
        assert entry["mediaType"] == OCI_MANIFEST
        child = images[key].children[platform]
        assert json.loads(blob(inside, entry["digest"]))["layers"][0]["digest"] == \
            child.layers[0].digest
    docker = json.loads(inside["manifest.json"])
    assert docker[0]["RepoTags"] == [image_ref(plain_registry, key)]  # the host's: amd64
    assert docker[1]["RepoTags"] is None
    consumers.skopeo("inspect", "oci-archive:%s:v1" % out)


def test_two_platforms_in_docker_format_are_two_manifest_entries(hocker, run, plain_registry,
                                                                 images, tmp_path):
    out = tmp_path / "image.tar"
    hocker_image(run, hocker, out, "--platform", "linux/arm64/v8,linux/amd64",
                 image_ref(plain_registry, "multiarch"))
    docker = json.loads(members(out)["manifest.json"])
    children = images["multiarch"].children
    assert [d["Config"] for d in docker] == [children[p].config_digest[7:] + ".json"
                                             for p in ("linux/arm64/v8", "linux/amd64")]
    assert docker[0]["RepoTags"] is None  # the names go to the host's platform
    assert docker[1]["RepoTags"] == [image_ref(plain_registry, "multiarch")]
    consumers.skopeo_copy_archive_to_oci(str(out) + ":@0", str(tmp_path / "first"))
    consumers.skopeo_copy_archive_to_oci(str(out) + ":@1", str(tmp_path / "second"))


@pytest.mark.parametrize("form", ["docker", "oci"])
def test_all_platforms_takes_every_platform_of_the_index(hocker, run, plain_registry, images,
                                                         form, tmp_path):
    out = tmp_path / "image.tar"
    hocker_image(run, hocker, out, "--format", form, "--all-platforms",
                 image_ref(plain_registry, "multiarch"))
    inside = members(out)
    children = images["multiarch"].children
    docker = json.loads(inside["manifest.json"])
    assert len(docker) == len(children)
    if form == "oci":
        named, = json.loads(inside["index.json"])["manifests"]
        entries = json.loads(blob(inside, named["digest"]))["manifests"]
        assert [platform_string(e["platform"]) for e in entries] == list(children)


def test_all_platforms_asks_for_the_index_once(hocker, run, plain_registry, images, tmp_path):
    children = images["multiarch"].children.values()
    mark = plain_registry.log_mark()
    hocker_image(run, hocker, tmp_path / "image.tar", "--all-platforms",
                 image_ref(plain_registry, "multiarch"))
    plain_registry.log_mark()  # waits for the last access-log lines
    requests = sorted((e["method"], e["path"]) for e in plain_registry.access_entries(mark)
                      if e["path"] != "/v2/")
    base = "/v2/team/multiarch/"
    layers = {layer.digest for child in children for layer in child.layers}
    # The index, then each platform's manifest and config, then each layer, once each.
    assert len(children) == 3
    assert requests == sorted(
        [("GET", base + "manifests/v1")] +
        [("GET", base + "manifests/" + c.manifest_digest) for c in children] +
        [("GET", base + "blobs/" + c.config_digest) for c in children] +
        [("GET", base + "blobs/" + digest) for digest in layers])


def test_platform_and_all_platforms_exclude_each_other(hocker, run, plain_registry, tmp_path):
    rc, _, stderr = run([hocker, "image", "--plain-http", "-o", str(tmp_path / "x.tar"),
                         "--all-platforms", "--platform", "linux/amd64",
                         image_ref(plain_registry, "multiarch")])
    assert rc == 2
    assert os.listdir(tmp_path) == []


@pytest.mark.consumer
def test_preserved_index_round_trips_through_skopeo_with_its_digest(hocker, run, make_registry,
                                                                   images, tmp_path):
    reg = make_registry("plain", push={"team/multiarch-oci:v1": images["multiarch-oci"]})
    out = tmp_path / "image.tar"
    hocker_image(run, hocker, out, "--format", "oci", "--all-platforms", "--preserve-digests",
                 "%s/team/multiarch-oci:v1" % reg.host)
    inside = members(out)
    entry, = json.loads(inside["index.json"])["manifests"]
    index = images["multiarch-oci"]
    assert entry["digest"] == index.index_digest
    assert blob(inside, entry["digest"]) == index.index_bytes
    consumers.skopeo("copy", "--all", "--dest-tls-verify=false", "oci-archive:%s:v1" % out,
                     "docker://%s/team/copied:v1" % reg.host)
    raw = consumers.skopeo("inspect", "--raw", "--tls-verify=false",
                           "docker://%s/team/copied:v1" % reg.host).encode()
    assert "sha256:" + hashlib.sha256(raw).hexdigest() == index.index_digest


@pytest.mark.consumer
def test_containerd_imports_every_platform(hocker, run, plain_registry, containerd, tmp_path):
    out = tmp_path / "image.tar"
    hocker_image(run, hocker, out, "--format", "oci", "--platform", "linux/amd64,linux/arm64/v8",
                 image_ref(plain_registry, "multiarch"))
    containerd.image_import(str(out), "--all-platforms")
    assert image_ref(plain_registry, "multiarch") in containerd.image_names()


# -- several images ------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def bundle_registry(make_bundle_registry):
    """Three images sharing their base layer (the hello binary), on a registry of their own."""
    return make_bundle_registry("bundle-")


def bundle_archive(run, hocker, refs, form, tmp_path):
    """All of `refs` pulled into one archive of `form` (docker or oci): tmp_path/bundle.tar."""
    out = tmp_path / "bundle.tar"
    hocker_image(run, hocker, out, "--format", form, *refs)
    return out


@pytest.mark.parametrize("form", ["docker", "oci"])
def test_a_bundle_downloads_and_stores_a_shared_layer_once(hocker, run, bundle_registry, form,
                                                           tmp_path):
    reg, built, refs = bundle_registry
    base = built["one"].layers[0]
    mark = reg.log_mark()
    out = bundle_archive(run, hocker, refs, form, tmp_path)
    assert reg.count_requests("GET", "/blobs/" + base.digest, since=mark) == 1
    inside = members(out)
    stored = (base.diff_id if form == "docker" else base.digest)[7:]
    assert sum(1 for name in inside if stored in name) == 1
    docker = json.loads(inside["manifest.json"])
    assert [d["RepoTags"] for d in docker] == [[ref] for ref in refs]
    if form == "oci":
        entries = json.loads(inside["index.json"])["manifests"]
        assert [e["annotations"]["io.containerd.image.name"] for e in entries] == refs
        assert [e["annotations"]["org.opencontainers.image.ref.name"] for e in entries] == \
            ["1", "2", "3"]
        for tag in ("1", "2", "3"):
            consumers.skopeo("inspect", "oci-archive:%s:%s" % (out, tag))
    else:
        for ref in refs:
            consumers.skopeo("inspect", "docker-archive:%s:%s" % (out, ref))


@pytest.mark.consumer
def test_strict_oci_tools_read_every_image_of_a_bundle(hocker, run, bundle_registry, tmp_path):
    reg, built, refs = bundle_registry
    out = bundle_archive(run, hocker, refs, "oci", tmp_path)
    layout = extract(out, tmp_path / "layout")
    for tag, name in (("1", "one"), ("2", "two"), ("3", "three")):
        # oci-image-tool 1.0.0-rc1 calls some refs of a several-image layout "not unique" (it
        # does so on skopeo's own layouts too), so each image is validated in a layout of its
        # own, copied out of the bundle by skopeo's strict OCI transport.
        alone = str(tmp_path / ("alone-" + name))
        consumers.skopeo("copy", "oci-archive:%s:%s" % (out, tag), "oci:%s:%s" % (alone, tag))
        consumers.oci_image_tool_validate(alone, tag)
        consumers.umoci_unpack(layout, tag, str(tmp_path / name))
        assert (tmp_path / name / "rootfs" / (name + ".txt")).read_text() == name + "\n"


@pytest.mark.parametrize("form", ["docker", "oci"])
def test_docker_loads_every_image_of_a_bundle(hocker, run, bundle_registry, docker_daemon, form,
                                              tmp_path):
    reg, built, refs = bundle_registry
    out = bundle_archive(run, hocker, refs, form, tmp_path)
    loaded = docker_daemon.load(str(out))
    for ref in refs:
        assert ref in loaded
    assert docker_daemon.run(refs[1]) == "Hello from hocker!\n"
    docker_daemon.rmi(*refs)


@pytest.mark.consumer
@pytest.mark.parametrize("form", ["docker", "oci"])
def test_podman_loads_a_bundle(hocker, run, bundle_registry, form, tmp_path):
    reg, built, refs = bundle_registry
    out = bundle_archive(run, hocker, refs, form, tmp_path)
    loaded = consumers.podman_load(str(out))
    for ref in refs:
        assert ref in loaded


@pytest.mark.consumer
def test_containerd_imports_every_image_of_a_bundle(hocker, run, bundle_registry, containerd,
                                                    tmp_path):
    reg, built, refs = bundle_registry
    out = bundle_archive(run, hocker, refs, "oci", tmp_path)
    containerd.image_import(str(out))
    names = containerd.image_names()
    for ref in refs:
        assert ref in names


def test_tag_is_refused_with_several_images(hocker, run, bundle_registry, tmp_path):
    reg, built, refs = bundle_registry
    rc, _, stderr = run([hocker, "image", "--plain-http", "-o", str(tmp_path / "x.tar"),
                         "--tag", "a:1"] + refs)
    assert rc == 2
    assert_one_error_line(stderr, "hocker-image", "--tag", "3 references")
    assert os.listdir(tmp_path) == []


def test_one_progress_display_covers_the_bundle(hocker, run, bundle_registry, tmp_path):
    reg, built, refs = bundle_registry
    rc, _, stderr = run([hocker, "image", "--plain-http", "-o", str(tmp_path / "b.tar")] + refs)
    assert rc == 0, stderr
    lines = [l for l in stderr.splitlines() if l.startswith("Downloading layer: ")]
    # The shared base once, then each image's own layer.
    assert len(lines) == 4
    assert sum(1 for l in lines if l.startswith("Downloading layer: " +
                                                built["one"].layers[0].digest[7:14])) == 1


def test_a_bundle_with_a_missing_image_leaves_nothing(hocker, run, bundle_registry, tmp_path):
    reg, built, refs = bundle_registry
    rc, _, stderr = run([hocker, "image", "--plain-http", "-o", str(tmp_path / "b.tar"),
                         refs[0], "%s/bundle/absent:9" % reg.host])
    assert rc == 5
    assert_one_error_line(stderr, "hocker-image", "absent")
    assert os.listdir(tmp_path) == []


@pytest.mark.parametrize("form", ["docker", "oci"])
def test_docker_loads_every_platform_and_tags_the_hosts(hocker, run, plain_registry,
                                                        docker_daemon, form, tmp_path):
    out = tmp_path / "image.tar"
    hocker_image(run, hocker, out, "--format", form, "--all-platforms",
                 image_ref(plain_registry, "multiarch"))
    loaded = docker_daemon.load(str(out))
    ref = image_ref(plain_registry, "multiarch")
    assert ref in loaded
    assert "Loaded image ID: " in loaded  # the untagged platforms
    assert docker_daemon.image_inspect(ref)["Architecture"] == "amd64"
    assert docker_daemon.run(ref) == "Hello from hocker!\n"
    docker_daemon.rmi(ref)


@pytest.mark.consumer
def test_podman_loads_every_platform(hocker, run, plain_registry, tmp_path):
    out = tmp_path / "image.tar"
    hocker_image(run, hocker, out, "--all-platforms", image_ref(plain_registry, "multiarch"))
    loaded = consumers.podman_load(str(out))
    assert image_ref(plain_registry, "multiarch") in loaded


def test_a_preserved_docker_manifest_list_is_kept_and_read_through_manifest_json(
        hocker, run, plain_registry, images, tmp_path):
    out = tmp_path / "image.tar"
    hocker_image(run, hocker, out, "--format", "oci", "--all-platforms", "--preserve-digests",
                 image_ref(plain_registry, "multiarch"))
    inside = members(out)
    entry, = json.loads(inside["index.json"])["manifests"]
    index = images["multiarch"]
    assert (entry["mediaType"], entry["digest"]) == (index.media_type, index.index_digest)
    assert blob(inside, entry["digest"]) == index.index_bytes
    for child in index.children.values():
        assert blob(inside, child.manifest_digest) == child.manifest_bytes
    for position in range(len(index.children)):
        consumers.skopeo_copy_archive_to_oci("%s:@%d" % (out, position),
                                             str(tmp_path / ("copy%d" % position)))
