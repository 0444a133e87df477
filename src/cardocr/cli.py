"""Command line: `cardocr recognize IMAGE...` and `cardocr serve`."""

from __future__ import annotations

import ipaddress
import json
import logging
import sys
from pathlib import Path
from typing import Optional

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from cardocr.errors import CardOcrError, InvalidParameter, RecognitionFailed

app = typer.Typer(add_completion=False, no_args_is_help=True, help="Self-hosted ID-card OCR.")

SIDES = ("front", "back", "double_side")
DOC_TYPES = ("id-card", "hk-id-card", "driver-license")  # the keys of documents.REGISTRY


def _recognize_file(path: Path, doc_type: str, options) -> tuple[bool, dict]:
    from cardocr.intake.decode import decode_image_bytes
    from cardocr.pipeline import recognize

    try:
        try:
            data = path.read_bytes()
        except OSError:
            raise InvalidParameter("The image file cannot be read.") from None
        image = decode_image_bytes(data)
        return True, {"result": recognize(doc_type, image, options)}
    except CardOcrError as exc:
        return False, exc.huawei_body()
    except Exception:  # noqa: BLE001 - same policy as the API: a Huawei body, no traceback
        return False, RecognitionFailed().huawei_body()


@app.command()
def recognize(
    images: list[Path] = typer.Argument(..., help="Image files (JPEG, PNG, BMP, TIFF)."),
    doc_type: str = typer.Option("id-card", "--type", help="Document type."),
    side: Optional[str] = typer.Option(None, "--side", help="front | back | double_side"),
    verification: bool = typer.Option(False, "--verification", help="Return verification."),
    text_location: bool = typer.Option(False, "--text-location", help="Return text boxes."),
    portrait_location: bool = typer.Option(False, "--portrait-location"),
    portrait_image: bool = typer.Option(False, "--portrait-image"),
    adjusted_image: bool = typer.Option(False, "--adjusted-image"),
    issuing_authority: bool = typer.Option(False, "--issuing-authority",
                                           help="driver-license: read the seal."),
) -> None:
    """Print the API's JSON ({"result": ...}) for each image; errors as Huawei error bodies.

    With several images: one JSON object per line (with an extra "file" key) and a progress
    bar on stderr. Exit code 1 if any image failed.
    """
    err = Console(stderr=True)
    if doc_type not in DOC_TYPES:
        err.print(f"unknown --type; choose one of: {', '.join(DOC_TYPES)}")
        raise typer.Exit(2)
    if side is not None and side not in SIDES:
        err.print(f"unknown --side; choose one of: {', '.join(SIDES)}")
        raise typer.Exit(2)

    from cardocr.pipeline import RecognizeOptions

    options = RecognizeOptions(
        side=side,
        return_verification=verification,
        return_text_location=text_location,
        return_portrait_location=portrait_location,
        return_portrait_image=portrait_image,
        return_adjusted_image=adjusted_image,
        return_issuing_authority=issuing_authority,
    )
    failed = False
    if len(images) == 1:
        ok, body = _recognize_file(images[0], doc_type, options)
        failed = not ok
        sys.stdout.write(json.dumps(body, ensure_ascii=False, indent=2) + "\n")
    else:
        with Progress(
            TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
            TimeElapsedColumn(), console=err, transient=False,
        ) as progress:
            task = progress.add_task("recognizing", total=len(images))
            for path in images:
                ok, body = _recognize_file(path, doc_type, options)
                failed |= not ok
                sys.stdout.write(json.dumps({"file": str(path), **body}, ensure_ascii=False) + "\n")
                sys.stdout.flush()
                progress.advance(task)
    if failed:
        raise typer.Exit(1)


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


@app.command()
def serve(
    host: Optional[str] = typer.Option(None, "--host", help="Bind address [env CARDOCR_HOST, default 127.0.0.1]."),
    port: Optional[int] = typer.Option(None, "--port", help="Port [env CARDOCR_PORT, default 8080]."),
    config: Optional[Path] = typer.Option(None, "--config", help="TOML config [env CARDOCR_CONFIG]."),
    log_level: str = typer.Option("info", "--log-level"),
) -> None:
    """Run the HTTP API (Huawei OCR + IAM token wire formats)."""
    import uvicorn

    from cardocr.api.app import create_app
    from cardocr.settings import load_settings

    logging.basicConfig(level=log_level.upper(), format="%(asctime)s %(levelname)s %(name)s %(message)s")
    try:
        settings = load_settings(host=host, port=port, config=config)
    except Exception as exc:  # noqa: BLE001
        Console(stderr=True).print(f"[red]invalid configuration:[/red] {exc}")
        raise typer.Exit(2) from None
    if settings.using_dev_account and not _is_loopback(settings.host):
        logging.getLogger("cardocr").warning(
            "serving on %s with the built-in development account; set [[accounts]] in a config file",
            settings.host,
        )
    uvicorn.run(create_app(settings), host=settings.host, port=settings.port, log_level=log_level)


def main() -> None:  # pragma: no cover
    app()


if __name__ == "__main__":  # pragma: no cover
    main()
