"""`?ci-process=IDCardOCR` on an object: the photo decoded, read by the one pipeline, rendered
by render/tencent.py. Nothing here knows a field: the renderer says what the XML holds.

Seed: ../shared/seeds/tencent-ci-idcard-ocr.en.txt. The photo may be at most 7 MB once base64
encoded (FailedOperation.ImageSizeTooLarge past it).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping

from cardocr.api.common import Reader
from cardocr.documents import REGISTRY
from cardocr.errors import ImageBlurred, ImageSizeError, InvalidParameter, NoCardFound
from cardocr.intake.decode import decode_image
from cardocr.render import tencent
from cardocr.render.tencent import TencentOptions
from cardocr.settings import Limits
from cardocr.types import BOTH_SIDES

PROCESS = "IDCardOCR"
MAX_BASE64_BYTES = 7 * 1024 * 1024  # the seed: "the image cannot exceed 7 MB after being Base64-encoded"


def options_from(query: Mapping[str, str]) -> TencentOptions:
    """CardSide and Config (already form-decoded: `+` is a space); other ci-process values
    than IDCardOCR are refused."""
    if query.get("ci-process") != PROCESS:
        raise InvalidParameter("The ci-process parameter is not supported.")
    return TencentOptions(tencent.parse_card_side(query.get("CardSide")), tencent.parse_config(query.get("Config")))


def base64_size(n: int) -> int:
    return 4 * ((n + 2) // 3)


def recognize(reader: Reader, photo: bytes, options: TencentOptions, limits: Limits) -> bytes:
    """The XML answer for one stored photo (runs on the inference pool)."""
    if base64_size(len(photo)) > MAX_BASE64_BYTES:
        raise ImageSizeError()
    if not photo:
        raise InvalidParameter("The object is empty.")
    decoded = decode_image(photo, max_bytes=limits.max_image_bytes, min_edge=limits.min_image_edge,
                           max_edge=limits.max_image_edge)
    doc = REGISTRY["id-card"]
    request = tencent.read_request(options)
    try:
        results = reader(doc, decoded.image, request)
    except (NoCardFound, ImageBlurred):
        if request.side != BOTH_SIDES:
            raise
        # MultiCardDetect asks for a front and a back; a photo of one card is still answered
        results = reader(doc, decoded.image, dataclasses.replace(request, side=None))
    return tencent.render(results, options)
