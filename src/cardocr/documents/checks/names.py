"""How names bear their characters: a choice among a Mainland given name's uncertain readings,
and evidence against one read a character wrong with confidence.

The recogniser's posterior for a character carries the prior of the text it learnt from, in
which 吴 (a surname, and a word) is common and 昊 (a given-name character) rare; in given names
it is the reverse. Reading a name, the posterior that matters weighs each candidate by how
names bear it instead of how text does:

    score(c) = log p(c | pixels) + log P_name(c) - log P_text(c)

(name_chars.tsv: the counts of a corpus of given names and of a text corpus, add-one smoothed;
tools/build_name_chars.py). When another of the recogniser's own likeliest readings of a step
scores higher than the character read, the name the pixels and the naming customs agree on is
not the one read: dev 1300053's 向吴思 (吴 at 0.978, 昊 at 0.006) and 1500034's 方深一 (深 at
0.89, 琛 at 0.10), both stated above the licence's review threshold before this module.

Two uses. A character read without confidence gives way to the alternative the customs
prefer (customary_given_name, a guess: the card goes to review). A character read with
confidence is never changed, since rare characters are borne too and a specimen's name must
come back as printed: that the customs would have read it otherwise is evidence
(given_name_doubt; confidence.evidence.contradicted sends the card to review). Names
transliterated from other languages (a middle dot, or a holder who is not Han) follow other
customs and are not weighed. The surname is the list's, not the customs': where the recogniser
saw two surnames at its step nearly as likely as each other, nothing here can choose between
them, and that is evidence too (surname_tie).
"""

from __future__ import annotations

import math
import re
from functools import cache
from importlib import resources

import numpy as np

from ...ocr.ctc import best_path
from ...ocr.types import Line
from ...types import CONFIDENT
from .surnames import COMPOUND, SINGLE

# a character fewer than 1 in 10,000 given-name characters are (name_chars.tsv): on the dev and
# check reads of sessions 24-26 (tools.slips), an unsure one that text bears more than names do
# was in 25 of 57 wrong Mainland names and in none of 1,870 right ones
RARE_IN_NAMES = 1e-4
ALTERNATIVES = 5  # the recogniser's next likeliest classes at a step: the readings it gave weight to
# a surname less than e**2 (~7) times as likely as another surname the recogniser saw at its
# step: the margin under which confidence.lines calls a character unsure (UNSURE). Dev reads of
# sessions 26-27 (tools.slips, 1,145 Mainland names): 5 of 25 wrong names (仇 for 仉 at a log
# ratio of 0.08, 魏 for 麴 at 0.93) and 1 of 1,120 right ones, the same from 1.0 to 2.0. First
# set at 1.0, it missed check seed 1400666's 仇晓云 for 仉晓云 at 1.10 (a slip), hence the
# margin the code already had; check reads (673 names): 2 of 14 wrong, 0 of 659 right Han names
SURNAME_TIE = 2.0
_CJK = re.compile("[\u3400-\u9fff]")


@cache
def _counts() -> tuple[dict[str, int], dict[str, int]]:
    """name_chars.tsv: character -> its count in the given-name corpus, and in the text corpus."""
    names: dict[str, int] = {}
    text: dict[str, int] = {}
    table = resources.files(__package__).joinpath("name_chars.tsv").read_text(encoding="utf-8")
    for line in table.splitlines():
        if line and not line.startswith("#"):
            ch, n, t = line.split("\t")
            names[ch], text[ch] = int(n), int(t)
    return names, text


@cache
def _weights() -> tuple[dict[str, float], float]:
    """Character -> log P_name - log P_text (add-one smoothed), and the weight of a character
    neither corpus holds."""
    names, text = _counts()
    n_all, t_all = sum(names.values()) + len(names), sum(text.values()) + len(text)
    weights = {ch: math.log((names[ch] + 1) / n_all) - math.log((text[ch] + 1) / t_all) for ch in names}
    return weights, math.log(1 / n_all) - math.log(1 / t_all)


@cache
def _name_total() -> int:
    return sum(_counts()[0].values())


def name_weight(ch: str) -> float:
    """log P_name(ch) - log P_text(ch): above 0 for a character names bear more than text does."""
    weights, unknown = _weights()
    return weights.get(ch, unknown)


