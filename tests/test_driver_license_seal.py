"""The driving licence's seal: the issuing authority read from the red seal (round rim text or
square rows) on generated pages, with and without the local-authority prior, through the whole
pipeline on photos, and the prior itself (region code of the 证号, start of the address)."""

from __future__ import annotations

import random

import cv2
import numpy as np
import pytest

from cardocr.documents import driver_license as dl
from cardocr.documents.checks.licence_authority import licence_authorities, local_authorities, skips_from
from cardocr.documents.licence_seal import choose_authority, read_seal
from cardocr.errors import NoCardFound
from cardocr.ocr import get_engine
from cardocr.types import CARD_H, CARD_W, Card
from cardocr.vision.seal import find_seal
from readers import HuaweiOptions, recognize
from reference import reference_image
from tools.cardgen.licence import make_licence_sample
from tools.cardgen.licence_data import random_licence
from tools.cardgen.licence_draw import render_licence_front


def _page(seed: int, layout: str):
    rng = random.Random(seed)
    lic = random_licence(rng, layout)
    page = render_licence_front(lic, rng)
    return Card(cv2.resize(page, (CARD_W, CARD_H), interpolation=cv2.INTER_AREA), []), lic


@pytest.mark.parametrize("layout", ["new", "old"])
def test_seal_read_from_pixels_alone(layout):
    """No prior: the pixels of a clean page decide among ~1,700 names."""
    right = 0
    for seed in range(900, 906):
        card, lic = _page(seed, layout)
        f = read_seal(card, get_engine(), dl.Layout.SEAL_REGION, [])
        name = f.value
        assert f.quad is not None and 0 <= f.confidence <= 1
        right += name == lic.issuing_authority
    assert right >= 5, right


def test_no_seal_no_authority():
    card, _ = _page(907, "new")
    img = card.image.copy()
    img[..., 2] = img[..., 1]  # no red ink anywhere
    f = read_seal(Card(img, []), get_engine(), dl.Layout.SEAL_REGION, [])
    assert (f.value, f.confidence, f.quad) == ("", 0.0, None)


def test_local_authorities():
    beijing = local_authorities("110105199001011234", "")
    assert beijing == ["北京市公安局公安交通管理局"]
    shanghai = local_authorities("", "上海市黄浦区南京东路1号")
    assert shanghai == ["上海市公安局交通警察总队"]
    # the number says one city, the address another: both, each in its usual form
    both = local_authorities("440823198501011234", "广东省中山市石岐区")
    assert set(both) == {"广东省湛江市公安局交通警察支队", "广东省中山市公安局交通警察支队"}
    assert local_authorities("", "") == []
    assert all(n in licence_authorities() for n in both + beijing + shanghai)


def test_authority_on_photos():
    """Through the pipeline on photos and small photos, round and square seals."""
    cases = [(s, c) for s in range(940, 948) for c in ("photo", "small")][::2]
    right = 0
    for seed, cond in cases:
        img, lic, _ = make_licence_sample(seed, "front", cond)
        try:
            result = recognize("driver-license", img,
                               HuaweiOptions.of(side="front", return_issuing_authority=True))
        except NoCardFound:  # card finding is not this test's business
            continue
        right += result.get("issuing_authority") == lic.issuing_authority
    assert right >= len(cases) - 2, (right, len(cases))


@pytest.mark.parametrize("seed,cond", [(100007, "photo"), (100038, "small"), (300115, "photo"),
                                       (300128, "small"), (300217, "photo")])
def test_authority_on_tinted_pages(seed, cond):
    """Seals on lavender and green pages, where red never rises above blue or green: a thin
    blurred stroke of the rim text only sinks less far below them. Redness measured from 0,
    and not from the page's own level, lost the rim text and answered nothing."""
    img, lic, _ = make_licence_sample(seed, "front", cond)
    result = recognize("driver-license", img, HuaweiOptions.of(side="front", return_issuing_authority=True))
    assert result["issuing_authority"] == lic.issuing_authority


