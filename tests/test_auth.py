"""Keystone-style token flow and X-Auth-Token checks on the OCR route."""

from __future__ import annotations

import os
import time

import pytest

from cardocr.auth import Authenticator
from cardocr.settings import DEV_PROJECT_ID, Account, Settings
from tests.apihelpers import OCR_PATH, assert_error, b64, get_token, make_client, make_image, password_body

IMAGE = {"image": b64(make_image())}


@pytest.fixture
def client():
    c, _ = make_client()
    return c


def test_token_flow_and_ocr_call(client):
    r = client.post("/v3/auth/tokens", json=password_body(scope={"name": "cn-north-4"}))
    assert r.status_code == 201
    token = r.headers["X-Subject-Token"]
    assert token and r.headers["X-Request-Id"]
    t = r.json()["token"]
    assert t["methods"] == ["password"]
    assert t["project"]["id"] == DEV_PROJECT_ID
    assert t["user"]["name"] == "cardocr" and t["user"]["domain"]["name"] == "cardocr"
    assert t["expires_at"].endswith("Z") and t["issued_at"] < t["expires_at"]

    r = client.post(OCR_PATH, json=IMAGE, headers={"X-Auth-Token": token})
    assert r.status_code == 200, r.text
    assert r.json()["result"]["name"] == "测试" and r.json()["result"]["number"] == "x"


def test_scope_by_id_and_no_scope(client):
    r = client.post("/v3/auth/tokens", json=password_body(scope={"id": DEV_PROJECT_ID}))
    assert r.status_code == 201
    r = client.post("/v3/auth/tokens", json=password_body())
    assert r.status_code == 201


@pytest.mark.parametrize(
    "kw",
    [
        {"password": "wrong"},
        {"user": "nobody"},
        {"domain": "otherdomain"},
        {"scope": {"id": "ffffffffffffffffffffffffffffffff"}},
        {"scope": {"name": "ap-southeast-1"}},
    ],
)
def test_bad_credentials(client, kw):
    r = client.post("/v3/auth/tokens", json=password_body(**kw))
    assert r.status_code == 401
    body = r.json()
    assert body["error"]["code"] == 401 and body["error"]["title"] == "Unauthorized"
    assert body["error_code"] == "ModelArts.0205"
    assert "X-Subject-Token" not in r.headers
    assert r.headers["X-Request-Id"]


@pytest.mark.parametrize(
    "content",
    [b"", b"not json", b"[]", b'{"auth": 1}', b'{"auth": {"identity": {"methods": ["token"]}}}',
     b'{"auth": {"identity": {"methods": ["password"], "password": {"user": {"name": 5}}}}}'],
)
def test_malformed_auth_bodies(client, content):
    r = client.post("/v3/auth/tokens", content=content,
                    headers={"Content-Type": "application/json"})
    assert r.status_code == 400
    assert r.json()["error"]["code"] == 400
    assert r.json()["error_code"] in ("ModelArts.4105", "AIS.0101")


def test_missing_token(client):
    assert_error(client.post(OCR_PATH, json=IMAGE), 401, "ModelArts.4101")
    assert_error(client.post(OCR_PATH, json=IMAGE, headers={"X-Auth-Token": ""}), 401,
                 "ModelArts.4101")


@pytest.mark.parametrize("token", ["garbage", "a.b", "a.b.c", "." * 10, "x" * 5000,
                                   "eyJ2IjoxfQ.AAAA"])
def test_garbage_token(client, token):
    assert_error(client.post(OCR_PATH, json=IMAGE, headers={"X-Auth-Token": token}), 401,
                 "ModelArts.4102")


def test_tampered_token(client):
    token = get_token(client)
    body, sig = token.split(".")
    flipped = body[:-3] + ("A" if body[-3] != "A" else "B") + body[-2:]
    assert_error(client.post(OCR_PATH, json=IMAGE, headers={"X-Auth-Token": f"{flipped}.{sig}"}),
                 401, "ModelArts.4102")
    sig2 = sig[:-2] + ("A" if sig[-2] != "A" else "B") + sig[-1]
    assert_error(client.post(OCR_PATH, json=IMAGE, headers={"X-Auth-Token": f"{body}.{sig2}"}),
                 401, "ModelArts.4102")


