"""Nothing is fetched at run time: models come from the installed wheel, not the network.

Runs in a subprocess so the engine is built fresh (models really load there,
with every way of opening a connection made to fail and recorded).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

CHILD = r"""
import json, socket, sys

attempts = []

def _refuse(name):
    def refuse(*args, **kwargs):
        attempts.append(name)
        raise OSError(f"network disabled in this test ({name})")
    return refuse

socket.socket.connect = _refuse("socket.connect")
socket.socket.connect_ex = _refuse("socket.connect_ex")
socket.create_connection = _refuse("socket.create_connection")
socket.getaddrinfo = _refuse("socket.getaddrinfo")

import site, sysconfig
from pathlib import Path

from cardocr.ocr import engine as eng
from cardocr.api import huawei_ocr
from cardocr.render import huawei
from tools.cardgen import make_sample

engine = eng.OnnxOcrEngine()
photo, person, _ = make_sample(500, "front", "scan")
result = huawei_ocr.recognize("id-card", photo, huawei.HuaweiOptions(), engine)

dirs = {pkg: str(eng.wheel_model_dir(pkg).resolve()) for pkg in ("rapidocr",)}
site_dirs = {str(Path(p).resolve()) for p in site.getsitepackages() + [sysconfig.get_paths()["purelib"]]}
print("RESULT " + json.dumps({
    "result": result,
    "truth": person.to_dict(),
    "attempts": attempts,
    "dirs": dirs,
    "site_dirs": sorted(site_dirs),
    "second_wheel": sorted(m for m in sys.modules if m.split(".")[0] == "rapidocr_onnxruntime"),
    "models": {
        "det": str(eng.wheel_model_dir("rapidocr") / eng.DET_MODEL),
        "rec": str(eng.wheel_model_dir("rapidocr") / eng.REC_MODEL),
        "cls": str(eng.wheel_model_dir("rapidocr") / eng.CLS_MODEL),
    },
}, ensure_ascii=False))
"""


def test_models_load_and_recognise_without_network(tmp_path):
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT / "src"), str(ROOT)])
    # no proxy or cache hints that could make a fetch look like it worked
    for k in ("HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy", "ALL_PROXY"):
        env.pop(k, None)
    proc = subprocess.run([sys.executable, "-c", CHILD], cwd=tmp_path, env=env,
                          capture_output=True, text=True, timeout=180)
    assert proc.returncode == 0, proc.stderr[-4000:]
    line = next(ln for ln in proc.stdout.splitlines() if ln.startswith("RESULT "))
    out = json.loads(line[len("RESULT "):])

    assert out["attempts"] == [], out["attempts"]
    # one model wheel: rapidocr-onnxruntime (and the GUI OpenCV it pulled in) is gone from the
    # requirements; an old venv may still hold it, but nothing may load it
    assert out["second_wheel"] == [], out["second_wheel"]
    fields = ("name", "sex", "birth", "ethnicity", "address", "number")
    assert set(out["result"]) == set(fields)
    assert out["result"] == {k: out["truth"][k] for k in fields}

    site_dirs = [Path(p) for p in out["site_dirs"]]
    for pkg, d in out["dirs"].items():
        d = Path(d)
        assert d.name == "models" and d.parent.name == pkg, d
        assert any(d.is_relative_to(s) for s in site_dirs), (d, site_dirs)
    for kind, f in out["models"].items():
        f = Path(f)
        assert f.is_file() and f.stat().st_size > 100_000, (kind, f)
        assert any(f.resolve().is_relative_to(s) for s in site_dirs), (kind, f)
