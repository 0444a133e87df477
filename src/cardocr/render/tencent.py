"""Tencent Cloud COS "CI" IDCardOCR XML: the `<Response>` of `?ci-process=IDCardOCR`, its
`Config` flags, and COS's XML error body.

Source: ../shared/seeds/tencent-ci-idcard-ocr.en.txt (nodes, Config flags, warning codes
9100-9106, error codes) and ../shared/notes/vendor-facts.md B1 (what the official SDK parses:
`Content-Type` exactly `application/xml`; an error body with non-empty Code, Message,
Resource and RequestId). Values are Tencent's formats, not Huawei's: Birth `1987/1/1` (not
zero-padded), ValidDate `2010.07.21-2020.07.21` or `2010.07.21-长期`, Nation without 族.

Quality and fraud warnings are rendered from CardResult.signals; a signal the pipeline did
not compute is not rendered (no warning is not the same as "checked, no problem", and the
answer cannot say "not checked", so the element is left out).
"""

from __future__ import annotations

import base64
import json
import re
from dataclasses import dataclass
from xml.etree import ElementTree as ET

import cv2
import numpy as np

from .. import errors
from ..quality import DETECTORS
from ..quality.multicard import MULTI_CARD, SAME_SIDE
from ..types import BOTH_SIDES, CardResult, ReadRequest
from ..vision.geometry import crop_box

CONTENT_TYPE = "application/xml"  # exactly: the official SDK parses no other (vendor-facts B1)

MULTI_CARD_MESSAGE = "There are multiple cards in the photo."  # the seed's, for MultiCardError

# Config keys (all booleans, default false), as the seed lists them
CONFIG_KEYS = ("CropIdCard", "CropPortrait", "CopyWarn", "BorderCheckWarn", "ReshootWarn", "DetectPsWarn",
               "TempIdWarn", "InvalidDateWarn", "Quality", "MultiCardDetect")

# WarnInfos codes (the seed) and the signal (CardResult.signals key) behind each, with the
# Config flag that asks for it
WARNINGS = (
    ("InvalidDateWarn", "invalid_date", "9100"),
    ("BorderCheckWarn", "border", "9101"),
    ("CopyWarn", "copy", "9102"),
    ("ReshootWarn", "reproduce", "9103"),
    ("TempIdWarn", "interim", "9104"),
    ("BorderCheckWarn", "blocking", "9105"),
    ("DetectPsWarn", "tampering", "9106"),
)

FRONT = (("Name", "name"), ("Sex", "sex"), ("Nation", "ethnicity"), ("Birth", "birth"), ("Address", "address"),
         ("IdNum", "number"))
BACK = (("Authority", "authority"),)  # then ValidDate, made of valid_from and valid_to


@dataclass(frozen=True)
class TencentOptions:
    side: str | None = None  # "front" | "back" | None (detect); from CardSide FRONT / BACK
    config: frozenset[str] = frozenset()  # the Config flags set to true

    def __contains__(self, flag: str) -> bool:
        return flag in self.config


def parse_card_side(value: str | None) -> str | None:
    if value in (None, ""):
        return None
    side = {"FRONT": "front", "BACK": "back"}.get(value)
    if side is None:
        raise errors.InvalidParameter("The CardSide parameter must be FRONT or BACK.")
    return side


def parse_config(value: str | None) -> frozenset[str]:
    """The Config query value (already URL-decoded): a JSON object of booleans. A key may repeat
    (the seed's own sample repeats CropIdCard): the last one counts, as in any JSON reader."""
    if value in (None, ""):
        return frozenset()
    try:
        data = json.loads(value)
    except (ValueError, RecursionError):
        raise errors.ConfigFormatError() from None
    if not isinstance(data, dict) or any(k not in CONFIG_KEYS or not isinstance(v, bool) for k, v in data.items()):
        raise errors.ConfigFormatError()
    return frozenset(k for k, v in data.items() if v)


