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
"""

from __future__ import annotations

import argparse
import datetime as _dt
import json
import math
import pathlib
import random
from dataclasses import dataclass

import cv2
import numpy as np
from PIL import Image, ImageDraw, ImageFilter

from . import data
from .camera import CONDITIONS, capture, capture_two
from .person import TODAY, _add_years, _age_on, _random_date, id_check_char, random_person
from .render import _portrait, _star, draw_text, font, text_width, wrap_text
from .vary import PLAIN, Plain, frame_card, map_corners, random_template

PAGE_W, PAGE_H = 880, 600  # 88 x 60 mm at 10 px/mm
LAYOUTS = ("new", "old")
LICENCE_CONDITIONS = (*CONDITIONS, "layout")
SIDES = ("front", "back", "both")

# Legal classes (GA/T 准驾车型 codes).
CLASSES = ("A1", "A2", "A3", "B1", "B2", "C1", "C2", "C3", "C4", "C5", "C6", "D", "E", "F", "M", "N", "P")
# Realistic printed combinations with weights (mostly C1 / C2).
_CLASS_WEIGHTS = {
    "C1": 46, "C2": 16, "B2": 6, "A1": 3, "A2": 3, "B1": 2, "A3": 0.6, "C1E": 4, "C1D": 2, "C2E": 1,
    "C2D": 0.6, "A2D": 1, "B1D": 0.7, "B2E": 1, "B2D": 0.7, "A1A2": 0.6, "A2E": 0.5, "A1D": 0.4, "C3": 0.8,
    "C4": 0.6, "C5": 0.4, "C6": 0.3, "D": 1.5, "E": 1.5, "F": 0.4, "M": 0.2, "N": 0.2, "P": 0.1,
}

FRONT_FIELDS = ("number", "name", "sex", "nationality", "address", "birth", "issue_date", "class",
                "valid_from", "valid_to", "issuing_authority")
BACK_FIELDS = ("number", "name", "file_number", "record")

_MUNICIPAL_AUTHORITY = {
    "北京市": "北京市公安局公安交通管理局",
    "天津市": "天津市公安交通管理局",
    "上海市": "上海市公安局交通警察总队",
    "重庆市": "重庆市公安局交通巡逻警察总队",
}


def split_classes(cls: str) -> list[str]:
    """'A2D' -> ['A2', 'D'];  'C1E' -> ['C1', 'E']."""
    out, i = [], 0
    while i < len(cls):
        if i + 1 < len(cls) and cls[i + 1].isdigit():
            out.append(cls[i:i + 2])
            i += 2
        else:
            out.append(cls[i])
            i += 1
    return out


@dataclass
class Licence:
    """Ground truth, exactly as the Huawei driver-license OCR API returns it.

    ``class`` is a Python keyword, so the attribute is ``class_``; to_dict() and
    front_result() use the API name "class".
    """

    number: str  # 证号: the holder's 18-char ID number
    name: str
    sex: str  # 男 / 女
    nationality: str  # 中国 (or 中国香港 / 中国澳门 / 中国台湾, rare)
    address: str  # one line, no breaks (printed wrapped over up to 2 lines)
    birth: str  # YYYY-MM-DD
    issue_date: str  # 初次领证日期, YYYY-MM-DD
    class_: str  # 准驾车型, e.g. C1, C1E, A2D
    valid_from: str  # YYYY-MM-DD
    valid_to: str  # YYYY-MM-DD or 长期 (old layout: computed from valid_from + N years)
    issuing_authority: str  # name on the seal
    file_number: str  # 档案编号, 12 digits
    record: str  # 记录: printed lines concatenated without separator, "" if empty
    layout: str  # "new" | "old"
    valid_years: int  # 6 / 10 / 0 (= 长期); what the old layout prints as 有效期限

    def to_dict(self) -> dict:
        d = {k: getattr(self, k) for k in FRONT_FIELDS if k != "class"}
        d["class"] = self.class_
        d.update(file_number=self.file_number, record=self.record, layout=self.layout,
                 valid_years=self.valid_years)
        return d

    def front_result(self) -> dict:
        d = self.to_dict()
        return {k: d[k] for k in FRONT_FIELDS}

    def back_result(self) -> dict:
        d = self.to_dict()
        return {k: d[k] for k in BACK_FIELDS}


# ------------------------------------------------------------------- ground truth


def _cn_date(d: _dt.date) -> str:
    return f"{d.year}年{d.month:02d}月{d.day:02d}日"


def licence_authority(region: tuple[str, str, str, str]) -> str:
    code, prov, city, county = region
    if prov in _MUNICIPAL_AUTHORITY:
        return _MUNICIPAL_AUTHORITY[prov]
    return f"{prov}{city}公安局交通警察支队"


def _record(rng: random.Random, cls: str, birth: _dt.date, issue: _dt.date, valid_from: _dt.date,
            valid_to: _dt.date | None) -> str:
    items: list[str] = []
    heavy = cls[0] in "AB"
    if valid_from == issue and rng.random() < 0.8:
        items.append(f"实习期至{_cn_date(_add_years(issue, 1) - _dt.timedelta(days=1))}")
    if heavy and rng.random() < 0.45:
        earliest = _add_years(issue, 3)
        if earliest < TODAY:
            d = _random_date(rng, earliest, TODAY)
            items.append(f"增驾{split_classes(cls)[0]}实习期至{_cn_date(_add_years(d, 1) - _dt.timedelta(days=1))}")
    if heavy and rng.random() < 0.5:
        items.append("请于每个记分周期结束后三十日内到公安机关交通管理部门接受审验")
    if _age_on(birth, TODAY) >= 70 and rng.random() < 0.7:
        items.append(f"请于每年{birth.month:02d}月{birth.day:02d}日前提交身体条件证明")
    if valid_to is not None and rng.random() < 0.25:
        items.append(f"请于{_cn_date(valid_to)}前申请换证")
    if rng.random() < 0.15:
        items = []
    rng.shuffle(items)
    return "".join(items[:2])


def random_licence(rng: random.Random, layout: str | None = None) -> Licence:
    # An adult holder who got the licence at 18+ and before TODAY.
    while True:
        p = random_person(rng)
        birth = _dt.date.fromisoformat(p.birth)
        lo = max(_add_years(birth, 18), _dt.date(1996, 1, 1))
        hi = min(TODAY - _dt.timedelta(days=20), _add_years(birth, 60))
        if lo < hi:
            break
    issue = _random_date(rng, lo, hi)
    number = p.number
    nationality = "中国"
    r = rng.random()
    if r < 0.03:  # Hong Kong / Macao / Taiwan residents: residence-permit number 81/82/83 0000
        prefix, nationality = rng.choice((("810000", "中国香港"), ("820000", "中国澳门"), ("830000", "中国台湾")))
        first17 = prefix + number[6:17]
        number = first17 + id_check_char(first17)
    # Validity periods: 6 years, then 10 years, then 长期.
    periods = [(issue, _add_years(issue, 6), 6), (_add_years(issue, 6), _add_years(issue, 16), 10),
               (_add_years(issue, 16), None, 0)]
    periods = [pp for pp in periods if pp[0] <= TODAY]
    current = [pp for pp in periods if pp[1] is None or pp[1] > TODAY]
    if current and rng.random() < 0.85:
        vf, vt, years = current[0]
    else:
        vf, vt, years = rng.choice(periods)
    if layout is None:
        layout = "old" if rng.random() < (0.7 if vf.year < 2013 else 0.35) else "new"
    cls = rng.choices(list(_CLASS_WEIGHTS), weights=list(_CLASS_WEIGHTS.values()))[0]
    region = next((rg for rg in data.REGIONS if rg[0] == p.number[:6]), None) or rng.choice(data.REGIONS)
    if rng.random() < 0.7:
        file_number = region[0][:4] + "".join(rng.choice("0123456789") for _ in range(8))
    else:
        file_number = str(rng.randint(1, 9)) + "".join(rng.choice("0123456789") for _ in range(11))
    return Licence(
        number=number,
        name=p.name,
        sex=p.sex,
        nationality=nationality,
        address=p.address,
        birth=p.birth,
        issue_date=issue.isoformat(),
        class_=cls,
        valid_from=vf.isoformat(),
        valid_to=vt.isoformat() if vt else "长期",
        issuing_authority=licence_authority(region),
        file_number=file_number,
        record=_record(rng, cls, birth, issue, vf, vt),
        layout=layout,
        valid_years=years,
    )


def record_lines(record: str) -> list[str]:
    """Split the record string into its printed items (each starts a new line on the card)."""
    out: list[str] = []
    cur = ""
    for i, ch in enumerate(record):
        starts = record.startswith(("增驾", "请于"), i) or (
            record.startswith("实习期至", i) and not (cur.startswith("增驾") and "实习期至" not in cur))
        if cur and starts:
            out.append(cur)
            cur = ""
        cur += ch
    if cur:
        out.append(cur)
    return out


# -------------------------------------------------------------------- drawing


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


def _char_img(ch: str, f, size: int) -> Image.Image:
    im = Image.new("L", (size * 2, size * 2), 0)
    ImageDraw.Draw(im).text((size, size), ch, font=f, fill=255, anchor="mm")
    return im


def _round_seal(rng: random.Random, name: str, diam: int, center_text: bool) -> Image.Image:
    """Alpha mask (L) of a round seal: rim ring, name on the upper arc, star, optional 驾驶证专用章."""
    s = diam * 2  # supersample
    im = Image.new("L", (s, s), 0)
    d = ImageDraw.Draw(im)
    c = s / 2
    ring = s * rng.uniform(0.022, 0.032)
    d.ellipse([ring / 2, ring / 2, s - ring / 2, s - ring / 2], outline=255, width=int(ring))
    _star(d, c, c, s * rng.uniform(0.14, 0.17), 0, 255)
    fkey = rng.choice(("serif_bold", "sans_bold", "wqy", "serif_bold"))
    n = len(name)
    r_text = s / 2 - ring - s * 0.085
    span = math.radians(min(250.0 if center_text else 290.0, 22.0 * n + 20))
    fsize = int(min(s * 0.13, 0.78 * r_text * span / n))
    f = font(fkey, fsize)
    for i, ch in enumerate(name):
        # Clockwise from the left along the upper arc; angle measured from 12 o'clock.
        a = -span / 2 + (i + 0.5) * span / n
        x, y = c + r_text * math.sin(a), c - r_text * math.cos(a)
        g = _char_img(ch, f, fsize)
        g = g.resize((int(g.width * 0.8), g.height), Image.BICUBIC)  # seal characters are condensed
        g = g.rotate(-math.degrees(a), resample=Image.BICUBIC, expand=True)
        im.paste(255, (int(x - g.width / 2), int(y - g.height / 2)), g)
    if center_text:
        f2 = font(fkey, int(s * 0.085))
        text = "驾驶证专用章"
        tw = text_width(text, f2)
        x = c - tw / 2
        for ch in text:
            d.text((x, c + s * 0.27), ch, font=f2, fill=255, anchor="lm")
            x += f2.getlength(ch)
    return im.resize((diam, diam), Image.LANCZOS)


def _square_seal(rng: random.Random, name: str, side: int) -> Image.Image:
    """Alpha mask (L) of a square seal: double border, the name in rows (like the mock-up)."""
    s = side * 2
    im = Image.new("L", (s, s), 0)
    d = ImageDraw.Draw(im)
    bw = int(s * rng.uniform(0.02, 0.03))
    d.rectangle([bw // 2, bw // 2, s - bw // 2, s - bw // 2], outline=255, width=bw)
    n = len(name)
    rows = 2 if n <= 8 else 3 if n <= 15 else 4
    per = [n // rows + (1 if i < n % rows else 0) for i in range(rows)]
    cols = max(per)
    inner = s - 2 * bw - s * 0.08
    cell_w, cell_h = inner / cols, inner / rows
    fkey = rng.choice(("serif_bold", "serif", "sans_bold", "wqy"))
    fsize = int(min(cell_w * 0.95, cell_h * 0.8))
    f = font(fkey, fsize)
    k = 0
    off = bw + s * 0.04
    for ri, cnt in enumerate(per):
        cw = inner / cnt
        for ci in range(cnt):
            cx = off + (ci + 0.5) * cw
            cy = off + (ri + 0.5) * cell_h
            g = _char_img(name[k], f, fsize)
            g = g.resize((g.width, int(g.height * cell_h / cell_w * 0.85 if cell_h > cell_w else g.height)),
                         Image.BICUBIC)
            im.paste(255, (int(cx - g.width / 2), int(cy - g.height / 2)), g)
            k += 1
    return im.resize((side, side), Image.LANCZOS)


def _stamp(img: np.ndarray, mask: Image.Image, x0: int, y0: int, rng: random.Random,
           nrng: np.random.Generator) -> None:
    """Multiply-blend red ink through mask at (x0, y0) into float RGB img (in place)."""
    m = np.asarray(mask.filter(ImageFilter.GaussianBlur(rng.uniform(0.4, 0.9))), np.float32) / 255.0
    h, w = m.shape
    # Uneven ink: low-frequency density variation + speckle.
    small = nrng.uniform(0.55, 1.0, (max(2, h // 25), max(2, w // 25))).astype(np.float32)
    dens = cv2.resize(small, (w, h), interpolation=cv2.INTER_CUBIC)
    speck = cv2.GaussianBlur((nrng.random((h, w)) > rng.uniform(0.02, 0.07)).astype(np.float32), (0, 0), 0.7)
    a = np.clip(m * dens * speck * rng.uniform(0.75, 0.95), 0, 1)
    ink = np.array((rng.uniform(200, 230), rng.uniform(25, 70), rng.uniform(35, 70)), np.float32) / 255.0
    ys, xs = slice(max(0, y0), min(PAGE_H, y0 + h)), slice(max(0, x0), min(PAGE_W, x0 + w))
    a = a[ys.start - y0: ys.stop - y0, xs.start - x0: xs.stop - x0][..., None]
    img[ys, xs] *= 1 - a + a * ink


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


def _render_front(lic: Licence, rng: random.Random, t: Plain = PLAIN) -> tuple[np.ndarray, dict]:
    nrng = np.random.default_rng(rng.getrandbits(63))
    img = _security_bg(rng, nrng, back=False)
    im = Image.fromarray(np.clip(img, 0, 255).astype(np.uint8), "RGB")
    d = ImageDraw.Draw(im)
    boxes = _Boxes()
    X, Y = t.x, t.y  # noqa: N806 - the template's block coordinates (px of the page)
    eng = t.labels != "cn_only"
    gx, gy = _j(rng, 5), _j(rng, 5)
    lab_c = tuple(int(rng.uniform(25, 60)) for _ in range(3))
    ink = _ink(rng)
    lkey = t.font("label", rng.choice(LABEL_FONTS))
    lf = font(lkey, t.fs(rng.randint(19, 21)))
    ef = font(lkey, t.fs(rng.randint(10, 12)))
    vkey = t.font("value", rng.choice(VALUE_FONTS))
    vsize = t.fs(rng.randint(27, 30))
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
        mask = _round_seal(rng, lic.issuing_authority, diam, center_text=rng.random() < 0.5)
        x0, y0 = int(cx - diam / 2), int(cy - diam / 2)
        side = diam
    else:
        side = rng.randint(186, 206)
        x0, y0 = int(X("seal", rng.uniform(26, 70)) + gx), int(Y("seal", rng.uniform(312, 342)) + gy)
        mask = _square_seal(rng, lic.issuing_authority, side)
    if rng.random() < 0.6:
        mask = mask.rotate(rng.uniform(-6, 6), resample=Image.BICUBIC)
    _stamp(out, mask, x0, y0, rng, nrng)
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
    nrng = np.random.default_rng(rng.getrandbits(63))
    img = _security_bg(rng, nrng, back=True)
    im = Image.fromarray(np.clip(img, 0, 255).astype(np.uint8), "RGB")
    d = ImageDraw.Draw(im)
    boxes = _Boxes()
    X, Y = t.x, t.y  # noqa: N806 - the template's block coordinates (px of the page)
    eng = t.labels != "cn_only"
    gx, gy = _j(rng, 5), _j(rng, 5)
    lab_c = tuple(int(rng.uniform(25, 60)) for _ in range(3))
    ink = _ink(rng)
    lkey = t.font("label", rng.choice(LABEL_FONTS))
    lf = font(lkey, t.fs(rng.randint(19, 21)))
    ef = font(lkey, t.fs(rng.randint(10, 12)))
    vkey = t.font("value", rng.choice(VALUE_FONTS))
    vsize = t.fs(rng.randint(27, 30))

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


# ------------------------------------------------------------------ plastic sleeve


def put_in_sleeve(pages: list[np.ndarray], rng: random.Random) -> tuple[np.ndarray, list[np.ndarray]]:
    """Put 1 or 2 pages (side by side, like an opened licence holder) in a dark plastic holder.

    Returns (BGR image, per page the 4x2 float32 page corners TL,TR,BR,BL in that image).
    The plastic dulls the page a little and adds soft glossy bands and streaks.
    """
    nrng = np.random.default_rng(rng.getrandbits(63))
    ph, pw = pages[0].shape[:2]
    ml, mr = rng.randint(22, 46), rng.randint(22, 46)
    mt, mb = rng.randint(22, 50), rng.randint(24, 64)
    gap = rng.randint(50, 90)
    W = ml + mr + pw * len(pages) + gap * (len(pages) - 1)
    H = mt + mb + ph
    dark = np.array([rng.uniform(14, 40)] * 3, np.float32) + np.array(
        [rng.uniform(0, 10), rng.uniform(0, 6), rng.uniform(-2, 2)], np.float32)  # BGR: black / dark brown
    img = np.ones((H, W, 3), np.float32) * dark
    img *= (1 + 0.15 * cv2.resize(nrng.uniform(-1, 1, (H // 40 + 2, W // 40 + 2)).astype(np.float32), (W, H),
                                  interpolation=cv2.INTER_CUBIC))[..., None]
    img += nrng.standard_normal((H, W, 1), dtype=np.float32) * 3
    quads = []
    radius = rng.randint(6, 18)
    for i, page in enumerate(pages):
        x0 = ml + i * (pw + gap) + rng.randint(-3, 3) * (i > 0)
        y0 = mt
        # Window of the clear pocket: slightly lighter rim around the page.
        cv2.rectangle(img, (x0 - 6, y0 - 6), (x0 + pw + 5, y0 + ph + 5), tuple(float(c + 18) for c in dark), 2,
                      cv2.LINE_AA)
        m = np.zeros((ph, pw), np.uint8)
        cv2.rectangle(m, (radius, 0), (pw - 1 - radius, ph - 1), 255, -1)
        cv2.rectangle(m, (0, radius), (pw - 1, ph - 1 - radius), 255, -1)
        for cx, cy in ((radius, radius), (pw - 1 - radius, radius), (pw - 1 - radius, ph - 1 - radius),
                       (radius, ph - 1 - radius)):
            cv2.circle(m, (cx, cy), radius, 255, -1, cv2.LINE_AA)
        a = (m.astype(np.float32) / 255.0)[..., None]
        haze = page.astype(np.float32) * rng.uniform(0.88, 0.97) + rng.uniform(4, 14)
        roi = img[y0:y0 + ph, x0:x0 + pw]
        img[y0:y0 + ph, x0:x0 + pw] = roi * (1 - a) + haze * a
        quads.append(np.array([[x0, y0], [x0 + pw, y0], [x0 + pw, y0 + ph], [x0, y0 + ph]], np.float32))
    # Glossy reflections: soft wide bands + thin streaks at a common angle.
    yy, xx = np.mgrid[0:H, 0:W].astype(np.float32)
    ang = rng.uniform(0, math.pi)
    ca, sa = math.cos(ang), math.sin(ang)
    proj = xx * ca + yy * sa
    lo, hi = float(proj.min()), float(proj.max())
    refl = np.zeros((H, W), np.float32)
    for _ in range(rng.randint(1, 3)):
        c = rng.uniform(lo + 0.15 * (hi - lo), hi - 0.15 * (hi - lo))
        w = rng.uniform(18, 90)
        refl += rng.uniform(0.3, 0.65) * np.exp(-((proj - c) / w) ** 2)
    for _ in range(rng.randint(0, 4)):
        c = rng.uniform(lo, hi)
        w = rng.uniform(1.5, 5)
        along = xx * -sa + yy * ca
        fade = 0.5 + 0.5 * np.sin(along / rng.uniform(40, 200) + rng.uniform(0, 6.3))
        refl += rng.uniform(0.15, 0.45) * np.exp(-((proj - c) / w) ** 2) * fade
    # Reflections fade out along the band so they are partial, not full stripes.
    along = xx * -sa + yy * ca
    amin, amax = float(along.min()), float(along.max())
    t = (along - amin) / max(amax - amin, 1.0)
    refl *= np.clip(0.5 + 0.8 * np.sin(math.pi * (t * rng.uniform(0.8, 1.4) + rng.uniform(-0.2, 0.2))), 0, 1)
    refl = np.clip(refl, 0, 0.75)
    img += (255 - img) * refl[..., None]
    out = np.clip(img, 0, 255).astype(np.uint8)
    return out, quads


def _page_corners(photo_corners: np.ndarray, img_shape: tuple, quad: np.ndarray) -> np.ndarray:
    """Map a quad given in the captured image's pixel frame into the photo."""
    h, w = img_shape[:2]
    src = np.array([[0, 0], [w, 0], [w, h], [0, h]], np.float32)
    hm = cv2.getPerspectiveTransform(src, np.asarray(photo_corners, np.float32))
    return cv2.perspectiveTransform(quad.reshape(-1, 1, 2).astype(np.float64), hm).reshape(4, 2).astype(np.float32)


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
        pc = [_page_corners(corners, holder.shape, q) for q in quads]
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
        pc = [_page_corners(corners, holder.shape, q) for q in quads]
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
