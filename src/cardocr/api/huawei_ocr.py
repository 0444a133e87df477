"""Huawei Cloud OCR wire API: POST /v2/{project_id}/ocr/{id-card, hk-id-card, driver-license}.

Each endpoint accepts its own documented parameters (`Endpoint`); parameters a seed does not
document are ignored, as the cloud API does.

The body is read and validated by hand (not by a pydantic body model) so that every bad input
maps to a Huawei error code instead of FastAPI's 422 {"detail": ...}.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from cardocr.api.common import read_json_object, run_in_pool
from cardocr.errors import ImageSizeError, InvalidParameter
from cardocr.intake.decode import decode_base64_image, decode_image_bytes
from cardocr.intake.fetch import fetch_image

router = APIRouter()

SIDES = frozenset({"front", "back", "double_side"})


@dataclass(frozen=True)
class Endpoint:
    doc_type: str
    takes_side: bool  # the seed documents a `side` parameter
    flags: tuple[str, ...]  # documented boolean parameters
    min_narrow_edge: int | None = None  # stricter than the global limit, when the seed says so
    max_wide_edge: int | None = None
    # the 10 MB limit applies to the base64 string as sent, not to the decoded image: the zh
    # id-card seed says "要求base64编码后大小不超过10MB"; the en id-card and driver-license
    # seeds share the wording ("Base64 character string ... The size cannot exceed 10 MB").
    # The HK seed limits "the image file" (decoded).
    limit_base64_size: bool = False


# "The narrow edge contains at least 15 pixels and the wide edge contains at most 8,000 pixels."
# (en and zh seeds alike; the Hong Kong seed allows 8,192, the global limit)
ID_CARD = Endpoint("id-card", True, (
    "return_verification",
    "return_text_location",
    "return_portrait_location",
    "return_portrait_image",
    "return_adjusted_image",
), max_wide_edge=8000, limit_base64_size=True)
HK_ID_CARD = Endpoint("hk-id-card", False, ("return_portrait_image", "return_portrait_location"))
# "The narrow edge contains at least 100 pixels and the wide edge contains at most 8,000 pixels."
DRIVER_LICENSE = Endpoint("driver-license", True, ("return_issuing_authority", "return_text_location"),
                          min_narrow_edge=100, max_wide_edge=8000, limit_base64_size=True)


@dataclass(frozen=True)
class OcrRequest:
    image: str | None
    url: str | None
    side: str | None
    flags: dict[str, bool]


def parse_ocr_request(data: dict[str, Any], endpoint: Endpoint = ID_CARD) -> OcrRequest:
    """Validate the JSON object. JSON null means "absent" for every field; so does "" for
    image/url/side. Messages name the field, never its value."""
    values: dict[str, str | None] = {"side": None}
    for name in ("image", "url", "side") if endpoint.takes_side else ("image", "url"):
        v = data.get(name)
        if v is not None and not isinstance(v, str):
            raise InvalidParameter(f"The parameter {name} must be a string.")
        values[name] = v or None
    image, url, side = values["image"], values["url"], values["side"]
    if (image is None) == (url is None):
        raise InvalidParameter("Exactly one of the parameters image and url must be set.")
    if side is not None and side not in SIDES:
        raise InvalidParameter("The parameter side must be front, back or double_side.")
    flags: dict[str, bool] = {}
    for name in endpoint.flags:
        v = data.get(name)
        if v is None:
            flags[name] = False
        elif isinstance(v, bool):
            flags[name] = v
        else:
            raise InvalidParameter(f"The parameter {name} must be a boolean.")
    return OcrRequest(image=image, url=url, side=side, flags=flags)


def _recognize_job(pipeline, endpoint: Endpoint, decode, payload, limits, options) -> dict:
    if endpoint.limit_base64_size and isinstance(payload, str) and len(payload) > limits.max_image_bytes:
        raise ImageSizeError()
    image = decode(
        payload,
        max_bytes=limits.max_image_bytes,
        min_edge=max(limits.min_image_edge, endpoint.min_narrow_edge or 0),
        max_edge=min(limits.max_image_edge, endpoint.max_wide_edge or limits.max_image_edge),
    )
    return pipeline(endpoint.doc_type, image, options)


async def recognize_request(request: Request, project_id: str, endpoint: Endpoint) -> JSONResponse:
    state = request.app.state
    settings = state.settings
    limits = settings.limits
    state.auth.verify(request.headers.get("x-auth-token"), project_id)
    data = await read_json_object(request, limits.max_body_bytes)
    req = parse_ocr_request(data, endpoint)

    from cardocr.pipeline import RecognizeOptions  # lazy: keeps app start-up cheap

    options = RecognizeOptions(side=req.side, **req.flags)
    if req.url is not None:
        payload: str | bytes = await fetch_image(
            req.url,
            allowlist=state.allowlist,
            timeout=limits.url_fetch_timeout_seconds,
            max_bytes=limits.max_download_bytes,
            max_redirects=limits.max_redirects,
        )
        decode = decode_image_bytes
    else:
        payload = req.image  # type: ignore[assignment]
        decode = decode_base64_image
    result = await run_in_pool(
        request, _recognize_job, state.pipeline, endpoint, decode, payload, limits, options
    )
    return JSONResponse({"result": result})


@router.post("/v2/{project_id}/ocr/id-card")
async def id_card(project_id: str, request: Request) -> JSONResponse:
    return await recognize_request(request, project_id, ID_CARD)


@router.post("/v2/{project_id}/ocr/hk-id-card")
async def hk_id_card(project_id: str, request: Request) -> JSONResponse:
    return await recognize_request(request, project_id, HK_ID_CARD)


@router.post("/v2/{project_id}/ocr/driver-license")
async def driver_license(project_id: str, request: Request) -> JSONResponse:
    return await recognize_request(request, project_id, DRIVER_LICENSE)
