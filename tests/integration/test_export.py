"""hocker export: the image's layers flattened into one root filesystem by the OCI changeset
rules (one image per rule, exact listings), unpacked safely into a directory (hostile layers
refused, nothing written outside), bad layers refused with the right exit code and no output,
and the result compared with docker export and umoci unpack."""
import gzip
import hashlib
import io
import os
import stat
import subprocess
import tarfile

import pytest

from harness import consumers
from harness import rootfs_images as ri
from harness.cli import assert_one_error_line, leftovers
from harness.fault_proxy import FaultProxy, flip_byte
from harness.images import FIXTURE_REFS, make_tar

MULTILAYER_LISTING = [
    ("bin/", "d", "", 0o755), ("data/", "d", "", 0o755), ("etc/", "d", "", 0o755),
    ("shared/", "d", "", 0o755), ("usr/", "d", "", 0o755), ("usr/share/", "d", "", 0o755),
    ("usr/share/doc/", "d", "", 0o755), ("var/", "d", "", 0o755), ("var/empty/", "d", "", 0o700),
    ("bin/hello", "f", "<hello>", 0o755), ("data/random.bin", "f", "<random>", 0o644),
    ("etc/motd", "f", "hocker multilayer test\n", 0o644),
    ("data/more.bin", "f", "<more>", 0o644), ("usr/share/doc/a.txt", "f", "alpha\n" * 1000, 0o644),
    ("usr/share/doc/b.txt", "f", "beta\n", 0o644), ("usr/share/doc/hard", "h", "usr/share/doc/b.txt", 0o644),
    ("usr/share/doc/link", "l", "a.txt", 0o777),
    ("shared/common.txt", "f", "shared between two positions in the manifest\n", 0o644),
]


def listing(tar_bytes_or_path, digests=None):
    """(path, kind, content or link, mode) per entry, in order; directories end with '/'.
    Contents found in `digests` ({sha256 hex: label}) are shown as their label."""
    kw = {"fileobj": io.BytesIO(tar_bytes_or_path)} \
        if isinstance(tar_bytes_or_path, bytes) else {"name": str(tar_bytes_or_path)}
    rows = []
    with tarfile.open(mode="r:", **kw) as tf:
        for m in tf:
            if m.isdir():
                rows.append((m.name + "/", "d", "", m.mode))
            elif m.islnk():
                rows.append((m.name, "h", m.linkname, m.mode))
            elif m.issym():
                rows.append((m.name, "l", m.linkname, m.mode))
            elif m.isfile():
                data = tf.extractfile(m).read()
                label = (digests or {}).get(hashlib.sha256(data).hexdigest())
                rows.append((m.name, "f", label or data.decode("utf-8", "replace"), m.mode))
            else:
                rows.append((m.name, "c" if m.ischr() else "p", "", m.mode))
    return rows


@pytest.fixture(scope="module")
def rootfs_registry(plain_registry, image_builder):
    """The plain registry with one image per rule pushed as team/rootfs-<name>:v1."""
    for name, (layers, _) in ri.CASES.items():
        image = image_builder.build_image("rootfs-" + name, [ri.layer_spec(l) for l in layers])
        plain_registry.push(image, "team/rootfs-%s:v1" % name)
    return plain_registry


def push_layers(registry, image_builder, name, layers):
    """Builds image `name` of `layers` (rootfs_images tuples), pushes it as team/NAME:v1 and
    returns that ref."""
    image = image_builder.build_image(name, [ri.layer_spec(l) for l in layers])
    ref = "team/%s:v1" % name
    registry.push(image, ref)
    return ref


def push_contained(registry, image_builder, prefix, case, outside):
    """Pushes the contained hostile-symlink image `case`, its links aimed at `outside`, as
    team/PREFIXcontained-CASE:v1 and returns that ref."""
    layers = [[(p, k, v.replace("{}", outside) if v else v, a) for p, k, v, a in layer]
              for layer in ri.CONTAINED[case][0]]
    return push_layers(registry, image_builder, prefix + "contained-" + case, layers)


