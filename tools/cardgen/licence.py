"""Synthetic Mainland China motor-vehicle driving licences (机动车驾驶证).

Everything is fake: random holders (tools.cardgen.person), invented addresses,
geometric stand-ins for the photo, seals drawn from the authority's name.

A licence is a paper booklet page of 88 x 60 mm: the main page (``front``, 正页)
and the second page (``back``, 副页).  Pages are rendered at 10 px/mm, i.e.
880 x 600 px (PAGE_W x PAGE_H).  About half of the photos show the pages in a
dark plastic holder with glossy reflections; the corners returned are always
those of the printed PAGE, never of the holder.

Two main-page layouts:

* ``new``: bottom row "有效期限 Valid Period  2016-03-03 至 2026-03-03" (or 至 长期),
  round red seal with the authority's name on the rim and a star.
* ``old``: bottom row "有效起始日期 Valid From 2016-03-03   有效期限 Valid For 6年",
  square red seal with the name in rows (see the reference mock-up).  The
  ground-truth ``valid_to`` is then computed as valid_from + N years (or 长期).

    from tools.cardgen.licence import make_licence_sample
    photo, lic, corners = make_licence_sample(seed=1, side="front", condition="photo")
    lic.front_result()   # dict exactly as the Huawei driver-license API returns it

The holder and what the pages say: licence_data.py; the pages drawn: licence_draw.py (seals:
licence_seals.py); the plastic holder: sleeve.py; here the photos made of them.
"""

from __future__ import annotations

import argparse
import json
import pathlib
import random

import cv2
import numpy as np

from .camera import CONDITIONS, capture, capture_two
from .licence_data import LAYOUTS, Licence, random_licence
from .licence_draw import licence_template, render_licence_back, render_licence_front
from .sleeve import page_corners, put_in_sleeve
from .vary import PLAIN, frame_card, map_corners

LICENCE_CONDITIONS = (*CONDITIONS, "layout")
SIDES = ("front", "back", "both")


# ----------------------------------------------------------------------- samples


def make_licence_sample(seed: int, side: str, condition: str, layout: str | None = None,
                        sleeve: bool | None = None) -> tuple[np.ndarray, Licence, np.ndarray]:
    """Deterministic driving-licence sample for a seed (layout / sleeve: force, or None = rng).

    side "front" (main page) / "back" (副页) -> corners 4x2 float32 TL,TR,BR,BL of the printed page;
    side "both" -> one photo with both pages, corners 2x4x2 ([front, back]).
    """
    if side not in SIDES:
        raise ValueError(f"unknown side {side!r}; expected one of {SIDES}")
    if condition not in LICENCE_CONDITIONS:
        raise ValueError(f"unknown condition {condition!r}; expected one of {LICENCE_CONDITIONS}")
    rng = random.Random(seed * 1_000_003 + 77)  # separate stream from make_sample(seed)
    lic = random_licence(rng, layout)
    # "layout": pages of another printer or a third party (licence_template), drawn from a
    # generator of their own, so the seed's holder, sleeve and camera stay those of the others
    vrng = random.Random(seed * 7919 + 78)
    templates = ((licence_template(vrng, "front"), licence_template(vrng, "back")) if condition == "layout"
                 else (PLAIN, PLAIN))
    in_sleeve = rng.random() < 0.5 if sleeve is None else sleeve
    pages = []
    if side in ("front", "both"):
        pages.append(render_licence_front(lic, rng, templates[0]))
    if side in ("back", "both"):
        pages.append(render_licence_back(lic, rng, templates[1]))
    if condition == "layout":
        return _layout_photo(pages, templates if side == "both" else
                             (templates[0] if side == "front" else templates[1],), in_sleeve, lic, rng, vrng)
    if in_sleeve:
        holder, quads = put_in_sleeve(pages, rng)
        # Size the photo by the page width (as for bare pages), not by the whole holder.
        photo, corners = capture(holder, condition, rng, ref_width=pages[0].shape[1])
        pc = [page_corners(corners, holder.shape, q) for q in quads]
    elif len(pages) == 1:
        photo, c = capture(pages[0], condition, rng)
        pc = [c]
    else:
        photo, pc = capture_two(pages[0], pages[1], condition, rng)
    corners = pc[0] if len(pc) == 1 else np.stack(pc).astype(np.float32)
    return photo, lic, corners


def _layout_photo(pages: list[np.ndarray], templates, in_sleeve: bool, lic: Licence, rng: random.Random,
                  vrng: random.Random) -> tuple[np.ndarray, Licence, np.ndarray]:
    """A photo of template pages; a bare page is framed too large or small (vary.frame_card)."""
    if in_sleeve:
        holder, quads = put_in_sleeve(pages, rng)
        photo, corners = capture(holder, "photo", rng, ref_width=pages[0].shape[1])
        pc = [page_corners(corners, holder.shape, q) for q in quads]
    else:
        framed = [frame_card(page, t.frame, vrng) for page, t in zip(pages, templates)]
        if len(pages) == 1:
            photo, c = capture(framed[0][0], "photo", rng, ref_width=pages[0].shape[1])
            shots = [c]
        else:
            photo, shots = capture_two(framed[0][0], framed[1][0], "photo", rng)
        pc = [map_corners(c, img.shape, quad) for c, (img, quad) in zip(shots, framed)]
    corners = pc[0] if len(pc) == 1 else np.stack(pc).astype(np.float32)
    return photo, lic, corners


