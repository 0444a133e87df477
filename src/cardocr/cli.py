"""Command line: `cardocr recognize IMAGE...`, `cardocr batch SOURCE` and `cardocr serve`."""

from __future__ import annotations

import ipaddress
import json
import logging
import sys
from dataclasses import replace
from pathlib import Path

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from cardocr.documents import AUTO, REGISTRY
from cardocr.errors import CardOcrError, InternalError, InvalidParameter
from cardocr.render.huawei import Flag, HuaweiOptions, WireDocument, error_body, wire_for

app = typer.Typer(add_completion=False, no_args_is_help=True, help="Self-hosted ID-card OCR.")

SIDES = ("front", "back", "double_side")
DOC_TYPES = tuple(REGISTRY)  # every registered document, each with its Huawei-style API


def _recognize_file(path: Path, doc_type: str, options: HuaweiOptions, engine, limits) -> tuple[bool, dict]:
    """One image through the same decoding limits and pipeline as the API's endpoint
    (huawei_ocr.recognize_bytes; with doc_type "auto" the answer also names the type)."""
    from cardocr.api import huawei_ocr

    try:
        try:
            data = path.read_bytes()
        except OSError:
            raise InvalidParameter("The image file cannot be read.") from None
        return True, huawei_ocr.recognize_bytes(doc_type, data, options, engine, limits)
    except CardOcrError as exc:
        return False, error_body(exc)
    except Exception as exc:  # noqa: BLE001 - a bug: logged with its traceback, counted, answered
        from cardocr.telemetry import report_internal_error

        report_internal_error(exc, "cli")
        return False, error_body(InternalError())


def _wire(doc_type: str) -> WireDocument:
    wire = wire_for(doc_type)
    assert wire is not None, doc_type  # every registered document has one
    return wire


@app.command()
def recognize(
    images: list[Path] = typer.Argument(..., help="Image files (JPEG, PNG, BMP, TIFF)."),
    doc_type: str = typer.Option(AUTO, "--type",
                                 help=f"Document type: {AUTO} (told from the card), {', '.join(DOC_TYPES)}."),
    side: str | None = typer.Option(None, "--side", help="front | back | double_side"),
    verification: bool = typer.Option(False, "--verification", help="Return verification."),
    text_location: bool = typer.Option(False, "--text-location", help="Return text boxes."),
    portrait_location: bool = typer.Option(False, "--portrait-location"),
    portrait_image: bool = typer.Option(False, "--portrait-image"),
    adjusted_image: bool = typer.Option(False, "--adjusted-image"),
    issuing_authority: bool = typer.Option(False, "--issuing-authority",
                                           help="driver-license: read the seal."),
    config: Path | None = typer.Option(None, "--config", help="TOML config [env CARDOCR_CONFIG]."),
) -> None:
    """Print the API's JSON ({"result": ...}) for each image; errors as Huawei error bodies.
    The answer always carries the calibrated confidences and the review verdict
    (return_confidence).

    With several images: one JSON object per line (with an extra "file" key) and a progress
    bar on stderr. Exit code 1 if any image failed.
    """
    err = Console(stderr=True)
    if doc_type not in (AUTO, *REGISTRY):
        err.print(f"unknown --type; choose one of: {AUTO}, {', '.join(REGISTRY)}")
        raise typer.Exit(2)
    if doc_type == AUTO:
        if side is not None:
            err.print("--side goes with a --type; auto tells the side from the card")
            raise typer.Exit(2)
    wire = _wire(doc_type) if doc_type != AUTO else None
    if wire is not None and side is not None and (side not in SIDES or not wire.takes_side):
        err.print(f"unknown --side; {doc_type} takes: {', '.join(SIDES) if wire.takes_side else 'none'}")
        raise typer.Exit(2)
    asked = {Flag.VERIFICATION: verification, Flag.TEXT_LOCATION: text_location,
             Flag.PORTRAIT_LOCATION: portrait_location, Flag.PORTRAIT_IMAGE: portrait_image,
             Flag.ADJUSTED_IMAGE: adjusted_image, Flag.ISSUING_AUTHORITY: issuing_authority,
             Flag.CONFIDENCE: True}
    # (auto: the options the told document does not take are dropped, per image)
    undocumented = [f.value for f, on in asked.items() if on and wire is not None and f not in wire.flags]
    if undocumented:
        err.print(f"{doc_type} does not take: {', '.join(undocumented)}")
        raise typer.Exit(2)
    options = HuaweiOptions(side, frozenset(f for f, on in asked.items() if on))

    from cardocr.ocr.engine import get_engine
    from cardocr.settings import load_settings

    settings = load_settings(config=config)
    options = replace(options, review_threshold=settings.review_threshold)
    engine = get_engine(settings.engine_threads_in_process)
    failed = False
    if len(images) == 1:
        ok, body = _recognize_file(images[0], doc_type, options, engine, settings.limits)
        failed = not ok
        sys.stdout.write(json.dumps(body, ensure_ascii=False, indent=2) + "\n")
    else:
        with Progress(
            TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
            TimeElapsedColumn(), console=err, transient=False,
        ) as progress:
            task = progress.add_task("recognizing", total=len(images))
            for path in images:
                ok, body = _recognize_file(path, doc_type, options, engine, settings.limits)
                failed |= not ok
                sys.stdout.write(json.dumps({"file": str(path), **body}, ensure_ascii=False) + "\n")
                sys.stdout.flush()
                progress.advance(task)
    if failed:
        raise typer.Exit(1)


