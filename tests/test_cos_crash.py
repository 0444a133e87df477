"""A COS endpoint killed (SIGKILL) during a large PUT leaves the old object or the new one,
never half of one: the service runs as a process of its own (the COS app under
cardocr.server's uvicorn config, on a temporary data_dir); each round sends a new 12 MB body
over an old one and kills the process at another moment (mid-body, and 0 to 150 ms after the
last byte, while it hashes, writes, fsyncs and renames); then the store on disk is read
directly and the object must be the old or the new one, whole, with its own metadata.
A second test kills the process the moment its write's temporary file appears and restarts
it: the restart removes what the killed write left (FilesystemStore.sweep), and the object is
still the old one or the new one.
"""

from __future__ import annotations

import hashlib
import json
import os
import signal
import socket
import subprocess
import sys
import textwrap
import time
from pathlib import Path

from cardocr.cos.storage import FilesystemStore, key_digest
from cardocr.settings import DEV_ACCESS_KEY, DEV_BUCKET, DEV_SECRET_KEY
from cosserver import REGION, authorization

ROOT = Path(__file__).resolve().parents[1]
SIZE = 12 * 1024 * 1024
KEY = "big/photo 1.jpg"
HOST = f"{DEV_BUCKET}.cos.{REGION}.myqcloud.com"
# A fork server: imports cardocr once, then for each port read on stdin forks the service
# (a process of its own, killed by the test) and prints its pid. Paying the imports once keeps
# the rounds fast on a loaded machine.
FORK_SERVER = textwrap.dedent("""
    import os, sys, uvicorn
    from cardocr.cos.app import HTTP_ERRORS, create_cos_app
    from cardocr.server import uvicorn_config
    from cardocr.settings import Settings
    for line in sys.stdin:
        pid = os.fork()
        if pid == 0:
            settings = Settings(data_dir=sys.argv[1], cos_port=int(line),
                                cos={"leftover_grace_seconds": float(sys.argv[2])})
            app = create_cos_app(settings, reader=lambda doc, image, request: [])
            uvicorn.Server(uvicorn_config(app, settings, log_level="warning", port=settings.cos_port,
                                          wire=HTTP_ERRORS)).run()
            os._exit(0)
        print(pid, flush=True)
""")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Service:
    def __init__(self, data_dir: Path, grace_seconds: float = 600.0) -> None:
        self.forks = subprocess.Popen([sys.executable, "-c", FORK_SERVER, str(data_dir), str(grace_seconds)],
                                      cwd=ROOT, text=True,
                                      stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)

    def start(self) -> tuple[int, int]:
        """A new service process: (pid, port), once it accepts connections."""
        port = _free_port()
        assert self.forks.stdin is not None and self.forks.stdout is not None
        self.forks.stdin.write(f"{port}\n")
        self.forks.stdin.flush()
        pid = int(self.forks.stdout.readline())
        deadline = time.monotonic() + 30
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                return pid, port
            except OSError:
                if time.monotonic() > deadline:
                    raise RuntimeError("the COS process did not start") from None
                time.sleep(0.02)

    @staticmethod
    def kill(pid: int) -> None:
        os.kill(pid, signal.SIGKILL)
        while True:  # reaped by the fork server; wait until it is gone
            try:
                os.kill(pid, 0)
            except ProcessLookupError:
                return
            if Path(f"/proc/{pid}/stat").exists() and Path(f"/proc/{pid}/stat").read_text().split()[2] == "Z":
                return
            time.sleep(0.01)

    def close(self) -> None:
        self.forks.kill()
        self.forks.wait(10)


def _put_head(key: str, size: int) -> bytes:
    headers = {"Host": HOST, "Content-Type": "image/jpeg", "Content-Length": str(size)}
    auth = authorization(DEV_ACCESS_KEY, DEV_SECRET_KEY, "PUT", key, {}, headers)
    lines = [f"PUT /{key.replace(' ', '%20')} HTTP/1.1", *(f"{k}: {v}" for k, v in headers.items()),
             f"Authorization: {auth}"]
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


