"""The two pages of a synthetic driving licence drawn at 10 px/mm (PAGE_W x PAGE_H): the main
page (正页) in the current or the older layout, the second page (副页), and the templates of
other printers that move their blocks (licence_template).
"""

from __future__ import annotations

import math
import random

import numpy as np
from PIL import Image, ImageDraw

from .licence_data import PAGE_H, PAGE_W, Licence, record_lines
from .licence_seals import round_seal, square_seal, stamp
from .render import _portrait, draw_text, font, text_width, wrap_text
from .vary import PLAIN, Plain, random_template

VALUE_FONTS = ("wqy", "sans", "serif", "serif_bold", "sans_bold")
NUM_FONTS = ("wqy", "sans", "serif", "serif_bold", "sans_bold")
LABEL_FONTS = ("serif", "serif", "sans", "wqy")


def _j(rng: random.Random, a: float = 2.0) -> float:
    return rng.uniform(-a, a)


class _Boxes(dict):
    """field -> [x0, x1, y0, y1] in px, grown by add()."""

    def add(self, key: str, x0: float, x1: float, yc: float, size: float) -> None:
        y0, y1 = yc - 0.5 * size, yc + 0.5 * size
        if key in self:
            b = self[key]
            self[key] = [min(b[0], x0), max(b[1], x1), min(b[2], y0), max(b[3], y1)]
        else:
            self[key] = [x0, x1, y0, y1]


def _put(d, boxes: _Boxes, key: str, x: float, yc: float, text: str, f, fill, spacing: float = 0.0,
         latin: bool = False) -> float:
    x1 = draw_text(d, x, yc, text, f, fill, spacing=spacing, latin=latin)
    body = 0.72 * f.size if latin else 0.92 * f.size
    boxes.add(key, x, x1, yc, body)
    return x1


def _security_bg(rng: random.Random, nrng: np.random.Generator, back: bool) -> np.ndarray:
    """Pale green/pink guilloche security print, float32 RGB."""
    W, H = PAGE_W, PAGE_H
    yy, xx = np.mgrid[0:H, 0:W].astype(np.float32)
    if back:
        base = np.array([238, 240, 234], np.float32)
    else:
        base = np.array(rng.choice([(222, 236, 224), (228, 240, 228), (232, 238, 226), (226, 236, 230)]), np.float32)
    base += np.array([rng.uniform(-5, 5) for _ in range(3)], np.float32)
    img = np.ones((H, W, 3), np.float32) * base
    # Pink wash towards top/bottom edges, green in the middle.
    pink = np.array((242, 214, 222), np.float32)
    a = (np.abs(yy - H / 2) / (H / 2)) ** 3 * rng.uniform(0.1, 0.35 if not back else 0.15)
    img = img * (1 - a[..., None]) + pink * a[..., None]
    fams = rng.randint(2, 3) if not back else rng.randint(1, 2)
    for k in range(fams):
        lam = rng.uniform(4.5, 8.0)
        amp = rng.uniform(6, 25)
        per = rng.uniform(60, 220)
        ph = rng.uniform(0, 2 * math.pi)
        ang = rng.uniform(-0.5, 0.5) + (math.pi / 2 if rng.random() < 0.3 else 0)
        u = xx * math.cos(ang) + yy * math.sin(ang)
        v = -xx * math.sin(ang) + yy * math.cos(ang)
        phase = 2 * math.pi * (v + amp * np.sin(2 * math.pi * u / per + ph)) / lam
        line = np.clip(1 - np.abs(np.sin(phase)) / 0.3, 0, 1)
        col = np.array((225, 150, 175) if k % 2 == 0 else (130, 190, 150), np.float32)
        a = line * (rng.uniform(0.2, 0.34) if not back else rng.uniform(0.08, 0.14))
        img = img * (1 - a[..., None]) + col * a[..., None]
    if not back:  # rosette in the middle of the page
        cx, cy = W * rng.uniform(0.4, 0.6), H * rng.uniform(0.45, 0.6)
        r = np.sqrt((xx - cx) ** 2 + (yy - cy) ** 2)
        th = np.arctan2(yy - cy, xx - cx)
        lobes = rng.choice((12, 16, 18, 24))
        phase = 2 * math.pi * (r / rng.uniform(6, 9) + rng.uniform(1.5, 3.5) * np.sin(lobes * th))
        line = np.clip(1 - np.abs(np.sin(phase)) / 0.3, 0, 1) * np.exp(-((r / (0.33 * H)) ** 2))
        col = np.array(rng.choice([(225, 150, 175), (130, 190, 150)]), np.float32)
        a = line * rng.uniform(0.22, 0.36)
        img = img * (1 - a[..., None]) + col * a[..., None]
    img += nrng.standard_normal(img.shape, dtype=np.float32) * 1.5
    return img


