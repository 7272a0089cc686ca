"""Graded answers from the course recorder's store (course/recorder/), which the student cannot write.

On a course that names a recorder (`c.SnapshotRecordedAnswers.recorder_db_url`), graded answers
are taken from the record, a scenario's graded attempt being the first one the recorder saw; the
answers file keeps only practice answers, and where it disagrees with the record the student is
told. A store that cannot be read stops that student's grading: no record must never mean
"grade the student's file".
"""
from __future__ import annotations

from ..state import AnswersSnapshot


def take_graded_answers_from_recorder(snapshot: AnswersSnapshot, db_url: str, student: str | None,
                                      notebook_id: str) -> None:
    from ...recorder.replay import first_attempt, graded_answers
    from ...recorder.store import reader

    try:
        records = reader(db_url).records(student, notebook_id)
    except Exception as exc:  # noqa: BLE001 - no record must never mean "grade the student's file"
        raise RuntimeError(f"the course recorder's store {db_url.split('@')[-1]} cannot be read "
                           f"({exc}); {student} was not graded") from None
    replayed = graded_answers(records)
    in_file = snapshot.answers
    for item, record in in_file.items():
        if record.get("mode") == "practice" or item in replayed.answers:
            continue
        snapshot.problems.append(f"{item}: your answers file has a graded answer the course server never "
                                 f"recorded; it was not graded")
    for item, record in replayed.answers.items():
        mine = in_file.get(item, {}).get("value")
        if record["kind"] == "scenario":  # the graded attempt is attempt 1: compare that
            mine_first = first_attempt(mine)
            if mine_first is not None and mine_first.get("choices") != first_attempt(record["value"])["choices"]:
                snapshot.problems.append(f"{item}: attempt 1 in your answers file is not the attempt the "
                                         f"course server recorded first; the recorded attempt was graded")
        elif mine is not None and mine != record["value"]:
            snapshot.problems.append(f"{item}: your answers file differs from what the course server "
                                     f"recorded; the record was graded")
    snapshot.answers = {**{i: r for i, r in in_file.items() if r.get("mode") == "practice"},
                        **replayed.answers}
    snapshot.problems += replayed.notes
