"""Per-field evidence from the lines the reader recognised (documents.seen), as plain numbers.

A field's value came from the lines whose boxes lie inside the field's box. What they say,
besides the reader's own confidence (its least sure character under the field's alphabet):

    lines        how many recognised lines the value came from (0: none matched, e.g. a
                 value the reader rebuilt or read from a region of its own)
    fallback     a line was read from the zone's nominal row because the detector found none
    low, p_min   characters read below 0.9, and the least sure one's posterior (full alphabet)
    read_len     letters and digits read
    logp_mean    mean log posterior of the characters read
    margin_min   the smallest log ratio, over the characters, of the best class to the
                 runner-up under the field's alphabet (blank included: a character that
                 nearly was not there); small = a character nearly read as another
    miss_max     the largest posterior of a character where the path emitted none: a
                 character that nearly was there (a dropped character)
    len_diff     letters and digits in the value minus those read (a label's tail cut, a
                 closed list's word, a check's repair change it); 0 for a date
    zone_dy      how far the line's centre sits from the centre of the zone the layout put
                 there, in zone heights (large: the landmarks put the zone elsewhere)
    zone_edge    the detector's box was cut by the zone's left or right edge (a label or a
                 neighbour merged into it, or a value running out of the zone)
    edge_l       the same, by the zone's left edge only (a first character cut off)
    unsure       characters whose log ratio to the runner-up (as margin_min) is below
                 UNSURE: how many characters were nearly read as another
    blur         log variance of the Laplacian of the card inside the field's box
    name_doubt   a Mainland given name's least margin over a reading the naming customs
                 prefer (checks.names.given_name_doubt; below 0: one was at hand). Only on
                 the ID card's and the licence's names, and not for a holder the card says
                 is of a people that names otherwise (checks.ethnic.HAN_NAMING)
    name_rare    1: a character of such a given name read under DOUBTED that names rarely
                 bear and text bears more (checks.names.unlikely_given_name)
    surname_tie  1: such a name's single-character surname read less than e**SURNAME_TIE
                 times as likely as another surname at its step (checks.names.surname_tie)
    road_doubt   1: a Mainland address with a character read less than e**ROAD_DOUBT times
                 as likely as the word the road grammar expects there: a direction before a
                 road's kind, a kind before the house number (checks.address.road_margin:
                 申路 for 中路, 大通640号 for 大道640号)

Nothing here reads pixels again but the blur of a box already found.

One rule here changes a field's confidence (before calibration), in a function of its own
that the pipeline calls after field_evidence: cap_free_text.
"""

from __future__ import annotations

import math
import re
from typing import Any

import cv2
import numpy as np

from ..documents.checks.address import ROAD_DOUBT, road_margin
from ..documents.checks.ethnic import HAN_NAMING
from ..documents.checks.names import SURNAME_TIE, given_name_doubt, surname_tie, unlikely_given_name
from ..documents.seen import SeenLine
from ..ocr.ctc import BLANK, alphabet, emitting_steps
from ..types import CARD_H, CARD_W, Reading

DIGIT_CHARS = "0123456789X-./年月日"
EDGE_PX = 1.5  # a box edge this close to the zone's edge was cut by it
UNSURE = 2.0  # a character whose runner-up is within e**2 (~7x) of it was nearly another
DOUBTED = 0.99  # a character under this the recogniser doubted (second_look, name_rare)
DROPPED = 0.3  # miss_max from which a free-text value's confidence is capped at 1 - miss_max
NAMES = {("id-card", "name"), ("driver-license", "name")}
ADDRESSES = {("id-card", "address"), ("driver-license", "address")}
FREE_TEXT = {("id-card", "name"), ("id-card", "address"), ("driver-license", "name"),
             ("driver-license", "address"), ("driver-license", "record")}
WORD = re.compile(r"\w")  # the characters compared for len_diff (no punctuation, no spaces)
DATE = re.compile(r"\d{4}-\d{2}-\d{2}")  # printed otherwise (1990年1月2日): no length to compare


def _box(quad: np.ndarray) -> tuple[float, float, float, float]:
    (x0, y0), (x1, y1) = quad.min(axis=0), quad.max(axis=0)
    return float(x0), float(y0), float(x1), float(y1)


def _inside(seen: SeenLine, box: tuple[float, float, float, float]) -> bool:
    x0, y0, x1, y1 = seen.box
    cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
    return box[0] - 2 <= cx <= box[2] + 2 and box[1] - 2 <= cy <= box[3] + 2


def _columns(charset: list[str], value: str) -> np.ndarray | None:
    """The classes a digit-like value's characters come from (with the blank), else None (all)."""
    if not value or any(c not in DIGIT_CHARS for c in value):
        return None
    return alphabet(charset, DIGIT_CHARS)  # without the blank: _path_stats adds it


