"""`cardocr batch` on a real local Ray (2 CPUs, one session for the module): the same answers as
the API's on the same images, resumed runs skip what is done, a bad image is an error record,
and an S3 prefix is read from moto's standalone server (a real process, a real endpoint)."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import cv2
import pytest
from typer.testing import CliRunner

from cardocr.api import huawei_ocr
from cardocr.batch import Job, S3Config, batch_options, run
from cardocr.batch.sink import JsonlSink, ParquetSink
from cardocr.batch.sources import SourceError, list_sources
from cardocr.cli import app
from cardocr.ocr.engine import get_engine
from cardocr.render.huawei import Flag, wire_for
from cardocr.settings import Limits
from tools.cardgen import make_sample
from tools.cardgen.licence import make_licence_sample

# fake credentials for moto, set before Ray starts so its workers inherit them
S3_ENV = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing", "AWS_DEFAULT_REGION": "us-east-1"}


@pytest.fixture(scope="module")
def ray_session():
    import ray

    saved = {k: os.environ.get(k) for k in S3_ENV}
    os.environ.update(S3_ENV)
    os.environ["RAY_USAGE_STATS_ENABLED"] = "0"
    ray.init(num_cpus=2, include_dashboard=False, logging_level="warning")
    yield ray
    ray.shutdown()
    for k, v in saved.items():
        if v is None:
            os.environ.pop(k, None)
        else:
            os.environ[k] = v


def _write_cards(folder: Path, seeds: list[int]) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for i, seed in enumerate(seeds):
        photo, _, _ = make_sample(seed, ("front", "back")[i % 2], "scan")
        cv2.imwrite(str(folder / f"card{seed}.jpg"), photo)


def _api_answer(path: Path, doc_type: str = "id-card", options=None) -> dict:
    """What the API's route answers for the image (decode_for + recognize, its own two steps)."""
    options = options or batch_options(doc_type, None, [])
    image = huawei_ocr.decode_for(wire_for(doc_type), path.read_bytes(), Limits())
    return {"result": huawei_ocr.recognize(doc_type, image, options, get_engine(1))}


def _records(path: Path) -> dict[str, dict]:
    lines = [json.loads(ln) for ln in path.read_text(encoding="utf-8").splitlines()]
    by_source = {r.pop("source"): r for r in lines}
    assert len(by_source) == len(lines), "a source written twice"
    return by_source


def test_listing_a_folder_a_glob_and_a_list_file(tmp_path):
    (tmp_path / "a").mkdir()
    for name in ("a/1.jpg", "a/2.PNG", "a/notes.txt", "b.jpeg"):
        (tmp_path / name).write_bytes(b"x")
    folder = list_sources(str(tmp_path / "a"))
    assert folder == [str(tmp_path / "a/1.jpg"), str(tmp_path / "a/2.PNG")]  # not the notes
    assert list_sources(str(tmp_path / "**/*.jpg")) == [str(tmp_path / "a/1.jpg")]
    listing = tmp_path / "list.txt"
    listing.write_text(f"# comment\nb.jpeg\n\n{tmp_path / 'a/1.jpg'}\nb.jpeg\ns3://bkt/k.jpg\n")
    assert list_sources(str(listing)) == [str(tmp_path / "b.jpeg"), str(tmp_path / "a/1.jpg"), "s3://bkt/k.jpg"]
    with pytest.raises(SourceError):
        list_sources(str(tmp_path / "missing"))


def test_options_are_checked_as_the_api_checks_them():
    assert batch_options("id-card", "front", ["return_verification"]).side == "front"
    assert batch_options("auto", None, ["return_verification", "return_issuing_authority"]).side is None
    # the confidences and the verdict always, at the configured threshold (issue 22)
    for doc in ("auto", "id-card", "hk-id-card", "driver-license"):
        options = batch_options(doc, None, [], review_threshold=0.7)
        assert Flag.CONFIDENCE in options and options.review_threshold == 0.7
    assert Flag.CONFIDENCE in Job("id-card").options
    for bad in (("passport", None, []), ("hk-id-card", "front", []), ("hk-id-card", None, ["return_text_location"]),
                ("auto", "front", []), ("auto", None, ["return_everything"])):
        with pytest.raises(ValueError):
            batch_options(*bad)


