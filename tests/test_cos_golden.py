"""Golden XML answers of `?ci-process=IDCardOCR`: generated cards stored through the COS
endpoint and recognised by the real pipeline and models, the raw XML compared with the files
in tests/data/golden_tencent/ (a base64 image in the answer is kept as "jpeg WxH", its decoded
size). After an intended change: CARDOCR_GOLDEN=record .venv/bin/python -m pytest
tests/test_cos_golden.py, then read the diff of the files before committing them.
"""

from __future__ import annotations

import base64
import os
from pathlib import Path
from xml.etree import ElementTree as ET

import cv2
import numpy as np
import pytest
import requests
from qcloud_cos import CosConfig, CosS3Client, CosServiceError
from qcloud_cos.ai_recognition import AIRecognitionClient

from cardocr.api.app import EngineReader
from cardocr.settings import DEV_ACCESS_KEY, DEV_BUCKET, DEV_SECRET_KEY, Settings
from cosserver import REGION, authorization, live_cos
from tools.cardgen import make_sample
from tools.cardgen.multicard import TUNE_SEED, multi_card_sample

GOLDEN = Path(__file__).resolve().parent / "data" / "golden_tencent"
RECORD = os.environ.get("CARDOCR_GOLDEN") == "record"
HOST = f"{DEV_BUCKET}.cos.{REGION}.myqcloud.com"

# (name, seed, side, condition, CardSide, Config)
CASES = [
    ("front-scan", 530, "front", "scan", "FRONT", None),
    ("back-scan", 531, "back", "scan", "BACK", '{"InvalidDateWarn": true}'),
    ("front-photo-detected-all-flags", 532, "front", "photo", None,
     '{"CropIdCard": true, "CropPortrait": true, "Quality": true, "BorderCheckWarn": true, "InvalidDateWarn": true}'),
    ("both-sides-multicard", 533, "both", "scan", None, '{"MultiCardDetect": true}'),
]


@pytest.fixture(scope="module")
def live(tmp_path_factory):
    with live_cos(Settings(data_dir=tmp_path_factory.mktemp("cos")), EngineReader(threads=2)) as server:
        yield server


def _normalised(xml: bytes) -> str:
    root = ET.fromstring(xml)
    for node in root.iter():
        if node.tag in ("IdCard", "Portrait") and node.text:
            img = cv2.imdecode(np.frombuffer(base64.b64decode(node.text), np.uint8), cv2.IMREAD_COLOR)
            node.text = f"jpeg {img.shape[1]}x{img.shape[0]}"
    ET.indent(root)
    return ET.tostring(root, encoding="unicode") + "\n"


def _jpeg(img: np.ndarray) -> bytes:
    ok, buf = cv2.imencode(".jpg", img, [cv2.IMWRITE_JPEG_QUALITY, 92])
    assert ok
    return buf.tobytes()


@pytest.mark.parametrize("name,seed,side,condition,card_side,config", CASES, ids=[c[0] for c in CASES])
def test_golden_xml(live, name, seed, side, condition, card_side, config):
    photo, _person, _corners = make_sample(seed, side, condition)
    conf = CosConfig(Region=REGION, SecretId=DEV_ACCESS_KEY, SecretKey=DEV_SECRET_KEY, Scheme="http",
                     IP="127.0.0.1", Port=live.port)
    key = f"golden/{name}.jpg"
    CosS3Client(conf, retry=0).put_object(Bucket=DEV_BUCKET, Key=key, Body=_jpeg(photo))
    params = {"ci-process": "IDCardOCR", **({"CardSide": card_side} if card_side else {}),
              **({"Config": config} if config else {})}
    headers = {"Host": HOST}
    auth = authorization(DEV_ACCESS_KEY, DEV_SECRET_KEY, "GET", key, params, headers)
    r = requests.get(f"http://{live.address}/{key}", params=params, headers={**headers, "Authorization": auth},
                     timeout=60)
    assert r.status_code == 200, r.text
    assert r.headers["Content-Type"] == "application/xml" and r.headers["x-ci-request-id"]
    got = _normalised(r.content)
    path = GOLDEN / f"{name}.xml"
    if RECORD:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(got, encoding="utf-8")
    assert got == path.read_text(encoding="utf-8")
    if name == "front-scan":  # the SDK's own call parses the same answer
        _headers, data = AIRecognitionClient(conf, retry=0).cos_ai_id_card_ocr(
            Bucket=DEV_BUCKET, ObjectKey=key, CardSide="FRONT")
        assert data["IdInfo"] == {n.tag: n.text for n in ET.fromstring(r.content).find("IdInfo")}


@pytest.mark.parametrize("what,config", [("two-fronts", '{"MultiCardDetect": true}'), ("front-and-back", None)])
def test_multi_card_error_through_the_sdk(live, what, config):
    """The official SDK's call on a stored photo of two cards: two fronts are refused even with
    MultiCardDetect; a front and a back without it (with it: the golden both-sides-multicard)."""
    if what == "two-fronts":
        photo = multi_card_sample(TUNE_SEED + 7).photo  # a tuning seed (bench/multicard.py)
    else:
        photo, _person, _corners = make_sample(533, "both", "scan")
    conf = CosConfig(Region=REGION, SecretId=DEV_ACCESS_KEY, SecretKey=DEV_SECRET_KEY, Scheme="http",
                     Domain=live.address)
    key = f"multi/{what}.jpg"
    CosS3Client(conf, retry=0).put_object(Bucket=DEV_BUCKET, Key=key, Body=_jpeg(photo))
    with pytest.raises(CosServiceError) as err:
        AIRecognitionClient(conf, retry=0).cos_ai_id_card_ocr(Bucket=DEV_BUCKET, ObjectKey=key,
                                                              **({"Config": config} if config else {}))
    assert (err.value.get_status_code(), err.value.get_error_code()) == (400, "FailedOperation.MultiCardError")
    assert err.value.get_request_id()
