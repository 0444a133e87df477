"""Huawei Cloud OCR JSON: the `result` object of the id-card family of APIs, and its error body.

Everything Huawei-specific lives here: each API's documented request flags and image limits,
its result keys and the document fields they carry, value formats (strings, Booleans,
confidences), and the error codes. The documents know none of it. A registered document that
no Huawei API documents is served in the style of the documented ones (_in_the_house_style).
"""

from __future__ import annotations

import base64
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import Enum
from typing import Any

import cv2
import numpy as np

from .. import errors
from ..confidence import reasons, threshold_for
from ..documents import REGISTRY, DocumentType
from ..documents.contract import no_portrait
from ..quality import DETECTORS
from ..quality.multicard import SAME_SIDE
from ..types import BOTH_SIDES, CardResult, ReadRequest
from ..vision.geometry import crop_box


class Flag(str, Enum):
    """The Boolean request parameters the seeds document (each API accepts some of them)."""

    VERIFICATION = "return_verification"
    TEXT_LOCATION = "return_text_location"
    PORTRAIT_LOCATION = "return_portrait_location"
    PORTRAIT_IMAGE = "return_portrait_image"
    ADJUSTED_IMAGE = "return_adjusted_image"
    ISSUING_AUTHORITY = "return_issuing_authority"
    # cardocr's extension (README "Confidence and review"): calibrated confidences and the
    # needs-review verdict, for every document; off by default, so the answer is Huawei's
    CONFIDENCE = "return_confidence"
    # quality and fraud signals (the id-card API; vendor-facts A2 lists what the SDK sends)
    DETECT_REPRODUCE = "detect_reproduce"
    DETECT_COPY = "detect_copy"
    DETECT_TAMPERING = "detect_tampering"
    DETECT_BORDER_INTEGRITY = "detect_border_integrity"
    DETECT_BLOCKING_WITHIN_BORDER = "detect_blocking_within_border"
    DETECT_BLUR = "detect_blur"
    DETECT_INTERIM = "detect_interim"
    DETECT_GLARE = "detect_glare"


# detect flag -> (the signal, cardocr.quality.DETECTORS key; its score_info key). The answer
# carries `<flag>_result` and the score only for a signal that was computed: a detector that
# does not exist yet, or does not apply to the card, leaves both out ("not checked").
SIGNALS: dict[Flag, tuple[str, str]] = {
    Flag.DETECT_REPRODUCE: ("reproduce", "reproduce_score"),
    Flag.DETECT_COPY: ("copy", "copy_score"),
    Flag.DETECT_TAMPERING: ("tampering", "tampering_score"),
    Flag.DETECT_BORDER_INTEGRITY: ("border", "border_integrity_score"),
    Flag.DETECT_BLOCKING_WITHIN_BORDER: ("blocking", "blocking_within_border_score"),
    Flag.DETECT_BLUR: ("blur", "blur_score"),
    Flag.DETECT_INTERIM: ("interim", "interim_score"),
    Flag.DETECT_GLARE: ("glare", "glare_score"),
}


@dataclass(frozen=True)
class HuaweiOptions:
    side: str | None = None  # "front" | "back" | "double_side" | None (detect)
    flags: frozenset[Flag] = frozenset()
    # Settings.review_threshold: a calibrated confidence below it sends the card to review
    # (None: each document's default, measured with its calibration map)
    review_threshold: float | None = None

    @classmethod
    def of(cls, side: str | None = None, **flags: bool) -> HuaweiOptions:
        """From the wire names: HuaweiOptions.of(side="front", return_verification=True).
        An unknown name raises ValueError instead of silently asking for nothing."""
        return cls(side, frozenset(Flag(name) for name, on in flags.items() if on))

    def __contains__(self, flag: Flag) -> bool:
        return flag in self.flags


Keys = tuple[tuple[str, str], ...]  # (wire key, document field or check name), in wire order


def _same(*names: str) -> Keys:
    return tuple((n, n) for n in names)


