"""The base of the course's nbgrader preprocessors: nbgrader's own, so `enabled` and the
other NbGraderPreprocessor settings behave as they do for nbgrader's steps."""
from __future__ import annotations

from pathlib import Path

from nbgrader.preprocessors import NbGraderPreprocessor
from traitlets import Unicode


class CoursePreprocessor(NbGraderPreprocessor):
    """One transformation of a notebook, named in nbgrader_config.py."""

    keys_dir = Unicode("", help="Folder of the instructor-only answer keys (keys/<assignment>.yaml); "
                               "default <course root>/keys.").tag(config=True)
    scenarios_dir = Unicode("", help="Folder of the course's graded scenario files (<scenario-id>.yaml), the "
                                    "instructor's like the keys; default <course root>/scenarios.").tag(config=True)

    # What the step reads from and gives to later steps (state.GradingState's entries), and the
    # nbgrader steps it must follow or precede (by class name): checked against nbgrader_config.py
    # by tests/test_pipeline_contract.py.
    reads: tuple[str, ...] = ()
    gives: tuple[str, ...] = ()
    after: tuple[str, ...] = ()
    before: tuple[str, ...] = ()

    def keys_folder(self) -> Path:
        """The configured keys folder (relative to the course root), or `<course root>/keys`."""
        from ..coursedir import resolve_keys_dir

        return resolve_keys_dir(self.keys_dir, self._course_root())

    def scenarios_folder(self) -> Path:
        """The configured folder of graded scenarios (relative to the course root), or `<root>/scenarios`."""
        from ..coursedir import resolve_scenarios_dir

        return resolve_scenarios_dir(self.scenarios_dir, self._course_root())

    def _course_root(self) -> Path:
        from nbgrader.coursedir import CourseDirectory

        return Path(CourseDirectory(config=self.config).root)
