"""The command line's own conversation (docs/spec.md §1, §4): help in every form users type, the
version, and usage errors that name the real mistake, under the right program name, exit 2."""
import pytest

from harness.cli import assert_one_error_line
from harness.images import FIXTURE_REFS

SUBCOMMANDS = ["image", "manifest", "config", "layer", "nix", "tags", "digest", "inspect",
               "lock", "assemble", "export", "copy", "push"]


def test_help_lists_every_subcommand_and_the_exit_codes(hocker, run):
    rc, out, err = run([hocker, "--help"])
    assert rc == 0 and err == ""
    text = out.decode()
    for name in SUBCOMMANDS:
        assert "\n  " + name in text, text
    assert "130 interrupted" in text


def test_help_as_a_word_works_as_in_git_and_docker(hocker, run):
    assert run([hocker, "help"])[1] == run([hocker, "--help"])[1]
    rc, out, err = run([hocker, "help", "image"])
    assert rc == 0, err
    assert out == run([hocker, "image", "--help"])[1]
    assert b"Usage: hocker image" in out


@pytest.mark.parametrize("link", ["hocker-image", "hocker-layer", "hocker-config",
                                  "hocker-manifest", "docker2nix"])
def test_every_classic_link_has_help_and_version(hocker_link, run, link):
    rc, out, err = run([hocker_link(link), "--help"])
    assert rc == 0, err
    assert ("Usage: " + link).encode() in out
    rc, out, _ = run([hocker_link(link), "--version"])
    assert rc == 0 and out.startswith(b"hocker ")


def test_an_unknown_command_is_named_with_the_ones_that_exist(hocker, run):
    rc, _, err = run([hocker, "imgae", "debian"])
    assert rc == 2
    assert_one_error_line(err, "hocker", "unknown command imgae",
                          "(commands: " + ", ".join(SUBCOMMANDS) + ")")


@pytest.mark.parametrize("argv,program", [
    (["image", "--bogus"], "hocker-image"),
    (["image", "--bogus", "debian"], "hocker-image"),
    (["manifest", "-x"], "hocker-manifest"),
    (["--bogus"], "hocker"),
])
def test_an_unexpected_flag_is_the_error_reported(hocker, run, argv, program):
    rc, _, err = run([hocker] + argv)
    assert rc == 2, err
    assert_one_error_line(err, program, argv[-1] if argv[-1].startswith("-") else argv[1])
    assert "required" not in err


def test_a_classic_link_reports_an_unexpected_flag_before_missing_arguments(hocker_link, run):
    rc, _, err = run([hocker_link("hocker-image"), "--bogus"])
    assert rc == 2
    assert_one_error_line(err, "hocker-image", "unexpected argument --bogus")


def test_a_missing_reference_is_named(hocker, run):
    rc, _, err = run([hocker, "image"])
    assert rc == 2
    assert_one_error_line(err, "hocker-image", "IMAGE is required")


def test_through_a_classic_link_two_arguments_are_always_name_and_tag(hocker, hocker_link, run,
                                                                    plain_registry, tmp_path):
    out = tmp_path / "image.tar"
    rc, stdout, err = run([hocker_link("hocker-image"), "-q", "--registry", plain_registry.url,
                           "--out", str(out), "team/multilayer", "v1"])
    assert rc == 0, err
    assert stdout == (str(out) + "\n").encode()
    out.unlink()
    # Two full references: a second image for `hocker image`, a bad IMAGE-NAME for the link.
    refs = [plain_registry.host + "/" + FIXTURE_REFS[key] for key in ("hello", "multilayer")]
    rc, stdout, err = run([hocker_link("hocker-image"), "-q", "--plain-http", "--out", str(out)] +
                          refs)
    assert rc == 2, err
    assert_one_error_line(err, "hocker-image", refs[0])
    assert stdout == b"" and list(tmp_path.iterdir()) == []
    rc, _, err = run([hocker, "image", "-q", "--plain-http", "--out", str(out)] + refs)
    assert rc == 0, err
