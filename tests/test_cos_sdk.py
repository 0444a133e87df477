"""The official Tencent COS SDK (cos-python-sdk-v5, unmodified, pinned in pyproject's dev
extras) against a running COS endpoint (uvicorn on a free loopback port in a thread, a
temporary data_dir), configured with nothing but cardocr's address and the development keys,
in both ways the SDK can be pointed at it:

  * `Domain="127.0.0.1:PORT"`: the bucket appears nowhere in the request (the first bucket);
  * `IP="127.0.0.1", Port=PORT`: `Host: <bucket>.cos.<region>.myqcloud.com`, signed.

The recognition answers come from a fake reader here (every field filled); the real pipeline
answers in tests/test_cos_golden.py.
"""

from __future__ import annotations

import base64
import hashlib

import cv2
import numpy as np
import pytest
import requests
from qcloud_cos import CosConfig, CosS3Client, CosServiceError
from qcloud_cos.ai_recognition import AIRecognitionClient

from apihelpers import FakePipeline, make_image
from cardocr.settings import DEV_ACCESS_KEY, DEV_BUCKET, DEV_SECRET_KEY, Account, CosBucket, Settings
from cosserver import REGION, authorization, live_cos

VALUES = {"name": "李明", "sex": "男", "ethnicity": "汉族", "birth": "1987-01-01", "address": "北京市石景山区",
          "number": "440524198701010014", "authority": "北京市公安局", "valid_from": "2010-07-21", "valid_to": "长期"}
OTHER = Account(user="bob", password="pw", domain="bobco", project_id="b0b0000000000000000000000000b0b0",
                access_key="BOBACCESSKEY00000000", secret_key="bobSecretKey0000000000000000000000000000")
OTHER_BUCKET = "bobs-1250000001"
KEYS = ["id.jpg", "证件/身份证 正面.jpg", "a+b%c/d e.jpg", "deep/er/still deeper/x.png"]
MODES = ("domain", "ip")


@pytest.fixture(scope="module")
def live(tmp_path_factory):
    settings = Settings(data_dir=tmp_path_factory.mktemp("cos"), accounts=[*Settings().accounts, OTHER],
                        cos={"buckets": [CosBucket(name=DEV_BUCKET, owner="cardocr"),
                                         CosBucket(name=OTHER_BUCKET, owner="bob", domains=["ocr.bob.example"])]})
    with live_cos(settings, FakePipeline(dict(VALUES))) as server:
        yield server


def config(live, mode: str, secret_id: str = DEV_ACCESS_KEY, secret_key: str = DEV_SECRET_KEY) -> CosConfig:
    where = {"Domain": live.address} if mode == "domain" else {"IP": "127.0.0.1", "Port": live.port}
    return CosConfig(Region=REGION, SecretId=secret_id, SecretKey=secret_key, Scheme="http", **where)


def client(live, mode: str, **kw) -> CosS3Client:
    return CosS3Client(config(live, mode, **kw), retry=0)


def _photo() -> bytes:
    return make_image(300, 480)


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("key", KEYS)
def test_put_head_get_delete(live, mode, key):
    c = client(live, mode)
    body = _photo()
    put = c.put_object(Bucket=DEV_BUCKET, Key=key, Body=body, ContentType="image/jpeg", EnableMD5=True,
                       Metadata={"x-cos-meta-source": "scanner-7"})
    assert put["ETag"] == f'"{hashlib.md5(body).hexdigest()}"' and put["x-cos-request-id"]
    head = c.head_object(Bucket=DEV_BUCKET, Key=key)
    assert head["Content-Length"] == str(len(body)) and head["Content-Type"] == "image/jpeg"
    assert head["ETag"] == put["ETag"] and head["x-cos-meta-source"] == "scanner-7"
    got = c.get_object(Bucket=DEV_BUCKET, Key=key)
    assert got["Body"].get_raw_stream().read() == body and got["x-cos-meta-source"] == "scanner-7"
    part = c.get_object(Bucket=DEV_BUCKET, Key=key, Range="bytes=10-19")
    assert part["Body"].get_raw_stream().read() == body[10:20]
    assert part["Content-Range"] == f"bytes 10-19/{len(body)}"
    c.delete_object(Bucket=DEV_BUCKET, Key=key)
    with pytest.raises(CosServiceError) as err:
        c.get_object(Bucket=DEV_BUCKET, Key=key)
    assert (err.value.get_status_code(), err.value.get_error_code()) == (404, "NoSuchKey")
    with pytest.raises(CosServiceError) as err:
        c.head_object(Bucket=DEV_BUCKET, Key=key)
    assert err.value.get_status_code() == 404


