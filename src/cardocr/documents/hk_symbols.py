"""The Hong Kong identity card's symbols line (`***AZ`): up to three stars, reported changes,
the holder's status and place of birth, read from its recognised line (hk_id_card.py finds
the line; hk_fields.py holds the other fields' readers).

A symbols line printed in another face or scale is sometimes read as foreign glyphs
throughout (`生生世用果`, `地地地陈车`, `000`), leaving under the symbols' alphabet nothing
the card's conventions allow (`RE_SYMBOLS`). Such a line, read without confidence, is
decoded again through each printed shape the grammar allows (0-3 stars, a reported change
B / N, the status, the place of birth; one slot of permitted characters a position) by the
best CTC path (ocr/shaped.py): every character one the recogniser gave some mass at its
timesteps; the shapes compete by that path's likelihood with the stars' age-at-issue prior
and a status prior.
"""

from __future__ import annotations

import itertools
import re
import unicodedata

import numpy as np

from ..ocr.ctc import char_index, sequence_log_prob
from ..ocr.shaped import shaped_decode
from ..ocr.types import Line
from ..types import CONFIDENT
from .hk_fields import SPECS, UPPER, decode, min_conf

_FOLD_STAR = str.maketrans({"＊": "*", "★": "*"})  # a star named in another form
BIRTHPLACE = "ZXWO"  # the last symbol: born in Hong Kong, the Mainland, Macao, elsewhere
STATUS = "ARCU"  # the symbol before it: the holder's right of abode, right to land, stay
# stars, reported changes (B birth, N name), then the status (A right of abode, R right to
# land, C / U limited stay; C also marks a permanent resident first registered with a limited
# stay), then the place of birth
RE_SYMBOLS = re.compile(r"(?P<stars>\*{0,3})[BN]{0,2}(?P<status>C?[AR]|[CU])[ZXWO]")
# a reported change of birth date (B) or name (N) is printed on few cards: a letter read
# without confidence between the stars and the status is weighed against the stars by it
CHANGE_PRIOR = 0.05  # per letter B / N
STAR_PRIOR = {  # how many stars a card carries: *** for adults, * for 11-17 year olds
    True: (0.07, 0.02, 0.06, 0.85),
    False: (0.10, 0.85, 0.025, 0.025),
    None: (0.10, 0.20, 0.10, 0.60),
}
SEEN_RIGHT = 0.9  # how often the stars counted in the pixels (hk_stars.py) are right


def read_symbols(line: Line, charset: list[str], adult: bool | None = None,
                 ink_before: bool = False, stars_seen: int | None = None) -> tuple[str, float]:
    """`***AZ`: up to three stars, then letters; a star never follows a letter. At this size
    a star is easily read as a letter (W, X, A, O, R), so whatever stands before the last star
    was a star, and so may be the letters after it that were read without confidence (one
    letter always stays: the place of birth). The pixels settle where the letters start and
    how many stars (0-3, at least as many as characters were taken for stars) precede them,
    by likelihood with the age-at-issue prior; the letters
    are read as they are, except a last letter read without confidence that names no place of
    birth (Z, X, W, O): the pixels choose which of the four it is. Among these candidates,
    those the card's conventions allow (`RE_SYMBOLS`) are preferred. `ink_before`: something
    is printed left of the first character read (small raised stars are often read as
    nothing), so at least one star precedes the letters; when none was read, the pixels
    cannot count them and the age-at-issue prior does. `stars_seen`: the stars counted in
    the line's pixels (hk_stars.py), or None: the count weighs with the prior, as evidence
    right SEEN_RIGHT of the time, and only where the reading without it is not confident (a
    confident result stands: check HK layout 1600884, `**CO` read at 1.0, counted three)."""
    prior = STAR_PRIOR.get(adult, STAR_PRIOR[None])
    read = _read_symbols(line, charset, prior, ink_before)
    if stars_seen is None or read[1] >= CONFIDENT:
        return read
    return _read_symbols(line, charset, seen_prior(prior, stars_seen), ink_before)


