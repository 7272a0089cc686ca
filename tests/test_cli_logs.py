"""The verbs talk through logging: `course -q` silences what they did, the default shows it on
stderr, a verb run as a step of another (the demo's) is hushed, progress lines follow the level."""
from __future__ import annotations

import logging

import pytest

from course.cli import main as cli_main
from course.cli.logs import hushed, progress
from support import copy_course
from support.pipeline import course_main

LESSON = "01-foundations"


@pytest.fixture
def course_logger():
    """The `course` logger as the test found it, put back afterwards (configure_logging changes it)."""
    logger = logging.getLogger("course")
    saved = (logger.handlers[:], logger.level, logger.propagate)
    yield logger
    logger.handlers[:], logger.level, logger.propagate = saved


def test_a_verb_says_what_it_did_unless_quiet(tmp_path):
    course = copy_course(tmp_path / "course")
    said = course_main(course, "generate", LESSON)
    assert said.returncode == 0 and f"generated release/{LESSON}" in said.stderr and said.stdout == ""
    quiet = course_main(course, "-q", "generate", LESSON)
    assert quiet.returncode == 0 and quiet.stderr == "" and quiet.stdout == ""


def test_progress_lines_follow_the_level(capsys, course_logger):
    log = logging.getLogger("course.cli.example")
    cli_main.configure_logging(0)
    with progress(log, 2, "grade") as shown:
        shown.advance("alice")
        shown.advance("bob")
    assert "grade [2/2]" in capsys.readouterr().out
    cli_main.configure_logging(-1)
    with progress(log, 2, "grade") as shown:
        shown.advance("alice")
    assert capsys.readouterr().out == ""


def test_hushed_keeps_warnings_and_gives_way_to_verbose(capsys, course_logger):
    log = logging.getLogger("course.cli.release")
    cli_main.configure_logging(0)
    with hushed("course.cli.release"):
        log.info("released")
        log.warning("the exchange is full")
    log.info("after")
    err = capsys.readouterr().err
    assert "released" not in err and "the exchange is full" in err and "after" in err
    cli_main.configure_logging(1)
    with hushed("course.cli.release"):
        log.info("released")
    assert "released" in capsys.readouterr().err


def test_zip_collect_warns_of_the_files_it_skipped(tmp_path):
    import zipfile

    course = copy_course(tmp_path / "course")
    lesson = "02-active-listening"
    archive = tmp_path / "download.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.write(course / "release" / lesson / f"{lesson}.ipynb", f"ann_100_150_{lesson}.ipynb")
        zf.writestr("readme.txt", "not a submission")
    said = course_main(course, "collect", lesson, "--zip", str(archive))
    assert said.returncode == 0, said.stderr
    assert "warning:" in said.stderr and "readme.txt" in said.stderr
    assert f"{lesson}: 1 submission(s) in submitted/ after importing download.zip" in said.stderr
    assert (course / "submitted" / "ann" / lesson / f"{lesson}.ipynb").is_file()
