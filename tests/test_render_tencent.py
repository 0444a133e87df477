"""The Tencent COS CI IDCardOCR XML renderer: the same CardResult the Huawei renderer gets, in
Tencent's nodes and value formats (seed: ../shared/seeds/tencent-ci-idcard-ocr.en.txt)."""

from __future__ import annotations

import base64
from xml.etree import ElementTree as ET

import cv2
import numpy as np
import pytest

from cardocr.errors import (
    BodyTooLarge,
    ConfigFormatError,
    InternalError,
    InvalidParameter,
    MultiCardError,
    NoCardFound,
    TokenInvalid,
    UnsupportedFormat,
)
from cardocr.quality.multicard import MULTI_CARD, SAME_SIDE
from cardocr.render import tencent
from cardocr.render.tencent import TencentOptions, parse_card_side, parse_config
from cardocr.types import BOTH_SIDES, CARD_H, CARD_W, CardResult, Field, Reading, Signal

IMAGE = np.full((CARD_H, CARD_W, 3), 200, np.uint8)
PORTRAIT = np.array([[520, 60], [800, 60], [800, 420], [520, 420]], np.float32)
FRONT = {"name": "李明", "sex": "男", "ethnicity": "汉", "birth": "1987-01-01",
         "address": "北京市石景山区高新园腾讯大厦", "number": "440524198701010014"}
BACK = {"authority": "北京市公安局石景山分局", "valid_from": "2010-07-21", "valid_to": "长期"}


def _card(side: str, values: dict, signals: dict | None = None) -> CardResult:
    fields = {k: Field(v, 0.95) for k, v in values.items()}
    return CardResult(Reading("id-card", side, fields), IMAGE, np.eye(3),
                      PORTRAIT if side == "front" else None, signals or {})


def _xml(results, **config) -> ET.Element:
    body = tencent.render(results, TencentOptions(config=frozenset(k for k, v in config.items() if v)))
    return ET.fromstring(body)


def test_front_in_tencent_formats():
    root = _xml([_card("front", FRONT)])
    assert root.tag == "Response" and [c.tag for c in root] == ["IdInfo"]  # no AdvancedInfo unless asked
    info = {c.tag: c.text for c in root.find("IdInfo")}
    assert list(info) == ["Name", "Sex", "Nation", "Birth", "Address", "IdNum"]
    assert info["Birth"] == "1987/1/1"  # not zero-padded
    assert info["Sex"] == "男" and info["Nation"] == "汉" and info["IdNum"] == "440524198701010014"


def test_back_and_a_long_term_validity():
    info = {c.tag: c.text for c in _xml([_card("back", BACK)]).find("IdInfo")}
    assert info == {"Authority": "北京市公安局石景山分局", "ValidDate": "2010.07.21-长期"}
    fixed = _card("back", {**BACK, "valid_to": "2030-07-21"})
    assert _xml([fixed]).find("IdInfo/ValidDate").text == "2010.07.21-2030.07.21"


def test_both_sides_in_one_answer_front_first():
    info = [c.tag for c in _xml([_card("back", BACK), _card("front", FRONT)]).find("IdInfo")]
    assert info == ["Name", "Sex", "Nation", "Birth", "Address", "IdNum", "Authority", "ValidDate"]


def test_crops_only_when_asked_and_they_are_images():
    root = _xml([_card("front", FRONT)], CropIdCard=True, CropPortrait=True)
    adv = root.find("AdvancedInfo")
    card = cv2.imdecode(np.frombuffer(base64.b64decode(adv.find("IdCard").text), np.uint8), cv2.IMREAD_COLOR)
    face = cv2.imdecode(np.frombuffer(base64.b64decode(adv.find("Portrait").text), np.uint8), cv2.IMREAD_COLOR)
    assert card.shape == (CARD_H, CARD_W, 3)
    assert face.shape[:2] == (360, 280)  # the portrait box
    # the back has no face: no Portrait element, not an empty one
    back = _xml([_card("back", BACK)], CropPortrait=True)
    assert back.find("AdvancedInfo") is None


def test_warnings_come_from_computed_signals_only():
    copy = {"copy": Signal(score=91.0, decision=True), "reproduce": Signal(score=3.0, decision=False)}
    root = _xml([_card("front", FRONT, copy)], CopyWarn=True, ReshootWarn=True, DetectPsWarn=True)
    assert [w.text for w in root.findall("IdInfo/WarnInfos")] == ["9102"]
    # not asked: not answered, even when raised
    assert root.find("IdInfo/WarnInfos") is not None
    assert _xml([_card("front", FRONT, copy)]).find("IdInfo/WarnInfos") is None
    # asked but never computed: left out (not "checked, fine") — and no Quality invented
    root = _xml([_card("front", FRONT)], Quality=True, BorderCheckWarn=True)
    assert root.find("AdvancedInfo") is None
    blur = {"blur": Signal(score=30.0, decision=False), "border": Signal(score=12.0, decision=False)}
    adv = _xml([_card("front", FRONT, blur)], Quality=True, BorderCheckWarn=True).find("AdvancedInfo")
    assert adv.find("Quality").text == "70" and adv.find("BorderCodeValue").text == "12"