def test_a_folder_answers_as_the_api_then_resumes(ray_session, tmp_path):
    cards = tmp_path / "cards"
    _write_cards(cards, [530, 531])
    (cards / "junk.jpg").write_bytes(b"not an image")
    out = tmp_path / "out" / "results.jsonl"
    r = CliRunner().invoke(app, ["batch", str(cards), "--type", "id-card", "--out", str(out), "--workers", "2"])
    assert r.exit_code == 1, r.output  # one image failed
    got = _records(out)
    assert set(got) == {str(p) for p in cards.iterdir()}
    assert got[str(cards / "junk.jpg")] == {"error_code": "AIS.0102", "error_msg": "The image format is not supported."}
    for seed in (530, 531):
        path = cards / f"card{seed}.jpg"
        assert got[str(path)] == _api_answer(path)
        # every answer carries the calibrated confidences and the verdict, unasked
        result = got[str(path)]["result"]
        assert result["confidence"] and set(result["confidence"]) <= set(result)  # one per field answered
        assert all(0 <= c <= 1 for c in result["confidence"].values())
        assert result["needs_review"] is bool(result["review_reasons"])
    assert got[str(cards / "card530.jpg")]["result"]["number"] == make_sample(530, "front", "scan")[1].number

    # a crash left half a line, and one more card came: only that card (and the cut one) are read
    _write_cards(tmp_path / "more", [532, 533])
    (tmp_path / "more" / "card533.jpg").rename(cards / "card533.jpg")  # a back
    lines = out.read_text(encoding="utf-8").splitlines(keepends=True)
    out.write_text("".join(lines[:-1]) + lines[-1][:20], encoding="utf-8")
    cut = json.loads(lines[-1])["source"]
    sources = list_sources(str(cards))
    tally = run(sources, JsonlSink(out), Job("id-card", workers=1))
    assert (tally.listed, tally.skipped, tally.read) == (4, 2, 2)
    again = _records(out)
    assert set(again) == set(got) | {str(cards / "card533.jpg")} and again[cut] == got[cut]
    assert again[str(cards / "card533.jpg")] == _api_answer(cards / "card533.jpg")
    # nothing left to do: Ray is not even asked
    assert run(sources, JsonlSink(out), Job("id-card")).read == 0


def test_auto_tells_each_image_apart(ray_session, tmp_path):
    """--type auto (the default): a Mainland back and a licence main page in one folder, each
    answered as its own API answers it, with the type named; a flag only the Mainland API
    takes (return_verification) is dropped for the licence."""
    cards = tmp_path / "mixed"
    cards.mkdir()
    back, _, _ = make_sample(534, "back", "scan")
    page, lic, _ = make_licence_sample(541, "front", "scan")
    cv2.imwrite(str(cards / "id.jpg"), back)
    cv2.imwrite(str(cards / "licence.jpg"), page)
    out = tmp_path / "auto.jsonl"
    r = CliRunner().invoke(app, ["batch", str(cards), "--out", str(out), "--workers", "1",
                                 "--flag", "return_verification"])
    assert r.exit_code == 0, r.output
    got = _records(out)
    assert got[str(cards / "id.jpg")] == {
        "type": "id-card",
        **_api_answer(cards / "id.jpg", options=batch_options("id-card", "back", ["return_verification"]))}
    assert got[str(cards / "licence.jpg")] == {"type": "driver-license",
                                               **_api_answer(cards / "licence.jpg", "driver-license")}
    assert got[str(cards / "licence.jpg")]["result"]["number"] == lic.number


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def moto_endpoint():
    port = _free_port()
    proc = subprocess.Popen([sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 30
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            break
        except OSError:
            assert proc.poll() is None and time.monotonic() < deadline, "moto server did not start"
            time.sleep(0.2)
    yield f"http://127.0.0.1:{port}"
    proc.terminate()
    proc.wait(timeout=10)


def test_an_s3_prefix_into_parquet(ray_session, moto_endpoint, tmp_path):
    s3 = S3Config(moto_endpoint)
    client = s3.client()
    client.create_bucket(Bucket="archive")
    photo, lic, _ = make_licence_sample(540, "front", "scan")
    local = tmp_path / "licence.jpg"
    cv2.imwrite(str(local), photo)
    client.upload_file(str(local), "archive", "2024/licence.jpg")
    client.put_object(Bucket="archive", Key="2024/broken.png", Body=b"\x89PNG\r\n\x1a\n broken")
    client.put_object(Bucket="archive", Key="2024/manifest.csv", Body=b"not an image")
    client.put_object(Bucket="archive", Key="2025/other.jpg", Body=b"outside the prefix")

    sources = list_sources("s3://archive/2024/", s3)
    assert sources == ["s3://archive/2024/broken.png", "s3://archive/2024/licence.jpg"]
    options = batch_options("driver-license", None, ["return_issuing_authority"])
    out = tmp_path / "results.parquet"
    tally = run(sources, ParquetSink(out), Job("driver-license", options, s3=s3, workers=1))
    assert (tally.read, tally.failed) == (2, 1)

    import pyarrow.parquet as pq

    rows = {r["source"]: r for r in pq.read_table(out).to_pylist()}
    assert rows["s3://archive/2024/broken.png"]["error_code"] == "AIS.0102"
    got = rows["s3://archive/2024/licence.jpg"]
    assert got["error_code"] is None
    assert json.loads(got["result"]) == _api_answer(local, "driver-license", options)["result"]
    assert json.loads(got["result"])["number"] == lic.number
    # resumed from the Parquet parts: nothing read again
    assert run(sources, ParquetSink(out), Job("driver-license", options, s3=s3)).skipped == 2
