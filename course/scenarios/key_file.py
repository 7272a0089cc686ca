"""The one reader of an instructor's scenario key file, `keys/scenarios/<scenario-id>.yaml`.

The file holds the rubric (decisions, caps, critical acts), the key (recommended choices and
ending debriefs) and the audit's checks. It is read once and each section parsed by its own
parser (rubric.parse_rubric, keyfile.parse_key, audit.parse_audit), so the grader, the audit,
validation and the simulator all see the same file the same way, with every problem named by
file and line.
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Any

from .errors import Problem, ScenarioError
from .loader import load_yaml
from .model import Scenario


@dataclass
class KeyFile:
    rubric: Any = None          # rubric.Rubric, or None when it has errors
    key: Any = None             # keyfile.ScenarioKey
    audit: Any = None           # audit.AuditConfig (read only when asked for)
    problems: list[Problem] = field(default_factory=list)

    @property
    def has_errors(self) -> bool:
        return self.rubric is None or any(p.is_error for p in self.problems)


def read_key_file(path: str | os.PathLike, scenario: Scenario | None = None, audit: bool = False) -> KeyFile:
    """Every section of the file and every problem found, never raising for the file's content."""
    from .keyfile import parse_key
    from .rubric import parse_rubric

    data, problems = load_yaml(path)
    read = KeyFile(problems=problems)
    if data is None and problems:
        return read
    read.rubric, more = parse_rubric(data, str(path), scenario)
    read.key, key_problems = parse_key(data, str(path), scenario)
    read.problems += more + key_problems
    if audit and scenario is not None:
        from .audit import parse_audit

        read.audit, audit_problems = parse_audit(data, str(path), scenario)
        read.problems += audit_problems
    return read


def load_key_file(path: str | os.PathLike, scenario: Scenario | None = None, audit: bool = False) -> KeyFile:
    """As read_key_file, raising ScenarioError (every problem, with file and line) on any error."""
    read = read_key_file(path, scenario, audit)
    if read.has_errors:
        raise ScenarioError(read.problems)
    return read
