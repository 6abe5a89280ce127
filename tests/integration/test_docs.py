"""Man pages and shell completions, generated at build time from the parser's own option
definitions: every option `--help` lists is in its command's page, the pages pass man's
checks, and bash, zsh and fish complete commands, options, IsMember values and paths."""
import os
import re
import subprocess

import pytest

COMMANDS = ["image", "manifest", "config", "layer", "nix", "tags", "digest", "inspect", "lock",
            "assemble", "export", "copy", "push"]
CLASSIC = {"image": "hocker-image", "manifest": "hocker-manifest", "config": "hocker-config",
           "layer": "hocker-layer", "nix": "docker2nix"}


@pytest.fixture
def docs(hocker):
    directory = os.path.normpath(os.path.join(os.path.dirname(hocker), "..", "..", "docs"))
    assert os.path.isdir(os.path.join(directory, "man1")), directory
    return directory


def help_option_names(hocker, command):
    out = subprocess.run([hocker, command, "--help"], capture_output=True, text=True,
                         check=True).stdout
    names = set()
    for line in out.splitlines():
        match = re.match(r"^\s+(-\S+)", line)
        if match:
            names.update(match.group(1).split(","))
    assert "--help" in names and len(names) > 10, out
    return names


@pytest.mark.parametrize("command", COMMANDS)
def test_every_option_the_parser_lists_is_in_the_commands_man_page(hocker, docs, command):
    page = open(os.path.join(docs, "man1", "hocker-%s.1" % command)).read()
    for name in help_option_names(hocker, command):
        assert "\\fB" + name.replace("-", "\\-") + "\\fR" in page, name
    for section in ["NAME", "SYNOPSIS", "DESCRIPTION", "OPTIONS", '"EXIT STATUS"', "ENVIRONMENT",
                    "FILES", "EXAMPLES", '"SEE ALSO"']:
        assert "\n.SH %s\n" % section in page, section
    if command in CLASSIC:
        assert CLASSIC[command].replace("-", "\\-") in page.split(".SH SYNOPSIS")[0]


def test_every_page_passes_mans_checks_and_docker2nix_is_the_nix_page(docs):
    pages = sorted(os.listdir(os.path.join(docs, "man1")))
    assert pages == sorted(["hocker.1", "docker2nix.1"] + ["hocker-%s.1" % c for c in COMMANDS])
    for page in pages:
        result = subprocess.run(["man", "--warnings", "-l", os.path.join(docs, "man1", page)],
                                capture_output=True, text=True, env=dict(os.environ, MANWIDTH="80"))
        assert result.returncode == 0 and result.stderr == "", (page, result.stderr)
    assert os.readlink(os.path.join(docs, "man1", "docker2nix.1")) == "hocker-nix.1"
    assert os.readlink(os.path.join(docs, "man1.gz", "docker2nix.1.gz")) == "hocker-nix.1.gz"


def bash_complete(docs, words, cwd=None):
    """COMPREPLY for the command line `words`, the last word being completed."""
    script = ('source "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); '
              'COMP_LINE="$*"; COMP_POINT=${#COMP_LINE}; _hocker; printf "%s\\n" "${COMPREPLY[@]}"')
    out = subprocess.run(["bash", "-c", script, "bash", os.path.join(docs, "completions",
                                                                     "hocker.bash")] + words,
                         capture_output=True, text=True, check=True, cwd=cwd).stdout
    return sorted(line for line in out.splitlines() if line)


@pytest.mark.parametrize("words,expected", [
    (["hocker", "im"], ["image"]),
    (["hocker", "help", "d"], ["digest"]),
    (["hocker", "--v"], ["--version"]),
    (["hocker", "image", "--for"], ["--format"]),
    (["hocker", "image", "--format", ""], ["docker", "oci"]),
    (["hocker-image", "--format", "o"], ["oci"]),
    (["hocker", "image", "--format", "=", ""], ["docker", "oci"]),
    (["docker2nix", "--hash-format", ""], ["base32", "sri"]),
    (["hocker", "nix", "--hash"], ["--hash-format"]),
    (["hocker", "manifest", "--in"], ["--index", "--insecure"]),
    (["hocker", "image", "--registry", ""], []),
])
def test_bash_completes_commands_options_and_allowed_values(docs, words, expected):
    assert bash_complete(docs, words) == expected


def test_bash_completes_files_for_out_and_directories_for_cache(docs, tmp_path):
    (tmp_path / "app.tar").write_text("")
    (tmp_path / "blobs").mkdir()
    assert bash_complete(docs, ["hocker-image", "--out", ""], cwd=tmp_path) == ["app.tar", "blobs"]
    assert bash_complete(docs, ["hocker", "tags", "--ca-file", "a"], cwd=tmp_path) == ["app.tar"]
    assert bash_complete(docs, ["hocker-layer", "--cache", ""], cwd=tmp_path) == ["blobs"]


def fish_complete(docs, line):
    script = 'source $argv[1]; complete -C "$argv[2]"'
    out = subprocess.run(["fish", "--no-config", "-c", script, os.path.join(docs, "completions",
                                                                           "hocker.fish"), line],
                         capture_output=True, text=True, check=True).stdout
    return sorted(entry.split("\t")[0] for entry in out.splitlines())


