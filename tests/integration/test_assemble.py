"""hocker assemble: from a lockfile written by hocker lock and blob files on disk, the archive
hocker image writes, byte for byte, in both formats; a tampered blob is an integrity error with
nothing written, a missing one an error naming its digest."""
import os
import shutil

import pytest

from harness.cli import assert_one_error_line, leftovers
from harness.images import FIXTURE_REFS

CASES = [("hello", None), ("multilayer", None), ("oci", None), ("zstd", None),
         ("multiarch", "linux/amd64"), ("multiarch", "linux/arm/v7"),
         ("multiarch-oci", "linux/arm64/v8")]


def reference(reg, key):
    return "%s/%s" % (reg.host, FIXTURE_REFS[key])


def pick(images, key, platform):
    image = images[key]
    return image.children[platform] if platform else image


def lock(run, hocker, reg, key, path):
    rc, _, err = run([hocker, "lock", "--all-platforms", "-o", str(path), reference(reg, key)])
    assert rc == 0, err
    return path


def blob_dir(image, path):
    """Every blob of `image` as path/sha256/HEX, the layout --blobs reads."""
    nested = path / "sha256"
    nested.mkdir(parents=True, exist_ok=True)
    (nested / image.manifest_digest[7:]).write_bytes(image.manifest_bytes)
    (nested / image.config_digest[7:]).write_bytes(image.config_bytes)
    for layer in image.unique_layers:
        shutil.copyfile(layer.path, nested / layer.digest[7:])
    return path


def platform_args(platform):
    return ["--platform", platform] if platform else []


@pytest.fixture(scope="module")
def locked(tmp_path_factory, run, hocker, plain_registry):
    """key -> lockfile path written by hocker lock, one per fixture image."""
    root = tmp_path_factory.mktemp("locks")
    return {key: lock(run, hocker, plain_registry, key, root / (key + ".lock"))
            for key in {case[0] for case in CASES} | {"lying"}}


@pytest.mark.parametrize("fmt", ["docker", "oci"])
@pytest.mark.parametrize("tag", [None, "assembled/app:1"])
@pytest.mark.parametrize("key,platform", CASES)
def test_assemble_writes_exactly_what_hocker_image_writes(hocker, run, plain_registry, images,
                                                          locked, key, platform, tag, fmt,
                                                          tmp_path):
    tag_args = ["--tag", tag] if tag else []
    pulled, assembled = tmp_path / "pulled.tar", tmp_path / "assembled.tar"
    rc, _, err = run([hocker, "image", "-q", "--format", fmt, "-o", str(pulled)] + tag_args +
                     platform_args(platform) + [reference(plain_registry, key)])
    assert rc == 0, err
    blobs = blob_dir(pick(images, key, platform), tmp_path / "blobs")
    rc, out, err = run([hocker, "assemble", str(locked[key]), "--blobs", str(blobs), "--format",
                        fmt, "-o", str(assembled)] + tag_args + platform_args(platform))
    assert rc == 0, err
    assert out == (str(assembled) + "\n").encode()
    assert assembled.read_bytes() == pulled.read_bytes()


def test_listed_blob_files_named_by_digest_work_like_a_folder(hocker, run, images, locked,
                                                              tmp_path):
    image = images["multilayer"]
    blobs = blob_dir(image, tmp_path / "blobs")
    listed = []
    for name in os.listdir(blobs / "sha256"):
        target = tmp_path / ("x-blob-sha256-" + name)
        shutil.copyfile(blobs / "sha256" / name, target)
        listed += ["--blob", str(target)]
    by_folder, by_list = tmp_path / "a.tar", tmp_path / "b.tar"
    rc, _, err = run([hocker, "assemble", "-q", str(locked["multilayer"]), "--blobs", str(blobs),
                      "-o", str(by_folder)])
    assert rc == 0, err
    rc, _, err = run([hocker, "assemble", str(locked["multilayer"]), "-o", str(by_list)] + listed)
    assert rc == 0, err
    assert by_list.read_bytes() == by_folder.read_bytes()


