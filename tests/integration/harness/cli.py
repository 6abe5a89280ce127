"""Helpers for running hocker against a harness registry in both command-line forms."""
import hashlib
import os


def sha256(data):
    return "sha256:" + hashlib.sha256(data).hexdigest()


def auth_args(reg):
    """Flags that let hocker into `reg`: credentials and the CA for the TLS registry."""
    args = []
    if reg.username:
        args += ["-u", reg.username, "-p", reg.password]
    if reg.ca_file:
        args += ["--ca-file", reg.ca_file]
    return args


def classic(reg, name, tag, *extra):
    """Arguments of the classic form: --registry URI [AUTH] ... NAME TAG."""
    return ["--registry", reg.url] + auth_args(reg) + list(extra) + [name, tag]


def modern(reg, ref, *extra):
    """Arguments of the modern form: HOST:PORT/NAME:TAG [AUTH] ..."""
    return [reg.host + "/" + ref] + auth_args(reg) + list(extra)


def split_ref(ref):
    name, tag = ref.rsplit(":", 1)
    return name, tag


def assert_one_error_line(stderr, program, *fragments):
    """stderr is exactly one line '<program>: error: ...' containing every fragment."""
    lines = stderr.splitlines()
    assert len(lines) == 1, "expected one line on stderr, got: %r" % stderr
    assert lines[0].startswith(program + ": error: "), lines[0]
    for fragment in fragments:
        assert fragment in lines[0], "%r not in %r" % (fragment, lines[0])
    assert "Traceback" not in stderr and "terminate called" not in stderr


def leftovers(directory):
    """Temporary files hocker may have left in `directory`."""
    return [n for n in os.listdir(directory) if ".hocker-" in n]
