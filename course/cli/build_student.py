"""`course build-student [--out FILE.zip]`: what a student may have, as one archive.

Students never get the instructor's repository (keys/, source/ with the code solutions, the
instructor's guide and its exemplars, the lesson sources, the tests). This builds the archive an
instructor hands out instead: the `course` package, the released lessons (release/, as
`course generate` made them), the course's nbgrader_config.py, pyproject.toml and README.md, so a
student unpacks it and runs the README's two student commands (`pip install -e .`, `course
start`) as before. Everything is named by an allow-list: a new instructor-only folder is left
out without anyone having to remember it. The archive is then checked: no key answer, solution
cell or instructor guide text may be in it, or it is not written.
"""
from __future__ import annotations

import logging
import zipfile
from pathlib import Path

from .coursedir import CourseError, CourseDir, find_root

log = logging.getLogger(__name__)

# What a student's copy holds: (folder it comes from, path, required). The package and its
# build files come from the checkout the `course` package runs from; the config and the
# released lessons from the course being built (which may live elsewhere, as on a hub).
PACKAGE_FILES = (("pyproject.toml", True), ("README.md", True), ("LICENSE", False))
COURSE_FILES = (("nbgrader_config.py", True),)
SKIPPED_NAMES = {"__pycache__", ".ipynb_checkpoints"}
SKIPPED_SUFFIXES = (".pyc", ".answers.json")


def package_checkout() -> Path:
    import course

    return Path(course.__file__).resolve().parents[1]


def student_paths(root: Path, release: Path) -> list[tuple[Path, str]]:
    """(file on disk, name in the archive) for everything a student gets."""
    checkout = package_checkout()
    chosen: list[tuple[Path, str]] = []
    for folder, files in ((checkout, PACKAGE_FILES), (root, COURSE_FILES)):
        for name, required in files:
            if (folder / name).is_file():
                chosen.append((folder / name, name))
            elif required:
                raise CourseError(f"{folder / name}: missing; a student's copy needs it (build from the "
                                  f"course's source checkout, where `pip install -e .` was run)")
    folders = [(checkout / "course", "course"), (release, "release")]
    for folder, name in folders:
        if not folder.is_dir():
            raise CourseError(f"{folder}: missing (run `course generate` for release/)")
        for path in sorted(folder.rglob("*")):
            relative = path.relative_to(folder)
            if path.is_symlink():
                raise CourseError(f"{path}: a link; a student's copy holds plain files only")
            if path.is_file() and not SKIPPED_NAMES & set(relative.parts) and not path.name.endswith(SKIPPED_SUFFIXES):
                chosen.append((path, f"{name}/{relative.as_posix()}"))
    return chosen


def instructor_secrets(course: CourseDir) -> dict[str, str]:
    """Text that must never reach a student: each solution cell of source/ and the instructor's
    guide pages (a line of each, long enough to be unique), named by where it comes from."""
    import nbformat

    secrets: dict[str, str] = {}
    for notebook in sorted(course.folder("source").glob("*/*.ipynb")):
        nb = nbformat.read(notebook, as_version=4)
        for cell in nb.cells:
            meta = cell.metadata.get("nbgrader", {})
            if meta.get("solution") and cell.cell_type == "code":
                lines = [ln.strip() for ln in cell.source.splitlines()
                         if len(ln.strip()) >= 24 and not ln.strip().startswith("#")]
                if lines:
                    secrets[f"{notebook.name} solution {meta.get('grade_id')}"] = lines[0]
    guides = {course.root / "docs" / "instructor-guide", package_checkout() / "docs" / "instructor-guide"}
    for page in sorted(p for guide in guides if guide.is_dir() for p in guide.glob("*.md")):
        lines = [ln.strip() for ln in page.read_text(encoding="utf-8").splitlines() if len(ln.strip()) >= 60]
        if lines:
            secrets[f"instructor guide {page.name}"] = lines[len(lines) // 2]
    return secrets


def graded_scenario_files(course: CourseDir, chosen: list[tuple[Path, str]]) -> list[str]:
    """Graded scenario files (those with a rubric in keys/scenarios/) a student's copy would hold:
    any in the package; in a course with a recorder, any in the released lessons too (there the
    recorder plays them, and a student who has the file has the whole graph)."""
    graded = {p.stem for p in (course.keys_dir / "scenarios").glob("*.yaml")}
    found = []
    for path, name in chosen:
        if path.suffix not in (".yaml", ".yml") or path.stem not in graded:
            continue
        if name.startswith("course/") or (course.recorder_db_url and name.startswith("release/")):
            found.append(name)
    return found


def build_student(root: Path, out: Path) -> tuple[Path, int]:
    course = CourseDir.at(root)
    chosen = student_paths(course.root, course.folder("release"))
    if leaked := graded_scenario_files(course, chosen):
        raise CourseError(f"{', '.join(leaked[:3])}: a graded scenario a student could read whole "
                          f"(graded scenarios live in {course.shown(course.scenarios_dir)}/; "
                          f"{'`course generate` keeps them out of release/ for a course with a recorder' if course.recorder_db_url else 'the package ships practice scenarios only'}); "
                          f"no student archive written")
    secrets = instructor_secrets(course)
    for path, name in chosen:
        if name.endswith((".py", ".ipynb", ".md", ".yaml", ".json", ".txt", ".toml")):
            text = path.read_text(encoding="utf-8", errors="replace")
            leaked = [what for what, secret in secrets.items() if secret in text]
            if leaked:
                raise CourseError(f"{path}: holds instructor-only text ({', '.join(leaked[:3])}); "
                                  f"no student archive written")
    out.parent.mkdir(parents=True, exist_ok=True)
    partial = out.with_name(out.name + ".partial")
    with zipfile.ZipFile(partial, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for path, name in chosen:
            archive.write(path, f"{out.stem}/{name}")
    partial.replace(out)
    return out, len(chosen)


def run(args) -> int:
    root = find_root()
    out = Path(args.out) if args.out else root / "dist" / "police-negotiation-student.zip"
    path, count = build_student(root, out.resolve())
    log.info(f"{path}: {count} files for students (the package, the released lessons, the config); "
                f"no keys, sources, solutions or instructor's guide")
    print(path)
    return 0


def add_parser(subparsers) -> None:
    parser = subparsers.add_parser(
        "build-student", help="the archive to hand students: the package and released lessons, no instructor files",
        description=__doc__.splitlines()[0])
    parser.add_argument("--out", help="the zip to write (default dist/police-negotiation-student.zip)")
    parser.set_defaults(func=run)
