"""hocker push --all against the real registry: bundles of three images sharing a base layer
(docker and OCI format) re-homed onto another registry and prefix, a shared layer sent once and
mounted into the other repositories, a two-platform bundle pushed as an index, and the names and
sources that are refused before any upload."""
import hashlib
import io
import json
import tarfile

import pytest

from harness.cli import assert_one_error_line
from harness.images import FIXTURE_REFS


def hocker_image(run, hocker, out, *args):
    rc, stdout, stderr = run([hocker, "image", "-q", "--plain-http", "-o", str(out)] + list(args))
    assert rc == 0, stderr
    return out


def push_all(run, hocker, source, *args):
    """hocker push --all SOURCE ARGS…; the NAME:TAG@DIGEST lines it prints."""
    rc, stdout, stderr = run([hocker, "push", "--all", str(source), "-q"] + list(args))
    assert rc == 0, stderr
    return [line.split("@", 1) for line in stdout.decode().splitlines()]


def manifest(run, hocker, ref, *extra):
    rc, stdout, stderr = run([hocker, "manifest", ref] + list(extra))
    assert rc == 0, stderr
    return stdout


def blob_uploads(reg, mark, digest):
    """Uploads (the closing PUT) of `digest` since `mark`."""
    return sum(1 for e in reg.access_entries(mark)
               if e["method"] == "PUT" and "/blobs/uploads/" in e["path"]
               and digest[7:] in e["path"])


def mounts(reg, mark, digest):
    return sum(1 for e in reg.access_entries(mark)
               if e["method"] == "POST" and "mount=" in e["path"] and digest[7:] in e["path"]
               and e["status"] == 201)


def uploads(reg, mark):
    return sum(reg.count_requests(method, "/blobs/uploads/", since=mark)
               for method in ("POST", "PATCH", "PUT"))


def push_refused(run, hocker, make_registry, archive, repository=None):
    """Pushes `archive` to a fresh registry, with --all unless `repository` names where it goes
    there, and checks that it is refused with exit 8 and one error line before any upload;
    returns the error output."""
    reg = make_registry("plain")
    if repository is None:
        argv = ["--all", str(archive), reg.host]
    else:
        argv = [str(archive), reg.host + "/" + repository]
    rc, _, stderr = run([hocker, "push"] + argv + ["--plain-http"])
    assert rc == 8, stderr
    assert_one_error_line(stderr, "hocker-push")
    assert uploads(reg, 0) == 0
    return stderr


def rewrite_manifest_json(bundle, out, change):
    with tarfile.open(bundle) as src, tarfile.open(out, "w") as dst:
        for member in src:
            data = src.extractfile(member).read() if member.isfile() else None
            if member.name == "manifest.json":
                entries = json.loads(data)
                change(entries)
                data = json.dumps(entries).encode()
                member.size = len(data)
            dst.addfile(member, io.BytesIO(data) if data is not None else None)
    return out


@pytest.fixture(scope="module")
def bundle_registry(make_bundle_registry):
    """Three images sharing their base layer (the hello binary), on a registry of their own."""
    return make_bundle_registry("pushall-")


@pytest.mark.parametrize("form", ["docker", "oci"])
def test_push_all_rehomes_every_image_and_sends_the_shared_layer_once(
        hocker, run, bundle_registry, make_registry, form, tmp_path):
    source, built, refs = bundle_registry
    bundle = hocker_image(run, hocker, tmp_path / "bundle.tar", "--format", form, *refs)
    reg = make_registry("plain")
    mark = reg.log_mark()
    pushed = push_all(run, hocker, bundle, reg.host + "/mirror", "--plain-http")
    names = ["%s/mirror/bundle/%s:%d" % (reg.host, n, i + 1)
             for i, n in enumerate(("one", "two", "three"))]
    assert [name for name, _ in pushed] == names
    for (name, digest), image in zip(pushed, built.values()):
        raw = manifest(run, hocker, name)
        assert json.loads(raw)["config"]["digest"] == image.config_digest
        repository, tag = name[len(reg.host) + 1:].rsplit(":", 1)
        assert "sha256:" + hashlib.sha256(reg.get_manifest(repository, tag).body).hexdigest() \
            == digest
    base = json.loads(manifest(run, hocker, names[0]))["layers"][0]["digest"]
    assert blob_uploads(reg, mark, base) == 1
    assert mounts(reg, mark, base) == 2
    if form == "docker":
        again = hocker_image(run, hocker, tmp_path / "again.tar", "--format", form,
                             "--tag", refs[0].split("/", 1)[1], names[0])
        alone = hocker_image(run, hocker, tmp_path / "alone.tar", "--format", form,
                             "--tag", refs[0].split("/", 1)[1], refs[0])
        assert again.read_bytes() == alone.read_bytes()