@pytest.mark.parametrize("out_name", ["image.tar", "-"])
@pytest.mark.parametrize("what", ["layer", "config", "manifest"])
def test_a_tampered_blob_is_an_integrity_error_and_nothing_is_written(hocker, run, images, locked,
                                                                      what, out_name, tmp_path):
    image = images["multilayer"]
    blobs = blob_dir(image, tmp_path / "blobs")
    digest = {"layer": image.layers[-2].digest, "config": image.config_digest,
              "manifest": image.manifest_digest}[what]
    target = blobs / "sha256" / digest[7:]
    data = bytearray(target.read_bytes())
    data[len(data) // 2] ^= 0x01  # Same size: only the digest tells.
    target.write_bytes(bytes(data))
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    out = "-" if out_name == "-" else str(out_dir / out_name)
    rc, stdout, err = run([hocker, "assemble", "-q", str(locked["multilayer"]), "--blobs", str(blobs),
                           "-o", out])
    assert rc == 6, err
    assert_one_error_line(err, "hocker-assemble", digest)
    assert stdout == b""
    assert os.listdir(out_dir) == [] and leftovers(out_dir) == []


def test_a_missing_blob_is_not_found_naming_its_digest(hocker, run, images, locked, tmp_path):
    image = images["multilayer"]
    blobs = blob_dir(image, tmp_path / "blobs")
    missing = image.layers[3].digest
    os.unlink(blobs / "sha256" / missing[7:])
    out = tmp_path / "image.tar"
    rc, stdout, err = run([hocker, "assemble", "-q", str(locked["multilayer"]), "--blobs", str(blobs),
                           "-o", str(out)])
    assert rc == 5, err
    assert_one_error_line(err, "hocker-assemble", "blob " + missing)
    assert not out.exists() and leftovers(tmp_path) == []


def test_a_layer_unlike_its_diff_id_fails_as_hocker_image_does(hocker, run, plain_registry,
                                                               images, locked, tmp_path):
    blobs = blob_dir(images["lying"], tmp_path / "blobs")
    out = tmp_path / "image.tar"
    rc, _, err = run([hocker, "assemble", "-q", str(locked["lying"]), "--blobs", str(blobs),
                      "-o", str(out)])
    assert rc == 6, err
    assert_one_error_line(err, "hocker-assemble", "diff_id")
    assert not out.exists()


def test_an_unlocked_platform_or_image_is_not_found(hocker, run, images, locked, tmp_path):
    blobs = blob_dir(images["hello"], tmp_path / "blobs")
    out = tmp_path / "image.tar"
    rc, _, err = run([hocker, "assemble", str(locked["hello"]), "--blobs", str(blobs),
                      "--platform", "linux/s390x", "-o", str(out)])
    assert rc == 5, err
    assert_one_error_line(err, "hocker-assemble", "linux/s390x", "linux/amd64")
    rc, _, err = run([hocker, "assemble", str(locked["hello"]), "--blobs", str(blobs),
                      "--image", "7", "-o", str(out)])
    assert rc == 5, err
    assert not out.exists()


@pytest.mark.parametrize("key,platform", [("multilayer", None), ("zstd", None),
                                          ("multiarch", "linux/arm/v7")])
def test_assemble_rootfs_writes_exactly_what_hocker_export_writes(hocker, run, plain_registry,
                                                                  images, locked, key, platform,
                                                                  tmp_path):
    exported, assembled = tmp_path / "exported.tar", tmp_path / "assembled.tar"
    rc, _, err = run([hocker, "export", "-q", "-o", str(exported)] + platform_args(platform) +
                     [reference(plain_registry, key)])
    assert rc == 0, err
    blobs = blob_dir(pick(images, key, platform), tmp_path / "blobs")
    rc, out, err = run([hocker, "assemble", str(locked[key]), "--blobs", str(blobs), "--format",
                        "rootfs", "-o", str(assembled)] + platform_args(platform))
    assert rc == 0, err
    assert out == (str(assembled) + "\n").encode()
    assert assembled.read_bytes() == exported.read_bytes()
    stream = tmp_path / "stream.tar"
    rc, out, err = run([hocker, "assemble", str(locked[key]), "--blobs", str(blobs), "--format",
                        "rootfs", "-o", "-"] + platform_args(platform))
    assert rc == 0, err
    assert out == exported.read_bytes()


def test_assemble_rootfs_refuses_a_tampered_layer_before_writing(hocker, run, images, locked,
                                                                 tmp_path):
    image = images["multilayer"]
    blobs = blob_dir(image, tmp_path / "blobs")
    victim = blobs / "sha256" / image.unique_layers[-1].digest[7:]
    data = bytearray(victim.read_bytes())
    data[len(data) // 2] ^= 0xFF
    victim.write_bytes(bytes(data))
    out = tmp_path / "rootfs.tar"
    rc, stdout, err = run([hocker, "assemble", str(locked["multilayer"]), "--blobs", str(blobs),
                           "--format", "rootfs", "-o", "-"])
    assert rc == 6, err
    assert stdout == b""
    assert_one_error_line(err, "hocker-assemble", image.unique_layers[-1].digest)
    rc, _, err = run([hocker, "assemble", str(locked["multilayer"]), "--blobs", str(blobs),
                      "--format", "rootfs", "-o", str(out)])
    assert rc == 6, err
    assert not out.exists() and leftovers(tmp_path) == []


def test_assemble_rootfs_takes_no_tag(hocker, run, images, locked, tmp_path):
    blobs = blob_dir(images["hello"], tmp_path / "blobs")
    rc, _, err = run([hocker, "assemble", str(locked["hello"]), "--blobs", str(blobs), "--format",
                      "rootfs", "--tag", "a/b:c", "-o", str(tmp_path / "x.tar")])
    assert rc == 2
    assert_one_error_line(err, "hocker-assemble", "--tag")