def test_config_is_a_json_object_of_known_booleans():
    # the seed's own sample repeats a key
    assert parse_config('{"CropIdCard":true, "CropIdCard":true}') == frozenset({"CropIdCard"})
    assert parse_config('{"Quality": false, "CopyWarn": true}') == frozenset({"CopyWarn"})
    assert parse_config(None) == parse_config("") == frozenset()
    for bad in ("{", "[]", '{"CropIdCard": 1}', '{"Crop": true}', '"x"', "true"):
        with pytest.raises(ConfigFormatError):
            parse_config(bad)


def test_card_side():
    assert parse_card_side("FRONT") == "front" and parse_card_side("BACK") == "back"
    assert parse_card_side(None) is None
    with pytest.raises(InvalidParameter):
        parse_card_side("front")


def test_multi_card_detect_reads_both_sides():
    assert tencent.read_request(TencentOptions(config=frozenset({"MultiCardDetect"}))).side == BOTH_SIDES
    assert tencent.read_request(TencentOptions(side="back", config=frozenset({"MultiCardDetect"}))).side == "back"
    assert tencent.read_request(TencentOptions()).side is None


@pytest.mark.parametrize("exc,code", [
    (ConfigFormatError(), "InvalidParameter.ConfigFormatError"),
    (UnsupportedFormat(), "FailedOperation.ImageDecodeFailed"),
    (NoCardFound(), "FailedOperation.ImageNoIdCard"),
    (BodyTooLarge(), "LimitExceeded.TooLargeFileError"),
    (TokenInvalid(), "AccessDenied"),
    (InternalError(), "FailedOperation.UnKnowError"),
])
def test_error_body(exc, code):
    root = ET.fromstring(tencent.error_body(exc, "/card.jpg", "rid-1"))
    assert root.tag == "Error"
    body = {c.tag: c.text for c in root}
    assert body == {"Code": code, "Message": exc.message, "Resource": "/card.jpg", "RequestId": "rid-1"}
    assert all(body.values())  # the official SDK needs every element non-empty


def test_one_reading_two_wire_formats():
    """One pipeline, two renderers: a generated card read once (real models), answered in
    Huawei's JSON and Tencent's XML without re-parsing one from the other."""
    from cardocr.documents import REGISTRY
    from cardocr.ocr.engine import get_engine
    from cardocr.pipeline import read
    from cardocr.render import huawei
    from cardocr.types import ReadRequest
    from tools.cardgen import make_sample

    photo, person, _ = make_sample(530, "front", "scan")
    results = read(REGISTRY["id-card"], photo, ReadRequest(), get_engine())
    hw = huawei.render(huawei.WIRE["id-card"], results, huawei.HuaweiOptions())
    tx = {c.tag: c.text for c in ET.fromstring(tencent.render(results, TencentOptions())).find("IdInfo")}
    assert tx["Name"] == hw["name"] == person.name
    assert tx["IdNum"] == hw["number"] == person.number
    y, m, d = person.birth.split("-")
    assert hw["birth"] == person.birth and tx["Birth"] == f"{y}/{int(m)}/{int(d)}"
    assert tx["Nation"] == hw["ethnicity"] and tx["Address"] == hw["address"] == person.address


def _multi(other: bool, same: bool) -> dict:
    return {MULTI_CARD: Signal(100.0 if other else 0.0, other), SAME_SIDE: Signal(100.0 if same else 0.0, same)}


def test_another_card_is_multi_card_error_unless_multi_card_detect():
    """Without MultiCardDetect any second card is refused; with it, only one of a side already
    read (a front and a back are answered together)."""
    front_and_back = [_card("front", FRONT, _multi(False, False)), _card("back", BACK, _multi(False, False))]
    assert _xml(front_and_back, MultiCardDetect=True).find("IdInfo/Name").text == "李明"
    with pytest.raises(MultiCardError) as err:
        tencent.render([_card("front", FRONT, _multi(True, False))], TencentOptions())
    assert tencent.error_code(err.value) == "FailedOperation.MultiCardError"
    assert _xml([_card("front", FRONT, _multi(True, False))], MultiCardDetect=True).find("IdInfo/Name").text
    with pytest.raises(MultiCardError):
        tencent.render([_card("front", FRONT, _multi(True, True))],
                       TencentOptions(config=frozenset({"MultiCardDetect"})))
    assert MULTI_CARD in tencent.read_request(TencentOptions()).signals  # every reading looks
