"""Huawei Cloud OCR wire API: POST /v2/{project_id}/ocr/<path> for every registered document
(render.huawei.wire_for: the documented APIs, and the others in the same style).

Each API accepts its own documented parameters; parameters a seed does not document are
ignored, as the cloud API does. The body is read and validated by hand (not by a pydantic
body model) so that every bad input maps to a Huawei error code instead of FastAPI's 422.
Errors raised on these routes are answered in Huawei's JSON error body (ErrorRendering).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

import numpy as np
from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response

from cardocr.api.authn import authenticate
from cardocr.api.common import ErrorRendering, read_json_object, request_id, run_in_pool
from cardocr.documents import AUTO, REGISTRY
from cardocr.errors import ApiNotFound, CardOcrError, ImageSizeError, InvalidParameter
from cardocr.intake.decode import Decoded, base64_bytes, decode_image
from cardocr.intake.fetch import fetch_image
from cardocr.ocr.engine import OcrEngine
from cardocr.pipeline import read
from cardocr.render import huawei
from cardocr.render.huawei import WIRE, HuaweiOptions, WireDocument, wire_for
from cardocr.settings import Limits
from cardocr.types import BOTH_SIDES, CardResult


def error_response(exc: CardOcrError) -> Response:
    return JSONResponse(huawei.error_body(exc), status_code=exc.status)


router = APIRouter(route_class=ErrorRendering.route_class(error_response, huawei.error_code))


@dataclass(frozen=True)
class OcrRequest:
    image: str | None
    url: str | None
    options: HuaweiOptions


def parse_ocr_request(data: dict[str, Any], wire: WireDocument = WIRE["id-card"]) -> OcrRequest:
    """Validate the JSON object. JSON null means "absent" for every field; so does "" for
    image/url/side. Messages name the field, never its value."""
    values: dict[str, str | None] = {"side": None}
    for name in ("image", "url", "side") if wire.takes_side else ("image", "url"):
        v = data.get(name)
        if v is not None and not isinstance(v, str):
            raise InvalidParameter(f"The parameter {name} must be a string.")
        values[name] = v or None
    image, url, side = values["image"], values["url"], values["side"]
    if (image is None) == (url is None):
        raise InvalidParameter("Exactly one of the parameters image and url must be set.")
    if side is not None and side not in (*REGISTRY[wire.document].sides, BOTH_SIDES):
        raise InvalidParameter("The parameter side must be front, back or double_side.")
    flags = set()
    for flag in wire.flags:
        v = data.get(flag.value)
        if v is not None and not isinstance(v, bool):
            raise InvalidParameter(f"The parameter {flag.value} must be a boolean.")
        if v:
            flags.add(flag)
    return OcrRequest(image=image, url=url, options=HuaweiOptions(side, frozenset(flags)))


def decode_for(wire: WireDocument, payload: str | bytes, limits: Limits) -> Decoded:
    """The request's image, decoded under the API's own limits (stricter than the global
    ones where its seed says so): base64 text from `image`, bytes from a URL or a file. A
    photo far larger than a reading needs comes out reduced (intake.decode.decode_image)."""
    max_edge = min(limits.max_image_edge, wire.max_wide_edge or limits.max_image_edge)
    min_edge = max(limits.min_image_edge, wire.min_narrow_edge or 0)
    if isinstance(payload, str):
        if wire.limit_base64_size and len(payload) > limits.max_image_bytes:
            raise ImageSizeError()
        payload = base64_bytes(payload, max_bytes=limits.max_image_bytes)
    return decode_image(payload, max_bytes=limits.max_image_bytes, min_edge=min_edge, max_edge=max_edge)


def _in_photo(results: list[CardResult], decoded: Decoded) -> list[CardResult]:
    """Locations are answered in the photo's own pixels, also when it was decoded reduced."""
    if decoded.scale != 1:
        to_photo = decoded.to_photo()
        for r in results:
            r.to_photo = to_photo @ r.to_photo
    return results


