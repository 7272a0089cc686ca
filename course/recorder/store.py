"""The recorder's append-only store: one row per graded save, never updated or deleted.

SQLAlchemy Core, so the same code writes SQLite (the default: a file only the recorder's user
may write) and PostgreSQL (when the course's gradebook is PostgreSQL). Triggers refuse UPDATE and
DELETE (and TRUNCATE on PostgreSQL) too, so not even a slip in this code can rewrite a record.
"""
from __future__ import annotations

import functools
import json
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

import sqlalchemy as sa

METADATA = sa.MetaData()
RECORDS = sa.Table(
    "course_records", METADATA,
    sa.Column("seq", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("user", sa.String(128), nullable=False, index=True),
    sa.Column("lesson", sa.String(128), nullable=False),
    sa.Column("item", sa.String(128), nullable=False),
    sa.Column("kind", sa.String(32), nullable=False),
    sa.Column("mode", sa.String(16), nullable=False),
    sa.Column("value", sa.Text, nullable=False),          # JSON
    sa.Column("recorded_at", sa.String(40), nullable=False),  # server time, UTC, ISO 8601
)
POSTGRES_APPEND_ONLY = [
    "CREATE OR REPLACE FUNCTION course_records_append_only() RETURNS trigger LANGUAGE plpgsql AS "
    "$$ BEGIN RAISE EXCEPTION 'course records are append-only'; END $$",
    "DROP TRIGGER IF EXISTS course_records_append_only ON course_records",
    "CREATE TRIGGER course_records_append_only BEFORE UPDATE OR DELETE OR TRUNCATE ON course_records "
    "FOR EACH STATEMENT EXECUTE FUNCTION course_records_append_only()",
]
APPEND_ONLY_TRIGGERS = [
    "CREATE TRIGGER IF NOT EXISTS course_records_no_update BEFORE UPDATE ON course_records "
    "BEGIN SELECT RAISE(ABORT, 'course records are append-only'); END",
    "CREATE TRIGGER IF NOT EXISTS course_records_no_delete BEFORE DELETE ON course_records "
    "BEGIN SELECT RAISE(ABORT, 'course records are append-only'); END",
]


@dataclass(frozen=True)
class Record:
    seq: int
    user: str
    lesson: str
    item: str
    kind: str
    mode: str
    value: Any
    recorded_at: str

    def as_json(self) -> dict:
        return {"seq": self.seq, "lesson": self.lesson, "item": self.item, "kind": self.kind,
                "mode": self.mode, "value": self.value, "recorded_at": self.recorded_at}


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="milliseconds")


class RecordStore:
    """Append and read records. `url` is an SQLAlchemy URL (sqlite:///path or postgresql://...)."""

    def __init__(self, url: str, read_only: bool = False):
        self.url = url
        if read_only and url.startswith("sqlite:///"):
            # The grader (the instructor) reads the recorder's file without taking a write lock.
            path = url[len("sqlite:///"):]
            self.engine = sa.create_engine("sqlite://", creator=lambda: _sqlite_read_only(path))
        else:
            self.engine = sa.create_engine(url, future=True)
        if not read_only:
            METADATA.create_all(self.engine)
            triggers = {"sqlite": APPEND_ONLY_TRIGGERS, "postgresql": POSTGRES_APPEND_ONLY}
            with self.engine.begin() as db:
                for statement in triggers.get(self.engine.dialect.name, []):
                    db.exec_driver_sql(statement)

    def append(self, user: str, lesson: str, item: str, kind: str, mode: str, value: Any) -> Record:
        row = {"user": user, "lesson": lesson, "item": item, "kind": kind, "mode": mode,
               "value": json.dumps(value, sort_keys=True, ensure_ascii=False), "recorded_at": _now()}
        with self.engine.begin() as db:
            seq = db.execute(RECORDS.insert().values(**row)).inserted_primary_key[0]
        return Record(seq=seq, **{**row, "value": value})

    def records(self, user: str, lesson: str | None = None, item: str | None = None) -> list[Record]:
        """One user's records, oldest first (optionally of one lesson, and of one item)."""
        query = sa.select(RECORDS).where(RECORDS.c.user == user)
        if lesson is not None:
            query = query.where(RECORDS.c.lesson == lesson)
        if item is not None:
            query = query.where(RECORDS.c.item == item)
        with self.engine.connect() as db:
            rows = db.execute(query.order_by(RECORDS.c.seq)).mappings().all()
        return [Record(**{**dict(row), "value": json.loads(row["value"])}) for row in rows]


@functools.lru_cache(maxsize=8)
def reader(url: str) -> RecordStore:
    """One read-only store per URL for the grader: a worker grades many submissions, and an
    engine (with its open file) per submission would pile up."""
    return RecordStore(url, read_only=True)


def _sqlite_read_only(path: str):
    import sqlite3

    return sqlite3.connect(f"file:{path}?mode=ro", uri=True, check_same_thread=False)
