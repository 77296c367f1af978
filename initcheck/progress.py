"""A progress line on stderr for long work, shown only on a terminal."""

from __future__ import annotations

import sys
import time
from typing import TextIO

__all__ = ["Progress"]


class Progress:
    """``with Progress(total, "verify") as p: ... p.step("claim id")``.

    Draws ``label [#####.....] 5/10 claim id (3.2 s)`` on one line of ``stream``
    when it is a terminal (or when ``force``); otherwise prints nothing, so piped
    and JSON output stay clean.
    """

    def __init__(self, total: int, label: str, *, stream: TextIO | None = None, force: bool = False) -> None:
        self.total = max(total, 1)
        self.label = label
        self.stream = stream if stream is not None else sys.stderr
        self.enabled = force or bool(getattr(self.stream, "isatty", lambda: False)())
        self.done = 0
        self.start = time.monotonic()

    def step(self, what: str) -> None:
        """Say that ``what`` is starting (the bar counts what has finished)."""
        if not self.enabled:
            return
        width = 24
        filled = width * self.done // self.total
        bar = "#" * filled + "." * (width - filled)
        elapsed = time.monotonic() - self.start
        self.stream.write(f"\r\x1b[2K{self.label} [{bar}] {self.done}/{self.total} {what} ({elapsed:.1f} s)")
        self.stream.flush()

    def advance(self) -> None:
        """Count one item as finished."""
        self.done += 1

    def __enter__(self) -> Progress:
        return self

    def __exit__(self, *exc: object) -> None:
        if self.enabled:
            self.stream.write("\r\x1b[2K")
            self.stream.flush()
