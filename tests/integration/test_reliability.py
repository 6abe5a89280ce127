"""Reliability through harness/fault_proxy.py (docs/spec.md §2.6 and §4): hocker survives resets,
stalls, 429 and 503 (resuming blobs with Range, honouring Retry-After, counting --retries), gives
up on a registry that never recovers with one line and exit 3 in bounded time, refuses bytes
that do not match (exit 6) leaving nothing behind, and cleans up on SIGINT/SIGTERM (exit 130).

Every pull goes to `team/multilayer:v1` (four distinct layers from 45 bytes to ~570 KB, one of
them twice) on the plain registry through a fresh proxy; `--tag` fixes the name recorded in the
archive so a proxied pull and a direct one must be byte-identical."""
import hashlib
import os
import signal
import subprocess
import time

import pytest

from harness.cli import assert_one_error_line, leftovers
from harness.fault_proxy import (FaultProxy, drop, flip_byte, hang, oversized, redirect_loop,
                                 reset_after, stall_after, status, truncate, wrong_length)
from harness.util import wait_until

NAME, TAG = "team/multilayer", "v1"
REF = NAME + ":" + TAG
RECORDED_TAG = "hocker/reliability:v1"  # --tag: the same archive whichever host served it
BOUND = 20.0  # seconds: a command that gives up must be done well within this
FORMS = ["modern", "classic"]


@pytest.fixture
def proxy(plain_registry):
    with FaultProxy(plain_registry.url, timeout=10) as p:
        yield p


@pytest.fixture
def out_dir(tmp_path):
    d = tmp_path / "out"
    d.mkdir()
    return d


@pytest.fixture(scope="module")
def multilayer(images):
    return images["multilayer"]


@pytest.fixture(scope="module")
def unique_layers(multilayer):
    return list({layer.digest: layer for layer in multilayer.layers}.values())


@pytest.fixture(scope="module")
def big_layer(multilayer):
    return max(multilayer.layers, key=lambda layer: layer.size)


@pytest.fixture(scope="module")
def clean_archive(hocker, run, plain_registry, tmp_path_factory):
    """The archive of a pull straight from the registry, no proxy, no fault."""
    out = tmp_path_factory.mktemp("clean") / "clean.tar"
    rc, _, err = run([hocker, "image", "--plain-http", "-q", "--tag", RECORDED_TAG, "-o", str(out),
                      plain_registry.host + "/" + REF])
    assert rc == 0, err
    return out.read_bytes()


def image_argv(hocker, hocker_link, form, proxy, out, *extra):
    """`hocker image` (modern) or `hocker-image` (classic) of the fixture through `proxy`."""
    if form == "modern":
        return ([hocker, "image", "--plain-http", "-q", "--tag", RECORDED_TAG, "-o", str(out)]
                + list(extra) + [proxy.host + "/" + REF])
    return ([hocker_link("hocker-image"), "--registry", proxy.url, "-q", "--tag", RECORDED_TAG,
             "--out", str(out)] + list(extra) + [NAME, TAG])


def layer_argv(hocker, hocker_link, form, proxy, layer, out, *extra):
    """`hocker layer` (modern) or `hocker-layer` with nixpkgs' empty tag (classic)."""
    if form == "modern":
        return ([hocker, "layer", "--plain-http", "-q", "-l", layer.digest[7:], "-o", str(out)]
                + list(extra) + [proxy.host + "/" + REF])
    return ([hocker_link("hocker-layer"), "--registry", proxy.url, "--out", str(out), "--layer",
             layer.digest[7:]] + list(extra) + [NAME, ""])


