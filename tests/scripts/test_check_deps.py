"""scripts/check-deps.py on small trees of its own: a clean tree passes, and each kind of
violation is reported with one line naming the file and the rule (exit 1)."""
import os
import subprocess
import sys

import pytest

SCRIPT = os.path.join(os.path.dirname(__file__), "..", "..", "scripts", "check-deps.py")

CLEAN = {
    "src/hocker/CMakeLists.txt": "# bottom-up\nset(HOCKER_MODULES base digest blob)\n",
    "src/hocker/base/CMakeLists.txt": "hocker_module(base DEPS Threads::Threads)\n",
    "src/hocker/base/error.h": "#pragma once\n",
    "src/hocker/digest/CMakeLists.txt":
        "hocker_module(digest DEPS hocker_base PRIVATE_DEPS PkgConfig::CRYPTO)\n",
    "src/hocker/digest/digest.h": '#include "hocker/base/error.h"\n',
    "src/hocker/digest/digest.cc": '#include "hocker/digest/digest.h"\n#include <openssl/evp.h>\n',
    "src/hocker/digest/test_support.h": "#pragma once\n",
    "src/hocker/digest/digest_test.cc":
        '#include "hocker/digest/test_support.h"\n#include <gtest/gtest.h>\n'
        '#include <nlohmann/json.hpp>\n',
    "src/hocker/blob/CMakeLists.txt":
        "hocker_module(blob DEPS hocker_base hocker_digest PRIVATE_DEPS PkgConfig::ZLIB)\n",
    "src/hocker/blob/sinks.h": '#include "hocker/base/error.h"\n',
    "src/hocker/blob/sinks.cc": '#include "hocker/digest/digest.h"\n#include <zlib.h>\n',
    "src/cli/CMakeLists.txt":
        "target_link_libraries(hocker_cli_lib PUBLIC hocker_lib CLI11::CLI11 "
        "PRIVATE hocker_warnings)\n",
    "src/cli/app.cc": '#include "hocker/blob/sinks.h"\n#include <CLI/CLI.hpp>\n',
}


def run_on(tmp_path, changes):
    files = dict(CLEAN)
    files.update(changes)
    for path, text in files.items():
        if text is None:
            continue
        full = tmp_path / path
        full.parent.mkdir(parents=True, exist_ok=True)
        full.write_text(text)
    result = subprocess.run([sys.executable, SCRIPT, "--root", str(tmp_path)],
                            capture_output=True, text=True)
    return result.returncode, result.stderr


def test_a_tree_that_follows_its_declarations_passes(tmp_path):
    rc, err = run_on(tmp_path, {})
    assert rc == 0, err
    assert "3 modules and cli follow" in err


@pytest.mark.parametrize("changes,message", [
    # A module reached only transitively must still be declared where it is included.
    ({"src/hocker/blob/sinks.cc": '#include "hocker/digest/digest.h"\n#include <zlib.h>\n'
                                  '#include "hocker/base/error.h"\n',
      "src/hocker/blob/CMakeLists.txt":
          "hocker_module(blob DEPS hocker_digest PRIVATE_DEPS PkgConfig::ZLIB)\n"},
     "src/hocker/blob/sinks.cc: includes hocker/base/error.h but src/hocker/blob/CMakeLists.txt "
     "does not declare hocker_base"),
    ({"src/hocker/blob/CMakeLists.txt":
          "hocker_module(blob DEPS hocker_base hocker_digest PRIVATE_DEPS PkgConfig::ZLIB "
          "PkgConfig::ZSTD)\n"},
     "src/hocker/blob/CMakeLists.txt: declares PkgConfig::ZSTD but no source includes it"),
    ({"src/hocker/digest/CMakeLists.txt":
          "hocker_module(digest DEPS hocker_base hocker_blob PRIVATE_DEPS PkgConfig::CRYPTO)\n",
      "src/hocker/digest/digest.cc": '#include "hocker/blob/sinks.h"\n#include <openssl/evp.h>\n'},
     "src/hocker/digest: depends on blob, which is not listed before it in HOCKER_MODULES"),
    ({"src/hocker/blob/CMakeLists.txt":
          "hocker_module(blob DEPS hocker_base hocker_digest hocker_ref PRIVATE_DEPS "
          "PkgConfig::ZLIB)\n"},
     "src/hocker/blob/CMakeLists.txt: declares hocker_ref but no source includes it"),
    ({"src/hocker/blob/sinks.cc": '#include "hocker/digest/digest.h"\n#include <zlib.h>\n'
                                  "#include <curl/curl.h>\n"},
     "src/hocker/blob/sinks.cc: includes <curl/curl.h> but src/hocker/blob/CMakeLists.txt "
     "does not declare PkgConfig::CURL"),
    ({"src/hocker/digest/digest.h": "#include <nlohmann/json.hpp>\n",
      "src/hocker/digest/CMakeLists.txt": "hocker_module(digest DEPS hocker_base PRIVATE_DEPS "
                                          "PkgConfig::CRYPTO nlohmann_json::nlohmann_json)\n",
      "src/hocker/digest/digest.cc": '#include "hocker/base/error.h"\n#include <openssl/evp.h>\n'},
     "src/hocker/digest/digest.h: includes <nlohmann/json.hpp> in a header"),
    ({"src/hocker/digest/digest.cc": '#include "hocker/digest/test_support.h"\n'
                                     '#include "hocker/base/error.h"\n#include <openssl/evp.h>\n'},
     "src/hocker/digest/digest.cc: includes the test helper hocker/digest/test_support.h"),
    ({"src/hocker/ref/CMakeLists.txt": "hocker_module(ref DEPS hocker_base)\n",
      "src/hocker/ref/reference.h": '#include "hocker/base/error.h"\n'},
     "src/hocker/ref: a module folder not listed in HOCKER_MODULES"),
    ({"src/cli/app.cc": '#include "hocker/blob/sinks.h"\n#include <CLI/CLI.hpp>\n'
                        "#include <zstd.h>\n"},
     "src/cli/app.cc: includes <zstd.h> but src/cli/CMakeLists.txt does not declare "
     "PkgConfig::ZSTD"),
])
def test_each_violation_is_one_line_naming_the_file_and_the_rule(tmp_path, changes, message):
    rc, err = run_on(tmp_path, changes)
    assert rc == 1
    assert "check-deps: " + message in err, err


def test_the_repository_itself_follows_its_declarations():
    result = subprocess.run([sys.executable, SCRIPT], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


def test_a_test_may_include_what_the_module_reaches_through_its_declarations(tmp_path):
    rc, err = run_on(tmp_path, {
        "src/hocker/blob/CMakeLists.txt":
            "hocker_module(blob DEPS hocker_digest PRIVATE_DEPS PkgConfig::ZLIB)\n",
        "src/hocker/blob/sinks.h": '#include "hocker/digest/digest.h"\n',
        "src/hocker/blob/sinks_test.cc": '#include "hocker/base/error.h"\n'
                                         '#include "hocker/digest/test_support.h"\n',
    })
    assert rc == 0, err