def outside_with_canary(tmp_path):
    """tmp_path/outside, holding only `canary` ("untouched"): where an unpack must not write."""
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "canary").write_text("untouched")
    return outside


def export(run, hocker, reg, ref, *extra):
    return run([hocker, "export", reg.host + "/" + ref, "-q"] + list(extra))


@pytest.mark.parametrize("case", sorted(ri.CASES))
def test_each_changeset_rule_gives_the_exact_flattened_tree(hocker, run, rootfs_registry, tmp_path,
                                                            case):
    out = tmp_path / "rootfs.tar"
    rc, stdout, err = export(run, hocker, rootfs_registry, "team/rootfs-%s:v1" % case, "-o", str(out))
    assert rc == 0, err
    assert stdout == (str(out) + "\n").encode() and err == ""
    assert listing(out) == ri.CASES[case][1]
    assert leftovers(tmp_path) == []


def test_the_multilayer_image_keeps_symlinks_and_hardlinks(hocker, run, plain_registry, images,
                                                           tmp_path):
    out = tmp_path / "rootfs.tar"
    rc, _, err = export(run, hocker, plain_registry, FIXTURE_REFS["multilayer"], "-o", str(out))
    assert rc == 0, err
    labels = {}
    with tarfile.open(fileobj=io.BytesIO(
            gzip.decompress(images["multilayer"].layers[0].read()))) as tf:
        for name, label in (("bin/hello", "<hello>"), ("data/random.bin", "<random>")):
            labels[hashlib.sha256(tf.extractfile(name).read()).hexdigest()] = label
    with tarfile.open(fileobj=io.BytesIO(
            gzip.decompress(images["multilayer"].layers[3].read()))) as tf:
        labels[hashlib.sha256(tf.extractfile("data/more.bin").read()).hexdigest()] = "<more>"
    assert listing(out, labels) == MULTILAYER_LISTING


def test_metadata_is_kept_xattrs_owners_times_and_modes(hocker, run, rootfs_registry, tmp_path):
    out = tmp_path / "rootfs.tar"
    assert export(run, hocker, rootfs_registry, "team/rootfs-xattrs:v1", "-o", str(out))[0] == 0
    with tarfile.open(out) as tf:
        ping = tf.getmember("bin/ping")
        assert ping.pax_headers["SCHILY.xattr.user.comment"] == "hello"
        assert ping.pax_headers["SCHILY.xattr.security.capability"] == ri.CAPABILITY
        assert ping.mtime == 946684800
    assert export(run, hocker, rootfs_registry, "team/rootfs-setuid:v1", "-o", str(out))[0] == 0
    with tarfile.open(out) as tf:
        user = tf.getmember("home/user")
        assert (user.uid, user.gid, user.uname) == (1000, 1000, "user")
        assert (tf.getmember("bin/wall").gid, tf.getmember("bin/wall").gname) == (5, "tty")


def test_the_output_is_the_same_bytes_every_time_and_on_stdout(hocker, run, plain_registry,
                                                                tmp_path):
    out = tmp_path / "a.tar"
    assert export(run, hocker, plain_registry, FIXTURE_REFS["multilayer"], "-o", str(out))[0] == 0
    rc, stdout, err = export(run, hocker, plain_registry, FIXTURE_REFS["multilayer"], "-o", "-")
    assert rc == 0, err
    assert stdout == out.read_bytes()


def test_unpack_writes_the_same_tree_with_modes_and_links(hocker, run, plain_registry, tmp_path):
    target = tmp_path / "root"
    rc, stdout, err = export(run, hocker, plain_registry, FIXTURE_REFS["multilayer"],
                             "--unpack", str(target))
    assert rc == 0, err
    assert stdout == b""
    doc = target / "usr/share/doc"
    assert os.readlink(doc / "link") == "a.txt"
    assert os.stat(doc / "hard").st_ino == os.stat(doc / "b.txt").st_ino
    assert stat.S_IMODE(os.stat(target / "var/empty").st_mode) == 0o700
    assert (target / "etc/motd").read_text() == "hocker multilayer test\n"
    assert os.stat(target / "etc/motd").st_mtime == 946684800


