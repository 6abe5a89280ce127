#!/usr/bin/python3
"""hocker benchmark: hocker vs skopeo vs standard-tool pipelines on a real registry.

Run through bench/run.sh (see bench/README.md).  Stdlib only; uses the integration harness
(tests/integration/harness) for the registry and the image layout.
"""
import argparse
import gzip
import hashlib
import math
import os
import random
import re
import shlex
import shutil
import signal
import statistics
import subprocess
import sys
import tarfile
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor

BENCH_DIR = os.path.dirname(os.path.abspath(__file__))
REPO_ROOT = os.path.dirname(BENCH_DIR)
sys.path.insert(0, os.path.join(REPO_ROOT, "tests", "integration"))
sys.path.insert(0, BENCH_DIR)

from harness.fault_proxy import FaultProxy  # noqa: E402
from harness.images import MTIME, ImageBuilder, Layer  # noqa: E402
from harness.registry import Registry  # noqa: E402
from harness.util import bare  # noqa: E402
from export_bench import run_export_case  # noqa: E402
from rtt_bench import run_rtt_case  # noqa: E402

MIB = 1 << 20
DEFAULT_HOCKER = os.path.join(REPO_ROOT, "build", "release", "src", "cli", "hocker")
BIG_REF, HELLO_REF = "bench/big:v1", "library/hello:latest"
ONE_REF = "bench/one:v1"  # the one-layer image
LARGE_REF = "bench/large:v1"  # the linear case's larger image
STOP = threading.Event()  # set on Ctrl-C / SIGTERM: generator threads give up


# -- deterministic, streamed layer content ------------------------------------------------------
# Each layer is a tar of files of three kinds (chosen per file, sizes log-uniform 256 B..4 MiB):
#   bin  60 %  "machine code": Zipf-weighted basic blocks of opcode-like byte strings with
#              4-byte immediates (gzip -6 ~2.7x, close to /usr/bin's 2.8x)
#   text 33 %  source-like lines (identifiers, calls, comments, indentation; gzip ~3.5x)
#   rand  7 %  random bytes (incompressible: media, already-compressed files)
# bin/text files are stitched from 8-64 KiB slices at random offsets of a per-layer corpus
# (generated once per layer with random.choices), so generation runs at memcpy speed; gzip's
# 32 KiB window sees the same statistics as for the corpus.  Overall ~2.5x with gzip -6.
KINDS = (("bin", 0.6, ".so"), ("text", 0.33, ".c"), ("rand", 0.07, ".dat"))


