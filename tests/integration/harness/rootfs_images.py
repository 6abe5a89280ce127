"""Layered images for `hocker export`: one per rule of applying OCI changesets, built from
raw tars whose entry order the test chooses (an opaque marker after the files of its layer, a
whiteout beside an entry of its own layer), with the exact listing the flattened root
filesystem must have."""
import io
import tarfile

from .images import MTIME, make_tar

# An entry: (path, kind, value=None, **attrs); kind f file (value: bytes|str), d directory,
# l symlink (value: target), h hard link (value: target), c char device, p FIFO. attrs: mode,
# uid, gid, uname, gname, pax (dict of PAX records), mtime.


def E(path, kind="f", value=None, **attrs):
    return (path, kind, value, attrs)


def raw_tar(entries):
    """Tar bytes with exactly `entries`, in this order (PAX format, uid/gid 0, fixed mtime)."""
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.PAX_FORMAT) as tf:
        for path, kind, value, attrs in entries:
            ti = tarfile.TarInfo(path)
            ti.mtime = attrs.get("mtime", MTIME)
            ti.uid, ti.gid = attrs.get("uid", 0), attrs.get("gid", 0)
            ti.uname, ti.gname = attrs.get("uname", ""), attrs.get("gname", "")
            ti.pax_headers = dict(attrs.get("pax", {}))
            data = None
            if kind == "d":
                ti.type, ti.mode = tarfile.DIRTYPE, attrs.get("mode", 0o755)
            elif kind == "l":
                ti.type, ti.linkname, ti.mode = tarfile.SYMTYPE, value, 0o777
            elif kind == "h":
                ti.type, ti.linkname, ti.mode = tarfile.LNKTYPE, value, attrs.get("mode", 0o644)
            elif kind == "c":
                ti.type, ti.devmajor, ti.devminor = tarfile.CHRTYPE, 1, 3
                ti.mode = attrs.get("mode", 0o666)
            elif kind == "p":
                ti.type, ti.mode = tarfile.FIFOTYPE, attrs.get("mode", 0o644)
            else:
                raw = value.encode() if isinstance(value, str) else (value or b"")
                ti.mode, ti.size, data = attrs.get("mode", 0o644), len(raw), io.BytesIO(raw)
            tf.addfile(ti, data)
    return buf.getvalue()


# A valid security.capability (VFS_CAP_REVISION_2, cap_net_raw permitted): umoci and the
# kernel refuse a malformed one.
CAPABILITY = "\x00\x00\x00\x02\x00\x20\x00\x00" + "\x00" * 12
LONG = "long-" + "n" * 120 + "/" + "m" * 150 + ".txt"
UTF8 = "donn\u00e9es/\u65e5\u672c\u8a9e-\u00fcml\u00e4ut.txt"

