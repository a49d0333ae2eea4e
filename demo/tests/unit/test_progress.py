"""The progress bar: redrawn in place on a terminal; into a log, a line every so often and one at the end."""

from __future__ import annotations

import io

import pytest

from kinerja_demo.progress import Progress


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_into_a_log_a_line_is_written_every_interval_and_at_the_end(monkeypatch: pytest.MonkeyPatch) -> None:
    out = io.StringIO()
    progress = Progress("history", 3, stream=out)
    progress.advance()
    assert out.getvalue() == ""  # the interval has not passed
    monkeypatch.setattr(Progress, "LOG_EVERY_S", 0.0)
    progress.advance()
    lines = out.getvalue().splitlines()
    assert len(lines) == 1
    assert lines[0].startswith("history")
    assert "2/3" in lines[0]
    progress.advance()
    progress.close()
    lines = out.getvalue().splitlines()
    assert "3/3" in lines[-1]
    assert "100%" in lines[-1]
    assert "\r" not in out.getvalue()


def test_on_a_terminal_the_line_is_redrawn_in_place() -> None:
    out = Terminal()
    progress = Progress("skp", 2, stream=out)
    progress.advance()
    progress.advance()  # within 0.2 s of the first: not drawn again
    progress.close()
    assert out.getvalue().count("\r") == 2
    assert out.getvalue().endswith("\n")
    assert "2/2" in out.getvalue()


def test_quiet_writes_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(Progress, "LOG_EVERY_S", 0.0)
    out = io.StringIO()
    progress = Progress("x", 2, stream=out, quiet=True)
    progress.advance()
    progress.close()
    assert out.getvalue() == ""
