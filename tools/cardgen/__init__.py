"""Synthetic Mainland China resident ID cards (2nd generation) + virtual camera.

Everything here is fake: random people, invented addresses, geometric stand-ins
for the portrait and the emblem.  Used to test and benchmark the OCR pipeline.

    from tools.cardgen import make_sample
    photo, person, corners = make_sample(seed=1, side="front", condition="photo")
"""

from __future__ import annotations

import random

import numpy as np

from .camera import CONDITIONS, capture, capture_two
from .hk import HK_CONDITIONS, capture_thumb, hk_portrait_box, hk_template, make_hk_sample, render_hk_front
from .hk_data import LAYOUTS, HkPerson, hkid_check_char, hkid_valid, random_hk_person
from .interim import make_interim_sample, render_interim_back, render_interim_front
from .licence import LICENCE_CONDITIONS, licence_layout_boxes, make_licence_sample
from .licence_data import LAYOUTS as LICENCE_LAYOUTS
from .licence_data import PAGE_H, PAGE_W, Licence, random_licence
from .licence_draw import licence_template, render_licence_back, render_licence_front
from .person import Person, id_check_char, id_number_valid, random_person
from .render import H as CARD_H
from .render import Variation, random_variation, render_back, render_front
from .render import W as CARD_W
from .sleeve import put_in_sleeve

SIDES = ("front", "back", "both")

__all__ = [
    "CARD_H", "CARD_W", "CONDITIONS", "SIDES", "Person", "Variation", "capture", "capture_two", "id_check_char",
    "id_number_valid", "make_sample", "random_person", "random_variation", "render_back", "render_front",
    # Hong Kong identity card (tools/cardgen/hk.py)
    "HK_CONDITIONS", "LAYOUTS", "HkPerson", "capture_thumb", "hk_portrait_box", "hk_template", "hkid_check_char",
    "hkid_valid", "make_hk_sample", "random_hk_person", "render_hk_front",
    # Mainland driving licence (tools/cardgen/licence.py)
    "LICENCE_CONDITIONS", "LICENCE_LAYOUTS", "Licence", "PAGE_H", "PAGE_W", "licence_layout_boxes",
    "licence_template", "make_licence_sample",
    "put_in_sleeve", "random_licence", "render_licence_back", "render_licence_front",
    # temporary resident identity card (tools/cardgen/interim.py)
    "make_interim_sample", "render_interim_back", "render_interim_front",
]


def make_sample(seed: int, side: str, condition: str) -> tuple[np.ndarray, Person, np.ndarray]:
    """Deterministic sample for a seed.

    side: "front", "back" -> corners is 4x2 float32 (TL, TR, BR, BL of the printed card);
          "both"          -> one photo with both sides, corners is 2x4x2 ([front, back]).
    """
    if side not in SIDES:
        raise ValueError(f"unknown side {side!r}; expected one of {SIDES}")
    rng = random.Random(seed)
    person = random_person(rng)
    # "layout": a photo of a card from another printer or year (its blocks moved, rows and
    # fonts scaled: render.random_variation), drawn from a generator of its own
    var = random_variation(random.Random(seed * 7919 + 17)) if condition == "layout" else None
    if condition == "layout":
        condition = "photo"
    if side == "front":
        photo, corners = capture(render_front(person, rng, var), condition, rng)
    elif side == "back":
        photo, corners = capture(render_back(person, rng, var), condition, rng)
    else:
        front = render_front(person, rng, var)
        back = render_back(person, rng, var)
        photo, quads = capture_two(front, back, condition, rng)
        corners = np.stack(quads).astype(np.float32)
    return photo, person, corners