def _text_corpus(rnd, size):
    letters = "abcdefghijklmnopqrstuvwxyz_"
    words = ["".join(rnd.choices(letters, k=rnd.randint(2, 10))) for _ in range(600)]
    types = ["int", "auto", "const std::string&", "std::size_t", "bool"]
    lines = []
    for _ in range(3000):
        ind = "  " * rnd.randint(0, 4)
        w = rnd.choices(words, k=rnd.randint(2, 6))
        k = rnd.random()
        if k < 0.15:
            line = "// " + " ".join(rnd.choices(words, k=rnd.randint(3, 12)))
        elif k < 0.4:
            line = "%s %s = %s(%s);" % (rnd.choice(types), w[0], w[1], ", ".join(w[2:]))
        elif k < 0.6:
            line = "if (%s->%s(%d)) {" % (w[0], w[-1], rnd.randint(0, 9999))
        elif k < 0.7:
            line = "}"
        else:
            line = '%s.%s(%d, "%s");' % (w[0], w[-1], rnd.randint(0, 1 << 20), " ".join(w))
        lines.append((ind + line + "\n").encode())
    return b"".join(rnd.choices(lines, k=size // 30 + 1))[:size]


def _bin_corpus(rnd, size):
    ops = [rnd.randbytes(rnd.randint(1, 4)) for _ in range(256)]
    op_weights = [1.0 / (i + 1) for i in range(len(ops))]
    blocks = []
    for _ in range(4096):
        parts = rnd.choices(ops, weights=op_weights, k=rnd.randint(4, 16))
        if rnd.random() < 0.3:
            parts.insert(rnd.randrange(len(parts)), rnd.randbytes(4))
        blocks.append(b"".join(parts))
    cum, total = [], 0.0
    for i in range(len(blocks)):
        total += 1.0 / math.sqrt(i + 1)
        cum.append(total)
    return b"".join(rnd.choices(blocks, cum_weights=cum, k=size // 30 + 1))[:size]


def _from_corpus(rnd, corpus, n):
    parts, left = [], n
    while left > 0:
        k = min(left, rnd.randint(8 << 10, 64 << 10))
        o = rnd.randrange(len(corpus) - k)
        parts.append(corpus[o:o + k])
        left -= k
    return b"".join(parts)


class _HashingFile:
    """Write-only file object that hashes what it writes (the compressed blob)."""

    def __init__(self, path):
        self.f = open(path, "wb")
        self.h = hashlib.sha256()
        self.size = 0

    def write(self, data):
        self.h.update(data)
        self.size += len(data)
        return self.f.write(data)

    def flush(self):
        self.f.flush()

    def close(self):
        self.f.close()


class _LayerWriter:
    """Streams tar bytes to the .tar file, its sha256 (diff_id) and gzip -6 (like the harness:
    mtime 0, no file name), in 256 KiB chunks."""

    def __init__(self, tar_path, gz_path):
        self.tar = open(tar_path, "wb")
        self.diff = hashlib.sha256()
        self.raw = _HashingFile(gz_path)
        self.gz = gzip.GzipFile(fileobj=self.raw, mode="wb", compresslevel=6, mtime=0, filename="")
        self.buf, self.buffered, self.size = [], 0, 0

    def write(self, data):
        self.buf.append(data)
        self.buffered += len(data)
        if self.buffered >= 256 << 10:
            self._flush()

    def _flush(self):
        chunk = b"".join(self.buf)
        self.buf, self.buffered = [], 0
        self.tar.write(chunk)
        self.diff.update(chunk)
        self.gz.write(chunk)
        self.size += len(chunk)

    def close(self):
        self._flush()
        self.gz.close()
        self.raw.close()
        self.tar.close()


def _tar_header(name, size=0, directory=False):
    ti = tarfile.TarInfo(name)
    ti.mtime, ti.uid, ti.gid, ti.uname, ti.gname = MTIME, 0, 0, "", ""
    if directory:
        ti.type, ti.mode = tarfile.DIRTYPE, 0o755
    else:
        ti.size, ti.mode = size, 0o644
    return ti.tobuf(tarfile.GNU_FORMAT, "utf-8", "surrogateescape")


def generate_layer(index, target_bytes, seed, tar_path, gz_path):
    """Write layer `index` (about target_bytes of tar) and its gzip; returns
    (tar_size, gz_size, diff_id, digest)."""
    rnd = random.Random("hocker-bench/%d/%d" % (seed, index))
    corpora = {"text": _text_corpus(rnd, 4 * MIB), "bin": _bin_corpus(rnd, 8 * MIB)}
    w = _LayerWriter(tar_path, gz_path)
    top = "opt/bench/layer%d" % index
    for i, part in enumerate(top.split("/")):
        w.write(_tar_header("/".join(top.split("/")[:i + 1]), directory=True))
    written, n_files, lo, hi = 0, 0, math.log(256), math.log(4 * MIB)
    while written < target_bytes:
        if STOP.is_set():
            raise KeyboardInterrupt
        if n_files % 32 == 0:
            w.write(_tar_header("%s/d%04d" % (top, n_files // 32), directory=True))
        kind, _, ext = rnd.choices(KINDS, weights=[k[1] for k in KINDS])[0]
        n = min(int(math.exp(rnd.uniform(lo, hi))), max(target_bytes - written, 1))
        data = rnd.randbytes(n) if kind == "rand" else _from_corpus(rnd, corpora[kind], n)
        w.write(_tar_header("%s/d%04d/f%06d%s" % (top, n_files // 32, n_files, ext), n))
        w.write(data)
        pad = -n % 512
        if pad:
            w.write(b"\0" * pad)
        written += 512 + n + pad
        n_files += 1
    end = 1024 + (-(w.size + w.buffered + 1024) % tarfile.RECORDSIZE)
    w.write(b"\0" * end)
    w.close()
    return (w.size, w.raw.size, "sha256:" + w.diff.hexdigest(),
            "sha256:" + w.raw.h.hexdigest())


class BenchImageBuilder(ImageBuilder):
    """ImageBuilder whose gzip layers for `tar_path`s in `ready` were already compressed (in
    parallel, by generate_layer) -- same bytes the harness would make; others as usual."""

    def __init__(self, root):
        super().__init__(root)
        self.ready = {}  # tar_path -> (gz_path, gz_size, diff_id, digest)

    def _layer_from_tar_path(self, d, tar_path, compression, media_type):
        pre = self.ready.get(tar_path)
        if pre is None or compression != "gzip":
            return super()._layer_from_tar_path(d, tar_path, compression, media_type)
        gz_path, size, diff_id, digest = pre
        path = os.path.join(d, bare(digest))
        os.replace(gz_path, path)
        return Layer(digest, size, diff_id, media_type, path, compression)


def layer_sizes(total, count):
    """Decreasing sizes (ratio 0.85 per layer), like a base layer plus smaller ones on top."""
    weights = [0.85 ** i for i in range(count)]
    return [int(total * w / sum(weights)) for w in weights]


def build_big_image(builder, work, size_mib, count, seed, name="big"):
    tmp = os.path.join(work, "gen-" + name)
    os.makedirs(tmp)
    sizes = layer_sizes(size_mib * MIB, count)
    specs = [{"tar_path": os.path.join(tmp, "layer%d.tar" % i), "compression": "gzip"}
             for i in range(count)]
    with ThreadPoolExecutor(max_workers=min(2, os.cpu_count() or 1)) as ex:
        futs = [ex.submit(generate_layer, i, sizes[i], seed, specs[i]["tar_path"],
                          os.path.join(tmp, "layer%d.gz" % i)) for i in range(count)]
        tar_bytes = 0
        try:
            for i, f in enumerate(futs):
                tar_size, gz_size, diff_id, digest = f.result()
                tar_bytes += tar_size
                builder.ready[specs[i]["tar_path"]] = (os.path.join(tmp, "layer%d.gz" % i),
                                                       gz_size, diff_id, digest)
        except BaseException:
            STOP.set()
            raise
    image = builder.build_image(name, specs, entrypoint=["/bin/sh"])
    shutil.rmtree(tmp)  # the tars; the gzip blobs now live in the image dir
    return image, tar_bytes


# -- measuring ---------------------------------------------------------------------------------
class Sample:
    def __init__(self, wall, user, sys_, rss_kib):
        self.wall, self.cpu, self.rss = wall, user + sys_, rss_kib / 1024.0  # s, s, MiB


def _time_field(text, label):
    m = re.search(r"^\s*%s:\s*([0-9.]+)\s*$" % re.escape(label), text, re.M)
    if not m:
        raise RuntimeError("no %r in /usr/bin/time output:\n%s" % (label, text))
    return float(m.group(1))


class Runner:
    def __init__(self, work, verbose):
        self.work, self.verbose = work, verbose
        self.env = dict(os.environ, HOME=os.path.join(work, "home"), TMPDIR=os.path.join(work, "tmp"),
                        LC_ALL="C")
        for k in ("DOCKER_USER", "DOCKER_PASS", "DOCKER_TOKEN", "DOCKER_CONFIG", "HOCKER_CACHE",
                  "REGISTRY_AUTH_FILE"):
            self.env.pop(k, None)
        os.makedirs(self.env["HOME"])
        os.makedirs(self.env["TMPDIR"])

    def run(self, argv, what, env=None):
        """Runs argv under /usr/bin/time -v in its own process group; returns Sample. `env`:
        variables set over the runner's environment for this run."""
        tfile, efile = (os.path.join(self.work, n) for n in ("time.txt", "stderr.txt"))
        if self.verbose:
            print("  $ " + " ".join(shlex.quote(a) for a in argv), flush=True)
        with open(efile, "wb") as err:
            start = time.monotonic()
            p = subprocess.Popen(["/usr/bin/time", "-v", "-o", tfile] + argv, cwd=self.work,
                                 env=dict(self.env, **(env or {})), stdin=subprocess.DEVNULL,
                                 stdout=subprocess.DEVNULL, stderr=err, start_new_session=True)
            try:
                rc = p.wait()
            except BaseException:
                kill_group(p)
                raise
            wall = time.monotonic() - start
        with open(tfile, errors="replace") as f:
            t = f.read()
        if rc != 0:
            with open(efile, errors="replace") as f:
                raise RuntimeError("%s failed (exit %d): %s\n%s%s" % (
                    what, rc, " ".join(argv), f.read()[-3000:], t[-500:]))
        return Sample(wall, _time_field(t, "User time (seconds)"),
                      _time_field(t, "System time (seconds)"),
                      _time_field(t, "Maximum resident set size (kbytes)"))


def kill_group(p):
    try:
        os.killpg(p.pid, signal.SIGTERM)
    except ProcessLookupError:
        pass
    try:
        p.wait(10)
    except subprocess.TimeoutExpired:
        os.killpg(p.pid, signal.SIGKILL)
        p.wait()


def rm(path):
    if os.path.isdir(path):
        shutil.rmtree(path)
    elif os.path.exists(path):
        os.remove(path)


# The reference pipeline for one layer, equivalent to
#   curl -s URL | tee >(sha256sum) | igzip -dc | tee >(sha256sum) > layer.tar
# but with named pipes and an explicit `wait`, so that both hashers are waited for (and their
# CPU time and RSS reach /usr/bin/time through wait4) instead of being orphaned.
REF_LAYER_SH = r'''#!/usr/bin/env bash
# usage: ref-layer.sh url|file SOURCE OUTDIR SHA-TOOL
set -euo pipefail
mode=$1 src=$2 d=$3 sha=$4
mkdir -p "$d"
mkfifo "$d/c.fifo" "$d/u.fifo"
$sha < "$d/c.fifo" > "$d/compressed.sha256" &
$sha < "$d/u.fifo" > "$d/diff.sha256" &
if [[ $mode == url ]]; then
  curl -sfS "$src" | tee "$d/c.fifo" | igzip -dc | tee "$d/u.fifo" > "$d/layer.tar"
else
  tee "$d/c.fifo" < "$src" | igzip -dc | tee "$d/u.fifo" > "$d/layer.tar"
fi
wait
'''
def build_ref_pipeline(work):
    """Compiles bench/ref_pipeline.c (libcurl, OpenSSL, ISA-L) into the work dir."""
    exe = os.path.join(work, "ref_pipeline")
    subprocess.run(["gcc", "-O2", "-I/usr/include/x86_64-linux-gnu", "-o", exe,
                    os.path.join(BENCH_DIR, "ref_pipeline.c"), "-lcurl", "-lcrypto", "-lisal"],
                   check=True)
    return exe


def check_ref_digests(path, layer):
    with open(path) as f:
        got = f.read().split()
    if ["sha256:" + g for g in got] != [layer.digest, layer.diff_id]:
        raise RuntimeError("single-stream reference: digests %s do not match the layer" % got)


def median(xs):
    return statistics.median(xs)


def fmt_sample(s):
    return "%6.2fs %6.2fs %7.1fM" % (s.wall, s.cpu, s.rss)


class Case:
    def __init__(self, name, left, right, key=None):
        self.name, self.left, self.right = name, left, right  # labels
        self.key = key  # for the target lines
        self.samples = {left: [], right: []}

    def med(self, who):
        xs = self.samples[who]
        return Sample(median([x.wall for x in xs]), median([x.cpu for x in xs]), 0,
                      median([x.rss for x in xs]) * 1024)


def main():
    ap = argparse.ArgumentParser(
        prog="bash bench/run.sh", description="hocker benchmark; see bench/README.md",
        epilog="run.sh also takes --build: (re)build the release binary first")
    ap.add_argument("--size-mib", type=int, default=1024, help="uncompressed image size (1024)")
    ap.add_argument("--layers", type=int, default=8, help="number of layers (8)")
    ap.add_argument("--runs", type=int, default=3, help="measured runs per tool and case (3)")
    ap.add_argument("--seed", type=int, default=1, help="content seed (1)")
    ap.add_argument("--cases", default="docker,one,capped,oci,hello,warm,copy,push,rtt",
                    help="comma list of docker,one,capped,jobs,linear,oci,hello,warm,copy,push,"
                         "export,rtt (default: all but jobs, linear and export)")
    ap.add_argument("--rate-mbps", type=float, default=20,
                    help="per-connection cap (MB/s) of the proxy in the capped and jobs cases (20)")
    ap.add_argument("--linear-mib", type=int, default=4096,
                    help="the linear case's larger image, same shape as --size-mib's (4096)")
    ap.add_argument("--baseline", default=None,
                    help="the linear case also times this hocker binary, alternating")
    ap.add_argument("--jobs-max", type=int, default=8,
                    help="the jobs case runs --jobs 1..N through the capped proxy (8)")
    ap.add_argument("--one-mib", type=int, default=800,
                    help="tar size of the one-layer image of the `one` case (800)")
    ap.add_argument("--hocker", default=DEFAULT_HOCKER, help="binary (build/release/src/cli/hocker)")
    ap.add_argument("--hocker-args", default="", help='extra hocker image args, e.g. "--jobs 2"')
    ap.add_argument("--ref-sha", default="sha256sum", choices=("sha256sum", "openssl"),
                    help="hasher in the reference pipelines (sha256sum: coreutils, no SHA-NI; "
                         "openssl: `openssl dgst -sha256`, SHA-NI)")
    ap.add_argument("--tmp", default=None, help="parent of the work dir (default $TMPDIR or /tmp)")
    ap.add_argument("-v", "--verbose", action="store_true", help="print every measured command")
    args = ap.parse_args()
    cases = set(args.cases.split(","))
    bad = cases - {"docker", "one", "capped", "jobs", "linear", "oci", "hello", "warm", "export",
                   "copy", "push", "rtt"}
    if bad or args.runs < 1 or args.size_mib < args.layers or args.layers < 1:
        ap.error("bad --cases/--runs/--size-mib/--layers")
    if not os.access(args.hocker, os.X_OK):
        ap.error("no hocker binary at %s (bash scripts/build.sh release)" % args.hocker)
    missing = [t for t in ("docker-registry", "skopeo", "curl", "igzip", "sha256sum", "openssl")
               if not shutil.which(t)] + ([] if os.access("/usr/bin/time", os.X_OK) else ["time"])
    if missing:
        sys.exit("bench: missing %s: run bash scripts/install-deps.sh" % " ".join(missing))

    def on_signal(signum, frame):
        STOP.set()
        raise KeyboardInterrupt("signal %d" % signum)
    for s in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(s, on_signal)

    work = tempfile.mkdtemp(prefix="hocker-bench-", dir=args.tmp)
    reg = None
    try:
        os.makedirs(os.path.join(work, "registry"))
        reg = Registry("plain", workdir=os.path.join(work, "registry"))
        bench(args, cases, work, reg)
        return 0
    except KeyboardInterrupt:
        print("\nbench: interrupted, cleaning up", file=sys.stderr)
        return 130
    finally:
        STOP.set()
        if reg is not None:
            reg.stop()
        shutil.rmtree(work, ignore_errors=True)


def bench(args, cases, work, reg):
    R = Runner(work, args.verbose)
    sha_tool = "sha256sum" if args.ref_sha == "sha256sum" else "openssl dgst -sha256"
    with open(os.path.join(work, "ref-layer.sh"), "w") as f:
        f.write(REF_LAYER_SH)
    hocker = [args.hocker, "image", "-q"] + shlex.split(args.hocker_args)
    out = os.path.join(work, "out.tar")
    builder = BenchImageBuilder(os.path.join(work, "images"))

    print("hocker benchmark: %s, %d cores, load %s" % (
        os.path.relpath(args.hocker, REPO_ROOT), os.cpu_count(),
        " ".join("%.2f" % x for x in os.getloadavg())), flush=True)
    big = None
    if cases & {"docker", "oci", "warm", "jobs", "linear", "export", "copy", "push"}:
        t = time.monotonic()
        big, raw = build_big_image(builder, work, args.size_mib, args.layers, args.seed)
        gen = time.monotonic() - t
        t = time.monotonic()
        reg.push(big, BIG_REF)
        tar = sum(os.path.getsize(l.path) for l in big.layers)  # compressed
        print("image %s: %d layers, %.0f MiB tar -> %.0f MiB gzip (%.2fx); generated in %.1fs, "
              "pushed in %.1fs" % (BIG_REF, len(big.layers), raw / MIB, tar / MIB, raw / tar, gen,
                                  time.monotonic() - t), flush=True)
    one = None
    if cases & {"one", "capped"}:
        t = time.monotonic()
        one, raw = build_big_image(builder, work, args.one_mib, 1, args.seed, name="one")
        reg.push(one, ONE_REF)
        print("image %s: 1 layer, %.0f MiB tar -> %.0f MiB gzip; generated and pushed in %.1fs"
              % (ONE_REF, raw / MIB, one.layers[0].size / MIB, time.monotonic() - t), flush=True)
    hello = None
    if "hello" in cases:
        hello = builder.hello()
        reg.push(hello, HELLO_REF)
    settle("the set-up")
    host = reg.host
    blob_url = lambda img, d: "%s/v2/%s/blobs/%s" % (reg.url, img, d)  # noqa: E731
    results = []

    def check_out(path, at_least):
        if not os.path.exists(path) or os.path.getsize(path) < at_least:
            raise RuntimeError("%s missing or too small" % path)

    def ref_layers(mode, sources, tag):
        """Runs the reference pipeline (two layers at a time) and checks its hashes."""
        d = os.path.join(work, "ref")
        lines = "".join("%s %s\n" % (src, os.path.join(d, "l%d" % i))
                        for i, src in enumerate(sources))
        script = ("set -euo pipefail; printf %%s %s | xargs -P 2 -L 1 bash -c "
                  "'exec bash %s %s \"$0\" \"$1\" \"%s\"'"
                  % (shlex.quote(lines), shlex.quote(os.path.join(work, "ref-layer.sh")), mode,
                     sha_tool))
        s = R.run(["bash", "-c", script], tag)
        for i, layer in enumerate(big.layers):
            for fn, want in (("compressed.sha256", layer.digest), ("diff.sha256", layer.diff_id)):
                with open(os.path.join(d, "l%d" % i, fn)) as f:
                    got = re.search(r"[0-9a-f]{64}", f.read())
                if not got or "sha256:" + got.group(0) != want:
                    raise RuntimeError("reference pipeline: layer %d %s mismatch" % (i, fn))
        rm(d)
        return s

    # -- docker-archive: hocker vs skopeo vs reference pipeline ---------------------------------
    if "docker" in cases:
        c_sk = Case("docker %dMiB" % args.size_mib, "hocker", "skopeo", "docker/skopeo")
        c_ref = Case("docker %dMiB" % args.size_mib, "hocker", "curl|igzip ref", "docker/ref")
        print("\n[docker] %d runs each: hocker / skopeo / reference pipeline" % args.runs,
              flush=True)
        for i in range(args.runs):
            s = R.run(hocker + ["-o", out, "%s/%s" % (host, BIG_REF)], "hocker image")
            check_out(out, args.size_mib * MIB)
            rm(out)
            c_sk.samples["hocker"].append(s)
            c_ref.samples["hocker"].append(s)
            s2 = R.run(["skopeo", "--insecure-policy", "copy", "-q", "--src-tls-verify=false",
                        "docker://%s/%s" % (host, BIG_REF), "docker-archive:%s:%s" % (out, BIG_REF)],
                       "skopeo copy")
            check_out(out, args.size_mib * MIB)
            rm(out)
            c_sk.samples["skopeo"].append(s2)
            s3 = ref_layers("url", [blob_url("bench/big", l.digest) for l in big.layers], "ref")
            c_ref.samples["curl|igzip ref"].append(s3)
            print("  run %d: hocker %s | skopeo %s | ref %s" % (
                i + 1, fmt_sample(s), fmt_sample(s2), fmt_sample(s3)), flush=True)
        results += [c_sk, c_ref]

    # -- one large layer: hocker vs skopeo vs the single-stream, single-thread C pipeline -------
    if "one" in cases:
        refbin = build_ref_pipeline(work)
        layer = one.layers[0]
        name = "one layer %dMiB" % args.one_mib
        c_sk = Case(name, "hocker", "skopeo", "one/skopeo")
        c_ref = Case(name, "hocker", "1-thread C ref", "one/ref")
        print("\n[one] %d runs each: hocker / skopeo / single-thread C pipeline (one layer)"
              % args.runs, flush=True)
        ref = "%s/%s" % (host, ONE_REF)
        for i in range(args.runs):
            s = R.run(hocker + ["-o", out, ref], "hocker image (one layer)")
            check_out(out, args.one_mib * MIB)
            rm(out)
            s2 = R.run(["skopeo", "--insecure-policy", "copy", "-q", "--src-tls-verify=false",
                        "docker://" + ref, "docker-archive:%s:%s" % (out, ONE_REF)],
                       "skopeo copy (one layer)")
            check_out(out, args.one_mib * MIB)
            rm(out)
            digests = os.path.join(work, "ref.digests")
            s3 = R.run([refbin, blob_url("bench/one", layer.digest), out, digests],
                       "single-stream reference")
            check_ref_digests(digests, layer)
            rm(out)
            for c, who, x in ((c_sk, "hocker", s), (c_ref, "hocker", s), (c_sk, "skopeo", s2),
                              (c_ref, "1-thread C ref", s3)):
                c.samples[who].append(x)
            print("  run %d: hocker %s | skopeo %s | ref %s" % (
                i + 1, fmt_sample(s), fmt_sample(s2), fmt_sample(s3)), flush=True)
        results += [c_sk, c_ref]

    # -- one large layer through a proxy capping each connection's rate -------------------------
    if "capped" in cases:
        capped_case(args, R, reg, hocker, out, results, one)

    # -- --jobs 1..N through the capped proxy, 8-layer image ------------------------------------
    if "jobs" in cases:
        jobs_table(args, R, reg, hocker, out, big)

    # -- docker format at --size-mib and --linear-mib: is the cost linear in the image size? ----
    if "linear" in cases:
        linear_table(args, R, reg, out, builder, work)

    # -- OCI layout: hocker --format oci vs parallel curl -o of every blob -----------------------
    if "oci" in cases:
        c = Case("oci %dMiB" % args.size_mib, "hocker", "parallel curl", "oci/curl")
        print("\n[oci] %d runs each: hocker --format oci / curl --parallel -o" % args.runs,
              flush=True)
        cdir = os.path.join(work, "curl")
        curl = ["curl", "-sfS", "--no-progress-meter", "--parallel", "--parallel-max", "16", "-H",
                "Accept: " + big.media_type,
                "-o", os.path.join(cdir, "manifest.json"),
                "%s/v2/bench/big/manifests/v1" % reg.url,
                "-o", os.path.join(cdir, "config.json"), blob_url("bench/big", big.config_digest)]
        for i, l in enumerate(big.layers):
            curl += ["-o", os.path.join(cdir, "layer%d" % i), blob_url("bench/big", l.digest)]
        comp = sum(l.size for l in big.layers)
        for i in range(args.runs):
            s = R.run(hocker + ["--format", "oci", "-o", out, "%s/%s" % (host, BIG_REF)],
                      "hocker image --format oci")
            check_out(out, comp)
            rm(out)
            os.makedirs(cdir)
            s2 = R.run(curl, "parallel curl")
            if sum(os.path.getsize(os.path.join(cdir, f)) for f in os.listdir(cdir)) < comp:
                raise RuntimeError("parallel curl: short download")
            rm(cdir)
            c.samples["hocker"].append(s)
            c.samples["parallel curl"].append(s2)
            print("  run %d: hocker %s | curl %s" % (i + 1, fmt_sample(s), fmt_sample(s2)),
                  flush=True)
        results.append(c)

    # -- hello: start-up and round trips -------------------------------------------------------
    hello_requests = None
    if "hello" in cases:
        c = Case("hello", "hocker", "skopeo", "hello/skopeo")
        cp = Case("hello --plain-http", "hocker", "skopeo")
        print("\n[hello] %d runs each: hocker / hocker --plain-http / skopeo (tiny single layer)"
              % args.runs, flush=True)
        ref = "%s/%s" % (host, HELLO_REF)
        mark = reg.log_mark()
        R.run(hocker + ["-o", out, ref], "hocker image hello")
        rm(out)
        reg.log_mark()  # waits for the access log to settle
        hello_requests = reg.access_entries(since=mark)
        for i in range(args.runs):
            s = R.run(hocker + ["-o", out, ref], "hocker image hello")
            check_out(out, 10000)
            rm(out)
            sp = R.run(hocker + ["--plain-http", "-o", out, ref], "hocker image --plain-http hello")
            check_out(out, 10000)
            rm(out)
            s2 = R.run(["skopeo", "--insecure-policy", "copy", "-q", "--src-tls-verify=false",
                        "docker://" + ref, "docker-archive:%s:%s" % (out, HELLO_REF)],
                       "skopeo copy hello")
            check_out(out, 10000)
            rm(out)
            c.samples["hocker"].append(s)
            cp.samples["hocker"].append(sp)
            c.samples["skopeo"].append(s2)
            cp.samples["skopeo"].append(s2)
            print("  run %d: hocker %s | --plain-http %s | skopeo %s" % (
                i + 1, fmt_sample(s), fmt_sample(sp), fmt_sample(s2)), flush=True)
        results += [c, cp]

    # -- warm cache: hocker --cache (filled) vs reference from local blob files ----------------
    warm_counts = None
    if "warm" in cases:
        c = Case("warm cache %dMiB" % args.size_mib, "hocker", "igzip ref files", "warm/ref")
        cache = os.path.join(work, "cache")
        print("\n[warm] fill the cache once, then %d runs each: hocker --cache / reference "
              "from local blob files" % args.runs, flush=True)
        fill = R.run(hocker + ["--cache", cache, "-o", out, "%s/%s" % (host, BIG_REF)],
                     "hocker image --cache (fill)")
        rm(out)
        print("  cache fill: %s" % fmt_sample(fill), flush=True)
        mark = reg.log_mark()
        for i in range(args.runs):
            s = R.run(hocker + ["--cache", cache, "-o", out, "%s/%s" % (host, BIG_REF)],
                      "hocker image --cache (warm)")
            check_out(out, args.size_mib * MIB)
            rm(out)
            s2 = ref_layers("file", [l.path for l in big.layers], "ref from files")
            c.samples["hocker"].append(s)
            c.samples["igzip ref files"].append(s2)
            print("  run %d: hocker %s | ref %s" % (i + 1, fmt_sample(s), fmt_sample(s2)),
                  flush=True)
        reg.log_mark()  # waits for the access log to settle
        entries = reg.access_entries(since=mark)
        warm_counts = {
            "blob GET": sum(1 for e in entries if e["method"] == "GET" and "/blobs/" in e["path"]),
            "blob HEAD": sum(1 for e in entries if e["method"] == "HEAD" and "/blobs/" in e["path"]),
            "manifest": sum(1 for e in entries if "/manifests/" in e["path"]),
            "all": len(entries)}
        names = {big.config_digest: "config"}
        names.update({l.digest: "layer %d" % i for i, l in enumerate(big.layers)})
        warm_counts["blob GETs of"] = [names.get(e["path"].rsplit("/", 1)[-1], e["path"])
                                       for e in entries
                                       if e["method"] == "GET" and "/blobs/" in e["path"]]
        results.append(c)

    # -- export: the flattened root filesystem, against umoci and docker ------------------------
    if "export" in cases:
        results += run_export_case(args, R, work, host, BIG_REF, args.hocker, Case, fmt_sample, rm)
    if "copy" in cases:
        results.append(bench_copy(args, work, reg, R))
    if "push" in cases:
        results.append(bench_push(args, R, host, out, work))
    if "rtt" in cases:
        results += run_rtt_case(args, R, work, args.hocker, Case, fmt_sample, rm)[0]

    report(args, results, hello_requests, warm_counts, sha_tool)


def capped_case(args, R, reg, hocker, out, results, one):
    """hocker (default --blob-connections) vs one connection vs skopeo, through a proxy that
    caps every connection at --rate-mbps."""
    name = "capped %gMB/s one layer" % args.rate_mbps
    c1 = Case(name, "hocker", "hocker 1 conn", "capped/1conn")
    c2 = Case(name, "hocker", "skopeo", "capped/skopeo")
    print("\n[capped] %d runs each through a %g MB/s-per-connection proxy: hocker / hocker "
          "--blob-connections 1 / skopeo (one layer)" % (args.runs, args.rate_mbps), flush=True)
    with FaultProxy(reg.url, timeout=60, rate=args.rate_mbps * 1e6) as proxy:
        ref = "%s/%s" % (proxy.host, ONE_REF)
        for i in range(args.runs):
            s = R.run(hocker + ["-o", out, ref], "hocker image (capped)")
            check_out_size(out, args.one_mib * MIB)
            rm(out)
            s1 = R.run(hocker + ["--blob-connections", "1", "-o", out, ref],
                       "hocker image --blob-connections 1 (capped)")
            check_out_size(out, args.one_mib * MIB)
            rm(out)
            s2 = R.run(["skopeo", "--insecure-policy", "copy", "-q", "--src-tls-verify=false",
                        "docker://" + ref, "docker-archive:%s:%s" % (out, ONE_REF)],
                       "skopeo copy (capped)")
            check_out_size(out, args.one_mib * MIB)
            rm(out)
            c1.samples["hocker"].append(s)
            c2.samples["hocker"].append(s)
            c1.samples["hocker 1 conn"].append(s1)
            c2.samples["skopeo"].append(s2)
            print("  run %d: hocker %s | 1 conn %s | skopeo %s" % (
                i + 1, fmt_sample(s), fmt_sample(s1), fmt_sample(s2)), flush=True)
    results += [c1, c2]


def jobs_table(args, R, reg, hocker, out, big):
    """Medians of `hocker image --jobs J` for J in 1..--jobs-max through the capped proxy."""
    print("\n[jobs] %d runs each of --jobs 1..%d through a %g MB/s-per-connection proxy "
          "(%d-layer image)" % (args.runs, args.jobs_max, args.rate_mbps, len(big.layers)),
          flush=True)
    rows = []
    with FaultProxy(reg.url, timeout=60, rate=args.rate_mbps * 1e6) as proxy:
        ref = "%s/%s" % (proxy.host, BIG_REF)
        for jobs in range(1, args.jobs_max + 1):
            xs = []
            for _ in range(args.runs):
                xs.append(R.run(hocker + ["--jobs", str(jobs), "-o", out, ref],
                                "hocker image --jobs %d (capped)" % jobs))
                check_out_size(out, args.size_mib * MIB)
                rm(out)
            m = Sample(median([x.wall for x in xs]), median([x.cpu for x in xs]), 0,
                       median([x.rss for x in xs]) * 1024)
            rows.append((jobs, m))
            print("  --jobs %d: %s" % (jobs, fmt_sample(m)), flush=True)
    print("\n== --jobs through the capped proxy (medians: wall / CPU / max RSS) ==")
    for jobs, m in rows:
        print("  --jobs %d  %s" % (jobs, fmt_sample(m)))


def settle(what):
    """Waits until the set-up's writes (generated images, the registry's storage) are on disk;
    otherwise the first timed runs share the cores with the kernel writing them back."""
    t = time.monotonic()
    os.sync()
    print("  (%s: written back in %.1fs)" % (what, time.monotonic() - t), flush=True)


def linear_table(args, R, reg, out, builder, work):
    """hocker image (docker format) of the --size-mib image and of a --linear-mib one of the same
    shape (layer count and content mix), alternating runs; with --baseline, that binary too."""
    large, raw = build_big_image(builder, work, args.linear_mib, args.layers, args.seed,
                                 name="large")
    reg.push(large, LARGE_REF)
    settle("the %d MiB image" % args.linear_mib)
    print("\n[linear] image %s: %d layers, %.0f MiB tar; %d runs each, docker format"
          % (LARGE_REF, args.layers, raw / MIB, args.runs), flush=True)
    binaries = [("hocker", args.hocker)] + ([("baseline", args.baseline)] if args.baseline else [])
    times = {(who, ref): [] for who, _ in binaries for ref in (BIG_REF, LARGE_REF)}
    # One untimed pull of each size first: the first pull of the larger image after its set-up
    # took half again the CPU of the later ones, in every run so far, even with the set-up
    # written back; that one-time cost is not what this case measures.
    for ref, mib in ((BIG_REF, args.size_mib), (LARGE_REF, args.linear_mib)):
        cmd = [args.hocker, "image", "-q"] + shlex.split(args.hocker_args)
        s = R.run(cmd + ["-o", out, "%s/%s" % (reg.host, ref)], "warm-up %s" % ref)
        rm(out)
        print("  warm-up %d MiB (untimed): %s" % (mib, fmt_sample(s)), flush=True)
    for i in range(args.runs):
        for who, path in binaries:
            for ref, mib in ((BIG_REF, args.size_mib), (LARGE_REF, args.linear_mib)):
                cmd = [path, "image", "-q"] + shlex.split(args.hocker_args)
                s = R.run(cmd + ["-o", out, "%s/%s" % (reg.host, ref)], "%s %s" % (who, ref))
                check_out_size(out, mib * MIB)
                rm(out)
                times[(who, ref)].append(s)
                print("  run %d %s %d MiB: %s (load %.1f)" % (i + 1, who, mib, fmt_sample(s),
                                                           os.getloadavg()[0]), flush=True)
    print("\n== docker format, %d vs %d MiB (medians: wall / CPU / max RSS) =="
          % (args.size_mib, args.linear_mib))
    for who, _ in binaries:
        small = median([x.wall for x in times[(who, BIG_REF)]])
        big = median([x.wall for x in times[(who, LARGE_REF)]])
        print("  %-8s %6.2f s -> %6.2f s: %.2fx for %.2fx the data" % (
            who, small, big, big / small, args.linear_mib / args.size_mib))


def check_out_size(path, at_least):
    if not os.path.exists(path) or os.path.getsize(path) < at_least:
        raise RuntimeError("%s missing or too small" % path)
def bench_copy(args, work, reg, R):
    """hocker copy vs skopeo copy, registry to registry: from the bench registry into a fresh
    plain registry per run and tool, so that every blob is uploaded (skopeo would otherwise
    mount blobs it remembers having pushed to that registry before)."""
    c = Case("copy %dMiB" % args.size_mib, "hocker", "skopeo", "copy/skopeo")
    print("\n[copy] %d runs each: hocker copy / skopeo copy docker:// docker:// (each into a "
          "fresh registry)" % args.runs, flush=True)
    src = "%s/%s" % (reg.host, BIG_REF)
    for i in range(args.runs):
        samples = {}
        for who in ("hocker", "skopeo"):
            workdir = os.path.join(work, "registry-%s-%d" % (who, i))
            os.makedirs(workdir)
            dst = Registry("plain", workdir=workdir)
            try:
                target = "%s/copy/app:v1" % dst.host
                if who == "hocker":
                    samples[who] = R.run([args.hocker, "copy", "-q", src, target], "hocker copy")
                    r = dst.get_manifest("copy/app", "v1")
                    if r.status != 200 or r.header("docker-content-digest") != source_digest(reg):
                        raise RuntimeError("hocker copy: the copy does not keep the digest")
                else:
                    samples[who] = R.run(["skopeo", "--insecure-policy", "copy", "-q",
                                          "--src-tls-verify=false", "--dest-tls-verify=false",
                                          "docker://" + src, "docker://" + target], "skopeo copy")
            finally:
                dst.stop()
                rm(workdir)
        c.samples["hocker"].append(samples["hocker"])
        c.samples["skopeo"].append(samples["skopeo"])
        print("  run %d: hocker %s | skopeo %s" % (i + 1, fmt_sample(samples["hocker"]),
                                                   fmt_sample(samples["skopeo"])), flush=True)
    return c


def source_digest(reg):
    return reg.get_manifest(BIG_REF.split(":")[0], BIG_REF.split(":")[1]).header(
        "docker-content-digest")


def stored_blob_bytes(registry):
    """Total size of the blobs a filesystem-backed registry stores (config and layers)."""
    root = os.path.join(registry.workdir, "storage", "docker", "registry", "v2", "blobs")
    total = 0
    for folder, _, files in os.walk(root):
        total += sum(os.path.getsize(os.path.join(folder, f)) for f in files if f == "data")
    return total


def bench_push(args, R, host, out, work):
    """hocker push vs skopeo copy of the same uncompressed docker archive (hocker image's), each
    run into a registry of its own so that no blob is already there."""
    c = Case("push %dMiB" % args.size_mib, "hocker", "skopeo", "push/skopeo")
    archive = os.path.join(work, "push-source.tar")
    R.run([args.hocker, "image", "-q", "-o", archive, "%s/%s" % (host, BIG_REF)],
          "hocker image (push source)")
    print("\n[push] %d runs each: hocker push / skopeo copy docker-archive: -> docker://"
          % args.runs, flush=True)
    for i in range(args.runs):
        # A fresh registry per push: skopeo's blob-info cache remembers the compressed blobs of
        # earlier pushes and would mount them from the first registry instead of uploading.
        os.makedirs(os.path.join(work, "push-registry-%d-h" % i))
        dest = Registry("plain", workdir=os.path.join(work, "push-registry-%d-h" % i))
        try:
            s = R.run([args.hocker, "push", "-q", archive, "%s/bench/pushed:v1" % dest.host],
                      "hocker push")
            blobs = {"hocker": stored_blob_bytes(dest)}
        finally:
            dest.stop()
        os.makedirs(os.path.join(work, "push-registry-%d-s" % i))
        dest = Registry("plain", workdir=os.path.join(work, "push-registry-%d-s" % i))
        try:
            s2 = R.run(["skopeo", "--insecure-policy", "copy", "-q", "--dest-tls-verify=false",
                        "docker-archive:" + archive, "docker://%s/bench/pushed:v1" % dest.host],
                       "skopeo copy (push)")
            blobs["skopeo"] = stored_blob_bytes(dest)
        finally:
            dest.stop()
        c.samples["hocker"].append(s)
        c.samples["skopeo"].append(s2)
        print("  run %d: hocker %s | skopeo %s | blobs stored: hocker %.1f MiB, skopeo %.1f MiB"
              % (i + 1, fmt_sample(s), fmt_sample(s2), blobs["hocker"] / MIB,
                 blobs["skopeo"] / MIB), flush=True)
    rm(archive)
    return c


def report(args, results, hello_requests, warm_counts, sha_tool):
    print("\n== medians of %d runs (wall / user+sys CPU / max RSS); ratio = hocker / other ==" %
          args.runs)
    head = "%-20s | %-28s | %-16s %-28s | %6s %6s %6s" % (
        "case", "hocker wall/cpu/rss", "other", "other wall/cpu/rss", "wall", "cpu", "rss")
    print(head)
    print("-" * len(head))
    ratios = {}
    for c in results:
        h, o = c.med(c.left), c.med(c.right)
        r = (h.wall / o.wall, h.cpu / o.cpu if o.cpu else float("inf"), h.rss / o.rss)
        if c.key:
            ratios[c.key] = r
        print("%-20s | %-28s | %-16s %-28s | %5.2fx %5.2fx %5.2fx" % (
            c.name, fmt_sample(h), c.right, fmt_sample(o), r[0], r[1], r[2]))
    print("(reference pipelines hash with `%s`; their RSS is the largest single process, via "
          "wait4)" % sha_tool)

    if hello_requests is not None:
        print("\nrequests of one `hocker image` of %s: %d" % (HELLO_REF, len(hello_requests)))
        for e in hello_requests:
            print("  %s %s %d" % (e["method"], e["path"], e["status"]))
    if warm_counts is not None:
        print("\nregistry requests during the %d warm-cache hocker runs: %s" % (
            args.runs, ", ".join("%s %d" % kv for kv in warm_counts.items() if kv[0] != "blob GETs of")))
        if warm_counts["blob GETs of"]:
            print("  blob GETs of: " + ", ".join(warm_counts["blob GETs of"]))

    print("\n== targets ==")
    size = "%d MiB" % args.size_mib

    def target(label, key, index, limit, extra_ok=True, extra=""):
        if key not in ratios:
            return
        v = ratios[key][index]
        ok = v <= limit and extra_ok
        print("%-4s %-52s %5.2fx%s" % ("PASS" if ok else "MISS", label, v, extra))

    target("docker %s wall <= 0.25x skopeo" % size, "docker/skopeo", 0, 0.25)
    target("docker %s wall <= 1.3x reference pipeline" % size, "docker/ref", 0,
           1.3)
    target("one layer %d MiB wall <= 0.65x single-thread C ref" % args.one_mib, "one/ref", 0,
           0.65)
    if "capped/1conn" in ratios:
        target("capped one layer wall <= 0.33x one connection", "capped/1conn", 0, 1 / 3)
        target("capped one layer wall <= 0.3x skopeo", "capped/skopeo", 0, 0.3)
    target("oci %s wall <= 1.2x parallel curl" % size, "oci/curl", 0, 1.2)
    target("hello wall <= 0.5x skopeo", "hello/skopeo", 0, 0.5)
    target("rtt hello first pull (realm remembered) wall <= 0.45x skopeo", "rtt/first", 0, 0.45)
    target("rtt hello repeated with --cache wall <= 0.25x skopeo", "rtt/cached", 0, 0.25)
    target("push %s wall <= 0.5x skopeo" % size, "push/skopeo", 0, 0.5)
    target("docker %s peak RSS <= 0.5x skopeo" % size, "docker/skopeo", 2, 0.5)
    target("copy %s wall <= 0.5x skopeo" % size, "copy/skopeo", 0, 0.5)
    if warm_counts is not None:
        target("warm cache %s wall <= 1.3x ref from files, 0 blob GETs" % size,
               "warm/ref", 0, 1.3, warm_counts["blob GET"] == 0,
               "  (%d blob GETs)" % warm_counts["blob GET"])


if __name__ == "__main__":
    sys.exit(main())
