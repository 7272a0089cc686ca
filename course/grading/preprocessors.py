"""nbgrader preprocessors, one transformation each, named in nbgrader_config.py.

Autograde:  SnapshotRecordedAnswers (before Execute) reads the submitted answers file
            before any student code runs; ScoreRecordedAnswers (after Execute) replaces
            the output of each keyed test cell with the grader's score and feedback.
Generate:   RefuseAnswerFiles stops a release that would ship an answers file;
            StripRuntimeMetadata removes widget state and execution traces.
"""
from __future__ import annotations

import os
from pathlib import Path

from nbformat.v4 import new_output
from traitlets import Unicode

from ..items.answer_check import checked_value
from ..recording import ANSWERS_SUFFIX, AnswersFileError, answers_path, read_answers_file
from .base import CoursePreprocessor
from .feedback.grading_file import write_grading_file
from .feedback.render import describe_answer, render_item_html, render_item_text
from .intake.submission import read_intake_problems
from .intake.trusted import read_definitions, read_keys
from .score.grader_scoring import keys_folder, scenarios_folder
from .score.item import GRADER_ERRORS, ItemResult, score_item

SNAPSHOT = "course_recorded_answers"


def _notebook_folder(resources) -> Path:
    return Path(resources.get("metadata", {}).get("path") or ".")


def _notebook_id(resources) -> str:
    return resources.get("unique_key") or resources.get("metadata", {}).get("name", "")


class SnapshotRecordedAnswers(CoursePreprocessor):
    """Read the answers file before the student's notebook runs, so code in it cannot change what is scored.

    On a course with a recorder (`recorder_db_url`), graded answers come from the recorder's
    store instead: the file the student owns is only compared with it."""

    recorder_db_url = Unicode("", help="The course recorder's store (sqlite:///PATH or postgresql://...): "
                                       "graded answers are taken from it, not from the student's answers file "
                                       "(course/recorder/). Empty: grade the answers file.").tag(config=True)

    def preprocess(self, nb, resources):
        path = answers_path(_notebook_folder(resources), _notebook_id(resources))
        snapshot = {"path": str(path), "answers": {}, "problems": read_intake_problems(_notebook_folder(resources))}
        try:
            parsed = read_answers_file(path)
            snapshot["answers"] = parsed.answers
            snapshot["problems"] += parsed.problems
            if not path.exists():
                snapshot["problems"].append(f"{path.name}: no answers file in the submission (nothing was saved)")
        except AnswersFileError as exc:
            snapshot["problems"].append(f"{exc}; every item graded as unanswered")
        if self.recorder_db_url:
            self._take_graded_answers_from_recorder(snapshot, resources)
        for problem in snapshot["problems"]:
            self.log.warning("%s", problem)
        resources[SNAPSHOT] = snapshot
        return nb, resources

    def _take_graded_answers_from_recorder(self, snapshot: dict, resources) -> None:
        from ..recorder.replay import first_attempt, graded_answers
        from ..recorder.store import reader

        student = resources.get("nbgrader", {}).get("student")
        try:
            records = reader(self.recorder_db_url).records(student, _notebook_id(resources))
        except Exception as exc:  # noqa: BLE001 - no record must never mean "grade the student's file"
            raise RuntimeError(f"the course recorder's store {self.recorder_db_url.split('@')[-1]} cannot be read "
                               f"({exc}); {student} was not graded") from None
        replayed = graded_answers(records)
        in_file = snapshot["answers"]
        for item, record in in_file.items():
            if record.get("mode") == "practice" or item in replayed.answers:
                continue
            snapshot["problems"].append(f"{item}: your answers file has a graded answer the course server never "
                                        f"recorded; it was not graded")
        for item, record in replayed.answers.items():
            mine = in_file.get(item, {}).get("value")
            if record["kind"] == "scenario":  # the graded attempt is attempt 1: compare that
                mine_first = first_attempt(mine)
                if mine_first is not None and mine_first.get("choices") != first_attempt(record["value"])["choices"]:
                    snapshot["problems"].append(f"{item}: attempt 1 in your answers file is not the attempt the "
                                                f"course server recorded first; the recorded attempt was graded")
            elif mine is not None and mine != record["value"]:
                snapshot["problems"].append(f"{item}: your answers file differs from what the course server "
                                            f"recorded; the record was graded")
        snapshot["answers"] = {**{i: r for i, r in in_file.items() if r.get("mode") == "practice"},
                               **replayed.answers}
        snapshot["problems"] += replayed.notes


