"""A one-line progress bar on stderr, per phase (the reporting replay's bar lives in that service, so the
demo has its own): the bar, the share, the counts, the rate and what is left."""

from __future__ import annotations

import sys
import time
from typing import TextIO


class Progress:
    """On a terminal the line is redrawn in place (every 0.2 s at most); into a file or a pipe (a log, CI) a
    new line is written every ``LOG_EVERY_S``, so a long phase shows it is alive, then one at the end."""

    LOG_EVERY_S = 10.0

    def __init__(self, label: str, total: int, *, stream: TextIO | None = None, quiet: bool = False) -> None:
        self.label, self.total, self.done = label, max(total, 0), 0
        self.stream = stream or sys.stderr
        self.quiet = quiet
        self.started = time.monotonic()
        self._shown = 0.0
        self._tty = self.stream.isatty()

    def advance(self, n: int = 1) -> None:
        self.done += n
        now = time.monotonic()
        if self._tty and now - self._shown >= 0.2:
            self._shown = now
            self._show("\r")
        elif not self._tty and now - max(self._shown, self.started) >= self.LOG_EVERY_S:
            self._shown = now
            self._show("")
            if not self.quiet:
                self.stream.write("\n")

    def close(self) -> None:
        self._show("\r" if self._tty else "")
        if not self.quiet:
            self.stream.write("\n")
            self.stream.flush()

    def line(self, width: int = 30) -> str:
        share = self.done / self.total if self.total else 1.0
        filled = min(width, int(share * width))
        elapsed = max(time.monotonic() - self.started, 1e-6)
        rate = self.done / elapsed
        left = (self.total - self.done) / rate if rate > 0 and self.total > self.done else 0.0
        return (
            f"{self.label:<12} [{'#' * filled}{'.' * (width - filled)}] {share:4.0%} "
            f"{self.done}/{self.total}  {rate:7.1f}/s  {elapsed:6.1f} s  ~{left:5.0f} s left"
        )

    def _show(self, prefix: str) -> None:
        if self.quiet:
            return
        self.stream.write(prefix + self.line())
        self.stream.flush()