@pytest.mark.parametrize("line,expected", [
    ("hocker im", ["image"]),
    ("hocker image --format ", ["docker", "oci"]),
    ("docker2nix --hash-format ", ["base32", "sri"]),
    ("hocker-manifest --ind", ["--index"]),
    ("hocker tags --pla", ["--platform", "--plain-http"]),
])
def test_fish_completes_commands_options_and_allowed_values(docs, line, expected):
    assert fish_complete(docs, line) == sorted(expected)


def test_zsh_parses_the_function_and_hands_arguments_the_parsers_options(docs):
    """zsh -n checks the syntax; then the function runs under zsh -f with _arguments and
    _describe stubbed to print the specs they are given (the tests below drive zsh's real
    completion system on a pseudo-terminal)."""
    path = os.path.join(docs, "completions", "_hocker")
    assert open(path).readline().split() == ["#compdef", "hocker"] + list(CLASSIC.values())
    subprocess.run(["zsh", "-n", path], check=True)
    stub = ('_arguments() { print -rl -- "$@"; state=$STUB_STATE; return 0 }; '
            '_describe() { print -rl -- describe "${(@P)4}" }; ')
    def run(service, state="", words=""):
        script = stub + 'service=%s; STUB_STATE=%s; words=(%s); source "$1"' % (service, state, words)
        return subprocess.run(["zsh", "-f", "-c", script, "zsh", path], capture_output=True,
                              text=True, check=True).stdout.splitlines()
    image = run("hocker-image")
    assert any(s.startswith("--format=[") and s.endswith(":(docker oci)") for s in image), image
    assert any(s.startswith("(-o --out)--out=[") and s.endswith(":_files") for s in image)
    assert any(s.startswith("--cache=[") and s.endswith(":_files -/") for s in image)
    assert "*:IMAGE: " in image
    assert any(s.startswith("--hash-format=[") for s in run("docker2nix"))
    commands = run("hocker", state="command")
    assert [c.split(":")[0] for c in commands[commands.index("describe") + 1:]] == COMMANDS + ["help"]
    assert any(s.startswith("--index[") for s in run("hocker", "argument", "manifest"))


def test_cmake_install_puts_links_man_pages_and_completions_under_the_prefix(hocker, tmp_path):
    build = os.path.normpath(os.path.join(os.path.dirname(hocker), "..", ".."))
    prefix = tmp_path / "prefix"
    subprocess.run(["cmake", "--install", build, "--prefix", str(prefix)], check=True,
                   capture_output=True)
    for link in CLASSIC.values():
        assert os.readlink(prefix / "bin" / link) == "hocker"
        assert os.readlink(prefix / "share/bash-completion/completions" / link) == "hocker"
        assert (prefix / "share/fish/vendor_completions.d" / (link + ".fish")).is_file()
    for name in ["hocker", "hocker-image", "docker2nix"]:
        found = subprocess.run(["man", "-w", name], capture_output=True, text=True, check=True,
                               env=dict(os.environ, MANPATH=str(prefix / "share/man"))).stdout
        assert found.strip().startswith(str(prefix / "share/man/man1")), found
    assert (prefix / "share/zsh/vendor-completions/_hocker").is_file()
    assert (prefix / "share/doc/hocker/copyright").read_text().startswith("Format: https://")
    out = subprocess.run([str(prefix / "bin/hocker-image"), "--help"], capture_output=True,
                         text=True, check=True).stdout
    assert "Usage: hocker-image" in out


def test_version_names_the_commit_the_build_was_configured_from(hocker):
    out = subprocess.run([hocker, "--version"], capture_output=True, text=True,
                         check=True).stdout
    match = re.fullmatch(r"hocker \d+\.\d+\.\d+ \(commit (\S+?)(-dirty)?\)\n", out)
    assert match, out
    source = os.path.dirname(os.path.abspath(__file__))
    described = match.group(1)
    if described != "unknown":  # else built outside a git checkout
        subprocess.run(["git", "-C", source, "cat-file", "-e", described + "^{commit}"],
                       check=True)


def zsh_complete(docs, line, cwd=None):
    script = os.path.join(os.path.dirname(os.path.abspath(__file__)), "complete_zsh.zsh")
    out = subprocess.run(["zsh", "-f", script, os.path.join(docs, "completions"), line],
                         capture_output=True, text=True, check=True, timeout=60, cwd=cwd).stdout
    return sorted(set(out.splitlines()))


@pytest.mark.parametrize("line,expected", [
    ("hocker im", ["image"]),
    ("hocker help d", ["digest"]),
    ("hocker image --format ", ["docker", "oci"]),
    ("docker2nix --hash-format ", ["base32", "sri"]),
    ("hocker manifest --ind", ["--index"]),
    ("hocker tags --pla", ["--plain-http", "--platform"]),
])
def test_zsh_completion_system_completes_commands_options_and_allowed_values(docs, line,
                                                                             expected):
    assert zsh_complete(docs, line) == expected


def test_zsh_completes_paths_for_out_and_directories_for_cache(docs, tmp_path):
    (tmp_path / "app.tar").write_text("")
    (tmp_path / "blobs").mkdir()
    assert zsh_complete(docs, "hocker-image --out ", cwd=tmp_path) == ["app.tar", "blobs"]
    # _files -/ also tries, and drops, plain files on its way: the wrapped compadd sees those
    # attempts too, so only the directory's presence is asserted.
    assert "blobs" in zsh_complete(docs, "hocker-layer --cache ", cwd=tmp_path)
