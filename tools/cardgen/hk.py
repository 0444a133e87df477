"""Synthetic Hong Kong smart identity cards (2003 and 2018 designs), front side only.

Everything is fake: random people, geometric stand-ins for the portraits and the
bauhinia, no security features.  Ground truth (`HkPerson`) uses exactly the field
names and string formats of the Huawei OCR ``hk-id-card`` result.

    from tools.cardgen.hk import make_hk_sample
    photo, person, corners = make_hk_sample(seed=1, condition="photo")          # random layout
    photo, person, corners = make_hk_sample(seed=1, condition="thumb", layout="2003")

CLI: ``python -m tools.cardgen.hk OUT_DIR --count 20 --seed 1 [--condition scan] [--layout 2018]``
(or ``python -m tools.cardgen OUT_DIR --doc hk ...``) writes JPEGs and truth.jsonl.

The holder and what the card says: hk_data.py (names: hk_names.py); the printed grounds and
portraits: hk_ground.py; here the card's text drawn on them, the templates and the photos.
"""

from __future__ import annotations

import argparse
import functools
import json
import pathlib
import random

import cv2
import numpy as np
from PIL import Image, ImageDraw

from .camera import CONDITIONS, _rounded_mask, capture
from .hk_data import LAYOUTS, HkPerson, random_hk_person
from .hk_ground import background_2003, background_2018, ghost, jitter, paste_portrait
from .render import H, W, draw_text, font
from .vary import PLAIN, Plain, frame_card, map_corners, random_template

HK_CONDITIONS = (*CONDITIONS, "thumb", "layout")

# Large portrait, fractions of the card (x0, x1, y0, y1).  Rendering jitters it by <= 2 px.
_PORTRAIT_BOX = {"2018": (0.070, 0.325, 0.375, 0.925), "2003": (0.640, 0.925, 0.215, 0.815)}

# Fonts: the Debian CJK fonts of render.py, Traditional-Chinese (HK) faces of the Noto collections.
_HK_FONTS = {
    "wqy": ("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc", 0),
    "sans": ("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc", 4),
    "sans_bold": ("/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc", 4),
    "serif": ("/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc", 4),
    "serif_bold": ("/usr/share/fonts/opentype/noto/NotoSerifCJK-Bold.ttc", 4),
    "ocrb": ("/usr/share/fonts/opentype/ocr-b/OCRB.otf", 0),
    # other faces for the `layout` condition (vary.py): the collections' SC and TC faces (the
    # same traditional characters, other stroke conventions), other Latin faces
    "sans_sc": ("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc", 2),
    "serif_sc": ("/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc", 2),
    "sans_tc": ("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc", 3),
    "serif_tc": ("/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc", 3),
    "dejavu_sans": ("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf", 0),
    "dejavu_serif": ("/usr/share/fonts/truetype/dejavu/DejaVuSerif.ttf", 0),
}


@functools.lru_cache(maxsize=256)
def _font(key: str, size: int):
    from PIL import ImageFont

    path, index = _HK_FONTS[key]
    try:
        return ImageFont.truetype(path, size, index=index)
    except OSError:  # pragma: no cover - font collection without the HK face
        return font(key, size)


# --------------------------------------------------------------------------- text


def _spaced_width(text: str, f, spacing: float) -> float:
    return sum(f.getlength(c) for c in text) + spacing * max(0, len(text) - 1)


def _text(d, x, yc, text, f, fill, spacing=0.0, latin=False, align="left") -> float:
    if align != "left":
        w = _spaced_width(text, f, spacing)
        x = x - w if align == "right" else x - w / 2
    return draw_text(d, x, yc, text, f, fill, spacing=spacing, latin=latin)


def _fit(key: str, size: int, text: str, max_w: float, min_size: int = 14):
    """Font `key` at `size`, shrunk until `text` fits in max_w px."""
    f = _font(key, size)
    while size > min_size and f.getlength(text) > max_w:
        size -= 1
        f = _font(key, size)
    return f


def _dob_sex(d, x, yc, p: HkPerson, of, zf, ink, gap) -> None:
    x = _text(d, x, yc, p.birth_date, of, ink, latin=True) + gap
    x = _text(d, x, yc, "男" if p.sex == "M" else "女", zf, ink) + of.size * 0.35
    _text(d, x, yc, p.sex, of, ink, latin=True)


def _label(d, x, yc, zh, en, zf, ef, col) -> None:
    x = _text(d, x, yc, zh, zf, col) + zf.size * 0.45
    _text(d, x, yc + 1, en, ef, col, latin=True)


