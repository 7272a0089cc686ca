"""Attacks on the grading, with the course where an instructor keeps it (not under /tmp).

The sandbox mounts an empty /tmp, so a course under /tmp is hidden whatever the grader does:
these tests build the course under /var/tmp, beside no test folder. One class submits the
code lesson (06) and the widget lesson (02): honest students, and attackers who know Python
and have read this repository. The same collected submissions are graded twice, with
`course autograde --workers 2` and with plain `nbgrader autograde`, and for each:

- every attacker scores no more than the same answers given honestly, and is flagged where
  their code reaches into the interpreter;
- every honest student's score is what it is without the attackers;
- the batch completes;
- no key, solution or other student's text reaches any graded notebook or feedback page;
- no file outside the attacker's own graded and feedback folders changes (hashed before and after).
"""
from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import time
import uuid
from pathlib import Path

import nbformat
import pytest

from support import copy_course
from support.pipeline import COURSE_ID, course_cli, nbgrader, student_flags

pytestmark = [pytest.mark.e2e, pytest.mark.skipif(shutil.which("bwrap") is None,
                                                  reason="bubblewrap is not installed (apt-get install bubblewrap)")]

CODE = "06-community-policing"
WIDGETS = "02-active-listening"
OUTSIDE_TMP = Path(os.environ.get("COURSE_ATTACK_DIR", "/var/tmp"))
MARKER = uuid.uuid4().hex

# The widget lesson's answers (7.75 of 14 points with its key); the same for every 02 student.
WIDGET_ANSWERS = {"format": 1, "notebook": WIDGETS, "answers": {
    "al-g2": {"kind": "single", "value": "b", "mode": "graded"},
    "al-g4": {"kind": "single", "value": "c", "mode": "graded"}}}


def solutions(course: Path) -> dict[str, str]:
    source = nbformat.read(course / "source" / CODE / f"{CODE}.ipynb", as_version=4)
    return {c.id: c.source for c in source.cells if c.metadata.get("nbgrader", {}).get("solution")}


def code_exercise_points(course: Path) -> float:
    from course.grading.score.keys import load_keys

    keyed = set(load_keys(course / "keys" / f"{CODE}.yaml"))
    source = nbformat.read(course / "source" / CODE / f"{CODE}.ipynb", as_version=4)
    return sum(float(c.metadata["nbgrader"]["points"]) for c in source.cells
               if c.metadata.get("nbgrader", {}).get("grade") and c.cell_type == "code"
               and not c.metadata["nbgrader"].get("solution") and c.metadata["nbgrader"]["grade_id"] not in keyed)


def wrong_scan(sol: dict[str, str]) -> dict[str, str]:
    """The honest answers with one mistake: top_share as a count, not a fraction (fails cp-scan)."""
    wrong = dict(sol)
    wrong["cp-scan-code"] = sol["cp-scan-code"].replace("/ len(calls)", "* 1")
    return wrong