def test_push_all_without_a_destination_uses_each_recorded_name(
        hocker, run, bundle_registry, make_registry, tmp_path):
    source, built, refs = bundle_registry
    reg = make_registry("plain")
    bundle = hocker_image(run, hocker, tmp_path / "bundle.tar", *refs)
    # Record names on the new registry, then push to exactly those names.

    def on_the_new_registry(entries):
        for i, entry in enumerate(entries):
            entry["RepoTags"] = ["%s/team/app%d:v%d" % (reg.host, i, i)]

    renamed = rewrite_manifest_json(bundle, tmp_path / "renamed.tar", on_the_new_registry)
    pushed = push_all(run, hocker, renamed, "--plain-http")
    assert [name for name, _ in pushed] == ["%s/team/app%d:v%d" % (reg.host, i, i)
                                            for i in range(3)]
    for (name, _), image in zip(pushed, built.values()):
        assert json.loads(manifest(run, hocker, name))["config"]["digest"] == image.config_digest


def test_a_two_platform_bundle_is_pushed_as_its_index(hocker, run, plain_registry, images,
                                                      bundle_registry, make_registry, tmp_path):
    multi = "%s/%s" % (plain_registry.host, FIXTURE_REFS["multiarch"])
    bundle = hocker_image(run, hocker, tmp_path / "bundle.tar", "--format", "oci",
                          "--platform", "linux/amd64,linux/arm64/v8", multi, bundle_registry[2][0])
    with tarfile.open(bundle) as tf:
        index = json.loads(tf.extractfile("index.json").read())
        nested = tf.extractfile("blobs/sha256/" + index["manifests"][0]["digest"][7:]).read()
    reg = make_registry("plain")
    pushed = push_all(run, hocker, bundle, reg.host + "/p", "--plain-http")
    assert pushed[0] == ["%s/p/%s" % (reg.host, FIXTURE_REFS["multiarch"]),
                         index["manifests"][0]["digest"]]
    assert manifest(run, hocker, pushed[0][0], "--index") == nested
    assert [p["platform"]["architecture"] for p in json.loads(nested)["manifests"]] == \
        ["amd64", "arm64"]


def test_an_oci_layout_directory_bundle_is_pushed_whole(hocker, run, bundle_registry,
                                                        make_registry, tmp_path):
    source, built, refs = bundle_registry
    bundle = hocker_image(run, hocker, tmp_path / "bundle.tar", "--format", "oci", *refs)
    layout = tmp_path / "layout"
    with tarfile.open(bundle) as tf:
        tf.extractall(layout)
    reg = make_registry("plain")
    pushed = push_all(run, hocker, layout, reg.host, "--plain-http", "-j", "2")
    assert [name for name, _ in pushed] == ["%s/bundle/%s:%d" % (reg.host, n, i + 1)
                                            for i, n in enumerate(("one", "two", "three"))]


@pytest.mark.parametrize("form", ["docker", "oci"])
def test_several_images_without_all_are_refused_pointing_at_all(
        hocker, run, bundle_registry, make_registry, form, tmp_path):
    bundle = hocker_image(run, hocker, tmp_path / "bundle.tar", "--format", form,
                          *bundle_registry[2])
    stderr = push_refused(run, hocker, make_registry, bundle, repository="x:1")
    assert "--all" in stderr


def test_a_docker_bundle_of_two_platforms_is_refused_before_any_upload(
        hocker, run, plain_registry, make_registry, tmp_path):
    multi = "%s/%s" % (plain_registry.host, FIXTURE_REFS["multiarch"])
    bundle = hocker_image(run, hocker, tmp_path / "bundle.tar",
                          "--platform", "linux/amd64,linux/arm64/v8", multi)
    stderr = push_refused(run, hocker, make_registry, bundle)
    assert "no RepoTags" in stderr and "--format oci" in stderr


def test_a_name_without_a_tag_is_refused_before_any_upload(hocker, run, bundle_registry,
                                                           make_registry, tmp_path):
    bundle = hocker_image(run, hocker, tmp_path / "bundle.tar", *bundle_registry[2])
    untagged = rewrite_manifest_json(
        bundle, tmp_path / "untagged.tar",
        lambda entries: entries[2].__setitem__("RepoTags", ["example.com/team/app"]))
    stderr = push_refused(run, hocker, make_registry, untagged)
    assert "example.com/team/app" in stderr and "no tag" in stderr


