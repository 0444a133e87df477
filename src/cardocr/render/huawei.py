"""Huawei Cloud OCR JSON: the `result` object of the id-card family of APIs.

What a side carries is the document module's to say, so a new document needs no change here:
HUAWEI_FIELDS (result keys per side), HUAWEI_VERIFICATION (verification_result keys per
side), and optionally HUAWEI_CONFIDENCE (True: a `confidence` object, one number per field),
OPTIONAL_FIELDS (field → the request flag that asks for it), HUAWEI_BOOLEAN_FIELDS (fields
the seed types Boolean) and portrait_quad(reading)."""

from __future__ import annotations

import base64
import math
from types import ModuleType
from typing import TYPE_CHECKING

import cv2
import numpy as np

from ..vision.geometry import crop_box

if TYPE_CHECKING:
    from ..pipeline import CardResult, RecognizeOptions

def render(doc: ModuleType, results: list["CardResult"], options: "RecognizeOptions") -> dict:
    if options.side == "double_side":
        # front before back, whichever the search found first
        order = {side: i for i, side in enumerate(doc.SIDES)}
        ordered = sorted(results, key=lambda r: order.get(r.reading.side, len(order)))
        return {r.reading.side: _one(doc, r, options) for r in ordered}
    return _one(doc, results[0], options)


def _value(doc: ModuleType, name: str, value):
    """The wire value: a Boolean field is always a JSON boolean (an unread one is false),
    every other field a string."""
    booleans = getattr(doc, "HUAWEI_BOOLEAN_FIELDS", ())
    if name in booleans:
        return value if isinstance(value, bool) else False
    return "" if value is None else value


def _one(doc: ModuleType, r: "CardResult", options: "RecognizeOptions") -> dict:
    reading = r.reading
    checks = doc.HUAWEI_VERIFICATION.get(reading.side, ())
    optional, asked = getattr(doc, "OPTIONAL_FIELDS", {}), options.optional_fields(doc)
    fields = [name for name in doc.HUAWEI_FIELDS[reading.side] if name not in optional or name in asked]
    out: dict = {name: _value(doc, name, reading.fields[name].value) for name in fields}
    if getattr(doc, "HUAWEI_CONFIDENCE", False):
        out["confidence"] = {name: _confidence(reading.fields[name].confidence) for name in fields}
    if options.return_verification and checks:
        out["verification_result"] = {name: bool(reading.checks.get(name, False)) for name in checks}
    if options.return_text_location:
        locs = {}
        for name in fields:
            q = reading.fields[name].quad
            if q is not None:
                locs[name] = _points(r.quad.to_original(q))
        out["text_location"] = locs
    quad = doc.portrait_quad(reading)
    if quad is not None:
        if options.return_portrait_location:
            out["portrait_location"] = _points(r.quad.to_original(quad))
        if options.return_portrait_image:
            (x0, y0), (x1, y1) = quad.min(axis=0), quad.max(axis=0)
            out["portrait_image"] = _jpeg(crop_box(r.card_image, x0, y0, x1, y1))
    if options.return_adjusted_image:
        out["adjusted_image"] = _jpeg(r.card_image)
    return out


def _confidence(c) -> float:
    """A JSON number in [0, 1] (NaN would make the whole answer invalid JSON)."""
    c = float(c)
    return round(min(1.0, max(0.0, c)), 4) if math.isfinite(c) else 0.0


def _points(pts: np.ndarray) -> list[list[int]]:
    return [[int(round(x)), int(round(y))] for x, y in pts]


def _jpeg(img: np.ndarray) -> str:
    ok, buf = cv2.imencode(".jpg", img, [cv2.IMWRITE_JPEG_QUALITY, 90])
    return base64.b64encode(buf.tobytes()).decode("ascii") if ok else ""