def code_attacks(course: Path) -> dict[str, tuple[str, str]]:
    """name -> (cell id to prepend to, code). Each runs with the `wrong_scan` answers."""
    root = course.resolve()
    return {
        "ast-assert-to-pass": ("cp-scan-code", (
            "import ast\n"
            "class NoAsserts(ast.NodeTransformer):\n"
            "    def visit_Assert(self, node):\n        return ast.Pass()\n"
            "get_ipython().ast_transformers.append(NoAsserts())\n")),
        "input-transformer": ("cp-scan-code", (
            "get_ipython().input_transformers_post.append(\n"
            "    lambda lines: [l.replace('assert ', 'assert True or ') for l in lines])\n")),
        "always-equal-values": ("cp-hotspot-code", (
            "class Always(float):\n"
            "    def __eq__(self, other): return True\n    def __lt__(self, other): return True\n"
            "    def __gt__(self, other): return True\n    def __abs__(self): return 0.0\n"
            "top_share = Always(0.5)\n")),
        "patch-the-exporter": ("cp-scan-code", (
            "import course.grading.intake.plain_data as p\n"
            "p.emit = lambda ns, names: print('no export')\n")),
        "read-the-course": ("cp-scan-code", (
            "import glob\n"
            f"for pattern in [{str(root / 'keys' / '*')!r}, {str(root / 'source' / '*' / '*.ipynb')!r},\n"
            f"                {str(root / 'gradebook.db')!r}, {str(root / 'submitted' / '*' / '*' / '*')!r},\n"
            f"                {str(root / 'exchange' / '*' / '*' / '*')!r}, {str(root / 'autograded' / '**')!r},\n"
            "                '/var/tmp/*', '/root/*', '/home/*', '/srv/*']:\n"
            "    for path in glob.glob(pattern, recursive=True):\n"
            "        try:\n            print(path, open(path, errors='replace').read()[:3000])\n"
            "        except OSError as exc:\n            print('blocked', exc)\n"
            "import os\nprint('uid', os.getuid())\n")),
        "plant-links": ("cp-scan-code", (
            "import os, glob\n"
            "for name in glob.glob('*'):\n"
            "    os.remove(name)\n"
            f"os.symlink({str(root / 'keys' / f'{WIDGETS}.yaml')!r}, '{CODE}.ipynb')\n"
            f"os.symlink({str(root / 'keys' / f'{WIDGETS}.yaml')!r}, '{CODE}.grading.json')\n"
            f"os.symlink('/etc/passwd', '{CODE}.answers.json')\n"
            "for d in glob.glob('/tmp/course-kernel-*/*'):\n"
            "    try:\n        os.symlink('/etc/passwd', d + '/kernel.log')\n    except OSError:\n        pass\n")),
        "write-outside": ("cp-scan-code", (
            f"for path in [{str(root / 'keys' / MARKER)!r}, {str(root / MARKER)!r}, '/var/tmp/{MARKER}',\n"
            f"             '/tmp/{MARKER}', {str(root / 'release' / MARKER)!r}]:\n"
            "    try:\n        open(path, 'w').write('pwned')\n    except OSError as exc:\n        print('blocked', exc)\n")),
        "fake-grading-file": ("cp-scan-code", (
            "import json\n"
            f"json.dump({{'items': [{{'item': 'cp-g1', 'points': 99, 'max_points': 3, 'fraction': 1}}]}},\n"
            f"          open('{CODE}.grading.json', 'w'))\n")),
    }


def write_submission(home: Path, assignment: str, student: str, exchange: Path, edit=None, answers=None) -> Path:
    """Fetch a fresh copy, change it as the student would, and submit it as `student`."""
    folder = home / assignment
    home.mkdir(parents=True, exist_ok=True)
    if folder.exists():
        shutil.rmtree(folder)
    nbgrader(home, "fetch_assignment", assignment, *student_flags(exchange))
    path = folder / f"{assignment}.ipynb"
    nb = nbformat.read(path, as_version=4)
    if edit:
        edit(nb, folder)
    nbformat.write(nb, path)
    if answers is not None:
        (folder / f"{assignment}.answers.json").write_text(json.dumps(answers))
    nbgrader(home, "submit", assignment, f"--student={student}", *student_flags(exchange))
    return folder


def type_code(code: dict[str, str], prepend: tuple[str, str] | None = None):
    def edit(nb, _folder):
        for cell in nb.cells:
            if cell.id in code:
                cell.source = code[cell.id]
            if prepend and cell.id == prepend[0]:
                cell.source = prepend[1] + cell.source
    return edit


def copy_graded_cell(nb, _folder):
    """An honest accident: a graded cell copied (with its nbgrader metadata) above the original."""
    index = next(i for i, c in enumerate(nb.cells) if c.metadata.get("nbgrader", {}).get("grade_id") == "al-g2")
    copy = nbformat.from_dict(json.loads(json.dumps(nb.cells[index])))
    copy.id = "copied-by-accident"
    nb.cells.insert(index - 1, copy)


def inbound_link_attack(exchange: Path, course: Path, student: str) -> None:
    """After submitting, plant links in the student's own inbound folder (which they can write)."""
    inbound = exchange / COURSE_ID / "inbound"
    folder = next(p for p in inbound.iterdir() if p.name.startswith(f"{student}+{WIDGETS}+"))
    (folder / "stolen-key.yaml").symlink_to(course / "keys" / f"{WIDGETS}.yaml")
    (folder / "stolen-source").symlink_to(course / "source" / WIDGETS)
    answers = folder / f"{WIDGETS}.answers.json"
    answers.unlink()
    answers.symlink_to(course / "keys" / f"{WIDGETS}.yaml")


