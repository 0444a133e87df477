"""Every bad input to POST /v2/{project_id}/ocr/id-card maps to a Huawei error; never a 500."""

from __future__ import annotations

import base64
import io
import json

import pytest
from PIL import Image

from cardocr.errors import NoCardFound
from cardocr.settings import Settings
from tests.apihelpers import (
    OCR_PATH,
    FakePipeline,
    assert_error,
    b64,
    get_token,
    local_server,
    make_client,
    make_image,
)
from tests.test_intake import png_claiming

JPEG_B64 = b64(make_image())


@pytest.fixture
def api():
    client, pipe = make_client()
    token = get_token(client)

    def post(body=None, *, content=None, headers=None):
        h = {"X-Auth-Token": token, "Content-Type": "application/json"}
        h.update(headers or {})
        if content is None:
            content = json.dumps(body).encode()
        return client.post(OCR_PATH, content=content, headers=h)

    post.client, post.pipe, post.token = client, pipe, token
    return post


def test_success_and_options_passed_through(api):
    r = api({"image": JPEG_B64, "side": "back", "return_verification": True,
             "return_text_location": False, "unknown_key": [1, 2, 3]})
    assert r.status_code == 200
    assert r.headers["X-Request-Id"]
    # the fake reads name and number on whichever side is asked: the back carries neither,
    # so the answer is the back's keys, unread, and the verification asked for
    assert r.json() == {"result": {"issue": "", "valid_from": "", "valid_to": "", "verification_result": {
        "valid_date": False, "valid_validity_period": False}}}
    doc_type, shape, dtype, request = api.pipe.calls[-1]
    assert doc_type == "id-card" and shape == (40, 60, 3) and str(dtype) == "uint8"
    assert request.side == "back" and request.optional == frozenset()
    assert api.pipe.threads[-1].startswith("cardocr-worker")  # not on the event loop


@pytest.mark.parametrize("side", [None, "", "front", "back", "double_side"])
def test_valid_sides(api, side):
    assert api({"image": JPEG_B64, "side": side}).status_code == 200
    assert api.pipe.calls[-1][3].side == (side or None)


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"image": JPEG_B64, "url": "http://example.com/a.jpg"},
        {"image": None, "url": None},
        {"image": "", "url": ""},
        {"side": "front"},
        {"image": 12345},
        {"image": ["a"]},
        {"image": {"b64": JPEG_B64}},
        {"url": 5},
        {"image": JPEG_B64, "url": True},
        {"image": JPEG_B64, "side": "FRONT"},
        {"image": JPEG_B64, "side": "left"},
        {"image": JPEG_B64, "side": 1},
        {"image": JPEG_B64, "side": ["front"]},
        {"image": JPEG_B64, "return_verification": "true"},
        {"image": JPEG_B64, "return_verification": 1},
        {"image": JPEG_B64, "return_text_location": 0},
        {"image": JPEG_B64, "return_portrait_location": "false"},
        {"image": JPEG_B64, "return_portrait_image": []},
        {"image": JPEG_B64, "return_adjusted_image": {}},
    ],
)
def test_invalid_parameters(api, body):
    assert_error(api(body), 400, "AIS.0101")
    assert api.pipe.calls == []


def test_null_flags_mean_false(api):
    r = api({"image": JPEG_B64, "return_verification": None, "return_text_location": True})
    assert r.status_code == 200
    result = r.json()["result"]
    assert "verification_result" not in result
    assert result["text_location"] == {"name": [[0, 0], [4, 0], [4, 4], [0, 4]],
                                       "number": [[0, 0], [4, 0], [4, 4], [0, 4]]}


def _pil_b64(fmt):
    bio = io.BytesIO()
    Image.new("RGB", (40, 40), (9, 9, 9)).save(bio, fmt)
    return b64(bio.getvalue())


