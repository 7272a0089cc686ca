"""How the verbs talk to the instructor: messages go through `logging` (the level comes from
`course -q` / `course -v`), progress lines are drawn only when that level shows information.

A verb logs with `log = logging.getLogger(__name__)`: `log.info` for what it did, `log.warning`
for what the instructor must look at, `log.debug` for each step. What the command is for (a
table, a file name, the demo's summary) is printed to stdout. Called from Python without
`configure_logging`, the verbs say only warnings, as Python's logging does by default.
"""
from __future__ import annotations

import contextlib
import io
import logging
import sys
from typing import Iterator

from .progress import Progress

# Loggers of the libraries the verbs drive: quiet unless -v.
LIBRARY_LOGGERS = ["traitlets", "nbgrader", "NbGraderAPI", "nbclient", "jupyter_client", "tornado", "asyncio"]


def configure_logging(verbosity: int = 0) -> None:
    """Messages of the course's loggers on stderr: warnings with -q, information by default,
    everything with -v; the libraries' loggers show only warnings unless -v."""
    level = {-1: logging.WARNING, 0: logging.INFO}.get(verbosity, logging.DEBUG)
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(message)s" if verbosity < 1 else "%(levelname)s %(name)s: %(message)s"))
    course_log = logging.getLogger("course")
    course_log.handlers[:] = [handler]
    course_log.setLevel(level)
    course_log.propagate = False
    for name in LIBRARY_LOGGERS:
        logging.getLogger(name).setLevel(logging.DEBUG if verbosity > 0 else logging.WARNING)


def progress(log: logging.Logger, total: int, label: str) -> Progress:
    """A progress line on the terminal when `log` shows information; else one drawn nowhere."""
    if log.isEnabledFor(logging.INFO):
        return Progress(total, label=label)
    return Progress(total, label=label, stream=io.StringIO(), tty=False)


@contextlib.contextmanager
def hushed(*names: str) -> Iterator[None]:
    """Only warnings from the loggers `names` for a while (a verb run as one step of another,
    as the demo runs release and collect), unless the instructor asked for everything (-v)."""
    loggers = [logging.getLogger(name) for name in names]
    if any(lg.isEnabledFor(logging.DEBUG) for lg in loggers):
        yield
        return
    levels = [lg.level for lg in loggers]
    for lg in loggers:
        lg.setLevel(logging.WARNING)
    try:
        yield
    finally:
        for lg, level in zip(loggers, levels):
            lg.setLevel(level)
