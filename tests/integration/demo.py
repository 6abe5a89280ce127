"""The README's main job: start a real local registry holding a sample image, fetch it with
hocker-image into a tarball, and show what the tarball holds.

    /usr/bin/python3 tests/integration/demo.py HOCKER_BIN_DIR OUTPUT_DIR
"""
import json
import os
import subprocess
import sys
import tarfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from harness.images import ImageBuilder  # noqa: E402
from harness.registry import Registry  # noqa: E402
from harness.util import make_tempdir  # noqa: E402


def say(text):
    print("\n==> " + text, flush=True)


def main(bin_dir, output_dir):
    os.makedirs(output_dir, exist_ok=True)
    say("building a sample image from scratch (a static /hello binary in one layer)")
    hello = ImageBuilder(make_tempdir("hocker-demo-images-")).hello()
    say("starting Debian's docker-registry on 127.0.0.1 and pushing the image with skopeo")
    registry = Registry("plain")
    try:
        registry.push(hello, "library/hello-world:latest")
        print("registry at %s holds library/hello-world:latest (%s)"
              % (registry.url, hello.manifest_digest))
        out = os.path.join(output_dir, "hello-world.tar")
        command = [os.path.join(bin_dir, "hocker-image"), "--registry", registry.url, "--out",
                   out, "library/hello-world", "latest"]
        say("running: " + " ".join(command))
        subprocess.run(command, check=True)
        say("the tarball's contents (tar -tvf %s)" % out)
        subprocess.run(["tar", "-tvf", out], check=True)
        with tarfile.open(out) as archive:
            manifest = json.loads(archive.extractfile("manifest.json").read())
        say("its manifest.json, as docker load reads it")
        print(json.dumps(manifest, indent=2))
        print("\nLoad it with: docker load -i %s" % out)
    finally:
        registry.stop()


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
