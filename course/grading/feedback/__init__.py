"""Feedback: what the student and the class report read after grading."""

_PAGES = ("CleanFeedbackPages", "DropWidgetOutputs", "HideHiddenTests")


def __getattr__(name: str):
    # Stable configuration names `course.grading.feedback.<name>` (nbgrader_config.py files name
    # them). Lazy, so the grading file's readers do not load nbgrader.
    if name in _PAGES:
        from . import pages

        return getattr(pages, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