def _label(d, rng, boxes: _Boxes, x: float, yc: float, cn: str, en: str, lf, ef, col, key: str | None = None,
           stacked: bool = True, english: bool = True) -> float:
    """Bilingual label: Chinese with the English below it (stacked) or after it; or Chinese only
    (english=False: a third-party template). Returns right x."""
    if not english:
        return draw_text(d, x, yc, cn, lf, col, spacing=rng.uniform(0, 2))
    if stacked:
        x1 = draw_text(d, x, yc - 0.32 * lf.size, cn, lf, col, spacing=rng.uniform(0, 2))
        x2 = draw_text(d, x, yc + 0.55 * lf.size, en, ef, col, latin=True)
        return max(x1, x2)
    x1 = draw_text(d, x, yc, cn, lf, col, spacing=rng.uniform(0, 2))
    return draw_text(d, x1 + 6, yc + 0.1 * lf.size, en, ef, col, latin=True)


def _ink(rng: random.Random) -> tuple[int, int, int]:
    k = int(rng.uniform(8, 35))
    return (k, k, k + int(rng.uniform(0, 12)))


def _box_fill(rng: random.Random) -> tuple[int, int, int]:
    return rng.choice([(70, 55, 80), (95, 80, 110), (60, 60, 70), (120, 60, 70), (80, 70, 95)])


def _zhenghao_box(d, rng, x0: float, yc: float, size: int, boxed: bool = True, col=(40, 40, 40)) -> float:
    """Small dark box with white 证号 (or, not boxed, a plain 证号 label); returns its right edge."""
    f = font(rng.choice(("sans", "serif_bold", "wqy")), size)
    w = text_width("证号", f) + size * 0.9
    h = size * 1.45
    fill = _box_fill(rng)
    if not boxed:
        return draw_text(d, x0, yc, "证号", f, col, spacing=size * 0.1) + size * 0.3
    d.rectangle([x0, yc - h / 2, x0 + w, yc + h / 2], fill=fill)
    draw_text(d, x0 + size * 0.45, yc, "证号", f, (245, 245, 245), spacing=size * 0.1)
    return x0 + w


def _begin_page(rng: random.Random, t: Plain, back: bool):
    """What both pages start with, in this order of draws from `rng`: the security ground, the
    block offset, label and value colours, the label faces and the value face and size."""
    nrng = np.random.default_rng(rng.getrandbits(63))
    img = _security_bg(rng, nrng, back=back)
    im = Image.fromarray(np.clip(img, 0, 255).astype(np.uint8), "RGB")
    d = ImageDraw.Draw(im)
    eng = t.labels != "cn_only"
    gx, gy = _j(rng, 5), _j(rng, 5)
    lab_c = tuple(int(rng.uniform(25, 60)) for _ in range(3))
    ink = _ink(rng)
    lkey = t.font("label", rng.choice(LABEL_FONTS))
    lf = font(lkey, t.fs(rng.randint(19, 21)))
    ef = font(lkey, t.fs(rng.randint(10, 12)))
    vkey = t.font("value", rng.choice(VALUE_FONTS))
    vsize = t.fs(rng.randint(27, 30))
    return nrng, im, d, _Boxes(), eng, gx, gy, lab_c, ink, lf, ef, vkey, vsize