def customary_given_name(line: Line) -> Line:
    """The name's line with each given-name character read without confidence (under
    CONFIDENT) given way to the recogniser's alternative that scores higher weighed as names
    bear them (module doc): the naming customs choose among uncertain readings, as the
    surnames do for the first character. A confident character is never changed. The line
    itself when nothing changed."""
    chars, probs = list(line.text), list(line.char_probs)
    sur = 2 if line.text[:2] in COMPOUND else 1
    for i in range(sur, min(len(chars), len(line.alternatives))):
        if probs[i] >= CONFIDENT:
            continue
        best = max(((a, q) for a, q in line.alternatives[i] if _CJK.fullmatch(a)),
                   key=lambda aq: _score(*aq), default=None)
        if best is not None and best[0] != chars[i] and _score(*best) > _score(chars[i], probs[i]):
            chars[i], probs[i] = best
    if chars == list(line.text):
        return line
    return Line("".join(chars), probs, line.probs, line.quad, line.alternatives)


def unlikely_given_name(name: str, char_probs: list[float], unsure: float) -> bool:
    """A given-name character read unsure (under `unsure`) that names bear less than text does
    and rarely (fewer than RARE_IN_NAMES of the corpus's given-name characters): the
    recogniser's reading is a word's character where a name's was printed (dev 1300424's
    史楼秀 for 史霞秀, 楼 at 0.85 and stated 0.9996). Evidence only: the value is kept.
    `char_probs` are the name's characters' posteriors, one per character."""
    if "·" in name or len(char_probs) != len(name):
        return False
    names, _text = _counts()
    sur = 2 if name[:2] in COMPOUND else 1
    return any(p < unsure and name_weight(ch) < 0 and names.get(ch, 0) < RARE_IN_NAMES * _name_total()
               for ch, p in zip(name[sur:], char_probs[sur:]))


def _score(ch: str, p: float) -> float:
    return math.log(max(p, 1e-9)) + name_weight(ch)


def _spelt_steps(probs: np.ndarray, charset: list[str], name: str) -> np.ndarray | None:
    """The frames at which the best path emits the characters of `name`, or None when the
    path does not spell it."""
    _best, steps, spelt = best_path(probs, charset)
    at = spelt.find(name)
    return None if at < 0 else steps[at: at + len(name)]


def surname_tie(probs: np.ndarray, charset: list[str], name: str) -> float | None:
    """How much likelier (log ratio, nats) the single-character surname read is than the best
    other surname among the recogniser's ALTERNATIVES at its step; None when none of them is a
    surname, the surname is compound, the name is transliterated or the path does not spell it.
    Under SURNAME_TIE the surname list cannot choose: both readings are names (仇春 or 仉春)."""
    if "·" in name or not probs.size or len(name) < 2 or name[:2] in COMPOUND or name[0] not in SINGLE:
        return None
    steps = _spelt_steps(probs, charset, name)
    if steps is None:
        return None
    row = probs[steps[0]]
    read = int(row.argmax())
    order = np.argpartition(-row, ALTERNATIVES)[: ALTERNATIVES + 1]
    others = [float(row[j]) for j in order if int(j) != read and charset[int(j)] in SINGLE]
    if not others:
        return None
    return round(math.log(max(float(row[read]), 1e-9) / max(max(others), 1e-9)), 3)


def given_name_doubt(probs: np.ndarray, charset: list[str], name: str) -> float | None:
    """The least margin, in nats, by which a character of the given name outscores the best of
    the recogniser's ALTERNATIVES at its step (CJK ones), all weighed as names bear them (module
    doc). Below 0: a reading the naming customs prefer was at hand. None when there is nothing
    to weigh: no given name, a transliterated one, or a line whose best path does not spell it."""
    if "·" in name or not probs.size:
        return None
    sur = 2 if name[:2] in COMPOUND else 1
    steps = _spelt_steps(probs, charset, name)
    if steps is None or len(name) <= sur:
        return None
    least = math.inf
    for t in steps[sur:]:
        row = probs[t]
        order = np.argpartition(-row, ALTERNATIVES)[: ALTERNATIVES + 1]
        read = int(row.argmax())
        mine = math.log(max(float(row[read]), 1e-9)) + name_weight(charset[read])
        others = [math.log(max(float(row[j]), 1e-9)) + name_weight(charset[int(j)])
                  for j in order if int(j) != read and _CJK.fullmatch(charset[int(j)])]
        if others:
            least = min(least, mine - max(others))
    return None if least == math.inf else round(least, 3)