def read_request(options: TencentOptions) -> ReadRequest:
    """What to read: with MultiCardDetect and no side, one card of each side (a front and a
    back in one photo are answered together); the signals the Config flags ask for that have
    a detector."""
    wanted = {signal for flag, signal, _code in WARNINGS if flag in options}
    if "Quality" in options:
        wanted.add("blur")
    if "BorderCheckWarn" in options:
        wanted.add("border")
    # every reading looks for other cards: without MultiCardDetect a second card is refused,
    # with it one of a side already read (quality.multicard; bench/multicard.py has its cost)
    signals = frozenset(wanted & DETECTORS.keys()) | {MULTI_CARD}
    side = BOTH_SIDES if options.side is None and "MultiCardDetect" in options else options.side
    return ReadRequest(side=side, signals=signals)


def render(results: list[CardResult], options: TencentOptions) -> bytes:
    """The XML answer for the cards read (one, or a front and a back). More cards in the photo
    than that (the multi-card signals) is FailedOperation.MultiCardError."""
    if any(_raised(r, SAME_SIDE) or (_raised(r, MULTI_CARD) and "MultiCardDetect" not in options)
           for r in results):
        raise errors.MultiCardError(MULTI_CARD_MESSAGE)
    response = ET.Element("Response")
    info = ET.SubElement(response, "IdInfo")
    for r in sorted(results, key=lambda r: r.side != "front"):
        keys = FRONT if r.side == "front" else BACK
        for tag, name in keys:
            _text(info, tag, _value(tag, _field(r, name)))
        if r.side == "back":
            _text(info, "ValidDate", _valid_date(_field(r, "valid_from"), _field(r, "valid_to")))
    warned: set[str] = set()
    for flag, signal, code in WARNINGS:
        if flag in options and code not in warned and any(_raised(r, signal) for r in results):
            _text(info, "WarnInfos", code)
            warned.add(code)
    advanced = _advanced(results, options)
    if len(advanced):
        response.append(advanced)
    return ET.tostring(response, encoding="unicode").encode("utf-8")


def _advanced(results: list[CardResult], options: TencentOptions) -> ET.Element:
    advanced = ET.Element("AdvancedInfo")
    card = next((r for r in results if r.side == "front"), results[0])
    if "CropIdCard" in options:
        _text(advanced, "IdCard", _jpeg(card.card_image))
    if "CropPortrait" in options and card.portrait is not None:
        (x0, y0), (x1, y1) = card.portrait.min(axis=0), card.portrait.max(axis=0)
        _text(advanced, "Portrait", _jpeg(crop_box(card.card_image, x0, y0, x1, y1)))
    if "Quality" in options and "blur" in card.signals:
        _text(advanced, "Quality", str(round(100 - card.signals["blur"].score)))
    if "BorderCheckWarn" in options and "border" in card.signals:
        _text(advanced, "BorderCodeValue", str(round(card.signals["border"].score)))
    return advanced


def _field(r: CardResult, name: str) -> str:
    f = r.fields.get(name)
    return f.value if f is not None and isinstance(f.value, str) else ""


def _raised(r: CardResult, signal: str) -> bool:
    s = r.signals.get(signal)
    return s is not None and s.decision


def _value(tag: str, value: str) -> str:
    if tag == "Birth":
        return _slash_date(value)
    if tag == "Nation":
        return value.removesuffix("族")
    return value


def _slash_date(iso: str) -> str:
    """`1987-01-01` -> `1987/1/1`; anything else as read."""
    m = re.fullmatch(r"(\d{4})-(\d{2})-(\d{2})", iso)
    return f"{m[1]}/{int(m[2])}/{int(m[3])}" if m else iso


def _dotted(iso: str) -> str:
    return iso.replace("-", ".") if re.fullmatch(r"\d{4}-\d{2}-\d{2}", iso) else iso


