"""course.coursedir.CourseDir: one answer to "where is it?" for every part of the course."""
from __future__ import annotations

from pathlib import Path

from course.coursedir import CourseDir, read_only_url, sqlite_file


def write_config(root: Path, text: str) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    (root / "nbgrader_config.py").write_text("c = get_config()\n" + text)
    return root


def test_folders_follow_the_config_not_fixed_names(tmp_path):
    root = write_config(tmp_path / "course", 'c.CourseDirectory.submitted_directory = "handed-in"\n'
                                             'c.CourseDirectory.autograded_directory = "marked"\n'
                                             'c.CoursePreprocessor.keys_dir = "/srv/keys"\n')
    course = CourseDir.at(root)
    assert course.root == root.resolve()
    assert course.folder("submitted", "02-al", "alice") == root.resolve() / "handed-in" / "alice" / "02-al"
    assert course.folder("autograded") == root.resolve() / "marked"
    assert course.folder("source", "02-al") == root.resolve() / "source" / "02-al"
    assert course.keys_dir == Path("/srv/keys")
    assert CourseDir.at(write_config(tmp_path / "plain", "")).keys_dir == (tmp_path / "plain").resolve() / "keys"


def test_a_config_that_sets_the_root_moves_every_folder(tmp_path):
    root = write_config(tmp_path / "here", 'c.CourseDirectory.root = "../elsewhere"\n')
    assert CourseDir.at(root).folder("release") == (tmp_path / "elsewhere").resolve() / "release"


def test_a_broken_config_still_gives_a_reader_the_default_layout(tmp_path):
    root = write_config(tmp_path / "c", "raise RuntimeError('broken')\n")
    assert CourseDir.readable(root).folder("autograded") == root.resolve() / "autograded"


def test_assignments_are_the_source_folders_with_a_notebook(tmp_path):
    root = write_config(tmp_path / "c", "")
    (root / "source" / "01-a").mkdir(parents=True)
    (root / "source" / "01-a" / "01-a.ipynb").write_text("{}")
    (root / "source" / "02-empty").mkdir()
    assert CourseDir.at(root).assignments() == ["01-a"]


def test_gradebook_urls(tmp_path):
    assert sqlite_file("sqlite:///gradebook.db", tmp_path) == tmp_path / "gradebook.db"
    assert sqlite_file("postgresql://u@h/db", tmp_path) is None
    assert read_only_url("sqlite:///gradebook.db", tmp_path, missing="empty") == "sqlite://"   # nothing created
    assert not (tmp_path / "gradebook.db").exists()
    (tmp_path / "gradebook.db").write_bytes(b"")
    assert read_only_url("sqlite:///gradebook.db", tmp_path).endswith("gradebook.db?mode=ro&uri=true")


def test_a_relative_keys_dir_is_under_the_root_wherever_the_command_runs(tmp_path, monkeypatch):
    root = write_config(tmp_path / "course", 'c.CoursePreprocessor.keys_dir = "answer_keys"\n')
    monkeypatch.chdir(tmp_path)
    assert CourseDir.at(root).keys_dir == root.resolve() / "answer_keys"


def test_the_course_is_found_by_its_configured_source_folder(tmp_path):
    from course.coursedir import find_root

    root = write_config(tmp_path / "course", 'c.CourseDirectory.source_directory = "instructor"\n')
    (root / "instructor" / "01-a").mkdir(parents=True)
    (root / "lessons").mkdir()
    assert find_root(root / "lessons") == root.resolve()
    student = write_config(root / "lessons" / "student", "")  # `course start`'s folder: a config, no source
    assert find_root(student) == root.resolve()


def test_a_folder_outside_the_root_is_shown_whole(tmp_path):
    root = write_config(tmp_path / "course", f'c.CourseDirectory.release_directory = "{tmp_path / "out"}"\n')
    course = CourseDir.at(root)
    assert course.folder("release", "01-a") == tmp_path / "out" / "01-a"
    assert course.shown(course.folder("release", "01-a")) == str(tmp_path / "out" / "01-a")
    assert course.shown(course.folder("source", "01-a")) == "source/01-a"
