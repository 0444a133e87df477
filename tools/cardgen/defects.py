"""Capture defects and fraud for the quality signals (cardocr.quality): matched pairs.

For every signal and seed, `defect_pair(signal, seed)` gives two photos of the same Mainland ID
card in the same scene: the negative without the defect and the positive with it. The negative
is the ordinary generator photo (`make_sample(seed, side, condition)`, byte for byte), except
where the defect changes the photo's frame or compression (border: a crop that keeps the card;
blur, glare, blocking: the same re-compression), so that only the defect tells the two apart.

Defects are drawn from their own generator (seeded by the signal's name and the seed), so the
card, the person and the scene are those of the ordinary sample.

    border     the photo cropped so that a side or a corner of the card lies outside the frame
    blur       defocus, motion or smoothing well beyond what the ordinary camera does
    glare      a saturated specular highlight washing out part of the card's print
    blocking   a finger, a sticky note or a coin lying over part of the card
    copy       the card a black-and-white or colour photocopy (toner, halftone, lost colour)
    reproduce  the card shown on a screen and photographed (sub-pixel grid, raised black, glow)
    tampering  the photo edited: digits retyped or copy-moved, a row spliced, the portrait
               swapped (tools/cardgen/tamper.py)
    interim    the same person's temporary card (tools/cardgen/interim.py) in the same scene:
               its data side against the permanent front (the sides a check photographs)
    invalid_date  the back with a period that cannot stand (ended years ago, a span no card
               has, an end on another day than the start) against the same back with one valid
               for years to come; both re-rendered, since the ordinary sample's own period may
               have ended by the day the bench runs (the generator's today is person.TODAY)
"""

from __future__ import annotations

import datetime as dt
import math
import random
from dataclasses import replace

import cv2
import numpy as np

from .camera import capture
from .interim import render_interim_front, temporary_person
from .overlay import paste
from .person import TODAY, Person, _add_years, _random_date, random_person
from .render import H, W, render_back, render_front
from .tamper import tampered

SIGNALS = ("border", "blur", "glare", "blocking", "copy", "reproduce", "tampering", "interim", "invalid_date")
CARD_LEVEL = ("copy", "reproduce")  # applied to the card before the camera; the rest to the photo

# Seeds: detector thresholds are chosen on TUNE_SEED.., and reported on HELDOUT_SEED.., which
# nobody tunes on (bench/run.py --signals).
TUNE_SEED = 700000
HELDOUT_SEED = 800000


