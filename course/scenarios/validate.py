"""Validate scenario files:  python -m course.scenarios.validate PATH...

Prints ``file:line: node 'x': message`` for every problem and exits 1 when any
file has errors (warnings alone exit 0). The checks are documented in
`course.scenarios.checks`; `validate(path) -> list[Problem]` is the function.
"""
from __future__ import annotations

import sys

from .checks import check_scenario, main, validate

__all__ = ["check_scenario", "main", "validate"]

if __name__ == "__main__":
    sys.exit(main())