@app.command()
def batch(
    source: str = typer.Argument(..., help="A folder, a glob, a list file (one path per line) or s3://bucket/prefix."),
    doc_type: str = typer.Option(AUTO, "--type",
                                 help=f"Document type: {AUTO} (told per image), {', '.join(DOC_TYPES)}."),
    out: Path = typer.Option(..., "--out", help="Output: JSON lines, or a folder of Parquet parts."),
    fmt: str = typer.Option("jsonl", "--format", help="jsonl | parquet"),
    side: str | None = typer.Option(None, "--side", help="front | back | double_side"),
    flags: list[str] = typer.Option([], "--flag", help="An API flag by its wire name, e.g. return_verification."),
    address: str | None = typer.Option(None, "--address", help="A Ray cluster (default: a local Ray)."),
    cpus: int | None = typer.Option(None, "--cpus", min=1, help="The local Ray's CPUs (default: all)."),
    workers: int | None = typer.Option(None, "--workers", min=1, help="Ray actors (default: CPUs / share)."),
    cpus_per_worker: int = typer.Option(1, "--cpus-per-worker", min=1, help="Each actor's CPUs and threads."),
    s3_endpoint: str | None = typer.Option(None, "--s3-endpoint", help="S3-compatible store [env AWS_ENDPOINT_URL]."),
    config: Path | None = typer.Option(None, "--config",
                                       help="TOML config (image limits, review threshold) [env CARDOCR_CONFIG]."),
) -> None:
    """Read every image of SOURCE on Ray: one record per image (the API's answer or error body,
    plus "source"), always with the calibrated confidences and the review verdict
    (return_confidence); a second run with the same --out skips the images already in it."""
    from cardocr import batch as batch_job
    from cardocr.settings import load_settings

    settings = load_settings(config=config)
    try:
        options = batch_job.batch_options(doc_type, side, flags, settings.review_threshold)
    except ValueError as exc:
        Console(stderr=True).print(str(exc))
        raise typer.Exit(2) from None
    limits = settings.limits
    job = batch_job.Job(doc_type, options, limits, batch_job.S3Config.from_env(s3_endpoint),
                        address, cpus, workers, cpus_per_worker)
    raise typer.Exit(batch_job.main(source, job, out, fmt))


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


@app.command()
def serve(
    host: str | None = typer.Option(None, "--host", help="Bind address [env CARDOCR_HOST, default 127.0.0.1]."),
    port: int | None = typer.Option(None, "--port", help="Port [env CARDOCR_PORT, default 8080]."),
    config: Path | None = typer.Option(None, "--config", help="TOML config [env CARDOCR_CONFIG]."),
    workers: int | None = typer.Option(None, "--workers", help="Inference worker processes "
                                       "[env CARDOCR_WORKERS, default: the usable cores]."),
    log_level: str = typer.Option("info", "--log-level"),
) -> None:
    """Run the HTTP APIs: Huawei OCR + IAM on `port`, Tencent COS (objects, CI IDCardOCR) on
    `cos_port`. Logs are JSON lines on stderr (cardocr.logs); the HTTP layer's limits come from
    the settings' [limits] (cardocr.server); readings run on `workers` processes, each with its
    models loaded once (cardocr.serving), one pool for both listeners."""
    from cardocr.api.app import create_app
    from cardocr.cos.app import HTTP_ERRORS, create_cos_app
    from cardocr.logs import configure_logging
    from cardocr.server import serve_all, uvicorn_config
    from cardocr.serving.inference import Inference
    from cardocr.serving.workers import ProcessBackend
    from cardocr.settings import load_settings

    configure_logging(log_level)
    try:
        settings = load_settings(host=host, port=port, config=config, workers=workers)
    except Exception as exc:  # noqa: BLE001
        Console(stderr=True).print(f"[red]invalid configuration:[/red] {exc}")
        raise typer.Exit(2) from None
    if settings.using_dev_account and not _is_loopback(settings.host):
        logging.getLogger("cardocr").warning(
            "serving on %s with the built-in development account; set [[accounts]] in a config file",
            settings.host,
        )
    logging.getLogger("cardocr").info(
        "starting %d inference workers, %d onnxruntime threads each (%d while only one is busy)",
        settings.workers, settings.engine_threads_per_worker, settings.engine_threads_in_process)
    # one pool of workers for every listener: each wire format's app is served on its own port
    inference = Inference(ProcessBackend(settings.workers, settings.engine_threads_per_worker,
                                         alone_threads=settings.engine_threads_in_process,
                                         log_level=log_level), settings.limits)
    listeners = [uvicorn_config(create_app(settings, inference=inference), settings, log_level=log_level),
                 uvicorn_config(create_cos_app(settings, inference=inference), settings, log_level=log_level,
                                port=settings.cos_port, wire=HTTP_ERRORS)]
    serve_all(listeners, inference)


def main() -> None:  # pragma: no cover
    app()


if __name__ == "__main__":  # pragma: no cover
    main()