def test_unpack_keeps_setuid_and_sticky_bits(hocker, run, rootfs_registry, tmp_path):
    target = tmp_path / "root"
    rc, _, err = export(run, hocker, rootfs_registry, "team/rootfs-setuid:v1", "--unpack", str(target))
    assert rc == 0, err
    assert stat.S_IMODE(os.stat(target / "bin/su").st_mode) == 0o4755
    assert stat.S_IMODE(os.stat(target / "bin/wall").st_mode) == 0o2755
    assert stat.S_IMODE(os.stat(target / "tmp").st_mode) == 0o1777


def test_devices_and_fifos_are_entries_and_unpacked_when_allowed(hocker, run, rootfs_registry,
                                                                 tmp_path):
    out = tmp_path / "rootfs.tar"
    assert export(run, hocker, rootfs_registry, "team/rootfs-devices:v1", "-o", str(out))[0] == 0
    with tarfile.open(out) as tf:
        null = tf.getmember("lib/null")
        assert null.ischr() and (null.devmajor, null.devminor) == (1, 3)
    target = tmp_path / "root"
    rc, _, err = export(run, hocker, rootfs_registry, "team/rootfs-devices:v1", "--unpack",
                        str(target))
    assert rc == 0, err
    assert stat.S_ISFIFO(os.lstat(target / "run/fifo").st_mode)
    if os.geteuid() == 0:
        st = os.lstat(target / "lib/null")
        assert stat.S_ISCHR(st.st_mode) and (os.major(st.st_rdev), os.minor(st.st_rdev)) == (1, 3)
        assert err == ""
    else:
        assert not os.path.exists(target / "lib/null")
        assert err == ("hocker-export: warning: not applied (needs root or filesystem support): "
                       "1 device nodes\n")


@pytest.mark.parametrize("case", sorted(ri.HOSTILE))
def test_unpack_refuses_hostile_layers_and_writes_nothing_outside(
        hocker, run, plain_registry, image_builder, tmp_path, case):
    outside = outside_with_canary(tmp_path)
    layers = [[(p.replace("{}", str(outside)), k, v.replace("{}", str(outside)) if v else v, a)
               for p, k, v, a in layer] for layer in ri.HOSTILE[case]]
    ref = push_layers(plain_registry, image_builder, "hostile-" + case, layers)
    target = outside / "root"
    rc, stdout, err = export(run, hocker, plain_registry, ref, "--unpack", str(target))
    assert rc == 8, err
    assert_one_error_line(err, "hocker-export", "refusing")
    assert (outside / "canary").read_text() == "untouched"
    assert sorted(os.listdir(outside)) == ["canary"]  # refused before DIR was even created
    out = tmp_path / "rootfs.tar"
    rc, _, err = export(run, hocker, plain_registry, ref, "-o", str(out))
    assert rc == 8 and not out.exists(), err


@pytest.mark.parametrize("case", sorted(ri.CONTAINED))
def test_a_hostile_symlink_is_resolved_inside_the_directory_and_nothing_is_written_outside(
        hocker, run, plain_registry, image_builder, tmp_path, case):
    outside = outside_with_canary(tmp_path)
    lands = ri.CONTAINED[case][1]
    ref = push_contained(plain_registry, image_builder, "", case, str(outside))
    target = outside / "root"
    rc, _, err = export(run, hocker, plain_registry, ref, "--unpack", str(target))
    assert rc == 0, err
    assert (outside / "canary").read_text() == "untouched"
    assert sorted(os.listdir(outside)) == ["canary", "root"]
    assert (target / lands.replace("{}", str(outside)).lstrip("/")).read_text() == "pwned"


