"""Read an instructor's file once per version of it.

A grading worker reads the same key, source notebook and item definitions for every
submission of a lesson; each is parsed again only when the file changes (its modification
time or size). The parsed value is shared: callers must not change it (copy it if they do).
"""
from __future__ import annotations

import functools
import os
from typing import Callable, TypeVar

T = TypeVar("T")


def version(path) -> tuple[str, int | None, int | None]:
    """(path, mtime in ns, size): what tells one version of a file from the next; a missing
    file is a version too (None, None), so a cache keyed on it never hides a file that appears."""
    try:
        stat = os.stat(path)
    except OSError:
        return (str(path), None, None)
    return (str(path), stat.st_mtime_ns, stat.st_size)


def per_file_version(maxsize: int = 16) -> Callable[[Callable[[str], T]], Callable[[str], T]]:
    """Decorate `parse(path)` so it runs once per version of the file at `path`. A missing
    file raises FileNotFoundError as `os.stat` does; a parse error is not cached."""
    def wrap(parse: Callable[[str], T]) -> Callable[[str], T]:
        @functools.lru_cache(maxsize=maxsize)
        def cached(name: str, mtime_ns: int, size: int) -> T:
            return parse(name)

        @functools.wraps(parse)
        def read(path) -> T:
            stat = os.stat(path)
            return cached(str(path), stat.st_mtime_ns, stat.st_size)

        read.cache_clear = cached.cache_clear  # type: ignore[attr-defined]
        return read
    return wrap
