"""The CLI answers what the API answers: the same per-API image limits, the same error codes,
the same result for a card (real models; one card)."""

from __future__ import annotations

import json

import cv2
import numpy as np
from typer.testing import CliRunner

from cardocr.cli import app
from tools.cardgen import make_sample

runner = CliRunner()


def test_the_licence_limits_apply_in_the_cli_as_in_the_api(tmp_path):
    # a 90 px narrow edge is under the licence API's 100 px: AIS.0103 there, and here
    path = tmp_path / "small.png"
    cv2.imwrite(str(path), np.full((90, 140, 3), 200, np.uint8))
    r = runner.invoke(app, ["recognize", str(path), "--type", "driver-license"])
    assert r.exit_code == 1
    assert json.loads(r.stdout)["error_code"] == "AIS.0103"


def test_a_card_and_an_unreadable_file(tmp_path):
    photo, person, _ = make_sample(520, "front", "scan")
    card = tmp_path / "card.jpg"
    cv2.imwrite(str(card), photo)
    (tmp_path / "junk.jpg").write_bytes(b"not an image")
    r = runner.invoke(app, ["recognize", str(card), str(tmp_path / "junk.jpg"), "--verification"])
    assert r.exit_code == 1  # one of the two failed
    lines = [json.loads(ln) for ln in r.stdout.splitlines() if ln.startswith("{")]
    by_file = {ln["file"]: ln for ln in lines}
    result = by_file[str(card)]["result"]
    assert result["number"] == person.number and result["name"] == person.name
    assert result["verification_result"]["valid_number"] is True
    assert by_file[str(tmp_path / "junk.jpg")]["error_code"] == "AIS.0102"


def test_unknown_type_and_undocumented_flag():
    assert runner.invoke(app, ["recognize", "x.jpg", "--type", "passport"]).exit_code == 2
    # the HK API documents no text locations
    assert runner.invoke(app, ["recognize", "x.jpg", "--type", "hk-id-card", "--text-location"]).exit_code == 2
