"""The console's files and its optional review store (cardocr.console), without a browser:
what is served, that the store is off unless configured, what it keeps and for how long.
tests/test_console.py drives the page itself in chromium."""

from __future__ import annotations

import sqlite3

import pytest

from apihelpers import assert_error, get_token, make_client
from cardocr.console.store import ReviewStore
from cardocr.settings import Account, Settings

RECORD = {"card_id": "b1-1", "file": "card.jpg", "document": "id-card", "side": "front", "status": "accepted",
          "error_code": "", "fields": {"name": "张大民", "number": "310101198610203222"}, "corrected": ["name"]}


def store_settings(tmp_path, **kw) -> Settings:
    return Settings(review={"path": tmp_path / "reviews.sqlite", "retention_days": 30}, **kw)


def test_the_page_and_its_files_are_served_from_the_package():
    client, _ = make_client()
    page = client.get("/")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert "script-src 'self'" in page.headers["content-security-policy"]
    for name in ("console.js", "console.css", "alpine.min.js"):  # alpine: scripts/bootstrap.sh
        r = client.get(f"/console/{name}")
        assert r.status_code == 200 and len(r.content) > 1000, name
        assert f"/console/{name}" in page.text
    docs = {d["path"]: d for d in client.get("/console/documents.json").json()}
    assert docs["id-card"]["sides"] == ["front", "back"] and "return_text_location" in docs["id-card"]["flags"]
    assert docs["hk-id-card"]["sides"] == [] and docs["hk-id-card"]["confidence"] is True
    for path in ("/console/nope.js", "/console/..%2fstore.py", "/console/vendor/alpine.min.js"):
        assert_error(client.get(path), 404, "APIGW.0101")


def test_without_a_configured_file_nothing_is_stored():
    client, _ = make_client()
    assert client.get("/console/config.json").json()["review_store"] is False
    token = get_token(client)
    assert_error(client.post("/console/reviews", json={"records": [RECORD]}, headers={"X-Auth-Token": token}),
                 404, "APIGW.0101")
    assert_error(client.get("/console/reviews", headers={"X-Auth-Token": token}), 404, "APIGW.0101")


def test_saved_records_are_per_project_and_replaced_when_saved_again(tmp_path):
    other = Account(user="bob", password="bob-password", domain="acme", project_id="b" * 32)
    client, _ = make_client(store_settings(tmp_path, accounts=[Account(user="cardocr", password="cardocr-dev",
                                                                        domain="cardocr", project_id="a" * 32),
                                                                other]))
    assert client.get("/console/config.json").json() == {"review_store": True, "retention_days": 30}
    assert_error(client.post("/console/reviews", json={"records": [RECORD]}), 401, "ModelArts.4101")
    alice = {"X-Auth-Token": get_token(client)}
    bob = {"X-Auth-Token": get_token(client, user="bob", password="bob-password", domain="acme")}

    r = client.post("/console/reviews", json={"records": [RECORD, {**RECORD, "side": "back", "fields": {}}]},
                    headers=alice)
    assert r.status_code == 200 and r.json() == {"saved": 2, "retention_days": 30}
    corrected = {**RECORD, "fields": {**RECORD["fields"], "name": "张小民"}, "unknown": "dropped"}
    assert client.post("/console/reviews", json={"records": [corrected]}, headers=alice).json()["saved"] == 1

    saved = client.get("/console/reviews", headers=alice).json()["records"]
    assert [(r["side"], r["fields"].get("name")) for r in saved] == [("front", "张小民"), ("back", None)]
    assert saved[0]["saved_by"] == "cardocr" and "unknown" not in saved[0]
    assert client.get("/console/reviews", headers=bob).json() == {"records": []}


@pytest.mark.parametrize("body", [
    {}, {"records": []}, {"records": "x"}, {"records": [{"card_id": "1"}]},
    {"records": [{**RECORD, "card_id": ""}]}, {"records": [{**RECORD, "card_id": "x" * 65}]},
    {"records": [{**RECORD, "fields": {"name": 1}}]}, {"records": [{**RECORD, "corrected": "name"}]},
    {"records": [RECORD] * 1001},
])
def test_bad_records_are_refused(tmp_path, body):
    client, _ = make_client(store_settings(tmp_path))
    token = {"X-Auth-Token": get_token(client)}
    assert_error(client.post("/console/reviews", json=body, headers=token), 400, "AIS.0101")


def test_records_are_deleted_after_the_retention_period(tmp_path):
    now = [1_000_000.0]
    store = ReviewStore(tmp_path / "r.sqlite", retention_days=2, clock=lambda: now[0])
    store.save("p", "u", [RECORD])
    now[0] += 1.5 * 86400
    store.save("p", "u", [{**RECORD, "card_id": "b1-2"}])
    assert [r["card_id"] for r in store.records("p")] == ["b1-2", "b1-1"]
    now[0] += 0.6 * 86400  # the first is past two days; the second is not
    assert [r["card_id"] for r in store.records("p")] == ["b1-2"]
    rows = sqlite3.connect(tmp_path / "r.sqlite").execute("SELECT card_id FROM review").fetchall()
    assert rows == [("b1-2",)]  # deleted from the file, not only hidden


def test_a_review_path_in_a_missing_folder_is_refused_at_start_up(tmp_path):
    import pydantic

    with pytest.raises(pydantic.ValidationError, match="not writable"):
        Settings(review={"path": tmp_path / "no-such-folder" / "reviews.sqlite"})