def runner_ups(p: np.ndarray, blank: int = BLANK) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The best path's class per step, the steps where it emits a character, and at each of
    those the runner-up class and the log ratio of best to runner-up (tools.slips prints them)."""
    best = p.argmax(axis=1)
    steps = emitting_steps(best, blank)
    rows = p[steps]  # a copy
    at = np.arange(len(steps))
    first = rows[at, best[steps]].copy()
    rows[at, best[steps]] = 0.0
    runner = rows.argmax(axis=1) if len(steps) else np.zeros(0, np.int64)
    ratios = np.log(np.clip(first, 1e-9, None)) - np.log(np.clip(rows[at, runner], 1e-9, None))
    return best, steps, runner, ratios


def _path_stats(probs: np.ndarray, cols: np.ndarray | None) -> tuple[float, float, float]:
    """(smallest log ratio best/runner-up at an emitting step, largest non-blank posterior at
    a blank step that is not its neighbours' character, emitting steps below UNSURE). The full alphabet's rows are the
    recogniser's softmax already; a digit alphabet's columns are cut out and renormalised.
    One argmax over the line, then max over the emitting rows and the uncertain blank ones."""
    if cols is not None:
        cols = np.unique(np.concatenate(([BLANK], cols)))
        p = probs[:, cols]
        p = p / np.clip(p.sum(axis=1, keepdims=True), 1e-9, None)
        blank = 0
    else:
        p, blank = probs, BLANK
    best, steps, _runner, ratios = runner_ups(p, blank)
    margin, miss, unsure = 20.0, 0.0, 0.0
    if len(steps):
        margin, unsure = float(np.min(ratios)), float(np.sum(ratios < UNSURE))
    # a blank step the blank holds at >= 0.99 has no character near 0.01 or more: not looked at
    gaps = np.nonzero((best == blank) & (p[:, blank] < 0.99))[0]
    if len(gaps):
        # less the blank and the neighbours' own characters (a neighbour's spike spreading
        # into the blank is no missed character)
        rows = p[gaps]
        at = np.arange(len(gaps))
        rows[:, blank] = 0.0
        rows[at, best[np.maximum(gaps - 1, 0)]] = 0.0
        rows[at, best[np.minimum(gaps + 1, len(best) - 1)]] = 0.0
        miss = float(rows.max())
    return min(margin, 20.0), miss, unsure


def _blur(image: np.ndarray | None, box: tuple[float, float, float, float]) -> float:
    if image is None:
        return 0.0
    x0, y0 = max(0, int(box[0])), max(0, int(box[1]))
    x1, y1 = min(CARD_W, int(math.ceil(box[2]))), min(CARD_H, int(math.ceil(box[3])))
    if x1 - x0 < 3 or y1 - y0 < 3:
        return 0.0
    crop = image[y0:y1, x0:x1]
    grey = cv2.cvtColor(crop, cv2.COLOR_BGR2GRAY) if crop.ndim == 3 else crop
    return float(np.log1p(cv2.Laplacian(grey, cv2.CV_64F).var()))


def lines_of(quad: np.ndarray, seen: list[SeenLine]) -> list[SeenLine]:
    """The recognised lines a field's value came from: those whose box's centre lies inside
    the field's quad, a box read twice (a second pass) once, in the order read."""
    box = _box(np.asarray(quad))
    mine, boxes = [], set()
    for s in seen:
        if _inside(s, box) and s.box not in boxes:
            boxes.add(s.box)
            mine.append(s)
    return mine


def dropped_character(document: str, name: str, evidence: dict[str, Any]) -> bool:
    """Free text that nothing closes (a Mainland name, address, licence record) where the
    recogniser nearly emitted a character its path dropped (miss_max at least DROPPED)."""
    return (document, name) in FREE_TEXT and float(evidence.get("miss_max", 0.0)) >= DROPPED


def field_evidence(reading: Reading, seen: list[SeenLine], charset: list[str] | None,
                   card_image: np.ndarray | None) -> None:
    """Fill every field's `evidence` (types.Field) from the lines recorded while reading it,
    next to what its reader put there (hk_id_card: `stars_off`)."""
    stats: dict[tuple[int, bool], tuple[float, float, float]] = {}
    for name, f in reading.fields.items():
        ev: dict[str, Any] = {"lines": 0.0, "fallback": 0.0, "low": 0.0, "p_min": 1.0, "logp_mean": 0.0,
                              "read_len": 0.0, "margin_min": 20.0,
                              "miss_max": 0.0, "len_diff": 0.0, "zone_dy": 0.0, "zone_edge": 0.0, "edge_l": 0.0,
                              "unsure": 0.0, "blur": 0.0}
        if f.quad is None or f.value in ("", None):
            f.evidence = {**f.evidence, **ev}
            continue
        box = _box(np.asarray(f.quad))
        ev["blur"] = _blur(card_image, box)
        mine = lines_of(f.quad, seen)
        value = f.value.replace(" ", "") if isinstance(f.value, str) else ""
        cols = _columns(charset, value) if charset else None
        probs_chars: list[float] = []
        read_len = 0
        for s in mine:
            ln = s.line
            probs_chars += ln.char_probs
            read_len += len(WORD.findall(ln.text))
            if ln.probs is not None and ln.probs.size:
                key = (id(ln), cols is None)  # two fields of one line (a date and the sex beside it)
                if key not in stats:
                    stats[key] = _path_stats(ln.probs, cols)
                margin, miss, unsure = stats[key]
                ev["margin_min"] = min(ev["margin_min"], margin)
                ev["miss_max"] = max(ev["miss_max"], miss)
                ev["unsure"] += unsure
            if s.zone is not None:
                zx0, zx1, zy0, zy1 = s.zone
                cy = (s.box[1] + s.box[3]) / 2 / CARD_H
                ev["zone_dy"] = max(ev["zone_dy"], abs(cy - (zy0 + zy1) / 2) / max(zy1 - zy0, 1e-3))
                left = abs(s.box[0] - zx0 * CARD_W) < EDGE_PX
                cut = left or abs(s.box[2] - zx1 * CARD_W) < EDGE_PX
                ev["zone_edge"] = max(ev["zone_edge"], float(cut))
                ev["edge_l"] = max(ev["edge_l"], float(left))
            ev["fallback"] = max(ev["fallback"], float(s.fallback))
        ev["lines"] = float(len(mine))
        ev["read_len"] = float(read_len)
        if probs_chars:
            ev["low"] = float(sum(p < 0.9 for p in probs_chars))
            ev["p_min"] = float(min(probs_chars))
            ev["logp_mean"] = float(np.mean(np.log(np.clip(probs_chars, 1e-6, None))))
        if isinstance(f.value, str) and mine and not DATE.fullmatch(value):
            ev["len_diff"] = float(len(WORD.findall(value)) - read_len)
        if (reading.document, name) in NAMES and charset:
            ev.update(_given_name(reading, value, mine, charset))
        if (reading.document, name) in ADDRESSES and charset:
            road = [m for s in mine if s.line.probs is not None and s.line.probs.size
                    for m in [road_margin(s.line.probs, charset)] if m is not None]
            if road and min(road) < ROAD_DOUBT:
                ev["road_doubt"] = 1.0
        f.evidence = {**f.evidence, **{k: round(float(v), 4) for k, v in ev.items()}}


def _given_name(reading: Reading, value: str, mine: list[SeenLine], charset: list[str]) -> dict[str, float]:
    """A Mainland name's evidence from the naming customs (checks.names) over the lines it was
    read from: `name_doubt` (given_name_doubt's least margin), `name_rare` (1: a character
    unlikely_given_name finds) and `surname_tie` (1: surname_tie under SURNAME_TIE). Nothing
    for a holder the card says is of a people whose names follow other customs (HAN_NAMING)."""
    ethnicity = reading.fields.get("ethnicity")
    if ethnicity is not None and ethnicity.value != "" and ethnicity.value not in HAN_NAMING:
        return {}
    out: dict[str, float] = {}
    doubts = [d for s in mine if s.line.probs is not None
              for d in [given_name_doubt(s.line.probs, charset, value)] if d is not None]
    if doubts:
        out["name_doubt"] = min(doubts)
    ties = [t for s in mine if s.line.probs is not None
            for t in [surname_tie(s.line.probs, charset, value)] if t is not None]
    if ties and min(ties) < SURNAME_TIE:
        out["surname_tie"] = 1.0
    for s in mine:
        at = s.line.text.find(value)
        if at >= 0 and unlikely_given_name(value, list(s.line.char_probs[at:at + len(value)]), DOUBTED):
            out["name_rare"] = 1.0
    return out


def cap_free_text(reading: Reading) -> None:
    """Free text that nothing closes (a Mainland name, address, licence record) has no shape
    to tell a dropped character by: where a character nearly was emitted (the field's evidence
    miss_max at least DROPPED) the value is at most as sure as that character was not there
    (1 - miss_max). Runs on the evidence field_evidence filled."""
    for name, f in reading.fields.items():
        if dropped_character(reading.document, name, f.evidence):
            f.confidence = min(f.confidence, round(1.0 - float(f.evidence["miss_max"]), 4))