def _titles(p: HkPerson) -> tuple[str, str]:
    if p.permanent:
        return "香港永久性居民身份證", "HONG KONG PERMANENT IDENTITY CARD"
    return "香港居民身份證", "HONG KONG IDENTITY CARD"


def _box_px(layout: str, rng: random.Random) -> tuple[int, int, int, int]:
    fx0, fx1, fy0, fy1 = _PORTRAIT_BOX[layout]
    dx, dy = round(jitter(rng, 2)), round(jitter(rng, 2))
    return (round(fx0 * W) + dx, round(fy0 * H) + dy, round(fx1 * W) + dx, round(fy1 * H) + dy)


def _render_2018(p: HkPerson, rng: random.Random, nrng, t: Plain = PLAIN) -> Image.Image:
    im = Image.fromarray(np.clip(background_2018(rng, nrng), 0, 255).astype(np.uint8), "RGB")
    d = ImageDraw.Draw(im)
    teal = (int(rng.uniform(0, 20)), int(rng.uniform(90, 115)), int(rng.uniform(105, 130)))
    k = int(rng.uniform(15, 40))
    ink = (k, k, k + int(rng.uniform(0, 10)))
    gx, gy = jitter(rng), jitter(rng)
    zh_key = t.font("zh", rng.choice(("serif", "sans", "wqy")))
    tkey = rng.choice(("sans_bold", "serif_bold"))
    lat = t.font("latin", "ocrb")
    X, Y = t.x, t.y  # noqa: N806 - the template's block coordinates (fractions of the card)

    # Titles, centred.
    tz, te = _titles(p)
    tzf = _font(tkey, t.fs(rng.randint(29, 32)))
    tef = _font("sans_bold", t.fs(rng.randint(21, 23)))
    _text(d, X("title", 0.535) * W + gx, Y("title", 0.072) * H + gy, tz, tzf, teal, spacing=rng.uniform(1, 3),
          align="center")
    _text(d, X("title", 0.535) * W + gx, Y("title", 0.145) * H + gy, te, tef, teal, spacing=rng.uniform(0, 1),
          latin=True, align="center")

    # Number in an oval, top right (without the check digit).
    ox0, oy0 = X("oval", 0.725) * W + gx, Y("oval", 0.185) * H + gy
    ox1, oy1 = X("oval", 0.875) * W + gx, Y("oval", 0.262) * H + gy
    d.ellipse([ox0, oy0, ox1, oy1], fill=(236, 238, 240), outline=(150, 160, 170), width=1)
    small = p.number.split("(")[0]
    _text(d, (ox0 + ox1) / 2, (oy0 + oy1) / 2, small, _font(lat, t.fs(rng.randint(16, 18))), ink, latin=True,
          align="center")

    x_left = X("name_zh", 0.105) * W + gx
    if p.name:
        nf = _font(zh_key, t.fs(rng.randint(33, 36)))
        _text(d, x_left + jitter(rng), Y("name_zh", 0.245) * H + gy + jitter(rng), p.name, nf, ink,
              spacing=nf.size * rng.uniform(0.2, 0.4))
    x_en = X("name_en", 0.105) * W + gx
    ef = _fit(lat, t.fs(rng.randint(22, 25)), p.name_en, X("name_en", 0.85) * W - x_en)
    _text(d, x_en + jitter(rng), Y("name_en", 0.318) * H + gy + jitter(rng), p.name_en, ef, ink, latin=True)

    paste_portrait(im, _box_px("2018", rng), rng, sat=rng.uniform(0.0, 0.35))
    pseed = rng.getrandbits(32)
    gx0, gy0 = round(X("data", 0.715) * W + gx), round(Y("data", 0.565) * H + gy)
    ghost(im, (gx0, gy0, gx0 + round(0.12 * W), gy0 + round(0.275 * H)), rng, pseed)

    vx = X("data", 0.395) * W + gx
    vf = _font(lat, t.fs(rng.randint(25, 27)))
    if p.name_telegraph_code:
        tf = _font(lat, t.fs(rng.randint(26, 29)))
        _text(d, vx + jitter(rng), Y("data", 0.41) * H + gy + jitter(rng), p.name_telegraph_code, tf, ink, latin=True)
    lzf = _font(t.font("label", rng.choice(("sans", "wqy"))), t.fs(rng.randint(16, 18)))
    lef = _font(t.font("label_en", "sans"), t.fs(rng.randint(15, 17)))
    _label(d, vx, Y("data", 0.522) * H + gy, "出生日期", "Date of Birth", lzf, lef, teal)
    _dob_sex(d, vx + jitter(rng), Y("data", 0.59) * H + gy + jitter(rng, 1), p, vf, _font(zh_key, vf.size), ink,
             rng.uniform(14, 22))
    _text(d, vx + jitter(rng), Y("data", 0.665) * H + gy + jitter(rng, 1), p.symbols, vf, ink, latin=True)
    _label(d, vx, Y("data", 0.735) * H + gy, "簽發日期", "Date of Issue", lzf, lef, teal)
    _text(d, vx + jitter(rng), Y("data", 0.80) * H + gy + jitter(rng, 1), p.initial_issue_date, vf, ink, latin=True)
    # Bottom line: issue date left, number right-aligned; keep >= 0.35 em between them.
    bx = X("bottom", 0.395) * W + gx
    right = X("bottom", 0.952) * W + gx
    bf = _fit(lat, t.fs(rng.randint(32, 35)), p.issue_date + "xx" + p.number, right - bx - 2)
    _text(d, bx + jitter(rng, 1), Y("bottom", 0.905) * H + gy + jitter(rng, 1), p.issue_date, bf, ink, latin=True)
    _text(d, right + jitter(rng, 1), Y("bottom", 0.905) * H + gy + jitter(rng, 1), p.number, bf, ink, latin=True,
          align="right")
    return im


