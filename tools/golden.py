"""Golden Huawei answers: every endpoint, every documented flag, through the real HTTP app.

    python -m tools.golden record bench/golden_huawei.json   # before a change
    python -m tools.golden compare bench/golden_huawei.json  # after it: exits 1 on any difference

It talks to the app only through HTTP (FastAPI's TestClient), so it measures exactly what a
client sees and does not care how the code behind the routes is shaped. Base64 images in an
answer (portrait_image, adjusted_image) are kept as their SHA-256; everything else verbatim.
The samples come from tools.cardgen with fixed seeds; the requests include bad ones, so error
bodies are compared too.
"""

from __future__ import annotations

import base64
import hashlib
import itertools
import json
import sys
from pathlib import Path

import cv2
import numpy as np
from fastapi.testclient import TestClient

from cardocr.api.app import create_app
from cardocr.settings import DEV_DOMAIN, DEV_PASSWORD, DEV_PROJECT_ID, DEV_USER, Settings
from tools.cardgen import make_hk_sample, make_licence_sample, make_sample

ID_FLAGS = ("return_verification", "return_text_location", "return_portrait_location",
            "return_portrait_image", "return_adjusted_image")
HK_FLAGS = ("return_portrait_image", "return_portrait_location")
DL_FLAGS = ("return_issuing_authority", "return_text_location")


def _jpeg(img: np.ndarray) -> str:
    ok, buf = cv2.imencode(".jpg", img, [cv2.IMWRITE_JPEG_QUALITY, 92])
    assert ok
    return base64.b64encode(buf.tobytes()).decode("ascii")


def _digest(obj):
    """Long base64 strings (images) become their SHA-256, recursively."""
    if isinstance(obj, dict):
        return {k: _digest(v) for k, v in obj.items()}
    if isinstance(obj, list):
        return [_digest(v) for v in obj]
    if isinstance(obj, str) and len(obj) > 200:
        return "sha256:" + hashlib.sha256(obj.encode()).hexdigest()
    return obj


def _flag_sets(flags: tuple[str, ...]) -> list[dict]:
    """No flag, each flag alone, all flags."""
    return [{}] + [{f: True} for f in flags] + [dict.fromkeys(flags, True)]


def cases() -> list[tuple[str, str, dict]]:
    """(name, endpoint, body) for every golden request."""
    out: list[tuple[str, str, dict]] = []
    id_images = {
        "front-scan": make_sample(500, "front", "scan")[0],
        "back-scan": make_sample(503, "back", "scan")[0],
        "front-photo": make_sample(506, "front", "photo")[0],
        "back-small": make_sample(511, "back", "small")[0],
        "both-photo": make_sample(512, "both", "photo")[0],
    }
    for name, img in id_images.items():
        b64 = _jpeg(img)
        sides = [None, "double_side"] if name.startswith("both") else [None, name.split("-")[0]]
        for side, flags in itertools.product(sides, _flag_sets(ID_FLAGS)):
            body = {"image": b64, **flags, **({"side": side} if side else {})}
            out.append((f"id-card/{name}/{side}/{'+'.join(flags)}", "id-card", body))
    for seed, cond, layout in ((600, "scan", "2018"), (601, "photo", "2003"), (602, "thumb", None)):
        b64 = _jpeg(make_hk_sample(seed, cond, layout)[0])
        for flags in _flag_sets(HK_FLAGS):
            out.append((f"hk-id-card/{seed}-{cond}/{'+'.join(flags)}", "hk-id-card", {"image": b64, **flags}))
    for seed, side, cond, layout in ((700, "front", "scan", "new"), (701, "front", "photo", "old"),
                                     (702, "back", "scan", None), (703, "front", "small", None)):
        b64 = _jpeg(make_licence_sample(seed, side, cond, layout)[0])
        for s, flags in itertools.product([None, side], _flag_sets(DL_FLAGS)):
            body = {"image": b64, **flags, **({"side": s} if s else {})}
            out.append((f"driver-license/{seed}-{side}-{cond}/{s}/{'+'.join(flags)}", "driver-license", body))
    tiny = base64.b64encode(cv2.imencode(".png", np.zeros((10, 10, 3), np.uint8))[1].tobytes()).decode()
    for ep in ("id-card", "hk-id-card", "driver-license"):
        for name, body in (("no-image", {}), ("bad-base64", {"image": "@@@"}), ("tiny", {"image": tiny}),
                           ("both", {"image": tiny, "url": "http://x"}), ("flag-type", {"image": tiny,
                            "return_text_location": "yes"}), ("side", {"image": tiny, "side": "top"}),
                           ("blank", {"image": _jpeg(np.full((400, 600, 3), 200, np.uint8))})):
            out.append((f"{ep}/error/{name}", ep, body))
    return out


def run() -> dict[str, dict]:
    client = TestClient(create_app(Settings()), raise_server_exceptions=False)
    with client:
        r = client.post("/v3/auth/tokens", json={"auth": {"identity": {"methods": ["password"], "password": {
            "user": {"name": DEV_USER, "password": DEV_PASSWORD, "domain": {"name": DEV_DOMAIN}}}},
            "scope": {"project": {"id": DEV_PROJECT_ID}}}})
        token = r.headers["X-Subject-Token"]
        answers = {}
        for name, ep, body in cases():
            resp = client.post(f"/v2/{DEV_PROJECT_ID}/ocr/{ep}", json=body, headers={"X-Auth-Token": token})
            answers[name] = {"status": resp.status_code, "body": _digest(resp.json())}
            print(name, resp.status_code, file=sys.stderr)
        return answers


def _leaf_diffs(was: object, now: object, where: str = "") -> list[tuple[str, object, object]]:
    """The paths (body.result.name, ...) whose values differ, so a change is read at a glance."""
    if isinstance(was, dict) and isinstance(now, dict):
        return [d for key in sorted(set(was) | set(now))
                for d in _leaf_diffs(was.get(key), now.get(key), f"{where}.{key}" if where else str(key))]
    return [] if was == now else [(where or "(answer)", was, now)]


def main() -> None:
    mode, path = sys.argv[1], Path(sys.argv[2])
    answers = run()
    if mode == "record":
        path.write_text(json.dumps(answers, ensure_ascii=False, indent=1, sort_keys=True) + "\n")
        print(f"{len(answers)} answers recorded in {path}")
        return
    golden = json.loads(path.read_text())
    diffs = [k for k in sorted(set(golden) | set(answers)) if golden.get(k) != answers.get(k)]
    for k in diffs:
        print(f"DIFF {k}")
        for where, was, now in _leaf_diffs(golden.get(k), answers.get(k)):
            shown = (json.dumps(v, ensure_ascii=False)[:200] for v in (was, now))
            print(f"  {where}: {' -> '.join(shown)}")
    print(f"{len(answers) - len(diffs)} of {len(golden)} golden answers unchanged; {len(diffs)} differ")
    sys.exit(1 if diffs else 0)


if __name__ == "__main__":
    main()
