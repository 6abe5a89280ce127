#!/usr/bin/python3
"""Checks that the module graph the sources use is the one the CMake files declare.

For each module folder under src/hocker (and for src/cli):
  * every `#include "hocker/X/..."` names X itself or a module declared in the folder's
    CMakeLists.txt (DEPS or PRIVATE_DEPS): a dependency that is only reached transitively must
    be declared where it is used;
  * every declared hocker module is included by a non-test source of the folder;
  * modules are used in layering order: a module may only depend on modules listed before it in
    HOCKER_MODULES (src/hocker/CMakeLists.txt);
  * third-party libraries stay where they are declared: a folder includes <curl/...>,
    <openssl/...>, <zlib.h>, <isa-l.h>, <zstd.h>, <toml++/...>, <archive.h>, <nlohmann/...> or <CLI/...> only if it
    declares the library, every declared library is included, and JSON types stay out of
    headers.
Test sources (*_test.cc and *test*.h helpers) may include their own module's test helpers and
any module the folder's declared modules reach, transitively (a test binary links the module
and everything under it, and has no declarations of its own), plus GoogleTest and nlohmann-json
(linked into every test binary); a non-test source may include no test helper.
The module list is read from the CMake files, so a new module is checked once it is listed.
Usage: /usr/bin/python3 scripts/check-deps.py [--root TREE]
(exit 1 and one line per problem on failure)
"""
import os
import re
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
if len(sys.argv) == 3 and sys.argv[1] == "--root":  # another tree (the script's own tests)
    ROOT = os.path.abspath(sys.argv[2])
HOCKER = os.path.join(ROOT, "src", "hocker")
CLI = os.path.join(ROOT, "src", "cli")

# CMake target -> the include prefixes that use it.
LIBRARIES = {
    "PkgConfig::CURL": ("curl/",),
    "PkgConfig::CRYPTO": ("openssl/",),
    "PkgConfig::ZLIB": ("zlib.h",),
    "PkgConfig::ISAL": ("isa-l.h", "isa-l/"),
    "PkgConfig::ZSTD": ("zstd.h", "zstd_errors.h"),
    "PkgConfig::TOMLPP": ("toml++/",),
    "PkgConfig::ARCHIVE": ("archive.h", "archive_entry.h"),
    "nlohmann_json::nlohmann_json": ("nlohmann/",),
    "CLI11::CLI11": ("CLI/",),
}
TEST_LIBRARIES = {"nlohmann_json::nlohmann_json"}
# hocker_* targets that are not modules: the warning flags and the all-modules aggregate.
NOT_MODULES = {"hocker_warnings", "hocker_lib"}
INCLUDE = re.compile(r'^\s*#\s*include\s*([<"])([^>"]+)[>"]', re.M)


def strip_comments(text):
    return re.sub(r"#.*", "", text)


def module_order():
    text = strip_comments(open(os.path.join(HOCKER, "CMakeLists.txt")).read())
    match = re.search(r"set\(\s*HOCKER_MODULES\s+([^)]*)\)", text)
    if not match:
        sys.exit("check-deps: no set(HOCKER_MODULES ...) in src/hocker/CMakeLists.txt")
    return match.group(1).split()


def declared_targets(cmake_file, command, target):
    """What `command(target ...)` in cmake_file names after target: for hocker_module its DEPS
    and PRIVATE_DEPS, for target_link_libraries the libraries."""
    text = strip_comments(open(cmake_file).read())
    pattern = re.escape(command) + r"\(\s*" + re.escape(target) + r"\s([^)]*)\)"
    match = re.search(pattern, text)
    if not match:
        sys.exit("check-deps: no %s(%s ...) in %s"
                 % (command, target, os.path.relpath(cmake_file, ROOT)))
    return [w for w in match.group(1).split()
            if w not in ("DEPS", "PRIVATE_DEPS", "PUBLIC", "PRIVATE", "INTERFACE")]


def is_test_file(name):
    return name.endswith("_test.cc") or (name.endswith(".h") and "test" in name)


def sources(folder):
    for name in sorted(os.listdir(folder)):
        if name.endswith((".cc", ".h", ".h.in")):
            path = os.path.join(folder, name)
            yield name, path, INCLUDE.findall(open(path, encoding="utf-8").read())


def modules_of(targets):
    return {t[len("hocker_"):] for t in targets if t.startswith("hocker_") and t not in NOT_MODULES}


