"""Photos with more than one Mainland ID card (the multi-card signal, cardocr.pipeline).

`multi_card_sample(seed)` lays two cards on one table and photographs them with the ordinary
virtual camera (camera.capture_many):

    two_fronts   the fronts of two different people   (two cards of one side: refused)
    two_backs    the backs of two different people    (two cards of one side: refused)
    front_back   the front and the back of one person (read together when asked)

and each in one of three arrangements, drawn from the seed:

    apart        side by side or one above the other, a gap between them, each a little tilted
    overlap      the second card's bounding box reaches 3-15% of the card's extent into the
                 first's, each tilted: the cards overlap (by up to 14% of a card's area) in 21
                 of the 27 such photos of the tuning and held-out seeds, the others touch
    sizes        one card smaller than the other (0.72-0.92: held nearer the table, or a photo
                 with perspective), tilted up to 25 degrees apart

The ordinary photos (`make_sample`, one card) are the negatives. Seeds: the detector is tuned on
TUNE_SEED.. (and the main bench's ordinary photos, 100000..) and reported on HELDOUT_SEED.. (and
the held-out ordinary photos, 500000..), which nobody tunes on.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass

import numpy as np

from .camera import capture_many
from .person import Person, random_person
from .render import H, W, render_back, render_front

KINDS = ("two_fronts", "two_backs", "front_back")
ARRANGEMENTS = ("apart", "overlap", "sizes")
TUNE_SEED = 1100000
HELDOUT_SEED = 1200000


@dataclass
class MultiCardSample:
    photo: np.ndarray
    kind: str  # one of KINDS
    arrangement: str  # one of ARRANGEMENTS
    condition: str  # the camera's: scan, photo or small
    sides: list[str]  # per card, in drawing order (the last lies on top)
    people: list[Person]
    corners: list[np.ndarray]  # per card, 4x2 in the photo (TL TR BR BL of the printed card)

    @property
    def same_side(self) -> bool:
        return self.kind != "front_back"


def scene(seed: int) -> tuple[str, str, str]:
    """(kind, arrangement, condition) of a seed: every combination within 27 seeds."""
    return KINDS[seed % 3], ARRANGEMENTS[(seed // 3) % 3], ("photo", "scan", "small")[(seed // 9) % 3]


def multi_card_sample(seed: int) -> MultiCardSample:
    kind, arrangement, condition = scene(seed)
    rng = random.Random(seed)
    if kind == "front_back":
        person = random_person(rng)
        people, sides = [person, person], ["front", "back"]
    else:
        people = [random_person(rng), random_person(rng)]
        sides = ["front", "front"] if kind == "two_fronts" else ["back", "back"]
    cards = [(render_front if s == "front" else render_back)(p, rng) for s, p in zip(sides, people)]
    if rng.random() < 0.5:  # which card lies on top (and which the camera frames by)
        cards, sides, people = cards[::-1], sides[::-1], people[::-1]
    plane = _plane(arrangement, condition, random.Random(f"multicard:{seed}"))
    photo, corners = capture_many(cards, plane, condition, rng)
    return MultiCardSample(photo, kind, arrangement, condition, sides, people, corners)


def _card(scale: float, angle: float) -> np.ndarray:
    """A card's corners, centred on the origin, scaled and turned by `angle` degrees."""
    pts = np.array([[-W / 2, -H / 2], [W / 2, -H / 2], [W / 2, H / 2], [-W / 2, H / 2]], np.float64) * scale
    a = math.radians(angle)
    rot = np.array([[math.cos(a), -math.sin(a)], [math.sin(a), math.cos(a)]])
    return pts @ rot.T


def _plane(arrangement: str, condition: str, drng: random.Random) -> list[np.ndarray]:
    """Where the two cards lie on the table: the second beside (or below) the first, a gap
    between their bounding boxes, or an overlap of them."""
    tilt = 3.0 if condition == "scan" else 12.0
    a0 = drng.uniform(-tilt, tilt)
    a1 = a0 + drng.uniform(-tilt, tilt)
    s1 = 1.0
    if arrangement == "sizes":
        s1 = drng.uniform(0.72, 0.92)
        a1 = a0 + drng.choice((-1, 1)) * drng.uniform(5.0 if condition == "scan" else 10.0,
                                                       8.0 if condition == "scan" else 25.0)
    first, second = _card(1.0, a0), _card(s1, a1)
    below = drng.random() < 0.5
    axis = 1 if below else 0
    gap = drng.uniform(0.06, 0.3) * H
    if arrangement == "overlap":  # a share of the card's extent along the axis
        gap = -drng.uniform(0.03, 0.15) * (H if below else W)
    # the second card's centre moves along the axis until the boxes are `gap` apart, and a
    # little across it
    shift = np.zeros(2)
    shift[axis] = first[:, axis].max() - second[:, axis].min() + gap
    shift[1 - axis] = drng.uniform(-0.12, 0.12) * (H if below else W) * (0 if condition == "scan" else 1)
    return [first.astype(np.float32), (second + shift).astype(np.float32)]
