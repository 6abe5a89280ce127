"""Foreign (nondistributable) layers, which live outside the registry at their descriptor's
URLs (docs/spec.md §2.4): refused with a clear message unless --allow-foreign-layers; with it, fetched
from the URL without credentials, verified like any other layer, and loadable."""
import functools
import http.server
import threading

import pytest

from harness import consumers
from harness.cli import assert_one_error_line, auth_args, leftovers


class BlobServer:
    """Serves the files of one directory on 127.0.0.1, recording each request's headers."""

    def __init__(self, directory):
        self.requests = []
        server = self

        class Handler(http.server.SimpleHTTPRequestHandler):
            def do_GET(self):
                server.requests.append((self.path, dict(self.headers.items())))
                super().do_GET()

            def log_message(self, *args):
                pass

        handler = functools.partial(Handler, directory=directory)
        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.url = "http://127.0.0.1:%d/" % self.httpd.server_port
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def stop(self):
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture(scope="module")
def foreign_image(image_builder, tmp_path_factory):
    """The hello image plus a foreign base layer served by a BlobServer, and that server."""
    blobs = tmp_path_factory.mktemp("foreign-blobs")
    server = BlobServer(str(blobs))
    image = image_builder.build_image(
        "foreign", [{"etc/os-release": "NAME=foreign base\n"},
                    {"hello": image_builder.hello(name="foreign-hello").layers[0].read()}],
        entrypoint=["/hello"], foreign={0: server.url})
    # skopeo pushes no blob for a foreign layer: only the blob server has it.
    (blobs / image.layers[0].digest[7:]).write_bytes(image.layers[0].read())
    yield image, server
    server.stop()


@pytest.fixture(scope="module")
def foreign_registry(make_registry, foreign_image):
    return make_registry("basic-tls", push={"team/foreign:v1": foreign_image[0]})


def fetch(run, hocker, reg, out, *extra):
    argv = [hocker, "image", reg.host + "/team/foreign:v1", "-q", "-o", str(out)]
    return run(argv + auth_args(reg) + list(extra))


def test_foreign_layer_is_refused_without_the_flag(hocker, run, foreign_registry,
                                                   foreign_image, tmp_path):
    image, server = foreign_image
    before = len(server.requests)
    rc, _, stderr = fetch(run, hocker, foreign_registry, tmp_path / "out.tar")
    assert rc == 8, stderr
    assert_one_error_line(stderr, "hocker-image", image.layers[0].digest, "foreign",
                          "--allow-foreign-layers")
    assert len(server.requests) == before
    assert not (tmp_path / "out.tar").exists() and leftovers(tmp_path) == []


@pytest.mark.parametrize("fmt", ["docker", "oci"])
def test_foreign_layer_is_fetched_from_its_url_without_credentials_when_allowed(
        hocker, run, foreign_registry, foreign_image, tmp_path, fmt):
    image, server = foreign_image
    before = len(server.requests)
    mark = foreign_registry.log_mark()
    out = tmp_path / "out.tar"
    rc, _, stderr = fetch(run, hocker, foreign_registry, out, "--allow-foreign-layers",
                          "--format", fmt)
    assert rc == 0, stderr
    served = server.requests[before:]
    assert [path for path, _ in served] == ["/" + image.layers[0].digest[7:]]
    assert all(name.lower() != "authorization" for name in served[0][1])
    assert foreign_registry.count_requests("GET", image.layers[0].digest, since=mark) == 0
    transport = "docker-archive" if fmt == "docker" else "oci-archive"
    consumers.skopeo_copy_archive_to_oci(str(out), str(tmp_path / "oci"), transport=transport)


def test_corrupt_foreign_layer_is_an_integrity_error(hocker, run, foreign_registry,
                                                     foreign_image, tmp_path_factory):
    image, server = foreign_image
    blob = server.httpd.RequestHandlerClass.keywords["directory"] + "/" + image.layers[0].digest[7:]
    original = open(blob, "rb").read()
    try:
        with open(blob, "wb") as f:
            f.write(original[:-1] + bytes([original[-1] ^ 0xFF]))
        out_dir = tmp_path_factory.mktemp("corrupt-foreign")
        rc, _, stderr = fetch(run, hocker, foreign_registry, out_dir / "out.tar",
                              "--allow-foreign-layers")
    finally:
        with open(blob, "wb") as f:
            f.write(original)
    assert rc == 6, stderr
    assert_one_error_line(stderr, "hocker-image", image.layers[0].digest)
    assert list(out_dir.iterdir()) == []
