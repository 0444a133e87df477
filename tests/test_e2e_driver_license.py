"""Driving licence end to end through the HTTP API with the real pipeline and OCR models.

Synthetic licences from tools.cardgen.licence with fixed seeds (700..), JPEG-encoded, base64 in
a POST /v2/{project_id}/ocr/driver-license with a real token.
"""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from apihelpers import assert_error, b64
from cardocr.documents import driver_license as dl
from cardocr.ocr.engine import get_engine
from cardocr.settings import DEV_PROJECT_ID
from readers import HuaweiOptions, recognize
from reference import reference_image
from tools.cardgen import make_sample
from tools.cardgen.licence import make_licence_sample

PATH = f"/v2/{DEV_PROJECT_ID}/ocr/driver-license"
FRONT = ("number", "name", "sex", "nationality", "address", "birth", "issue_date", "class",
         "valid_from", "valid_to")
BACK = ("number", "name", "file_number", "record")
FIELDS = {"front": FRONT, "back": BACK}
MOCKUP = "cn-driving-licence-mockup.png"

# (seed, side, layout, sleeve); 300024: its English subtitle's box is as tall as the number's
SCANS = [(700, "front", "new", False), (701, "front", "old", True), (702, "front", "new", True),
         (703, "back", None, False), (704, "back", None, True), (300024, "front", None, None)]
PHOTOS = [(710, "front", "photo"), (711, "back", "photo"), (712, "front", "small")]


def _post(live_api, img: np.ndarray, **body):
    client, token = live_api
    ok, buf = cv2.imencode(".jpg", img, [cv2.IMWRITE_JPEG_QUALITY, 92])
    assert ok
    return client.post(PATH, json={"image": b64(buf.tobytes()), **body}, headers={"X-Auth-Token": token})


def _result(r) -> dict:
    assert r.status_code == 200, (r.status_code, r.text)
    body = r.json()
    assert set(body) == {"result"}, sorted(body)
    return body["result"]


def _expected(lic, side: str) -> dict:
    return lic.front_result() if side == "front" else lic.back_result()


def _mismatches(result: dict, lic, side: str) -> list[str]:
    want = _expected(lic, side)
    return [f"{k}: got {result.get(k)!r} want {want[k]!r}" for k in FIELDS[side] if result.get(k) != want[k]]


@pytest.mark.parametrize("seed,side,layout,sleeve", SCANS, ids=[f"{s[0]}-{s[1]}" for s in SCANS])
def test_scan_fields_exact_side_detected(live_api, seed, side, layout, sleeve):
    img, lic, _ = make_licence_sample(seed, side, "scan", layout=layout, sleeve=sleeve)
    result = _result(_post(live_api, img))  # no side: detected
    assert set(result) == set(FIELDS[side]), sorted(result)  # issuing_authority only when asked
    assert _mismatches(result, lic, side) == []


def test_photos_at_most_one_wrong_field_each(live_api):
    for seed, side, cond in PHOTOS:
        img, lic, _ = make_licence_sample(seed, side, cond)
        result = _result(_post(live_api, img, side=side))
        assert len(_mismatches(result, lic, side)) <= 1, (seed, _mismatches(result, lic, side))


def test_double_side(live_api):
    img, lic, corners = make_licence_sample(720, "both", "scan", sleeve=False)
    assert corners.shape == (2, 4, 2)
    result = _result(_post(live_api, img, side="double_side"))
    assert set(result) == {"front", "back"}, sorted(result)
    for side in ("front", "back"):
        assert set(result[side]) == set(FIELDS[side])
        assert len(_mismatches(result[side], lic, side)) <= 1, (side, _mismatches(result[side], lic, side))


def test_issuing_authority_only_when_asked_and_text_location(live_api):
    img, lic, corners = make_licence_sample(730, "front", "scan", layout="new", sleeve=False)
    result = _result(_post(live_api, img, return_issuing_authority=True, return_text_location=True))
    assert set(result) == set(FRONT) | {"issuing_authority", "text_location"}, sorted(result)
    assert result["issuing_authority"] == lic.issuing_authority
    locs = result["text_location"]
    assert {"number", "name", "birth", "class"} <= set(locs), sorted(locs)
    contour = np.asarray(corners, np.float32).reshape(-1, 1, 2)
    margin = 0.05 * float(np.linalg.norm(corners[1] - corners[0]))
    for name, pts in locs.items():
        assert len(pts) == 4 and all(type(v) is int for p in pts for v in p), (name, pts)
        assert all(cv2.pointPolygonTest(contour, (float(x), float(y)), True) >= -margin for x, y in pts), name
    off = _result(_post(live_api, img, return_issuing_authority=False))
    assert "issuing_authority" not in off and set(off) == set(FRONT)


def test_square_seal_authority(live_api):
    img, lic, _ = make_licence_sample(731, "front", "scan", layout="old", sleeve=False)
    result = _result(_post(live_api, img, side="front", return_issuing_authority=True))
    assert result["issuing_authority"] == lic.issuing_authority


def test_id_card_is_not_a_licence(live_api):
    img, _person, _ = make_sample(500, "front", "scan")
    assert_error(_post(live_api, img), 400, "AIS.0104")


def test_reference_mockup():
    img = reference_image(MOCKUP)
    result = recognize("driver-license", img, HuaweiOptions.of(side="front"))
    assert result["name"] == "小帮"
    assert result["sex"] == "男"
    assert result["nationality"] == "中国"
    assert result["class"] == "E"


def test_reference_mockup_validity():
    """The older layout's bottom row, read as its two parts (有效起始日期 <from>, 有效期限 6年):
    the seal covers the start of the date; its impossible year (0098) is chosen among the
    first issue's and the renewals' (2016)."""
    img = reference_image(MOCKUP)
    result = recognize("driver-license", img, HuaweiOptions.of(side="front"))
    assert result["valid_from"] == "2016-03-03"
    assert result["valid_to"] == "2022-03-03"  # 有效期限 6年


def test_the_page_is_detected_at_the_licence_size():
    """The pipeline straightens a licence with the module's own DET_SIDE (672; the ID card
    asks for 576, the HK card 640), and the page is still read right."""
    engine = get_engine()

    class Recorder:
        def __init__(self):
            self.sides: list[int] = []

        def __getattr__(self, name):
            return getattr(engine, name)

        def detect(self, image, max_side=960):
            self.sides.append(max_side)
            return engine.detect(image, max_side)

    photo, lic, _ = make_licence_sample(700, "front", "scan", layout="new", sleeve=False)
    rec = Recorder()
    result = recognize("driver-license", photo, HuaweiOptions.of(), rec)
    assert rec.sides and set(rec.sides) == {dl.DET_SIDE} and dl.DET_SIDE == 672
    assert _mismatches(result, lic, "front") == []
