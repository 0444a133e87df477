"""The official Huawei Cloud SDK (huaweicloudsdkocr + huaweicloudsdkcore, unmodified, pinned in
pyproject's dev extras) against a running cardocr: uvicorn on a free loopback port in a thread,
configured with nothing but cardocr's address and an account's keys.

Most calls are answered by a fake reader (every field of every document filled, so each answer
is complete); one call per document goes through the real pipeline and models on a generated
card. Every answer must deserialise into the SDK's response model without losing a field.
"""

from __future__ import annotations

import contextlib
import json
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import cv2
import numpy as np
import pytest
import uvicorn
from huaweicloudsdkcore.auth.credentials import BasicCredentials
from huaweicloudsdkcore.exceptions.exceptions import ClientRequestException, SdkException
from huaweicloudsdkcore.http.http_handler import HttpHandler
from huaweicloudsdkcore.region.region import Region
from huaweicloudsdkcore.utils.http_utils import sanitize_for_serialization
from huaweicloudsdkocr.v1 import (
    DriverLicenseRequestBody,
    HkIdCardRequestBody,
    IdCardRequestBody,
    OcrClient,
    RecognizeDriverLicenseRequest,
    RecognizeHkIdCardRequest,
    RecognizeIdCardRequest,
)

from apihelpers import FakePipeline, b64
from cardocr.api.app import EngineReader, create_app
from cardocr.settings import DEV_ACCESS_KEY, DEV_PROJECT_ID, DEV_SECRET_KEY, Account, Settings
from tools.cardgen import make_sample
from tools.cardgen.hk import make_hk_sample
from tools.cardgen.licence import make_licence_sample

OTHER = Account(user="bob", password="pw", domain="bobco", project_id="b0b0000000000000000000000000b0b0",
                project_name="ap-southeast-1", access_key="BOBACCESSKEY00000000",
                secret_key="bobSecretKey0000000000000000000000000000")
# every field of every document, so that every key of every answer is filled
VALUES: dict[str, Any] = {
    "name": "张三", "sex": "男", "birth": "2000-03-06", "ethnicity": "汉", "address": "北京市东城区1号",
    "number": "11010120000306001X", "authority": "北京市公安局东城分局", "valid_from": "2020-01-01",
    "valid_to": "2040-01-01", "name_en": "CHAN, Tai Man", "birth_date": "06-03-2000", "symbols": "***AZ",
    "name_telegraph_code": "7115 1129", "permanent": True, "initial_issue_date": "(01-20)",
    "issue_date": "2020-01-01", "nationality": "中国", "class": "C1", "file_number": "110100123456",
    "record": "",
}
ID_FLAGS = ("return_verification", "return_text_location", "return_portrait_location", "return_portrait_image",
            "return_adjusted_image", "detect_reproduce", "detect_copy", "detect_tampering",
            "detect_border_integrity", "detect_blocking_within_border", "detect_blur", "detect_interim",
            "detect_glare")


class SwitchReader:
    """The app's reader: the fake, or (inside `real()`) the real pipeline and models."""

    def __init__(self) -> None:
        self.fake = FakePipeline(dict(VALUES))
        self.current: Any = self.fake

    def __call__(self, doc, image, request):
        return self.current(doc, image, request)

    @contextlib.contextmanager
    def real(self) -> Iterator[None]:
        self.current = EngineReader(threads=2)
        try:
            yield
        finally:
            self.current = self.fake


@dataclass
class Service:
    endpoint: str
    reader: SwitchReader
    seen: list[tuple[str, str]] = field(default_factory=list)  # (method, raw path) of each request

    def iam_calls(self) -> int:
        return sum(1 for method, path in self.seen if (method, path) == ("GET", "/v3/projects"))


