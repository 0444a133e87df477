"""Where the COS endpoint keeps objects: one small interface (Store) and the embedded default,
a directory per bucket under settings.data_dir (FilesystemStore). cardocr.cos.s3store is the
S3-compatible one, for replicas that share one store.

A key is any UTF-8 string COS accepts (spaces, Chinese, `+`, `%`, slashes, `..`, empty
segments): it never becomes a path. An object lives in files named after the SHA-256 of its
key, so no key can name a file outside its bucket's directory, and `a` and `a/b` can both exist.

    <data_dir>/<bucket>/objects/<h[:2]>/<h>.json          the metadata: the commit point
    <data_dir>/<bucket>/objects/<h[:2]>/<h>.<version>     the bytes it names
    <data_dir>/<bucket>/tmp/                              writes in progress

A put writes the bytes to a temporary file, fsyncs it, renames it to a new version's name,
then writes the metadata the same way (temporary file, fsync, rename, fsync of the directory)
and only then removes the previous version. A process killed at any point leaves the old
metadata naming the old bytes, or the new metadata naming the new bytes: the old object or
the new one, never half of one. What a killed put leaves is garbage: a temporary file in
tmp/, or a version no metadata names. The next put of that key removes the key's versions; on
startup `FilesystemStore.sweep` removes both kinds once they are older than a grace period (a
younger one may be another process's write in progress on a shared directory).
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import os
import re
import stat
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol


class StoreError(Exception):
    """The store failed (disk full, the S3 server down): not the client's fault."""


class ObjectMissing(Exception):
    """No object under that key."""


@dataclass(frozen=True)
class ObjectInfo:
    key: str
    size: int
    md5: str  # hex; the ETag is it in quotes
    content_type: str
    meta: dict[str, str] = field(default_factory=dict)  # x-cos-meta-* headers, lower-case names
    modified: float = 0.0  # POSIX seconds

    @property
    def etag(self) -> str:
        return f'"{self.md5}"'


class Store(Protocol):
    """Objects by (bucket, key). `bucket` is a configured bucket's name (never a client's
    string that was not checked against the configuration)."""

    def put(self, bucket: str, key: str, data: bytes, content_type: str, meta: dict[str, str]) -> ObjectInfo: ...

    def get(self, bucket: str, key: str, first: int = 0, last: int | None = None) -> tuple[ObjectInfo, bytes]:
        """The object's bytes first..last (inclusive; last None: to the end)."""
        ...

    def head(self, bucket: str, key: str) -> ObjectInfo: ...

    def delete(self, bucket: str, key: str) -> None:
        """Removes the object; a missing one is not an error (COS answers 204 either way)."""
        ...


