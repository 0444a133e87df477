"""Virtual camera / scanner: put canonical card images into synthetic photos."""

from __future__ import annotations

import math
import random

import cv2
import numpy as np

CONDITIONS = ("scan", "photo", "small")

CORNER_RADIUS = 32  # ID-1 corner radius 3.18 mm at 10 px/mm


def _nrng(rng: random.Random) -> np.random.Generator:
    return np.random.default_rng(rng.getrandbits(63))


# ------------------------------------------------------------------ backgrounds


def _smooth_noise(nrng: np.random.Generator, h: int, w: int, cell: float) -> np.ndarray:
    """Value noise in [-1, 1] with feature size ~cell pixels."""
    sh = max(2, int(h / cell) + 2)
    sw = max(2, int(w / cell) + 2)
    small = nrng.uniform(-1, 1, (sh, sw)).astype(np.float32)
    return cv2.resize(small, (w, h), interpolation=cv2.INTER_CUBIC)


def _rotate_fill(img: np.ndarray, angle: float) -> np.ndarray:
    h, w = img.shape[:2]
    m = cv2.getRotationMatrix2D((w / 2, h / 2), angle, 1.0)
    return cv2.warpAffine(img, m, (w, h), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REFLECT)


def _bg_wood(rng, nrng, h, w):
    base = np.array(rng.choice([(60, 100, 150), (40, 75, 120), (90, 140, 190), (30, 50, 80), (70, 120, 170)]),
                    np.float32)  # BGR browns
    base *= rng.uniform(0.8, 1.15)
    yy = np.arange(h, dtype=np.float32)[:, None]
    period = rng.uniform(15, 60)
    small = nrng.uniform(-1, 1, (max(2, h // 60), max(2, w // 500))).astype(np.float32)
    warp = cv2.resize(small, (w, h), interpolation=cv2.INTER_CUBIC) * rng.uniform(0.6, 2.0)
    warp += _smooth_noise(nrng, h, w, 120) * 0.15
    rings = 0.5 + 0.5 * np.sin(2 * np.pi * (yy / period + warp))
    sm = max(8, w // 60)
    streak_small = (nrng.standard_normal((h, sm), dtype=np.float32) * 1)
    streak = cv2.resize(streak_small, (w, h), interpolation=cv2.INTER_LINEAR)
    streak = cv2.GaussianBlur(streak, (0, 0), 1.0)
    shade = 0.82 + 0.14 * rings + 0.05 * streak
    img = base[None, None, :] * shade[..., None]
    # Plank seams.
    plank = int(rng.uniform(250, 700))
    off = rng.randint(0, plank)
    for y in range(off, h, plank):
        img[max(0, y - 2): y + 2] *= 0.55
    if rng.random() < 0.5:
        img = _rotate_fill(img, rng.uniform(0, 180))
    return img


def _bg_fabric(rng, nrng, h, w):
    base = np.array([rng.uniform(30, 200) for _ in range(3)], np.float32)
    p = rng.uniform(3, 8)
    xx = np.arange(w, dtype=np.float32)[None, :]
    yy = np.arange(h, dtype=np.float32)[:, None]
    weave = np.sign(np.sin(2 * np.pi * xx / p)) * np.sign(np.sin(2 * np.pi * yy / p))
    weave = cv2.GaussianBlur(weave.astype(np.float32), (0, 0), 0.8)
    folds = _smooth_noise(nrng, h, w, rng.uniform(200, 600))
    fine = (nrng.standard_normal((h, w), dtype=np.float32) * 1)
    shade = 1 + 0.09 * weave + 0.10 * folds + 0.04 * fine
    img = base[None, None, :] * shade[..., None]
    if rng.random() < 0.4:  # stripes / check pattern
        per = rng.uniform(40, 160)
        col = np.array([rng.uniform(20, 230) for _ in range(3)], np.float32)
        m = np.broadcast_to(((xx % per) < per * rng.uniform(0.1, 0.4)).astype(np.float32), (h, w))
        if rng.random() < 0.5:
            m = np.maximum(m, ((yy % per) < per * 0.2).astype(np.float32))
        m = np.ascontiguousarray(m)
        m = cv2.GaussianBlur(m, (0, 0), 1.0)[..., None] * 0.6
        img = img * (1 - m) + col * shade[..., None] * m
        img = _rotate_fill(img, rng.uniform(0, 180))
    return img


def _rand_color(rng, lo=20, hi=235):
    return tuple(int(rng.uniform(lo, hi)) for _ in range(3))


def _bg_shapes(rng, nrng, h, w):
    img = np.empty((h, w, 3), np.uint8)
    img[:] = _rand_color(rng, 40, 200)
    s = max(h, w)
    for _ in range(rng.randint(15, 45)):
        c = _rand_color(rng)
        kind = rng.random()
        if kind < 0.4:
            cx, cy = rng.uniform(0, w), rng.uniform(0, h)
            bw, bh = rng.uniform(0.03, 0.3) * s, rng.uniform(0.03, 0.3) * s
            box = cv2.boxPoints(((cx, cy), (bw, bh), rng.uniform(0, 180))).astype(np.int32)
            cv2.fillPoly(img, [box], c, cv2.LINE_AA)
        elif kind < 0.7:
            cv2.circle(img, (rng.randint(0, w), rng.randint(0, h)), int(rng.uniform(0.01, 0.15) * s), c, -1,
                       cv2.LINE_AA)
        else:
            cv2.line(img, (rng.randint(0, w), rng.randint(0, h)), (rng.randint(0, w), rng.randint(0, h)), c,
                     rng.randint(2, 25), cv2.LINE_AA)
    out = img.astype(np.float32)
    out *= (1 + 0.1 * _smooth_noise(nrng, h, w, 300))[..., None]
    return cv2.GaussianBlur(out, (0, 0), rng.uniform(0.5, 2.0))


def _paper(img, rng, cx, cy, pw, ph, ang):
    box = cv2.boxPoints(((cx, cy), (pw, ph), ang)).astype(np.int32)
    cv2.fillPoly(img, [box], tuple(int(rng.uniform(215, 245)) for _ in range(3)), cv2.LINE_AA)
    # Text-like lines on the paper.
    a = math.radians(ang)
    ux, uy = math.cos(a), math.sin(a)
    vx, vy = -uy, ux
    pitch = max(20.0, 0.045 * min(pw, ph) * rng.uniform(0.6, 1.2))
    thick = max(3, int(pitch * 0.22))
    n = int(ph / pitch)
    ink = (int(rng.uniform(40, 120)),) * 3
    for i in range(1, n - 1):
        off = -ph / 2 + i * pitch
        length = pw * rng.uniform(0.4, 0.85)
        x0 = cx - ux * pw * 0.42 + vx * off
        y0 = cy - uy * pw * 0.42 + vy * off
        # Dashed to look like words.
        t = 0.0
        while t < length:
            seg = rng.uniform(0.6, 2.5) * pitch
            p0 = (int(x0 + ux * t), int(y0 + uy * t))
            p1 = (int(x0 + ux * min(t + seg, length)), int(y0 + uy * min(t + seg, length)))
            cv2.line(img, p0, p1, ink, thick, cv2.LINE_AA)
            t += seg + rng.uniform(0.25, 0.5) * pitch


def _bg_desk(rng, nrng, h, w):
    img = np.empty((h, w, 3), np.uint8)
    img[:] = rng.choice([(60, 60, 60), (90, 95, 100), (35, 40, 45), (110, 130, 150), (140, 140, 135), (70, 90, 120)])
    img = np.clip(img.astype(np.float32) + nrng.standard_normal(img.shape, dtype=np.float32) * 3,
                  0, 255).astype(np.uint8)
    s = max(h, w)
    for _ in range(rng.randint(3, 9)):
        kind = rng.random()
        cx, cy = rng.uniform(0, w), rng.uniform(0, h)
        ang = rng.uniform(0, 180)
        if kind < 0.3:  # paper sheet
            _paper(img, rng, cx, cy, rng.uniform(0.2, 0.45) * s, rng.uniform(0.25, 0.6) * s, ang)
        elif kind < 0.45:  # phone / dark device
            box = cv2.boxPoints(((cx, cy), (0.08 * s, 0.16 * s), ang)).astype(np.int32)
            cv2.fillPoly(img, [box], (20, 20, 22), cv2.LINE_AA)
            cv2.polylines(img, [box], True, (90, 90, 95), 3, cv2.LINE_AA)
        elif kind < 0.6:  # keyboard-like grid
            kw, kh = 0.4 * s, 0.14 * s
            box = cv2.boxPoints(((cx, cy), (kw, kh), ang)).astype(np.int32)
            cv2.fillPoly(img, [box], (45, 45, 48), cv2.LINE_AA)
            a = math.radians(ang)
            for i in range(12):
                for j in range(4):
                    u = -kw / 2 + (i + 0.5) * kw / 12
                    v = -kh / 2 + (j + 0.5) * kh / 4
                    kx = cx + u * math.cos(a) - v * math.sin(a)
                    ky = cy + u * math.sin(a) + v * math.cos(a)
                    kb = cv2.boxPoints(((kx, ky), (kw / 14, kh / 5), ang)).astype(np.int32)
                    cv2.fillPoly(img, [kb], (80, 80, 85), cv2.LINE_AA)
        elif kind < 0.8:  # pen / cable
            cv2.line(img, (int(cx), int(cy)),
                     (int(cx + 0.2 * s * math.cos(math.radians(ang))), int(cy + 0.2 * s * math.sin(math.radians(ang)))),
                     _rand_color(rng), rng.randint(6, 16), cv2.LINE_AA)
        else:  # cup ring / coaster
            r = int(rng.uniform(0.04, 0.08) * s)
            cv2.circle(img, (int(cx), int(cy)), r, _rand_color(rng), -1, cv2.LINE_AA)
            cv2.circle(img, (int(cx), int(cy)), int(r * 0.8), _rand_color(rng, 10, 120), -1, cv2.LINE_AA)
    out = img.astype(np.float32)
    return cv2.GaussianBlur(out, (0, 0), rng.uniform(0.8, 2.5))


_PHOTO_BACKGROUNDS = (_bg_wood, _bg_fabric, _bg_shapes, _bg_desk)


def _photo_background(rng, nrng, h, w) -> np.ndarray:
    img = rng.choice(_PHOTO_BACKGROUNDS)(rng, nrng, h, w)
    m = float(img.mean())
    if m > 185:  # avoid near-white backgrounds
        img *= 150 / m
    return img


def _scan_background(rng, nrng, h, w) -> np.ndarray:
    level = rng.uniform(228, 250)
    tint = np.array([level + rng.uniform(-4, 4) for _ in range(3)], np.float32)
    img = np.empty((h, w, 3), np.float32)
    img[:] = tint
    img *= (1 + 0.015 * _smooth_noise(nrng, h, w, 400))[..., None]
    return img


# -------------------------------------------------------------------- geometry


def _rounded_mask(h: int, w: int, r: int) -> np.ndarray:
    m = np.zeros((h * 2, w * 2), np.uint8)
    r2 = 2 * r
    cv2.rectangle(m, (r2, 0), (2 * w - 1 - r2, 2 * h - 1), 255, -1)
    cv2.rectangle(m, (0, r2), (2 * w - 1, 2 * h - 1 - r2), 255, -1)
    for cx, cy in ((r2, r2), (2 * w - 1 - r2, r2), (2 * w - 1 - r2, 2 * h - 1 - r2), (r2, 2 * h - 1 - r2)):
        cv2.circle(m, (cx, cy), r2, 255, -1, cv2.LINE_AA)
    return cv2.resize(m, (w, h), interpolation=cv2.INTER_AREA).astype(np.float32) / 255.0


def _rect(w: float, h: float, x: float = 0.0, y: float = 0.0) -> np.ndarray:
    return np.array([[x, y], [x + w, y], [x + w, y + h], [x, y + h]], np.float32)


def _apply_h(hm: np.ndarray, pts: np.ndarray) -> np.ndarray:
    return cv2.perspectiveTransform(pts.reshape(-1, 1, 2).astype(np.float64), hm).reshape(-1, 2).astype(np.float32)


def _layout(cards: list[np.ndarray], rng: random.Random, condition: str) -> tuple[list[np.ndarray], float, float]:
    """Place the cards on a flat plane (non-overlapping). Returns per-card rects, plane w, h."""
    if len(cards) == 1:
        h, w = cards[0].shape[:2]
        return [_rect(w, h)], float(w), float(h)
    (h0, w0), (h1, w1) = cards[0].shape[:2], cards[1].shape[:2]
    stacked = rng.random() < (0.6 if condition == "scan" else 0.5)
    gap = rng.uniform(0.06, 0.35) * min(h0, h1)
    shift = 0.0 if condition == "scan" else rng.uniform(-0.08, 0.08) * min(w0, w1)
    if stacked:
        r0 = _rect(w0, h0, max(0.0, -shift), 0)
        r1 = _rect(w1, h1, max(0.0, shift), h0 + gap)
    else:
        r0 = _rect(w0, h0, 0, max(0.0, -shift))
        r1 = _rect(w1, h1, w0 + gap, max(0.0, shift))
    if (h0, w0) == (h1, w1) and rng.random() < 0.25:  # back side placed first
        r0, r1 = r1, r0
    allp = np.concatenate([r0, r1])
    return [r0, r1], float(allp[:, 0].max()), float(allp[:, 1].max())


def _similarity_quad(pw: float, ph: float, scale: float, angle_deg: float) -> np.ndarray:
    """Plane rect corners scaled/rotated about the origin-centred plane centre."""
    pts = _rect(pw, ph) - np.array([pw / 2, ph / 2], np.float32)
    a = math.radians(angle_deg)
    rot = np.array([[math.cos(a), -math.sin(a)], [math.sin(a), math.cos(a)]], np.float32)
    return (pts * scale) @ rot.T


def _place(rng: random.Random, condition: str, pw: float, ph: float, card_w: float):
    """Choose photo size and the plane->photo quad. Returns (quad 4x2, photo_w, photo_h)."""
    if condition == "scan":
        target_w = rng.uniform(1000, 1300)
        margins = [rng.uniform(15, 70) for _ in range(4)]  # l, t, r, b
        angle = rng.uniform(-2, 2)
        # The scan width is given by the whole plane (+margins).
        unit = _similarity_quad(pw, ph, 1.0, angle)
        unit_w = float(unit[:, 0].max() - unit[:, 0].min())
        scale = (target_w - margins[0] - margins[2]) / (unit_w * 1.01)
        q = _similarity_quad(pw, ph, scale, angle)
        q += nrng_jitter(rng, q, 0.002 * scale * max(pw, ph))
        q -= q.min(axis=0)
        q += np.array([margins[0], margins[1]], np.float32)
        photo_w = int(math.ceil(q[:, 0].max() + margins[2]))
        photo_h = int(math.ceil(q[:, 1].max() + margins[3]))
        return q.astype(np.float32), photo_w, photo_h

    if condition == "photo":
        long_side = rng.uniform(1200, 2000)
        frac = rng.uniform(0.3, 0.7)
        angle = rng.uniform(0, 360)
    elif condition == "small":
        long_side = rng.uniform(2500, 3500)
        frac = rng.uniform(0.15, 0.25)
        angle = rng.choice((0, 90, 180, 270)) + rng.uniform(-6, 6) if rng.random() < 0.5 else rng.uniform(0, 360)
    else:
        raise ValueError(f"unknown condition {condition!r}; expected one of {CONDITIONS}")
    aspect = rng.choice((4 / 3, 4 / 3, 3 / 4, 16 / 9, 9 / 16, 1.0))  # w / h
    if aspect >= 1:
        photo_w, photo_h = int(long_side), int(long_side / aspect)
    else:
        photo_w, photo_h = int(long_side * aspect), int(long_side)
    margin = 0.03 * min(photo_w, photo_h)
    scale = frac * photo_w / card_w
    jit = rng.uniform(0.0, 0.08)
    base_jit = [(rng.uniform(-1, 1), rng.uniform(-1, 1)) for _ in range(4)]
    for _ in range(40):
        q = _similarity_quad(pw, ph, scale, angle)
        size = scale * max(pw, ph)
        q = q + np.array(base_jit, np.float32) * jit * size
        lo, hi = q.min(axis=0), q.max(axis=0)
        room_x = (photo_w - 2 * margin) - (hi[0] - lo[0])
        room_y = (photo_h - 2 * margin) - (hi[1] - lo[1])
        if room_x >= 0 and room_y >= 0:
            break
        scale *= 0.92
    off = np.array([margin + rng.uniform(0, max(room_x, 0)) - lo[0],
                    margin + rng.uniform(0, max(room_y, 0)) - lo[1]], np.float32)
    return (q + off).astype(np.float32), photo_w, photo_h


def nrng_jitter(rng: random.Random, q: np.ndarray, amount: float) -> np.ndarray:
    return np.array([[rng.uniform(-amount, amount), rng.uniform(-amount, amount)] for _ in range(len(q))], np.float32)


# -------------------------------------------------------------------- shooting


def _motion_kernel(length: int, angle: float) -> np.ndarray:
    k = np.zeros((length, length), np.float32)
    c = (length - 1) / 2
    dx, dy = math.cos(angle), math.sin(angle)
    for t in np.linspace(-c, c, length * 3):
        x, y = int(round(c + t * dx)), int(round(c + t * dy))
        k[y, x] = 1
    return k / k.sum()


def _shoot(cards: list[np.ndarray], condition: str, rng: random.Random,
           ref_width: float | None = None, plane: list[np.ndarray] | None = None
           ) -> tuple[np.ndarray, list[np.ndarray]]:
    """`plane`: each card's corners on the table (4x2, TL TR BR BL, any rotation and size, may
    overlap; a later card lies on an earlier one); default: _layout's side-by-side rectangles."""
    if condition not in CONDITIONS:
        raise ValueError(f"unknown condition {condition!r}; expected one of {CONDITIONS}")
    nrng = _nrng(rng)
    if plane is None:
        rects, pw, ph = _layout(cards, rng, condition)
    else:
        rects = [q - np.concatenate(plane).min(axis=0) for q in plane]
        pw, ph = (float(v) for v in np.concatenate(rects).max(axis=0))
    quad, photo_w, photo_h = _place(rng, condition, pw, ph, float(ref_width or cards[0].shape[1]))
    hm = cv2.getPerspectiveTransform(_rect(pw, ph), quad)
    is_scan = condition == "scan"

    img = (_scan_background if is_scan else _photo_background)(rng, nrng, photo_h, photo_w)

    card_hs, corners_out = [], []
    for card, r in zip(cards, rects):
        ch, cw = card.shape[:2]
        if plane is None:
            t = np.array([[1, 0, r[0, 0]], [0, 1, r[0, 1]], [0, 0, 1]], np.float64)
        else:
            t = cv2.getPerspectiveTransform(_rect(cw, ch), r.astype(np.float32))
        hc = hm @ t
        card_hs.append(hc)
        corners_out.append(_apply_h(hc, _rect(cw, ch)))

    # Work only inside the region around the cards for warps / shadow / glare.
    allc = np.concatenate(corners_out)
    card_px = float(np.linalg.norm(corners_out[0][1] - corners_out[0][0]))
    pad = int(0.08 * card_px) + 8
    x0 = max(0, int(allc[:, 0].min()) - pad)
    y0 = max(0, int(allc[:, 1].min()) - pad)
    x1 = min(photo_w, int(math.ceil(allc[:, 0].max())) + pad)
    y1 = min(photo_h, int(math.ceil(allc[:, 1].max())) + pad)
    rw, rh = x1 - x0, y1 - y0
    to_roi = np.array([[1, 0, -x0], [0, 1, -y0], [0, 0, 1]], np.float64)
    roi = img[y0:y1, x0:x1]

    # Soft drop shadow under the cards.
    shadow = np.zeros((rh, rw), np.float32)
    masks = []
    for card, hc in zip(cards, card_hs):
        ch, cw = card.shape[:2]
        mask = _rounded_mask(ch, cw, CORNER_RADIUS)
        wm = cv2.warpPerspective(mask, to_roi @ hc, (rw, rh), flags=cv2.INTER_LINEAR)
        masks.append(wm)
        shadow = np.maximum(shadow, wm)
    sh_sigma = card_px * (0.004 if is_scan else rng.uniform(0.006, 0.02))
    sh_off = card_px * (0.0 if is_scan else rng.uniform(0.0, 0.015))
    sh_ang = rng.uniform(0, 2 * math.pi)
    m_shift = np.array([[1, 0, sh_off * math.cos(sh_ang)], [0, 1, sh_off * math.sin(sh_ang)]], np.float32)
    shadow = cv2.warpAffine(shadow, m_shift, (rw, rh))
    shadow = cv2.GaussianBlur(shadow, (0, 0), max(sh_sigma, 0.5))
    roi *= (1 - (0.15 if is_scan else rng.uniform(0.2, 0.45)) * shadow)[..., None]

    for card, hc, wm in zip(cards, card_hs, masks):
        warped = cv2.warpPerspective(card, to_roi @ hc, (rw, rh), flags=cv2.INTER_LINEAR).astype(np.float32)
        a = wm[..., None]
        roi *= 1 - a
        roi += warped * a

    # Glare blob somewhere on a card.
    if not is_scan and rng.random() < 0.35:
        k = rng.randrange(len(cards))
        ch, cw = cards[k].shape[:2]
        gp = _apply_h(to_roi @ card_hs[k],
                      np.array([[rng.uniform(0.1, 0.9) * cw, rng.uniform(0.1, 0.9) * ch]], np.float32))[0]
        sig = rng.uniform(0.015, 0.04) * card_px
        sig_y = sig * rng.uniform(0.6, 1.6)
        amp = rng.uniform(0.35, 0.75)
        gx = np.exp(-((np.arange(rw, dtype=np.float32) - gp[0]) ** 2) / (2 * sig * sig))
        gy = np.exp(-((np.arange(rh, dtype=np.float32) - gp[1]) ** 2) / (2 * sig_y * sig_y))
        g = gy[:, None] * gx[None, :] * masks[k]
        roi += (255 - roi) * (amp * g)[..., None]

    # Photometric effects over the whole photo.
    xs = np.arange(photo_w, dtype=np.float32)[None, :]
    ys = np.arange(photo_h, dtype=np.float32)[:, None]
    if is_scan:
        gain = np.broadcast_to(1 + 0.02 * (xs / photo_w - 0.5), (photo_h, photo_w))
        cast = np.array([rng.uniform(0.97, 1.03) for _ in range(3)], np.float32)
    else:
        ang = rng.uniform(0, 2 * math.pi)
        ca, sa = math.cos(ang), math.sin(ang)
        proj = xs * ca + ys * sa
        pmin = min(0.0, photo_w * ca) + min(0.0, photo_h * sa)
        pmax = max(0.0, photo_w * ca) + max(0.0, photo_h * sa)
        proj = (proj - pmin) / max(pmax - pmin, 1.0)
        lo = rng.uniform(0.7, 1.0)
        hi = rng.uniform(max(lo, 0.95), 1.2)
        gain = lo + (hi - lo) * proj
        gain = gain * (1 + 0.06 * _smooth_noise(nrng, photo_h, photo_w, max(photo_w, photo_h) / 3))
        cast = np.array([rng.uniform(0.88, 1.12) for _ in range(3)], np.float32)
    img *= gain[..., None] * cast[None, None, :]

    # Blur.
    if is_scan:
        img = cv2.GaussianBlur(img, (0, 0), rng.uniform(0.3, 0.6))
    elif rng.random() < 0.3:
        img = cv2.filter2D(img, -1, _motion_kernel(rng.choice((3, 4, 5)), rng.uniform(0, math.pi)))
    else:
        img = cv2.GaussianBlur(img, (0, 0), rng.uniform(0.3, 1.2))

    # Sensor noise and JPEG.
    sigma_n = rng.uniform(0.5, 1.5) if is_scan else rng.uniform(1.5, 4.0)
    img += nrng.standard_normal(img.shape, dtype=np.float32) * sigma_n
    out = np.clip(img, 0, 255).astype(np.uint8)
    q = rng.randint(85, 95) if is_scan else rng.randint(60, 90)
    ok, buf = cv2.imencode(".jpg", out, [cv2.IMWRITE_JPEG_QUALITY, q])
    assert ok
    out = cv2.imdecode(buf, cv2.IMREAD_COLOR)
    return out, corners_out


def capture(card: np.ndarray, condition: str, rng: random.Random,
            ref_width: float | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Photograph one card. Returns (photo BGR uint8, 4x2 float32 corners TL,TR,BR,BL).

    ref_width: width (px) that the photo/small framing scales to its target share of the photo;
    default the card width (a card in a wider holder passes the card width here).
    """
    photo, corners = _shoot([card], condition, rng, ref_width)
    return photo, corners[0]


def capture_two(front: np.ndarray, back: np.ndarray, condition: str, rng: random.Random
                ) -> tuple[np.ndarray, list[np.ndarray]]:
    """Both sides in one photo, side by side or stacked (not overlapping)."""
    return _shoot([front, back], condition, rng)


def capture_many(cards: list[np.ndarray], plane: list[np.ndarray], condition: str, rng: random.Random,
                 ref_width: float | None = None) -> tuple[np.ndarray, list[np.ndarray]]:
    """Several cards lying on the table where `plane` puts them (each card's 4x2 corners on the
    table, in the card's own pixels; a later card lies on an earlier one where they overlap).
    Returns the photo and each card's corners in it (TL, TR, BR, BL of the printed card)."""
    return _shoot(cards, condition, rng, ref_width, plane)
