"""Hostile input through the real binary (docs/spec.md §4.4): each case of tests/data/hostile/cases.json
must end with its exit code and exactly one stderr line `<program>: error: <fragment…>`, no
stack trace, no secret, nothing at --out and no temporary beside it, in bounded time.
Offline cases never reach a network (their registry is http://127.0.0.1:9, where nothing
listens); registry cases are answered by harness/hostile_registry.py on loopback."""
import gzip
import io
import json
import os
import re
import tarfile

import pytest

from harness.hostile_registry import Answer, HostileRegistry
from harness.util import REPO_ROOT, sha256_bytes

DATA = os.path.join(REPO_ROOT, "tests", "data", "hostile")
CASES = json.load(open(os.path.join(DATA, "cases.json")))
TIMEOUT = 60  # seconds; every case must finish well within it
MT_MANIFEST = "application/vnd.docker.distribution.manifest.v2+json"
MT_CONFIG = "application/vnd.docker.container.image.v1+json"
MT_LAYER = "application/vnd.docker.image.rootfs.diff.tar.gzip"
HEX = "5861314d7fccb39c2192173240eab44fa35ca66426201ca2acd0630a6258dd51"


def _descriptor(media_type, data):
    return {"mediaType": media_type, "size": len(data), "digest": sha256_bytes(data)}


def _manifest(config, layers):
    return json.dumps({"schemaVersion": 2, "mediaType": MT_MANIFEST,
                       "config": _descriptor(MT_CONFIG, config),
                       "layers": [_descriptor(MT_LAYER, layer) for layer in layers]}).encode()


def _many_layers(count):
    one = {"mediaType": MT_LAYER, "size": 1, "digest": "sha256:" + HEX}
    return json.dumps({"schemaVersion": 2, "mediaType": MT_MANIFEST,
                       "config": {"mediaType": MT_CONFIG, "size": 1, "digest": "sha256:" + HEX},
                       "layers": [one] * count}).encode()


def _padded(document, size):
    return document[:-1] + b" " * (size - len(document)) + b"}"


GENERATORS = {
    "nested_brackets": lambda: b"[" * 100000 + b"]" * 100000,
    "nested_objects": lambda: b'{"a":' * 100000 + b"1" + b"}" * 100000,
    "layers_100k": lambda: _many_layers(100000),
    "layers_5000": lambda: _many_layers(5000),
    "zeros_100k": lambda: _many_layers(1).replace(b"}]}", b"}," + b"0," * 100000 + b"0]}"),
    "oversized_manifest": lambda: _padded(_many_layers(1), (4 << 20) + 1),
    "oversized_config": lambda: _padded(b'{"rootfs":{"type":"layers","diff_ids":[]}}',
                                        (16 << 20) + 1),
    "credentials_huge": lambda: b"USERNAME=" + b"u" * (100 << 10) + b"\nPASSWORD=p\n",
}


def _source(spec):
    if spec.startswith("file:"):
        return open(os.path.join(DATA, spec[5:]), "rb").read()
    return GENERATORS[spec[4:]]()


def _layer():
    tar_bytes = io.BytesIO()
    with tarfile.open(fileobj=tar_bytes, mode="w") as tar:
        info = tarfile.TarInfo("hello.txt")
        info.size = 6
        tar.addfile(info, io.BytesIO(b"hello\n"))
    tar = tar_bytes.getvalue()
    return gzip.compress(tar, mtime=0), tar


def _routes(serve, tmp_path):
    """Registry answers for `hostile/app:t` as `serve` describes; returns (routes, digest)."""
    layer, tar = _layer()
    if "layer" in serve:
        layer = tar = _source(serve["layer"])
    diff_ids = {"extra_diff_id": [sha256_bytes(tar)] * 2,
                "wrong_diff_id": ["sha256:" + HEX]}.get(serve.get("config"), [sha256_bytes(tar)])
    config = json.dumps({"architecture": "amd64", "os": "linux",
                         "rootfs": {"type": "layers", "diff_ids": diff_ids}}).encode()
    if serve.get("config", "valid") not in ("valid", "extra_diff_id", "wrong_diff_id"):
        config = _source(serve["config"])
    manifest = _manifest(config, [layer])
    if serve.get("manifest", "valid") != "valid":
        manifest = _source(serve["manifest"])
    digest = sha256_bytes(manifest)
    base = "/v2/hostile/app/"
    manifest_type = serve.get("manifest_type", MT_MANIFEST)
    routes = {base + "manifests/t": Answer(manifest, content_type=manifest_type),
              base + "manifests/" + digest: Answer(manifest, content_type=manifest_type),
              base + "blobs/" + sha256_bytes(config): Answer(config),
              base + "blobs/" + sha256_bytes(layer): Answer(layer)}
    lie = serve.get("lie")
    if lie == "config_digest":
        routes[base + "blobs/" + sha256_bytes(config)] = Answer(config.replace(b"amd64", b"arm64"))
    elif lie == "layer_length":
        routes[base + "blobs/" + sha256_bytes(layer)] = Answer(layer + b"extra")
    elif lie == "manifest_digest":
        routes[base + "manifests/" + digest] = Answer(manifest + b" ", content_type=manifest_type)
    return routes, digest


