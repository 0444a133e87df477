"""Service settings: embedded defaults < TOML file (CARDOCR_CONFIG) < environment < explicit kwargs.

Environment variables: CARDOCR_HOST, CARDOCR_PORT, CARDOCR_COS_PORT, CARDOCR_DATA_DIR,
CARDOCR_CONFIG (path to a TOML file), and CARDOCR_WORKERS / CARDOCR_ENGINE_THREADS / CARDOCR_REVIEW_THRESHOLD /
CARDOCR_TOKEN_SECRET / CARDOCR_METRICS_TOKEN for the scalar fields.

The TOML file may hold:

    host = "0.0.0.0"
    port = 8080                              # the Huawei API (and its IAM)
    cos_port = 8081                          # the Tencent COS endpoint (cardocr.cos)
    data_dir = "./data"                      # the COS buckets' objects (filesystem storage)
    token_secret = "long random string"      # absent -> random per process
    metrics_token = "long random string"     # GET /metrics wants "Authorization: Bearer <it>";
                                             # absent -> /metrics is open
    url_allowlist = ["minio.internal", "10.1.2.0/24", "127.0.0.1:9000"]
    workers = 2                              # inference worker processes (default: the cores)
    engine_threads = 1                       # onnxruntime threads per worker (default: cores / workers)
    review_threshold = 0.9                   # a field's calibrated confidence below it sends
                                             # the card to review (return_confidence; default:
                                             # each document's, measured with its map)

    [limits]
    max_body_bytes = 14680064
    max_image_bytes = 10485760
    max_download_bytes = 10485760
    url_fetch_timeout_seconds = 10.0
    max_header_bytes = 131072          # request line + headers
    header_timeout_seconds = 10.0
    body_timeout_seconds = 60.0
    keep_alive_seconds = 5
    max_connections = 32               # open connections / requests in flight
    max_queue = 2                      # requests waiting for an inference worker (default: one per two workers)
    request_deadline_seconds = 30.0    # queue wait + reading
    retry_after_seconds = 1            # the Retry-After of a 503
    shutdown_timeout_seconds = 30.0    # in-flight requests' time to finish on SIGTERM

    [review]                           # the console's review store: off without a path
    path = "/var/lib/cardocr/reviews.sqlite"
    retention_days = 30

    [[accounts]]
    user = "alice"
    password = "..."
    domain = "acme"
    project_id = "0123456789abcdef0123456789abcdef"
    project_name = "cn-north-4"
    access_key = ""
    secret_key = ""

    [cos]
    storage = "filesystem"                   # or "s3": an S3-compatible store shared by replicas
    leftover_grace_seconds = 600             # filesystem: on startup, what killed writes left and is older goes
    [[cos.buckets]]
    name = "cardocr-1250000000"              # <name>-<appid>, as COS names buckets
    owner = "alice"                          # an [[accounts]] user: its access_key signs for it
    domains = ["ocr.example.com"]            # optional: Host names that mean this bucket
    [cos.s3]                                 # with storage = "s3"
    endpoint_url = "http://minio.internal:9000"
    bucket = "cardocr"                       # objects live under <prefix><cos bucket>/<key>
    prefix = ""
    region = "us-east-1"
    access_key = "..."
    secret_key = "..."

With no `[[accounts]]` a single local development account is used (see DEV_* below); with no
`[[cos.buckets]]` a single development bucket (DEV_BUCKET) owned by the first account.
"""

from __future__ import annotations

import os
import secrets
import tomllib
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict

DEV_USER = "cardocr"
DEV_PASSWORD = "cardocr-dev"
DEV_DOMAIN = "cardocr"
DEV_PROJECT_ID = "0000000000000000000000000000dev0"
DEV_PROJECT_NAME = "cn-north-4"
# the development account's AK/SK pair (README "Calling it"); an AK is
# 20 characters and an SK 40 on Huawei Cloud
DEV_ACCESS_KEY = "CARDOCRDEVACCESSKEY0"
DEV_SECRET_KEY = "cardocrDevSecretKey000000000000000000000"

# the COS development bucket (README "Tencent COS"): `<name>-<appid>`, Tencent's own example appid
DEV_BUCKET = "cardocr-1250000000"

MB = 1024 * 1024

# One random secret per process: every Settings() built in this process shares it, so a
# token issued by one app instance validates in another (tests, CLI + server in-process).
_PROCESS_TOKEN_SECRET = secrets.token_urlsafe(48)


