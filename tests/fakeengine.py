"""Engines for tests that exercise a document module's logic without the ONNX models.

`RecordingEngine` wraps the real engine and keeps, in call order, what every call returned
(detector quads, recognised Lines with their CTC posterior matrices, upside-down
probabilities) and a cheap fingerprint of what it was given (each image's shape and a coarse
grid of its mean brightness). `save_recording` stores that next to the straightened card it
was recorded on; `ReplayEngine` hands the same outputs back in the same order, so a document
module reads the stored card exactly as it did with the real models, in milliseconds.

A replayed call that is not the recorded one (another kind of call, another number of crops,
another crop size or content, another batching option) raises an AssertionError that says how
to re-record: the module under test now asks the models something they were never asked.

Storage: the posterior matrices (timesteps x ~18,700 classes, float32) are kept sparse. Per
timestep only the classes above a threshold (1e-4, lower where needed) are stored, as (uint16
class, float16 probability); the rest of the row is rebuilt as a flat floor that carries the
row's missing mass, so every row still sums to 1. The recorder (tests/record_replay.py)
checks that a document reads the same from the sparse replay as from the live models and
lowers the threshold for a card where it does not: ~60-160 KiB a card with its JPEG. The
recogniser's classes are stored once, in charset.txt beside the recordings (one per line).
"""

from __future__ import annotations

import copy
import functools
import hashlib
import io
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import cv2
import numpy as np

from cardocr.ocr.ctc import Charset
from cardocr.ocr.types import Line
from cardocr.types import Card

REPLAY_DIR = Path(__file__).resolve().parent / "data" / "replay"
CHARSET_FILE = REPLAY_DIR / "charset.txt"
RERECORD = ".venv/bin/python -m tests.record_replay"
GRID = (8, 2)  # (w, h) of the coarse brightness grid an input is fingerprinted by
GRID_TOLERANCE = 3.0  # grey levels a replayed input's grid may differ from the recorded one's
FORMAT = 1
# options added to the engine after some cards were recorded: what those recordings ran with
BEFORE_OPTION = {"min_width": 0}


# --------------------------------------------------------------------------- the charset


def charset_digest(charset: list[str]) -> str:
    return hashlib.sha256("\n".join(charset).encode()).hexdigest()[:16]


def write_charset(charset: list[str], path: Path = CHARSET_FILE) -> None:
    """One class per line. A class never holds a line break (the model's metadata is split
    into lines to make them), so splitting on "\\n" gives them back exactly."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(charset), encoding="utf-8", newline="")


@functools.cache
def load_charset(path: Path = CHARSET_FILE) -> Charset:
    """The recogniser's classes as a Charset (one per process: it caches the alphabets)."""
    text = path.read_text(encoding="utf-8")
    # written without a final line break (the last class is a space); one an editor added is dropped
    return Charset(text.removesuffix("\n").split("\n"))


# --------------------------------------------------------------------------- fingerprints


def fingerprint(img: np.ndarray) -> dict:
    """An input's shape and its mean brightness on a coarse grid: cheap, and enough to tell
    that a replayed call was given the recorded pixels."""
    grey = img if img.ndim == 2 else img.mean(axis=2)
    grid = cv2.resize(grey.astype(np.float32), GRID, interpolation=cv2.INTER_AREA)
    return {"shape": list(img.shape), "grid": [round(float(v), 1) for v in grid.ravel()]}


def _same_input(got: dict, want: dict) -> bool:
    return got["shape"] == want["shape"] and (
        float(np.abs(np.subtract(got["grid"], want["grid"])).max(initial=0.0)) <= GRID_TOLERANCE)


# --------------------------------------------------------------------------- recording


class RecordingEngine:
    """The real engine (or any OcrEngine), recording every call and what it returned."""

    def __init__(self, engine: Any) -> None:
        self._engine = engine
        self.charset = engine.charset
        self.calls: list[dict] = []

    def detect(self, image: np.ndarray, max_side: int = 960) -> list[np.ndarray]:
        quads = self._engine.detect(image, max_side)
        self.calls.append({"kind": "detect", "inputs": [fingerprint(image)], "max_side": max_side,
                           "out": [np.asarray(q, np.float32).copy() for q in quads]})
        return quads

    def recognize(self, crops: list[np.ndarray], similar_width: float | None = None,
                  min_width: int = 0) -> list[Line]:
        lines = self._engine.recognize(crops, similar_width, min_width)
        # a copy: what the engine returned, whatever the caller then does with its Lines
        self.calls.append({"kind": "recognize", "inputs": [fingerprint(c) for c in crops],
                           "similar_width": similar_width, "min_width": min_width,
                           "out": copy.deepcopy(lines)})
        return lines

    def upside_down(self, crops: list[np.ndarray]) -> list[float]:
        probs = self._engine.upside_down(crops)
        self.calls.append({"kind": "upside_down", "inputs": [fingerprint(c) for c in crops],
                           "out": [float(p) for p in probs]})
        return probs