def key_digest(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()


# The names this module gives what it writes: a temporary file (uuid4 hex + .part), an
# object's version (the key's SHA-256, a dot, uuid4 hex) and a key's lock (SHA-256 + .lock,
# removed with the key). sweep removes nothing else.
TEMP_NAME = re.compile(r"[0-9a-f]{32}\.part")
VERSION_NAME = re.compile(r"([0-9a-f]{64})\.[0-9a-f]{32}")
LOCK_NAME = re.compile(r"([0-9a-f]{64})\.lock")
DIGEST_DIR = re.compile(r"[0-9a-f]{2}")


class FilesystemStore:
    """Store on a local (or shared POSIX) filesystem, one directory per bucket."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)

    def sweep(self, buckets: list[str], grace_seconds: float) -> int:
        """Remove what killed puts left in these buckets' directories and is older than
        `grace_seconds`: temporary files in tmp/, and versions their key's metadata does not
        name (checked under the key's lock, so never a version a put is committing). Only
        names of this module's own patterns; never an object. Returns how many were removed."""
        cutoff = time.time() - grace_seconds
        removed = 0
        for bucket in buckets:
            removed += _remove_old(self.root / bucket / "tmp", TEMP_NAME, cutoff)
            objects = self.root / bucket / "objects"
            for folder in _entries(objects):
                if DIGEST_DIR.fullmatch(folder.name) and folder.is_dir():
                    removed += self._sweep_versions(folder, cutoff)
        return removed

    def _sweep_versions(self, folder: Path, cutoff: float) -> int:
        entries = _entries(folder)
        digests = {m[1] for p in entries if (m := VERSION_NAME.fullmatch(p.name) or LOCK_NAME.fullmatch(p.name))}
        removed = 0
        for digest in sorted(digests):
            with _locked(folder / f"{digest}.lock"):
                try:
                    record = self._read_meta(folder / f"{digest}.json")
                except StoreError:
                    continue  # metadata that cannot be read: which version it names is unknown
                named = str(record.get("version")) if record is not None else None
                removed += _remove_old(folder, VERSION_NAME, cutoff, _Keep(digest, named))
                if record is None:  # a key deleted by a process killed before it dropped the lock
                    _drop_lock(folder, digest)
        return removed

    # -- paths -----------------------------------------------------------------------------

    def _dir(self, bucket: str, digest: str) -> Path:
        return self.root / bucket / "objects" / digest[:2]

    def _tmp(self, bucket: str) -> Path:
        tmp = self.root / bucket / "tmp"
        tmp.mkdir(parents=True, exist_ok=True)
        return tmp

    # -- writing ---------------------------------------------------------------------------

    def put(self, bucket: str, key: str, data: bytes, content_type: str, meta: dict[str, str]) -> ObjectInfo:
        digest = key_digest(key)
        info = ObjectInfo(key, len(data), hashlib.md5(data).hexdigest(), content_type, dict(meta), time.time())
        try:
            folder = self._dir(bucket, digest)
            folder.mkdir(parents=True, exist_ok=True)
            tmp = self._tmp(bucket)
            with _locked(folder / f"{digest}.lock"):  # one writer of a key at a time, across processes
                version = f"{digest}.{uuid.uuid4().hex}"
                _write_durably(tmp, folder / version, data)
                record = {"key": key, "size": info.size, "md5": info.md5, "content_type": content_type,
                          "meta": info.meta, "modified": info.modified, "version": version}
                _write_durably(tmp, folder / f"{digest}.json", json.dumps(record, ensure_ascii=False).encode())
                _collect(folder, digest, keep=version)
        except OSError as exc:
            raise StoreError(type(exc).__name__) from None
        return info

    def delete(self, bucket: str, key: str) -> None:
        digest = key_digest(key)
        folder = self._dir(bucket, digest)
        if not folder.is_dir():
            return
        try:
            with _locked(folder / f"{digest}.lock"):
                record = self._read_meta(folder / f"{digest}.json")
                if record is not None and record.get("key") == key:
                    os.unlink(folder / f"{digest}.json")  # the commit point: gone from here on
                    _fsync_dir(folder)
                    _collect(folder, digest, keep=None)
                _drop_lock(folder, digest)
        except OSError as exc:
            raise StoreError(type(exc).__name__) from None

    # -- reading ---------------------------------------------------------------------------

    @staticmethod
    def _read_meta(path: Path) -> dict[str, Any] | None:
        try:
            record = json.loads(path.read_bytes())
        except FileNotFoundError:
            return None
        except (OSError, ValueError) as exc:
            raise StoreError(type(exc).__name__) from None
        return record if isinstance(record, dict) else None

    def _record(self, bucket: str, key: str) -> tuple[Path, dict[str, Any]]:
        digest = key_digest(key)
        folder = self._dir(bucket, digest)
        record = self._read_meta(folder / f"{digest}.json")
        if record is None or record.get("key") != key:
            raise ObjectMissing()
        return folder, record

    @staticmethod
    def _info(record: dict[str, Any]) -> ObjectInfo:
        return ObjectInfo(str(record["key"]), int(record["size"]), str(record["md5"]), str(record["content_type"]),
                          {str(k): str(v) for k, v in dict(record.get("meta") or {}).items()},
                          float(record.get("modified", 0.0)))

    def head(self, bucket: str, key: str) -> ObjectInfo:
        return self._info(self._record(bucket, key)[1])

    def get(self, bucket: str, key: str, first: int = 0, last: int | None = None) -> tuple[ObjectInfo, bytes]:
        for _attempt in range(3):  # a put may replace the version between reading its name and opening it
            folder, record = self._record(bucket, key)
            try:
                with open(folder / str(record["version"]), "rb") as fh:
                    fh.seek(first)
                    data = fh.read() if last is None else fh.read(max(0, last - first + 1))
            except FileNotFoundError:
                continue
            except OSError as exc:
                raise StoreError(type(exc).__name__) from None
            return self._info(record), data
        raise StoreError("the object kept changing while it was read")


def _collect(folder: Path, digest: str, keep: str | None) -> None:
    """Remove this key's versions other than `keep` (what a put replaced, or what a killed put
    left behind); called under the key's lock. Best effort: a leftover is garbage, never an answer."""
    for name in os.listdir(folder):
        if name.startswith(digest + ".") and name != keep and not name.endswith((".json", ".lock")):
            with contextlib.suppress(OSError):
                os.unlink(folder / name)


@dataclass(frozen=True)
class _Keep:
    """Names a sweep of one key's versions keeps: other keys' versions, and the one its
    metadata names."""

    digest: str
    named: str | None

    def __call__(self, name: str) -> bool:
        return not name.startswith(self.digest + ".") or name == self.named


def _entries(folder: Path) -> list[Path]:
    try:
        return list(folder.iterdir())
    except FileNotFoundError:
        return []


def _remove_old(folder: Path, pattern: re.Pattern[str], cutoff: float,
                keep: Callable[[str], bool] = lambda _name: False) -> int:
    """Remove the regular files in `folder` whose names match `pattern` entirely, modified
    before `cutoff`, unless `keep` says otherwise. Best effort: a file that went meanwhile is
    not an error."""
    removed = 0
    for path in _entries(folder):
        if not pattern.fullmatch(path.name) or keep(path.name):
            continue
        with contextlib.suppress(FileNotFoundError):
            st = path.lstat()
            if stat.S_ISREG(st.st_mode) and st.st_mtime < cutoff:
                path.unlink()
                removed += 1
    return removed


@contextlib.contextmanager
def _locked(path: Path) -> Iterator[None]:
    """An exclusive advisory lock (flock: released by the kernel when a process dies). The
    holder may unlink the lock file (a deleted key's, _drop_lock): a waiter that then gets the
    lock on the unlinked file sees that the path names another file, or none, and tries again."""
    while True:
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            try:
                current = os.stat(path).st_ino == os.fstat(fd).st_ino
            except FileNotFoundError:
                current = False
        except BaseException:
            os.close(fd)
            raise
        if current:
            break
        os.close(fd)
    try:
        yield
    finally:
        os.close(fd)


def _drop_lock(folder: Path, digest: str) -> None:
    """Remove a key's lock file once the key has nothing stored (deleted, or never written: a
    DELETE of a missing key); called under that lock, so a waiter retries on a new file."""
    if any(name.startswith(digest + ".") and not name.endswith(".lock") for name in os.listdir(folder)):
        return
    with contextlib.suppress(FileNotFoundError):
        os.unlink(folder / f"{digest}.lock")


def _write_durably(tmp_dir: Path, target: Path, data: bytes) -> None:
    """`data` at `target`, whole or not at all: a temporary file, fsync, rename, directory fsync."""
    tmp = tmp_dir / f"{uuid.uuid4().hex}.part"
    try:
        with open(tmp, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    _fsync_dir(target.parent)


def _fsync_dir(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