def _valid_date(start: str, end: str) -> str:
    if not start and not end:
        return ""
    return f"{_dotted(start)}-{_dotted(end)}"


def _text(parent: ET.Element, tag: str, text: str) -> None:
    ET.SubElement(parent, tag).text = text


def _jpeg(img: np.ndarray) -> str:
    ok, buf = cv2.imencode(".jpg", img, [cv2.IMWRITE_JPEG_QUALITY, 90])
    return base64.b64encode(buf.tobytes()).decode("ascii") if ok else ""


# -- errors ------------------------------------------------------------------------------------

# The seed's business error codes for IDCardOCR, and COS's own for the rest (its Error Codes
# page: AccessDenied, SignatureDoesNotMatch, ...). Statuses: COS answers 400 for a bad
# request, 403 for a refused signature, 404 for a missing key or bucket.
ERROR_CODES: dict[type[errors.CardOcrError], str] = {
    errors.ConfigFormatError: "InvalidParameter.ConfigFormatError",
    errors.InvalidParameter: "InvalidParameterValue.InvalidParameterValueLimit",
    errors.UnsupportedFormat: "FailedOperation.ImageDecodeFailed",
    errors.ImageSizeError: "FailedOperation.ImageSizeTooLarge",
    errors.NoCardFound: "FailedOperation.ImageNoIdCard",
    errors.ImageBlurred: "FailedOperation.ImageBlur",
    errors.RecognitionFailed: "FailedOperation.OcrFailed",
    errors.MultiCardError: "FailedOperation.MultiCardError",
    errors.MalformedBody: "InvalidParameterValue.InvalidParameterValueLimit",
    errors.BodyTooLarge: "LimitExceeded.TooLargeFileError",
    errors.UrlRefused: "FailedOperation.DownLoadError",
    errors.UrlFetchFailed: "FailedOperation.DownLoadError",
    errors.ApiNotFound: "NoSuchResource",
    errors.MethodNotAllowed: "MethodNotAllowed",
    errors.InternalError: "FailedOperation.UnKnowError",
    # COS's own answers for a busy or unavailable service (503 SlowDown / ServiceUnavailable)
    errors.Overloaded: "SlowDown",
    errors.DeadlineExceeded: "ServiceUnavailable",
    errors.WorkerLost: "ServiceUnavailable",
    errors.BadHttpRequest: "InvalidRequest",
    errors.HeadersTooLarge: "InvalidRequest",
    errors.RequestTimeout: "RequestTimeout",
    # the object store and its signatures (COS's Error Codes page)
    errors.NoSuchKey: "NoSuchKey",
    errors.NoSuchBucket: "NoSuchBucket",
    errors.DigestMismatch: "InvalidDigest",
    errors.RangeNotSatisfiable: "InvalidRange",
    errors.AuthError: "AccessDenied",
    errors.AccessKeyUnknown: "InvalidAccessKeyId",
    errors.SignatureMismatch: "SignatureDoesNotMatch",
    errors.SignatureExpired: "RequestTimeTooSkewed",
}


def error_code(exc: errors.CardOcrError | type[errors.CardOcrError]) -> str:
    return errors.wire_code(ERROR_CODES, exc)


_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def error_status(exc: errors.CardOcrError) -> int:
    """COS's status: 403 for every refused signature or key (the Huawei format's are 401)."""
    return 403 if isinstance(exc, errors.AuthError) else exc.status


def error_body(exc: errors.CardOcrError, resource: str, request_id: str) -> bytes:
    """COS's XML error body; every element non-empty (the official SDK needs them)."""
    root = ET.Element("Error")
    resource = _NOT_XML.sub("", resource)  # what a client sent may hold bytes XML cannot
    for tag, text in (("Code", error_code(exc)), ("Message", exc.message), ("Resource", resource or "/"),
                      ("RequestId", request_id or "-")):
        _text(root, tag, text)
    return ET.tostring(root, encoding="unicode").encode("utf-8")