def _sparse(probs: np.ndarray, threshold: float) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Per row: the classes above `threshold` (the row's best always), their probabilities,
    and the floor that spreads the row's remaining mass over the classes left out."""
    keep = probs > threshold
    keep[np.arange(len(probs)), probs.argmax(axis=1)] = True
    counts = keep.sum(axis=1)
    rows, cols = np.nonzero(keep)
    vals = probs[rows, cols]
    kept_mass = np.bincount(rows, weights=vals, minlength=len(probs))
    missing = np.maximum(probs.shape[1] - counts, 1)
    floor = np.clip((1.0 - kept_mass) / missing, 1e-12, threshold).astype(np.float32)
    return counts.astype(np.int32), cols.astype(np.uint16), vals.astype(np.float16), floor


def save_recording(path: Path, card: Card, card_file: bytes, calls: list[dict], charset: list[str],
                   info: dict, threshold: float = 1e-4) -> None:
    """One card's recording as a compressed npz: the straightened card (the encoded image
    file, JPEG or PNG, whose decoded pixels the calls were recorded on), its boxes, the calls
    and their outputs, and `info` (the case, the expected reading: whatever the recorder wants
    to keep beside it)."""
    assert len(charset) < 2 ** 16, "class indices are stored as uint16"
    log: list[dict] = []
    counts, cols, vals, floors, steps = [], [], [], [], []
    for call in calls:
        entry = {k: v for k, v in call.items() if k != "out"}
        if call["kind"] == "detect":
            entry["out"] = [q.tolist() for q in call["out"]]
        elif call["kind"] == "upside_down":
            entry["out"] = call["out"]
        else:
            out = []
            for line in call["out"]:
                d: dict[str, Any] = {"text": line.text, "char_probs": [float(p) for p in line.char_probs],
                                     "alternatives": [[[c, float(p)] for c, p in alt] for alt in line.alternatives],
                                     "quad": None if line.quad is None else np.asarray(line.quad).tolist(),
                                     "steps": None}
                if line.probs is not None:
                    p = np.asarray(line.probs, np.float32)
                    assert p.ndim == 2 and p.shape[1] == len(charset), p.shape
                    c, i, v, f = _sparse(p, threshold)
                    counts.append(c)
                    cols.append(i)
                    vals.append(v)
                    floors.append(f)
                    d["steps"] = len(p)
                    steps.append(len(p))
                out.append(d)
            entry["out"] = out
        log.append(entry)
    header = {"format": FORMAT, "threshold": threshold, "classes": len(charset),
              "charset": charset_digest(charset), "calls": log, **info}

    def cat(parts: list[np.ndarray], dtype: type) -> np.ndarray:
        return np.concatenate(parts).astype(dtype) if parts else np.zeros(0, dtype)

    boxes = np.asarray(card.boxes, np.float32).reshape(-1, 4, 2)
    path.parent.mkdir(parents=True, exist_ok=True)
    buf = io.BytesIO()
    np.savez_compressed(
        buf, header=np.frombuffer(json.dumps(header, ensure_ascii=False).encode(), np.uint8),
        card_file=np.frombuffer(card_file, np.uint8), boxes=boxes,
        counts=cat(counts, np.int32), cols=cat(cols, np.uint16), vals=cat(vals, np.float16),
        floors=cat(floors, np.float32),
    )
    path.write_bytes(buf.getvalue())


# --------------------------------------------------------------------------- replaying


@dataclass
class Recording:
    """A stored card and the engine calls a document made on it."""

    path: Path
    header: dict
    card_image: np.ndarray
    boxes: list[np.ndarray]
    counts: np.ndarray
    cols: np.ndarray
    vals: np.ndarray
    floors: np.ndarray

    def card(self) -> Card:
        """A fresh Card (nothing derived yet), as the recorder handed it to the document."""
        return Card(self.card_image.copy(), [b.copy() for b in self.boxes])


def load_recording(path: Path) -> Recording:
    if not path.is_file():
        raise AssertionError(f"no recording {path}: record it with `{RERECORD}`")
    with np.load(path, allow_pickle=False) as z:
        header = json.loads(z["header"].tobytes().decode())
        image = cv2.imdecode(z["card_file"], cv2.IMREAD_COLOR)
        assert image is not None, f"{path}: the stored card image does not decode"
        rec = Recording(path, header, image, list(z["boxes"]), z["counts"], z["cols"], z["vals"], z["floors"])
    if header.get("format") != FORMAT:
        raise AssertionError(f"{path} has recording format {header.get('format')}, not {FORMAT}: "
                             f"re-record with `{RERECORD}`")
    return rec


class ReplayEngine:
    """Hands back a recording's engine outputs in the recorded order (see the module doc).

    `calls` lists (kind, number of inputs) per call, as a test that counts recogniser calls
    wants; `finish()` asserts that every recorded call was replayed."""

    def __init__(self, recording: Recording, charset: Charset | None = None) -> None:
        self.charset = charset if charset is not None else load_charset()
        self._rec = recording
        header = recording.header
        if header["classes"] != len(self.charset) or header["charset"] != charset_digest(self.charset):
            raise AssertionError(f"{recording.path} was recorded with another charset than "
                                 f"{CHARSET_FILE.name}: re-record with `{RERECORD}`")
        self._log: list[dict] = header["calls"]
        self._next = 0
        # where each recognised line's rows start in the sparse arrays
        starts: list[tuple[int, int]] = []
        row = 0
        row_entries = np.concatenate(([0], np.cumsum(recording.counts)))
        for call in self._log:
            if call["kind"] != "recognize":
                continue
            for d in call["out"]:
                if d["steps"] is not None:
                    starts.append((row, int(row_entries[row])))
                    row += d["steps"]
        self._starts = iter(starts)
        self._row_entries = row_entries
        self.calls: list[tuple[str, int]] = []

    # -- the OcrEngine protocol ----------------------------------------------------------------
    def detect(self, image: np.ndarray, max_side: int = 960) -> list[np.ndarray]:
        call = self._take("detect", [image], max_side=max_side)
        return [np.asarray(q, np.float32) for q in call["out"]]

    def recognize(self, crops: list[np.ndarray], similar_width: float | None = None,
                  min_width: int = 0) -> list[Line]:
        call = self._take("recognize", crops, similar_width=similar_width, min_width=min_width)
        return [self._line(d) for d in call["out"]]

    def upside_down(self, crops: list[np.ndarray]) -> list[float]:
        return list(self._take("upside_down", crops)["out"])

    # -- bookkeeping ----------------------------------------------------------------------------
    def finish(self) -> None:
        """Every recorded call was made (a module that now asks less is a change too)."""
        left = self._log[self._next:]
        if left:
            raise AssertionError(
                f"{self._rec.path.name}: {len(left)} recorded engine call(s) were not made "
                f"(the next: {left[0]['kind']} of {len(left[0]['inputs'])}); the document now asks "
                f"the models less than when it was recorded. If that is intended, re-record: `{RERECORD}`")

    def _take(self, kind: str, inputs: list[np.ndarray], **options: Any) -> dict:
        i = self._next
        got = [fingerprint(x) for x in inputs]
        problem = None
        if i >= len(self._log):
            problem = f"the recording has only {len(self._log)} calls"
        else:
            call = self._log[i]
            want = call["inputs"]
            if call["kind"] != kind:
                problem = f"the recording has {call['kind']} of {len(want)} input(s) there"
            elif len(want) != len(got):
                problem = f"the recording has {len(want)} input(s) there"
            elif any(call.get(k, BEFORE_OPTION.get(k)) != v for k, v in options.items()):
                problem = f"the recording was made with {({k: call.get(k) for k in options})}"
            else:
                bad = [j for j, (g, w) in enumerate(zip(got, want)) if not _same_input(g, w)]
                if bad:
                    j = bad[0]
                    problem = (f"input {j} differs from the recorded one: shape {got[j]['shape']} vs "
                               f"{want[j]['shape']}, grid {got[j]['grid']} vs {want[j]['grid']}")
        if problem is not None:
            raise AssertionError(
                f"{self._rec.path.name}: engine call #{i} is {kind} of {len(got)} input(s) "
                f"{[g['shape'] for g in got][:4]}{'...' if len(got) > 4 else ''} {options or ''}, but {problem}. "
                f"The document module now calls the models differently from when this card was recorded; "
                f"if that is intended, re-record: `{RERECORD}`")
        self._next += 1
        self.calls.append((kind, len(inputs)))
        return self._log[i]

    def _line(self, d: dict) -> Line:
        probs = None
        if d["steps"] is not None:
            row, entry = next(self._starts)
            steps = d["steps"]
            end = int(self._row_entries[row + steps])
            counts = self._rec.counts[row:row + steps]
            probs = np.repeat(self._rec.floors[row:row + steps, None], len(self.charset), axis=1)
            probs[np.repeat(np.arange(steps), counts), self._rec.cols[entry:end]] = \
                self._rec.vals[entry:end].astype(np.float32)
        quad = None if d["quad"] is None else np.asarray(d["quad"], np.float32)
        return Line(text=d["text"], char_probs=list(d["char_probs"]), probs=probs, quad=quad,
                    alternatives=[[(c, p) for c, p in alt] for alt in d["alternatives"]])


def replay_engine(path: Path) -> tuple[ReplayEngine, Card, dict]:
    """The engine, a fresh card and the header of the recording at `path`."""
    rec = load_recording(path)
    return ReplayEngine(rec), rec.card(), rec.header