# ------------------------------------------------------------------ layout boxes

# Fractions (x0, x1, y0, y1) of the page that contain each printed value for every
# rng choice (global offset, jitter, fonts); measured over many renders, rounded out.
_FRONT_COMMON = {
    "title": (0.18, 0.82, 0.04, 0.13),
    "number": (0.34, 0.85, 0.17, 0.26),
    "name": (0.14, 0.37, 0.26, 0.35),
    "sex": (0.53, 0.61, 0.26, 0.35),
    "nationality": (0.75, 0.93, 0.26, 0.35),
    "address": (0.13, 0.97, 0.35, 0.51),  # line 1 to 0.97; line 2 (y 0.44-0.51) ends before 0.70
    "photo": (0.70, 0.97, 0.42, 0.90),
    "birth": (0.44, 0.70, 0.555, 0.635),
    "issue_date": (0.44, 0.70, 0.65, 0.73),
    "class": (0.45, 0.69, 0.74, 0.83),  # the printed class box
}
_FRONT_OLD = {
    "valid_from": (0.18, 0.44, 0.885, 0.97),
    "valid_for": (0.57, 0.69, 0.885, 0.97),  # "6年" / "10年" / "长期"
    "seal": (0.02, 0.33, 0.50, 0.93),
}
_FRONT_NEW = {
    "valid_from": (0.15, 0.41, 0.885, 0.97),
    "valid_to": (0.38, 0.70, 0.885, 0.97),  # after "至"
    "seal": (0.02, 0.34, 0.49, 0.93),
}
_BACK = {
    "title": (0.15, 0.85, 0.05, 0.15),
    "number": (0.11, 0.61, 0.185, 0.265),
    "name": (0.13, 0.35, 0.28, 0.38),
    "file_number": (0.55, 0.88, 0.29, 0.37),
    "record": (0.06, 0.93, 0.52, 0.86),  # up to 4 lines, pitch ~0.075
}


def licence_layout_boxes(layout: str, side: str) -> dict[str, tuple[float, float, float, float]]:
    """field -> (x0, x1, y0, y1), fractions of the page, where the value is printed.

    Front keys: title number name sex nationality address photo birth issue_date class
    valid_from seal, plus valid_to (new) or valid_for (old: the "6年" text).
    Back keys: title number name file_number record (layout does not matter for the back).
    """
    if layout not in LAYOUTS:
        raise ValueError(f"unknown layout {layout!r}; expected one of {LAYOUTS}")
    if side == "back":
        return dict(_BACK)
    if side != "front":
        raise ValueError(f"side must be 'front' or 'back', got {side!r}")
    return {**_FRONT_COMMON, **(_FRONT_OLD if layout == "old" else _FRONT_NEW)}


# ------------------------------------------------------------------------- CLI


def write_licence_samples(out_dir: pathlib.Path, count: int, seed: int = 1, conditions: list[str] | None = None,
                          sides: list[str] | None = None, quality: int = 95) -> None:
    """Write dl_<seed>_<side>_<condition>.jpg + truth.jsonl (Licence.to_dict() fields, corners, ...)."""
    out_dir = pathlib.Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    conditions = conditions or list(CONDITIONS)
    with open(out_dir / "truth.jsonl", "w", encoding="utf-8") as fh:
        for i in range(count):
            s = seed + i
            condition = conditions[i % len(conditions)]
            pick = random.Random(s * 7919 + 29)
            side = pick.choice(sides) if sides else pick.choice(("front", "front", "back", "both"))
            photo, lic, corners = make_licence_sample(s, side, condition)
            name = f"dl_{s:06d}_{side}_{condition}.jpg"
            cv2.imwrite(str(out_dir / name), photo, [cv2.IMWRITE_JPEG_QUALITY, quality])
            rec = {"file": name, "doc": "driving_licence", "seed": s, "side": side, "condition": condition,
                   "width": photo.shape[1], "height": photo.shape[0], **lic.to_dict(),
                   "corners": np.asarray(corners, np.float64).round(2).tolist()}
            fh.write(json.dumps(rec, ensure_ascii=False) + "\n")
            print(name)


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(prog="python -m tools.cardgen.licence",
                                 description="Write synthetic driving-licence photos + truth.jsonl "
                                             "(same as python -m tools.cardgen OUT --doc licence)")
    ap.add_argument("out_dir", type=pathlib.Path)
    ap.add_argument("--count", type=int, default=20)
    ap.add_argument("--seed", type=int, default=1, help="first sample seed (samples use seed, seed+1, ...)")
    ap.add_argument("--condition", choices=LICENCE_CONDITIONS, action="append")
    ap.add_argument("--side", choices=SIDES, action="append")
    ap.add_argument("--quality", type=int, default=95)
    args = ap.parse_args(argv)
    write_licence_samples(args.out_dir, args.count, args.seed, args.condition, args.side, args.quality)


if __name__ == "__main__":
    main()
