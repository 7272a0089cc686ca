"""A tiny dependency-free progress printer for long instructor steps.

    [12/40] 30% elapsed 0:45 left ~1:45  graded alice

On a terminal the line is redrawn in place with a carriage return; otherwise (logs,
CI, a pipe) each update is a plain line, so nothing is lost in a log file.
"""
from __future__ import annotations

import sys
import time
from typing import TextIO


def _clock(seconds: float) -> str:
    seconds = max(0, int(round(seconds)))
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


class Progress:
    """Counts finished units of work and prints done/total, percent, elapsed and time left."""

    def __init__(self, total: int, label: str = "", stream: TextIO | None = None, tty: bool | None = None):
        self.total = max(0, int(total))
        self.done = 0
        self.label = label
        self.stream = stream or sys.stdout
        self.tty = self.stream.isatty() if tty is None else tty
        self.start = time.monotonic()
        self._width = 0

    def line(self, note: str = "") -> str:
        elapsed = time.monotonic() - self.start
        percent = 100 * self.done // self.total if self.total else 100
        text = f"[{self.done}/{self.total}] {percent}% elapsed {_clock(elapsed)}"
        if 0 < self.done < self.total:
            text += f" left ~{_clock(elapsed / self.done * (self.total - self.done))}"
        if self.label:
            text = f"{self.label} {text}"
        return f"{text}  {note}" if note else text

    def advance(self, note: str = "", step: int = 1) -> None:
        self.done = min(self.total, self.done + step)
        self.show(note)

    def show(self, note: str = "") -> None:
        text = self.line(note)
        if self.tty:
            pad = " " * max(0, self._width - len(text))
            self.stream.write("\r" + text + pad)
            self._width = len(text)
        else:
            self.stream.write(text + "\n")
        self.stream.flush()

    def message(self, text: str) -> None:
        """Print a whole line (a warning, a failure) without breaking the progress line."""
        if self.tty and self._width:
            self.stream.write("\r" + " " * self._width + "\r")
            self._width = 0
        self.stream.write(text + "\n")
        self.stream.flush()

    def close(self) -> None:
        if self.tty and self._width:
            self.stream.write("\n")
            self.stream.flush()
            self._width = 0

    def __enter__(self) -> "Progress":
        return self

    def __exit__(self, *exc) -> None:
        self.close()