def tree_hashes(root: Path, skip: list[Path]) -> dict[str, str]:
    found = {}
    for path in sorted(root.rglob("*")):
        if any(path == s or s in path.parents for s in skip) or path.is_dir() or path.is_symlink():
            continue
        found[str(path.relative_to(root))] = hashlib.sha256(path.read_bytes()).hexdigest()
    return found


def read_scores(course: Path) -> dict[tuple[str, str], float]:
    from nbgrader.api import Gradebook

    with Gradebook("sqlite:///" + str(course / "gradebook.db"), COURSE_ID) as gb:
        return {(s.student.id, a.name): s.score for a in gb.assignments for s in a.submissions}


def flagged(course: Path) -> set[str]:
    from nbgrader.api import Gradebook

    with Gradebook("sqlite:///" + str(course / "gradebook.db"), COURSE_ID) as gb:
        return {s.student.id for s in gb.assignment_submissions(CODE) if any(nb.flagged for nb in s.notebooks)}


@pytest.fixture(scope="module")
def attacked(request):
    base = OUTSIDE_TMP / f"course-attacks-{uuid.uuid4().hex[:8]}"
    request.addfinalizer(lambda: shutil.rmtree(base, ignore_errors=True))
    started = time.monotonic()
    course = copy_course(base / "course")
    exchange = course / "exchange"
    for assignment in (CODE, WIDGETS):
        nbgrader(course, "generate_assignment", assignment, "--force")
        nbgrader(course, "release_assignment", assignment)
    home = base / "home"
    sol = solutions(course)
    write_submission(home, CODE, "honest", exchange, type_code(sol))
    write_submission(home, CODE, "honest-wrong", exchange, type_code(wrong_scan(sol)))
    attacks = code_attacks(course)
    for name, prepend in attacks.items():
        write_submission(home, CODE, name, exchange, type_code(wrong_scan(sol), prepend))
    for student in ("honest", "copied-cell", "fake-grading-file", "inbound-links"):
        edit = copy_graded_cell if student == "copied-cell" else None
        folder = write_submission(home, WIDGETS, student, exchange, edit, WIDGET_ANSWERS) if student != \
            "fake-grading-file" else None
        if student == "fake-grading-file":
            def plant(nb, folder):
                (folder / f"{WIDGETS}.grading.json").write_text(json.dumps(
                    {"items": [{"item": "al-g1", "points": 99, "max_points": 4, "fraction": 1}], "problems": []}))
            write_submission(home, WIDGETS, student, exchange, plant, WIDGET_ANSWERS)
        if student == "inbound-links":
            inbound_link_attack(exchange, course, student)
    setup_seconds = time.monotonic() - started
    # The same collected class, graded two ways.
    runs = {"course": base / "by-course", "nbgrader": base / "by-nbgrader"}
    results = {}
    for how, target in runs.items():
        shutil.copytree(course, target, symlinks=True)
        skip = [target / "autograded", target / "feedback", target / "gradebook.db", target / "grades.csv",
                target / "submitted", target / "exchange", target / ".ipynb_checkpoints"]
        t0 = time.monotonic()
        if how == "course":
            collect = [course_cli(target, "collect", a) for a in (CODE, WIDGETS)]
            before = tree_hashes(target, skip)
            grade = course_cli(target, "autograde", CODE, WIDGETS, "--workers", "2")
            feedback = course_cli(target, "feedback", CODE, WIDGETS)
        else:
            collect = [nbgrader(target, "collect", a, check=False) for a in (CODE, WIDGETS)]
            before = tree_hashes(target, skip)
            grade = nbgrader(target, "autograde", CODE, check=False)
            grade2 = nbgrader(target, "autograde", WIDGETS, check=False)
            grade = subprocess.CompletedProcess(grade.args, grade.returncode or grade2.returncode,
                                                grade.stdout + grade2.stdout, grade.stderr + grade2.stderr)
            feedback = nbgrader(target, "generate_feedback", CODE, check=False)
        results[how] = {"course": target, "collect": collect, "grade": grade, "feedback": feedback,
                        "before": before, "after": tree_hashes(target, skip), "scores": read_scores(target),
                        "flagged": flagged(target), "seconds": time.monotonic() - t0}
    return {"base": base, "course": course, "attacks": list(attacks), "runs": results, "setup": setup_seconds}


