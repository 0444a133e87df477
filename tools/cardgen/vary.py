"""Per-card template variation for the `layout` condition of the HK card and the licence.

Real cards vary: printers, years and third-party templates move whole text blocks by a few
percent, spread or squeeze the rows, print in other fonts, and a card in a holder or a laminated
pouch is found a little too large or too small in a photo. A `Template` says how one card departs
from the nominal design; the renderers ask it for every block's coordinates, font sizes and font
keys. `PLAIN` is the nominal design and returns its inputs unchanged (not recomputed), so a card
drawn without a template is byte-identical to what the same seed always drew.

A template is drawn from a generator of its own (never the card's), so the card's own draws
(person, jitter, fonts, camera) stay those of the seed.
"""

from __future__ import annotations

import random
from collections.abc import Mapping
from dataclasses import dataclass, field

import cv2
import numpy as np

# block -> (boxes, anchor_y): the block's printed extents (x0, x1, y0, y1) in the renderer's units,
# and the row its rows are spread about
Blocks = Mapping[str, tuple[tuple[tuple[float, float, float, float], ...], float]]


class Plain:
    """The nominal design: every coordinate, size and font as given."""

    frame = 0.0
    labels = "stacked"
    pitch = 1.0

    def x(self, block: str, v: float) -> float:
        return v

    def y(self, block: str, v: float) -> float:
        return v

    def fs(self, size: int) -> int:
        return size

    def font(self, family: str, key: str) -> str:
        return key


PLAIN = Plain()


@dataclass(frozen=True)
class Template(Plain):
    """One card's departure from the nominal design, in the renderer's units (w x h per card)."""

    w: float
    h: float
    shifts: Mapping[str, tuple[float, float]]  # block -> (dx, dy), fractions of the card
    anchors: Mapping[str, float]  # block -> the row its rows spread about (units)
    pitch: float = 1.0  # row spacing within a block
    scale: float = 1.0  # font sizes
    fonts: Mapping[str, str] = field(default_factory=dict)  # family -> replacement font key
    frame: float = 0.0  # > 0: a clear pouch margin around the card; < 0: a holder window covers a band
    labels: str = "stacked"  # licence labels: "stacked" (Chinese over English) or "cn_only"

    def x(self, block: str, v: float) -> float:
        return v + self.shifts[block][0] * self.w

    def y(self, block: str, v: float) -> float:
        a = self.anchors[block]
        return a + (v - a) * self.pitch + self.shifts[block][1] * self.h

    def fs(self, size: int) -> int:
        return max(8, round(size * self.scale))

    def font(self, family: str, key: str) -> str:
        return self.fonts.get(family, key)

    def box(self, block: str, b: tuple[float, float, float, float]) -> tuple[float, float, float, float]:
        """Where a nominal extent of `block` lands (grown by the font scale about its centre)."""
        x0, x1 = self.x(block, b[0]), self.x(block, b[1])
        y0, y1 = self.y(block, b[2]), self.y(block, b[3])
        grow = (self.scale - 1) * 0.5 * (b[3] - b[2]) * 0.5
        return x0, x1, y0 - grow, y1 + grow


def _apart(a, b) -> bool:
    return a[1] <= b[0] or b[1] <= a[0] or a[3] <= b[2] or b[3] <= a[2]


def _fits(t: Template, blocks: Blocks, margin: float) -> bool:
    """Every block stays on the card, and blocks apart in the nominal design stay apart."""
    mx, my = margin * t.w, margin * t.h
    placed = {name: [t.box(name, b) for b in boxes] for name, (boxes, _a) in blocks.items()}
    for boxes in placed.values():
        for x0, x1, y0, y1 in boxes:
            if x0 < mx or y0 < my or x1 > t.w - mx or y1 > t.h - my:
                return False
    names = list(blocks)
    for i, a in enumerate(names):
        for b in names[i + 1:]:
            for na, pa in zip(blocks[a][0], placed[a]):
                for nb, pb in zip(blocks[b][0], placed[b]):
                    if _apart(na, nb) and not _apart(pa, pb):
                        return False
    return True