@pytest.mark.parametrize(
    "image,code",
    [
        ("%%% not base64 %%%", "AIS.0102"),
        ("data:image/jpeg;base64," + JPEG_B64, "AIS.0102"),
        (_pil_b64("GIF"), "AIS.0102"),
        (_pil_b64("WEBP"), "AIS.0102"),
        ("AAAA", "AIS.0102"),  # decodes to 3 zero bytes
        ("====", "AIS.0102"),  # decodes to 0 bytes
        (b64(make_image(60, 80, ".jpg")[:300]), "AIS.0102"),  # truncated JPEG
        (b64(make_image(60, 80, ".png")[:100]), "AIS.0102"),  # truncated PNG
        (b64(png_claiming(50000, 50000)), "AIS.0103"),  # decompression bomb
        (b64(make_image(10, 10, ".png")), "AIS.0103"),
        (b64(make_image(20, 9000, ".png")), "AIS.0103"),
    ],
)
def test_bad_images(api, image, code):
    assert_error(api({"image": image}), 400, code)
    assert api.pipe.calls == []


def test_image_over_10mb(api):
    data = make_image() + b"\x00" * (10 * 1024 * 1024 + 100)
    assert_error(api({"image": b64(data)}), 400, "AIS.0103")


@pytest.mark.parametrize("content", [b"", b"{", b"not json", b'{"image": "x",}', b"\xff\xfe{}",
                                     b"[]", b'["image"]', b"42", b'"string"', b"null"])
def test_malformed_json(api, content):
    assert_error(api(content=content), 400, "ModelArts.4105")


def test_deeply_nested_json(api):
    depth = 200_000
    content = b'{"image": "x", "deep": ' + b"[" * depth + b"]" * depth + b"}"
    assert_error(api(content=content), 400, "ModelArts.4105")
    assert_error(api(content=b"[" * depth), 400, "ModelArts.4105")


def test_huge_body_rejected_by_content_length(api):
    limit = Settings().limits.max_body_bytes
    content = b'{"image": "' + b"A" * (limit + 10) + b'"}'
    assert_error(api(content=content), 400, "ModelArts.4104")


def test_huge_body_rejected_while_streaming():
    client, pipe = make_client(Settings(limits={"max_body_bytes": 4096}))
    token = get_token(client)

    def chunks():  # no Content-Length: chunked transfer encoding
        yield b'{"image": "'
        for _ in range(100):
            yield b"A" * 1024
        yield b'"}'

    r = client.post(OCR_PATH, content=chunks(), headers={"X-Auth-Token": token})
    assert_error(r, 400, "ModelArts.4104")
    assert pipe.calls == []


def test_pipeline_errors_are_mapped():
    client, _ = make_client(pipeline=FakePipeline(exc=NoCardFound()))
    token = get_token(client)
    r = client.post(OCR_PATH, json={"image": JPEG_B64}, headers={"X-Auth-Token": token})
    assert_error(r, 400, "AIS.0104")


@pytest.mark.internal_error
def test_unexpected_exception_is_an_internal_error_without_details(caplog):
    """A bug is not a bad photo: 500 ModelArts.4505, its traceback in the log (frames only,
    never the exception's message: it may carry request data), and it is counted."""
    from cardocr.telemetry import internal_error_count

    secret = "SECRET-FIELD-VALUE"
    client, _ = make_client(pipeline=FakePipeline(exc=RuntimeError(secret)))
    token = get_token(client)
    before = internal_error_count()
    with caplog.at_level("INFO", logger="cardocr"):
        r = client.post(OCR_PATH, json={"image": JPEG_B64, "side": "front"},
                        headers={"X-Auth-Token": token})
    assert_error(r, 500, "ModelArts.4505")
    assert internal_error_count() == before + 1
    assert secret not in r.text and "Traceback" not in r.text
    assert secret not in caplog.text and JPEG_B64[:40] not in caplog.text
    assert "RuntimeError" in caplog.text
    # the request id is a field of the record (structured logs), not message text
    assert any(getattr(rec, "request_id", None) == r.headers["X-Request-Id"] and rec.levelname == "ERROR"
               for rec in caplog.records)
    assert "apihelpers.py" in caplog.text  # the traceback's frames


def test_not_found_and_method_not_allowed_are_huawei_shaped(api):
    c = api.client
    for r, status in ((c.get("/no/such/api"), 404), (c.post("/v2/x/ocr/passport", json={}), 404),
                      (c.get(OCR_PATH), 405), (c.put("/v3/auth/tokens"), 405)):
        assert_error(r, status, "APIGW.0101")
        assert "detail" not in r.json()


