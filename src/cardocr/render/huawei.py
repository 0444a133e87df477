"""Huawei Cloud OCR JSON: the `result` object of the id-card family of APIs."""

from __future__ import annotations

import base64
from types import ModuleType
from typing import TYPE_CHECKING

import cv2
import numpy as np

from ..vision.geometry import crop_box

if TYPE_CHECKING:
    from ..pipeline import CardResult, RecognizeOptions

FIELDS = {
    ("id-card", "front"): ("name", "sex", "birth", "ethnicity", "address", "number"),
    ("id-card", "back"): ("issue", "valid_from", "valid_to"),
}
VERIFICATION = {
    ("id-card", "front"): ("valid_number", "valid_birth", "valid_sex"),
    ("id-card", "back"): ("valid_date", "valid_validity_period"),
}


def render(doc: ModuleType, results: list["CardResult"], options: "RecognizeOptions") -> dict:
    if options.side == "double_side":
        return {r.reading.side: _one(doc, r, options) for r in results}
    return _one(doc, results[0], options)


def _one(doc: ModuleType, r: "CardResult", options: "RecognizeOptions") -> dict:
    reading = r.reading
    key = (reading.doc_type, reading.side)
    out: dict = {name: reading.fields[name].value for name in FIELDS[key]}
    if options.return_verification:
        out["verification_result"] = {name: bool(reading.checks.get(name, False)) for name in VERIFICATION[key]}
    if options.return_text_location:
        locs = {}
        for name in FIELDS[key]:
            q = reading.fields[name].quad
            if q is not None:
                locs[name] = _points(r.quad.to_original(q))
        out["text_location"] = locs
    if reading.side == "front":
        quad = doc.portrait_quad()
        if options.return_portrait_location:
            out["portrait_location"] = _points(r.quad.to_original(quad))
        if options.return_portrait_image:
            (x0, y0), (x1, y1) = quad.min(axis=0), quad.max(axis=0)
            out["portrait_image"] = _jpeg(crop_box(r.card_image, x0, y0, x1, y1))
    if options.return_adjusted_image:
        out["adjusted_image"] = _jpeg(r.card_image)
    return out


def _points(pts: np.ndarray) -> list[list[int]]:
    return [[int(round(x)), int(round(y))] for x, y in pts]


def _jpeg(img: np.ndarray) -> str:
    ok, buf = cv2.imencode(".jpg", img, [cv2.IMWRITE_JPEG_QUALITY, 90])
    return base64.b64encode(buf.tobytes()).decode("ascii") if ok else ""