def _render_2003(p: HkPerson, rng: random.Random, nrng, t: Plain = PLAIN) -> Image.Image:
    im = Image.fromarray(np.clip(background_2003(rng, nrng), 0, 255).astype(np.uint8), "RGB")
    d = ImageDraw.Draw(im)
    k = int(rng.uniform(10, 35))
    ink = (k, k, k + int(rng.uniform(0, 10)))
    lab = (int(rng.uniform(70, 100)), int(rng.uniform(60, 85)), int(rng.uniform(95, 125)))
    title_c = (int(rng.uniform(60, 90)), int(rng.uniform(40, 60)), int(rng.uniform(80, 110)))
    gx, gy = jitter(rng), jitter(rng)
    zh_key = t.font("zh", rng.choice(("serif", "sans", "wqy")))
    lat = t.font("latin", "ocrb")
    X, Y = t.x, t.y  # noqa: N806 - the template's block coordinates (fractions of the card)
    x = X("title", 0.055) * W + gx

    # Title across the top, left aligned; a thin rule under it.
    tz, te = _titles(p)
    tzf = _font(rng.choice(("serif_bold", "sans_bold")), t.fs(rng.randint(30, 33)))
    tef = _font("sans_bold", t.fs(rng.randint(19, 21)))
    _text(d, x, Y("title", 0.075) * H + gy, tz, tzf, title_c, spacing=rng.uniform(4, 8))
    _text(d, x, Y("title", 0.145) * H + gy, te, tef, title_c, spacing=rng.uniform(0.5, 1.5), latin=True)
    d.line([(x, Y("title", 0.19) * H + gy), (X("title", 0.95) * W, Y("title", 0.19) * H + gy)], fill=(175, 150, 175),
           width=2)

    paste_portrait(im, _box_px("2003", rng), rng, sat=rng.uniform(0.0, 0.2))

    x = X("names", 0.055) * W + gx
    if p.name:
        nf = _font(zh_key, t.fs(rng.randint(34, 38)))
        _text(d, x + jitter(rng), Y("names", 0.27) * H + gy + jitter(rng), p.name, nf, ink, spacing=rng.uniform(2, 8))
    ef = _fit(lat, t.fs(rng.randint(24, 26)), p.name_en, 0.62 * W - x)  # stops short of the portrait
    _text(d, x + jitter(rng), Y("names", 0.355) * H + gy + jitter(rng), p.name_en, ef, ink, latin=True)
    vf = _font(lat, t.fs(rng.randint(25, 27)))
    if p.name_telegraph_code:
        _text(d, x + jitter(rng), Y("names", 0.435) * H + gy + jitter(rng), p.name_telegraph_code, vf, ink, latin=True)
    x = X("data", 0.055) * W + gx
    lzf = _font(t.font("label", rng.choice(("sans", "wqy", "serif"))), t.fs(rng.randint(15, 17)))
    lef = _font(t.font("label_en", "sans"), t.fs(rng.randint(14, 16)))
    _label(d, x, Y("data", 0.525) * H + gy, "出生日期", "Date of Birth", lzf, lef, lab)
    _dob_sex(d, x + jitter(rng), Y("data", 0.59) * H + gy + jitter(rng, 1), p, vf, _font(zh_key, vf.size), ink,
             rng.uniform(22, 34))
    _text(d, x + jitter(rng), Y("data", 0.665) * H + gy + jitter(rng, 1), p.symbols, vf, ink, latin=True)
    _label(d, x, Y("data", 0.745) * H + gy, "簽發日期", "Date of Issue", lzf, lef, lab)
    yc = Y("data", 0.815) * H + gy + jitter(rng, 1)
    _text(d, x + jitter(rng), yc, p.initial_issue_date, vf, ink, latin=True)
    _text(d, X("data", 0.255) * W + gx + jitter(rng), yc, p.issue_date, vf, ink, latin=True)
    nf = _font(lat, t.fs(rng.randint(32, 35)))
    _text(d, X("number", 0.925) * W + gx + jitter(rng), Y("number", 0.905) * H + gy + jitter(rng, 1), p.number, nf, ink,
          latin=True, align="right")
    return im