@pytest.mark.parametrize("mode", MODES)
def test_id_card_ocr_on_a_stored_object(live, mode):
    c = client(live, mode)
    c.put_object(Bucket=DEV_BUCKET, Key="cards/front 1.jpg", Body=_photo())
    ai = AIRecognitionClient(config(live, mode), retry=0)
    headers, data = ai.cos_ai_id_card_ocr(Bucket=DEV_BUCKET, ObjectKey="cards/front 1.jpg", CardSide="FRONT",
                                          Config='{"CropIdCard": true, "CropPortrait": true}')
    assert headers["x-ci-request-id"] == headers["x-cos-request-id"]
    assert data["IdInfo"] == {"Name": "李明", "Sex": "男", "Nation": "汉", "Birth": "1987/1/1",
                              "Address": "北京市石景山区", "IdNum": "440524198701010014"}
    for name in ("IdCard", "Portrait"):
        img = cv2.imdecode(np.frombuffer(base64.b64decode(data["AdvancedInfo"][name]), np.uint8), cv2.IMREAD_COLOR)
        assert img is not None and img.size
    # the back, and the seed's own Config (a key repeated, a space after the comma)
    headers, data = ai.cos_ai_id_card_ocr(Bucket=DEV_BUCKET, ObjectKey="cards/front 1.jpg", CardSide="BACK",
                                          Config='{"CropIdCard":true, "CropIdCard":true}')
    assert data["IdInfo"] == {"Authority": "北京市公安局", "ValidDate": "2010.07.21-长期"}
    assert list(data["AdvancedInfo"]) == ["IdCard"]


@pytest.mark.parametrize("mode", MODES)
def test_id_card_ocr_errors_are_cos_errors(live, mode):
    ai = AIRecognitionClient(config(live, mode), retry=0)
    bad_config = "InvalidParameter.ConfigFormatError"
    cases = [({"ObjectKey": "no such.jpg"}, 404, "NoSuchKey"),
             ({"ObjectKey": "cards/front 1.jpg", "Config": '{"Crop": true}'}, 400, bad_config),
             ({"ObjectKey": "cards/front 1.jpg", "Config": "{"}, 400, bad_config),
             ({"ObjectKey": "cards/front 1.jpg", "CardSide": "SIDEWAYS"}, 400,
              "InvalidParameterValue.InvalidParameterValueLimit")]
    client(live, mode).put_object(Bucket=DEV_BUCKET, Key="cards/front 1.jpg", Body=_photo())
    client(live, mode).put_object(Bucket=DEV_BUCKET, Key="notes.txt", Body=b"not a photo")
    cases.append(({"ObjectKey": "notes.txt"}, 400, "FailedOperation.ImageDecodeFailed"))
    for kwargs, status, code in cases:
        with pytest.raises(CosServiceError) as err:
            ai.cos_ai_id_card_ocr(Bucket=DEV_BUCKET, **kwargs)
        assert (err.value.get_status_code(), err.value.get_error_code()) == (status, code), kwargs
        assert err.value.get_request_id()


@pytest.mark.parametrize("mode", MODES)
def test_refused_signatures(live, mode):
    cases = [
        ({"secret_key": "wrong" * 8}, "SignatureDoesNotMatch"),
        ({"secret_id": "AKIDNOBODY0000000000"}, "InvalidAccessKeyId"),
        ({"secret_id": OTHER.access_key, "secret_key": OTHER.secret_key}, "AccessDenied"),  # not the owner
    ]
    for kw, code in cases:
        with pytest.raises(CosServiceError) as err:
            client(live, mode, **kw).put_object(Bucket=DEV_BUCKET, Key="x.jpg", Body=b"x")
        assert (err.value.get_status_code(), err.value.get_error_code()) == (403, code), kw


def test_bucket_from_the_host(live):
    """IP mode names the bucket in Host; an unknown one is NoSuchBucket; a configured domain
    names its bucket; the other account's key works only on its own bucket."""
    bob = CosS3Client(config(live, "ip", OTHER.access_key, OTHER.secret_key), retry=0)
    bob.put_object(Bucket=OTHER_BUCKET, Key="b.jpg", Body=b"bob's")
    assert bob.get_object(Bucket=OTHER_BUCKET, Key="b.jpg")["Body"].get_raw_stream().read() == b"bob's"
    with pytest.raises(CosServiceError) as err:
        client(live, "ip").get_object(Bucket=OTHER_BUCKET, Key="b.jpg")
    assert (err.value.get_status_code(), err.value.get_error_code()) == (403, "AccessDenied")
    with pytest.raises(CosServiceError) as err:
        client(live, "ip").get_object(Bucket="nobody-1250000009", Key="b.jpg")
    assert (err.value.get_status_code(), err.value.get_error_code()) == (404, "NoSuchBucket")
    by_domain = CosConfig(Region=REGION, SecretId=OTHER.access_key, SecretKey=OTHER.secret_key, Scheme="http",
                          IP="127.0.0.1", Port=live.port, Domain="ocr.bob.example")
    got = CosS3Client(by_domain, retry=0).get_object(Bucket=OTHER_BUCKET, Key="b.jpg")
    assert got["Body"].get_raw_stream().read() == b"bob's"


