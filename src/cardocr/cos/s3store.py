"""The COS endpoint's objects in an S3-compatible store (MinIO, Ceph RGW, COS itself), so that
several cardocr replicas share one store (settings `[cos] storage = "s3"`, `[cos.s3]`).

A COS bucket's object `key` is the S3 object `<prefix><cos bucket>/<key>` in the one S3 bucket
configured. An S3 PUT is atomic by itself (a reader sees the old object or the new one). The
content type and the x-cos-meta-* headers ride along as the S3 object's own; the MD5 is kept in
the S3 metadata too, as a store's ETag need not be one (multipart uploads, encryption).
Metadata values are percent-encoded there (S3 metadata is ASCII).
"""

from __future__ import annotations

import hashlib
from typing import Any
from urllib.parse import quote, unquote

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

from cardocr.cos.storage import ObjectInfo, ObjectMissing, StoreError
from cardocr.settings import S3Store as S3Settings

_MD5 = "cardocr-md5"  # S3 metadata name of the object's MD5 (hex)
_META = "m-"  # prefix of the x-cos-meta-* names inside the S3 metadata


class S3Store:
    def __init__(self, settings: S3Settings) -> None:
        self.bucket = settings.bucket
        self.prefix = settings.prefix
        self.client: Any = boto3.client(
            "s3", endpoint_url=settings.endpoint_url, region_name=settings.region,
            aws_access_key_id=settings.access_key, aws_secret_access_key=settings.secret_key,
            config=Config(retries={"max_attempts": 3, "mode": "standard"}, connect_timeout=5, read_timeout=30,
                          s3={"addressing_style": "path"}))

    def _name(self, bucket: str, key: str) -> str:
        return f"{self.prefix}{bucket}/{key}"

    def put(self, bucket: str, key: str, data: bytes, content_type: str, meta: dict[str, str]) -> ObjectInfo:
        md5 = hashlib.md5(data).hexdigest()
        # S3 metadata is ASCII: the values are percent-encoded (COS's may hold any header byte)
        metadata = {_MD5: md5, **{_META + k: quote(v, safe="") for k, v in meta.items()}}
        try:
            self.client.put_object(Bucket=self.bucket, Key=self._name(bucket, key), Body=data,
                                   ContentType=content_type, Metadata=metadata)
        except (BotoCoreError, ClientError) as exc:
            raise StoreError(type(exc).__name__) from None
        return self.head(bucket, key)

    def _info(self, key: str, answer: dict[str, Any], size: int) -> ObjectInfo:
        metadata = {str(k).lower(): str(v) for k, v in (answer.get("Metadata") or {}).items()}
        modified = answer.get("LastModified")
        return ObjectInfo(key, size, metadata.get(_MD5, str(answer.get("ETag", "")).strip('"')),
                          str(answer.get("ContentType") or "application/octet-stream"),
                          {k[len(_META):]: unquote(v) for k, v in metadata.items() if k.startswith(_META)},
                          modified.timestamp() if modified is not None else 0.0)

    def head(self, bucket: str, key: str) -> ObjectInfo:
        try:
            answer = self.client.head_object(Bucket=self.bucket, Key=self._name(bucket, key))
        except ClientError as exc:
            raise _missing_or_failed(exc) from None
        except BotoCoreError as exc:
            raise StoreError(type(exc).__name__) from None
        return self._info(key, answer, int(answer.get("ContentLength", 0)))

    def get(self, bucket: str, key: str, first: int = 0, last: int | None = None) -> tuple[ObjectInfo, bytes]:
        extra = {} if first == 0 and last is None else {"Range": f"bytes={first}-{'' if last is None else last}"}
        try:
            answer = self.client.get_object(Bucket=self.bucket, Key=self._name(bucket, key), **extra)
            data = answer["Body"].read()
        except ClientError as exc:
            raise _missing_or_failed(exc) from None
        except BotoCoreError as exc:
            raise StoreError(type(exc).__name__) from None
        size = int(str(answer.get("ContentRange", "")).rpartition("/")[2] or len(data))
        return self._info(key, answer, size), data

    def delete(self, bucket: str, key: str) -> None:
        try:
            self.client.delete_object(Bucket=self.bucket, Key=self._name(bucket, key))
        except (BotoCoreError, ClientError) as exc:
            raise StoreError(type(exc).__name__) from None


def _missing_or_failed(exc: ClientError) -> Exception:
    code = str(exc.response.get("Error", {}).get("Code", ""))
    return ObjectMissing() if code in ("404", "NoSuchKey", "NotFound") else StoreError(code or "ClientError")
