"""Build deterministic test images, offline, in skopeo's `dir:` layout."""
import gzip
import io
import json
import os
import random
import shutil
import tarfile

from .util import INTEGRATION_DIR, bare, check, sha256_bytes, sha256_file

MT = {
    "docker": {"manifest": "application/vnd.docker.distribution.manifest.v2+json",
               "index": "application/vnd.docker.distribution.manifest.list.v2+json",
               "config": "application/vnd.docker.container.image.v1+json",
               "gzip": "application/vnd.docker.image.rootfs.diff.tar.gzip",
               "none": "application/vnd.docker.image.rootfs.diff.tar",
               "zstd": "application/vnd.oci.image.layer.v1.tar+zstd"},
    "oci": {"manifest": "application/vnd.oci.image.manifest.v1+json",
            "index": "application/vnd.oci.image.index.v1+json",
            "config": "application/vnd.oci.image.config.v1+json",
            "gzip": "application/vnd.oci.image.layer.v1.tar+gzip",
            "none": "application/vnd.oci.image.layer.v1.tar",
            "zstd": "application/vnd.oci.image.layer.v1.tar+zstd"},
}
FOREIGN = {  # Foreign / nondistributable layer media types, by compression.
    "docker": {"gzip": "application/vnd.docker.image.rootfs.foreign.diff.tar.gzip",
               "none": "application/vnd.docker.image.rootfs.foreign.diff.tar"},
    "oci": {"gzip": "application/vnd.oci.image.layer.nondistributable.v1.tar+gzip",
            "none": "application/vnd.oci.image.layer.nondistributable.v1.tar"},
}
MTIME = 946684800  # 2000-01-01, fixed in every tar header
CREATED = "2000-01-01T00:00:00Z"
PLATFORMS = ("linux/amd64", "linux/arm64/v8", "linux/arm/v7")


# -- tar entries ---------------------------------------------------------------
class File:
    def __init__(self, data, mode=0o644):
        self.data = data.encode() if isinstance(data, str) else data
        self.mode = mode


class Dir:
    def __init__(self, mode=0o755):
        self.mode = mode


class Symlink:
    def __init__(self, target):
        self.target = target


class Hardlink:
    def __init__(self, target):
        self.target = target


def make_tar(files):
    """Deterministic tar bytes from {path: bytes|str|File|Dir|Symlink|Hardlink}.
    Parent directories are added; entries are sorted; uid/gid 0, fixed mtime."""
    entries = {}
    for path, v in files.items():
        path = path.strip("/")
        parts = path.split("/")
        for i in range(1, len(parts)):
            entries.setdefault("/".join(parts[:i]), Dir())
        entries[path] = v if isinstance(v, (File, Dir, Symlink, Hardlink)) else File(v)
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.PAX_FORMAT) as tf:
        for path in sorted(entries):
            v = entries[path]
            ti = tarfile.TarInfo(path)
            ti.mtime, ti.uid, ti.gid, ti.uname, ti.gname = MTIME, 0, 0, "", ""
            data = None
            if isinstance(v, Dir):
                ti.type, ti.mode = tarfile.DIRTYPE, v.mode
            elif isinstance(v, Symlink):
                ti.type, ti.linkname, ti.mode = tarfile.SYMTYPE, v.target, 0o777
            elif isinstance(v, Hardlink):
                ti.type, ti.linkname, ti.mode = tarfile.LNKTYPE, v.target.strip("/"), 0o644
            else:
                ti.mode, ti.size, data = v.mode, len(v.data), io.BytesIO(v.data)
            tf.addfile(ti, data)
    return buf.getvalue()


def compress(data, compression):
    if compression == "gzip":
        return gzip.compress(data, compresslevel=6, mtime=0)
    if compression == "zstd":
        return check(["zstd", "-q", "-c", "-3", "--no-progress"], input=data)
    if compression == "none":
        return data
    raise ValueError("compression must be gzip, zstd or none")