def usable_cores() -> int:
    """The cores this process may run on (`taskset` and cgroup cpusets narrow them)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


class Account(BaseModel):
    user: str
    password: str
    domain: str
    project_id: str
    project_name: str = DEV_PROJECT_NAME
    access_key: str = ""  # AK/SK signatures (cardocr.aksk): both set, or neither
    secret_key: str = ""

    @model_validator(mode="after")
    def _key_pair(self) -> Account:
        if bool(self.access_key) != bool(self.secret_key):
            raise ValueError(f"account {self.user!r}: access_key and secret_key go together")
        return self


def _dev_accounts() -> list[Account]:
    return [
        Account(
            user=DEV_USER,
            password=DEV_PASSWORD,
            domain=DEV_DOMAIN,
            project_id=DEV_PROJECT_ID,
            project_name=DEV_PROJECT_NAME,
            access_key=DEV_ACCESS_KEY,
            secret_key=DEV_SECRET_KEY,
        )
    ]


class Limits(BaseModel):
    max_body_bytes: int = 14 * MB  # raw request body (base64 of 10 MB + JSON slack)
    max_image_bytes: int = 10 * MB  # decoded image
    max_download_bytes: int = 10 * MB  # image fetched from a URL
    url_fetch_timeout_seconds: float = 10.0  # whole download, all redirects included
    min_image_edge: int = 15
    max_image_edge: int = 8192
    max_redirects: int = 3
    # the HTTP layer (cardocr.server; README "HTTP-layer limits"): request line + headers over
    # max_header_bytes -> 494 APIGW.0201; a head not complete within header_timeout_seconds of
    # the connection opening or the previous answer -> 408 APIGW.0201 (or a plain close when
    # nothing came); a body not complete within body_timeout_seconds -> 408 APIGW.0201; an idle
    # keep-alive connection is closed after keep_alive_seconds; more than max_connections open
    # connections or requests in flight -> 503 ModelArts.4401
    max_header_bytes: int = Field(default=128 * 1024, ge=1024)
    header_timeout_seconds: float = Field(default=10.0, gt=0)
    body_timeout_seconds: float = Field(default=60.0, gt=0)
    keep_alive_seconds: int = Field(default=5, ge=1)
    max_connections: int = Field(default=32, ge=1)
    # the inference pool (cardocr.serving; README "Operating cardocr"): a request that finds
    # max_queue others already waiting for a worker (None: one per two workers, see queue_for)
    # is refused at once, 503 ModelArts.4401 with Retry-After: retry_after_seconds; one whose
    # reading (queue wait included) takes longer than request_deadline_seconds is answered 504
    # ModelArts.4402 (a worker still busy with it then is replaced). On SIGTERM new connections
    # are refused and requests in flight get up to shutdown_timeout_seconds to finish.
    max_queue: int | None = Field(default=None, ge=0)
    request_deadline_seconds: float = Field(default=30.0, gt=0)
    retry_after_seconds: int = Field(default=1, ge=0)
    shutdown_timeout_seconds: float = Field(default=30.0, ge=0)

    def queue_for(self, workers: int) -> int:
        """Requests that may wait for one of `workers` workers. By default one per two workers
        (at least one): a waiting request then starts when the first of two busy workers is
        free, about a third of a reading later on average. One per worker made an accepted
        request wait up to a whole reading, and the accepted p95 at 4x overload sat on the
        issue's 2x bar (2.1-2.2x the unloaded p95); none at all left a worker idle between an
        answer and the next arrival (a fifth fewer cards/s under overload)."""
        return self.max_queue if self.max_queue is not None else (workers + 1) // 2


class Review(BaseModel):
    """The console's review store (cardocr.console.store): nothing is stored without a path."""

    path: Path | None = None  # an SQLite file, created on first use
    retention_days: float = Field(default=30, gt=0)  # a saved card is deleted this long after

    @field_validator("path")
    @classmethod
    def _writable_folder(cls, path: Path | None) -> Path | None:
        # refused at start-up, not with an internal error on the first review saved
        if path is not None and not (path.parent.is_dir() and os.access(path.parent, os.W_OK)):
            raise ValueError(f"review path {path}: its folder does not exist or is not writable")
        return path


_BUCKET_NAME = r"^[a-z0-9](?:[a-z0-9-]{0,48}[a-z0-9])?-[0-9]{1,12}$"


class CosBucket(BaseModel):
    """A COS bucket: `name` is `<name>-<appid>`; `owner` is the `user` of an account, whose
    access key signs requests for it; `domains` are Host names that mean this bucket."""

    name: str = Field(pattern=_BUCKET_NAME)
    owner: str
    domains: list[str] = Field(default_factory=list)

    @field_validator("domains")
    @classmethod
    def _lower(cls, domains: list[str]) -> list[str]:
        return [d.lower() for d in domains]


class S3Store(BaseModel):
    """An S3-compatible object store (MinIO, Ceph RGW, COS itself) for cos.storage = "s3"."""

    endpoint_url: str | None = None
    bucket: str = "cardocr"
    prefix: str = ""
    region: str = "us-east-1"
    access_key: str | None = None  # None: boto3's own credential chain
    secret_key: str | None = None