def _render_front(lic: Licence, rng: random.Random, t: Plain = PLAIN) -> tuple[np.ndarray, dict]:
    nrng, im, d, boxes, eng, gx, gy, lab_c, ink, lf, ef, vkey, vsize = _begin_page(rng, t, back=False)
    X, Y = t.x, t.y  # noqa: N806 - the template's block coordinates (px of the page)
    vf = font(vkey, vsize)
    df = font(t.font("date", vkey), vsize)  # the dates' face (the value face but in a template)
    while df.size > 12 and text_width("0000-00-00", df) > 1.04 * text_width("0000-00-00", vf):
        df = font(t.font("date", vkey), df.size - 1)  # a wider face is set smaller to fit the column
    nkey = t.font("number", rng.choice(NUM_FONTS))
    dspace = rng.uniform(1, 4)

    def after(label_right: float, x: float) -> float:
        """A value starts right of its label, however much a template scaled the label."""
        return x if t is PLAIN else max(x, label_right + 0.3 * lf.size)

    # Title + English subtitle, centred.
    tf = font(rng.choice(("serif_bold", "serif_bold", "sans_bold")), t.fs(rng.randint(35, 39)))
    title = "中华人民共和国机动车驾驶证"
    tsp = rng.uniform(0, 3)
    tw = text_width(title, tf, tsp)
    _put(d, boxes, "title", X("head", PAGE_W / 2) - tw / 2 + gx, Y("head", 50) + gy, title, tf, lab_c, spacing=tsp)
    sf = font(rng.choice(("serif", "sans")), t.fs(rng.randint(15, 17)))
    sub = "Driving License of the People's Republic of China"
    if eng:
        draw_text(d, X("head", PAGE_W / 2) - text_width(sub, sf) / 2 + gx, Y("head", 87) + gy, sub, sf, lab_c,
                  latin=True)

    # 证号 box + number.
    bx1 = _zhenghao_box(d, rng, X("head", 238) + gx, Y("head", 129) + gy, t.fs(rng.randint(20, 22)), eng, lab_c)
    nf = font(nkey, t.fs(rng.randint(29, 32)))
    _put(d, boxes, "number", bx1 + 16 + _j(rng, 3), Y("head", 129) + gy + _j(rng), lic.number, nf, ink,
         spacing=rng.uniform(1, 4), latin=True)

    # Row lines (fine printed rules under the rows).
    rule = tuple(int(c * 0.8) for c in lab_c) if rng.random() < 0.5 else (150, 165, 150)
    for y, x0, x1 in ((208, 36, 844), (258, 36, 844), (304, 36, 612)):
        d.line([(X("rows", x0) + gx, Y("rows", y) + gy), (X("rows", x1) + gx, Y("rows", y) + gy)], fill=rule, width=1)

    # Row 1: name, sex, nationality.
    yc = Y("rows", 183) + gy
    r = _label(d, rng, boxes, X("rows", 40) + gx, yc, "姓名", "Name", lf, ef, lab_c, english=eng)
    nmf = font(t.font("name", rng.choice(("serif_bold", "sans_bold", "wqy", vkey))), t.fs(rng.randint(31, 35)))
    _put(d, boxes, "name", after(r, X("rows", 140) + gx) + _j(rng, 3), yc + _j(rng), lic.name, nmf, ink,
         spacing=rng.uniform(2, 8))
    r = _label(d, rng, boxes, X("rows", 400) + gx, yc, "性别", "Sex", lf, ef, lab_c, english=eng)
    _put(d, boxes, "sex", after(r, X("rows", 488) + gx) + _j(rng, 3), yc + _j(rng), lic.sex, vf, ink)
    r = _label(d, rng, boxes, X("rows", 560) + gx, yc, "国籍", "Nationality", lf, ef, lab_c, english=eng)
    _put(d, boxes, "nationality", after(r, X("rows", 680) + gx) + _j(rng, 3), yc + _j(rng), lic.nationality, vf,
         ink, spacing=rng.uniform(0, 2))

    # Address: line 1 across the page, line 2 left of the photo.
    yc = Y("rows", 236) + gy
    r = _label(d, rng, boxes, X("rows", 40) + gx, yc, "住址", "Address", lf, ef, lab_c, english=eng)
    ax = after(r, X("rows", 128) + gx) + _j(rng, 3)
    first = wrap_text(lic.address, vf, X("rows", 842) - ax)
    line1 = first[0]
    rest = lic.address[len(line1):]
    _put(d, boxes, "address", ax, yc + _j(rng, 1), line1, vf, ink)
    if rest:
        _put(d, boxes, "address", ax, Y("rows", 282) + gy + _j(rng, 1), rest, vf, ink)

    # Photo at the right.
    px0, py0 = int(X("rows", 628) + gx + _j(rng, 3)), int(Y("rows", 264) + gy + _j(rng, 3))
    pw, ph = 214, 266
    por, mask = _portrait(rng, pw, ph)
    im.paste(por, (px0, py0), mask)
    boxes["photo"] = [px0, px0 + pw, py0, py0 + ph]

    # Middle column: birth, first issue, class.
    lx, vx = X("middle", 262) + gx, X("middle", 402) + gx
    r = _label(d, rng, boxes, lx, Y("middle", 357) + gy, "出生日期", "Date of Birth", lf, ef, lab_c, english=eng)
    _put(d, boxes, "birth", after(r, vx) + _j(rng, 3), Y("middle", 357) + gy + _j(rng), lic.birth, df, ink,
         spacing=dspace, latin=True)
    r = _label(d, rng, boxes, lx, Y("middle", 414) + gy, "初次领证日期", "Date of First Issue", lf, ef, lab_c,
               english=eng)
    _put(d, boxes, "issue_date", after(r, vx) + _j(rng, 3), Y("middle", 414) + gy + _j(rng), lic.issue_date, df, ink,
         spacing=dspace, latin=True)
    _label(d, rng, boxes, lx, Y("middle", 471) + gy, "准驾车型", "Class", lf, ef, lab_c, english=eng)
    d.rectangle([X("middle", 396) + gx, Y("middle", 449) + gy, X("middle", 604) + gx, Y("middle", 494) + gy],
                outline=rule, width=1)
    cf = font(t.font("date", rng.choice(("serif_bold", "sans_bold", vkey))), t.fs(rng.randint(31, 35)))
    cw = text_width(lic.class_, cf, 2)
    _put(d, boxes, "class", X("middle", 500) + gx - cw / 2 + _j(rng, 4), Y("middle", 471) + gy + _j(rng), lic.class_,
         cf, ink, spacing=2, latin=True)

    # Bottom row.
    yc = Y("bottom", 556) + gy
    if lic.layout == "old":
        r = _label(d, rng, boxes, X("bottom", 40) + gx, yc, "有效起始日期", "Valid From", lf, ef, lab_c, english=eng)
        _put(d, boxes, "valid_from", after(r, X("bottom", 178) + gx) + _j(rng, 3), yc + _j(rng), lic.valid_from, df,
             ink, spacing=dspace, latin=True)
        r = _label(d, rng, boxes, X("bottom", 420) + gx, yc, "有效期限", "Valid For", lf, ef, lab_c, english=eng)
        for_text = f"{lic.valid_years}年" if lic.valid_years else "长期"
        _put(d, boxes, "valid_for", after(r, X("bottom", 520) + gx) + _j(rng, 3), yc + _j(rng), for_text, vf, ink,
             spacing=1)
    else:
        r = _label(d, rng, boxes, X("bottom", 40) + gx, yc, "有效期限", "Valid Period", lf, ef, lab_c, english=eng)
        x = _put(d, boxes, "valid_from", after(r, X("bottom", 150) + gx) + _j(rng, 3), yc + _j(rng), lic.valid_from,
                 df, ink, spacing=dspace, latin=True)
        x = draw_text(d, x + rng.uniform(8, 14), yc, "至", vf, ink) + rng.uniform(8, 14)
        long_term = lic.valid_to == "长期"
        _put(d, boxes, "valid_to", x, yc + _j(rng), lic.valid_to, vf if long_term else df, ink,
             spacing=1 if long_term else dspace, latin=not long_term)

    out = np.asarray(im, np.float32).copy()
    # Seal, multiply-blended over the text at the lower left.
    if lic.layout == "new":
        diam = rng.randint(186, 204)
        cx, cy = X("seal", rng.uniform(118, 185)) + gx, Y("seal", rng.uniform(400, 445)) + gy
        mask = round_seal(rng, lic.issuing_authority, diam, center_text=rng.random() < 0.5)
        x0, y0 = int(cx - diam / 2), int(cy - diam / 2)
        side = diam
    else:
        side = rng.randint(186, 206)
        x0, y0 = int(X("seal", rng.uniform(26, 70)) + gx), int(Y("seal", rng.uniform(312, 342)) + gy)
        mask = square_seal(rng, lic.issuing_authority, side)
    if rng.random() < 0.6:
        mask = mask.rotate(rng.uniform(-6, 6), resample=Image.BICUBIC)
    stamp(out, mask, x0, y0, rng, nrng)
    boxes["seal"] = [x0, x0 + side, y0, y0 + side]
    out += nrng.standard_normal(out.shape, dtype=np.float32) * 1.0
    return _to_bgr(out), dict(boxes)


