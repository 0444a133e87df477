"""Tuning aid for the quality signals: run the pipeline once per photo and keep what the
detectors see (cardocr.quality.Evidence, without the photo, which is regenerated from its
seed), so detector thresholds can be tried on many photos without reading them again.

    python -m tools.cardgen.signal_cache copy,reproduce 700000 30 /tmp/sigcache
    python -m tools.cardgen.signal_cache ordinary 100000 60 /tmp/sigcache

Only for the tuning range (defects.TUNE_SEED.., the main bench's 100000..): the held-out
range is measured by bench/run.py --signals-only, through the whole pipeline.
"""

from __future__ import annotations

import pickle
import sys
from pathlib import Path

import numpy as np


def _photos(kind: str, seed: int) -> list[tuple[str, np.ndarray]]:
    from tools.cardgen import make_sample
    from tools.cardgen.defects import defect_pair

    if kind == "ordinary":
        i = seed - 100000 if seed >= 100000 else seed
        cond = ("scan", "photo", "small")[i % 3]
        side = ("front", "back")[(i // 3) % 2]
        return [("neg", make_sample(seed, side, cond)[0])]
    neg, pos, _side, _cond = defect_pair(kind, seed)
    return [("neg", neg), ("pos", pos)]


def photo_of(kind: str, seed: int, label: str) -> np.ndarray:
    return dict(_photos(kind, seed))[label]


def capture(kind: str, seed: int) -> dict[str, object]:
    """{label: Evidence-like dict or None (no card read)} for one seed of one kind."""
    import cardocr.pipeline as pipeline
    from cardocr.documents import REGISTRY
    from cardocr.ocr.engine import get_engine
    from cardocr.types import ReadRequest

    seen: list[object] = []

    def keep(names, ev):  # type: ignore[no-untyped-def]
        seen.append(ev)  # no signals in the result: later stages (confidence) read real ones only
        return {}

    real = pipeline.measure
    pipeline.measure = keep  # type: ignore[assignment]
    out: dict[str, object] = {}
    try:
        for label, photo in _photos(kind, seed):
            seen.clear()
            try:
                results = pipeline.read(REGISTRY["id-card"], photo, ReadRequest(signals=frozenset({"border"})),
                                        get_engine())
            except Exception:
                results = []
            ev = seen[0] if results and seen else None
            out[label] = None if ev is None else {
                "corners": ev.corners, "found_by": ev.found_by, "card": ev.card, "reading": ev.reading}
    finally:
        pipeline.measure = real
    return out


def load(root: Path, kind: str, seed: int) -> dict[str, object]:
    return pickle.loads((root / f"{kind}_{seed}.pkl").read_bytes())


def main() -> None:
    kinds, seed0, count, root = sys.argv[1].split(","), int(sys.argv[2]), int(sys.argv[3]), Path(sys.argv[4])
    root.mkdir(parents=True, exist_ok=True)
    for kind in kinds:
        for seed in range(seed0, seed0 + count):
            path = root / f"{kind}_{seed}.pkl"
            if path.exists():
                continue
            path.write_bytes(pickle.dumps(capture(kind, seed)))
            print(kind, seed, flush=True)


if __name__ == "__main__":
    main()