def recognize(path: str, image: np.ndarray | Decoded, options: HuaweiOptions, engine: OcrEngine) -> dict[str, Any]:
    """Read a decoded BGR image and answer what the Huawei API at `path` answers in `result`
    (the route's work without HTTP: the CLI and tests call it)."""
    wire = wire_for(path)
    if wire is None:
        raise InvalidParameter("Unknown document type.")
    decoded = image if isinstance(image, Decoded) else Decoded(image)
    results = read(REGISTRY[wire.document], decoded.image, huawei.read_request(wire, options), engine)
    return huawei.render(wire, _in_photo(results, decoded), options)


def recognize_bytes(doc_type: str, data: bytes, options: HuaweiOptions, engine: OcrEngine,
                    limits: Limits) -> dict[str, Any]:
    """An image file's bytes through the API's own decoding limits, pipeline and renderer:
    {"result": ...} (the CLI and batch jobs call it). With doc_type AUTO the document and side
    are told first from the card's printed landmarks (pipeline.identify), the options that
    document's API does not take are dropped, and the answer also names the type."""
    if doc_type != AUTO:
        wire = wire_for(doc_type)
        if wire is None:
            raise InvalidParameter("Unknown document type.")
        return {"result": recognize(doc_type, decode_for(wire, data, limits), options, engine)}
    from cardocr.pipeline import identify

    image = decode_for(WIRE["id-card"], data, limits)
    doc, side = identify(image.image, engine)
    told = wire_for(doc.name)
    assert told is not None, doc.name  # every registered document has a wire API
    told_options = replace(options, side=side if told.takes_side else None,
                           flags=options.flags & frozenset(told.flags))
    return {"type": doc.name, "result": recognize(doc.name, image, told_options, engine)}


def _render(wire: WireDocument, results: list[CardResult], decoded: Decoded,
            options: HuaweiOptions) -> dict[str, Any]:
    return huawei.render(wire, _in_photo(results, decoded), options)


async def recognize_request(request: Request, project_id: str, wire: WireDocument) -> JSONResponse:
    state = request.app.state
    limits = state.settings.limits
    request.state.document = wire.document  # a /metrics label
    await authenticate(request, project_id)  # a token or an AK/SK signature (api/authn.py)
    data = await read_json_object(request, limits.max_body_bytes)
    # the queue full already: refused before the image is fetched or decoded (cheap under
    # overload); not before the body is read, or the client still sending it gets a reset
    state.inference.refuse_if_full()
    req = parse_ocr_request(data, wire)
    payload: str | bytes
    if req.url is not None:
        payload = await fetch_image(
            req.url,
            allowlist=state.allowlist,
            timeout=limits.url_fetch_timeout_seconds,
            max_bytes=limits.max_download_bytes,
            max_redirects=limits.max_redirects,
        )
    else:
        assert req.image is not None  # parse_ocr_request: exactly one of the two
        payload = req.image
    options = replace(req.options, review_threshold=state.settings.review_threshold)
    # decoding and rendering on the intake threads, the reading on an inference worker
    # (cardocr.serving: a bounded queue and a deadline in front of it)
    decoded = await run_in_pool(request, decode_for, wire, payload, limits)
    results = await state.inference.read(REGISTRY[wire.document], decoded.image,
                                         huawei.read_request(wire, options), request_id(request.scope))
    result = await run_in_pool(request, _render, wire, results, decoded, options)
    return JSONResponse({"result": result})


@router.post("/v2/{project_id}/ocr/{path}")
async def ocr(project_id: str, path: str, request: Request) -> JSONResponse:
    """One route for every API: the registry says which exist (an unknown one is what
    Huawei's API gateway answers for it, 404 APIGW.0101)."""
    wire = wire_for(path)
    if wire is None:
        raise ApiNotFound()
    return await recognize_request(request, project_id, wire)
