"""The course's nbgrader steps, in the order nbgrader runs them: what nbgrader_config.py names.

Each step the course adds is a thin adapter over its phase (intake/, run/, score/, feedback/).
What a step hands on to a later step travels in `state.GradingState`; each step says which of
its entries it `reads` and `gives` and which nbgrader steps it must come `after` (or `before`),
and tests/test_pipeline_contract.py checks nbgrader_config.py's lists against that and against
the order at the end of this file (GENERATE, SANITIZE, AUTOGRADE, GENERATE_FEEDBACK), so a step
moved out of order fails a test rather than a class's grading.

The run of `nbgrader autograde` (and `course autograde`, which runs the same steps per student):
collect (LinkRefusingCollect) -> SubmissionIntake (pre_convert_hook) -> SANITIZE -> AUTOGRADE;
then GENERATE_FEEDBACK's steps and CleanFeedbackPages (post_convert_hook).
"""
from __future__ import annotations

import os
from pathlib import Path

from traitlets import Unicode

from ..recording import ANSWERS_SUFFIX
from .base import CoursePreprocessor
from .feedback.grading_file import write_grading_file
from .feedback.notes import add_grader_notes
from .feedback.pages import CleanFeedbackPages, DropWidgetOutputs, HideHiddenTests  # noqa: F401 - config names it
from .feedback.render import describe_answer, item_outputs
from .feedback.student_html import NeutraliseStudentHtml
from .intake.dedupe import DeduplicateGradedCells
from .intake.from_answers_file import read_answers_snapshot
from .intake.from_recorder import take_graded_answers_from_recorder
from .intake.metadata_check import CompiledCheckCellMetadata
from .intake.safe_collect import LinkRefusingCollect  # noqa: F401 - config names it
from .intake.submission import SubmissionIntake, read_intake_problems  # noqa: F401 - config names it
from .intake.trusted import read_definitions, read_keys, read_source_notebook
from .run.sandbox import SandboxedExecute
from .run.student_checks import FriendlyCodeChecks
from .score.answers import score_answers
from .score.grader_scoring import check_code_outside_kernel, plan_scoring
from .score.review import cells_to_review, flagged_code, mark_for_manual_grading, written_to_confirm
from .state import GradingState


# Generate (course generate / nbgrader generate_assignment)

class RefuseAnswerFiles(CoursePreprocessor):
    """generate_assignment copies every file of source/<a>/ into release/: an answers file left
    there by running a lesson in place would ship one person's answers to every student."""

    def preprocess(self, nb, resources):
        folder = GradingState(resources).folder
        found = sorted(p.name for p in folder.glob(f"*{ANSWERS_SUFFIX}*"))
        if found:
            raise RuntimeError(
                f"{folder}: contains recorded answers {found}. They were written by running the lesson in "
                f"the source folder and would be released to every student. Delete them, then generate again.")
        return nb, resources


# FriendlyCodeChecks runs here (run/student_checks.py), before nbgrader's ClearSolutions.


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


# Autograde: SANITIZE (DeduplicateGradedCells, CompiledCheckCellMetadata) runs first, then these.

class SnapshotRecordedAnswers(CoursePreprocessor):
    """Read the answers before the student's notebook runs, so code in it cannot change what is scored:
    from the answers file (intake/from_answers_file.py) or, on a course with a recorder
    (`recorder_db_url`), graded answers from the recorder's store (intake/from_recorder.py)."""

    recorder_db_url = Unicode("", help="The course recorder's store (sqlite:///PATH or postgresql://...): "
                                       "graded answers are taken from it, not from the student's answers file "
                                       "(course/recorder/). Empty: grade the answers file.").tag(config=True)
    gives = ("snapshot",)

    def preprocess(self, nb, resources):
        state = GradingState(resources)
        snapshot = read_answers_snapshot(state.folder, state.notebook_id, read_intake_problems(state.folder))
        if self.recorder_db_url:
            take_graded_answers_from_recorder(snapshot, self.recorder_db_url, state.nbgrader.get("student"),
                                              state.notebook_id)
        for problem in snapshot.problems:
            self.log.warning("%s", problem)
        state.snapshot = snapshot
        return nb, resources


class PlanGraderScoring(CoursePreprocessor):
    """Decide, from the instructor's side, how each graded cell is scored; keep checks out of the kernel."""

    gives = ("plan",)

    def preprocess(self, nb, resources):
        state = GradingState(resources)
        assignment = state.nbgrader.get("assignment")
        notebook = state.nbgrader.get("notebook") or resources.get("unique_key")
        source = read_source_notebook(self.config, assignment, notebook)
        state.plan = plan_scoring(nb, source, read_keys(self.keys_folder(), assignment, self.scenarios_folder()))
        return nb, resources


class FlagInterpreterTampering(CoursePreprocessor):
    """Find, in the cells the student wrote, code that touches the interpreter's machinery."""

    gives = ("review_flags",)

    def preprocess(self, nb, resources):
        state = GradingState(resources)
        info = state.nbgrader
        found = flagged_code(self.config, nb, info.get("assignment"), info.get("notebook"))
        state.review_flags = [f"{hit} (cell {cell_id})" for hit, cell_id in sorted(found.items())]
        if found:
            self.log.warning("%s/%s: flagged for review: code touches %s", info.get("student"), info.get("notebook"),
                             ", ".join(sorted(found)))
        return nb, resources


