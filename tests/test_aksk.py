"""AK/SK signatures (cardocr.aksk, api/authn.py) and IAM's GET /v3/projects (api/huawei_iam.py),
in process. Requests are signed by the official SDK's own signer (huaweicloudsdkcore
signer.Signer), so what is checked is the server against Huawei's implementation, not against
itself. tests/test_sdk_conformance.py calls a running server through the whole SDK."""

from __future__ import annotations

import json
import logging
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest
from huaweicloudsdkcore.auth.credentials import BasicCredentials
from huaweicloudsdkcore.sdk_request import SdkRequest
from huaweicloudsdkcore.signer.signer import Signer

from apihelpers import OCR_PATH, assert_error, b64, get_token, make_client, make_image
from cardocr import aksk
from cardocr.aksk import SignatureVerifier, SignedRequest
from cardocr.errors import AccessKeyUnknown, SignatureExpired, SignatureMalformed, SignatureMismatch
from cardocr.settings import DEV_ACCESS_KEY, DEV_PROJECT_ID, DEV_SECRET_KEY, Account, Settings

BODY = json.dumps({"image": b64(make_image()), "side": "front"}).encode()
OTHER = Account(user="bob", password="pw", domain="bobco", project_id="b0b0000000000000000000000000b0b0",
                project_name="ap-southeast-1", access_key="BOBACCESSKEY00000000", secret_key="bob-secret")


def sdk_sign(method: str = "POST", path: str = OCR_PATH, body: bytes = BODY, query=(), headers=None,
             ak: str = DEV_ACCESS_KEY, sk: str = DEV_SECRET_KEY, date: str | None = None,
             host: str = "testserver") -> tuple[str, dict[str, str]]:
    """(uri, headers) as the SDK sends them: signed by huaweicloudsdkcore's Signer."""
    hp = {"Content-Type": "application/json;charset=UTF-8", "User-Agent": "huaweicloud-usdk-python/3.0",
          **(headers if headers is not None else {"X-Project-Id": DEV_PROJECT_ID})}
    if date is not None:
        hp["X-Sdk-Date"] = date
    req = SdkRequest(method=method, schema="http", host=host, resource_path=path, query_params=list(query),
                     header_params=hp, body=body)
    Signer(BasicCredentials(ak, sk)).sign(req)
    return req.uri, dict(req.header_params)


def sdk_date(offset: float = 0.0) -> str:
    return datetime.fromtimestamp(time.time() + offset, UTC).strftime("%Y%m%dT%H%M%SZ")


@pytest.fixture(scope="module")
def api():
    client, pipe = make_client(Settings(accounts=[*Settings().accounts, OTHER]))
    return client, pipe


def post_signed(client, body: bytes = BODY, **kw):
    uri, headers = sdk_sign(body=body, **kw)
    return client.post(uri, content=body, headers=headers)


# --- the canonical request, against the SDK's signer ------------------------------------------

def test_canonical_uri_and_query():
    assert aksk.canonical_uri("/v2/p/ocr/id-card") == "/v2/p/ocr/id-card/"
    assert aksk.canonical_uri("/v2/%7Bproject_id%7D/ocr/id-card") == "/v2/%7Bproject_id%7D/ocr/id-card/"
    assert aksk.canonical_uri("/") == "/"
    assert aksk.canonical_query("b=2&a=x%20y&a=1") == "a=1&a=x%20y&b=2"
    assert aksk.canonical_query("") == ""


CASES = {
    "ocr": dict(),
    "placeholder path": dict(path="/v2/{project_id}/ocr/id-card", headers={}),
    "iam query": dict(method="GET", path="/v3/projects", body=b"", query=[("name", "cn-north-4")], headers={}),
    "awkward query": dict(method="GET", path="/v3/projects", body=b"",
                          query=[("z", "a b+c"), ("name", "区域/1"), ("a", "~!*()'"), ("a", "0")], headers={}),
    "odd path": dict(path="/v2/a b/ocr/x~y", headers={}),
    "header values": dict(headers={"X-Project-Id": " " + DEV_PROJECT_ID + " ", "X-Note": "标签 value"}),
    "unsigned payload": dict(body=b"raw bytes", headers={"Content-Type": "application/octet-stream"}),
    "enterprise project": dict(headers={"X-Project-Id": DEV_PROJECT_ID, "Enterprise-Project-Id": "0"}),
}