def test_a_layer_whose_diff_id_is_wrong_is_refused_with_exit_6_and_no_output(
        hocker, run, plain_registry, image_builder, tmp_path):
    wrong = "sha256:" + "ab" * 32
    image = image_builder.build_image("wrong-diff-id", [{"a": "A"}, {"b": "B"}],
                                      diff_id_overrides={1: wrong})
    plain_registry.push(image, "team/wrong-diff-id:v1")
    for args in (["-o", str(tmp_path / "rootfs.tar")], ["--unpack", str(tmp_path / "root")]):
        rc, stdout, err = export(run, hocker, plain_registry, "team/wrong-diff-id:v1", *args)
        assert rc == 6, err
        assert_one_error_line(err, "hocker-export", image.layers[1].digest, "diff_id mismatch",
                              wrong)
        assert os.listdir(tmp_path) == []


def test_unpack_refuses_a_directory_that_is_not_empty(hocker, run, plain_registry, tmp_path):
    (tmp_path / "keep").write_text("mine")
    rc, _, err = export(run, hocker, plain_registry, FIXTURE_REFS["hello"], "--unpack", str(tmp_path))
    assert rc == 7, err
    assert_one_error_line(err, "hocker-export", "not empty")
    assert os.listdir(tmp_path) == ["keep"]


BAD_LAYERS = {
    "not-a-tar": (b"this is not a tar archive at all\n" * 100, "not a valid tar"),
    "truncated-tar": (make_tar({"big": os.urandom(300000), "after": "x"})[:150000], "layer 1"),
}


@pytest.mark.parametrize("case", sorted(BAD_LAYERS))
def test_a_bad_layer_is_refused_with_exit_8_and_no_output(hocker, run, plain_registry,
                                                          image_builder, tmp_path, case):
    data, fragment = BAD_LAYERS[case]
    image = image_builder.build_image("bad-" + case, [{"tar": data, "compression": "gzip"}])
    plain_registry.push(image, "team/bad-%s:v1" % case)
    out = tmp_path / "rootfs.tar"
    rc, stdout, err = export(run, hocker, plain_registry, "team/bad-%s:v1" % case, "-o", str(out))
    assert rc == 8, err
    assert_one_error_line(err, "hocker-export", fragment)
    assert os.listdir(tmp_path) == []


def test_a_layer_that_does_not_match_its_digest_is_refused_with_exit_6(
        hocker, run, plain_registry, images, tmp_path):
    layer = images["multilayer"].layers[0]
    with FaultProxy(plain_registry.url, timeout=10) as proxy:
        proxy.add_rule(layer.digest, flip_byte(1000), method="GET", times=None)
        out = tmp_path / "rootfs.tar"
        rc, stdout, err = run([hocker, "export", proxy.host + "/" + FIXTURE_REFS["multilayer"],
                               "-q", "--retries", "1", "-o", str(out)])
    assert rc == 6, err
    assert_one_error_line(err, "hocker-export", layer.digest, "digest mismatch")
    assert os.listdir(tmp_path) == []


def test_unpack_and_out_exclude_each_other(hocker, run, plain_registry, tmp_path):
    rc, _, err = export(run, hocker, plain_registry, FIXTURE_REFS["hello"], "-o",
                        str(tmp_path / "x.tar"), "--unpack", str(tmp_path / "d"))
    assert rc == 2, err
    assert os.listdir(tmp_path) == []


# -- real references: docker export and umoci unpack -------------------------------------------
DOCKER_ADDS = ("dev", "proc", "sys", ".dockerenv", "etc/hostname", "etc/hosts", "etc/resolv.conf",
               "etc/mtab")


def _relative(name):
    name = name[2:] if name.startswith("./") else name
    return name.strip("/")


