"""The COS endpoint as `cardocr serve` runs it (cardocr.server.uvicorn_config with the COS
port's HTTP-layer answers), on a free loopback port in a thread, on a temporary data
directory; and requests signed as the official SDK signs them (cos_signed) for the forms the
SDK has no call for."""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

import uvicorn

from cardocr.cos.app import HTTP_ERRORS, create_cos_app
from cardocr.server import uvicorn_config
from cardocr.settings import Settings
from tests.liveserver import serving

REGION = "ap-beijing"


@dataclass
class LiveCos:
    port: int
    settings: Settings
    server: uvicorn.Server

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.port}"


@contextlib.contextmanager
def live_cos(settings: Settings, reader=None, store=None) -> Iterator[LiveCos]:
    app = create_cos_app(settings, reader, store=store)
    server = uvicorn.Server(uvicorn_config(app, settings, log_level="warning", wire=HTTP_ERRORS))
    with serving(server) as port:
        yield LiveCos(port, settings, server)


def cos_settings(data_dir: Path, **kw) -> Settings:
    return Settings(data_dir=data_dir, **kw)


def _q(s: str) -> str:
    return quote(s, safe="-_.~")


def authorization(secret_id: str, secret_key: str, method: str, key: str, params: dict[str, str],
                  headers: dict[str, str], *, start: int | None = None, expire: int = 600) -> str:
    """The Authorization value the official SDK (cos_auth.CosS3Auth) computes, written out
    from COS's "Request Signature" document: for requests the Python SDK has no call for (the
    PUT form of ci-process) and for the fuzz suite's forgeries."""
    begin = int(time.time()) - 60 if start is None else start
    sign_time = f"{begin};{begin + expire}"
    p = {_q(k).lower(): _q(v) for k, v in params.items()}
    h = {_q(k).lower(): _q(v) for k, v in headers.items()}
    http_string = (f"{method.lower()}\n/{key}\n" + "&".join(f"{k}={v}" for k, v in sorted(p.items())) + "\n"
                   + "&".join(f"{k}={v}" for k, v in sorted(h.items())) + "\n")
    sign_key = hmac.new(secret_key.encode(), sign_time.encode(), hashlib.sha1).hexdigest()
    to_sign = f"sha1\n{sign_time}\n{hashlib.sha1(http_string.encode()).hexdigest()}\n"
    sig = hmac.new(sign_key.encode(), to_sign.encode(), hashlib.sha1).hexdigest()
    return (f"q-sign-algorithm=sha1&q-ak={secret_id}&q-sign-time={sign_time}&q-key-time={sign_time}"
            f"&q-header-list={';'.join(sorted(h))}&q-url-param-list={';'.join(sorted(p))}&q-signature={sig}")
