"""The intake rules on their own (fast): the safe-id rule, spreadsheet-safe CSV, answers held
against their item, the bounded LMS reader, and the inbound's judgement of folders."""
from __future__ import annotations

import csv
import io
import json
import os
import time
import zipfile
from pathlib import Path

import pytest

from course.csv_safe import csv_text
from course.inbound import examine
from course.items.answer_check import NOT_AN_OPTION, checked_value
from course.lms_import import MAX_FILE_BYTES, LmsImport
from course.recording import AnswersFileError, parse_answers
from course.safe_names import is_safe_id, shown

LESSON = "02-active-listening"
REGEXP = r".*/(?P<student_id>[^/_]+)_(?:late_|LATE_)?(?:\d+_)*(?P<file_id>[^/]+)$"


@pytest.mark.parametrize("value", ["ann", "jean-luc", "a.b@x.org", "Zoë", "s_123", "x" * 64])
def test_safe_ids(value):
    assert is_safe_id(value)


@pytest.mark.parametrize("value", ["", "..", ".hidden", "-rf", "=2+5", '=HYPERLINK("x")', "a\nb", "a b", "a/b",
                                   "<img src=x onerror=alert(1)>", "x" * 65, "a+b", "\u202eabc", None, 5])
def test_unsafe_ids(value):
    assert not is_safe_id(value)


def test_an_id_is_shown_escaped():
    assert shown("eve\n=1+1") == "'eve\\n=1+1'" and "\n" not in shown("a\nb")


def test_every_csv_cell_is_quoted_and_formulas_are_text():
    text = csv_text(["id", "score"], [["=2+5", "-0.5"], ["@SUM(A1)", "3"], ["\tx", "+1-2"], ["ann", ""]])
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[1:] == [["'=2+5", "-0.5"], ["'@SUM(A1)", "3"], ["'\tx", "'+1-2"], ["ann", ""]]
    assert all(line.startswith('"') and line.endswith('"') for line in text.splitlines())


def test_an_answer_keeps_only_what_its_item_defines():
    item = {"options": {"a": "A", "b": "B", "c": "C"}}
    assert checked_value("multiple", ["c", "a"] + [f"x{i}" for i in range(60_000)], item) == (
        ["a", "c"], "60000 option id(s) that the item does not define were dropped")
    assert checked_value("single", "$\\foo$", item)[0] == NOT_AN_OPTION
    assert checked_value("single", "b", item) == ("b", "")
    lines = {"lines": {"O1": "", "O2": ""}, "labels": {"yes": "", "no": ""}}
    assert checked_value("classify", {"O1": "yes", "O2": "maybe", "O9": "no"}, lines)[0] == {"O1": "yes"}


def test_a_too_deep_answers_file_is_unreadable_not_a_crash():
    with pytest.raises(AnswersFileError, match="nested too deeply"):
        parse_answers("[" * 200_000 + "]" * 200_000, "deep.answers.json")


def _zip(path: Path, entries: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in entries.items():
            zf.writestr(name, data)
    return path


def test_a_students_archive_is_only_that_students_files(tmp_path):
    inner = io.BytesIO()
    with zipfile.ZipFile(inner, "w") as zf:
        zf.writestr(f"folder/vic_1_2_{LESSON}.ipynb", b"{}")
        zf.writestr(f"{LESSON}.answers.json", b"{}")
    archive = _zip(tmp_path / "lms.zip", {f"ann_1_2_{LESSON}.ipynb": b"{}", f"mal_1_2_{LESSON}.zip": inner.getvalue()})
    found = LmsImport(REGEXP, [".ipynb", ".json"]).read(archive)
    assert sorted(found.students) == ["ann", "mal"]
    assert sorted(found.students["mal"]) == [f"{LESSON}.answers.json", f"vic_1_2_{LESSON}.ipynb"]


def test_decompressed_bytes_are_bounded_whatever_the_header_says(tmp_path):
    archive = tmp_path / "lms.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr(f"ann_1_2_{LESSON}.ipynb", bytes(MAX_FILE_BYTES + 1))
    # make the header claim a tiny file: the reader must count what comes out
    data = bytearray(archive.read_bytes())
    with zipfile.ZipFile(archive) as zf:
        info = zf.infolist()[0]
    size = (MAX_FILE_BYTES + 1).to_bytes(4, "little")
    for at in [i for i in range(len(data) - 3) if bytes(data[i:i + 4]) == size]:
        data[at:at + 4] = (10).to_bytes(4, "little")
    archive.write_bytes(bytes(data))
    found = LmsImport(REGEXP, [".ipynb"]).read(archive)
    assert found.students == {} and any("too large" in r or "cannot be read" in r for r in found.refused)
    assert info.file_size == MAX_FILE_BYTES + 1


def _folder(inbound: Path, name: str, claimed: str | None = None) -> Path:
    folder = inbound / name
    folder.mkdir(parents=True)
    (folder / f"{LESSON}.ipynb").write_text("{}")
    if claimed:
        (folder / "timestamp.txt").write_text(claimed)
    return folder


def test_the_inbound_refuses_future_dates_and_unsafe_ids_and_corrects_backdating(tmp_path):
    now = time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime())
    _folder(tmp_path, f"vic+{LESSON}+{now}.000000 UTC", f"{now}.000000 UTC")
    _folder(tmp_path, f"vic+{LESSON}+2099-01-01 00:00:00.000000 UTC")
    _folder(tmp_path, f"=2+5+{LESSON}+{now}.000000 UTC")
    _folder(tmp_path, f"tim+{LESSON}+{now}.000000 UTC", "2000-01-01 00:00:00.000000 UTC")
    found = examine(tmp_path, LESSON, 100_000)
    assert sorted(found.chosen) == ["tim", "vic"] and "2099" not in found.chosen["vic"].filename
    said = "\n".join(found.messages())
    assert "impersonation" in said and "'=2+5'" in said and "student 'tim': timestamp.txt says 2000" in said
    assert found.chosen["tim"].late_stamp().year > 2000


def test_an_oversized_folder_falls_back_to_the_students_previous_one(tmp_path):
    _folder(tmp_path, f"ann+{LESSON}+2026-01-01 00:00:00.000000 UTC")
    big = _folder(tmp_path, f"ann+{LESSON}+2026-01-02 00:00:00.000000 UTC")
    with open(big / "video.mp4", "wb") as handle:
        handle.truncate(2_000_000)
    found = examine(tmp_path, LESSON, 1000)
    assert found.chosen["ann"].filename.startswith(f"ann+{LESSON}+2026-01-01")
    assert "larger than 1000 kB" in "\n".join(found.messages())