HOW = ["course", "nbgrader"]


@pytest.mark.parametrize("how", HOW)
def test_the_batch_completes_and_everyone_is_graded(attacked, how):
    run = attacked["runs"][how]
    assert run["grade"].returncode == 0, run["grade"].stdout[-3000:] + run["grade"].stderr[-3000:]
    assert run["feedback"].returncode == 0, run["feedback"].stdout[-3000:] + run["feedback"].stderr[-3000:]
    for name in ["honest", "honest-wrong", *attacked["attacks"]]:
        assert (name, CODE) in run["scores"], f"{name} was not graded ({how})"
    for name in ("honest", "copied-cell", "fake-grading-file", "inbound-links"):
        assert (name, WIDGETS) in run["scores"], f"{name} was not graded ({how})"


@pytest.mark.parametrize("how", HOW)
def test_honest_students_get_their_scores(attacked, how):
    scores = attacked["runs"][how]["scores"]
    code_points = code_exercise_points(attacked["course"])
    assert scores[("honest", CODE)] == code_points            # every code exercise right, no widget answered
    assert scores[("honest-wrong", CODE)] == code_points - 2  # cp-scan (2 points) failed
    assert scores[("honest", WIDGETS)] > 0


@pytest.mark.parametrize("how", HOW)
def test_no_attacker_scores_more_than_the_same_answers_given_honestly(attacked, how):
    scores = attacked["runs"][how]["scores"]
    for name in attacked["attacks"]:
        assert scores[(name, CODE)] <= scores[("honest-wrong", CODE)], f"{name} raised its score ({how})"
    assert scores[("ast-assert-to-pass", CODE)] == scores[("honest-wrong", CODE)]
    assert scores[("input-transformer", CODE)] == scores[("honest-wrong", CODE)]


@pytest.mark.parametrize("how", HOW)
def test_tampering_is_flagged_for_review_and_said_in_the_notebook(attacked, how):
    run = attacked["runs"][how]
    assert {"ast-assert-to-pass", "input-transformer", "patch-the-exporter"} <= run["flagged"]
    assert "honest" not in run["flagged"] and "honest-wrong" not in run["flagged"]
    graded = run["course"] / "autograded" / "ast-assert-to-pass" / CODE / f"{CODE}.ipynb"
    notes = nbformat.read(graded, as_version=4).cells[0].source
    assert "Flagged for review" in notes and "ast_transformers" in notes


@pytest.mark.parametrize("how", HOW)
def test_the_widget_student_who_copied_a_graded_cell_is_graded_as_without_it(attacked, how):
    scores = attacked["runs"][how]["scores"]
    assert scores[("copied-cell", WIDGETS)] == scores[("honest", WIDGETS)]
    graded = attacked["runs"][how]["course"] / "autograded" / "copied-cell" / WIDGETS / f"{WIDGETS}.ipynb"
    assert "appeared 2 times" in nbformat.read(graded, as_version=4).cells[0].source