def test_long_rim_name_with_a_faint_start():
    """Scan 100102: 广西壮族自治区南宁市公安局交通警察支队 runs from eight o'clock round to
    four, and its first six characters are faint. Cut off, the rest fitted the shorter
    海南省万宁市公安局交通警察支队 better, even against the local prior."""
    img, lic, _ = make_licence_sample(100102, "front", "scan")
    result = recognize("driver-license", img, HuaweiOptions.of(side="front", return_issuing_authority=True))
    assert result["issuing_authority"] == lic.issuing_authority == "广西壮族自治区南宁市公安局交通警察支队"


MOCKUP = "cn-driving-licence-mockup.png"


def test_reference_mockup_square_seal():
    """The published mock-up: a square seal, its number masked and its address naming no
    city, so the name comes from the seal's pixels alone."""
    img = reference_image(MOCKUP)
    result = recognize("driver-license", img,
                       HuaweiOptions.of(side="front", return_issuing_authority=True))
    assert result["issuing_authority"] == "广东省中山市公安局交通警察支队"


def _posteriors(text: str, p: float = 0.97):
    """A CTC posterior matrix that spells `text` (each character, then a blank)."""
    import numpy as np

    from cardocr.ocr.ctc import char_index, greedy_decode

    cs = get_engine().charset
    index = char_index(cs)
    probs = np.full((2 * len(text) + 1, len(cs)), (1 - p) / (len(cs) - 1), np.float32)
    probs[:, 0] = p  # blanks
    for i, ch in enumerate(text):
        probs[2 * i + 1] = (1 - p) / (len(cs) - 1)
        probs[2 * i + 1, index[ch]] = p
    return greedy_decode(probs, cs), cs


def test_confident_whole_name_kept_even_if_unlisted():
    name = "广东省中山市公安局交通警察大队"  # a county-level office: not in the list
    assert name not in licence_authorities()
    raw, cs = _posteriors(name)
    assert choose_authority(raw, [], cs)[0] == name


def test_confident_fragment_is_completed_from_the_list():
    raw, cs = _posteriors("局交通警察总队")  # the rim's start faded away
    local = local_authorities("310101200505117417", "")
    assert choose_authority(raw, local, cs)[0] == "上海市公安局交通警察总队"


def test_a_seal_read_as_noise_names_the_licences_own_city():
    """A seal whose reading carries no name (every name falls NOISE_FIT or more short per
    character) is fitted least badly by chance, often by a short name such as Shanghai's: the
    licence's own city is the better guess. A clean seal of another city is still read as
    printed (its holder moved)."""
    from cardocr.documents import licence_seal

    harbin = "黑龙江省哈尔滨市公安局交通警察支队"
    raw, cs = _posteriors("上海8电市公0热交28队", 0.5)
    name, conf = choose_authority(raw, [harbin], cs)
    assert name == harbin and conf < 0.5  # the pixels do not vouch for it
    assert licence_seal.seal_evidence(raw, name, [harbin], cs)["seal_fit"] < licence_seal.NOISE_FIT
    clean, cs = _posteriors("上海市公安局交通警察总队")
    assert choose_authority(clean, [harbin], cs) == ("上海市公安局交通警察总队", 1.0)


def test_seal_read_only_when_asked():
    """The authority is an optional field (issuing_authority on the wire): a main page read
    without it skips the seal."""
    card, lic = _page(900, "new")
    engine = get_engine()
    card.boxes = engine.detect(card.image, 736)
    skipped = dl.read(card, "front", engine)
    assert skipped.fields["authority"].value == ""
    assert skipped.fields["name"].value == lic.name
    asked = dl.read(card, "front", engine, frozenset({"authority"}))
    assert asked.fields["authority"].value == lic.issuing_authority
    # asked for, an empty authority is one not read (confidence.evidence.required)
    assert asked.fields["authority"].evidence["asked"] == 1.0 and "asked" not in skipped.fields["authority"].evidence