def test_health_and_request_ids(api):
    c = api.client
    r = c.get("/health")
    assert r.status_code == 200 and r.json() == {"status": "ok"}
    ids = {c.get("/health").headers["X-Request-Id"] for _ in range(3)}
    assert len(ids) == 3
    assert c.get("/health", headers={"X-Request-Id": "abc-123"}).headers["X-Request-Id"] == "abc-123"
    bad = c.get("/health", headers={"X-Request-Id": "x" * 300}).headers["X-Request-Id"]
    assert bad != "x" * 300 and len(bad) == 36
    assert api(content=b"{").headers["X-Request-Id"]


def test_url_input_through_allowlisted_local_server():
    with local_server() as srv:
        srv.body("/card.jpg", make_image(30, 50, ".jpg"), "image/jpeg")
        srv.body("/card.gif", b"GIF89a" + b"\x00" * 50, "image/gif")
        srv.redirect("/to-meta", "http://169.254.169.254/latest/meta-data/")
        client, pipe = make_client(Settings(url_allowlist=[f"127.0.0.1:{srv.port}"]))
        token = get_token(client)
        h = {"X-Auth-Token": token}
        r = client.post(OCR_PATH, json={"url": srv.url("/card.jpg")}, headers=h)
        assert r.status_code == 200, r.text
        assert pipe.calls[-1][1] == (30, 50, 3)
        assert_error(client.post(OCR_PATH, json={"url": srv.url("/card.gif")}, headers=h),
                     400, "AIS.0102")
        assert_error(client.post(OCR_PATH, json={"url": srv.url("/missing")}, headers=h),
                     400, "ModelArts.4603")
        assert_error(client.post(OCR_PATH, json={"url": srv.url("/to-meta")}, headers=h),
                     400, "ModelArts.4601")


@pytest.mark.parametrize("url", ["http://127.0.0.1/x.jpg", "http://169.254.169.254/", "file:///etc/passwd",
                                 "ftp://example.com/a.jpg", "http://[::1]/", "http://a@example.com/"])
def test_url_refused_by_api(api, url):
    assert_error(api({"url": url}), 400, "ModelArts.4601")


def test_base64_decoding_of_real_png_via_api(api):
    r = api({"image": base64.b64encode(make_image(16, 16, ".png")).decode()})
    assert r.status_code == 200


# --- the seeds' own error messages ----------------------------------------------------------

SEED_MESSAGES = {
    # every seed's failure example
    "AIS.0103": "The image size does not meet the requirements.",
    # hk-id-card: "If the image data contains an unnecessary prefix, the error "The image
    # format is not supported" is reported."
    "AIS.0102": "The image format is not supported.",
}


@pytest.mark.parametrize(
    "image,code",
    [
        ("data:image/jpeg;base64," + JPEG_B64, "AIS.0102"),
        ("%%% not base64 %%%", "AIS.0102"),
        (b64(make_image(60, 80, ".jpg")[:300]), "AIS.0102"),
        (b64(png_claiming(50000, 50000)), "AIS.0103"),
        (b64(make_image(10, 10, ".png")), "AIS.0103"),
        (b64(make_image(20, 9000, ".png")), "AIS.0103"),
        (b64(make_image() + b"\x00" * (10 * 1024 * 1024 + 100)), "AIS.0103"),
    ],
)
def test_image_errors_carry_the_seed_messages(api, image, code):
    r = api({"image": image})
    assert_error(r, 400, code)
    assert r.json() == {"error_code": code, "error_msg": SEED_MESSAGES[code]}


def test_10mb_limit_is_on_the_base64_string(api):
    # zh id-card seed: "要求base64编码后大小不超过10MB": a 9 MB image is 12 MB of base64
    data = make_image() + b"\x00" * (9 * 1024 * 1024)
    r = api({"image": b64(data)})
    assert_error(r, 400, "AIS.0103")
    assert api.pipe.calls == []
    # just under the limit as base64: accepted
    small = make_image() + b"\x00" * (7 * 1024 * 1024)
    assert len(b64(small)) < 10 * 1024 * 1024
    assert api({"image": b64(small)}).status_code == 200