class ScoreRecordedAnswers(CoursePreprocessor):
    """Score keyed test cells from the snapshot; nbgrader reads the number we leave as the partial grade."""


    def preprocess(self, nb, resources):
        snapshot = resources.get(SNAPSHOT)
        if snapshot is None:
            raise RuntimeError("ScoreRecordedAnswers needs SnapshotRecordedAnswers earlier in the autograde preprocessors")
        assignment = resources.get("nbgrader", {}).get("assignment") or _notebook_id(resources)
        # A missing or broken key stops grading: scoring nothing would let the kernel's output stand.
        keys = read_keys(keys_folder(self), assignment, scenarios_folder(self))
        definitions = read_definitions(self.config, assignment, _notebook_id(resources))
        results: list[dict] = []
        seen = set()
        for cell in nb.cells:
            meta = cell.metadata.get("nbgrader", {})
            item_id = meta.get("grade_id")
            if cell.cell_type != "code" or not meta.get("grade") or item_id not in keys:
                continue
            seen.add(item_id)
            record = snapshot["answers"].get(item_id)
            if isinstance(record, dict) and "value" in record:  # only what the item defines is scored or kept
                value, dropped = checked_value(keys[item_id].kind, record["value"], definitions.get(item_id),
                                               keys[item_id])
                record = {**record, "value": value}
                if dropped:
                    snapshot["problems"].append(f"item {item_id}: {dropped}")
                    self.log.warning("%s: item %s: %s", assignment, item_id, dropped)
            result = score_item(keys[item_id], record)
            result.lines[:0] = describe_answer(definitions.get(item_id), (record or {}).get("value"))
            points = float(meta.get("points", 0))
            if snapshot["problems"]:
                result.lines.append("Note from the grader: " + "; ".join(snapshot["problems"]))
            if result.grader_error:
                info = resources.get("nbgrader", {})
                self.log.error("%s/%s item %s: GRADER ERROR, marked for manual grading: %s", info.get("student"),
                               assignment, item_id, result.grader_error)
                resources.setdefault(GRADER_ERRORS, []).append(item_id)
            self._write_outputs(cell, result, points, keys[item_id].section)
            results.append({"item": item_id, "kind": keys[item_id].kind, "fraction": result.fraction,
                            "grader_error": result.grader_error,
                            "points": round(result.fraction * points, 4), "max_points": points,
                            "answered": result.answered, "section": keys[item_id].section,
                            "value": (record or {}).get("value")})
        unknown = sorted(item for item, record in snapshot["answers"].items()
                         if item not in keys and record.get("mode") != "practice")
        if unknown:  # ids the student's file holds: named, but never more than a few
            shown = ", ".join(repr(item)[:80] for item in unknown[:10])
            more = f", and {len(unknown) - 10} more" if len(unknown) > 10 else ""
            snapshot["problems"].append(f"answers for unknown items [{shown}{more}] were ignored")
        for missing in sorted(set(keys) - seen):
            self.log.warning("%s: key item %r has no graded test cell in the notebook", assignment, missing)
        self._write_report(resources, assignment, results, snapshot["problems"])
        return nb, resources

    @staticmethod
    def _write_outputs(cell, result: ItemResult, points: float, section: str) -> None:
        earned = round(result.fraction * points, 4)
        cell.outputs = [
            new_output("display_data", data={
                "text/html": render_item_html(result, earned, points, section),
                "text/plain": render_item_text(result, earned, points, section),
            }),
            # nbgrader's partial credit: the last expression's value, a number of points.
            new_output("execute_result", data={"text/plain": repr(earned)}, execution_count=None),
        ]

    @staticmethod
    def _write_report(resources, assignment, results, problems) -> None:
        write_grading_file(_notebook_folder(resources), _notebook_id(resources), assignment=assignment,
                           student=resources.get("nbgrader", {}).get("student"), items=results, problems=problems)


class RefuseAnswerFiles(CoursePreprocessor):
    """generate_assignment copies every file of source/<a>/ into release/: an answers file left
    there by running a lesson in place would ship one person's answers to every student."""

    def preprocess(self, nb, resources):
        folder = _notebook_folder(resources)
        found = sorted(p.name for p in folder.glob(f"*{ANSWERS_SUFFIX}*"))
        if found:
            raise RuntimeError(
                f"{folder}: contains recorded answers {found}. They were written by running the lesson in "
                f"the source folder and would be released to every student. Delete them, then generate again.")
        return nb, resources


class StripRuntimeMetadata(CoursePreprocessor):
    """Remove what executing a notebook adds: widget state (it holds selected options),
    execution timestamps, and kernel language details, so release/ is the same run to run."""

    notebook_keys = ("widgets", "language_info")
    cell_keys = ("execution", "collapsed", "scrolled", "ExecuteTime")

    def preprocess(self, nb, resources):
        for key in self.notebook_keys:
            nb.metadata.pop(key, None)
        for cell in nb.cells:
            for key in self.cell_keys:
                cell.metadata.pop(key, None)
        return nb, resources


def assignment_answer_files(source_dir: str | os.PathLike) -> dict[str, list[str]]:
    """For Autograde.exclude_overwriting: the answers-file name of every source notebook,
    so a stray answers file in source/ never overwrites a student's."""
    excluded = {}
    source = Path(source_dir)
    if source.is_dir():
        for folder in sorted(p for p in source.iterdir() if p.is_dir()):
            excluded[folder.name] = [f"{nb.stem}{ANSWERS_SUFFIX}" for nb in sorted(folder.glob("*.ipynb"))]
    return excluded


class ConfirmWrittenSuggestions(CoursePreprocessor):
    """A written reply's score is the recogniser's suggestion (course/grading/score/written.py):
    after nbgrader saves it, mark the item as needing manual grading, so formgrader lists it for
    an instructor to confirm or change (the suggestion stays as the auto score)."""

    def preprocess(self, nb, resources):
        from nbgrader.api import Gradebook

        info = resources.get("nbgrader", {})
        keys = read_keys(keys_folder(self), info.get("assignment"), scenarios_folder(self))
        answered = (resources.get(SNAPSHOT) or {}).get("answers", {})
        # An unanswered reply scores 0 for certain; only a written answer needs a reader.
        written = {item for item, key in keys.items() if key.kind == "written" and answered.get(item)}
        graded = {c.metadata["nbgrader"]["grade_id"] for c in nb.cells
                  if c.metadata.get("nbgrader", {}).get("grade") and c.metadata["nbgrader"].get("grade_id") in written}
        if not graded:
            return nb, resources
        with Gradebook(info["db_url"]) as gb:
            submitted = gb.find_submission_notebook(info["notebook"], info["assignment"], info["student"])
            for grade in submitted.grades:
                if grade.name in graded and grade.manual_score is None:
                    grade.needs_manual_grade = True
            gb.db.commit()
        return nb, resources
