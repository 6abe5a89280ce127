"""The live progress display (docs/spec.md §3.5) as a user sees it on a terminal: run on a real
pseudo-terminal, its output replayed through a minimal terminal emulator."""
import os

from harness.fault_proxy import FaultProxy, stall_after
from harness.images import FIXTURE_REFS
from harness.terminal import Screen, run_on_terminal


def test_screen_emulator_replays_redraws_in_place():
    screen = Screen().feed("log\r\nblock 1\x1b[K\r\ntotal\x1b[K\r\n\x1b[J"
                           "\x1b[2A\rdone 1\x1b[K\r\ntotal 2\x1b[K\r\n\x1b[J")
    assert screen.text_lines() == ["log", "done 1", "total 2"]
    screen.feed("\x1b[1A\r\x1b[Jsummary\r\n")
    assert screen.text_lines() == ["log", "done 1", "summary"]


def test_live_display_redraws_in_place_and_leaves_a_clean_log(hocker, plain_registry, images,
                                                               tmp_path):
    multilayer = images["multilayer"]
    big = max(multilayer.layers, key=lambda layer: layer.size)
    out = tmp_path / "image.tar"
    with FaultProxy(plain_registry.url, timeout=10) as proxy:
        # Half the big layer, a one-second silence, then a resumed request: long enough for
        # the display to measure a rate, and a retry notice to print while it is on screen.
        proxy.add_rule(big.digest, stall_after(big.size // 2, 1.0), method="GET")
        rc, output = run_on_terminal([hocker, "image", "--plain-http", "--timeout", "5", "-o",
                                      str(out), proxy.host + "/" + FIXTURE_REFS["multilayer"]])
    assert rc == 0, output
    assert "\x1b[" in output  # redrawn in place, not printed line after line
    assert "ETA " in output and "B/s, ETA" in output, output
    lines = Screen().feed(output).text_lines()
    distinct = sorted({layer.digest[7:14] for layer in multilayer.layers})
    done = [line for line in lines if line.endswith(" done") or "  done  " in line]
    assert sorted(line.split()[0] for line in done) == distinct, lines
    warnings = [line for line in lines if line.startswith("hocker-image: warning: ")]
    assert len(warnings) == 1 and big.digest in warnings[0], lines
    assert "resuming at byte %d" % (big.size // 2) in warnings[0]
    # What stays: the log lines, the summary, the path; the live block is gone.
    assert lines[-2].startswith("Fetched %d layers, " % len(distinct)), lines
    assert lines[-1] == str(out), lines
    assert not [line for line in lines if line.startswith("total ") or "[==" in line], lines
    assert len(lines) == len(done) + len(warnings) + 2, lines
    assert os.path.getsize(out) > 0