def _expand(argv, tmp_path, values):
    def one(arg):
        arg = re.sub(r"\{REPEAT:(.):(\d+)\}", lambda m: m.group(1) * int(m.group(2)), arg)
        for name in re.findall(r"\{GEN:(\w+)\}", arg):
            path = tmp_path / ("gen-" + name)
            if not path.exists():
                path.write_bytes(GENERATORS[name]())
            arg = arg.replace("{GEN:%s}" % name, str(path))
        for key, value in values.items():
            arg = arg.replace("{%s}" % key, value)
        return arg
    return [one(arg) for arg in argv]


def _program(hocker, hocker_link, argv0):
    return hocker if argv0 == "hocker" else hocker_link(argv0)


def _check(case, rc, stdout, stderr, out_dir):
    program = case["argv"][1] if case["argv"][0] == "hocker" else case["argv"][0]
    prefix = ("hocker-" + program if case["argv"][0] == "hocker" else program)
    prefix = {"hocker-nix": "docker2nix"}.get(prefix, prefix)
    lines = stderr.splitlines()
    warnings = [line for line in lines if line.startswith(prefix + ": warning: ")]
    errors = [line for line in lines if line not in warnings]
    shown = "exit %d, stderr:\n%s" % (rc, stderr)
    assert rc == case["exit"], shown
    assert len(errors) == 1 and errors[0].startswith(prefix + ": error: "), shown
    assert case["message"] in errors[0], shown
    assert "Traceback" not in stderr and "terminate called" not in stderr, shown
    if "secret" in case:
        assert case["secret"] not in stderr, shown
    if "warning" in case:
        assert len(warnings) == 1 and case["warning"] in warnings[0], shown
    else:
        assert not warnings, shown
    assert os.listdir(out_dir) == [], "left behind: %s" % os.listdir(out_dir)


def _run(hocker, hocker_link, run, hocker_env, case, tmp_path, values):
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    values = dict(values, DATA=DATA, DEAD="http://127.0.0.1:9", OUT=str(out_dir / "result"))
    argv = _expand(case["argv"], tmp_path, values)
    argv[0] = _program(hocker, hocker_link, argv[0])
    env = dict(hocker_env, NO_COLOR="1")
    if "docker_config" in case:
        config_dir = tmp_path / "docker"
        config_dir.mkdir()
        text = open(os.path.join(DATA, case["docker_config"])).read()
        (config_dir / "config.json").write_text(text.replace("{HOST}", values["HOST"]))
        env["DOCKER_CONFIG"] = str(config_dir)
    if "REG" in values:  # no point retrying a registry that answers the same bytes again
        argv[2 if case["argv"][0] == "hocker" else 1:0] = ["--retries", "1"]
    rc, stdout, stderr = run(argv, env=env, timeout=TIMEOUT)
    _check(case, rc, stdout, stderr, out_dir)


@pytest.mark.parametrize("case", CASES["offline"], ids=[c["id"] for c in CASES["offline"]])
def test_offline(hocker, hocker_link, run, hocker_env, case, tmp_path):
    _run(hocker, hocker_link, run, hocker_env, case, tmp_path, {})


@pytest.mark.parametrize("case", CASES["registry"], ids=[c["id"] for c in CASES["registry"]])
def test_registry(hocker, hocker_link, run, hocker_env, case, tmp_path):
    routes, digest = _routes(case["serve"], tmp_path)
    basic = ("alice", "secret") if case["serve"].get("require_basic") else None
    registry = HostileRegistry(routes, require_basic=basic)
    try:
        _run(hocker, hocker_link, run, hocker_env, case, tmp_path,
             {"REG": registry.url, "HOST": registry.host, "DIGEST": digest})
    finally:
        registry.stop()
