"""Lockfiles for fixture images, written from what the image builder recorded (the lockfile
format of docs/json/lock.schema.json): tests of hocker assemble and of the Nix library get a
lock without depending on how hocker lock resolves references."""
import json


def _platform(text):
    parts = text.split("/")
    platform = {"os": parts[0], "architecture": parts[1]}
    if len(parts) > 2:
        platform["variant"] = parts[2]
    return platform


def _blob(digest, media_type, size):
    return {"digest": digest, "mediaType": media_type, "size": size}


def locked_platform(image):
    """The lock's entry for one single-platform harness Image."""
    manifest = image.manifest
    diff_ids = json.loads(image.config_bytes)["rootfs"]["diff_ids"]  # As the config says.
    layers = []
    for layer, diff_id in zip(image.layers, diff_ids):
        entry = _blob(layer.digest, layer.media_type, layer.size)
        entry["diffId"] = diff_id
        layers.append(entry)
    return {"platform": _platform(image.platform),
            "manifest": _blob(image.manifest_digest, manifest["mediaType"],
                              len(image.manifest_bytes)),
            "config": _blob(image.config_digest, manifest["config"]["mediaType"],
                            len(image.config_bytes)),
            "layers": layers}


def locked_image(host, name, tag, image):
    """The lock's entry for `image` (an Image or Index) pushed as host/name:tag."""
    if image.is_index:
        by_digest = {child.manifest_digest: child for child in image.children.values()}
        platforms = [locked_platform(by_digest[entry["digest"]])
                     for entry in image.manifest["manifests"]]
    else:
        platforms = [locked_platform(image)]
    return {"reference": "%s/%s:%s" % (host, name, tag), "registry": host, "repository": name,
            "tag": tag, "digest": image.manifest_digest, "mediaType": image.media_type,
            "platforms": platforms}


def write_lock(path, entries):
    """Writes a lockfile of `entries` (locked_image results) to `path`; returns path."""
    with open(path, "w") as f:
        f.write(json.dumps({"lockVersion": 1, "images": entries}, indent=2) + "\n")
    return path