class Cos(BaseModel):
    storage: Literal["filesystem", "s3"] = "filesystem"
    # On startup the filesystem store removes the temporary files and unnamed versions killed
    # writes left (cos.storage.FilesystemStore.sweep) once they are this old: a younger one
    # may be a write in progress by another process sharing the directory. A write's temporary
    # file lives for as long as writing and syncing at most 14 MiB take (seconds).
    leftover_grace_seconds: float = Field(default=600.0, ge=0)
    buckets: list[CosBucket] = Field(default_factory=list)  # empty: the development bucket
    s3: S3Store = Field(default_factory=S3Store)


class _TomlSource(PydanticBaseSettingsSource):
    """Reads the TOML file named by the `config` kwarg or CARDOCR_CONFIG."""

    def __init__(self, settings_cls: type[BaseSettings], init_kwargs: dict[str, Any]) -> None:
        super().__init__(settings_cls)
        self._init_kwargs = init_kwargs

    def get_field_value(self, field, field_name):  # pragma: no cover - unused, __call__ is used
        return None, field_name, False

    def __call__(self) -> dict[str, Any]:
        path = self._init_kwargs.get("config") or os.environ.get("CARDOCR_CONFIG")
        if not path:
            return {}
        p = Path(path)
        try:
            with p.open("rb") as fh:
                data = tomllib.load(fh)
        except FileNotFoundError as exc:
            raise ValueError(f"config file not found: {p}") from exc
        except tomllib.TOMLDecodeError as exc:
            raise ValueError(f"config file {p} is not valid TOML: {exc}") from exc
        data.pop("config", None)
        return data


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="CARDOCR_", extra="ignore")

    host: str = "127.0.0.1"
    port: int = 8080
    cos_port: int = 8081
    data_dir: Path = Path("./data")
    config: Path | None = None
    accounts: list[Account] = Field(default_factory=_dev_accounts)
    token_secret: str = Field(default_factory=lambda: _PROCESS_TOKEN_SECRET, min_length=16)
    # GET /metrics asks for "Authorization: Bearer <metrics_token>"; None: open (a scraper on
    # a private network)
    metrics_token: SecretStr | None = Field(default=None, min_length=16)
    token_ttl_seconds: int = 24 * 3600
    url_allowlist: list[str] = Field(default_factory=list)
    limits: Limits = Field(default_factory=Limits)
    review: Review = Field(default_factory=Review)
    cos: Cos = Field(default_factory=Cos)
    # inference workers: processes under `cardocr serve` (cardocr.serving.workers), threads
    # of the one process when an app is built with an in-process reader (tests)
    workers: int = Field(default_factory=lambda: usable_cores(), ge=1, le=64)
    # onnxruntime's intra-op threads per model run; None: the cores shared out among the
    # workers (engine_threads_per_worker), so N busy workers do not fight over the cores
    engine_threads: int | None = Field(default=None, ge=1, le=64)
    # a field whose calibrated confidence (cardocr.confidence) is below this sends its card
    # to review: higher sends more cards to a person and lets fewer wrong fields through.
    # None: each document's default, measured with its calibration map (cardocr.confidence.
    # threshold: at most 0.5% of wrong fields slipping, at most 15% of cards sent)
    review_threshold: float | None = Field(default=None, ge=0.0, le=1.0)

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        init_kwargs = getattr(init_settings, "init_kwargs", {}) or {}
        return (init_settings, env_settings, _TomlSource(settings_cls, init_kwargs))

    @field_validator("accounts")
    @classmethod
    def _unique_access_keys(cls, accounts: list[Account]) -> list[Account]:
        keys = [a.access_key for a in accounts if a.access_key]
        if len(keys) != len(set(keys)):
            raise ValueError("two accounts share an access_key")
        return accounts

    @model_validator(mode="after")
    def _cos_buckets(self) -> Settings:
        if not self.cos.buckets and self.accounts:
            self.cos.buckets = [CosBucket(name=DEV_BUCKET, owner=self.accounts[0].user)]
        users = {a.user for a in self.accounts}
        names = [b.name for b in self.cos.buckets]
        if len(names) != len(set(names)):
            raise ValueError("two [[cos.buckets]] share a name")
        for b in self.cos.buckets:
            if b.owner not in users:
                raise ValueError(f"cos bucket {b.name!r}: owner {b.owner!r} is not an account's user")
        return self

    @property
    def engine_threads_per_worker(self) -> int:
        """Each worker process's onnxruntime threads: as configured, else the usable cores
        divided among the workers (at least one)."""
        return self.engine_threads or max(1, usable_cores() // self.workers)

    @property
    def engine_threads_in_process(self) -> int:
        """The threads of the one engine a process shares among its reading threads (the CLI,
        an app with an in-process reader): as configured, else every usable core."""
        return self.engine_threads or usable_cores()

    @property
    def using_dev_account(self) -> bool:
        return any((a.user == DEV_USER and a.password == DEV_PASSWORD) or a.access_key == DEV_ACCESS_KEY
                   for a in self.accounts)


def load_settings(**overrides: Any) -> Settings:
    """Settings from env + optional TOML; `None` overrides are dropped (handy for CLI flags)."""
    return Settings(**{k: v for k, v in overrides.items() if v is not None})