def reachable(modules, graph):
    """modules and every module they depend on, transitively."""
    seen, todo = set(), list(modules)
    while todo:
        module = todo.pop()
        if module not in seen:
            seen.add(module)
            todo += graph.get(module, ())
    return seen


def check_folder(name, folder, declared, allowed_modules, graph, problems):
    """declared: hocker modules and libraries the CMake file names; allowed_modules: modules
    that may be declared at all (layering); graph: module -> its declared modules. Appends one
    line per problem to problems."""
    rel = os.path.relpath(folder, ROOT)
    declared_modules = modules_of(declared)
    test_modules = reachable(declared_modules, graph)
    declared_libraries = {t for t in declared if t in LIBRARIES}
    for module in sorted(declared_modules - allowed_modules):
        problems.append("%s: depends on %s, which is not listed before it in HOCKER_MODULES"
                        % (rel, module))
    used_modules, used_libraries = set(), set()
    for file_name, path, includes in sources(folder):
        test = is_test_file(file_name)
        where = os.path.relpath(path, ROOT)
        for kind, target in includes:
            if kind == '"':
                parts = target.split("/")
                if parts[0] != "hocker" or len(parts) < 3:
                    continue
                module = parts[1]
                if module == name:
                    if not test and is_test_file(parts[-1]):
                        problems.append("%s: includes the test helper %s" % (where, target))
                    continue
                if test and module in test_modules:
                    continue
                if module not in declared_modules:
                    problems.append("%s: includes %s but %s/CMakeLists.txt does not declare "
                                    "hocker_%s" % (where, target, rel, module))
                elif is_test_file(parts[-1]) and not test:
                    problems.append("%s: includes the test helper %s" % (where, target))
                if not test:
                    used_modules.add(module)
                continue
            for library, prefixes in LIBRARIES.items():
                if not target.startswith(prefixes):
                    continue
                if test and library in TEST_LIBRARIES:
                    continue
                if library not in declared_libraries:
                    problems.append("%s: includes <%s> but %s/CMakeLists.txt does not declare %s"
                                    % (where, target, rel, library))
                if library == "nlohmann_json::nlohmann_json" and file_name.endswith(".h") \
                        and not test:
                    problems.append("%s: includes <%s> in a header; JSON types stay in .cc files"
                                    % (where, target))
                if not test:
                    used_libraries.add(library)
    for module in sorted(declared_modules - used_modules):
        problems.append("%s/CMakeLists.txt: declares hocker_%s but no source includes it"
                        % (rel, module))
    for library in sorted(declared_libraries - used_libraries):
        problems.append("%s/CMakeLists.txt: declares %s but no source includes it"
                        % (rel, library))


def main():
    order = module_order()
    problems = []
    declarations = {}
    for name in order:
        cmake_file = os.path.join(HOCKER, name, "CMakeLists.txt")
        declarations[name] = declared_targets(cmake_file, "hocker_module", name)
    graph = {name: modules_of(targets) for name, targets in declarations.items()}
    for index, name in enumerate(order):
        check_folder(name, os.path.join(HOCKER, name), declarations[name], set(order[:index]),
                     graph, problems)
    folders = {d for d in os.listdir(HOCKER) if os.path.isdir(os.path.join(HOCKER, d))}
    for missing in sorted(folders - set(order)):
        problems.append("src/hocker/%s: a module folder not listed in HOCKER_MODULES" % missing)
    # The command line sits on top: it links hocker_lib (every module), so any module may be
    # included, and only its own libraries are checked.
    cli_declared = declared_targets(os.path.join(CLI, "CMakeLists.txt"),
                                    "target_link_libraries", "hocker_cli_lib")
    if "hocker_lib" in cli_declared:
        cli_declared = [t for t in cli_declared if t != "hocker_lib"]
        cli_declared += ["hocker_" + m for m in order]
        cli_problems = []
        check_folder("cli", CLI, cli_declared, set(order), graph, cli_problems)
        problems += [p for p in cli_problems if "but no source includes it" not in p
                     or "hocker_" not in p]
    else:
        check_folder("cli", CLI, cli_declared, set(order), graph, problems)
    for problem in problems:
        print("check-deps: " + problem, file=sys.stderr)
    if problems:
        sys.exit(1)
    print("check-deps: %d modules and cli follow their declared dependencies" % len(order),
          file=sys.stderr)


if __name__ == "__main__":
    main()
