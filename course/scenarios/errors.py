"""Problems found in a scenario or rubric file, and the error that carries them."""
from __future__ import annotations

from dataclasses import dataclass

from ..errors import CourseError

ERROR = "error"
WARNING = "warning"


@dataclass(frozen=True)
class Problem:
    """One fault: where it is (file, line, node, choice) and what is wrong."""

    file: str
    line: int | None
    node: str | None
    message: str
    severity: str = ERROR
    choice: str | None = None

    @property
    def is_error(self) -> bool:
        return self.severity == ERROR

    def __str__(self) -> str:
        parts = [f"{self.file}:{self.line if self.line is not None else '?'}:"]
        if self.node is not None:
            parts.append(f" node '{self.node}':")
        if self.choice is not None:
            parts.append(f" choice '{self.choice}':")
        if self.severity != ERROR:
            parts.append(f" {self.severity}:")
        parts.append(f" {self.message}")
        return "".join(parts)


class ScenarioError(CourseError):
    """A scenario (or rubric) file cannot be used; `problems` lists every error found."""

    def __init__(self, problems: list[Problem]):
        self.problems = list(problems)
        errors = [p for p in self.problems if p.is_error] or self.problems
        super().__init__("\n".join(str(p) for p in errors))
