"""Check and mend a submission before nbgrader grades it (Autograde.pre_convert_hook).

A submission is graded as far as it can be, never dropped:
- a notebook that is not valid JSON is kept as `<name>.ipynb.unreadable` and replaced by
  the released lesson, so the recorded answers (in the answers file) are still graded;
- a renamed notebook ("Copy of ...", "... (1)") is renamed back when it is the only one;
- a missing notebook is replaced by the released lesson when an answers file exists;
- unexpected extra files are reported;
- links, and anything else that is not a plain file or folder, are removed unread: the
  grader copies and opens files by path, and a link would take it to another file
  (an answer key, another student's work);
- files only the grader writes (`*.grading.json`, `course-intake.json`) are removed, so
  a submission cannot bring its own grading report.
Every finding is written to `course-intake.json` in the submission folder; nbgrader copies
it into autograded/, and the grader adds its lines to the feedback and the grading report.
"""
from __future__ import annotations

import json
import os
import shutil
import stat
from pathlib import Path

from ...recording import ANSWERS_SUFFIX, write_atomically
from ..feedback.grading_file import GRADING_SUFFIX

INTAKE_FILE = "course-intake.json"
NBGRADER_FILES = {"timestamp.txt", "submission_secret.txt", INTAKE_FILE}


def remove_unsafe_entries(folder: Path, who: str) -> list[str]:
    """Remove links, special files and grader-owned files from `folder`; say what went, naming `who`."""
    problems = []
    for dirpath, dirnames, filenames in os.walk(folder, followlinks=False):
        for name in sorted(dirnames + filenames):
            path = Path(dirpath) / name
            relative = path.relative_to(folder)
            mode = os.lstat(path).st_mode
            if stat.S_ISLNK(mode):
                path.unlink()
                problems.append(f"{who}: {relative} is a link; removed without reading it (submit plain files)")
            elif not (stat.S_ISREG(mode) or stat.S_ISDIR(mode)):
                path.unlink()
                problems.append(f"{who}: {relative} is not a plain file; removed")
            elif stat.S_ISREG(mode) and (name.endswith(GRADING_SUFFIX) or name == INTAKE_FILE):
                path.unlink()
                problems.append(f"{who}: {relative} is a file only the grader writes; removed")
        dirnames[:] = [d for d in dirnames if (Path(dirpath) / d).is_dir() and not (Path(dirpath) / d).is_symlink()]
    return problems


def notebook_is_readable(path: Path) -> str | None:
    """None if `path` is a notebook nbgrader can read, else what is wrong with it."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        return f"not valid JSON ({exc})"
    except RecursionError:  # valid JSON perhaps, but too deep for any reader of notebooks
        return "nested too deeply to be read as a notebook"
    if not isinstance(data, dict) or not isinstance(data.get("cells"), list):
        return "not a notebook (no list of cells)"
    return None


class SubmissionIntake:
    """Callable as nbgrader's pre_convert_hook(assignment=..., student=..., notebooks=[...])."""

    def __init__(self, release_root: str | Path, submitted_root: str | Path | None = None):
        self.release_root = Path(release_root)
        self.submitted_root = Path(submitted_root) if submitted_root else None

    def __call__(self, assignment: str, student: str, notebooks: list[str]) -> list[str]:
        # nbgrader logs a failing hook at INFO level and goes on: say it as an error, then re-raise.
        try:
            return self._check(assignment, student, notebooks)
        except Exception:
            import logging

            logging.getLogger("course.grading.intake.submission").exception(
                "%s/%s: the submission check failed; the submission is graded as it is", student, assignment)
            raise

    def _check(self, assignment: str, student: str, notebooks: list[str]) -> list[str]:
        if notebooks:
            folder = Path(notebooks[0]).parent
        elif self.submitted_root is not None and (self.submitted_root / student / assignment).is_dir():
            folder = self.submitted_root / student / assignment  # no notebook: still clean it before nbgrader copies it
            return remove_unsafe_entries(folder, f"{student}/{assignment}")
        else:
            return []
        problems = remove_unsafe_entries(folder, f"{student}/{assignment}")
        problems += self.mend(folder, folder.name, notebooks)
        if problems:
            write_atomically(folder / INTAKE_FILE, json.dumps({"problems": problems}, indent=1) + "\n")
        return problems

    def expected_notebooks(self, assignment: str) -> list[str]:
        # Only release/ is trusted for replacements: source/ notebooks hold solutions.
        return sorted(p.name for p in (self.release_root / assignment).glob("*.ipynb"))

    def mend(self, folder: Path, assignment: str, notebooks: list[str]) -> list[str]:
        problems: list[str] = []
        expected = self.expected_notebooks(assignment)
        if not expected:
            return [f"{folder.name}: no released version of {assignment} at {self.release_root}; "
                    f"submission not checked"]
        present = sorted(p.name for p in folder.glob("*.ipynb"))
        strangers = [name for name in present if name not in expected]
        for name in expected:
            target = folder / name
            if not target.exists() and len(strangers) == 1 and len(expected) == 1:
                stranger = strangers.pop()
                (folder / stranger).rename(target)
                self._replace_in_list(notebooks, folder / stranger, target)
                problems.append(f"{folder.name}/{stranger}: notebook was renamed; graded as {name}")
            if not target.exists():
                answers = folder / (target.stem + ANSWERS_SUFFIX)
                if answers.exists():
                    self._use_release_copy(assignment, name, target, notebooks)
                    problems.append(f"{folder.name}/{name}: notebook missing from the submission; graded the "
                                    f"saved answers with a fresh copy of the lesson (written answers were lost)")
                else:
                    problems.append(f"{folder.name}/{name}: notebook missing from the submission; scored 0")
                continue
            fault = notebook_is_readable(target)
            if fault:
                keep = target.with_name(target.name + ".unreadable")
                target.rename(keep)
                self._use_release_copy(assignment, name, target, notebooks)
                problems.append(f"{folder.name}/{name}: {fault}; kept as {keep.name} and graded the saved answers "
                                f"with a fresh copy of the lesson (written answers could not be recovered)")
        for name in strangers:
            problems.append(f"{folder.name}/{name}: extra notebook, not part of the assignment; not graded")
        released = self.release_root / assignment  # every file released with the lesson (its item definitions...)
        known = (set(expected) | {Path(n).stem + ANSWERS_SUFFIX for n in expected} | NBGRADER_FILES
                 | {str(p.relative_to(released)) for p in released.rglob("*") if p.is_file()})
        for extra in sorted(p for p in folder.rglob("*") if p.is_file()):
            relative = str(extra.relative_to(folder))
            if relative not in known and not relative.endswith((".ipynb", ".unreadable")) and ".corrupt-" not in relative:
                problems.append(f"{folder.name}/{relative}: unexpected file in the submission; ignored")
        return problems

    def _use_release_copy(self, assignment: str, name: str, target: Path, notebooks: list[str]) -> None:
        shutil.copy(self.release_root / assignment / name, target)
        if str(target) not in notebooks:
            notebooks.append(str(target))
            notebooks.sort()

    @staticmethod
    def _replace_in_list(notebooks: list[str], old: Path, new: Path) -> None:
        for index, path in enumerate(notebooks):
            if Path(path) == old:
                notebooks[index] = str(new)


def read_intake_problems(folder: Path) -> list[str]:
    path = Path(folder) / INTAKE_FILE
    if not path.exists():
        return []
    try:
        problems = json.loads(path.read_text(encoding="utf-8")).get("problems", [])
        return [str(p) for p in problems]
    except (json.JSONDecodeError, AttributeError, UnicodeDecodeError):
        return [f"{path.name}: could not be read"]