def _barcode(d, rng, x0: float, y0: float, w: float, h: float, col) -> None:
    x = x0
    while x < x0 + w:
        bw = rng.choice((1, 1, 2, 3))
        if rng.random() < 0.55:
            d.rectangle([x, y0, x + bw - 1, y0 + h], fill=col)
        x += bw


def _render_back(lic: Licence, rng: random.Random, t: Plain = PLAIN) -> tuple[np.ndarray, dict]:
    nrng, im, d, boxes, eng, gx, gy, lab_c, ink, lf, ef, vkey, vsize = _begin_page(rng, t, back=True)
    X, Y = t.x, t.y  # noqa: N806 - the template's block coordinates (px of the page)

    def after(label_right: float, x: float) -> float:
        """A value starts right of its label, however much a template scaled the label."""
        return x if t is PLAIN else max(x, label_right + 0.3 * lf.size)

    title = "中华人民共和国机动车驾驶证副页" if rng.random() < 0.75 else "机动车驾驶证副页"
    tf = font(rng.choice(("serif_bold", "serif_bold", "sans_bold")),
              t.fs(rng.randint(34, 37) if len(title) > 10 else 40))
    tsp = rng.uniform(0, 3)
    _put(d, boxes, "title", X("head", PAGE_W / 2) - text_width(title, tf, tsp) / 2 + gx, Y("head", 58) + gy, title,
         tf, lab_c, spacing=tsp)

    bx1 = _zhenghao_box(d, rng, X("head", 40) + gx, Y("head", 135) + gy, t.fs(rng.randint(20, 22)), eng, lab_c)
    nf = font(t.font("number", rng.choice(NUM_FONTS)), t.fs(rng.randint(29, 32)))
    _put(d, boxes, "number", bx1 + 16 + _j(rng, 3), Y("head", 135) + gy + _j(rng), lic.number, nf, ink,
         spacing=rng.uniform(1, 4), latin=True)

    rule = tuple(int(c * 0.8) for c in lab_c) if rng.random() < 0.5 else (150, 165, 150)
    for y in (162, 226):
        d.line([(X("rows", 36) + gx, Y("rows", y) + gy), (X("rows", 844) + gx, Y("rows", y) + gy)], fill=rule,
               width=1)

    yc = Y("rows", 198) + gy
    r = _label(d, rng, boxes, X("rows", 40) + gx, yc, "姓名", "Name", lf, ef, lab_c, english=eng)
    nmf = font(t.font("name", rng.choice(("serif_bold", "sans_bold", "wqy", vkey))), t.fs(rng.randint(30, 34)))
    _put(d, boxes, "name", after(r, X("rows", 130) + gx) + _j(rng, 3), yc + _j(rng), lic.name, nmf, ink,
         spacing=rng.uniform(2, 8))
    r = _label(d, rng, boxes, X("rows", 400) + gx, yc, "档案编号", "File No.", lf, ef, lab_c, english=eng)
    _put(d, boxes, "file_number", after(r, X("rows", 502) + gx) + _j(rng, 3), yc + _j(rng), lic.file_number,
         font(t.font("date", vkey), vsize), ink, spacing=rng.uniform(1, 4), latin=True)

    # 记录 box.
    d.rectangle([X("record", 36) + gx, Y("record", 250) + gy, X("record", 844) + gx, Y("record", 572) + gy],
                outline=rule, width=2)
    x = draw_text(d, X("record", 54) + gx, Y("record", 282) + gy, "记录", lf, lab_c, spacing=rng.uniform(4, 10))
    if eng:
        draw_text(d, x + 8, Y("record", 284) + gy, "Record", ef, lab_c, latin=True)
    rf = font(vkey, t.fs(rng.randint(24, 27)))
    rx = X("record", 72) + gx + _j(rng, 3)
    lines: list[str] = []
    for item in record_lines(lic.record):
        lines += wrap_text(item, rf, X("record", 808) - rx)
    assert len(lines) <= 4, lines
    pitch = rf.size * rng.uniform(1.6, 1.8)
    for i, line in enumerate(lines):
        _put(d, boxes, "record", rx, Y("record", 336) + gy + i * pitch * t.pitch, line, rf, ink)
    if rng.random() < 0.35:
        _barcode(d, rng, X("record", 560) + gx, Y("record", 500) + gy, 260, 50, (40, 40, 45))

    out = np.asarray(im, np.float32).copy()
    out += nrng.standard_normal(out.shape, dtype=np.float32) * 1.0
    return _to_bgr(out), dict(boxes)


