"""nbgrader configuration: this repository is the course directory.

Override any of these for one run on the command line (e.g. `--Exchange.root=/srv/exchange`)
or with the environment variables named below.
"""
import os
import sys

c = get_config()  # noqa: F821  (provided by nbgrader when it loads this file)

ROOT = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, ROOT)  # the `course` package, even before `pip install -e .`

from course.grading.steps import CleanFeedbackPages, SubmissionIntake, assignment_answer_files  # noqa: E402

c.CourseDirectory.root = ROOT
c.CourseDirectory.course_id = os.environ.get("COURSE_ID", "police-negotiation")
# SQLite gradebook in the course folder; set COURSE_DB_URL for PostgreSQL.
c.CourseDirectory.db_url = os.environ.get("COURSE_DB_URL", "sqlite:///" + os.path.join(ROOT, "gradebook.db"))
# A local exchange folder: no root, no JupyterHub.
c.Exchange.root = os.environ.get("COURSE_EXCHANGE", os.path.join(ROOT, "exchange"))
# Loading this file creates nothing: `course release` (like nbgrader release_assignment) creates the exchange.

# Generate: refuse stray answers files, then strip execution traces from the release.
c.GenerateAssignment.preprocessors = [
    "course.grading.steps.RefuseAnswerFiles",
    "nbgrader.preprocessors.IncludeHeaderFooter",
    "nbgrader.preprocessors.InstantiateTests",
    "nbgrader.preprocessors.LockCells",
    "course.grading.steps.FriendlyCodeChecks",
    "nbgrader.preprocessors.ClearSolutions",
    "nbgrader.preprocessors.ClearOutput",
    "nbgrader.preprocessors.CheckCellMetadata",
    "nbgrader.preprocessors.ComputeChecksums",
    "nbgrader.preprocessors.SaveCells",
    "nbgrader.preprocessors.ClearHiddenTests",
    "nbgrader.preprocessors.ClearMarkScheme",
    "nbgrader.preprocessors.ComputeChecksums",
    "nbgrader.preprocessors.CheckCellMetadata",
    "course.grading.steps.StripRuntimeMetadata",
]
# Code exercises (lesson 06): the student's checks say "Not yet: ..." instead of raising, and the
# stub does not raise, so Run All goes on (course/grading/run/student_checks.py); the grader still
# checks the source's asserts outside the kernel.
c.ClearSolutions.code_stub = {"python": "# YOUR CODE HERE"}

# Autograde: nbgrader's own steps, except that metadata checks use a schema compiled once
# (course/grading/intake/metadata_check.py: the same checks and errors, a tenth of the time).
# A copied graded cell: grade the original, ignore the copy (nbgrader's own step stops the batch).
c.Autograde.sanitize_preprocessors = [
    "nbgrader.preprocessors.ClearOutput",
    "course.grading.steps.DeduplicateGradedCells",
    "nbgrader.preprocessors.OverwriteKernelspec",
    "nbgrader.preprocessors.OverwriteCells",
    "course.grading.steps.CompiledCheckCellMetadata",
]
# Then: snapshot the answers file before student code runs; decide from the instructor's source
# and key how each graded cell is scored (no check runs in the student's kernel; a widget lesson
# starts no kernel at all); flag code that reaches into the interpreter; run the student's code
# sandboxed; check code exercises from their exported values in a trusted process; score the
# recorded answers; then nbgrader's own steps, and the review flag and the grader's notes; last,
# everything the student wrote is made inert HTML for formgrader and the feedback page.
c.Autograde.autograde_preprocessors = [
    "course.grading.steps.SnapshotRecordedAnswers",
    "course.grading.steps.PlanGraderScoring",
    "course.grading.steps.FlagInterpreterTampering",
    "course.grading.steps.SandboxedExecute",
    "course.grading.steps.CheckCodeOutsideKernel",
    "course.grading.steps.ScoreRecordedAnswers",
    "course.grading.steps.AddGraderNotes",
    "nbgrader.preprocessors.IgnorePattern",
    "nbconvert.preprocessors.ClearMetadataPreprocessor",
    "nbgrader.preprocessors.LimitOutput",
    "nbgrader.preprocessors.SaveAutoGrades",
    "course.grading.steps.ConfirmWrittenSuggestions",
    "course.grading.steps.RecordReviewFlag",
    "nbgrader.preprocessors.AssignLatePenalties",
    "course.grading.steps.CompiledCheckCellMetadata",
    "course.grading.steps.NeutraliseStudentHtml",
]
# Feedback never shows hidden tests (nbgrader shows their source to every student).
# Student text is data: whatever the student wrote reaches the page as inert HTML
# (course/grading/feedback/student_html.py; also the last autograde step, for formgrader).
c.GenerateFeedback.preprocessors = [
    "course.grading.steps.NeutraliseStudentHtml",
    "course.grading.steps.HideHiddenTests",
    "course.grading.steps.DropWidgetOutputs",
    "nbgrader.preprocessors.GetGrades",
    "nbconvert.preprocessors.CSSHTMLHeaderPreprocessor",
]
# nbconvert's own sanitiser on every HTML page it makes of a notebook (feedback, formgrader):
# HTML and markdown outputs cleaned, no widget state embedded.
c.HTMLExporter.sanitize_html = True
c.GenerateFeedback.post_convert_hook = CleanFeedbackPages(os.path.join(ROOT, "feedback"))
# Collect copies plain files only: a link in a submission is refused, never followed.
c.ExchangeFactory.collect = "course.grading.steps.LinkRefusingCollect"
# Mend what can be mended (unreadable or renamed notebooks) and report the rest, before grading.
c.Autograde.pre_convert_hook = SubmissionIntake(os.path.join(ROOT, "release"), os.path.join(ROOT, "submitted"))
c.CoursePreprocessor.keys_dir = os.path.join(ROOT, "keys")
# A student's answers file must never be replaced by a copy from source/.
c.Autograde.exclude_overwriting = assignment_answer_files(os.path.join(ROOT, "source"))

# Students' code runs in a bubblewrap sandbox (docs/threat-model.md): it sees only the system
# folders, Python and the `course` package (never this folder or the exchange, wherever they are),
# writes only a private copy of its submission, has no network, runs unprivileged when grading as
# root, and memory, CPU, processes, file and output sizes are bounded. Needs bubblewrap.
c.SandboxedExecute.hide = [ROOT, c.Exchange.root]
# A per-cell timeout always: executions without one were seen to hang.
c.SandboxedExecute.timeout = int(os.environ.get("COURSE_CELL_TIMEOUT", "60"))
c.Execute.timeout = 60  # nbgrader validate still uses nbgrader's own Execute
c.Execute.startup_timeout = 60
