"""Train the tampering model (cardocr.quality.tampering_model.json): `python -m tools.train_tampering`.

Tune seeds only: matched pairs from tools.cardgen.defects (TUNE_SEED.., the same photo with and
without an edit) and the main bench's ordinary photos (100000.., no edit; every condition,
layout variants too). Each photo's features (cardocr.quality.tampering.vector, on the card
straightened from the generator's corners the way the pipeline straightens it) go into a
logistic regression (standardised features, L2, Newton's method: numpy only, deterministic), one
for the cards square to the frame (scans) and one for the rest (quality.tampering.SQUARE).
The threshold is set where at most FALSE_ALARMS of the unedited and ordinary tune photos score
above it. Writes the weights as JSON (a few hundred bytes).
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np

from cardocr.documents import REGISTRY
from cardocr.quality import tampering, tampering_features
from cardocr.types import Reading
from cardocr.vision.locate import CardQuad

OUT = Path(__file__).resolve().parents[1] / "src" / "cardocr" / "quality" / "tampering_model.json"
L2 = 1.0  # ridge on the standardised weights (5-fold CV on the tune photos: AUROC 0.87 at 0.3, 1 and 3)
FALSE_ALARMS = 0.005  # share of unedited tune photos the threshold lets above it
# more tune ranges of the main bench for unedited photos (--more): none by default. With
# 1300000.. and 1500000.. (225 unedited photos instead of 75) the tune photos through the
# pipeline's corners came out worse (AUROC 0.941 -> 0.916, 72 -> 69 of 120 found) and 1500000..'s
# ordinary photos flagged as often (3 of 100)
MORE: tuple[int, ...] = ()
MIN_GROUP = 5  # edited and unedited photos each that a group (square to the frame or not) needs


def photo_vector(photo: np.ndarray, corners: np.ndarray, side: str) -> np.ndarray:
    # straightened as the pipeline straightens it (INTER_AREA shrinking, INTER_CUBIC enlarging a
    # small card): features learnt on another interpolation differ on small photos
    card = CardQuad(np.asarray(corners, np.float32), 1.0, "truth").warp(photo)
    portrait = REGISTRY["id-card"].portrait(Reading("id-card", side, {}))
    return tampering.vector(photo, corners, card, portrait)


def dataset(pairs: int, ordinary: int, more: tuple[int, ...] = ()) -> tuple[np.ndarray, np.ndarray]:
    """Features and labels (1: edited) of the tune pairs and the ordinary photos of the main
    bench's seeds from 100000 and from each of `more` (`ordinary` seeds each)."""
    from bench.suites import plan
    from tools.cardgen import make_sample
    from tools.cardgen.defects import TUNE_SEED, defect_pair

    xs, ys = [], []
    for seed in range(TUNE_SEED, TUNE_SEED + pairs):
        neg, pos, side, condition = defect_pair("tampering", seed)
        _photo, _person, corners = make_sample(seed, side, condition)
        xs += [photo_vector(neg, corners, side), photo_vector(pos, corners, side)]
        ys += [0, 1]
    conditions = ("scan", "photo", "small", "layout")
    for seed, side, condition in [p for s0 in (100000, *more) for p in plan("id-card", ordinary, s0, conditions)]:
        photo, _person, corners = make_sample(seed, side, condition)
        xs.append(photo_vector(photo, corners, side))
        ys.append(0)
    return np.array(xs), np.array(ys, np.float64)


def fit_grouped(x: np.ndarray, y: np.ndarray, l2: float = L2) -> dict:
    """One logistic regression for the cards not square to the frame, one for the square ones
    (tampering.square, the feature "square"); a group with too few photos of either kind to
    learn from (a tiny run) takes the model of all of them."""
    sq = x[:, tampering_features.NAMES.index("square")] > 0.5
    pooled = None
    groups = []
    for member in (~sq, sq):
        if min(int(y[member].sum()), int((1 - y[member]).sum())) >= MIN_GROUP:
            groups.append(fit(x[member], y[member], l2))
        else:
            pooled = pooled or fit(x, y, l2)
            groups.append(pooled)
    return {"names": list(tampering_features.NAMES), "groups": groups}


def fit(x: np.ndarray, y: np.ndarray, l2: float = L2) -> dict:
    """Logistic regression on standardised features; the model as plain lists."""
    mean, std = x.mean(axis=0), x.std(axis=0) + 1e-6
    z = np.hstack([(x - mean) / std, np.ones((len(x), 1))])
    w = np.zeros(z.shape[1])
    reg = np.full(z.shape[1], l2)
    reg[-1] = 0.0  # no ridge on the intercept
    for _ in range(50):
        p = 1.0 / (1.0 + np.exp(-(z @ w)))
        grad = z.T @ (p - y) + reg * w
        hess = (z * (p * (1 - p))[:, None]).T @ z + np.diag(reg) + 1e-9 * np.eye(len(w))
        w -= np.linalg.solve(hess, grad)
    logit = z @ w
    neg = np.sort(logit[y == 0])
    threshold = float(neg[min(len(neg) - 1, int(np.ceil((1 - FALSE_ALARMS) * len(neg))) - 1)]) + 1e-6
    def r(v: np.ndarray) -> list[float]:  # 6 decimals: a rerun writes the same file (BLAS sums differ at 1e-8)
        return [round(float(x), 6) for x in np.atleast_1d(v)]

    return {"mean": r(mean), "std": r(std), "weights": r(w[:-1]), "bias": r(w[-1])[0],
            "threshold": r(np.array(threshold))[0]}


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--pairs", type=int, default=120, help="matched tune pairs from defects.TUNE_SEED")
    ap.add_argument("--ordinary", type=int, default=60, help="main-bench seeds from 100000 (no edit)")
    ap.add_argument("--more", type=int, nargs="*", default=list(MORE),
                    help="first seeds of more tune ranges of the main bench, --ordinary seeds each (no edit)")
    ap.add_argument("--out", type=Path, default=OUT)
    args = ap.parse_args(argv)
    x, y = dataset(args.pairs, args.ordinary, tuple(args.more))
    model = fit_grouped(x, y)
    args.out.write_text(json.dumps(model, indent=1) + "\n")
    thresholds = ", ".join(f"{m['threshold']:.3f}" for m in model["groups"])
    print(f"{int(y.sum())} edited, {int((1 - y).sum())} unedited photos; thresholds {thresholds} "
          f"(not square, square) -> {args.out}")


if __name__ == "__main__":
    main()