@dataclass(frozen=True)
class WireDocument:
    """One Huawei API: POST /v2/{project_id}/ocr/<path>."""

    path: str
    document: str  # documents.REGISTRY key
    fields: Mapping[str, Keys]  # side -> result keys
    flags: tuple[Flag, ...]  # the documented request flags
    takes_side: bool  # the seed documents a `side` parameter
    verification: Mapping[str, Keys] = field(default_factory=dict)  # side -> verification_result keys
    confidence: bool = False  # a `confidence` object, one number per returned field
    optional: Mapping[str, Flag] = field(default_factory=dict)  # field read only when its flag is set
    min_narrow_edge: int | None = None  # stricter than the global limit, when the seed says so
    max_wide_edge: int | None = None
    # the 10 MB limit applies to the base64 string as sent, not to the decoded image: the zh
    # id-card seed says "要求base64编码后大小不超过10MB"; the en id-card and driver-license
    # seeds share the wording ("Base64 character string ... The size cannot exceed 10 MB").
    # The HK seed limits "the image file" (decoded).
    limit_base64_size: bool = False


DOCUMENTED: dict[str, WireDocument] = {w.path: w for w in (
    # "The narrow edge contains at least 15 pixels and the wide edge contains at most 8,000
    # pixels." (en and zh seeds alike)
    WireDocument(
        "id-card", "id-card",
        fields={"front": _same("name", "sex", "birth", "ethnicity", "address", "number"),
                "back": (("issue", "authority"), *_same("valid_from", "valid_to"))},
        verification={"front": (("valid_number", "number"), ("valid_birth", "birth"), ("valid_sex", "sex")),
                      "back": (("valid_date", "dates"), ("valid_validity_period", "validity_span"))},
        flags=(Flag.VERIFICATION, Flag.TEXT_LOCATION, Flag.PORTRAIT_LOCATION, Flag.PORTRAIT_IMAGE,
               Flag.ADJUSTED_IMAGE, *SIGNALS, Flag.CONFIDENCE),
        takes_side=True, max_wide_edge=8000, limit_base64_size=True),
    # the Hong Kong seed allows 8,192 px, the global limit
    WireDocument(
        "hk-id-card", "hk-id-card",
        fields={"front": _same("name", "name_en", "sex", "birth_date", "number", "symbols",
                               "name_telegraph_code", "permanent", "initial_issue_date", "issue_date")},
        flags=(Flag.PORTRAIT_IMAGE, Flag.PORTRAIT_LOCATION, Flag.CONFIDENCE), takes_side=False,
        confidence=True),
    # "The narrow edge contains at least 100 pixels and the wide edge contains at most 8,000 pixels."
    WireDocument(
        "driver-license", "driver-license",
        fields={"front": (*_same("number", "name", "sex", "nationality", "address", "birth", "issue_date",
                                 "class", "valid_from", "valid_to"), ("issuing_authority", "authority")),
                "back": _same("number", "name", "file_number", "record")},
        flags=(Flag.ISSUING_AUTHORITY, Flag.TEXT_LOCATION, Flag.CONFIDENCE), takes_side=True,
        optional={"authority": Flag.ISSUING_AUTHORITY},
        min_narrow_edge=100, max_wide_edge=8000, limit_base64_size=True),
)}


def _in_the_house_style(doc: DocumentType) -> WireDocument:
    """A document no Huawei API documents is served in the style of the documented ones:
    its own field names as keys, `valid_<check>` verification keys, a confidence per field,
    the location and image flags it can honour; its optional fields are always read."""
    flags = [Flag.TEXT_LOCATION, Flag.ADJUSTED_IMAGE, Flag.CONFIDENCE]
    if any(doc.checks.values()):
        flags.insert(0, Flag.VERIFICATION)
    if doc.portrait is not no_portrait:
        flags += [Flag.PORTRAIT_LOCATION, Flag.PORTRAIT_IMAGE]
    return WireDocument(
        doc.name, doc.name,
        fields={side: _same(*doc.fields[side]) for side in doc.sides},
        verification={side: tuple((f"valid_{c}", c) for c in checks) for side, checks in doc.checks.items()},
        flags=tuple(flags), takes_side=len(doc.sides) > 1, confidence=True)


def wire_for(path: str) -> WireDocument | None:
    """The API at /v2/{project_id}/ocr/<path>: a documented one, or a registered document in
    the house style (so a new document needs no line here); None when there is none."""
    if path in DOCUMENTED:
        return DOCUMENTED[path]
    doc = REGISTRY.get(path)
    return _in_the_house_style(doc) if doc is not None else None


