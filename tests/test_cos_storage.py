"""The COS endpoint's storage interface (cardocr.cos.storage.Store), one contract for both
backends: the filesystem one under a temporary data_dir, and the S3 one against a real
S3-compatible server process (moto's standalone server, started here; never a mocked client).
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

import boto3
import pytest

from cardocr.cos.s3store import S3Store
from cardocr.cos.storage import FilesystemStore, ObjectMissing, key_digest
from cardocr.settings import S3Store as S3Settings

BUCKET = "cardocr-1250000000"
HOSTILE_KEYS = ["a b/c d.jpg", "证件/身份证 正面.jpg", "a+b%20c%2F.jpg", "..", "../../etc/passwd", "a//b", "/lead",
                "trail/", "./x", "a/../../b", "%", "+", "~!@#$^&*()[]{};',", "x" * 800]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def moto_server():
    """moto's S3-compatible server as a process of its own, on a free loopback port."""
    port = _free_port()
    env = {**os.environ, "AWS_ACCESS_KEY_ID": "test", "AWS_SECRET_ACCESS_KEY": "test"}
    proc = subprocess.Popen([sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        try:
            urllib.request.urlopen(url + "/", timeout=1).close()
            break
        except OSError:
            if time.monotonic() > deadline or proc.poll() is not None:
                proc.kill()
                raise RuntimeError("moto's server did not start") from None
            time.sleep(0.1)
    try:
        yield url
    finally:
        proc.terminate()
        proc.wait(10)


def _s3(url: str, bucket: str) -> S3Store:
    boto3.client("s3", endpoint_url=url, region_name="us-east-1", aws_access_key_id="test",
                 aws_secret_access_key="test").create_bucket(Bucket=bucket)
    return S3Store(S3Settings(endpoint_url=url, bucket=bucket, prefix="replica/", access_key="test",
                              secret_key="test"))


@pytest.fixture(params=["filesystem", "s3"])
def store(request, tmp_path):
    if request.param == "filesystem":
        return FilesystemStore(tmp_path)
    return _s3(request.getfixturevalue("moto_server"), f"t{abs(hash(request.node.name)) % 10**8}")


def test_put_get_head_delete(store):
    info = store.put(BUCKET, "photos/id 1.jpg", b"0123456789", "image/jpeg", {"who": "李明"})
    assert info.size == 10 and info.etag == '"781e5e245d69b566979b86e28d23f2c7"'  # md5 of the bytes
    head = store.head(BUCKET, "photos/id 1.jpg")
    assert (head.size, head.md5, head.content_type, head.meta) == (10, info.md5, "image/jpeg", {"who": "李明"})
    assert store.get(BUCKET, "photos/id 1.jpg")[1] == b"0123456789"
    assert store.get(BUCKET, "photos/id 1.jpg", 2, 4)[1] == b"234"
    assert store.get(BUCKET, "photos/id 1.jpg", 7)[1] == b"789"
    store.put(BUCKET, "photos/id 1.jpg", b"new", "text/plain", {})  # replaced whole
    assert store.get(BUCKET, "photos/id 1.jpg")[1] == b"new" and store.head(BUCKET, "photos/id 1.jpg").meta == {}
    store.delete(BUCKET, "photos/id 1.jpg")
    for call in (store.head, store.get):
        with pytest.raises(ObjectMissing):
            call(BUCKET, "photos/id 1.jpg")
    store.delete(BUCKET, "photos/id 1.jpg")  # deleting what is not there is not an error


def test_hostile_keys_are_objects_not_paths(store, tmp_path):
    for i, key in enumerate(HOSTILE_KEYS):
        store.put(BUCKET, key, f"object {i}".encode(), "application/octet-stream", {})
    store.put(BUCKET, "a", b"file a", "text/plain", {})  # a key and a "directory" of the same name
    store.put(BUCKET, "a/b", b"file a/b", "text/plain", {})
    for i, key in enumerate(HOSTILE_KEYS):
        assert store.get(BUCKET, key)[1] == f"object {i}".encode(), key
    assert store.get(BUCKET, "a")[1] == b"file a" and store.get(BUCKET, "a/b")[1] == b"file a/b"
    if isinstance(store, FilesystemStore):  # every file stays inside the bucket's directory
        files = [p for p in tmp_path.rglob("*") if p.is_file()]
        assert files and all(p.resolve().is_relative_to((tmp_path / BUCKET).resolve()) for p in files)
        assert {p.name.split(".")[0] for p in files if p.suffix == ".json"} >= {key_digest(k) for k in HOSTILE_KEYS}


def test_filesystem_concurrent_puts_of_one_key_leave_one_whole_object(tmp_path):
    store = FilesystemStore(tmp_path)
    bodies = [bytes([i]) * 200_000 for i in range(8)]

    def put(body: bytes) -> None:
        for _ in range(5):
            store.put(BUCKET, "same", body, "application/octet-stream", {})

    threads = [threading.Thread(target=put, args=(b,)) for b in bodies]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    info, data = store.get(BUCKET, "same")
    assert data in bodies and len(data) == info.size
    leftovers = [p for p in (tmp_path / BUCKET / "objects").rglob("*") if p.is_file() and p.suffix not in (".json",
                                                                                                         ".lock")]
    assert len(leftovers) == 1  # the replaced versions are gone
    assert not list((tmp_path / BUCKET / "tmp").iterdir())


def test_filesystem_leftovers_of_a_killed_put_are_not_objects(tmp_path: Path):
    store = FilesystemStore(tmp_path)
    store.put(BUCKET, "k", b"old", "text/plain", {})
    digest = key_digest("k")
    folder = tmp_path / BUCKET / "objects" / digest[:2]
    (folder / f"{digest}.deadbeef").write_bytes(b"half of a new")  # a version whose metadata never came
    (tmp_path / BUCKET / "tmp" / "x.part").write_bytes(b"half")
    assert store.get(BUCKET, "k")[1] == b"old"
    store.put(BUCKET, "k", b"new", "text/plain", {})
    assert store.get(BUCKET, "k")[1] == b"new"
    assert not (folder / f"{digest}.deadbeef").exists()  # collected by the next put of that key


def test_filesystem_sweep_removes_old_leftovers_only(tmp_path: Path):
    """Startup's sweep: temporary files and unnamed versions older than the grace period go;
    a younger one (maybe a write in progress elsewhere), a name of another pattern, another
    bucket's directory and every object stay."""
    store = FilesystemStore(tmp_path)
    store.put(BUCKET, "k", b"current", "text/plain", {"a": "1"})
    store.put("other-1250000000", "k", b"elsewhere", "text/plain", {})
    digest = key_digest("k")
    folder = tmp_path / BUCKET / "objects" / digest[:2]
    tmp = tmp_path / BUCKET / "tmp"
    old, young = time.time() - 3600, time.time()
    planted = {  # path -> (mtime, removed by a sweep with a 600 s grace)
        tmp / f"{'a' * 32}.part": (old, True),
        tmp / f"{'b' * 32}.part": (young, False),
        tmp / "notes.part": (old, False),  # not a name this store gives
        tmp / f"{'c' * 32}.txt": (old, False),
        folder / f"{digest}.{'d' * 32}": (old, True),  # a version no metadata names
        folder / f"{digest}.{'e' * 32}": (young, False),
        tmp_path / "other-1250000000" / "tmp" / f"{'f' * 32}.part": (old, False),  # not a swept bucket
    }
    for path, (mtime, _gone) in planted.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"leftover")
        os.utime(path, (mtime, mtime))
    objects_before = sorted(p for p in tmp_path.rglob("*") if p.is_file() and p not in planted)
    assert store.sweep([BUCKET], grace_seconds=600) == 2
    for path, (_mtime, gone) in planted.items():
        assert path.exists() != gone, path.name
    assert sorted(p for p in tmp_path.rglob("*") if p.is_file() and p not in planted) == objects_before
    assert store.get(BUCKET, "k")[1] == b"current" and store.head(BUCKET, "k").meta == {"a": "1"}
    assert store.get("other-1250000000", "k")[1] == b"elsewhere"
    # with no metadata (the key deleted), every old version of it is garbage
    store.delete(BUCKET, "k")
    stale = folder / f"{digest}.{'9' * 32}"
    stale.write_bytes(b"x")
    os.utime(stale, (old, old))
    assert store.sweep([BUCKET, "missing-1250000000"], grace_seconds=600) == 1 and not stale.exists()


def test_filesystem_lock_files_go_with_their_keys(tmp_path: Path):
    """A key's lock file lives as long as the key: a DELETE (also of a key never written)
    leaves no file behind, so a store that sees many short-lived keys does not fill with
    locks; a lock a killed DELETE left is removed by the sweep."""
    store = FilesystemStore(tmp_path)
    for i in range(20):
        store.put(BUCKET, f"short-lived/{i}", b"x", "text/plain", {})
        store.delete(BUCKET, f"short-lived/{i}")
    store.delete(BUCKET, "never-written")
    store.put(BUCKET, "kept", b"y", "text/plain", {})
    left = sorted(p.name for p in (tmp_path / BUCKET / "objects").rglob("*") if p.is_file())
    digest = key_digest("kept")
    assert len(left) == 3 and {n.split(".")[0] for n in left} == {digest}  # its version, json, lock
    orphan = tmp_path / BUCKET / "objects" / "ab" / f"{'ab' * 32}.lock"
    orphan.parent.mkdir(parents=True, exist_ok=True)
    orphan.write_bytes(b"")
    store.sweep([BUCKET], grace_seconds=600)
    assert not orphan.exists() and (tmp_path / BUCKET / "objects" / digest[:2] / f"{digest}.lock").exists()
    assert store.get(BUCKET, "kept")[1] == b"y"


def test_filesystem_lock_unlinked_by_its_holder_is_not_shared(tmp_path: Path):
    """The holder of a key's lock removes the file (a DELETE); a writer that was waiting on
    the removed file must not count it as the lock: it takes the lock on a file that is at the
    path, so a third writer still waits for it."""
    from cardocr.cos.storage import _locked

    path = tmp_path / "k.lock"
    held, waiter_in, third_in = threading.Event(), threading.Event(), threading.Event()
    order: list[str] = []

    def holder():
        with _locked(path):
            held.set()
            time.sleep(0.3)  # the waiter is blocked on this file by now
            path.unlink()
            order.append("holder out")

    def waiter():
        held.wait()
        with _locked(path):
            waiter_in.set()
            order.append("waiter in")
            assert path.exists()
            time.sleep(0.3)
            order.append("waiter out")

    def third():
        waiter_in.wait()
        with _locked(path):
            third_in.set()
            order.append("third in")

    threads = [threading.Thread(target=f) for f in (holder, waiter, third)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(10)
    assert third_in.is_set()
    assert order == ["holder out", "waiter in", "waiter out", "third in"]