def first_attempt_fault(kind, size):
    """A fault that cuts the body of a blob of `size` bytes halfway: (action, bytes kept)."""
    cut = max(1, size // 2)
    if kind == "reset":
        # grace 0.5: the client surely reads the bytes before the RST, even on a busy machine.
        return reset_after(cut, grace=0.5), cut
    return stall_after(cut, 60), cut


def assert_resumed_with_range(proxy, layer, cut, outcome):
    """The blob took two GETs: the faulted first one, then a Range for exactly the rest."""
    entries = proxy.requests(layer.digest, method="GET")
    assert len(entries) == 2, entries
    first, retry = entries
    assert first.range is None and first.outcome == outcome and first.bytes_sent == cut, first
    assert retry.range == "bytes=%d-" % first.bytes_sent, retry
    assert retry.status == 206 and retry.outcome == "ok", retry
    assert retry.bytes_sent == layer.size - first.bytes_sent, retry


def timed_run(run, argv, **kw):
    start = time.monotonic()
    rc, out, err = run(argv, timeout=120, **kw)
    return rc, out, err, time.monotonic() - start


# ------------------------------------------------------------------------------- survives

@pytest.mark.parametrize("kind", ["reset", "stall"])
@pytest.mark.parametrize("form", FORMS)
def test_image_resumes_every_broken_layer_with_range_and_matches_a_clean_pull(
        hocker, hocker_link, run, proxy, unique_layers, clean_archive, out_dir, form, kind):
    cuts = {}
    for layer in unique_layers:
        action, cuts[layer.digest] = first_attempt_fault(kind, layer.size)
        # upstream_status=200: only a whole-body answer is broken, never the 206 of the retry.
        proxy.add_rule(layer.digest, action, method="GET", upstream_status=200)
    out = out_dir / "image.tar"
    rc, stdout, err = run(image_argv(hocker, hocker_link, form, proxy, out, "--timeout", "1"))
    assert rc == 0, err
    assert stdout == (str(out) + "\n").encode()
    for layer in unique_layers:
        assert_resumed_with_range(proxy, layer, cuts[layer.digest],
                                  "reset" if kind == "reset" else "stalled")
    assert out.read_bytes() == clean_archive
    assert os.listdir(out_dir) == ["image.tar"]


@pytest.mark.parametrize("kind", ["reset", "stall"])
@pytest.mark.parametrize("form", FORMS)
def test_layer_resumes_a_broken_blob_with_range_and_writes_its_exact_bytes(
        hocker, hocker_link, run, proxy, big_layer, out_dir, form, kind):
    action, cut = first_attempt_fault(kind, big_layer.size)
    proxy.add_rule(big_layer.digest, action, method="GET", upstream_status=200)
    out = out_dir / "layer.tar.gz"
    rc, _, err = run(layer_argv(hocker, hocker_link, form, proxy, big_layer, out,
                                "--timeout", "1"))
    assert rc == 0, err
    assert_resumed_with_range(proxy, big_layer, cut, "reset" if kind == "reset" else "stalled")
    assert out.read_bytes() == big_layer.read()
    assert os.listdir(out_dir) == ["layer.tar.gz"]


def test_a_blob_broken_twice_resumes_from_everything_received_so_far(
        hocker, hocker_link, run, proxy, big_layer, clean_archive, out_dir):
    proxy.add_rule(lambda req: big_layer.digest in req.path and req.range is None,
                   reset_after(100_000, grace=0.5), method="GET")
    proxy.add_rule(lambda req: big_layer.digest in req.path and req.range is not None,
                   stall_after(200_000, 60), method="GET")
    out = out_dir / "image.tar"
    rc, _, err = run(image_argv(hocker, hocker_link, "modern", proxy, out, "--timeout", "1"))
    assert rc == 0, err
    entries = proxy.requests(big_layer.digest, method="GET")
    assert [(e.range, e.outcome) for e in entries] == [
        (None, "reset"), ("bytes=100000-", "stalled"), ("bytes=300000-", "ok")], entries
    assert [e.bytes_sent for e in entries] == [100_000, 200_000, big_layer.size - 300_000]
    assert out.read_bytes() == clean_archive


@pytest.mark.parametrize("code", [429, 503])
@pytest.mark.parametrize("target", ["manifest", "blob"])
def test_retry_after_is_waited_out_before_the_request_is_tried_again(
        hocker, hocker_link, run, proxy, big_layer, clean_archive, out_dir, code, target):
    path = "/manifests/" + TAG if target == "manifest" else big_layer.digest
    proxy.add_rule(path, status(code, retry_after=1), method="GET")
    out = out_dir / "image.tar"
    rc, _, err, elapsed = timed_run(run, image_argv(hocker, hocker_link, "modern", proxy, out))
    assert rc == 0, err
    refused, retried = proxy.requests(path, method="GET")
    assert refused.status == code and retried.status == 200
    assert retried.time - refused.time >= 1.0, "Retry-After: 1 was not waited out"
    assert elapsed >= 1.0
    assert out.read_bytes() == clean_archive


@pytest.mark.parametrize("target,retries", [("manifest", 1), ("manifest", 3), ("blob", 2)])
def test_retries_caps_the_attempts_per_request(hocker, hocker_link, run, proxy, big_layer,
                                               out_dir, target, retries):
    path = "/manifests/" + TAG if target == "manifest" else big_layer.digest
    proxy.add_rule(path, status(503), method="GET", times=None)
    rc, _, err = run(image_argv(hocker, hocker_link, "modern", proxy, out_dir / "image.tar",
                                "--retries", str(retries)))
    assert rc == 3, err
    assert len(proxy.requests(path, method="GET")) == retries
    fragments = ["503", "UNAVAILABLE"]
    if retries > 1:
        fragments.append("(gave up after %d attempts)" % retries)
    assert_one_error_line(err, "hocker-image", *fragments)
    assert os.listdir(out_dir) == []


NEVER_RECOVERS = {
    "503-forever": (status(503, retry_after=1), "503 Service Unavailable"),
    "hang-forever": (hang(60), "stalled: no data for 1 s"),
    "drop-forever": (drop(), "Connection reset by peer"),
}


@pytest.mark.parametrize("fault", sorted(NEVER_RECOVERS))
@pytest.mark.parametrize("form", FORMS)
def test_a_registry_that_never_recovers_ends_in_one_line_and_exit_3_in_bounded_time(
        hocker, hocker_link, run, proxy, out_dir, form, fault):
    action, fragment = NEVER_RECOVERS[fault]
    proxy.add_rule("/manifests/", action, times=None)
    rc, _, err, elapsed = timed_run(run, image_argv(hocker, hocker_link, form, proxy,
                                                    out_dir / "image.tar", "--timeout", "1",
                                                    "--retries", "2"))
    assert rc == 3, err
    assert_one_error_line(err, "hocker-image", "/manifests/" + TAG, fragment,
                          "(gave up after 2 attempts)")
    assert elapsed < BOUND
    assert len(proxy.requests("/manifests/")) == 2
    assert os.listdir(out_dir) == []


def test_a_blob_that_stalls_on_every_attempt_gives_up_after_the_retries(
        hocker, hocker_link, run, proxy, big_layer, out_dir):
    proxy.add_rule(big_layer.digest, stall_after(1000, 60), method="GET", times=None)
    rc, _, err, elapsed = timed_run(run, image_argv(hocker, hocker_link, "modern", proxy,
                                                    out_dir / "image.tar", "--timeout", "1",
                                                    "--retries", "3"))
    assert rc == 3, err
    assert_one_error_line(err, "hocker-image", big_layer.digest, "stalled",
                          "(gave up after 3 attempts)")
    assert elapsed < BOUND
    # Each attempt still resumed after what the previous ones delivered.
    ranges = [e.range for e in proxy.requests(big_layer.digest, method="GET")]
    assert ranges == [None, "bytes=1000-", "bytes=2000-"]
    assert os.listdir(out_dir) == []


def test_a_retry_after_beyond_the_cap_fails_at_once_instead_of_sleeping(
        hocker, hocker_link, run, proxy, out_dir):
    proxy.add_rule("/manifests/", status(503, retry_after=3600), times=None)
    rc, _, err, elapsed = timed_run(run, image_argv(hocker, hocker_link, "modern", proxy,
                                                    out_dir / "image.tar"))
    assert rc == 3, err
    assert_one_error_line(err, "hocker-image", "503", "the registry asks to retry after 3600 s, "
                          "longer than hocker waits (60 s)")
    assert elapsed < BOUND
    assert len(proxy.requests("/manifests/")) == 1


def test_a_docker_hub_rate_limit_is_reported_with_its_quota_and_not_retried_forever(
        hocker, hocker_link, run, proxy, out_dir):
    quota = {"ratelimit-limit": "100;w=21600", "ratelimit-remaining": "0;w=21600"}
    proxy.add_rule("/manifests/", status(429, headers=quota), times=None)
    rc, _, err, elapsed = timed_run(run, image_argv(hocker, hocker_link, "modern", proxy,
                                                    out_dir / "image.tar", "--retries", "3"))
    assert rc == 3, err
    assert_one_error_line(err, "hocker-image", "429 Too Many Requests (TOOMANYREQUESTS",
                          "rate limit: ratelimit-limit=100;w=21600 ratelimit-remaining=0;w=21600",
                          "(gave up after 3 attempts)")
    assert len(proxy.requests("/manifests/")) == 3
    assert elapsed < BOUND


def test_each_retry_is_announced_in_one_warning_line_unless_quiet(
        hocker, run, proxy, big_layer, clean_archive, out_dir):
    """A wait for Retry-After or a resumed body must not look like a hang."""
    kept = 100_000
    proxy.add_rule("/manifests/" + TAG, status(503, retry_after=1), method="GET")
    proxy.add_rule(big_layer.digest, reset_after(kept, grace=0.5), method="GET")
    out = out_dir / "image.tar"
    argv = [hocker, "image", "--plain-http", "--tag", RECORDED_TAG, "-o", str(out),
            proxy.host + "/" + REF]
    rc, _, err = run(argv)
    assert rc == 0, err
    assert out.read_bytes() == clean_archive
    warnings = [line for line in err.splitlines() if ": warning: " in line]
    assert len(warnings) == 2, err
    manifest, blob = sorted(warnings, key=lambda line: "/blobs/" in line)
    assert manifest.startswith("hocker-image: warning: GET http://%s/v2/%s/manifests/%s: 503"
                               % (proxy.host, NAME, TAG)), manifest
    assert "; retrying in 1.0 s (attempt 2 of 5)" in manifest, manifest
    assert blob.startswith("hocker-image: warning: GET http://%s/v2/%s/blobs/%s"
                           % (proxy.host, NAME, big_layer.digest)), blob
    assert blob.endswith("(attempt 2 of 5), resuming at byte %d" % kept), blob
    # --quiet: the same faults, not a word.
    proxy.add_rule("/manifests/" + TAG, status(503, retry_after=1), method="GET")
    rc, _, err = run(argv[:2] + ["-q"] + argv[2:])
    assert rc == 0 and err == "", err


def test_a_truncated_body_is_resumed_from_where_it_ended(
        hocker, hocker_link, run, proxy, big_layer, clean_archive, out_dir):
    proxy.add_rule(big_layer.digest, truncate(250_000), method="GET")
    out = out_dir / "image.tar"
    rc, _, err = run(image_argv(hocker, hocker_link, "modern", proxy, out))
    assert rc == 0, err
    cut, rest = proxy.requests(big_layer.digest, method="GET")
    assert cut.outcome == "closed" and cut.bytes_sent == 250_000
    assert rest.range == "bytes=250000-" and rest.bytes_sent == big_layer.size - 250_000
    assert out.read_bytes() == clean_archive


@pytest.mark.parametrize("jobs", ["1", "4"])
def test_bytes_past_the_content_length_are_not_taken_for_blob_bytes(
        hocker, hocker_link, run, proxy, big_layer, clean_archive, out_dir, jobs):
    # Every blob answer carries 4 KiB of stray bytes after its body: they must neither land in
    # a blob nor, read as the reply to the next request on a reused connection, fail the pull.
    proxy.add_rule("/blobs/", oversized(4096), method="GET", times=None)
    out = out_dir / "image.tar"
    rc, _, err = run(image_argv(hocker, hocker_link, "modern", proxy, out, "--jobs", jobs))
    assert rc == 0, err
    assert proxy.requests(big_layer.digest)[0].bytes_sent == big_layer.size + 4096
    assert out.read_bytes() == clean_archive


# -------------------------------------------------------------------------------- refuses

# id -> (what to break: the "big" layer or the "config"; the action given the size of what it
# breaks; the exit code; message fragments given that size)
REFUSALS = {
    "flip-first-byte": ("big", lambda n: flip_byte(0), 6, lambda n: ["digest mismatch"]),
    "flip-middle-byte": ("big", lambda n: flip_byte(n // 2), 6, lambda n: ["layer sha256:"]),
    "flip-last-byte": ("big", lambda n: flip_byte(n - 1), 6, lambda n: ["layer sha256:"]),
    "content-length-too-long": (
        "big", lambda n: wrong_length(10), 6,
        lambda n: ["Content-Length %d differs from the expected %d bytes" % (n + 10, n)]),
    "content-length-too-short": (
        "big", lambda n: wrong_length(-10), 6,
        lambda n: ["Content-Length %d differs from the expected %d bytes" % (n - 10, n)]),
    "truncated-every-time": ("big", lambda n: truncate(1000), 3,
                             lambda n: ["response ended early", "(gave up after 2 attempts)"]),
    "redirect-loop": ("big", lambda n: redirect_loop(), 3, lambda n: ["redirect loop at"]),
    "flipped-config": ("config", lambda n: flip_byte(10), 6, lambda n: ["digest mismatch"]),
}


@pytest.mark.parametrize("case", sorted(REFUSALS))
@pytest.mark.parametrize("form", FORMS)
def test_bad_bytes_from_the_registry_are_refused_leaving_nothing(
        hocker, hocker_link, run, proxy, multilayer, big_layer, out_dir, form, case):
    target, action, code, fragments = REFUSALS[case]
    if target == "big":
        digest, size = big_layer.digest, big_layer.size
    else:
        digest, size = multilayer.config_digest, len(multilayer.config_bytes)
    proxy.add_rule(digest, action(size), method="GET", times=None)
    rc, stdout, err = run(image_argv(hocker, hocker_link, form, proxy,
                                     out_dir / "image.tar", "--retries", "2"))
    assert rc == code, err
    assert_one_error_line(err, "hocker-image", digest, *fragments(size))
    assert stdout == b""
    assert os.listdir(out_dir) == []


@pytest.mark.parametrize("form", FORMS)
def test_a_manifest_that_does_not_hash_to_the_pinned_digest_is_refused(
        hocker, hocker_link, run, proxy, multilayer, out_dir, form):
    proxy.add_rule("/manifests/", flip_byte(10), method="GET", times=None)
    out = out_dir / "image.tar"
    if form == "modern":
        argv = [hocker, "image", "--plain-http", "-q", "-o", str(out),
                proxy.host + "/" + NAME + "@" + multilayer.manifest_digest]
    else:
        argv = [hocker_link("hocker-image"), "--registry", proxy.url, "-q", "--out", str(out),
                NAME, multilayer.manifest_digest]
    rc, stdout, err = run(argv)
    assert rc == 6, err
    assert_one_error_line(err, "hocker-image", multilayer.manifest_digest, "digest mismatch")
    assert stdout == b"" and os.listdir(out_dir) == []


@pytest.mark.parametrize("form", FORMS)
@pytest.mark.parametrize("action", [flip_byte(1000), wrong_length(-10)], ids=repr)
def test_layer_refuses_bytes_that_do_not_hash_to_the_layer_digest(
        hocker, hocker_link, run, proxy, big_layer, out_dir, form, action):
    proxy.add_rule(big_layer.digest, action, method="GET", times=None)
    rc, stdout, err = run(layer_argv(hocker, hocker_link, form, proxy, big_layer,
                                     out_dir / "layer.tar.gz", "--retries", "2"))
    assert rc == 6, err
    assert_one_error_line(err, "hocker-layer", big_layer.digest, "digest mismatch")
    assert stdout == b"" and os.listdir(out_dir) == []


@pytest.mark.parametrize("offset", [0, 1000])
def test_a_corrupt_download_does_not_poison_the_cache(
        hocker, hocker_link, run, proxy, big_layer, clean_archive, out_dir, tmp_path, offset):
    cache = tmp_path / "cache"
    partial = cache / "partial" / "sha256" / big_layer.digest[7:]
    proxy.add_rule(big_layer.digest, flip_byte(offset), method="GET")
    out = out_dir / "image.tar"
    argv = image_argv(hocker, hocker_link, "modern", proxy, out, "--cache", str(cache))
    rc, _, err = run(argv)
    assert rc == 6, err
    assert_one_error_line(err, "hocker-image", big_layer.digest)
    assert not partial.exists(), "the refused bytes stayed in the cache"
    assert not (cache / "blobs" / "sha256" / big_layer.digest[7:]).exists()
    rc, _, err = run(argv)
    assert rc == 0, err
    assert out.read_bytes() == clean_archive


@pytest.mark.parametrize("command", ["image", "layer"])
def test_a_partial_file_already_holding_the_whole_blob_is_used_without_a_get(
        hocker, hocker_link, run, proxy, big_layer, clean_archive, out_dir, tmp_path, command):
    # What a run stopped between the last byte and the commit leaves (another layer failed,
    # or a signal): the next run must not ask for the bytes past the end (a 416).
    cache = tmp_path / "cache"
    partial = cache / "partial" / "sha256" / big_layer.digest[7:]
    partial.parent.mkdir(parents=True)
    partial.write_bytes(big_layer.read())
    out = out_dir / "result"
    if command == "image":
        argv = image_argv(hocker, hocker_link, "modern", proxy, out, "--cache", str(cache))
    else:  # hocker layer asks the size with a HEAD; then the digest says the file is whole
        argv = layer_argv(hocker, hocker_link, "modern", proxy, big_layer, out,
                          "--cache", str(cache))
    rc, _, err = run(argv + ["--retries", "2"])
    assert rc == 0, err
    assert proxy.requests(big_layer.digest, method="GET") == []
    assert out.read_bytes() == (clean_archive if command == "image" else big_layer.read())
    assert not partial.exists()
    assert (cache / "blobs" / "sha256" / big_layer.digest[7:]).read_bytes() == big_layer.read()


# -------------------------------------------------------------------------------- signals

def cache_files(cache):
    return sorted(os.path.relpath(os.path.join(d, f), cache)
                  for d, _, files in os.walk(cache) for f in files)


@pytest.mark.parametrize("use_cache", [False, True], ids=["no-cache", "cache"])
@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
def test_a_signal_mid_download_exits_130_and_leaves_no_partial_output(
        hocker, proxy, multilayer, big_layer, out_dir, tmp_path, signum, use_cache):
    kept = 200_000
    proxy.add_rule(big_layer.digest, stall_after(kept, 60), method="GET")
    cache = tmp_path / "cache"
    partial = cache / "partial" / "sha256" / big_layer.digest[7:]
    argv = [hocker, "image", "--plain-http", "-q", "-o", str(out_dir / "image.tar"),
            proxy.host + "/" + REF]
    if use_cache:
        argv[2:2] = ["--cache", str(cache)]
    child = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE)
    try:
        wait_until(lambda: any(e.outcome == "stalled" for e in
                               proxy.requests(big_layer.digest, settle=0)),
                   what="the layer download to stall")
        wait_until(lambda: leftovers(out_dir), what="the temporary output file")
        if use_cache:
            wait_until(lambda: partial.exists() and partial.stat().st_size == kept,
                       what="the cache's partial file to hold the bytes received")
        assert child.poll() is None
        child.send_signal(signum)
        stdout, stderr = child.communicate(timeout=30)
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()
    assert child.returncode == 130, stderr
    assert stdout == b""
    assert stderr.decode().splitlines() == [
        "hocker-image: error: interrupted by " + signal.Signals(signum).name]
    assert os.listdir(out_dir) == []
    if use_cache:
        # The config too: with the output file created before the first request, the signal
        # may come while the config is still arriving (the big layer is prefetched meanwhile).
        blobs = {layer.digest[7:]: layer.read() for layer in multilayer.layers}
        blobs[multilayer.config_digest[7:]] = multilayer.config_bytes
        for path in cache_files(cache):
            area, algorithm, hex_ = path.split(os.sep)
            assert algorithm == "sha256" and area in ("blobs", "partial"), path
            data = (cache / path).read_bytes()
            if area == "blobs":  # complete entries only, each verified
                assert hashlib.sha256(data).hexdigest() == hex_, path
            else:  # a resumable prefix of the blob it is named after
                assert hex_ in blobs and blobs[hex_].startswith(data), path
        assert partial.read_bytes() == big_layer.read()[:kept]