def tree_of_tar(path):
    """{path: (kind, content sha256 or link target, mode, uid, gid)}; a hard link shows its
    target's content, so groups compare whatever member carries the data."""
    entries, links = {}, {}
    with tarfile.open(path) as tf:
        for m in tf:
            name = _relative(m.name)
            if not name:
                continue
            if m.islnk():
                links[name] = (_relative(m.linkname), m.mode & 0o7777, m.uid, m.gid)
                continue
            kind, value = "d" if m.isdir() else "l" if m.issym() else "f" if m.isfile() else "o", ""
            if m.isfile():
                value = hashlib.sha256(tf.extractfile(m).read()).hexdigest()
            elif m.issym():
                value = m.linkname
            entries[name] = (kind, value, m.mode & 0o7777, m.uid, m.gid)
    for name, (target, mode, uid, gid) in links.items():
        entries[name] = ("f", entries[target][1], mode, uid, gid)
    return entries


def tree_of_dir(root):
    """Like tree_of_tar for an unpacked directory (owners left out: rootless umoci)."""
    entries = {}
    for dirpath, dirnames, filenames in os.walk(root):
        for name in dirnames + filenames:
            full = os.path.join(dirpath, name)
            rel = os.path.relpath(full, root)
            st = os.lstat(full)
            if stat.S_ISLNK(st.st_mode):
                entries[rel] = ("l", os.readlink(full), 0o777)
            elif stat.S_ISDIR(st.st_mode):
                entries[rel] = ("d", "", stat.S_IMODE(st.st_mode))
            elif stat.S_ISREG(st.st_mode):
                with open(full, "rb") as f:
                    entries[rel] = ("f", hashlib.sha256(f.read()).hexdigest(),
                                    stat.S_IMODE(st.st_mode))
            else:
                entries[rel] = ("o", "", stat.S_IMODE(st.st_mode))
    return entries


def without_docker_additions(tree, ours):
    out = {}
    for name, value in tree.items():
        if name in DOCKER_ADDS or name.split("/")[0] in ("dev", "proc", "sys"):
            continue
        if name == "etc" and "etc" not in ours:
            continue
        out[name] = value
    return out


COMPARED = sorted(ri.CASES) + ["multilayer"]


def _docker_implies_parents_0600(tree):
    return {name: ((v[0], v[1], 0o600) + v[3:] if name in ("donn\u00e9es", ri.LONG.split("/")[0])
                   else v) for name, v in tree.items()}


# Where docker (28, UnpackLayer) differs from the OCI rules we follow, and umoci agrees with us:
# it creates a missing parent directory with mode 0600 (umoci and we: 0755), and it applies a
# whiteout to an entry of its own layer that came before it in the tar, which the image spec
# forbids ("files that are present in the same layer as a whiteout file can only be hidden by
# whiteout files in subsequent layers").
DOCKER_DIFFERENCES = {
    "names": _docker_implies_parents_0600,
    "whiteout-same-layer": lambda tree: {n: v for n, v in tree.items() if n != "a"},
}


def compared_ref(case):
    return FIXTURE_REFS["multilayer"] if case == "multilayer" else "team/rootfs-%s:v1" % case


def docker_archive(run, hocker, registry, ref, name, work):
    """`hocker image` of `ref`, tagged `name`, as the docker archive `work`/image.tar."""
    archive = work / "image.tar"
    rc, _, err = run([hocker, "image", registry.host + "/" + ref, "-q", "--tag", name, "-o",
                      str(archive)])
    assert rc == 0, err
    return archive


def docker_export_tree(docker_daemon, archive, name, work):
    """The tree `docker export` writes of a container of image `name`, loaded from `archive`;
    the container and the image are removed again."""
    docker_daemon.load(str(archive))
    cid = docker_daemon.docker("create", name, "/nothing").strip()
    try:
        theirs = work / "docker.tar"
        docker_daemon.docker("export", "-o", str(theirs), cid)
    finally:
        docker_daemon.docker("rm", cid)
        docker_daemon.rmi(name)
    return tree_of_tar(theirs)