@pytest.mark.parametrize("case", CASES, ids=list(CASES))
def test_verifier_accepts_what_the_sdk_signs(case):
    kw = CASES[case]
    body = kw.get("body", BODY)
    uri, headers = sdk_sign(**kw)
    path, _, query = uri.partition("?")
    # what arrives: the path as requests sends it, header values as UTF-8
    wire_path = path.replace(" ", "%20").replace("{", "%7B").replace("}", "%7D")
    arrived = {k.lower(): v.encode("latin-1").decode("utf-8") for k, v in headers.items()}
    req = SignedRequest(kw.get("method", "POST"), wire_path, query, arrived, body)
    verifier = SignatureVerifier(Settings().accounts, time.time)
    assert verifier.verify(req).access_key == DEV_ACCESS_KEY
    if "content-type" in arrived and not arrived["content-type"].startswith("application/json") and body:
        assert arrived["x-sdk-content-sha256"] == "UNSIGNED-PAYLOAD"


def _arrived(**kw) -> SignedRequest:
    body = kw.pop("body", BODY)
    uri, headers = sdk_sign(body=body, **kw)
    path, _, query = uri.partition("?")
    return SignedRequest("POST", path, query, {k.lower(): v for k, v in headers.items()}, body)


@pytest.mark.parametrize("change,error", [
    (lambda r: {"body": r.body + b" "}, SignatureMismatch),
    (lambda r: {"raw_path": r.raw_path.replace("id-card", "hk-id-card")}, SignatureMismatch),
    (lambda r: {"raw_query": "x=1"}, SignatureMismatch),
    (lambda r: {"method": "PUT"}, SignatureMismatch),
    (lambda r: {"headers": {**r.headers, "host": "testserver:81"}}, SignatureMismatch),
    (lambda r: {"headers": {**r.headers, "content-type": "text/plain", "x-sdk-content-sha256": "UNSIGNED-PAYLOAD"}},
     SignatureMismatch),
    (lambda r: {"headers": {k: v for k, v in r.headers.items() if k != "x-project-id"}}, SignatureMalformed),
    (lambda r: {"headers": {k: v for k, v in r.headers.items() if k != "x-sdk-date"}}, SignatureMalformed),
    (lambda r: {"headers": {k: v for k, v in r.headers.items() if k != "authorization"}}, SignatureMalformed),
], ids=["body", "path", "query", "method", "host", "unsigned-payload", "signed-header-gone", "no-date", "no-auth"])
def test_any_change_is_refused(change, error):
    req = _arrived()
    verifier = SignatureVerifier(Settings().accounts, time.time)
    assert verifier.verify(req)
    with pytest.raises(error):
        verifier.verify(SignedRequest(**{**req.__dict__, **change(req)}))


@pytest.mark.parametrize("authorization", [
    "Bearer abc",
    "SDK-HMAC-SM3 Access=A, SignedHeaders=host;x-sdk-date, Signature=" + "0" * 64,
    "SDK-HMAC-SHA256 Access=A, SignedHeaders=host;x-sdk-date",
    "SDK-HMAC-SHA256 Access=A, SignedHeaders=host;x-sdk-date, Signature=xyz",
    "SDK-HMAC-SHA256 Access=A, SignedHeaders=x-sdk-date, Signature=" + "0" * 64,
    "SDK-HMAC-SHA256 Access=A, SignedHeaders=host;Host;x-sdk-date, Signature=" + "0" * 64,
    "SDK-HMAC-SHA256 Access=, SignedHeaders=host;x-sdk-date, Signature=" + "0" * 64,
    "SDK-HMAC-SHA256 Access=A, Access=B, SignedHeaders=host;x-sdk-date, Signature=" + "0" * 64,
    "SDK-HMAC-SHA256 " + "x" * 5000,
])
def test_malformed_authorization(authorization):
    with pytest.raises(SignatureMalformed):
        aksk.parse_authorization(authorization)