def test_token_signed_with_other_secret(client):
    other = Authenticator(Settings(token_secret="another-secret-of-sufficient-length"))
    token, _ = other.issue(Settings().accounts[0])
    assert_error(client.post(OCR_PATH, json=IMAGE, headers={"X-Auth-Token": token}), 401,
                 "ModelArts.4102")


def test_expired_token(client):
    auth = client.app.state.auth
    token, _ = auth.issue(Settings().accounts[0], now=time.time() - 25 * 3600)
    assert_error(client.post(OCR_PATH, json=IMAGE, headers={"X-Auth-Token": token}), 401,
                 "ModelArts.0203")


def test_expiry_with_injected_clock():
    now = [1_000_000.0]
    c, _ = make_client(Settings(token_ttl_seconds=60), clock=lambda: now[0])
    token = get_token(c)
    assert c.post(OCR_PATH, json=IMAGE, headers={"X-Auth-Token": token}).status_code == 200
    now[0] += 61
    assert_error(c.post(OCR_PATH, json=IMAGE, headers={"X-Auth-Token": token}), 401,
                 "ModelArts.0203")


def test_other_project_forbidden(client):
    token = get_token(client)
    r = client.post("/v2/ffffffffffffffffffffffffffffffff/ocr/id-card", json=IMAGE,
                    headers={"X-Auth-Token": token})
    assert_error(r, 403, "ModelArts.4203")


def test_auth_checked_before_body(client):
    # an unauthenticated oversize / malformed body is answered 401, not parsed
    r = client.post(OCR_PATH, content=b"{not json")
    assert_error(r, 401, "ModelArts.4101")


def test_accounts_from_toml_config(tmp_path, monkeypatch):
    cfg = tmp_path / "cardocr.toml"
    cfg.write_text(
        'token_secret = "0123456789abcdef0123456789abcdef"\n'
        "[[accounts]]\n"
        'user = "alice"\npassword = "s3cret"\ndomain = "acme"\n'
        'project_id = "aaaabbbbccccddddeeeeffff00001111"\nproject_name = "cn-east-3"\n'
    )
    monkeypatch.setenv("CARDOCR_CONFIG", str(cfg))
    settings = Settings()
    assert [a.user for a in settings.accounts] == ["alice"]
    c, _ = make_client(settings)
    # the built-in dev account is gone once accounts are configured
    assert c.post("/v3/auth/tokens", json=password_body()).status_code == 401
    r = c.post("/v3/auth/tokens", json=password_body("alice", "s3cret", "acme",
                                                     scope={"name": "cn-east-3"}))
    assert r.status_code == 201
    token = r.headers["X-Subject-Token"]
    r = c.post("/v2/aaaabbbbccccddddeeeeffff00001111/ocr/id-card", json=IMAGE,
               headers={"X-Auth-Token": token})
    assert r.status_code == 200
    assert_error(c.post(OCR_PATH, json=IMAGE, headers={"X-Auth-Token": token}), 403,
                 "ModelArts.4203")


def test_settings_defaults_and_env(monkeypatch):
    monkeypatch.delenv("CARDOCR_CONFIG", raising=False)
    monkeypatch.setenv("CARDOCR_PORT", "9123")
    s = Settings()
    assert s.host == "127.0.0.1" and s.port == 9123
    cores = len(os.sched_getaffinity(0))  # one inference worker per usable core, the cores shared out
    assert s.workers == cores and s.engine_threads is None and s.engine_threads_per_worker == 1
    monkeypatch.setenv("CARDOCR_WORKERS", "1")
    assert Settings().workers == 1 and Settings().engine_threads_per_worker == cores
    assert s.limits.url_fetch_timeout_seconds == 10 and s.limits.max_download_bytes == 10 * 2**20
    assert s.accounts == [Account(user="cardocr", password="cardocr-dev", domain="cardocr",
                                  project_id="0000000000000000000000000000dev0",
                                  access_key="CARDOCRDEVACCESSKEY0",
                                  secret_key="cardocrDevSecretKey000000000000000000000")]
    assert s.token_secret == Settings().token_secret  # random, but stable per process