@pytest.mark.parametrize("case", COMPARED)
def test_export_matches_docker_export(hocker, run, rootfs_registry, docker_daemon, tmp_path,
                                      case):
    ours = tmp_path / "ours.tar"
    assert export(run, hocker, rootfs_registry, compared_ref(case), "-o", str(ours))[0] == 0
    name = "hocker-export-%s:v1" % case
    archive = docker_archive(run, hocker, rootfs_registry, compared_ref(case), name, tmp_path)
    theirs = docker_export_tree(docker_daemon, archive, name, tmp_path)
    mine = tree_of_tar(ours)
    expected = DOCKER_DIFFERENCES.get(case, lambda tree: tree)(mine)
    assert without_docker_additions(theirs, mine) == expected


EMPTY_SHA256 = hashlib.sha256(b"").hexdigest()
# umoci --rootless, unable to mknod, leaves an empty regular file where a device node goes;
# hocker creates the node as root and nothing at all otherwise (with one warning).
UMOCI_DIFFERENCES = {
    "devices": lambda tree: dict(tree, **{"lib/null": ("f", EMPTY_SHA256, 0o666)}),
}


def umoci_tree(registry, ref, work):
    """The tree `umoci unpack --rootless` makes of `ref` (skopeo copies it to a layout)."""
    if not os.path.exists("/usr/bin/umoci"):
        pytest.skip("umoci is not installed")
    layout = work / "layout"
    subprocess.run(["skopeo", "--insecure-policy", "copy", "-q", "--src-tls-verify=false",
                    "docker://%s/%s" % (registry.host, ref), "oci:%s:v1" % layout],
                   check=True, capture_output=True)
    bundle = work / "bundle"
    subprocess.run(["umoci", "unpack", "--rootless", "--image", "%s:v1" % layout, str(bundle)],
                   check=True, capture_output=True)
    return tree_of_dir(bundle / "rootfs")


@pytest.mark.consumer
@pytest.mark.parametrize("case", COMPARED)
def test_unpack_matches_umoci_unpack(hocker, run, rootfs_registry, tmp_path, case):
    theirs = umoci_tree(rootfs_registry, compared_ref(case), tmp_path)
    ours = tmp_path / "ours"
    rc, _, err = export(run, hocker, rootfs_registry, compared_ref(case), "--unpack", str(ours))
    assert rc == 0, err
    expected = UMOCI_DIFFERENCES.get(case, lambda tree: tree)(tree_of_dir(ours))
    assert theirs == expected


@pytest.mark.consumer
@pytest.mark.parametrize("case", sorted(ri.CONTAINED))
def test_contained_hostile_symlinks_unpack_as_umoci_unpacks_them(
        hocker, run, plain_registry, image_builder, tmp_path, case):
    ref = push_contained(plain_registry, image_builder, "umoci-", case, "/host/dir")
    theirs = umoci_tree(plain_registry, ref, tmp_path)
    ours = tmp_path / "ours"
    rc, _, err = export(run, hocker, plain_registry, ref, "--unpack", str(ours))
    assert rc == 0, err
    assert theirs == tree_of_dir(ours)


@pytest.mark.parametrize("case", sorted(ri.CONTAINED))
def test_contained_hostile_symlinks_export_as_docker_exports_them(
        hocker, run, plain_registry, image_builder, docker_daemon, tmp_path, case):
    ref = push_contained(plain_registry, image_builder, "docker-", case, "/host/dir")
    ours = tmp_path / "ours.tar"
    assert export(run, hocker, plain_registry, ref, "-o", str(ours))[0] == 0
    name = "hocker-contained-%s:v1" % case
    archive = docker_archive(run, hocker, plain_registry, ref, name, tmp_path)
    if case == "symlink-then-file-through-it":
        # docker follows the dangling link inside the root too, but creates no directory on
        # the way: it refuses the layer where umoci and hocker imply host/dir/.
        with pytest.raises(consumers.ConsumerError, match="no such file or directory"):
            docker_daemon.load(str(archive))
        return
    theirs = docker_export_tree(docker_daemon, archive, name, tmp_path)
    mine = tree_of_tar(ours)
    assert without_docker_additions(theirs, mine) == mine