# every registered document's API, as the registry stood at import
WIRE: dict[str, WireDocument] = {path: wire for path in REGISTRY if (wire := wire_for(path)) is not None}


def read_request(wire: WireDocument, options: HuaweiOptions) -> ReadRequest:
    """What to read for a request: the side, the optional fields its flags ask for, and the
    signals its detect flags ask for that have a detector."""
    return ReadRequest(side=options.side or None, review_threshold=options.review_threshold,
                       optional=frozenset(f for f, flag in wire.optional.items() if flag in options),
                       signals=frozenset(SIGNALS[flag][0] for flag in options.flags
                                         if flag in SIGNALS and SIGNALS[flag][0] in DETECTORS))


def render(wire: WireDocument, results: list[CardResult], options: HuaweiOptions) -> dict[str, Any]:
    if options.side == BOTH_SIDES:
        # a front, a back and another card of one of those sides (the pipeline computes the
        # multi-card signal for every double_side reading): AIS.0122
        if any(r.signals.get(SAME_SIDE) is not None and r.signals[SAME_SIDE].decision for r in results):
            raise errors.MultiCardError()
        return {r.side: _one(wire, r, options) for r in results}
    return _one(wire, results[0], options)


def _one(wire: WireDocument, r: CardResult, options: HuaweiOptions) -> dict[str, Any]:
    booleans = REGISTRY[wire.document].boolean_fields
    keys = [(key, name) for key, name in wire.fields[r.side]
            if name not in wire.optional or wire.optional[name] in options]
    out: dict[str, Any] = {key: _value(r, name, name in booleans) for key, name in keys}
    if Flag.CONFIDENCE in options:
        out.update(_calibrated(wire, r, keys, options.review_threshold))
    elif wire.confidence:  # Huawei's own object (the HK card): the readers' confidence, as before
        out["confidence"] = {key: _confidence(r.fields[name].confidence) if name in r.fields else 0.0
                             for key, name in keys}
    checks = wire.verification.get(r.side, ())
    if Flag.VERIFICATION in options and checks:
        out["verification_result"] = {key: bool(r.checks.get(name, False)) for key, name in checks}
    if Flag.TEXT_LOCATION in options:
        out["text_location"] = {key: _points(r.in_photo(quad)) for key, name in keys
                                if name in r.fields and (quad := r.fields[name].quad) is not None}
    if r.portrait is not None:
        if Flag.PORTRAIT_LOCATION in options:
            out["portrait_location"] = _points(r.in_photo(r.portrait))
        if Flag.PORTRAIT_IMAGE in options:
            (x0, y0), (x1, y1) = r.portrait.min(axis=0), r.portrait.max(axis=0)
            out["portrait_image"] = _jpeg(crop_box(r.card_image, x0, y0, x1, y1))
    if Flag.ADJUSTED_IMAGE in options:
        out["adjusted_image"] = _jpeg(r.card_image)
    scores = {}
    for flag, (signal, score_key) in SIGNALS.items():
        if flag in options and signal in r.signals:
            out[f"{flag.value}_result"] = r.signals[signal].decision
            scores[score_key] = int(round(r.signals[signal].score))
    if scores:
        out["score_info"] = scores
    return out


def _calibrated(wire: WireDocument, r: CardResult, keys: list[tuple[str, str]],
                threshold: float | None) -> dict[str, Any]:
    """return_confidence: the calibrated confidence of every returned field (the probability
    that its value is exactly right), and the verdict, its reasons in the wire's own keys."""
    # a field's own key; a check named after a field takes its key too (check_failed:number),
    # any other check its verification key (check_failed:valid_date)
    wire_key = {name: key for key, name in (*wire.verification.get(r.side, ()), *keys)}
    calibrated = {name: r.calibrated.get(name, 0.0) for _key, name in keys}  # unread: 0
    raised = [name for name, s in r.signals.items() if s.decision]
    codes = reasons(calibrated, r.checks, raised, threshold_for(r.document, threshold))
    named = [f"{kind}:{wire_key.get(name, name)}" for kind, name in (c.split(":", 1) for c in codes)]
    return {"confidence": {key: _confidence(r.calibrated.get(name, 0.0)) for key, name in keys},
            "needs_review": bool(named), "review_reasons": named}


