"""Which part of the package may import which: the `course` command (course/cli/) is the top, so
nothing else imports it, and the grading phases stay out of the student's kernel's way."""
from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "course"


def imported_modules(path: Path) -> set[str]:
    """Every course module `path` imports (relative imports made absolute)."""
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    package = parts[:-1] if parts[-1] != "__init__" else parts[:-1]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom):
            base = package[:len(package) - node.level + 1] if node.level else []
            module = ".".join(base + ([node.module] if node.module else []))
            found |= {module} | {f"{module}.{alias.name}" for alias in node.names}
        elif isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
    return {name for name in found if name == "course" or name.startswith("course.")}


def test_nothing_outside_the_command_line_imports_it():
    offenders = [f"{path.relative_to(PACKAGE.parent)} imports {name}"
                 for path in sorted(PACKAGE.rglob("*.py")) if "cli" not in path.relative_to(PACKAGE).parts
                 for name in sorted(imported_modules(path)) if name == "course.cli" or name.startswith("course.cli.")]
    assert not offenders, offenders


def test_the_students_widgets_import_no_grader():
    """The widgets run in the student's kernel: rules they share with the grader live in course/items/."""
    offenders = [f"{path.relative_to(PACKAGE.parent)} imports {name}"
                 for path in sorted((PACKAGE / "exercises").rglob("*.py"))
                 for name in sorted(imported_modules(path)) if name.startswith("course.grading.score")
                 or name.startswith("course.grading.steps")]
    assert not offenders, offenders


def test_the_kernel_side_of_grading_loads_no_grader():
    import subprocess
    import sys

    # The student's kernel imports plain_data to export a code exercise's values (run/code_checks.py).
    probe = ("import sys, course.grading.intake.plain_data\n"
             "print(sorted(m for m in sys.modules if m.split('.')[0] in ('nbgrader', 'nbconvert')\n"
             "             or m.startswith(('course.grading.steps', 'course.grading.intake.submission'))))")
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True,
                          cwd=PACKAGE.parent)
    assert done.stdout.strip() == "[]"


def test_the_check_server_and_a_fresh_checker_run_one_child_side_module():
    run = PACKAGE / "grading" / "run"
    for module in ("checker.py", "check_server.py"):
        assert "course.grading.run.code_checks" not in imported_modules(run / module), module
    assert "course.grading.run.checker.replay" in imported_modules(run / "check_server.py")
