"""The Mainland ID front's probe for an address line the detector missed: a last line of one
to three characters ("号", "2室") is read from the band below the lines found.

Each card is read as the reader reads it (found, straightened, zones fitted and read); the
address zone's last line is then taken away, as if the detector had missed it, and the probe
must bring back the same text.
"""

from __future__ import annotations

import numpy as np
import pytest

from cardocr.documents import cn_id_card as front
from cardocr.documents.base import ZoneText, read_zones
from cardocr.documents.cn_id_layout import FRONT_MAX_LINES
from cardocr.ocr.engine import OcrEngine, get_engine
from cardocr.types import Card
from cardocr.vision.locate import find_cards
from cardocr.vision.orient import straighten
from tools.cardgen import make_sample


def _zones_read(photo: np.ndarray, engine: OcrEngine) -> tuple[Card, dict, dict[str, ZoneText]]:
    """The front as the reader sees it: straightened, its zones fitted and read."""
    card, _, _ = straighten(photo, find_cards(photo)[0], engine)
    dy = front.layout_shift(card, front.Layout.NUMBER_ROW_Y, front.Layout.NUMBER_ROW_MIN_Y)
    zones, rows = front._front_zones(card, dy)
    read = read_zones(card, engine, zones, rows, max_lines=FRONT_MAX_LINES,
                      similar_width=front.ZONE_SIMILAR_WIDTH, min_width=front.ZONE_MIN_WIDTH)
    return card, zones, read


# tuning seeds whose generated address ends in a short line on a scan
SHORT_LAST_LINE = (100004, 100007, 100036)


@pytest.mark.parametrize("seed", SHORT_LAST_LINE)
def test_probe_reads_a_missed_short_last_line(seed: int) -> None:
    engine = get_engine()
    photo, _person, _ = make_sample(seed, "front", "scan")
    card, zones, read = _zones_read(photo, engine)
    address = read["address"]
    last = address.lines[-1].text.strip()
    assert 2 <= len(address.lines) <= 3 and 1 <= len(last) <= 3, "the card no longer ends in a short line"

    missed = ZoneText(address.lines[:-1], address.quads[:-1])
    probed = front._probe_next_line(card, engine, missed, zones["address"], read["number"].quad)

    assert probed is not None and probed.text == last
    assert len(missed.quads) == len(address.quads)  # the band is the line's location now


# a tuning seed whose `layout` card prints the address's short last line left of the number,
# level with it (tools.cardgen's layout variation moves the number's row up); the pipeline's
# quick straightening of it missed that line
BESIDE_NUMBER = 1300050


def test_probe_reads_a_last_line_beside_the_number() -> None:
    engine = get_engine()
    photo, person, _ = make_sample(BESIDE_NUMBER, "front", "layout")
    card, zones, read = _zones_read(photo, engine)
    address, number = read["address"], read["number"].quad
    last = address.lines[-1].text.strip()
    assert len(address.lines) == 3 and 1 <= len(last) <= 6, "the card no longer ends in a short line"
    level = address.quads[-1][:, 1].max() > zones["number"][2] * front.CARD_H
    assert level, "the line is no longer level with the number"

    # the band below the second line reaches the number's row: without the number's place the
    # probe leaves it; with it, the columns left of the first digit give the line back
    missed = ZoneText(address.lines[:-1], address.quads[:-1])
    assert front._probe_next_line(card, engine, missed, zones["address"], None) is None
    probed = front._probe_next_line(card, engine, missed, zones["address"], number)
    assert probed is not None and probed.text == last
    assert "".join(ln.text for ln in address.lines).replace(" ", "") == person.address
