"""Fitting the calibration map (tools/calibrate.py calls this; the service only loads it).

Per document: a logistic regression (L2-penalised, Newton steps) of "field exactly right" on
evidence.FEATURES and a one-hot of the field, then isotonic regression (pool adjacent
violators) of the right/wrong outcomes on the logistic score, so the stated confidence is the
share right among fields with that score. Block shares are shrunk towards 1/2 by half a
field each way, so a block of 200 right fields says 0.9975, not 1.
"""

from __future__ import annotations

import json
from typing import Any

import numpy as np

from .calibration import MAP_PATH, CalibrationMap
from .evidence import FEATURES, contradicted, features
from .threshold import Card, choose

L2 = 0.3  # penalty on the weights (not the bias), features are O(1)..O(10); 0.3 held the fewest
# wrong fields past a 13% review rate out of fold (0.1 / 0.3 / 1 / 3 tried on ~400 cards)
# the recogniser's confidence only ever counts for a field: these weights are kept >= 0, so the
# map is monotone in it (a weight the fit wants negative is fixed at 0 and the rest refitted)
INCREASING = ("logit", "sure", "card_min_logit")


def _design(rows: list[dict[str, Any]], names: list[tuple[str, str]]
            ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Features and a one-hot of the (document, field), one row per field not contradicted
    (evidence.contradicted: those are stated apart); y: right or not; each row's document."""
    xs, ys, docs = [], [], []
    for row in rows:
        fx = features(row["evidence"])
        against = contradicted(row["evidence"])
        for k, ok in row["right"].items():
            if k not in fx or k in against:
                continue
            onehot = [float((row["document"], k) == n) for n in names]
            xs.append([*fx[k], *onehot])
            ys.append(float(ok))
            docs.append(row["document"])
    return np.array(xs, float), np.array(ys, float), np.array(docs)


def contradicted_share(rows: list[dict[str, Any]]) -> float:
    """The share right of the contradicted fields of every document together, shrunk towards
    1/2 by half a field each way as the isotonic blocks are."""
    n = right = 0
    for row in rows:
        for k in contradicted(row["evidence"]):
            if k in row["right"]:
                n += 1
                right += bool(row["right"][k])
    return round((right + 0.5) / (n + 1.0), 6)


def logistic(x: np.ndarray, y: np.ndarray, l2: float = L2, steps: int = 50) -> tuple[np.ndarray, float]:
    """Weights and bias maximising the penalised likelihood (Newton's method)."""
    a = np.hstack([x, np.ones((len(x), 1))])
    w = np.zeros(a.shape[1])
    pen = np.full(a.shape[1], l2)
    pen[-1] = 0.0
    for _ in range(steps):
        p = 1 / (1 + np.exp(-np.clip(a @ w, -50, 50)))
        grad = a.T @ (p - y) + pen * w
        hess = (a * (p * (1 - p))[:, None]).T @ a + np.diag(pen + 1e-9)
        step = np.linalg.solve(hess, grad)
        w -= step
        if np.abs(step).max() < 1e-8:
            break
    return w[:-1], float(w[-1])


def isotonic(score: np.ndarray, y: np.ndarray) -> list[tuple[float, float]]:
    """Knots (mean score, shrunk share right) of the pooled blocks, increasing in both."""
    order = np.argsort(score, kind="stable")
    blocks: list[list[float]] = []  # [sum of y, count, sum of score]
    for s, v in zip(score[order], y[order]):
        blocks.append([v, 1.0, s])
        while len(blocks) > 1 and blocks[-2][0] / blocks[-2][1] >= blocks[-1][0] / blocks[-1][1]:
            b = blocks.pop()
            blocks[-1] = [blocks[-1][0] + b[0], blocks[-1][1] + b[1], blocks[-1][2] + b[2]]
    knots = [(b[2] / b[1], (b[0] + 0.5) / (b[1] + 1.0)) for b in blocks]
    ys = np.maximum.accumulate([k[1] for k in knots])
    xs = [k[0] for k in knots]
    # the map ends at 0 and 1 of the score, so every score has a value
    return [(0.0, float(min(ys[0], 0.5))), *zip(map(float, xs), map(float, ys)), (1.0, float(ys[-1]))]


def _constrained(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, float]:
    """The logistic fit with the INCREASING features' weights kept >= 0."""
    fixed: set[int] = set()
    while True:
        keep = [i for i in range(x.shape[1]) if i not in fixed]
        wk, b = logistic(x[:, keep], y, L2)
        w = np.zeros(x.shape[1])
        w[keep] = wk
        negative = {FEATURES.index(f) for f in INCREASING if w[FEATURES.index(f)] < 0}
        if not negative:
            return w, b
        fixed |= negative


def _document(name: str, names: list[tuple[str, str]], x: np.ndarray, y: np.ndarray, w: np.ndarray,
              b: float) -> dict[str, Any]:
    """One document's map: the weights, its fields' offsets, the isotonic map of its own rows."""
    nf = len(FEATURES)
    score = 1 / (1 + np.exp(-np.clip(x @ w + b, -50, 50)))
    knots = isotonic(score, y)
    # two scores that share a knot's x would make np.interp ambiguous: keep the last
    dedup: dict[float, float] = {}
    for kx, ky in knots:
        dedup[round(kx, 6)] = round(ky, 6)
    return {"n": int(len(y)), "right": int(y.sum()),
            "weights": [round(float(v), 6) for v in w[:nf]], "bias": round(b, 6),
            "field_bias": {k: round(float(v), 6) for (d, k), v in zip(names, w[nf:]) if d == name},
            "knots": sorted(dedup.items())}


def fit_document(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """One document's map from its own rows alone."""
    names = sorted({(r["document"], k) for r in rows for k in r["right"]})
    x, y, _docs = _design(rows, names)
    w, b = _constrained(x, y)
    return {**_document(rows[0]["document"], names, x, y, w, b), "contradicted": contradicted_share(rows)}


def fit_all(rows: list[dict[str, Any]], pooled: bool = True) -> dict[str, dict[str, Any]]:
    """Every document's map. `pooled`: one logistic fit over every document's fields (an offset
    per document and field), so that what the evidence means (a value that does not fit its
    field, a character nearly dropped, a zone far from its landmarks) is learnt from every
    document's few wrong fields together; each document then gets the isotonic map of its own
    rows' scores."""
    docs = sorted({r["document"] for r in rows})
    if not pooled:
        return {d: fit_document([r for r in rows if r["document"] == d]) for d in docs}
    names = sorted({(r["document"], k) for r in rows for k in r["right"]})
    x, y, of_doc = _design(rows, names)
    w, b = _constrained(x, y)
    share = contradicted_share(rows)
    return {d: {**_document(d, names, x[of_doc == d], y[of_doc == d], w, b), "contradicted": share} for d in docs}


def out_of_fold(rows: list[dict[str, Any]], folds: int = 5) -> list[dict[str, float]]:
    """Each row's stated confidences from a map fitted without its fold (folds by seed, so a
    seed's ordinary and layout photos fall together): what the map states on cards it has
    not seen, for measuring the review threshold without fitting it on the same fields."""
    stated: list[dict[str, float]] = [{} for _ in rows]
    for k in range(folds):
        test = [i for i, r in enumerate(rows) if r["seed"] % folds == k]
        train = [r for r in rows if r["seed"] % folds != k]
        if not test or not train:
            continue
        cal = CalibrationMap.from_json({"features": list(FEATURES), "documents": fit_all(train)})
        for i in test:
            stated[i] = cal.apply(rows[i]["document"], rows[i]["evidence"])
    return stated


def review_defaults(rows: list[dict[str, Any]], stated: list[dict[str, float]]) -> dict[str, dict[str, float]]:
    """Per document, the default review threshold measured on these rows (threshold.choose)."""
    cards: dict[str, list[Card]] = {}
    for r, st in zip(rows, stated):
        keys = [k for k in r["right"] if k in st]
        # a failed check, or a field the card contradicts, sends the card whatever the threshold
        failed = not all(r["evidence"]["checks"].values()) or bool(contradicted(r["evidence"]) & set(keys))
        cards.setdefault(r["document"], []).append(
            Card(tuple(st[k] for k in keys), tuple(bool(r["right"][k]) for k in keys), failed))
    return {d: choose(c) for d, c in cards.items()}


def save(documents: dict[str, dict[str, Any]], path: Any = MAP_PATH) -> None:
    data = {"features": list(FEATURES), "documents": documents,
            "note": "fitted by python -m tools.calibrate on generator cards; see cardocr.confidence"}
    path.write_text(json.dumps(data, indent=1) + "\n")