# -- records ---------------------------------------------------------------------
class Layer:
    def __init__(self, digest, size, diff_id, media_type, path, compression):
        self.digest, self.size, self.diff_id = digest, size, diff_id
        self.media_type, self.path, self.compression = media_type, path, compression

    def read(self):
        with open(self.path, "rb") as f:
            return f.read()

    def __repr__(self):
        return "<Layer %s %s %d>" % (self.digest[:19], self.compression, self.size)


class Image:
    """A single-platform image in a dir: layout.  `layers` follows the manifest order
    (a repeated layer appears twice)."""
    is_index = False

    def __init__(self, **kw):
        self.__dict__.update(kw)  # name dir manifest_bytes manifest_digest media_type
        # config_bytes config_digest config layers platform media

    @property
    def manifest(self):
        return json.loads(self.manifest_bytes)

    @property
    def unique_layers(self):
        seen, out = set(), []
        for l in self.layers:
            if l.digest not in seen:
                seen.add(l.digest)
                out.append(l)
        return out

    def blob_path(self, digest):
        return os.path.join(self.dir, bare(digest))

    def __repr__(self):
        return "<Image %s %s %s>" % (self.name, self.platform, self.manifest_digest[:19])


class Index:
    """A manifest list / OCI index; `children` maps 'linux/arm64/v8' -> Image.
    manifest_bytes/manifest_digest are the index's (what a tag resolves to)."""
    is_index = True

    def __init__(self, **kw):
        self.__dict__.update(kw)  # name dir index_bytes index_digest media_type children media
        self.manifest_bytes, self.manifest_digest = self.index_bytes, self.index_digest

    @property
    def manifest(self):
        return json.loads(self.index_bytes)

    def __repr__(self):
        return "<Index %s %s>" % (self.name, self.index_digest[:19])


def _platform_dict(platform):
    parts = platform.split("/")
    d = {"architecture": parts[1], "os": parts[0]}
    if len(parts) > 2:
        d["variant"] = parts[2]
    return d


def _dumps(obj):
    return json.dumps(obj, indent=3).encode()


