"""The trusted checker: what runs in the process that checks code exercises (code_checks.py).

The same code whichever process it is: a child forked from the warm check server
(check_server.py), or, when the server cannot answer, a fresh interpreter
(`python -m course.grading.run.checker`). It replays the instructor's cells with the student's
values decoded from plain data (intake/plain_data.py; never objects), runs each test cell's
checks and reports what nbgrader would have seen: printed text, an error, or a number (partial
credit) as the last expression. A failure inside the hidden tests says only that one failed.
"""
from __future__ import annotations

import ast
import contextlib
import io
import json
import os
import sys
from typing import Any

HIDDEN_BEGIN, HIDDEN_END = "### BEGIN HIDDEN TESTS", "### END HIDDEN TESTS"


def without_magics(source: str) -> str:
    # IPython line magics and shell escapes are not Python; the replay does not need them.
    return "\n".join("" if line.lstrip().startswith(("%", "!")) else line for line in source.splitlines())


def checker_env() -> dict[str, str]:
    """The trusted checker's environment (a fresh process or the check server): this grader's
    packages, no display, and never the autograde marker the student-facing helpers look for."""
    env = {**os.environ, "MPLBACKEND": "Agg", "PYTHONPATH": os.pathsep.join(p for p in sys.path if p)}
    env.pop("NBGRADER_EXECUTION", None)
    return env


def _hidden_lines(source: str) -> set[int]:
    hidden, inside = set(), False
    for number, line in enumerate(source.splitlines(), start=1):
        if line.strip() == HIDDEN_BEGIN:
            inside = True
        if inside:
            hidden.add(number)
        if line.strip() == HIDDEN_END:
            inside = False
    return hidden


def _failed_line(exc: BaseException, filename: str) -> int | None:
    tb, line = exc.__traceback__, None
    while tb is not None:
        if tb.tb_frame.f_code.co_filename == filename:
            line = tb.tb_lineno
        tb = tb.tb_next
    return line


def _execute(source: str, namespace: dict, filename: str) -> Any:
    """Run a cell like IPython: the value of a final expression is returned."""
    tree = ast.parse(without_magics(source), filename)
    last = tree.body.pop() if tree.body and isinstance(tree.body[-1], ast.Expr) else None
    exec(compile(tree, filename, "exec"), namespace)  # noqa: S102 - the instructor's own cells
    if last is not None:
        return eval(compile(ast.Expression(last.value), filename, "eval"), namespace)  # noqa: S307
    return None


def replay(steps: list[dict], exports: dict[str, dict]) -> list[dict]:
    from ..intake.plain_data import MISSING, PlainDataError, decode

    values: dict[str, dict[str, Any]] = {}  # test cell -> name -> the student's value
    problems: dict[str, str] = {}
    for grade_id, record in exports.items():
        values[grade_id] = {}
        if not isinstance(record, dict):
            problems[grade_id] = "the exported values could not be read"
            continue
        for name, encoded in record.items():
            try:
                values[grade_id][str(name)] = decode(encoded, str(name))
            except PlainDataError as exc:
                problems[grade_id] = f"the value of {name} could not be read ({exc})"
    namespace: dict[str, Any] = {"__name__": "__main__", "display": lambda *a, **k: None,
                                 "get_ipython": lambda: None}
    results = []
    for index, step in enumerate(steps):
        filename = f"<cell {index}>"
        if step["action"] == "inject":
            for name in step["names"]:
                value = values.get(step["grade_id"], {}).get(name, MISSING)
                if value is MISSING:
                    namespace.pop(name, None)
                else:
                    namespace[name] = value
            continue
        out = io.StringIO()
        try:
            with contextlib.redirect_stdout(out), contextlib.redirect_stderr(out):
                value = _execute(step["source"], namespace, filename)
        except Exception as exc:  # noqa: BLE001 - every failure is a result
            if step["action"] == "check":
                hidden = _failed_line(exc, filename) in _hidden_lines(step["source"])
                results.append({"grade_id": step["grade_id"], "ok": False, "stdout": out.getvalue(),
                                "ename": type(exc).__name__,
                                "evalue": "a hidden check failed" if hidden else str(exc)[:2000]})
            continue
        finally:
            import matplotlib.pyplot as plt

            plt.close("all")
        if step["action"] == "check":
            partial = value if isinstance(value, (int, float)) and not isinstance(value, bool) else None
            note = problems.get(step["grade_id"])
            results.append({"grade_id": step["grade_id"], "ok": True, "partial": partial,
                            "stdout": out.getvalue() + (f"\n(grader: {note})" if note else "")})
    return results


def prepare() -> None:
    """Once per checker process, before any replay."""
    import matplotlib

    matplotlib.use("Agg")


def main() -> None:
    """The fresh checker: one request on stdin, the results as the last line on stdout."""
    prepare()
    request = json.loads(sys.stdin.read())
    real_stdout = sys.stdout
    results = replay(request["steps"], request["exports"])
    real_stdout.write("\n" + json.dumps(results) + "\n")


if __name__ == "__main__":
    main()