def _to_bgr(img: np.ndarray) -> np.ndarray:
    return np.ascontiguousarray(np.clip(img, 0, 255).astype(np.uint8)[..., ::-1])


def render_licence_front(lic: Licence, rng: random.Random, template: Plain = PLAIN) -> np.ndarray:
    """Main page (正页), BGR uint8, PAGE_H x PAGE_W (600 x 880, 10 px/mm); a `template`: another
    printer's or a third party's page (licence_template)."""
    return _render_front(lic, rng, template)[0]


def render_licence_back(lic: Licence, rng: random.Random, template: Plain = PLAIN) -> np.ndarray:
    """Second page (副页), BGR uint8, PAGE_H x PAGE_W."""
    return _render_back(lic, rng, template)[0]


# Text blocks of each page that a template moves (px of the page): the printed extents
# (x0, x1, y0, y1) and the row the block's rows spread about. The photo moves with the rows above
# it; the seal's extent is its middle (a stamp may run off the page, and over the text it does).
_FRONT_BLOCKS = {
    "head": (((165, 715, 26, 147),), 50),
    "rows": (((36, 844, 163, 252), (36, 612, 252, 306), (626, 844, 261, 533)), 183),
    "middle": (((258, 608, 335, 496),), 357),
    "seal": (((70, 240, 340, 500),), 422),
    "bottom": (((36, 612, 536, 578),), 556),
}
_BACK_BLOCKS = {
    "head": (((36, 745, 36, 152),), 58),
    "rows": (((36, 844, 161, 227),), 198),
    "record": (((36, 844, 249, 573),), 282),
}
# Chinese text keeps the installed Simplified-Chinese faces (render.py: no other is installed);
# labels may be bold, numbers and dates come in other Latin faces
_TEMPLATE_FONTS = {
    "label": ("sans_bold", "serif_bold"),
    "number": ("ocrb", "dejavu_sans", "dejavu_serif"),  # not DejaVu Sans Mono: its 0 is dotted
    "date": ("ocrb", "dejavu_sans", "dejavu_serif"),
}


def licence_template(rng: random.Random, side: str):
    """Another printer's or a third party's page (vary.random_template): blocks moved by up to
    +-5% of the page, rows and fonts scaled by up to +-10%, other faces, framed too large or small;
    one in three with Chinese-only labels and a plain 证号 label (third-party templates)."""
    blocks = _FRONT_BLOCKS if side == "front" else _BACK_BLOCKS
    return random_template(rng, blocks, PAGE_W, PAGE_H, fonts=_TEMPLATE_FONTS,
                           label_styles=("stacked", "stacked", "cn_only"))