def render_hk_front(p: HkPerson, rng: random.Random, template: Plain = PLAIN) -> np.ndarray:
    """Canonical 856x540 BGR front of a Hong Kong smart ID card in p.layout (a `template`:
    another printer's or year's card, hk_template)."""
    nrng = np.random.default_rng(rng.getrandbits(63))
    im = (_render_2018 if p.layout == "2018" else _render_2003)(p, rng, nrng, template)
    out = np.asarray(im, np.float32)
    out += nrng.standard_normal(out.shape, dtype=np.float32) * 1.0
    return np.ascontiguousarray(np.clip(out, 0, 255).astype(np.uint8)[..., ::-1])


# Text blocks of each design that a template moves, as fractions of the card: the printed
# extents (x0, x1, y0, y1) and the row the block's rows spread about. The large portrait is the
# card's artwork and stays where hk_portrait_box says.
_BLOCKS = {
    "2018": {
        "title": (((0.24, 0.83, 0.04, 0.167),), 0.072),
        "oval": (((0.725, 0.875, 0.185, 0.262),), 0.2235),
        "name_zh": (((0.10, 0.34, 0.21, 0.28),), 0.245),
        "name_en": (((0.10, 0.85, 0.295, 0.341),), 0.318),
        "portrait": (((0.065, 0.33, 0.37, 0.93),), 0.65),
        # telegraph code, the rows below it, the small ghost portrait
        "data": (((0.39, 0.80, 0.385, 0.435), (0.39, 0.70, 0.50, 0.825), (0.715, 0.835, 0.565, 0.84)), 0.41),
        "bottom": (((0.39, 0.955, 0.875, 0.935),), 0.905),
    },
    "2003": {
        "title": (((0.05, 0.95, 0.04, 0.195),), 0.075),
        "portrait": (((0.635, 0.93, 0.21, 0.82),), 0.5),
        "names": (((0.05, 0.46, 0.235, 0.46),), 0.27),
        "data": (((0.05, 0.45, 0.495, 0.845),), 0.525),
        "number": (((0.60, 0.93, 0.875, 0.935),), 0.905),
    },
}
_TEMPLATE_FONTS = {"zh": ("sans_sc", "serif_sc", "sans_tc", "serif_tc"), "latin": ("dejavu_sans", "dejavu_serif"),
                   "label": ("serif", "sans_sc", "sans_tc"), "label_en": ("dejavu_sans", "dejavu_serif")}


def hk_template(rng: random.Random, layout: str):
    """Another printer's or year's card of `layout` (vary.random_template): blocks moved by up to
    +-5% of the card, rows and fonts scaled by up to +-10%, other faces, framed too large or small."""
    return random_template(rng, _BLOCKS[layout], 1.0, 1.0, fonts=_TEMPLATE_FONTS, fixed=("portrait",))


def hk_portrait_box(layout: str) -> tuple[float, float, float, float]:
    """Large portrait as fractions of the card: (x0, x1, y0, y1).  Rendered within +-2 px of it."""
    return _PORTRAIT_BOX[layout]


# ------------------------------------------------------------------------- camera