def _read_symbols(line: Line, charset: list[str], prior: tuple[float, ...], ink_before: bool
                  ) -> tuple[str, float]:
    """read_symbols under this prior over 0-3 stars."""
    ln = decode(line, charset, "symbols")
    text = ln.text
    if line.probs is None:
        return text, min_conf(ln)
    index = char_index(charset)
    if not text:  # nothing of the symbols' alphabet: glyphs of another script, or nothing
        shaped = symbols_by_grammar(_stars_as_glyphs(line.probs, index), charset, prior) if line.text.strip() else None
        return shaped if shaped is not None else (text, min_conf(ln))
    last_star = text.rfind("*")
    lead = last_star + 1 if last_star >= 0 else len(text) - len(text.lstrip("WX"))
    # glyphs read before the letters that the line's alphabet has no place for (为, m, ：):
    # stars the recogniser could not name (a large or blurred star, or three run together),
    # so at least one star, as many as the pixels cannot count; and so are the letters made of
    # them, after a named star too (dev HK 1500003 thumb: ★古方AZ, decoded *NNAZ, read ***NAZ)
    raw = line.text.translate(_FOLD_STAR)
    first_letter = next((i for i, c in enumerate(raw) if _letter(c)), len(raw))
    # (a digit is a letter misread: 6 for A, 2 for Z)
    foreign = any(c not in SPECS["symbols"] and not c.isdigit() for c in raw[:first_letter])
    if foreign and raw[first_letter:] and text.endswith(raw[first_letter:]):
        lead = max(lead, len(text) - len(raw[first_letter:]))
    starts = [lead]
    while starts[-1] < len(text) - 1 and ln.char_probs[starts[-1]] < CONFIDENT:
        starts.append(starts[-1] + 1)
    # stars named with confidence are counted as named; otherwise glyphs are counted
    named = any(c == "*" and p >= CONFIDENT for c, p in zip(text, ln.char_probs))
    scoring = line.probs if named else _stars_as_glyphs(line.probs, index)
    unseen_stars = (ink_before and "*" not in text) or foreign
    ink_before = ink_before or foreign
    words, scores, tail_confs = [], [], []
    for j in starts:
        tails = [text[j:]]
        if text[-1] not in BIRTHPLACE:
            # the last letter says where the holder was born: one of four, misread (when
            # read without confidence) or not read at all
            if ln.char_probs[-1] < CONFIDENT:
                tails += [text[j:-1] + b for b in BIRTHPLACE]
            tails += [text[j:] + b for b in BIRTHPLACE]
        if len(text) - j == 1 and text[-1] in BIRTHPLACE:
            tails += [s + text[j:] for s in STATUS]  # the status letter not read at all
        for tail in tails:
            if not all(c in index for c in tail + "*"):
                continue
            for k in range(max(min(3, j), int(ink_before)), 4):  # what stands before the letters was stars
                words.append("*" * k + tail)
                # stars the recogniser saw none of: the pixels cannot count them, the age prior does
                scored = tail if unseen_stars else words[-1]
                scores.append(sequence_log_prob(scoring, [index[c] for c in scored]) + np.log(prior[k])
                              + _changes(tail) * np.log(CHANGE_PRIOR))
                tail_confs.append(min(ln.char_probs[j:], default=1.0))
    if not words:
        return text, min_conf(ln)
    valid = [i for i, w in enumerate(words) if RE_SYMBOLS.fullmatch(w)]
    if not valid and (foreign or raw != text or min_conf(line) < CONFIDENT):
        # no symbols at all in a reading the recogniser was not sure of (生生世用果, 000):
        # the line's shapes under the grammar (a confident reading stays as read)
        shaped = symbols_by_grammar(scoring, charset, prior)
        if shaped is not None:
            return shaped
    if valid:  # what the card's conventions allow, when any candidate is
        words = [words[i] for i in valid]
        scores = [scores[i] for i in valid]
        tail_confs = [tail_confs[i] for i in valid]
    scores_a = np.array(scores)
    share_all = np.exp(scores_a - scores_a.max())
    share_all /= share_all.sum()
    k = int(np.argmax(scores_a))
    best, conf = words[k], min(float(share_all[k]), tail_confs[k])
    if best != text or foreign:
        conf = min(conf, CONFIDENT - 0.05)  # the grammar chose, not the reading alone
    return best, round(conf, 4)