@pytest.mark.parametrize("how", HOW)
def test_no_key_source_or_other_students_text_reaches_any_output(attacked, how):
    from course.grading.score.keys import load_keys

    run = attacked["runs"][how]
    course = run["course"]
    # The other lesson's key never belongs in the code lesson's outputs, nor system files; the
    # hidden checks are in the instructor's graded copy, never in what students get back.
    secrets = [reason for item in load_keys(course / "keys" / f"{WIDGETS}.yaml").values() for reason in item.why.values()]
    secrets += ["root:x:0:0"]
    hidden = ["368, 265, 4683, 4838", "BEGIN HIDDEN TESTS"]
    graded = list((course / "autograded").glob(f"*/{CODE}/*"))
    feedback = list((course / "feedback").glob(f"*/{CODE}/*.html"))
    assert len(graded) > len(attacked["attacks"]) and len(feedback) > len(attacked["attacks"])
    for path, forbidden in [(p, secrets) for p in graded] + [(p, secrets + hidden) for p in feedback]:
        if path.is_file():
            text = path.read_text(errors="replace")
            for secret in forbidden:
                assert secret not in text, f"{secret[:40]!r} leaked into {path.relative_to(course)} ({how})"
    key_text = (course / "keys" / f"{WIDGETS}.yaml").read_text()
    for path in (course / "submitted" / "inbound-links").rglob("*"):
        assert not path.is_file() or path.read_text(errors="replace") != key_text
    reader = nbformat.read(course / "autograded" / "read-the-course" / CODE / f"{CODE}.ipynb", as_version=4)
    printed = "".join(o.get("text", "") for c in reader.cells for o in c.get("outputs", []))
    assert "uid " in printed  # the attack ran, and found nothing to print
    assert "keys" not in printed.replace(str(course), "") or "blocked" in printed
    if os.geteuid() == 0:
        uid = int(printed.split("uid ")[1].split()[0])
        assert uid >= 200_000  # the kernel was not root, nor any user of the machine


@pytest.mark.parametrize("how", HOW)
def test_no_file_outside_the_attackers_folders_changed(attacked, how):
    run = attacked["runs"][how]
    assert run["before"] == run["after"]
    for where in (run["course"], run["course"] / "keys", run["course"] / "release", Path("/var/tmp"), Path("/tmp")):
        assert not (where / MARKER).exists()


@pytest.mark.parametrize("how", HOW)
def test_links_in_an_inbound_submission_are_refused_at_collect(attacked, how):
    run = attacked["runs"][how]
    submitted = run["course"] / "submitted" / "inbound-links" / WIDGETS
    assert submitted.is_dir()
    assert not any(p.is_symlink() for p in submitted.rglob("*"))
    assert not (submitted / "stolen-key.yaml").exists() and not (submitted / "stolen-source").exists()
    log = "".join(r.stdout + r.stderr for r in run["collect"])
    assert "inbound-links" in log and "stolen-key.yaml" in log


def test_the_class_report_counts_only_what_the_grader_wrote(attacked):
    course = attacked["runs"]["course"]["course"]
    report = course_cli(course, "report", WIDGETS, "--out", str(course / "reports"))
    assert report.returncode == 0, report.stdout + report.stderr
    for student in ("fake-grading-file",):
        data = json.loads((course / "autograded" / student / WIDGETS / f"{WIDGETS}.grading.json").read_text())
        assert all(item["points"] <= item["max_points"] for item in data["items"])
    scores = (course / "reports" / "csv").glob("*.csv")
    assert "99" not in "".join(p.read_text() for p in scores)


def test_both_graders_agree(attacked):
    assert attacked["runs"]["course"]["scores"] == attacked["runs"]["nbgrader"]["scores"]


def test_a_broken_key_stops_grading_of_that_assignment(tmp_path_factory):
    base = OUTSIDE_TMP / f"course-badkey-{uuid.uuid4().hex[:8]}"
    try:
        course = copy_course(base / "course")
        nbgrader(course, "generate_assignment", WIDGETS, "--force")
        nbgrader(course, "release_assignment", WIDGETS)
        write_submission(base / "home", WIDGETS, "student", course / "exchange", answers=WIDGET_ANSWERS)
        nbgrader(course, "collect", WIDGETS)
        (course / "keys" / f"{WIDGETS}.yaml").write_text("items: [this is: not a key\n")
        by_course = course_cli(course, "autograde", WIDGETS)
        assert by_course.returncode != 0 and f"{WIDGETS}.yaml" in by_course.stdout + by_course.stderr
        by_nbgrader = nbgrader(course, "autograde", WIDGETS, check=False)
        assert by_nbgrader.returncode != 0 and f"{WIDGETS}.yaml" in by_nbgrader.stdout + by_nbgrader.stderr
        assert all(score == 0 for score in read_scores(course).values())
    finally:
        shutil.rmtree(base, ignore_errors=True)
