"""`course build-student`: the archive a student gets holds no instructor file, and works.

Built from a copy of the course outside /tmp; then unpacked as a student would, its package
built into a wheel (pip, as `pip install .` does) and opened, and `course start`'s set-up run from
it with the archive's own package: every lesson is fetched into the student's folder.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
import uuid
import zipfile
from pathlib import Path

import pytest

from support import copy_course

OUTSIDE_TMP = Path(os.environ.get("COURSE_ATTACK_DIR", "/var/tmp"))
INSTRUCTOR_ONLY = ("keys/", "source/", "lessons/", "docs/", "tests/", "deploy/", "bench/", "content/",
                   "autograded/", "submitted/", "gradebook.db", "scenarios/")


@pytest.fixture(scope="module")
def built():
    from course.cli.build_student import build_student

    base = OUTSIDE_TMP / f"course-student-{uuid.uuid4().hex[:8]}"
    try:
        course = copy_course(base / "course")
        archive, count = build_student(course, base / "out" / "student.zip")
        yield course, archive, base
    finally:
        shutil.rmtree(base, ignore_errors=True)


def test_the_archive_holds_no_instructor_file(built):
    course, archive, _ = built
    names = [n.split("/", 1)[1] for n in zipfile.ZipFile(archive).namelist()]
    assert not [n for n in names if n.startswith(INSTRUCTOR_ONLY)]
    assert not [n for n in names if n.endswith(".answers.json")]
    released = sorted(p.name for p in (course / "release").iterdir() if p.is_dir())
    assert {n.split("/")[1] for n in names if n.startswith("release/")} == set(released)
    text = "\n".join(zipfile.ZipFile(archive).read(n).decode("utf-8", "replace")
                     for n in zipfile.ZipFile(archive).namelist())
    from course.cli.build_student import instructor_secrets
    from course.coursedir import CourseDir

    secrets = instructor_secrets(CourseDir.at(course))
    assert any("solution" in what for what in secrets) and any("guide" in what for what in secrets)
    assert [what for what, secret in secrets.items() if secret in text] == []


def test_a_released_solution_stops_the_build(built, tmp_path):
    from course.cli.build_student import build_student, instructor_secrets
    from course.coursedir import CourseDir, CourseError

    course, _, base = built
    what, secret = next((w, s) for w, s in instructor_secrets(CourseDir.at(course)).items() if "solution" in w)
    # A solution file left in a lesson's folder is released with it (generate copies every file).
    lesson = next(p for p in sorted((course / "release").iterdir()) if p.is_dir())
    planted = lesson / "my-solutions.md"
    planted.write_text(f"{secret}\n")
    try:
        with pytest.raises(CourseError, match="instructor-only text"):
            build_student(course, base / "out" / "leaky.zip")
        assert not (base / "out" / "leaky.zip").exists()
    finally:
        planted.unlink()


def test_a_graded_scenario_in_the_package_stops_the_build(built):
    from course.cli.build_student import build_student, package_checkout
    from course.coursedir import CourseError

    course, _, base = built
    planted = package_checkout() / "course" / "content" / "scenarios" / "capstone-crisis.yaml"
    shutil.copy(course / "scenarios" / "capstone-crisis.yaml", planted)
    try:
        with pytest.raises(CourseError, match="course/content/scenarios/capstone-crisis.yaml: a graded scenario"):
            build_student(course, base / "out" / "leaky.zip")
        assert not (base / "out" / "leaky.zip").exists()
    finally:
        planted.unlink()


def test_with_a_recorder_no_graded_scenario_is_released(built):
    """A hub course (a recorder named in its config): `course generate` publishes graded
    scenarios to the recorder and releases none; the archive then holds none either."""
    from course.cli.build_student import build_student
    from course.cli.generate import generate
    from course.coursedir import CourseDir, CourseError
    from course.scenarios.placement import place_lesson_scenarios

    course, _, base = built
    config = course / "nbgrader_config.py"
    saved = config.read_text()
    published = base / "published"
    config.write_text(saved + f"\nc.SnapshotRecordedAnswers.recorder_db_url = 'sqlite:///{base}/records.db'\n"
                              f"c.CourseRecorder.scenarios_dir = {str(published)!r}\n")
    try:
        generate(course, ["08-capstone"])
        assert not (course / "release" / "08-capstone" / "scenarios").exists()
        assert not (course / "source" / "08-capstone" / "scenarios").exists()
        assert sorted(p.name for p in (published / "08-capstone").iterdir()) == ["cap-dd.yaml", "cap-mh.yaml", "cap-pr.yaml"]
        # The other lessons were generated for laptops (their graded scenarios in release/): refused.
        with pytest.raises(CourseError, match="release/03-assessment-and-control/scenarios/mental-health-crisis.yaml"):
            build_student(course, base / "out" / "hub.zip")
        # `course release` places each lesson's scenarios as `course generate` does: out of release/.
        for lesson in ("03-assessment-and-control", "05-mediation", "07-crowds-and-protest"):
            place_lesson_scenarios(CourseDir.at(course), lesson)
        archive, _ = build_student(course, base / "out" / "hub.zip")
        names = zipfile.ZipFile(archive).namelist()
        assert not [n for n in names if n.endswith(".yaml") and "/scenarios/" in n], names
    finally:
        config.write_text(saved)
        generate(course, ["03-assessment-and-control", "05-mediation", "07-crowds-and-protest", "08-capstone"])


@pytest.mark.e2e   # pip builds a wheel (setuptools from the package index): not for the fast loop
def test_a_student_installs_and_starts_from_the_archive(built):
    _, archive, base = built
    student = base / "student"
    zipfile.ZipFile(archive).extractall(student)
    unpacked = student / archive.stem
    wheel_dir = base / "wheel"
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q",
                    "-w", str(wheel_dir), str(unpacked)], check=True, timeout=600)
    wheel = next(wheel_dir.glob("*.whl"))
    inside = zipfile.ZipFile(wheel).namelist()
    assert not [n for n in inside if n.startswith(INSTRUCTOR_ONLY)], inside
    # The archive's own package (not the developer's checkout) sets up the student's folder.
    workdir = base / "negotiation-course"
    code = ("from pathlib import Path; from course.cli.start import set_up; import course; "
            f"assert Path(course.__file__).is_relative_to({str(unpacked)!r}), course.__file__; "
            f"print(set_up(Path({str(unpacked)!r}), Path({str(workdir)!r}))['workdir'])")
    subprocess.run([sys.executable, "-c", code], check=True, timeout=600, cwd=unpacked,
                   env={**os.environ, "PYTHONPATH": str(unpacked), "HOME": str(base / "home")})
    fetched = sorted(p.name for p in workdir.iterdir() if p.is_dir() and not p.name.startswith("."))
    assert fetched == sorted(p.name for p in (unpacked / "release").iterdir() if p.is_dir())