def _signed_put(live, key: str, body: bytes, params: dict[str, str], headers: dict[str, str] | None = None):
    """PUT with a query, signed as the SDK signs (the Python SDK has no call for this form)."""
    headers = {"Host": f"{DEV_BUCKET}.cos.{REGION}.myqcloud.com", "Content-Type": "image/jpeg", **(headers or {})}
    auth = authorization(DEV_ACCESS_KEY, DEV_SECRET_KEY, "PUT", key, params, headers)
    return requests.put(f"http://{live.address}/{requests.utils.quote(key, safe='/-_.~')}", params=params,
                        data=body, headers={**headers, "Authorization": auth}, timeout=30)


def test_put_with_ci_process_stores_and_recognises(live):
    body = _photo()
    r = _signed_put(live, "upload/身份证.jpg", body, {"ci-process": "IDCardOCR", "CardSide": "FRONT",
                                                    "Config": '{"Quality": true, "CropPortrait": true}'},
                    {"Content-MD5": base64.b64encode(hashlib.md5(body).digest()).decode()})
    assert r.status_code == 200 and r.headers["Content-Type"] == "application/xml", r.text
    assert r.headers["x-ci-request-id"] and r.headers["ETag"] == f'"{hashlib.md5(body).hexdigest()}"'
    assert "<Name>李明</Name>" in r.text and "<Portrait>" in r.text
    stored = client(live, "ip").get_object(Bucket=DEV_BUCKET, Key="upload/身份证.jpg")
    assert stored["Body"].get_raw_stream().read() == body
    # a bad Config stores nothing; a wrong Content-MD5 neither
    r = _signed_put(live, "upload/bad.jpg", body, {"ci-process": "IDCardOCR", "Config": "[true]"})
    assert r.status_code == 400 and "<Code>InvalidParameter.ConfigFormatError</Code>" in r.text
    r = _signed_put(live, "upload/bad.jpg", body, {}, {"Content-MD5": base64.b64encode(b"0" * 16).decode()})
    assert r.status_code == 400 and "<Code>InvalidDigest</Code>" in r.text
    with pytest.raises(CosServiceError):
        client(live, "ip").head_object(Bucket=DEV_BUCKET, Key="upload/bad.jpg")


def test_signature_time_window(live):
    import time

    now = int(time.time())
    for start, expire, code in ((now - 7200, 600, "AccessDenied"), (now + 7200, 600, "RequestTimeTooSkewed")):
        headers = {"Host": f"{DEV_BUCKET}.cos.{REGION}.myqcloud.com"}
        auth = authorization(DEV_ACCESS_KEY, DEV_SECRET_KEY, "GET", "id.jpg", {}, headers, start=start, expire=expire)
        r = requests.get(f"http://{live.address}/id.jpg", headers={**headers, "Authorization": auth}, timeout=10)
        assert r.status_code == 403 and f"<Code>{code}</Code>" in r.text, r.text
    r = requests.get(f"http://{live.address}/id.jpg", timeout=10)  # no signature at all
    assert r.status_code == 403 and "<Code>AccessDenied</Code>" in r.text


@pytest.mark.parametrize("mode", MODES)
def test_presigned_urls(live, mode):
    """get_presigned_url / get_presigned_download_url: the signature in the query instead of a
    header, usable as it is by any HTTP client (the SDK signs the URL's own host, in IP mode
    too, where the bucket is then the first one)."""
    c = client(live, mode)
    put_url = c.get_presigned_url(Bucket=DEV_BUCKET, Key="shared/扫描 1.jpg", Method="PUT", Expired=300)
    headers: dict[str, str] = {}
    assert requests.put(put_url, data=b"presigned", headers=headers, timeout=10).status_code == 200
    get_url = c.get_presigned_download_url(Bucket=DEV_BUCKET, Key="shared/扫描 1.jpg", Expired=300)
    r = requests.get(get_url, headers=headers, timeout=10)
    assert r.status_code == 200 and r.content == b"presigned"
    r = requests.get(get_url.replace("q-signature=", "q-signature=0"), headers=headers, timeout=10)
    assert r.status_code == 403 and "<Code>AccessDenied</Code>" in r.text  # a signature of 41 digits