def _put(port: int, body: bytes) -> socket.socket:
    s = socket.create_connection(("127.0.0.1", port), timeout=10)
    s.sendall(_put_head(KEY, len(body)) + body)
    return s


def test_killed_during_put_leaves_old_or_new(tmp_path):
    data_dir = tmp_path / "cos"
    store = FilesystemStore(data_dir)
    bodies = [bytes([i]) * SIZE for i in range(1, 8)]
    service = Service(data_dir)
    try:
        pid, port = service.start()
        began = time.monotonic()
        s = _put(port, bodies[0])
        assert s.recv(4096).startswith(b"HTTP/1.1 200")
        whole = time.monotonic() - began  # how long one whole PUT takes here
        s.close()
        service.kill(pid)
        seen = {"old": 0, "new": 0}
        old = bodies[0]
        # a kill in the middle of the body, then at growing shares of a whole PUT's time after
        # its last byte (the server is still reading, hashing, writing, syncing, renaming)
        for new, share in zip(bodies[1:], (None, 0.0, 0.1, 0.25, 0.5, 0.8)):
            delay = None if share is None else share * whole
            pid, port = service.start()
            s = socket.create_connection(("127.0.0.1", port), timeout=10)
            try:
                if delay is None:
                    s.sendall(_put_head(KEY, len(new)) + new[: len(new) // 2])
                    time.sleep(0.2)
                else:
                    s.sendall(_put_head(KEY, len(new)) + new)
                    time.sleep(delay)
                service.kill(pid)
            finally:
                s.close()
            info, data = store.get(DEV_BUCKET, KEY)
            assert data in (old, new), "half an object"
            assert info.size == len(data) and info.md5 == hashlib.md5(data).hexdigest()  # its own metadata
            seen["old" if data == old else "new"] += 1
            old = data
    finally:
        service.close()
    print(f"killed during PUT: {seen}, a whole PUT {whole:.2f} s")
    assert seen["old"] >= 1  # the mid-body kill at least keeps the old one


def _leftovers(data_dir: Path) -> list[str]:
    """What a write in progress or killed leaves: temporary files, and versions of the key
    its metadata does not name."""
    tmp = data_dir / DEV_BUCKET / "tmp"
    folder = data_dir / DEV_BUCKET / "objects" / key_digest(KEY)[:2]
    out = [p.name for p in tmp.iterdir()] if tmp.is_dir() else []
    if folder.is_dir():
        try:
            named = json.loads((folder / f"{key_digest(KEY)}.json").read_bytes())["version"]
        except (FileNotFoundError, ValueError):
            named = None
        out += [p.name for p in folder.iterdir() if p.suffix not in (".json", ".lock") and p.name != named]
    return out


def test_restart_removes_what_a_killed_put_left(tmp_path):
    data_dir = tmp_path / "cos"
    store = FilesystemStore(data_dir)
    old, new = b"\x01" * SIZE, b"\x02" * SIZE
    service = Service(data_dir, grace_seconds=0)  # the test's leftovers are young
    try:
        pid, port = service.start()
        s = _put(port, old)
        assert s.recv(4096).startswith(b"HTTP/1.1 200")
        s.close()
        service.kill(pid)
        left: list[str] = []
        for _attempt in range(10):  # until a kill lands while the write is on disk
            pid, port = service.start()
            s = socket.create_connection(("127.0.0.1", port), timeout=10)
            s.sendall(_put_head(KEY, len(new)) + new)
            deadline = time.monotonic() + 10
            while not _leftovers(data_dir) and time.monotonic() < deadline:
                time.sleep(0.0005)
            service.kill(pid)
            s.close()
            left = _leftovers(data_dir)
            if left:
                break
        assert left, "no kill landed while the write was in progress"
        pid, _port = service.start()  # startup sweeps before it accepts connections
        assert _leftovers(data_dir) == []
        info, data = store.get(DEV_BUCKET, KEY)
        assert data in (old, new) and info.md5 == hashlib.md5(data).hexdigest()
        service.kill(pid)
    finally:
        service.close()
    print(f"a killed PUT left {left}; the restart removed them")
