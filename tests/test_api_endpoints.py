"""Per-endpoint request contracts: hk-id-card and driver-license accept their own documented
parameters, and the licence endpoint's stricter edge limits (narrow edge ≥ 100, wide ≤ 8,000)."""

from __future__ import annotations

import json

import pytest

from tests.apihelpers import DEV_PROJECT_ID, assert_error, b64, get_token, make_client, make_image

HK_PATH = f"/v2/{DEV_PROJECT_ID}/ocr/hk-id-card"
DL_PATH = f"/v2/{DEV_PROJECT_ID}/ocr/driver-license"


@pytest.fixture
def api():
    client, pipe = make_client()
    token = get_token(client)

    def post(path, body):
        h = {"X-Auth-Token": token, "Content-Type": "application/json"}
        return client.post(path, content=json.dumps(body).encode(), headers=h)

    post.pipe = pipe
    return post


def test_hk_flags_reach_the_pipeline(api):
    r = api(HK_PATH, {"image": b64(make_image()), "return_portrait_image": True})
    assert r.status_code == 200
    doc_type, _, _, request = api.pipe.calls[-1]
    assert doc_type == "hk-id-card" and request.side is None
    result = r.json()["result"]
    assert result["portrait_image"] and "portrait_location" not in result


def test_hk_ignores_parameters_it_does_not_document(api):
    # `side` and return_verification belong to other endpoints; the cloud API ignores them here
    r = api(HK_PATH, {"image": b64(make_image()), "side": "sideways", "return_verification": "x"})
    assert r.status_code == 200
    assert api.pipe.calls[-1][3].side is None
    assert "verification_result" not in r.json()["result"]


@pytest.mark.parametrize("flag", ["return_portrait_image", "return_portrait_location"])
def test_hk_non_boolean_flag(api, flag):
    assert_error(api(HK_PATH, {"image": b64(make_image()), flag: "true"}), 400, "AIS.0101")


def test_licence_flags_and_side(api):
    r = api(DL_PATH, {"image": b64(make_image(120, 160)), "side": "back",
                      "return_issuing_authority": True, "return_text_location": True})
    assert r.status_code == 200
    doc_type, _, _, request = api.pipe.calls[-1]
    assert doc_type == "driver-license" and request.side == "back"
    assert request.optional == frozenset({"authority"})  # the seal is read only when asked
    assert "text_location" in r.json()["result"]


@pytest.mark.parametrize("value", ["true", 1, [True], {"a": 1}])
def test_licence_non_boolean_issuing_authority(api, value):
    body = {"image": b64(make_image(120, 160)), "return_issuing_authority": value}
    assert_error(api(DL_PATH, body), 400, "AIS.0101")


def test_licence_bad_side(api):
    assert_error(api(DL_PATH, {"image": b64(make_image(120, 160)), "side": "middle"}), 400, "AIS.0101")


@pytest.mark.parametrize("h,w,ok", [(99, 400, False), (100, 400, True), (400, 99, False),
                                    (100, 8000, True), (100, 8001, False)])
def test_licence_edge_limits(api, h, w, ok):
    r = api(DL_PATH, {"image": b64(make_image(h, w, ".png"))})
    if ok:
        assert r.status_code == 200
    else:
        assert_error(r, 400, "AIS.0103")


@pytest.mark.parametrize("path,w,ok", [("id-card", 8000, True), ("id-card", 8001, False),
                                       ("hk-id-card", 8192, True), ("hk-id-card", 8193, False)])
def test_wide_edge_limit_per_seed(api, path, w, ok):
    # id-card: "the wide edge contains at most 8,000 pixels"; hk-id-card: "larger than 8,192"
    r = api(f"/v2/{DEV_PROJECT_ID}/ocr/{path}", {"image": b64(make_image(20, w, ".png"))})
    if ok:
        assert r.status_code == 200
    else:
        assert_error(r, 400, "AIS.0103")


def test_id_card_keeps_the_global_edge_limit(api):
    # a 40 px narrow edge is fine for the id-card endpoint (limit 15) but not for the licence
    img = b64(make_image(40, 60))
    assert api(f"/v2/{DEV_PROJECT_ID}/ocr/id-card", {"image": img}).status_code == 200
    assert_error(api(DL_PATH, {"image": img}), 400, "AIS.0103")


def test_base64_size_limit_per_seed(api):
    # id-card (zh "base64编码后大小不超过10MB") and driver-license (the same en wording) limit the
    # base64 string; hk-id-card limits "the image file": a 9 MB image passes there only
    big = b64(make_image(120, 160) + b"\x00" * (9 * 1024 * 1024))
    assert len(big) > 10 * 1024 * 1024
    assert_error(api(f"/v2/{DEV_PROJECT_ID}/ocr/id-card", {"image": big}), 400, "AIS.0103")
    assert_error(api(DL_PATH, {"image": big}), 400, "AIS.0103")
    assert api(HK_PATH, {"image": big}).status_code == 200
