"""The card's own printed labels as landmarks: where each label really is on this card.

A card from another printer or year, or one straightened a little off, has its rows a few
percent away from the template's. The labels (姓名 性别 出生 住址; 签发机关 有效期限) are printed on
every card at the start of their row, in a column of their own, so the detector's boxes that
start in that column say where the rows are (a box may hold the label's value too: 姓名张大民).
The rows are then fitted (RowFit) and the document's zone priors moved onto them; a card whose
label column is not as expected keeps its priors.

Reading the labels to tell them apart was tried first: a second recognition pass over 9-13
boxes cost about 40% of the Mainland ID's p50 for the same fields right, so the labels are
told by their order in the column instead.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from itertools import combinations

import numpy as np

from ..types import Card
from .base import Span, box_spans

Zone = tuple[float, float, float, float]  # x0, x1, y0, y1, card fractions


@dataclass(frozen=True)
class Label:
    word: str
    span: Span  # the detector's box the label starts (it may hold the value too)
    alone: bool  # the box holds the label only (its right edge is the label's end)


def column_labels(card: Card, keys: tuple[str, ...], x_max: float, y_min: float, y_max: float,
                  alone_width: float, expected: Mapping[str, float] | None = None) -> dict[str, Label]:
    """Labels told by where they stand, without reading them: the boxes that start left of
    `x_max` between `y_min` and `y_max` are the label column (a value's further lines start
    right of it), one row per label, top to bottom in the order of `keys`. Boxes of one row
    (a label split in two, a stray character beside it) are one label: its leftmost box. Rows
    are matched to the template's rows (`expected`, key -> centre row) by their place and
    spacing (`match_rows`: a label may be missing, a stray row found); without `expected`, only
    as many rows as `keys` are taken, in order. No match: nothing (the caller keeps its
    priors). A box narrower than `alone_width` holds the label alone; a wider one holds its
    value too."""
    spans = sorted((s for s in box_spans(card) if s.x0 < x_max and y_min <= s.cy <= y_max and s.height > 0.02),
                   key=lambda s: s.cy)
    rows: list[list[Span]] = []
    for s in spans:
        if rows and _same_row(rows[-1][0], s):
            rows[-1].append(s)
        else:
            rows.append([s])
    firsts = [min(row, key=lambda s: s.x0) for row in rows]
    if expected is not None:
        pairs = match_rows(firsts, [(k, expected[k]) for k in keys])
    elif len(firsts) == len(keys):
        pairs = list(zip(keys, firsts))
    else:
        pairs = []
    return {key: Label(key, s, s.width < alone_width) for key, s in pairs}


def _same_row(a: Span, b: Span) -> bool:
    return min(a.y1, b.y1) - max(a.y0, b.y0) > 0.5 * min(a.height, b.height)


MAX_OFFSET = 0.12  # a matched label column moved by at most this much of the card's height
OFFSET_WEIGHT = 0.5  # of two matches that hold, the one that moves the rows less


def match_rows(found: list[Span], expected: list[tuple[str, float]]) -> list[tuple[str, Span]]:
    """Which found rows are which labels, some maybe missing, a stray row maybe among them:
    every order-keeping pairing of as many rows as can be paired, fitted as fit_rows does, the
    one whose rows lie nearest their fitted line (and move least) taken if every pair lies
    within MAX_RESIDUAL of it; else the same with a pair fewer. Two rows fit any two labels
    about as well (the rows are near evenly spaced): fewer than three pairs prove nothing,
    unless they are every label there is."""
    least = min(3, len(expected))
    for n in range(min(len(found), len(expected)), max(least, 2) - 1, -1):
        best: tuple[float, list[tuple[str, Span]]] | None = None
        for rows in combinations(found, n):
            for keys in combinations(expected, n):
                fit = _fit([(e, s.cy) for (_k, e), s in zip(keys, rows)])
                res = max(abs(fit.y(e) - s.cy) for (_k, e), s in zip(keys, rows))
                shift = abs(float(np.median([s.cy - e for (_k, e), s in zip(keys, rows)])))
                if res > MAX_RESIDUAL or shift > MAX_OFFSET:
                    continue
                cost = res + OFFSET_WEIGHT * shift
                if best is None or cost < best[0]:
                    best = (cost, [(k, s) for (k, _e), s in zip(keys, rows)])
        if best is not None:
            return best[1]
    return []


def values_right_of(zones: dict[str, Zone], labels: Mapping[str, Label], gap: float) -> None:
    """A label in a box of its own says where its value starts: `gap` right of it. Zones of
    labels that share their box with the value keep their prior left edge."""
    for key, label in labels.items():
        if label.alone and key in zones:
            x0, x1, y0, y1 = zones[key]
            zones[key] = (label.span.x1 + gap, x1, y0, y1)


@dataclass(frozen=True)
class RowFit:
    """Card rows as printed on this card: y_this = scale * y_template + offset, fitted on the
    labels found; identity when none was."""

    scale: float = 1.0
    offset: float = 0.0
    labels: int = 0  # how many labels the fit rests on

    def y(self, y: float) -> float:
        return self.scale * y + self.offset

    def zones(self, zones: Mapping[str, Zone]) -> dict[str, Zone]:
        return {k: (x0, x1, self.y(y0), self.y(y1)) for k, (x0, x1, y0, y1) in zones.items()}

    def rows(self, rows: Mapping[str, tuple[float, float]]) -> dict[str, tuple[float, float]]:
        return {k: (self.y(y0), self.y(y1)) for k, (y0, y1) in rows.items()}


MAX_SCALE_CHANGE = 0.15  # a card's rows spread or squeeze by at most this much
MAX_RESIDUAL = 0.03  # a label further than this from the fitted row is a misreading
MIN_SPREAD = 0.1  # labels must span this much of the card's height to fit a scale


def fit_rows(found: Mapping[str, Label], expected: Mapping[str, float]) -> RowFit | None:
    """Least-squares fit of the labels' centre rows against the template's (`expected`, key ->
    card fraction). Two or more labels fit scale and offset, one an offset alone; a label far
    from the others' fit is dropped once. None when no label was found."""
    pairs = [(expected[k], found[k].span.cy) for k in found if k in expected]
    if not pairs:
        return None
    fit = _fit(pairs)
    if len(pairs) >= 3:
        res = [abs(fit.y(e) - o) for e, o in pairs]
        worst = int(np.argmax(res))
        if res[worst] > MAX_RESIDUAL:
            fit = _fit(pairs[:worst] + pairs[worst + 1:])
    return fit


def _fit(pairs: list[tuple[float, float]]) -> RowFit:
    if len(pairs) == 1:
        (e, o), = pairs
        return RowFit(1.0, o - e, 1)
    ex = np.array([e for e, _ in pairs])
    ob = np.array([o for _, o in pairs])
    if np.ptp(ex) < MIN_SPREAD:  # labels of one row (性别 and 民族): they fix the offset only
        return RowFit(1.0, float(np.mean(ob - ex)), len(pairs))
    scale, offset = np.polyfit(ex, ob, 1)
    if abs(scale - 1.0) > MAX_SCALE_CHANGE:  # implausible: the labels are too close together
        return RowFit(1.0, float(np.mean(ob - ex)), len(pairs))
    return RowFit(float(scale), float(offset), len(pairs))