def _value(r: CardResult, name: str, boolean: bool) -> str | bool:
    """A Boolean field is always a JSON boolean (an unread one is false), every other field a
    string (an unread one is empty)."""
    value = r.fields[name].value if name in r.fields else None
    if boolean:
        return value if isinstance(value, bool) else False
    return "" if value is None else value


def _confidence(c: float) -> float:
    """A JSON number in [0, 1] (NaN would make the whole answer invalid JSON)."""
    c = float(c)
    return round(min(1.0, max(0.0, c)), 4) if math.isfinite(c) else 0.0


def _points(pts: np.ndarray) -> list[list[int]]:
    return [[int(round(x)), int(round(y))] for x, y in pts]


def _jpeg(img: np.ndarray) -> str:
    ok, buf = cv2.imencode(".jpg", img, [cv2.IMWRITE_JPEG_QUALITY, 90])
    return base64.b64encode(buf.tobytes()).decode("ascii") if ok else ""


# -- errors ------------------------------------------------------------------------------------

# Codes from the seeds' error-code tables (see ../shared/notes/vendor-facts.md). 404 and 405
# are what Huawei's API gateway answers for an unknown route.
ERROR_CODES: dict[type[errors.CardOcrError], str] = {
    errors.InvalidParameter: "AIS.0101",
    errors.ConfigFormatError: "AIS.0101",
    errors.UnsupportedFormat: "AIS.0102",
    errors.ImageSizeError: "AIS.0103",
    errors.NoCardFound: "AIS.0104",
    errors.ImageBlurred: "AIS.0104",  # "The image is not supported or the image quality is poor."
    errors.RecognitionFailed: "AIS.0105",
    # the CN error-code page: "The image contains two or more ID cards with the same side."
    # (vendor-facts A1; id-card with side=double_side)
    errors.MultiCardError: "AIS.0122",
    errors.MalformedBody: "ModelArts.4105",
    errors.BodyTooLarge: "ModelArts.4104",
    errors.UrlRefused: "ModelArts.4601",
    errors.UrlFetchFailed: "ModelArts.4603",
    errors.ApiNotFound: "APIGW.0101",
    errors.MethodNotAllowed: "APIGW.0101",
    errors.InternalError: "ModelArts.4505",
    # the HTTP layer (cardocr.server) and the limits: the API gateway's "API request error"
    # family (400 / 494 headers too large / 408) and ModelArts' "Max concurrency error"
    errors.Overloaded: "ModelArts.4401",
    # the inference pool (cardocr.serving): ModelArts' backend timeout / unavailable
    errors.DeadlineExceeded: "ModelArts.4402",
    errors.WorkerLost: "ModelArts.4403",
    errors.BadHttpRequest: "APIGW.0201",
    errors.HeadersTooLarge: "APIGW.0201",
    errors.RequestTimeout: "APIGW.0201",
    errors.TokenMissing: "ModelArts.4101",
    errors.TokenInvalid: "ModelArts.4102",
    errors.TokenExpired: "ModelArts.0203",
    errors.ProjectForbidden: "ModelArts.4203",
    errors.BadCredentials: "ModelArts.0205",
    # AK/SK signatures: what Huawei's API gateway answers (API request signing guide, FAQ)
    errors.SignatureMalformed: "APIGW.0301",
    errors.AccessKeyUnknown: "APIGW.0301",
    errors.SignatureMismatch: "APIGW.0301",
    errors.SignatureExpired: "APIGW.0301",
    errors.RequestExpired: "APIGW.0301",
    # the COS endpoint's own (cardocr.cos): never answered on the Huawei API
    errors.NoSuchKey: "APIGW.0101",
    errors.NoSuchBucket: "APIGW.0101",
    errors.DigestMismatch: "AIS.0101",
    errors.RangeNotSatisfiable: "AIS.0101",
}


def error_code(exc: errors.CardOcrError | type[errors.CardOcrError]) -> str:
    return errors.wire_code(ERROR_CODES, exc)


def error_body(exc: errors.CardOcrError) -> dict[str, str]:
    return {"error_code": error_code(exc), "error_msg": exc.message}
