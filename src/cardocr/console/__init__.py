"""The web console: a page at `/` that calls the public API like any other client.

It logs in at POST /v3/auth/tokens and reads cards at POST /v2/{project_id}/ocr/<path>, with
the token; nothing here reads a card. This router serves the page's
own files, every one from the package (no CDN), and `documents.json`, the wire APIs as
render.huawei.WIRE describes them (their sides, flags and result keys), so the page offers
what the API accepts without a second list to keep in step. The optional review store
(reviews.py, store.py) is the only thing here that keeps data, and only when configured.

Alpine.js (static/vendor/alpine.min.js) is not in the repository: scripts/bootstrap.sh unpacks
it from its pinned npm tarball after checking the tarball's integrity hash.
"""

from __future__ import annotations

from functools import cache
from importlib.resources import files
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response

from cardocr.console import reviews
from cardocr.documents import REGISTRY
from cardocr.errors import ApiNotFound
from cardocr.render.huawei import WIRE

router = APIRouter()
router.include_router(reviews.router)  # before /console/{name}, which would match its path

# Alpine evaluates its attribute expressions with `new Function` (hence 'unsafe-eval'); images
# may come from a pasted URL, so img-src is open. Scripts, styles and API calls: this origin only.
CSP = ("default-src 'self'; script-src 'self' 'unsafe-eval'; style-src 'self'; connect-src 'self'; "
       "img-src * data: blob:; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'none'")

# url name -> (file under static/, media type)
FILES: dict[str, tuple[str, str]] = {
    "console.js": ("console.js", "text/javascript; charset=utf-8"),
    "console.css": ("console.css", "text/css; charset=utf-8"),
    "alpine.min.js": ("vendor/alpine.min.js", "text/javascript; charset=utf-8"),
}

HEADERS = {"Content-Security-Policy": CSP, "X-Content-Type-Options": "nosniff",
           "Referrer-Policy": "no-referrer", "Cache-Control": "no-cache"}


def _static(name: str) -> bytes:
    return files(__package__).joinpath("static", name).read_bytes()


@router.get("/", include_in_schema=False)
async def index() -> Response:
    return Response(_static("index.html"), media_type="text/html; charset=utf-8", headers=HEADERS)


@router.get("/console/documents.json", include_in_schema=False)
async def documents() -> JSONResponse:
    return JSONResponse(wire_documents(), headers=HEADERS)


@router.get("/console/config.json", include_in_schema=False)
async def config(request: Request) -> JSONResponse:
    """What the page needs of the config: whether the review store is on, and its retention."""
    review = request.app.state.settings.review
    return JSONResponse({"review_store": review.path is not None, "retention_days": review.retention_days},
                        headers=HEADERS)


@router.get("/console/{name}", include_in_schema=False)
async def static(name: str) -> Response:
    if name not in FILES:
        raise ApiNotFound()
    path, media_type = FILES[name]
    try:
        body = _static(path)
    except FileNotFoundError:  # alpine.min.js before scripts/bootstrap.sh ran
        raise ApiNotFound() from None
    return Response(body, media_type=media_type, headers=HEADERS)


@cache
def wire_documents() -> list[dict[str, Any]]:
    """Each API the service answers: its path, the sides it takes (empty: it takes none), its
    request flags and, per side, the result keys in wire order."""
    return [{"path": w.path,
             "sides": list(REGISTRY[w.document].sides) if w.takes_side else [],
             "flags": [f.value for f in w.flags],
             "fields": {side: [key for key, _ in keys] for side, keys in w.fields.items()},
             "confidence": w.confidence}
            for w in WIRE.values()]