def scene(seed: int) -> tuple[str, str]:
    """The side and capture condition of a seed's sample (both sides, all conditions)."""
    return ("front", "back")[seed % 2], ("scan", "photo", "small")[(seed // 2) % 3]


def defect_pair(signal: str, seed: int) -> tuple[np.ndarray, np.ndarray, str, str]:
    """(negative photo, positive photo, side, condition) for one signal and seed."""
    if signal not in SIGNALS:
        raise ValueError(f"unknown signal {signal!r}; expected one of {SIGNALS}")
    side, condition = scene(seed)
    if signal == "reproduce" and condition == "scan":
        condition = "photo"  # a screen is photographed, not scanned
    if signal == "interim":
        side = "front"  # the temporary card's other side carries no fields
    if signal == "invalid_date":
        side = "back"  # the period is printed there
    drng = random.Random(f"{signal}:{seed}")
    rng = random.Random(seed)
    person = random_person(rng)
    if signal == "interim":
        card = render_front(person, rng)
        state = rng.getstate()
        neg, _corners = capture(card, condition, rng)
        temp = render_interim_front(temporary_person(person, drng), drng)
        rng.setstate(state)  # the same camera, light and background
        pos, _ = capture(temp, condition, rng)
        return neg, pos, side, condition
    if signal == "invalid_date":
        valid, invalid = periods(person, drng)
        drawn = rng.getstate()
        card = render_back(valid, rng)
        camera = rng.getstate()
        neg, _ = capture(card, condition, rng)
        rng.setstate(drawn)  # the same card's drawing, then the same camera, light and background
        bad = render_back(invalid, rng)
        rng.setstate(camera)
        pos, _ = capture(bad, condition, rng)
        return neg, pos, side, condition
    card = (render_front if side == "front" else render_back)(person, rng)
    state = rng.getstate()
    neg, corners = capture(card, condition, rng)
    if signal in CARD_LEVEL:
        rng.setstate(state)
        bad = (photocopy if signal == "copy" else on_screen)(card, drng)
        pos, _ = capture(bad, condition, rng)
        return neg, pos, side, condition
    if signal == "border":
        neg, pos = cut_by_frame(neg, corners, drng)
        return neg, pos, side, condition
    if signal == "tampering":
        pos = tampered(neg, corners, side, seed, drng)
    else:
        pos = {"blur": blurred, "glare": glared, "blocking": blocked}[signal](neg, corners, drng)
    q = drng.randint(75, 92)
    return _jpeg(neg, q), _jpeg(pos, q), side, condition


# ------------------------------------------------------------------ helpers


def periods(person: Person, drng: random.Random) -> tuple[Person, Person]:
    """(valid, invalid): the person with a period that starts between 2021 and the generator's
    today and runs 20 years (or 长期), and with one that cannot stand: ended by 2024 (started
    1996-2004, 5, 10 or 20 years), 12, 15 or 25 years long, or ending 1-3 days off its start's."""
    start = _random_date(drng, dt.date(2021, 1, 1), TODAY - dt.timedelta(days=1))
    valid = replace(person, valid_from=start.isoformat(),
                    valid_to="长期" if drng.random() < 0.3 else _add_years(start, 20).isoformat())
    kind = drng.choice(("expired", "span", "day"))
    if kind == "expired":
        old = _random_date(drng, dt.date(1996, 1, 1), dt.date(2004, 12, 31))
        bad = (old, _add_years(old, drng.choice((5, 10, 20))))
    elif kind == "span":
        bad = (start, _add_years(start, drng.choice((12, 15, 25))))
    else:
        bad = (start, _add_years(start, 20) + dt.timedelta(days=drng.choice((-3, -2, -1, 1, 2, 3))))
    return valid, replace(person, valid_from=bad[0].isoformat(), valid_to=bad[1].isoformat())


def _jpeg(img: np.ndarray, q: int) -> np.ndarray:
    ok, buf = cv2.imencode(".jpg", img, [cv2.IMWRITE_JPEG_QUALITY, q])
    assert ok
    return cv2.imdecode(buf, cv2.IMREAD_COLOR)


def _card_width(corners: np.ndarray) -> float:
    c = corners.astype(np.float64)
    return float((np.linalg.norm(c[1] - c[0]) + np.linalg.norm(c[2] - c[3])) / 2)


# ------------------------------------------------------------------ photo-level defects


def cut_by_frame(photo: np.ndarray, corners: np.ndarray, drng: random.Random) -> tuple[np.ndarray, np.ndarray]:
    """(a crop that keeps the whole card with a small margin, a crop that cuts it): one or two
    sides of the card's bounding box lose 4-20% of the card's extent."""
    h, w = photo.shape[:2]
    lo, hi = corners.min(axis=0), corners.max(axis=0)
    ext = hi - lo
    card_w = _card_width(corners)
    keep = [max(0, int(lo[0] - drng.uniform(0.02, 0.08) * card_w)),
            max(0, int(lo[1] - drng.uniform(0.02, 0.08) * card_w)),
            min(w, int(math.ceil(hi[0] + drng.uniform(0.02, 0.08) * card_w))),
            min(h, int(math.ceil(hi[1] + drng.uniform(0.02, 0.08) * card_w)))]
    cut = list(keep)
    sides = drng.sample(range(4), drng.choice((1, 1, 2)))
    for s in sides:
        depth = drng.uniform(0.04, 0.20) * ext[s % 2]
        if s == 0:
            cut[0] = int(lo[0] + depth)
        elif s == 1:
            cut[1] = int(lo[1] + depth)
        elif s == 2:
            cut[2] = int(hi[0] - depth)
        else:
            cut[3] = int(hi[1] - depth)
    return (np.ascontiguousarray(photo[keep[1]:keep[3], keep[0]:keep[2]]),
            np.ascontiguousarray(photo[cut[1]:cut[3], cut[0]:cut[2]]))


def blurred(photo: np.ndarray, corners: np.ndarray, drng: random.Random) -> np.ndarray:
    """Defocus (Gaussian), motion (a line kernel) or smoothing (a bilateral/median filter
    that flattens print), scaled to the card: 4-7 px of Gaussian sigma on the 856 px card."""
    scale = _card_width(corners) / W
    kind = drng.choice(("defocus", "defocus", "motion", "smooth"))
    img = photo.astype(np.float32)
    if kind == "defocus":
        return np.clip(cv2.GaussianBlur(img, (0, 0), drng.uniform(4.0, 7.0) * scale), 0, 255).astype(np.uint8)
    if kind == "motion":
        length = max(3, int(round(drng.uniform(14.0, 24.0) * scale)))
        k = np.zeros((length, length), np.float32)
        c = (length - 1) / 2
        a = drng.uniform(0, math.pi)
        for t in np.linspace(-c, c, length * 3):
            k[int(round(c + t * math.sin(a))), int(round(c + t * math.cos(a)))] = 1
        return np.clip(cv2.filter2D(img, -1, k / k.sum()), 0, 255).astype(np.uint8)
    size = max(3, int(round(drng.uniform(9.0, 15.0) * scale)) | 1)
    out = cv2.medianBlur(photo, min(size, 31))
    return cv2.GaussianBlur(out, (0, 0), drng.uniform(2.0, 3.0) * scale)


def _ellipse(xx: np.ndarray, yy: np.ndarray, cx: float, cy: float, a: float, b: float, ang: float) -> np.ndarray:
    """Normalised radius of an ellipse (1 on its edge) at every card pixel."""
    u = (xx - cx) * math.cos(ang) + (yy - cy) * math.sin(ang)
    v = -(xx - cx) * math.sin(ang) + (yy - cy) * math.cos(ang)
    return np.sqrt((u / a) ** 2 + (v / b) ** 2)


def glared(photo: np.ndarray, corners: np.ndarray, drng: random.Random) -> np.ndarray:
    """A specular highlight over the card's printed area, a saturated core of 4-12% of the card
    with a soft halo: a lamp's round spot, a tube light's streak, or an uneven reflection (two
    or three overlapping spots). The ordinary camera (camera.py) already puts a faint glare on a
    third of its photos, whose washed patch stays under about 3% of the card: the defect is a
    clearly larger one."""
    yy, xx = np.mgrid[0:H, 0:W].astype(np.float32)
    cx, cy = drng.uniform(0.25, 0.75) * W, drng.uniform(0.3, 0.7) * H
    area = drng.uniform(0.04, 0.12) * W * H
    ang = drng.uniform(0, math.pi)
    kind = drng.choice(("spot", "spot", "streak", "uneven"))
    if kind == "streak":  # long and thin: a tube light or a window's edge
        length = drng.uniform(0.45, 0.8) * W
        b = area / math.pi / (length / 2)
        r = _ellipse(xx, yy, cx, cy, length / 2, b, drng.uniform(-0.4, 0.4) + (math.pi / 2) * drng.choice((0, 1)))
    elif kind == "uneven":  # overlapping spots of different sizes
        r = np.full((H, W), np.inf, np.float32)
        for _ in range(drng.randint(2, 3)):
            part = area / 2 * drng.uniform(0.6, 1.2)
            ratio = drng.uniform(0.5, 2.0)
            a = math.sqrt(part / math.pi * ratio)
            ox, oy = drng.uniform(-0.08, 0.08) * W, drng.uniform(-0.1, 0.1) * H
            r = np.minimum(r, _ellipse(xx, yy, cx + ox, cy + oy, a, part / math.pi / a, drng.uniform(0, math.pi)))
    else:
        ratio = drng.uniform(0.5, 2.0)
        a = math.sqrt(area / math.pi * ratio)
        r = _ellipse(xx, yy, cx, cy, a, area / math.pi / a, ang)
    halo = drng.uniform(0.4, 1.0)
    alpha = np.clip(np.where(r <= 1, 1.0, np.exp(-((r - 1) / halo) ** 2 * 3)), 0, 1)
    white = np.full((H, W, 3), 255.0, np.float32)
    return paste(photo, corners, white, alpha)


def _finger(drng: random.Random, mask: np.ndarray, layer: np.ndarray) -> None:
    """A fingertip entering from one of the card's edges: a capsule in skin tones, shaded."""
    edge = drng.randrange(4)
    t = drng.uniform(0.2, 0.8)
    width = drng.uniform(0.11, 0.17) * W
    reach = drng.uniform(0.18, 0.40) * (H if edge in (1, 3) else W)
    start = [(0.0, t * H), (t * W, 0.0), (W * 1.0, t * H), (t * W, H * 1.0)][edge]
    inward = [(1, 0), (0, 1), (-1, 0), (0, -1)][edge]
    tilt = drng.uniform(-0.5, 0.5)
    dx = inward[0] * math.cos(tilt) - inward[1] * math.sin(tilt)
    dy = inward[0] * math.sin(tilt) + inward[1] * math.cos(tilt)
    p0 = (int(start[0] - dx * width), int(start[1] - dy * width))
    p1 = (int(start[0] + dx * reach), int(start[1] + dy * reach))
    cv2.line(mask, p0, p1, 1.0, int(width), cv2.LINE_AA)
    cv2.circle(mask, p1, int(width / 2), 1.0, -1, cv2.LINE_AA)
    skin = np.array(drng.choice([(120, 150, 205), (95, 125, 180), (140, 170, 225), (70, 95, 150)]), np.float32)
    yy, xx = np.mgrid[0:H, 0:W].astype(np.float32)
    across = ((xx - p0[0]) * -dy + (yy - p0[1]) * dx) / (width / 2)
    shade = 1.05 - 0.35 * np.clip(np.abs(across), 0, 1) ** 2
    layer[:] = skin * shade[..., None]


def _note(drng: random.Random, mask: np.ndarray, layer: np.ndarray) -> None:
    """A sticky note or a slip of paper, slightly turned, inside the card."""
    cx, cy = drng.uniform(0.2, 0.8) * W, drng.uniform(0.25, 0.75) * H
    nw, nh = drng.uniform(0.18, 0.35) * W, drng.uniform(0.2, 0.4) * H
    box = cv2.boxPoints(((cx, cy), (nw, nh), drng.uniform(-25, 25))).astype(np.int32)
    cv2.fillPoly(mask, [box], 1.0, cv2.LINE_AA)
    col = np.array(drng.choice([(120, 235, 250), (150, 240, 250), (230, 225, 215), (200, 230, 160), (200, 180, 250)]),
                   np.float32)
    layer[:] = col


def _coin(drng: random.Random, mask: np.ndarray, layer: np.ndarray) -> None:
    """A coin: a metallic disk with a rim and a relief."""
    r = drng.uniform(0.09, 0.14) * W
    cx, cy = drng.uniform(0.15, 0.85) * W, drng.uniform(0.25, 0.75) * H
    cv2.circle(mask, (int(cx), int(cy)), int(r), 1.0, -1, cv2.LINE_AA)
    base = np.array(drng.choice([(160, 160, 165), (70, 140, 180), (110, 115, 120)]), np.float32)
    yy, xx = np.mgrid[0:H, 0:W].astype(np.float32)
    lx, ly = math.cos(drng.uniform(0, 2 * math.pi)), math.sin(drng.uniform(0, 2 * math.pi))
    d = np.sqrt((xx - cx) ** 2 + (yy - cy) ** 2) / r
    shade = 0.85 + 0.3 * ((xx - cx) * lx + (yy - cy) * ly) / r * 0.5
    shade -= 0.25 * ((d > 0.85) & (d < 0.92))
    layer[:] = base * np.clip(shade, 0.4, 1.4)[..., None]


def blocked(photo: np.ndarray, corners: np.ndarray, drng: random.Random) -> np.ndarray:
    """A finger, a note or a coin over part of the card."""
    mask = np.zeros((H, W), np.float32)
    layer = np.zeros((H, W, 3), np.float32)
    drng.choice((_finger, _finger, _note, _coin))(drng, mask, layer)
    mask = cv2.GaussianBlur(mask, (0, 0), 1.5)
    return paste(photo, corners, layer, mask)


# ------------------------------------------------------------------ card-level defects


def photocopy(card: np.ndarray, drng: random.Random) -> np.ndarray:
    """The card as a photocopy: black-and-white (toner: contrast pushed, light print lost,
    often a halftone screen) or colour (colour faded, a halftone screen), on copy paper."""
    img = card.astype(np.float32)
    gray = cv2.cvtColor(card, cv2.COLOR_BGR2GRAY).astype(np.float32)
    paper = drng.uniform(225, 250)
    if drng.random() < 0.55:  # black and white
        lo, hi = drng.uniform(40, 90), drng.uniform(205, 235)
        g = np.clip((gray - lo) / (hi - lo), 0, 1) ** drng.uniform(0.8, 1.4)
        out = np.repeat((g * paper)[..., None], 3, axis=2)
    else:  # colour: saturation reduced, contrast pushed
        keep = drng.uniform(0.15, 0.5)
        g3 = np.repeat(gray[..., None], 3, axis=2)
        out = g3 + (img - g3) * keep
        lo, hi = drng.uniform(25, 60), drng.uniform(215, 240)
        out = np.clip((out - lo) / (hi - lo), 0, 1) * paper
    if drng.random() < 0.7:  # halftone screen: ordered dots at 45 degrees
        period = drng.uniform(3.0, 5.0)
        yy, xx = np.mgrid[0:H, 0:W].astype(np.float32)
        u, v = (xx + yy) / math.sqrt(2), (xx - yy) / math.sqrt(2)
        screen = (np.cos(2 * np.pi * u / period) * np.cos(2 * np.pi * v / period) + 1) / 2  # 0..1
        dark = 1 - out / 255.0
        out = np.where(dark > screen[..., None] * 0.9 + 0.05, out * 0.35, np.maximum(out, paper * 0.97))
        out = cv2.GaussianBlur(out, (0, 0), 0.6)
    nrng = np.random.default_rng(drng.getrandbits(63))
    out += nrng.standard_normal(out.shape[:2], dtype=np.float32)[..., None] * drng.uniform(2, 6)
    tint = np.array([drng.uniform(0.97, 1.0), drng.uniform(0.98, 1.0), 1.0], np.float32)
    return np.clip(out * tint, 0, 255).astype(np.uint8)


def on_screen(card: np.ndarray, drng: random.Random) -> np.ndarray:
    """The card on a phone or monitor: RGB sub-pixel stripes at a 2.5-4.5 px pitch (on the
    card), raised black level, a cool white, glow toward the centre."""
    img = card.astype(np.float32) / 255.0
    black = drng.uniform(0.06, 0.16)
    img = black + (1 - black) * img ** drng.uniform(0.9, 1.1)
    pitch = drng.uniform(2.5, 4.5)
    xx = np.arange(W, dtype=np.float32)
    yy = np.arange(H, dtype=np.float32)
    rows = (0.55 + 0.45 * (np.cos(2 * np.pi * yy / pitch) > -0.6))[:, None]  # dark rows between pixels
    sub = np.stack([(np.mod(xx / pitch - k / 3, 1.0) < 0.36).astype(np.float32) for k in (2, 1, 0)], axis=1)  # B G R
    grid = 0.35 + 0.65 * sub[None, :, :] * rows[..., None]
    grid = cv2.GaussianBlur(grid, (0, 0), 0.5)
    out = img * grid * 1.6
    cool = np.array([drng.uniform(1.0, 1.12), 1.0, drng.uniform(0.85, 0.97)], np.float32)
    yv, xv = np.mgrid[0:H, 0:W].astype(np.float32)
    glow = 1.0 + drng.uniform(0.05, 0.2) * np.exp(-(((xv - W / 2) / W) ** 2 + ((yv - H / 2) / H) ** 2) * 3)
    out = out * cool * glow[..., None]
    return np.clip(out * 255, 0, 255).astype(np.uint8)