def capture_thumb(card: np.ndarray, rng: random.Random) -> tuple[np.ndarray, np.ndarray]:
    """A small scan: card on a light background with a 0-4 % margin, ~280-340 px wide, JPEG 75-90."""
    ch, cw = card.shape[:2]
    m = int(round(rng.uniform(0.0, 0.04) * cw))
    level = rng.uniform(225, 250)
    canvas = np.empty((ch + 2 * m, cw + 2 * m, 3), np.float32)
    canvas[:] = [level + jitter(rng, 4) for _ in range(3)]
    a = _rounded_mask(ch, cw, 32)[..., None]
    roi = canvas[m:m + ch, m:m + cw]
    roi[:] = roi * (1 - a) + card.astype(np.float32) * a
    tw = rng.randint(280, 340)
    s = tw / canvas.shape[1]
    th = max(1, round(canvas.shape[0] * s))
    canvas = cv2.GaussianBlur(canvas, (0, 0), rng.uniform(0.3, 0.8))
    small = cv2.resize(canvas, (tw, th), interpolation=cv2.INTER_AREA)
    nrng = np.random.default_rng(rng.getrandbits(63))
    small += nrng.standard_normal(small.shape, dtype=np.float32) * rng.uniform(0.5, 1.5)
    out = np.clip(small, 0, 255).astype(np.uint8)
    ok, buf = cv2.imencode(".jpg", out, [cv2.IMWRITE_JPEG_QUALITY, rng.randint(75, 90)])
    assert ok
    out = cv2.imdecode(buf, cv2.IMREAD_COLOR)
    sx, sy = tw / canvas.shape[1], th / canvas.shape[0]
    corners = np.array([[m, m], [m + cw, m], [m + cw, m + ch], [m, m + ch]], np.float32) * [sx, sy]
    return out, corners.astype(np.float32)


def make_hk_sample(seed: int, condition: str, layout: str | None = None
                   ) -> tuple[np.ndarray, HkPerson, np.ndarray]:
    """Deterministic HK ID front for a seed: (photo BGR, truth, 4x2 float32 corners TL,TR,BR,BL)."""
    if condition not in HK_CONDITIONS:
        raise ValueError(f"unknown condition {condition!r}; expected one of {HK_CONDITIONS}")
    rng = random.Random(seed * 1_000_003 + 852)
    person = random_hk_person(rng, layout)
    # "layout": a photo of a card from another printer or year (hk_template), drawn from a
    # generator of its own, so the seed's person and camera stay those of the other conditions
    vrng = random.Random(seed * 7919 + 853)
    template = hk_template(vrng, person.layout) if condition == "layout" else PLAIN
    card = render_hk_front(person, rng, template)
    if condition == "thumb":
        photo, corners = capture_thumb(card, rng)
    elif condition == "layout":
        framed, quad = frame_card(card, template.frame, vrng)
        photo, c = capture(framed, "photo", rng, ref_width=card.shape[1])
        corners = map_corners(c, framed.shape, quad)
    else:
        photo, corners = capture(card, condition, rng)
    return photo, person, corners


# ---------------------------------------------------------------------------- CLI


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(prog="python -m tools.cardgen.hk", description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("out_dir", type=pathlib.Path)
    ap.add_argument("--count", type=int, default=20)
    ap.add_argument("--seed", type=int, default=1, help="first sample seed (samples use seed, seed+1, ...)")
    ap.add_argument("--condition", choices=HK_CONDITIONS, action="append",
                    help="restrict to these conditions (repeatable); default: all, cycled")
    ap.add_argument("--layout", choices=LAYOUTS, action="append",
                    help="restrict to these layouts (repeatable); default: random per seed")
    ap.add_argument("--quality", type=int, default=95, help="JPEG quality of the written files")
    args = ap.parse_args(argv)
    write_samples(args.out_dir, args.count, args.seed, args.condition, args.layout, args.quality)


def write_samples(out_dir: pathlib.Path, count: int, seed0: int, conditions=None, layouts=None,
                  quality: int = 95) -> None:
    out_dir.mkdir(parents=True, exist_ok=True)
    conditions = conditions or list(HK_CONDITIONS)
    with open(out_dir / "truth.jsonl", "w", encoding="utf-8") as fh:
        for i in range(count):
            seed = seed0 + i
            condition = conditions[i % len(conditions)]
            layout = layouts[i % len(layouts)] if layouts else None
            photo, person, corners = make_hk_sample(seed, condition, layout)
            name = f"{seed:06d}_hk{person.layout}_{condition}.jpg"
            cv2.imwrite(str(out_dir / name), photo, [cv2.IMWRITE_JPEG_QUALITY, quality])
            fx0, fx1, fy0, fy1 = hk_portrait_box(person.layout)
            rec = {"file": name, "seed": seed, "doc": "hk", "side": "front", "condition": condition,
                   "width": photo.shape[1], "height": photo.shape[0], **person.to_dict(),
                   "corners": np.asarray(corners, np.float64).round(2).tolist(),
                   "portrait_box": [fx0, fx1, fy0, fy1]}
            fh.write(json.dumps(rec, ensure_ascii=False) + "\n")
            print(name)


if __name__ == "__main__":
    main()