def test_dates_and_keys():
    req = _arrived(date="20260509T073525Z")
    signed_at = datetime(2026, 5, 9, 7, 35, 25, tzinfo=UTC).timestamp()
    for skew in (-900, 0, 900):
        assert SignatureVerifier(Settings().accounts, lambda s=skew: signed_at + s).verify(req)
    for skew in (-901, 901, 86400):
        with pytest.raises(SignatureExpired) as err:
            SignatureVerifier(Settings().accounts, lambda s=skew: signed_at + s).verify(req)
        assert "signature time:20260509T073525Z" in err.value.message
    with pytest.raises(SignatureMalformed):
        aksk.parse_sdk_date("2026-05-09T07:35:25Z")
    with pytest.raises(SignatureMalformed):
        aksk.parse_sdk_date("20261309T073525Z")
    clock = lambda: signed_at  # noqa: E731
    with pytest.raises(AccessKeyUnknown):
        SignatureVerifier([OTHER], clock).verify(req)
    no_keys = Account(user="u", password="p", domain="d", project_id="p")
    with pytest.raises(AccessKeyUnknown):
        SignatureVerifier([no_keys], clock).verify(req)
    with pytest.raises(SignatureMismatch):
        SignatureVerifier([Account(**{**Settings().accounts[0].model_dump(), "secret_key": "x"})], clock).verify(req)


# --- over HTTP ---------------------------------------------------------------------------------

def test_signed_ocr_call(api):
    client, pipe = api
    r = post_signed(client)
    assert r.status_code == 200, r.text
    assert r.json()["result"]["name"] == "测试" and r.headers["X-Request-Id"]
    assert pipe.calls[-1][3].side == "front"


@pytest.mark.parametrize("path,headers", [
    ("/v2/{project_id}/ocr/id-card", {}),
    ("/v2/{project_id}/ocr/id-card", {"X-Project-Id": DEV_PROJECT_ID}),
    (OCR_PATH, {}),
])
def test_project_from_the_key(api, path, headers):
    client, _ = api
    r = post_signed(client, path=path, headers=headers)
    assert r.status_code == 200, r.text


@pytest.mark.parametrize("path,headers", [
    (f"/v2/{OTHER.project_id}/ocr/id-card", {}),
    (f"/v2/{OTHER.project_id}/ocr/id-card", {"X-Project-Id": OTHER.project_id}),
    ("/v2/{project_id}/ocr/id-card", {"X-Project-Id": OTHER.project_id}),
    (OCR_PATH, {"X-Project-Id": OTHER.project_id}),
])
def test_project_of_another_account_is_forbidden(api, path, headers):
    client, pipe = api
    calls = len(pipe.calls)
    r = post_signed(client, path=path, headers=headers)
    assert_error(r, 403, "ModelArts.4203")
    assert len(pipe.calls) == calls


@pytest.mark.parametrize("kw,message", [
    ({"sk": "wrong"}, "verify aksk signature fail"),
    ({"ak": "NOSUCHKEY00000000000"}, "ak not exist"),
    ({"date": -16 * 60}, "signature expired"),
    ({"date": +16 * 60}, "signature expired"),
], ids=["wrong-sk", "unknown-ak", "stale", "future"])
def test_refusals(api, kw, message):
    client, pipe = api
    calls = len(pipe.calls)
    if "date" in kw:  # seconds from now, dated when the test runs (not when it was collected:
        kw = {"date": sdk_date(kw["date"])}  # a long run made "+16 min" a past date)
    r = post_signed(client, **kw)
    assert_error(r, 401, "APIGW.0301")
    assert r.json()["error_msg"].startswith("Incorrect IAM authentication information: ")
    assert message in r.json()["error_msg"]
    assert len(pipe.calls) == calls


def test_fresh_enough(api):
    client, _ = api
    assert post_signed(client, date=sdk_date(-14 * 60)).status_code == 200
    assert post_signed(client, date=sdk_date(+14 * 60)).status_code == 200


def test_tampered_body_and_headers(api):
    client, _ = api
    uri, headers = sdk_sign()
    r = client.post(uri, content=BODY.replace(b'"front"', b'"back" '), headers=headers)
    assert_error(r, 401, "APIGW.0301")
    r = client.post(uri, content=BODY, headers={**headers, "X-Project-Id": OTHER.project_id})
    assert_error(r, 401, "APIGW.0301")
    r = client.post(uri, content=BODY, headers={**headers, "Authorization": "Basic Zm9vOmJhcg=="})
    assert_error(r, 401, "APIGW.0301")
    r = client.post(uri, content=BODY, headers={**headers, "X-Sdk-Date": "yesterday"})
    assert_error(r, 401, "APIGW.0301")


