"""The Mainland ID back's authority chosen among the real authority names (cn_id_back.py), on
posteriors built by hand: which characters the recogniser saw, and how surely."""

from __future__ import annotations

import numpy as np

from cardocr.documents.checks.authority import authority_names, similar_authorities
from cardocr.documents.cn_id_back import choose_authority
from cardocr.ocr.types import Line
from cardocr.types import Reading


def _line(frames: list[dict[str, float]], charset: list[str]) -> Line:
    """One frame per character (its distribution; the rest of the mass on blank), a blank
    frame between characters; the text and its probabilities are each frame's best."""
    index = {c: i for i, c in enumerate(charset)}
    rows = []
    for dist in frames:
        row = np.full(len(charset), 1e-9)
        for c, p in dist.items():
            row[index[c]] = p
        row[0] = max(0.0, 1 - sum(dist.values()))
        blank = np.full(len(charset), 1e-9)
        blank[0] = 1.0
        rows += [row, blank]
    probs = np.array(rows, np.float32)
    best = [max(d, key=lambda c: d[c]) for d in frames]
    return Line("".join(best), [frames[i][c] for i, c in enumerate(best)], probs, None,
                [sorted(d.items(), key=lambda kv: -kv[1]) for d in frames])


def _read(raw: str, unsure: dict[int, dict[str, float]]) -> str:
    charset = ["<blank>", *sorted({c for n in similar_authorities(raw) for c in n} | set(raw))]
    frames = [unsure.get(i, {c: 0.99}) for i, c in enumerate(raw)]
    reading = Reading("id-card", "back", {})
    value, _conf, _doubt = choose_authority(_line(frames, charset), raw, 0.2, charset, reading)
    return value


def test_a_district_half_seen_is_taken_among_the_citys_districts():
    """深圳市公安局联贸分局 names no authority: the district whose characters the recogniser half
    saw (福田, second at both places, about 7 nats behind the raw reading) is far likelier than
    the city's other districts, and is taken."""
    raw = "深圳市公安局联贸分局"
    assert raw not in authority_names()
    unsure = {6: {"联": 0.6, "福": 0.02}, 7: {"贸": 0.5, "田": 0.01}}
    assert _read(raw, unsure) == "深圳市公安局福田分局"


def test_a_close_call_between_two_districts_is_reported():
    """Two districts half seen about as well (福田 and 盐田, 0.22 against 0.18 at the place
    they differ): the likelier is taken, and how far it led the other (ln 0.22/0.18) goes
    with it, which sends the card to review (confidence.evidence.LIST_GAP_MIN); a district
    seen far better than any other leads by more."""
    from cardocr.confidence.evidence import LIST_GAP_MIN

    raw = "深圳市公安局联贸分局"
    charset = ["<blank>", *sorted({c for n in similar_authorities(raw) for c in n} | set(raw) | set("盐福"))]

    def choose(unsure: dict[int, dict[str, float]]) -> tuple[str, float, float | None]:
        frames = [unsure.get(i, {c: 0.99}) for i, c in enumerate(raw)]
        name, conf, doubt = choose_authority(_line(frames, charset), raw, 0.2, charset,
                                             Reading("id-card", "back", {}))
        assert doubt.get("list_dropped", 0.0) == 0.0  # the name is as long as the reading
        return name, conf, doubt.get("list_gap")

    name, _conf, gap = choose({6: {"联": 0.5, "福": 0.22, "盐": 0.18}, 7: {"贸": 0.5, "田": 0.4}})
    assert name == "深圳市公安局福田分局"
    assert gap is not None and abs(gap - np.log(0.22 / 0.18)) < 0.05 and gap < LIST_GAP_MIN
    name, _conf, gap = choose({6: {"联": 0.5, "福": 0.4, "盐": 0.01}, 7: {"贸": 0.5, "田": 0.4}})
    assert name == "深圳市公安局福田分局" and gap is not None and gap > LIST_GAP_MIN
    # a reading kept as read reports no gap
    assert choose({6: {"联": 0.6}, 7: {"贸": 0.5}})[2] is None


def test_a_name_shorter_than_the_reading_is_reported():
    """桐户县公安局 read with 桐 unsure: 户县公安局, a real county's, fits the pixels best by
    leaving 桐 out (calibration 900923's 户县 for 桐庐县); the character the name drops is
    reported (list_dropped), which sends the card to review."""
    from cardocr.confidence.evidence import contradicted

    raw = "桐户县公安局"
    charset = ["<blank>", *sorted({c for n in similar_authorities(raw) for c in n} | set(raw) | set("庐"))]
    frames = [{"桐": 0.3}, {"户": 0.5, "庐": 0.1}] + [{c: 0.99} for c in raw[2:]]
    name, _conf, doubt = choose_authority(_line(frames, charset), raw, 0.2, charset, Reading("id-card", "back", {}))
    assert name == "户县公安局" and doubt["list_dropped"] == 1.0
    ev = {"document": "id-card", "checks": {}, "fields": {
        "authority": {"conf": 0.2, "empty": False, "fits": True, **doubt}}}
    assert contradicted(ev) == {"authority"}


def test_a_real_name_or_an_unseen_district_stays_as_read():
    # a real authority's name read with doubt keeps its name unless another is nearly as likely
    real = "深圳市公安局福田分局"
    assert _read(real, {6: {"福": 0.6, "罗": 0.02}, 7: {"田": 0.5, "湖": 0.01}}) == real
    # a district the recogniser did not see at all (nothing at those places but the raw reading)
    raw = "深圳市公安局联贸分局"
    assert _read(raw, {6: {"联": 0.6}, 7: {"贸": 0.5}}) == raw
    # a character read with confidence is never replaced (联 at 0.95)
    assert _read(raw, {6: {"联": 0.95, "福": 0.02}, 7: {"贸": 0.5, "田": 0.01}}) == raw


def test_a_blurred_reading_sharing_no_distinctive_character_finds_its_name():
    """西安布公安海磷赫分局 (a blurred photo's reading) shares only 西 with 西安市公安局碑林分局 among
    the characters that tell names apart, so the names sharing its characters miss it; its
    characters still show faintly where the recogniser read others (likely_authorities), and
    the CTC likelihood takes it, within the margin of the raw reading."""
    raw, truth = "西安布公安海磷赫分局", "西安市公安局碑林分局"
    assert truth not in similar_authorities(raw)
    charset = ["<blank>", *sorted({c for n in authority_names() for c in n} | set(raw))]
    unsure = {2: {"布": 0.6, "市": 0.3}, 5: {"海": 0.4, "局": 0.3}, 6: {"磷": 0.35, "碑": 0.3},
              7: {"赫": 0.45, "林": 0.3}}
    frames = [unsure.get(i, {c: 0.99}) for i, c in enumerate(raw)]
    value, conf, _doubt = choose_authority(_line(frames, charset), raw, 0.2, charset, Reading("id-card", "back", {}))
    assert value == truth and conf <= 0.2