def random_template(rng: random.Random, blocks: Blocks, w: float, h: float,
                    fonts: Mapping[str, tuple[str, ...]] | None = None, fixed: tuple[str, ...] = (),
                    shift: float = 0.05, scale: float = 0.10, frame: float = 0.025,
                    label_styles: tuple[str, ...] = ("stacked",)) -> Template:
    """Blocks moved by up to +-`shift` of the card (a common move and each block's own), rows and
    fonts scaled by up to +-`scale`; blocks in `fixed` (printed artwork) stay. Each font family
    is replaced by one of its alternatives half the time; one card in three is framed too large
    (a pouch) and one in three too small (a holder window) by up to `frame` of the card. Drawn
    again until every block stays on the card and no two blocks run into each other."""
    fonts_pick = {fam: rng.choice(alts) for fam, alts in (fonts or {}).items() if rng.random() < 0.5}
    r = rng.random()
    fr = 0.0 if r < 1 / 3 else rng.uniform(0.3, 1.0) * frame * (1 if r < 2 / 3 else -1)
    labels = rng.choice(label_styles)
    anchors = {name: a for name, (_b, a) in blocks.items()}
    amp = shift
    for attempt in range(200):
        if attempt and attempt % 40 == 0:
            amp *= 0.7  # a design that cannot move this far: move it less
        gdx, gdy = rng.uniform(-amp, amp) * 0.6, rng.uniform(-amp, amp) * 0.6
        shifts = {name: (0.0, 0.0) if name in fixed else
                  (gdx + rng.uniform(-amp, amp) * 0.4, gdy + rng.uniform(-amp, amp) * 0.4) for name in blocks}
        t = Template(w=w, h=h, shifts=shifts, anchors=anchors, pitch=1 + rng.uniform(-scale, scale),
                     scale=1 + rng.uniform(-scale, scale), fonts=fonts_pick, frame=fr, labels=labels)
        if _fits(t, blocks, 0.012 + max(0.0, -fr)):
            return t
    return Template(w=w, h=h, shifts={n: (0.0, 0.0) for n in blocks}, anchors=anchors, fonts=fonts_pick,
                    frame=fr, labels=labels)


# ------------------------------------------------------------------------ framing


def frame_card(card: np.ndarray, frame: float, rng: random.Random) -> tuple[np.ndarray, np.ndarray]:
    """The card as a detector might find it: in a clear laminated pouch a little larger than the
    card (frame > 0), or behind a holder window a little smaller than it (frame < 0).

    Returns (image, 4x2 float32 corners TL, TR, BR, BL of the printed card in that image)."""
    h, w = card.shape[:2]
    if frame == 0:
        return card, np.array([[0, 0], [w, 0], [w, h], [0, h]], np.float32)
    m = max(4, round(abs(frame) * w)) if frame > 0 else max(10, round(rng.uniform(0.02, 0.04) * w))
    out = np.empty((h + 2 * m, w + 2 * m, 3), np.float32)
    if frame > 0:  # pouch: near-white plastic, a faint seam where the card ends
        level = rng.uniform(225, 248)
        out[:] = [level + rng.uniform(-4, 4) for _ in range(3)]
        out[m:m + h, m:m + w] = card
        seam = rng.uniform(0.9, 0.97)
        cv2.rectangle(out, (m - 1, m - 1), (m + w, m + h), tuple(float(level * seam) for _ in range(3)), 1)
    else:  # holder: dark rim around and over the card's outer band
        band = max(3, round(-frame * min(w, h)))
        dark = rng.uniform(20, 60)
        out[:] = [dark + rng.uniform(-6, 6) for _ in range(3)]
        out[m + band:m + h - band, m + band:m + w - band] = card[band:h - band, band:w - band]
    nrng = np.random.default_rng(rng.getrandbits(63))
    out += nrng.standard_normal(out.shape[:2], dtype=np.float32)[..., None] * 1.0
    corners = np.array([[m, m], [m + w, m], [m + w, m + h], [m, m + h]], np.float32)
    return np.clip(out, 0, 255).astype(np.uint8), corners


def map_corners(photo_corners: np.ndarray, img_shape: tuple, quad: np.ndarray) -> np.ndarray:
    """A quad given in the captured image's pixel frame, mapped into the photo."""
    h, w = img_shape[:2]
    src = np.array([[0, 0], [w, 0], [w, h], [0, h]], np.float32)
    hm = cv2.getPerspectiveTransform(src, np.asarray(photo_corners, np.float32))
    return cv2.perspectiveTransform(quad.reshape(-1, 1, 2).astype(np.float64), hm).reshape(4, 2).astype(np.float32)