def test_token_flow_unchanged_and_first(api):
    client, _ = api
    token = get_token(client)
    assert client.post(OCR_PATH, content=BODY, headers={"X-Auth-Token": token}).status_code == 200
    r = client.post("/v2/{project_id}/ocr/id-card", content=BODY, headers={"X-Auth-Token": token})
    assert r.status_code == 200
    # a token wins over a (bad) signature; no credentials at all is still ModelArts.4101
    r = client.post(OCR_PATH, content=BODY, headers={"X-Auth-Token": token, "Authorization": "SDK-HMAC-SHA256 x"})
    assert r.status_code == 200
    assert_error(client.post(OCR_PATH, content=BODY), 401, "ModelArts.4101")
    r = client.post(f"/v2/{OTHER.project_id}/ocr/id-card", content=BODY, headers={"X-Auth-Token": token})
    assert_error(r, 403, "ModelArts.4203")


def test_signed_body_limit():
    client, _ = make_client(Settings(limits={"max_body_bytes": 1000}))
    body = json.dumps({"image": "A" * 2000}).encode()
    r = post_signed(client, body=body)
    assert_error(r, 400, "ModelArts.4104")


def test_unsigned_payload_for_a_non_json_body(api):
    client, _ = api
    uri, headers = sdk_sign(headers={"Content-Type": "text/plain", "X-Project-Id": DEV_PROJECT_ID})
    assert headers["X-Sdk-Content-Sha256"] == "UNSIGNED-PAYLOAD"
    assert client.post(uri, content=BODY, headers=headers).status_code == 200


# --- IAM: GET /v3/projects ------------------------------------------------------------------

def get_projects(client, query=(("name", "cn-north-4"),), **kw):
    uri, headers = sdk_sign(method="GET", path="/v3/projects", body=b"", query=query, headers={}, **kw)
    return client.get(uri, headers=headers)


def test_iam_projects_by_name(api):
    client, _ = api
    r = get_projects(client)
    assert r.status_code == 200, r.text
    (project,) = r.json()["projects"]
    assert project["id"] == DEV_PROJECT_ID and project["name"] == "cn-north-4"
    assert project["domain_id"] == "cardocr" and project["enabled"] is True and project["is_domain"] is False
    assert r.headers["X-IAM-Trace-Id"] == r.headers["X-Request-Id"]
    assert get_projects(client, query=[("name", "eu-west-101")]).json()["projects"] == []
    assert len(get_projects(client, query=[]).json()["projects"]) == 1
    assert get_projects(client, query=[("enabled", "false")]).json()["projects"] == []
    r = get_projects(client, ak=OTHER.access_key, sk=OTHER.secret_key, query=[("name", "ap-southeast-1")])
    assert [p["id"] for p in r.json()["projects"]] == [OTHER.project_id]


def test_iam_projects_by_token_and_refusals(api):
    client, _ = api
    r = client.get("/v3/projects", params={"name": "cn-north-4"}, headers={"X-Auth-Token": get_token(client)})
    assert r.json()["projects"][0]["id"] == DEV_PROJECT_ID
    r = client.get("/v3/projects")
    assert_error(r, 401, "ModelArts.4101")
    assert r.json()["error"]["code"] == 401
    r = get_projects(client, sk="wrong")
    assert_error(r, 401, "APIGW.0301")
    assert r.json()["error"]["title"] == "Unauthorized"


def test_nothing_secret_is_logged(api, caplog):
    client, _ = api
    caplog.set_level(logging.DEBUG)
    uri, headers = sdk_sign()
    client.post(uri, content=BODY, headers=headers)
    post_signed(client, sk="wrong")
    post_signed(client, date=sdk_date(-3600))
    get_projects(client)
    text = caplog.text + "".join(str(r.__dict__) for r in caplog.records)
    signature = headers["Authorization"].rsplit("=", 1)[1]
    for secret in (DEV_SECRET_KEY, DEV_ACCESS_KEY, signature, BODY.decode()[:40]):
        assert secret not in text


def test_readme_prints_the_development_keys():
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text()
    assert DEV_ACCESS_KEY in readme and DEV_SECRET_KEY in readme


def test_key_pairs_in_the_config():
    with pytest.raises(ValueError, match="go together"):
        Account(user="u", password="p", domain="d", project_id="p", access_key="AK")
    with pytest.raises(ValueError, match="share an access_key"):
        Settings(accounts=[OTHER, Account(**{**OTHER.model_dump(), "user": "eve", "project_id": "e"})])
    assert Settings(accounts=[OTHER]).using_dev_account is False
    assert Settings().using_dev_account is True