@pytest.mark.parametrize("args, needle", [
    (["BUNDLE", "localhost:5000/mirror:1"], "tag"),
    (["BUNDLE", "mirror"], "registry host"),
    (["BUNDLE", "localhost:5000", "extra"], "at most one destination"),
])
def test_push_all_usage_errors_are_exit_2(hocker, run, bundle_registry, args, needle, tmp_path):
    bundle = hocker_image(run, hocker, tmp_path / "bundle.tar", *bundle_registry[2])
    argv = [str(bundle) if a == "BUNDLE" else a for a in args]
    rc, _, stderr = run([hocker, "push", "--all"] + argv, input=b"")
    assert rc == 2, stderr
    assert_one_error_line(stderr, "hocker-push")
    assert needle in stderr


def test_push_without_all_still_needs_a_reference(hocker, run, tmp_path):
    rc, _, stderr = run([hocker, "push", str(tmp_path / "x.tar")])
    assert rc == 2, stderr
    assert "--all" in stderr


def with_manifest_last(bundle, out):
    with tarfile.open(bundle) as src, tarfile.open(out, "w") as dst:
        members = [(m, src.extractfile(m).read() if m.isfile() else None) for m in src]
        members.sort(key=lambda pair: pair[0].name == "manifest.json")
        for member, data in members:
            dst.addfile(member, io.BytesIO(data) if data is not None else None)
    return out


def test_a_stream_on_stdin_is_pushed_in_one_pass_when_manifest_json_comes_first(
        hocker, run, bundle_registry, make_registry, tmp_path):
    source, built, refs = bundle_registry
    bundle = hocker_image(run, hocker, tmp_path / "bundle.tar", *refs)
    reg = make_registry("plain")
    mark = reg.log_mark()
    rc, stdout, stderr = run([hocker, "push", "--all", "-", reg.host + "/s", "-q",
                              "--plain-http"], input=bundle.read_bytes())
    assert rc == 0, stderr
    pushed = [line.split("@", 1) for line in stdout.decode().splitlines()]
    assert [name for name, _ in pushed] == ["%s/s/bundle/%s:%d" % (reg.host, n, i + 1)
                                            for i, n in enumerate(("one", "two", "three"))]
    for (name, _), image in zip(pushed, built.values()):
        assert json.loads(manifest(run, hocker, name))["config"]["digest"] == image.config_digest
    base = json.loads(manifest(run, hocker, pushed[0][0]))["layers"][0]["digest"]
    assert blob_uploads(reg, mark, base) == 1
    assert mounts(reg, mark, base) == 2


def test_a_stream_with_manifest_json_last_is_refused_before_any_upload(
        hocker, run, bundle_registry, make_registry, tmp_path):
    bundle = hocker_image(run, hocker, tmp_path / "bundle.tar", *bundle_registry[2])
    last = with_manifest_last(bundle, tmp_path / "last.tar")
    reg = make_registry("plain")
    rc, _, stderr = run([hocker, "push", "--all", "-", reg.host, "--plain-http"],
                        input=last.read_bytes())
    assert rc == 2, stderr
    assert_one_error_line(stderr, "hocker-push", "before manifest.json", "push the file")
    assert uploads(reg, 0) == 0


def test_docker_entries_that_share_a_name_are_pushed_as_a_manifest_list(
        hocker, run, plain_registry, images, make_registry, tmp_path):
    multi = "%s/%s" % (plain_registry.host, FIXTURE_REFS["multiarch"])
    bundle = hocker_image(run, hocker, tmp_path / "bundle.tar",
                          "--platform", "linux/amd64,linux/arm64/v8", multi)

    def name_every_platform(entries):
        for entry in entries:
            entry["RepoTags"] = ["example.com/team/multi:1"]

    named = rewrite_manifest_json(bundle, tmp_path / "named.tar", name_every_platform)
    reg = make_registry("plain")
    pushed = push_all(run, hocker, named, reg.host, "--plain-http")
    name = "%s/team/multi:1" % reg.host
    assert [n for n, _ in pushed] == [name]
    index = json.loads(manifest(run, hocker, name, "--index"))
    assert index["mediaType"] == "application/vnd.docker.distribution.manifest.list.v2+json"
    platforms = ["/".join([m["platform"]["os"], m["platform"]["architecture"]]
                          + ([m["platform"]["variant"]] if "variant" in m["platform"] else []))
                 for m in index["manifests"]]
    assert platforms == ["linux/amd64", "linux/arm64/v8"]
    for platform in platforms:
        child = json.loads(manifest(run, hocker, name, "--platform", platform))
        assert child["config"]["digest"] == images["multiarch"].children[platform].config_digest