@pytest.fixture(scope="module")
def service() -> Iterator[Service]:
    reader = SwitchReader()
    app = create_app(Settings(accounts=[*Settings().accounts, OTHER]), reader)
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    svc = Service(f"http://127.0.0.1:{sock.getsockname()[1]}", reader)

    async def recorded(scope, receive, send):
        if scope["type"] == "http":
            svc.seen.append((scope["method"], scope["raw_path"].decode("latin-1")))
        await app(scope, receive, send)

    server = uvicorn.Server(uvicorn.Config(recorded, log_level="warning"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started and thread.is_alive() and time.monotonic() < deadline:
        time.sleep(0.01)
    assert server.started
    yield svc
    server.should_exit = True
    thread.join(10)
    sock.close()


def client(svc: Service, ak: str = DEV_ACCESS_KEY, sk: str = DEV_SECRET_KEY, project_id: str | None = DEV_PROJECT_ID,
           region: str | None = None, iam: bool = True, handler: HttpHandler | None = None) -> OcrClient:
    """An OcrClient as a user builds one: keys, and cardocr's address as the endpoint (or as the
    region's endpoint, with cardocr as the IAM endpoint too)."""
    credentials = BasicCredentials(ak, sk, project_id)
    builder = OcrClient.new_builder().with_credentials(credentials)
    if region is None:
        builder = builder.with_endpoint(svc.endpoint)
    else:
        if iam:
            credentials.with_iam_endpoint(svc.endpoint)
        builder = builder.with_region(Region(region, svc.endpoint))
    if handler is not None:
        builder = builder.with_http_handler(handler)
    return builder.build()


def assert_complete(response) -> dict[str, Any]:
    """The answer as sent equals the SDK's model of it serialised back: no field lost."""
    assert response.status_code == 200 and response.x_request_id
    raw = json.loads(response.raw_content, parse_float=Decimal)["result"]
    assert sanitize_for_serialization(response.result) == raw
    return raw


def id_card(image: str, **flags: Any) -> RecognizeIdCardRequest:
    return RecognizeIdCardRequest(body=IdCardRequestBody(image=image, **flags))


IMAGE = b64(  # a licence page needs a narrow edge of 100 px
    cv2.imencode(".jpg", np.full((120, 180, 3), 200, np.uint8))[1].tobytes())


# --- RecognizeIdCard -----------------------------------------------------------------------------

@pytest.mark.parametrize("side", ["front", "back", None])
def test_id_card_every_flag(service, side):
    r = client(service).recognize_id_card(id_card(IMAGE, side=side, **dict.fromkeys(ID_FLAGS, True)))
    raw = assert_complete(r)
    call = service.reader.fake.calls[-1][3]
    assert call.side == side
    if side == "back":
        assert r.result.issue == VALUES["authority"] and r.result.valid_to == VALUES["valid_to"]
        assert set(raw["verification_result"]) == {"valid_date", "valid_validity_period"}
    else:
        assert r.result.name == "张三" and r.result.number == VALUES["number"]
        assert r.result.portrait_location and r.result.portrait_image and r.result.adjusted_image
        assert r.result.verification_result.valid_number is not None
    assert r.result.text_location


def test_id_card_double_side(service):
    r = client(service).recognize_id_card(id_card(IMAGE, side="double_side", return_verification=True))
    raw = assert_complete(r)
    assert set(raw) == {"front", "back"}
    assert r.result.front.name == "张三" and r.result.back.issue == VALUES["authority"]
    assert r.result.front.verification_result.valid_birth is not None
    assert r.result.back.verification_result.valid_validity_period is not None


def test_id_card_flags_off(service):
    raw = assert_complete(client(service).recognize_id_card(id_card(IMAGE, side="front")))
    assert set(raw) == {"name", "sex", "birth", "ethnicity", "address", "number"}


# --- RecognizeHkIdCard and RecognizeDriverLicense ------------------------------------------------

def test_hk_id_card(service):
    body = HkIdCardRequestBody(image=IMAGE, return_portrait_image=True, return_portrait_location=True)
    r = client(service).recognize_hk_id_card(RecognizeHkIdCardRequest(body=body))
    raw = assert_complete(r)
    assert r.result.number == VALUES["number"] and r.result.permanent is True
    assert set(r.result.confidence) == set(raw) - {"confidence", "portrait_image", "portrait_location"}
    assert all(isinstance(c, Decimal) and 0 <= c <= 1 for c in r.result.confidence.values())
    assert r.result.portrait_image and r.result.portrait_location


@pytest.mark.parametrize("side", ["front", "back", None])
def test_driver_license(service, side):
    body = DriverLicenseRequestBody(image=IMAGE, side=side, return_issuing_authority=True, return_text_location=True)
    r = client(service).recognize_driver_license(RecognizeDriverLicenseRequest(body=body))
    raw = assert_complete(r)
    assert r.result.number == VALUES["number"] and r.result.text_location
    if side == "back":
        assert r.result.file_number == VALUES["file_number"] and "class" not in raw
    else:
        assert r.result._class == "C1" and raw["class"] == "C1"
        assert r.result.issuing_authority == VALUES["authority"]
    assert service.reader.fake.calls[-1][3].optional == {"authority"}


def test_driver_license_double_side(service):
    body = DriverLicenseRequestBody(image=IMAGE, side="double_side")
    r = client(service).recognize_driver_license(RecognizeDriverLicenseRequest(body=body))
    raw = assert_complete(r)
    assert set(raw) == {"front", "back"}
    assert r.result.front._class == "C1" and r.result.back.file_number == VALUES["file_number"]
    assert "issuing_authority" not in raw["front"]


# --- how the SDK finds the project -------------------------------------------------------------------

def test_endpoint_without_project_id(service):
    r = client(service, project_id=None).recognize_id_card(id_card(IMAGE, side="front"))
    assert r.result.name == "张三"
    assert service.seen[-1] == ("POST", "/v2/%7Bproject_id%7D/ocr/id-card")


def test_region_and_iam_endpoint(service):
    before = service.iam_calls()
    r = client(service, project_id=None, region="cn-north-4").recognize_id_card(id_card(IMAGE, side="front"))
    assert r.result.name == "张三"
    assert service.iam_calls() == before + 1
    assert service.seen[-1] == ("POST", f"/v2/{DEV_PROJECT_ID}/ocr/id-card")


def test_region_and_iam_endpoint_from_the_environment(service, monkeypatch):
    monkeypatch.setenv("HUAWEICLOUD_SDK_IAM_ENDPOINT", service.endpoint)
    before = service.iam_calls()
    c = client(service, ak=OTHER.access_key, sk=OTHER.secret_key, project_id=None, region="ap-southeast-1", iam=False)
    body = HkIdCardRequestBody(image=IMAGE)
    assert c.recognize_hk_id_card(RecognizeHkIdCardRequest(body=body)).result.name == "张三"
    assert service.iam_calls() == before + 1
    assert service.seen[-1] == ("POST", f"/v2/{OTHER.project_id}/ocr/hk-id-card")


def test_region_with_project_id_needs_no_iam(service):
    before = service.iam_calls()
    r = client(service, region="cn-north-4", iam=False).recognize_id_card(id_card(IMAGE, side="back"))
    assert r.result.issue == VALUES["authority"] and service.iam_calls() == before


def test_region_the_account_has_no_project_in(service):
    with pytest.raises(SdkException, match="Failed to get project id of region 'eu-west-101'"):
        client(service, project_id=None, region="eu-west-101")


# --- refusals ---------------------------------------------------------------------------------------

def _refused(call, status: int, code: str) -> ClientRequestException:
    with pytest.raises(ClientRequestException) as err:
        call()
    assert (err.value.status_code, err.value.error_code) == (status, code), err.value
    assert err.value.request_id
    return err.value


def test_wrong_secret_key(service):
    c = client(service, sk="x" * 40)
    err = _refused(lambda: c.recognize_id_card(id_card(IMAGE)), 401, "APIGW.0301")
    assert "verify aksk signature fail" in err.error_msg


def test_unknown_access_key(service):
    c = client(service, ak="NOSUCHACCESSKEY00000")
    _refused(lambda: c.recognize_hk_id_card(RecognizeHkIdCardRequest(body=HkIdCardRequestBody(image=IMAGE))),
             401, "APIGW.0301")


def test_stale_sdk_date(service):
    c = client(service)
    c.preset_headers = {"X-Sdk-Date": time.strftime("%Y%m%dT%H%M%SZ", time.gmtime(time.time() - 16 * 60))}
    err = _refused(lambda: c.recognize_id_card(id_card(IMAGE)), 401, "APIGW.0301")
    assert "signature expired" in err.error_msg


def test_tampered_body(service):
    def tamper(request, **_):
        request.body = request.body.replace(b'"front"', b'"back"')

    calls = len(service.reader.fake.calls)
    c = client(service, handler=HttpHandler().add_request_handler(tamper))
    _refused(lambda: c.recognize_id_card(id_card(IMAGE, side="front")), 401, "APIGW.0301")
    assert len(service.reader.fake.calls) == calls


def test_another_accounts_project(service):
    c = client(service, ak=OTHER.access_key, sk=OTHER.secret_key, project_id=DEV_PROJECT_ID)
    body = DriverLicenseRequestBody(image=IMAGE)
    _refused(lambda: c.recognize_driver_license(RecognizeDriverLicenseRequest(body=body)), 403, "ModelArts.4203")


# --- one call per document through the real pipeline ------------------------------------------------

def _jpeg(img: np.ndarray) -> str:
    return b64(cv2.imencode(".jpg", img, [cv2.IMWRITE_JPEG_QUALITY, 92])[1].tobytes())


def test_real_pipeline_each_document(service):
    c = client(service, project_id=None)
    id_img, person, _ = make_sample(500, "front", "scan")
    hk_img, hk_person, _ = make_hk_sample(700, "scan", "2003")
    lic_img, lic, _ = make_licence_sample(700, "front", "scan", layout="new", sleeve=False)
    with service.reader.real():
        r_id = c.recognize_id_card(id_card(_jpeg(id_img), side="front", **dict.fromkeys(ID_FLAGS, True)))
        r_hk = c.recognize_hk_id_card(RecognizeHkIdCardRequest(body=HkIdCardRequestBody(image=_jpeg(hk_img))))
        body = DriverLicenseRequestBody(image=_jpeg(lic_img), side="front", return_issuing_authority=True)
        r_lic = c.recognize_driver_license(RecognizeDriverLicenseRequest(body=body))
    assert_complete(r_id)
    assert (r_id.result.name, r_id.result.number, r_id.result.address) == (person.name, person.number, person.address)
    assert r_id.result.verification_result.valid_number is True
    assert_complete(r_hk)
    assert (r_hk.result.number, r_hk.result.name_en) == (hk_person.number, hk_person.name_en)
    assert set(r_hk.result.confidence) >= {"number", "name_en"}
    assert_complete(r_lic)
    assert (r_lic.result.number, r_lic.result._class) == (lic.number, lic.class_)
    assert r_lic.result.issuing_authority == lic.issuing_authority