def test_confident_reading_with_a_skipped_glyph_is_completed():
    """A confident whole-looking name that is a listed one with a glyph left out (警, in a
    reflection) is not kept as read: the listed name is chosen by its likelihood."""
    raw, cs = _posteriors("陕西省西安市公安局交通察支队")
    local = local_authorities("610102199001011234", "")
    assert choose_authority(raw, local, cs)[0] == "陕西省西安市公安局交通警察支队"
    assert skips_from("广东省市公安局交通警察支队", "广东省广州市公安局交通警察支队")
    assert not skips_from("广东省中山市公安局交通警察大队", "广东省中山市公安局交通警察支队")


def _tinted_page_with(draw) -> np.ndarray:
    """A green page (its black print stands out in redness as much as a faint stamp, as on a tinted
    licence in a soft photo), black print beside the stamp, and `draw` stamping faint red."""
    page = np.full((320, 420, 3), (190, 235, 195), np.uint8)  # BGR
    for y in range(40, 300, 36):  # print at the right, running under the stamp's edge
        cv2.rectangle(page, (270, y), (345, y + 5), (40, 40, 40), -1)
    draw(page)
    return cv2.GaussianBlur(page, (3, 3), 0)


def test_round_seal_found_by_its_rim_beside_print():
    def stamp(page):
        cv2.circle(page, (190, 160), 100, (150, 140, 215), 6)
        for a in range(-150, 151, 20):  # rim text: blobs along the inside of the rim
            t = np.radians(a)
            cv2.circle(page, (int(190 + 78 * np.sin(t)), int(160 - 78 * np.cos(t))), 8, (150, 140, 215), -1)
        cv2.drawMarker(page, (190, 160), (150, 140, 215), cv2.MARKER_STAR, 40, 6)
    seal = find_seal(_tinted_page_with(stamp))
    assert seal is not None and seal.round
    x0, y0, x1, y1 = seal.bbox
    assert abs((x0 + x1) / 2 - 190) < 8 and abs((y0 + y1) / 2 - 160) < 8 and abs((x1 - x0) / 2 - 103) < 10


def test_square_seal_is_not_taken_for_a_rim():
    def stamp(page):
        cv2.rectangle(page, (60, 60), (250, 250), (150, 140, 215), 7)
        cv2.rectangle(page, (72, 72), (238, 238), (150, 140, 215), 2)
        for y in (100, 150, 200):
            for x in range(95, 230, 45):
                cv2.rectangle(page, (x, y - 15), (x + 30, y + 15), (150, 140, 215), 4)
    seal = find_seal(_tinted_page_with(stamp))
    assert seal is not None and not seal.round


def test_the_seal_says_how_well_it_carries_the_name():
    """seal_evidence (issue 22): a clean seal carries its name (a small shortfall per
    character) and, given another city's authority as the prior, still names its own, which
    the evidence marks as away from the prior; the same seal under heavy blur is read as noise,
    so the prior's name is chosen (stated 1.0 among the names) far short of what was read."""
    card, lic = _page(903, "new")
    own = read_seal(card, get_engine(), dl.Layout.SEAL_REGION, [lic.issuing_authority])
    assert own.value == lic.issuing_authority
    assert own.evidence["seal_away"] == 0.0 and own.evidence["seal_fit"] > -1.0
    elsewhere = "上海市公安局交通警察总队"
    assert lic.issuing_authority != elsewhere
    moved = read_seal(card, get_engine(), dl.Layout.SEAL_REGION, [elsewhere])
    assert moved.value == lic.issuing_authority and moved.evidence["seal_away"] == 1.0
    blurred = Card(cv2.GaussianBlur(card.image, (0, 0), 4), [])
    noise = read_seal(blurred, get_engine(), dl.Layout.SEAL_REGION, [elsewhere])
    assert noise.value == elsewhere and noise.evidence["seal_away"] == 0.0
    assert noise.evidence["seal_fit"] < -5.0
