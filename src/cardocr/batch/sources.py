"""Where a batch job's images come from: a folder, a glob, a list file or an S3 prefix.

Every image is named by one string, its *source*: a local path as listed (absolute for a folder
or a glob; a list file's lines as written, relative ones taken from the list file's folder) or
`s3://bucket/key`. The source is what the output records and what a resumed run skips by.

Listing happens once, on the driver; reading happens in the Ray workers (read_source), so on a
cluster local paths must be visible from every node (a shared mount) — or use S3.
"""

from __future__ import annotations

import glob
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cardocr.errors import ImageSizeError, InvalidParameter, UrlFetchFailed

# what a folder or an S3 prefix is taken to hold (cardocr.intake.decode reads these formats;
# the format itself is told by magic bytes, the suffix only picks files out of a listing)
IMAGE_SUFFIXES = frozenset({".jpg", ".jpeg", ".png", ".bmp", ".tif", ".tiff"})
LIST_SUFFIXES = frozenset({".txt", ".lst", ".list"})
GLOB_CHARS = frozenset("*?[")


class SourceError(ValueError):
    """The SOURCE argument names nothing that can be listed (the CLI answers exit code 2)."""


@dataclass(frozen=True)
class S3Config:
    """How workers reach S3: an endpoint for MinIO, moto or another S3-compatible store
    (None: AWS, or boto3's own AWS_ENDPOINT_URL_S3 / AWS_ENDPOINT_URL). Credentials come from
    boto3's usual chain on each node (environment, ~/.aws, instance role), never from here."""

    endpoint_url: str | None = None

    @classmethod
    def from_env(cls, endpoint_url: str | None) -> S3Config:
        # resolved on the driver: workers on another node do not share its environment
        return cls(endpoint_url or os.environ.get("AWS_ENDPOINT_URL_S3") or os.environ.get("AWS_ENDPOINT_URL"))

    def client(self) -> Any:
        import boto3
        from botocore.config import Config

        return boto3.client("s3", endpoint_url=self.endpoint_url,
                            config=Config(retries={"max_attempts": 5, "mode": "standard"}))


def split_s3(uri: str) -> tuple[str, str]:
    """`s3://bucket/some/prefix` -> ("bucket", "some/prefix")."""
    bucket, _, key = uri.removeprefix("s3://").partition("/")
    if not bucket:
        raise SourceError(f"no bucket in {uri!r}")
    return bucket, key


def list_sources(source: str, s3: S3Config | None = None) -> list[str]:
    """Every image SOURCE names, sorted (a list file keeps its own order, without repeats)."""
    if source.startswith("s3://"):
        return _list_s3(source, s3 or S3Config.from_env(None))
    path = Path(source)
    if path.is_dir():
        return sorted(str(p.resolve()) for p in path.rglob("*")
                      if p.is_file() and p.suffix.lower() in IMAGE_SUFFIXES)
    if path.is_file() and path.suffix.lower() in LIST_SUFFIXES:
        return _list_file(path)
    if path.is_file():
        return [str(path.resolve())]  # one image
    if GLOB_CHARS & set(source):
        return sorted(str(Path(p).resolve()) for p in glob.glob(source, recursive=True) if Path(p).is_file())
    raise SourceError(f"{source!r} is not a folder, a glob, a list file ({', '.join(sorted(LIST_SUFFIXES))}), "
                      "an image or an s3:// prefix")


def _list_file(path: Path) -> list[str]:
    base = path.resolve().parent
    seen: dict[str, None] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        if not line.startswith("s3://") and not Path(line).is_absolute():
            line = str(base / line)
        seen.setdefault(line, None)
    return list(seen)


def _list_s3(uri: str, s3: S3Config) -> list[str]:
    bucket, prefix = split_s3(uri)
    keys = []
    for page in s3.client().get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix):
        for obj in page.get("Contents", []):
            key = obj["Key"]
            if Path(key).suffix.lower() in IMAGE_SUFFIXES:
                keys.append(f"s3://{bucket}/{key}")
    return sorted(keys)


def read_source(source: str, max_bytes: int, s3_client: Any = None) -> bytes:
    """The image's bytes, or the error the API would answer for it: a file that cannot be
    read is AIS.0101 (as `cardocr recognize` answers), an S3 object that cannot be fetched is
    ModelArts.4603 (as an image URL that cannot be), one over the size limit AIS.0103 (told
    from its size, before it is read)."""
    if source.startswith("s3://"):
        from botocore.exceptions import BotoCoreError, ClientError

        bucket, key = split_s3(source)
        try:
            obj = s3_client.get_object(Bucket=bucket, Key=key)
            if obj["ContentLength"] > max_bytes:
                obj["Body"].close()
                raise ImageSizeError()
            data: bytes = obj["Body"].read()
            return data
        except (BotoCoreError, ClientError):
            raise UrlFetchFailed() from None
    try:
        with open(source, "rb") as f:
            if os.fstat(f.fileno()).st_size > max_bytes:
                raise ImageSizeError()
            return f.read()
    except OSError:
        raise InvalidParameter("The image file cannot be read.") from None
