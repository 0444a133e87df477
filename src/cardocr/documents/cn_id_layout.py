"""Where the Mainland ID card prints what (fractions of the card, from the published specimen),
shared by its front (cn_id_card.py) and back (cn_id_back.py) readers.

The front prints labels in a left column and values from x≈0.18; ethnicity shares the sex
row at x≈0.42; the portrait fills the right third; the 18-character number runs along the
bottom from x≈0.36. The back carries the national emblem top-left, the title top-right, and
two rows — issuing authority and validity period — with values from x≈0.38.
"""

from __future__ import annotations

from ..types import Card
from .base import Span, anchor_shift

NAME = "id-card"
SIDES = ("front", "back")
FIELDS = {
    "front": ("name", "sex", "birth", "ethnicity", "address", "number"),
    "back": ("authority", "valid_from", "valid_to"),
}
# number: check character, known region, real birth date; birth / sex: agree with the number;
# dates: a real start before the end (or 长期); validity_span: 5, 10 or 20 years to the day
CHECKS = {
    "front": ("number", "birth", "sex"),
    "back": ("dates", "validity_span"),
}


class Layout:
    """Where things are printed, as fractions of the card, from the published specimen (see
    the module docstring)."""

    # (x0, x1, y0, y1): x0 sits between the printed label and the value, cutting labels away
    FRONT_ZONES = {
        "name": (0.155, 0.62, 0.08, 0.22),
        "sex": (0.155, 0.29, 0.22, 0.35),
        "ethnicity": (0.385, 0.62, 0.22, 0.35),
        "birth": (0.155, 0.62, 0.35, 0.48),
        "address": (0.155, 0.63, 0.48, 0.79),
        "number": (0.33, 0.99, 0.79, 0.97),
    }
    # (y0, y1): the row read when the detector found no line in a zone
    FRONT_ROWS = {"name": (0.10, 0.21), "sex": (0.23, 0.33), "ethnicity": (0.23, 0.33),
                  "birth": (0.36, 0.47), "number": (0.80, 0.93)}
    BACK_ZONES = {
        "authority": (0.365, 0.99, 0.65, 0.80),
        "validity": (0.365, 0.99, 0.80, 0.96),
    }
    BACK_ROWS = {"authority": (0.68, 0.78), "validity": (0.81, 0.92)}
    # the printed labels (landmarks.py) and their centre rows on the template: the centres
    # of the rows above (the address: its first line). The number row has its own anchor.
    FRONT_LABEL_ROWS = {"name": 0.155, "sex": 0.28, "birth": 0.415, "address": 0.545}
    BACK_LABEL_ROWS = {"authority": 0.73, "validity": 0.865}
    # the label column: the front's labels start at ~0.06 of the card (the specimen ~0.08),
    # its values at ~0.18; the back's labels at ~0.20, its values at ~0.38
    FRONT_LABEL_MAX_X0 = 0.13
    # a row's first box starts left of this when the label was missed: its value, at ~0.18
    # (~0.24 on a card found a little too large)
    FRONT_VALUE_MAX_X0 = 0.28
    BACK_LABEL_MAX_X0 = 0.30
    # a two-character label alone is at most ~0.09 of the card wide (a four-character one
    # ~0.16); a box holding a value too is wider
    LABEL_ALONE_W = 0.13
    BACK_LABEL_ALONE_W = 0.19
    LABEL_GAP = 0.005  # a value starts this far right of a label box of its own
    # the layout's anchors, each the widest line below its y_min whose right end passes 0.6
    NUMBER_ROW_Y = 0.86  # centre of the number line on the front
    NUMBER_ROW_MIN_Y = 0.68
    VALIDITY_ROW_Y = 0.86  # centre of the validity line on the back
    VALIDITY_ROW_MIN_Y = 0.78
    ANCHOR_CLAMP = 0.06  # the layout moves by at most this much
    PORTRAIT = (0.60, 0.94, 0.10, 0.80)  # x0, x1, y0, y1
    # the back's title: wider than BACK_TITLE_MIN_W, centred above BACK_TITLE_MAX_Y and
    # right of the middle, where the front has its portrait and no text
    BACK_TITLE_MAX_Y = 0.45
    BACK_TITLE_MIN_W = 0.25
    # another document's title (a licence's, a Hong Kong card's) is a line this wide this
    # high up; neither ID side prints one that another document's landmarks name
    TITLE_MAX_Y = 0.3
    TITLE_MIN_W = 0.3


DIGITS = "0123456789"
ADDRESS_CHARS = "{cjk}0123456789-()（）·"
FRONT_MAX_LINES = {"name": 1, "sex": 1, "ethnicity": 1, "birth": 1, "number": 1, "address": 4}
BACK_MAX_LINES = {"authority": 2, "validity": 1}
# How the zones' crops are batched through the recogniser (engine.recognize). Its time grows
# with the padded width, and batched to the widest line the short name/sex/birth crops were
# half padding. Padded to at least 240 columns and batched with lines within 1.15x of their
# width: the same fields on 160 tuning seeds (100000.., 1300000..), 12% less CPU a card.
# (No floor at all saved 21% but lost one card whole: short crops read without blank context.)
ZONE_SIMILAR_WIDTH, ZONE_MIN_WIDTH = 1.15, 240


def layout_shift(card: Card, expected_y: float, y_min: float) -> float:
    """Vertical offset of the layout, from the widest line in the lower part of the card
    (the number on the front, the validity period on the back): a straightening that is a
    few percent off moves every row, and this line is long enough to find reliably."""

    def long_and_low(s: Span) -> bool:
        return s.cy > y_min and s.x1 > 0.6 and s.width >= 0.25

    return anchor_shift(card, expected_y, long_and_low, lambda s, spans: s.width, Layout.ANCHOR_CLAMP)
