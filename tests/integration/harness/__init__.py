"""hocker integration-test harness (see tests/integration/README.md)."""
from .images import FIXTURE_REFS, MT, PLATFORMS, Dir, File, Hardlink, ImageBuilder, Symlink, make_tar
from .registry import ACCEPT_ALL, Registry
from .redirect import RedirectServer
from .util import REPO_ROOT, bare, run, sha256_bytes, sha256_file

__all__ = ["ACCEPT_ALL", "Dir", "FIXTURE_REFS", "File", "Hardlink", "ImageBuilder", "MT",
           "PLATFORMS", "REPO_ROOT", "RedirectServer", "Registry", "Symlink", "bare",
           "make_tar", "run", "sha256_bytes", "sha256_file"]
