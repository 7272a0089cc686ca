"""Intake: what is taken from a submission, and whether the grader can trust it.

Where an answer comes from: `from_answers_file.py` (the file the student owns) or, on a course
with a recorder, `from_recorder.py` (the course server's record).
"""


def __getattr__(name: str):
    # Stable configuration name `course.grading.intake.SubmissionIntake` (nbgrader_config.py files
    # name it). Lazy: the student's kernel imports intake.plain_data, and must not load the grader.
    if name == "SubmissionIntake":
        from .submission import SubmissionIntake

        return SubmissionIntake
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
