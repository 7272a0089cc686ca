"""The base of the course's nbgrader preprocessors: nbgrader's own, so `enabled` and the
other NbGraderPreprocessor settings behave as they do for nbgrader's steps."""
from __future__ import annotations

from nbgrader.preprocessors import NbGraderPreprocessor
from traitlets import Unicode


class CoursePreprocessor(NbGraderPreprocessor):
    """One transformation of a notebook, named in nbgrader_config.py."""

    keys_dir = Unicode("", help="Folder of the instructor-only answer keys (keys/<assignment>.yaml); "
                               "default <course root>/keys.").tag(config=True)
    scenarios_dir = Unicode("", help="Folder of the course's graded scenario files (<scenario-id>.yaml), the "
                                    "instructor's like the keys; default <course root>/scenarios.").tag(config=True)
