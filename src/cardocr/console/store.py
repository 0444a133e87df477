"""The console's optional review store: reviewed cards in one SQLite file, per project.

Off unless the config names a file (`[review] path`). Each card side a reviewer saves is one row,
keyed by the project, the card id the page gave it and its side, so saving a card again after a
correction replaces it. Rows older than `retention_days` (counted from their last save) are
deleted on every save and every read, so nothing outlives the retention period by more than the
time to the next request. The records hold what the reviewer saw and corrected: personal data,
stored only because the operator turned the store on.
"""

from __future__ import annotations

import json
import sqlite3
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from cardocr.errors import InvalidParameter

MAX_RECORDS = 1000  # per save: a review batch, not a bulk import
_TEXT = ("card_id", "file", "document", "side", "status", "error_code")

SCHEMA = """
CREATE TABLE IF NOT EXISTS review (
    project_id TEXT NOT NULL,
    card_id TEXT NOT NULL,
    side TEXT NOT NULL,
    saved_at REAL NOT NULL,
    saved_by TEXT NOT NULL,
    record TEXT NOT NULL,
    PRIMARY KEY (project_id, card_id, side)
);
CREATE INDEX IF NOT EXISTS review_saved_at ON review (saved_at);
"""


class ReviewStore:
    def __init__(self, path: Path, retention_days: float, clock: Callable[[], float] = time.time) -> None:
        self.path = path
        self.retention_seconds = retention_days * 86400
        self.clock = clock
        with self._db() as db:
            db.executescript(SCHEMA)

    @contextmanager
    def _db(self) -> Iterator[sqlite3.Connection]:
        """One connection per call (calls come from a thread pool), committed or rolled back."""
        db = sqlite3.connect(self.path, timeout=10)
        try:
            with db:
                yield db
        finally:
            db.close()

    def _purge(self, db: sqlite3.Connection) -> None:
        db.execute("DELETE FROM review WHERE saved_at < ?", (self.clock() - self.retention_seconds,))

    def save(self, project_id: str, user: str, records: list[dict[str, Any]]) -> int:
        now = self.clock()
        rows = [(project_id, r["card_id"], r["side"], now, user, json.dumps(r, ensure_ascii=False))
                for r in records]
        with self._db() as db:
            self._purge(db)
            db.executemany("INSERT OR REPLACE INTO review VALUES (?, ?, ?, ?, ?, ?)", rows)
        return len(rows)

    def records(self, project_id: str) -> list[dict[str, Any]]:
        """The project's saved records, newest first, each with when and by whom it was saved."""
        with self._db() as db:
            self._purge(db)
            rows = db.execute("SELECT record, saved_at, saved_by FROM review WHERE project_id = ? "
                              "ORDER BY saved_at DESC, card_id, side", (project_id,)).fetchall()
        return [{**json.loads(record), "saved_at": saved_at, "saved_by": saved_by}
                for record, saved_at, saved_by in rows]


def valid_records(data: dict[str, Any]) -> list[dict[str, Any]]:
    """`{"records": [...]}` as the console exports them: objects whose card_id, file, document,
    side, status and error_code are strings, `fields` an object of strings or Booleans and
    `corrected` a list of strings. Messages name the part, never a value."""
    records = data.get("records")
    if not isinstance(records, list) or not 0 < len(records) <= MAX_RECORDS:
        raise InvalidParameter(f"The parameter records must be a list of 1 to {MAX_RECORDS} objects.")
    for r in records:
        if not isinstance(r, dict) or not all(isinstance(r.get(k), str) for k in _TEXT) \
                or not r["card_id"] or len(r["card_id"]) > 64:
            raise InvalidParameter("Each record needs the strings " + ", ".join(_TEXT) + ".")
        fields, corrected = r.get("fields"), r.get("corrected")
        if not isinstance(fields, dict) or not all(isinstance(v, str | bool) for v in fields.values()):
            raise InvalidParameter("The fields of a record must be strings or booleans.")
        if not isinstance(corrected, list) or not all(isinstance(k, str) for k in corrected):
            raise InvalidParameter("The corrected of a record must be a list of field names.")
    return [{k: r[k] for k in (*_TEXT, "fields", "corrected")} for r in records]