class ImageBuilder:
    """Builds images under `root` (one sub-directory per image)."""

    def __init__(self, root):
        self.root = root
        os.makedirs(root, exist_ok=True)
        self._hello = None

    def _new_dir(self, name):
        d = os.path.join(self.root, name)
        if os.path.exists(d):
            shutil.rmtree(d)
        os.makedirs(d)
        with open(os.path.join(d, "version"), "w") as f:
            f.write("Directory Transport Version: 1.1\n")
        return d

    @staticmethod
    def _write_blob(d, data):
        digest = sha256_bytes(data)
        path = os.path.join(d, bare(digest))
        if not os.path.exists(path):
            with open(path, "wb") as f:
                f.write(data)
        return digest, path

    def _layer_from_tar_path(self, d, tar_path, compression, media_type):
        diff_id = sha256_file(tar_path)
        tmp = os.path.join(d, "layer.tmp")
        if compression == "gzip":
            with open(tar_path, "rb") as src, open(tmp, "wb") as raw, \
                    gzip.GzipFile(fileobj=raw, mode="wb", compresslevel=6, mtime=0,
                                  filename="") as gz:
                shutil.copyfileobj(src, gz, 1 << 20)
        elif compression == "zstd":
            check(["zstd", "-q", "-f", "-3", "--no-progress", tar_path, "-o", tmp])
        else:
            shutil.copyfile(tar_path, tmp)
        digest = sha256_file(tmp)
        path = os.path.join(d, bare(digest))
        os.replace(tmp, path)
        return Layer(digest, os.path.getsize(path), diff_id, media_type, path, compression)

    def build_image(self, name, layers, media="docker", compression="gzip",
                    platform="linux/amd64", entrypoint=None, cmd=None, env=None,
                    diff_id_overrides=None, config_extra=None, foreign=None):
        """Build an image; returns Image.

        layers: list of {path: content} dicts, raw tar bytes, or dicts
          {"files": {...}|"tar": bytes|"tar_path": PATH, "compression": ...} for per-layer
          compression (gzip|zstd|none).  Repeat an entry to repeat the layer.
        diff_id_overrides: {layer index: "sha256:..."} written into the config instead of
          the true diff_id (for refusal tests); the Layer objects keep the true value.
        foreign: {layer index: base URL}: that layer becomes a foreign (nondistributable)
          layer whose descriptor lists the URL base + hex; skopeo then pushes no blob for it.
        """
        mt = MT[media]
        d = self._new_dir(name)
        recs = []
        for spec in layers:
            comp = compression
            if isinstance(spec, dict) and ({"files", "tar", "tar_path"} & set(spec)):
                comp = spec.get("compression", compression)
                if "tar_path" in spec:
                    recs.append(self._layer_from_tar_path(d, spec["tar_path"], comp, mt[comp]))
                    continue
                spec = spec.get("tar", None) if "tar" in spec else spec["files"]
            tar = spec if isinstance(spec, (bytes, bytearray)) else make_tar(spec)
            blob = compress(bytes(tar), comp)
            digest, path = self._write_blob(d, blob)
            recs.append(Layer(digest, len(blob), sha256_bytes(tar), mt[comp], path, comp))
        diff_ids = [l.diff_id for l in recs]
        for i, v in (diff_id_overrides or {}).items():
            diff_ids[i] = v
        cfg_inner = {"Env": env or ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"]}
        if entrypoint:
            cfg_inner["Entrypoint"] = entrypoint
        if cmd:
            cfg_inner["Cmd"] = cmd
        config = dict(_platform_dict(platform), created=CREATED, config=cfg_inner,
                      rootfs={"type": "layers", "diff_ids": diff_ids},
                      history=[{"created": CREATED, "created_by": "hocker-test layer %d" % i}
                               for i in range(len(recs))])
        config.update(config_extra or {})
        config_bytes = _dumps(config)
        config_digest, _ = self._write_blob(d, config_bytes)
        manifest = {"schemaVersion": 2, "mediaType": mt["manifest"],
                    "config": {"mediaType": mt["config"], "size": len(config_bytes),
                               "digest": config_digest},
                    "layers": [{"mediaType": l.media_type, "size": l.size, "digest": l.digest}
                               for l in recs]}
        for i, base in (foreign or {}).items():
            recs[i].media_type = FOREIGN[media][recs[i].compression]
            manifest["layers"][i].update(mediaType=recs[i].media_type,
                                         urls=[base + bare(recs[i].digest)])
        manifest_bytes = _dumps(manifest)
        with open(os.path.join(d, "manifest.json"), "wb") as f:
            f.write(manifest_bytes)
        return Image(name=name, dir=d, manifest_bytes=manifest_bytes,
                     manifest_digest=sha256_bytes(manifest_bytes), media_type=mt["manifest"],
                     config_bytes=config_bytes, config_digest=config_digest, config=config,
                     layers=recs, platform=platform, media=media)

    def build_index(self, name, children, media="docker"):
        """Combine single-platform Images into a list/index in one dir: layout."""
        mt = MT[media]
        d = self._new_dir(name)
        entries, by_platform = [], {}
        for child in children:
            for fn in os.listdir(child.dir):
                if fn not in ("manifest.json", "version"):
                    dst = os.path.join(d, fn)
                    if not os.path.exists(dst):
                        os.link(os.path.join(child.dir, fn), dst)
            with open(os.path.join(d, bare(child.manifest_digest) + ".manifest.json"), "wb") as f:
                f.write(child.manifest_bytes)
            entries.append({"mediaType": child.media_type, "size": len(child.manifest_bytes),
                            "digest": child.manifest_digest,
                            "platform": _platform_dict(child.platform)})
            by_platform[child.platform] = child
        index_bytes = _dumps({"schemaVersion": 2, "mediaType": mt["index"], "manifests": entries})
        with open(os.path.join(d, "manifest.json"), "wb") as f:
            f.write(index_bytes)
        return Index(name=name, dir=d, index_bytes=index_bytes,
                     index_digest=sha256_bytes(index_bytes), media_type=mt["index"],
                     children=by_platform, media=media)

    # -- the fixture images ---------------------------------------------------------
    def hello_binary(self):
        """Static /hello compiled from tests/integration/hello/hello.c (cached)."""
        if self._hello is None:
            out = os.path.join(self.root, "hello.bin")
            if not os.path.exists(out):
                check(["gcc", "-static", "-Os", "-s", "-o", out,
                       os.path.join(INTEGRATION_DIR, "hello", "hello.c")])
            with open(out, "rb") as f:
                self._hello = f.read()
        return self._hello

    def hello(self, media="docker", name=None):
        return self.build_image(name or ("hello" if media == "docker" else "oci"),
                                [{"hello": File(self.hello_binary(), 0o755)}],
                                media=media, entrypoint=["/hello"])

    def multilayer(self):
        rnd = random.Random(42)
        shared = {"shared/common.txt": "shared between two positions in the manifest\n"}
        layers = [
            {"etc/motd": "hocker multilayer test\n", "data/random.bin": rnd.randbytes(256 * 1024),
             "bin/hello": File(self.hello_binary(), 0o755)},
            shared,
            make_tar({}),  # empty layer: a tar with no entries
            {"usr/share/doc/a.txt": "alpha\n" * 1000, "usr/share/doc/b.txt": "beta\n",
             "usr/share/doc/link": Symlink("a.txt"), "usr/share/doc/hard": Hardlink("usr/share/doc/b.txt"),
             "var/empty": Dir(0o700), "data/more.bin": rnd.randbytes(64 * 1024)},
            shared,
        ]
        return self.build_image("multilayer", layers, entrypoint=["/bin/hello"])

    def multiarch(self, media="docker"):
        children = []
        for plat in PLATFORMS:
            files = {"platform": plat + "\n"}
            if plat == "linux/amd64":
                files["hello"] = File(self.hello_binary(), 0o755)
            name = "multiarch-%s-%s" % (media, plat.replace("/", "-"))
            children.append(self.build_image(name, [files], media=media, platform=plat,
                                             entrypoint=["/hello"]))
        return self.build_index("multiarch" if media == "docker" else "multiarch-oci",
                                children, media=media)

    def zstd(self):
        return self.build_image("zstd", [
            {"files": {"hello": File(self.hello_binary(), 0o755)}, "compression": "zstd"},
            {"files": {"etc/zstd-test.txt": "second layer, gzip\n"}, "compression": "gzip"},
        ], media="oci", entrypoint=["/hello"])

    def lying_config(self):
        img = self.build_image("lying", [{"hello": File(self.hello_binary(), 0o755)},
                                         {"etc/lie.txt": "my diff_id in the config is wrong\n"}],
                               entrypoint=["/hello"],
                               diff_id_overrides={1: sha256_bytes(b"not the layer")})
        img.lying_layer_index = 1
        return img

    def fixtures(self):
        """All fixture images by key: hello multilayer multiarch multiarch-oci oci zstd lying."""
        return {"hello": self.hello(), "multilayer": self.multilayer(),
                "multiarch": self.multiarch("docker"), "multiarch-oci": self.multiarch("oci"),
                "oci": self.hello(media="oci"), "zstd": self.zstd(), "lying": self.lying_config()}


# Repository references each fixture image is pushed to.
FIXTURE_REFS = {
    "hello": "library/hello:latest", "multilayer": "team/multilayer:v1",
    "multiarch": "team/multiarch:v1", "multiarch-oci": "team/multiarch-oci:v1",
    "oci": "team/oci:v1", "zstd": "team/zstd:v1", "lying": "team/lying:v1",
}