# name -> (layers as lists of entries, expected listing). A listing row is (path, kind,
# content or link target, mode); directories end with "/" as tar writes them.
CASES = {
    "whiteout-file": (
        [[E("etc", "d"), E("etc/a", "f", "A"), E("etc/b", "f", "B")],
         [E("etc", "d"), E("etc/.wh.a", "f", "")]],
        [("etc/", "d", "", 0o755), ("etc/b", "f", "B", 0o644)]),
    "whiteout-dir-recreated": (
        [[E("d", "d"), E("d/old", "f", "o"), E("d/sub", "d"), E("d/sub/x", "f", "x")],
         [E(".wh.d", "f", "")],
         [E("d", "d", mode=0o700), E("d/new", "f", "N")]],
        [("d/", "d", "", 0o700), ("d/new", "f", "N", 0o644)]),
    "opaque-after-files": (
        [[E("d", "d"), E("d/lower", "f", "L"), E("d/deep", "d"), E("d/deep/x", "f", "x")],
         [E("d", "d", mode=0o750), E("d/mine", "f", "M"), E("d/.wh..wh..opq", "f", "")]],
        [("d/", "d", "", 0o750), ("d/mine", "f", "M", 0o644)]),
    "whiteout-same-layer": (
        [[E("a", "f", "old a"), E("b", "f", "old b")],
         [E("a", "f", "new a"), E(".wh.a", "f", ""), E(".wh.b", "f", ""), E("b", "f", "new b")]],
        [("a", "f", "new a", 0o644), ("b", "f", "new b", 0o644)]),
    "replacements": (
        [[E("x", "d"), E("x/a", "f", "a"), E("x/b", "d"), E("x/b/c", "f", "c"), E("y", "f", "y")],
         [E("x", "f", "x is a file"), E("y", "d", mode=0o711), E("y/inner", "f", "I")]],
        [("y/", "d", "", 0o711), ("x", "f", "x is a file", 0o644), ("y/inner", "f", "I", 0o644)]),
    "hardlink-target-hidden": (
        [[E("target", "f", "shared"), E("link", "h", "target"), E("other", "h", "target")],
         [E(".wh.target", "f", "")]],
        [("link", "f", "shared", 0o644), ("other", "h", "link", 0o644)]),
    "names": (
        [[E(LONG, "f", "long"), E(UTF8, "f", "utf8")]],
        [("donn\u00e9es/", "d", "", 0o755), (LONG.split("/")[0] + "/", "d", "", 0o755),
         (LONG, "f", "long", 0o644), (UTF8, "f", "utf8", 0o644)]),
    "xattrs": (
        [[E("bin", "d"), E("bin/ping", "f", "P", mode=0o755,
                           pax={"SCHILY.xattr.security.capability": CAPABILITY,
                                "SCHILY.xattr.user.comment": "hello"})]],
        [("bin/", "d", "", 0o755), ("bin/ping", "f", "P", 0o755)]),
    "setuid": (
        [[E("bin", "d"), E("bin/su", "f", "S", mode=0o4755, uid=0, gid=0),
          E("bin/wall", "f", "W", mode=0o2755, gid=5, gname="tty"), E("tmp", "d", mode=0o1777),
          E("home", "d"), E("home/user", "d", mode=0o700, uid=1000, gid=1000, uname="user")]],
        [("bin/", "d", "", 0o755), ("home/", "d", "", 0o755), ("home/user/", "d", "", 0o700),
         ("tmp/", "d", "", 0o1777), ("bin/su", "f", "S", 0o4755),
         ("bin/wall", "f", "W", 0o2755)]),
    "devices": (
        [[E("lib", "d"), E("lib/null", "c", mode=0o666), E("run", "d"),
          E("run/fifo", "p", mode=0o600)]],
        [("lib/", "d", "", 0o755), ("run/", "d", "", 0o755), ("lib/null", "c", "", 0o666),
         ("run/fifo", "p", "", 0o600)]),
    "empty-layers": (
        [[E("f", "f", "F")], [], [E("g", "f", "G")], []],
        [("f", "f", "F", 0o644), ("g", "f", "G", 0o644)]),
    # Paths through symlinked directories are resolved inside the root (relative, absolute and
    # chained links, ".." stopping at the root); the last component is never followed.
    "symlinked-dirs": (
        [[E("usr", "d"), E("usr/lib", "d"), E("usr/lib/old.so", "f", "O"), E("lib", "l", "usr/lib"),
          E("lib64", "l", "lib"), E("run", "d"), E("var", "d"), E("var/run", "l", "/run"),
          E("up", "l", "../../..")],
         [E("lib/x.so", "f", "X"), E("lib64/y.so", "f", "Y"), E("var/run/pid", "f", "1"),
          E("up/usr/z", "f", "Z"), E("lib/.wh.old.so", "f", "")]],
        [("run/", "d", "", 0o755), ("usr/", "d", "", 0o755), ("usr/lib/", "d", "", 0o755),
         ("var/", "d", "", 0o755), ("lib", "l", "usr/lib", 0o777), ("lib64", "l", "lib", 0o777),
         ("var/run", "l", "/run", 0o777), ("up", "l", "../../..", 0o777),
         ("usr/lib/x.so", "f", "X", 0o644), ("usr/lib/y.so", "f", "Y", 0o644),
         ("run/pid", "f", "1", 0o644), ("usr/z", "f", "Z", 0o644)]),
}

# Hostile layers for --unpack, each refused before anything is written. {} is filled with the
# absolute path of the folder holding the canary.
HOSTILE = {
    "symlink-named-dot": [[E(".", "l", "{}")], [E("canary", "f", "pwned")]],
    "symlink-loop": [[E("a", "l", "b"), E("b", "l", "a")], [E("a/canary", "f", "pwned")]],
    "hardlink-to-host-path": [[E("h", "h", "{}/canary")]],
    "hardlink-through-symlinked-dir": [[E("d", "l", "{}"), E("d2", "d"), E("d2/h", "h", "d/canary")]],
    "dotdot-name": [[E("../canary", "f", "pwned")]],
}

# Hostile layers whose paths stay inside the root once resolved in it: written, and only
# there. name -> (layers, where the file lands inside the root).
CONTAINED = {
    "symlink-then-file-through-it": ([[E("a", "l", "{}")], [E("a/canary", "f", "pwned")]],
                                     "{}/canary"),
    "symlink-to-dotdot": ([[E("up", "l", ".."), E("up/canary", "f", "pwned")]], "canary"),
    "symlink-to-many-dotdots": ([[E("up", "l", "../../../../.."), E("up/canary", "f", "pwned")]],
                                "canary"),
}


def layer_spec(entries):
    """A build_image layer for `entries` (an empty list is an empty tar)."""
    return {"tar": raw_tar(entries) if entries else make_tar({}), "compression": "gzip"}
