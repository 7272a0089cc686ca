"""The answers file: one JSON file per notebook, next to the notebook.

A student's widget choices must outlive the kernel: nbgrader re-executes the
notebook in a fresh kernel, where every widget starts at its initial value.
So each choice is written here, kernel-side, the moment it is made, and the
grader reads this file instead of the widgets.

Rules this module keeps:
- written only on a real choice (never when a widget is created or re-run);
- written atomically (temp file, fsync, rename), so a crash or a killed kernel
  leaves the previous valid file;
- a corrupt file is never overwritten: it is moved aside and named in the
  message, so nothing the student recorded is lost.
"""
from __future__ import annotations

import json
import os
import tempfile
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

ANSWERS_SUFFIX = ".answers.json"
FORMAT_VERSION = 1
# A real answers file is a few kilobytes; anything far larger is not one.
MAX_ANSWERS_BYTES = 2_000_000


class AnswersFileError(Exception):
    """The answers file cannot be read; the message names the file and the fault."""


def answers_path(folder: str | os.PathLike, notebook_id: str) -> Path:
    """Where the answers of notebook `notebook_id` live inside `folder`."""
    return Path(folder) / f"{notebook_id}{ANSWERS_SUFFIX}"


@dataclass
class ParsedAnswers:
    """What could be read from an answers file, and what could not."""

    answers: dict[str, dict[str, Any]] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)


def parse_answers(text: str, source: str) -> ParsedAnswers:
    """Parse answers-file text, keeping every well-formed record.

    Raises AnswersFileError when nothing can be read (not JSON, not an object);
    a single malformed record is skipped and named in `problems`.
    """
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise AnswersFileError(
            f"{source}: not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})"
        ) from None
    except RecursionError:  # Python's parser gives up on very deep nesting; the rest is still graded
        raise AnswersFileError(f"{source}: nested too deeply to be read (not an answers file)") from None
    if not isinstance(data, dict) or not isinstance(data.get("answers"), dict):
        raise AnswersFileError(f"{source}: expected an object with an 'answers' mapping")
    if data.get("format") != FORMAT_VERSION:
        raise AnswersFileError(
            f"{source}: unknown format {data.get('format')!r} (this course writes format {FORMAT_VERSION})"
        )
    parsed = ParsedAnswers()
    for item_id, record in data["answers"].items():
        if not isinstance(record, dict) or "value" not in record or not isinstance(record.get("kind"), str):
            parsed.problems.append(
                f"{source}: item {item_id!r}: record must be an object with 'kind' and 'value'; skipped"
            )
            continue
        parsed.answers[str(item_id)] = record
    return parsed


def read_answers_file(path: str | os.PathLike) -> ParsedAnswers:
    """Read an answers file; a missing file means no answers yet."""
    path = Path(path)
    if not path.exists():
        return ParsedAnswers()
    size = path.stat().st_size
    if size > MAX_ANSWERS_BYTES:
        raise AnswersFileError(
            f"{path}: {size} bytes is far larger than an answers file can be "
            f"(limit {MAX_ANSWERS_BYTES}); not read"
        )
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise AnswersFileError(f"{path}: not UTF-8 text ({exc.reason} at byte {exc.start})") from None
    return parse_answers(text, str(path))


def write_atomically(path: Path, text: str, mode: int | None = None) -> None:
    """Replace `path` with `text` so that readers see the old or the new file, never half
    (`mode`: the new file's permissions; default the temporary file's, 600)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        if mode is not None:
            os.fchmod(fd, mode)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp_name, path)
    except BaseException:
        try:
            os.unlink(tmp_name)
        except FileNotFoundError:
            pass
        raise
    try:  # make the rename itself durable
        dir_fd = os.open(path.parent, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)
    except OSError:
        pass


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def local_time(saved_at: str) -> str:
    """A saved time (UTC, ISO) as the student's local time, e.g. '14:05 CET'."""
    try:
        when = datetime.fromisoformat(str(saved_at).replace("Z", "+00:00"))
    except ValueError:
        return str(saved_at)
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    return when.astimezone().strftime("%H:%M %Z").strip()


class AnswerStore:
    """Reads and records one notebook's answers file."""

    def __init__(self, path: str | os.PathLike, notebook_id: str):
        self.path = Path(path)
        self.notebook_id = notebook_id
        # Set when the file on disk could not be read; shown to the student.
        self.warning: str | None = None
        # Called with (item_id, record) after each save: a check cell shown earlier updates itself.
        self.listeners: list = []
        # On a class hub, graded saves also go to the course recorder (course/recorder/).
        from .recorder.client import RecorderClient

        self.recorder = RecorderClient.from_environment()

    @classmethod
    def for_notebook(cls, notebook_id: str, folder: str | os.PathLike = ".") -> "AnswerStore":
        return cls(answers_path(folder, notebook_id), notebook_id)

    def load(self) -> dict[str, dict[str, Any]]:
        """All readable records. A corrupt file gives {} and sets `warning`."""
        try:
            parsed = read_answers_file(self.path)
        except AnswersFileError as exc:
            self.warning = (
                f"Your saved answers could not be read ({exc}). They are kept: the file will be "
                f"moved aside to a '.corrupt-' copy the next time you save. Ask your instructor."
            )
            return {}
        self.warning = "; ".join(parsed.problems) or None
        return parsed.answers

    def get(self, item_id: str) -> dict[str, Any] | None:
        return self.load().get(item_id)

    def record(self, item_id: str, kind: str, value: Any, **details: Any) -> dict[str, Any]:
        """Save one item's answer (read, modify, write atomically) and return its record."""
        try:
            answers = read_answers_file(self.path).answers
        except AnswersFileError:
            self._move_corrupt_aside()
            answers = {}
        previous = answers.get(item_id, {})
        record = {
            "kind": kind,
            "value": value,
            "saved_at": _now(),
            "saves": int(previous.get("saves", 0)) + 1 if isinstance(previous.get("saves", 0), int) else 1,
            **details,
        }
        # (a scenario played on the course recorder arrives with details["server"] set: recorded there)
        if self.recorder is not None and details.get("mode") == "graded" and "server" not in details:
            record["server"] = self._send_to_recorder(item_id, kind, value)
        answers[item_id] = record
        self._remove_stale_temp_files()
        document = {"format": FORMAT_VERSION, "notebook": self.notebook_id, "answers": answers}
        write_atomically(self.path, json.dumps(document, indent=1, sort_keys=True, ensure_ascii=False) + "\n")
        for listener in list(self.listeners):
            listener(item_id, record)
        return record

    def _send_to_recorder(self, item_id: str, kind: str, value: Any) -> str:
        """'recorded', or why not: the file is written either way, and the student is told."""
        from .recorder.client import RecorderError

        try:
            self.recorder.send(self.notebook_id, item_id, kind, "graded", value)
            return "recorded"
        except RecorderError as exc:
            return f"not recorded: {exc}"

    def _remove_stale_temp_files(self) -> None:
        # A kernel killed mid-write leaves its temp file; the answers file itself is intact.
        for stale in self.path.parent.glob(f".{self.path.name}.*.tmp"):
            try:
                stale.unlink()
            except OSError:
                pass

    def _move_corrupt_aside(self) -> Path:
        stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%S")
        backup = self.path.with_name(f"{self.path.name}.corrupt-{stamp}")
        os.replace(self.path, backup)
        self.warning = f"Your earlier answers file could not be read and was kept as {backup.name}."
        return backup
