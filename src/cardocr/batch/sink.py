"""Where a batch job's answers go, and what an earlier run with the same output already did.

One record per image: {"source": ..., "result": {...}} (the API's answer) or {"source": ...,
"error_code": ..., "error_msg": ...} (the API's error body).

* JSON lines (`--out results.jsonl`): appended and flushed line by line as answers arrive, so
  a crash loses only the images in flight. A resumed run first cuts a half-written last line.
* Parquet (`--format parquet --out results.parquet`): a folder of part files, one written
  (to a hidden temporary name, then renamed, so a reader never sees half a file) every
  PART_ROWS answers or PART_SECONDS, and at the end; a crash loses at most the answers not yet
  in a part. Columns: source, result (the answer as JSON text: its shape depends on the
  document and side), error_code, error_msg.
"""

from __future__ import annotations

import json
import os
import time
import uuid
from pathlib import Path
from typing import Any, Protocol

PART_ROWS = 256
PART_SECONDS = 30.0


class Sink(Protocol):
    def done(self) -> set[str]:
        """The sources an earlier run already answered."""

    def write(self, record: dict[str, Any]) -> None: ...

    def close(self) -> None: ...


class JsonlSink:
    def __init__(self, path: Path) -> None:
        self.path = path
        self._file: Any = None

    def done(self) -> set[str]:
        if not self.path.exists():
            return set()
        data = self.path.read_bytes()
        end = data.rfind(b"\n") + 1
        if end != len(data):  # a line cut by a crash: its image is read again
            with open(self.path, "r+b") as f:
                f.truncate(end)
        done = set()
        for line in data[:end].splitlines():
            try:
                done.add(json.loads(line)["source"])
            except (ValueError, KeyError, TypeError):
                continue  # not one of ours: left in place, never read as done
        return done

    def write(self, record: dict[str, Any]) -> None:
        if self._file is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._file = open(self.path, "a", encoding="utf-8")
        self._file.write(json.dumps(record, ensure_ascii=False) + "\n")
        self._file.flush()

    def close(self) -> None:
        if self._file is not None:
            self._file.close()
            self._file = None


class ParquetSink:
    COLUMNS = ("source", "type", "result", "error_code", "error_msg")  # "type" is set with --type auto

    def __init__(self, path: Path) -> None:
        self.path = path
        self._rows: list[dict[str, Any]] = []
        self._since = time.monotonic()

    def done(self) -> set[str]:
        if not self.path.exists():
            return set()
        if not self.path.is_dir():
            raise ValueError(f"{self.path} is not a folder of Parquet parts")
        import pyarrow.parquet as pq

        done: set[str] = set()
        for part in sorted(self.path.glob("part-*.parquet")):
            done.update(pq.read_table(part, columns=["source"]).column("source").to_pylist())
        return done

    def write(self, record: dict[str, Any]) -> None:
        result = record.get("result")
        self._rows.append({"source": record["source"], "type": record.get("type"),
                           "result": None if result is None else json.dumps(result, ensure_ascii=False),
                           "error_code": record.get("error_code"), "error_msg": record.get("error_msg")})
        if len(self._rows) >= PART_ROWS or time.monotonic() - self._since >= PART_SECONDS:
            self._flush()

    def _flush(self) -> None:
        self._since = time.monotonic()
        if not self._rows:
            return
        import pyarrow as pa
        import pyarrow.parquet as pq

        table = pa.table({c: pa.array([r[c] for r in self._rows], pa.string()) for c in self.COLUMNS})
        self.path.mkdir(parents=True, exist_ok=True)
        name = f"part-{time.strftime('%Y%m%dT%H%M%S')}-{uuid.uuid4().hex[:8]}.parquet"
        tmp = self.path / f".{name}.tmp"
        pq.write_table(table, tmp)
        os.replace(tmp, self.path / name)
        self._rows = []

    def close(self) -> None:
        self._flush()


def open_sink(path: Path, fmt: str) -> Sink:
    if fmt == "jsonl":
        return JsonlSink(path)
    if fmt == "parquet":
        return ParquetSink(path)
    raise ValueError(f"unknown format {fmt!r}: jsonl or parquet")