# SandboxedExecute runs here: nbgrader's Execute with the kernel in bubblewrap (run/sandbox.py).


class CheckCodeOutsideKernel(CoursePreprocessor):
    """Score each code exercise from its exported values, in a trusted process; restore the sources."""

    reads = ("plan",)

    def preprocess(self, nb, resources):
        state = GradingState(resources)
        plan = state.need("plan", self)
        check_code_outside_kernel(nb, plan, log=self.log,
                                  where=f"{state.nbgrader.get('student')}/{resources.get('unique_key')}")
        return nb, resources


class ScoreRecordedAnswers(CoursePreprocessor):
    """Score keyed test cells from the snapshot; nbgrader reads the number we leave as the partial grade."""

    reads = ("snapshot",)
    gives = ("grader_errors",)

    def preprocess(self, nb, resources):
        state = GradingState(resources)
        snapshot = state.need("snapshot", self)
        assignment = state.nbgrader.get("assignment") or state.notebook_id
        # A missing or broken key stops grading: scoring nothing would let the kernel's output stand.
        keys = read_keys(self.keys_folder(), assignment, self.scenarios_folder())
        definitions = read_definitions(self.config, assignment, state.notebook_id)
        scored = score_answers(nb, snapshot, keys, definitions, assignment=assignment,
                               student=state.nbgrader.get("student"), log=self.log)
        for item in scored:
            item.result.lines[:0] = describe_answer(definitions.get(item.key.item_id), item.value)
            item.cell.outputs = item_outputs(item.result, item.earned, item.points, item.key.section)
            if item.result.grader_error:
                state.add_grader_error(item.key.item_id)
        write_grading_file(state.folder, state.notebook_id, assignment=assignment,
                           student=state.nbgrader.get("student"), items=[item.row() for item in scored],
                           problems=snapshot.problems)
        return nb, resources


class AddGraderNotes(CoursePreprocessor):
    """Put the grader's notes (flags, mended files, ignored copies) in a cell at the top."""

    reads = ("review_flags", "snapshot")

    def preprocess(self, nb, resources):
        state = GradingState(resources)
        add_grader_notes(nb, state.review_flags or [], state.snapshot.problems if state.snapshot else [])
        return nb, resources


# nbgrader's IgnorePattern, ClearMetadataPreprocessor, LimitOutput and SaveAutoGrades run here.


class ConfirmWrittenSuggestions(CoursePreprocessor):
    """A written reply's score is the recogniser's suggestion (course/grading/score/written.py):
    after nbgrader saves it, mark the item as needing manual grading, so formgrader lists it for
    an instructor to confirm or change (the suggestion stays as the auto score)."""

    reads = ("snapshot",)
    after = ("SaveAutoGrades",)

    def preprocess(self, nb, resources):
        state = GradingState(resources)
        info = state.nbgrader
        keys = read_keys(self.keys_folder(), info.get("assignment"), self.scenarios_folder())
        graded = written_to_confirm(nb, keys, state.snapshot.answers if state.snapshot else {})
        if graded:
            mark_for_manual_grading(info, graded, keep_hand_grades=True)
        return nb, resources


class RecordReviewFlag(CoursePreprocessor):
    """Mark what an instructor must look at in the gradebook: a flagged submission (the notebook
    flagged, its code tests to review) and every item the grader itself failed to score."""

    reads = ("grader_errors", "review_flags", "plan")
    after = ("SaveAutoGrades",)

    def preprocess(self, nb, resources):
        state = GradingState(resources)
        grader_errors, flags = set(state.grader_errors or []), state.review_flags or []
        if flags or grader_errors:
            mark_for_manual_grading(state.nbgrader, cells_to_review(nb, flags, grader_errors, state.plan),
                                    flag=bool(flags))
        return nb, resources


# nbgrader's AssignLatePenalties, then CompiledCheckCellMetadata again, and last NeutraliseStudentHtml.


def assignment_answer_files(source_dir: str | os.PathLike) -> dict[str, list[str]]:
    """For Autograde.exclude_overwriting: the answers-file name of every source notebook,
    so a stray answers file in source/ never overwrites a student's."""
    excluded = {}
    source = Path(source_dir)
    if source.is_dir():
        for folder in sorted(p for p in source.iterdir() if p.is_dir()):
            excluded[folder.name] = [f"{nb.stem}{ANSWERS_SUFFIX}" for nb in sorted(folder.glob("*.ipynb"))]
    return excluded


# The course's steps of each pipeline, in the order they run; nbgrader's own steps go between them
# (nbgrader_config.py has the whole lists).
GENERATE = (RefuseAnswerFiles, FriendlyCodeChecks, StripRuntimeMetadata)
SANITIZE = (DeduplicateGradedCells, CompiledCheckCellMetadata)
AUTOGRADE = (SnapshotRecordedAnswers, PlanGraderScoring, FlagInterpreterTampering, SandboxedExecute,
             CheckCodeOutsideKernel, ScoreRecordedAnswers, AddGraderNotes, ConfirmWrittenSuggestions,
             RecordReviewFlag, CompiledCheckCellMetadata, NeutraliseStudentHtml)
GENERATE_FEEDBACK = (NeutraliseStudentHtml, HideHiddenTests, DropWidgetOutputs)