def _letter(c: str) -> bool:
    """A capital, or one the recogniser read with a mark (Ç for C, Ã for A): a letter of the
    line whatever the mark, not a glyph standing for stars (tune HK 1305351 thumb: ***ÇAO was
    taken for stars before AO and read ***AO, stated 0.9999)."""
    return unicodedata.normalize("NFD", c)[0] in UPPER


def _changes(tail: str) -> int:
    """How many reported-change letters (B, N) a symbols string holds after its stars."""
    m = re.match(r"[BN]*", tail.lstrip("*"))
    return len(m[0]) if m else 0


def seen_prior(prior: tuple[float, ...], stars_seen: int | None) -> tuple[float, ...]:
    """The age-at-issue prior over 0-3 stars times the likelihood of the count the pixels
    gave (right SEEN_RIGHT of the time, else any other count alike), renormalised."""
    if stars_seen is None or not 0 <= stars_seen < len(prior):
        return prior
    miss = (1.0 - SEEN_RIGHT) / (len(prior) - 1)
    out = [p * (SEEN_RIGHT if k == stars_seen else miss) for k, p in enumerate(prior)]
    total = sum(out)
    return tuple(p / total for p in out)


def _stars_as_glyphs(probs: np.ndarray, index: dict[str, int]) -> np.ndarray:
    """The posteriors with the star's column standing for any glyph the symbols' letters
    are not: before the letters the grammar has room for stars only, and small raised stars
    are read as '*', as another sign (=, 6, 9) or as half a blank. Counting glyphs, not
    named stars, lets the pixels count the stars the recogniser could not name."""
    letters = [index[c] for c in UPPER if c in index]
    other = 1.0 - probs[:, 0] - probs[:, letters].sum(axis=1)
    out = probs.copy()
    star = index["*"]
    out[:, star] = np.maximum(out[:, star], np.clip(other, 0.0, 1.0))
    return out


# the status: most holders are permanent residents with the right of abode (A); a status
# letter read as a foreign glyph keeps little mass on any letter, so this prior weighs in
STATUS_PRIOR = {"A": 0.80, "R": 0.05, "C": 0.08, "U": 0.03, "CA": 0.03, "CR": 0.01}
CHANGES = ((), ("BN",))  # a reported change of birth date / name (two are rarer still)
CAP = 0.6  # the grammar chose every character: never as sure as a reading


def shapes() -> list[tuple[int, float, list[str]]]:
    """(stars, status prior, slots) for every shape the grammar allows."""
    return [(k, p, ["*"] * k + list(changes) + list(status) + [BIRTHPLACE])
            for k, changes, (status, p) in itertools.product(range(4), CHANGES, STATUS_PRIOR.items())]


def symbols_by_grammar(probs: np.ndarray, charset: list[str], prior: tuple[float, ...]
                       ) -> tuple[str, float] | None:
    """The likeliest symbols string the grammar allows on this posterior matrix (stars
    counted as glyphs: _stars_as_glyphs), and a capped confidence: its share of
    the shapes' likelihood and its least sure letter. None when no shape fits the frames."""
    found: list[tuple[float, Line]] = []
    for k, p, slots in shapes():
        got = shaped_decode(probs, charset, slots)
        if got is None:
            continue
        line, score = got
        found.append((score + float(np.log(prior[k] * p * CHANGE_PRIOR ** _changes(line.text))), line))
    if not found:
        return None
    scores = np.array([s for s, _ in found])
    best = int(np.argmax(scores))
    # one string may come from several shapes (C as the status or before A): its shapes pool
    text = found[best][1].text
    share_all = np.exp(scores - scores.max())
    share = float(share_all[[ln.text == text for _, ln in found]].sum() / share_all.sum())
    letters = [p for c, p in zip(text, found[best][1].char_probs) if c != "*"]
    conf = min(share, min(letters, default=0.0), CAP)
    return text, round(conf, 4)
