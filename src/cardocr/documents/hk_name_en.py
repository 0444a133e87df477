"""The English name on a Hong Kong identity card: `SURNAME, Given Names`.

A Chinese holder's English name is the Hong Kong Government Cantonese romanisation of the
Chinese one: the surname and every given-name word is one of a closed list of syllables
(checks/hk_romanisation.tsv; a compound surname such as SZETO is two). Holders with other
names exist (`SUHARTI, Budi`, `GURUNG, Ram Bahadur`, `LAM, Mary Shun Yin`), so the list
never overwrites a reading: a word read without confidence that is not a syllable gives way
to the syllable the pixels support best (CTC likelihood over the whole line) only when that
syllable is nearly as likely as the reading itself.
"""

from __future__ import annotations

import functools
import re
from importlib import resources

import numpy as np

from ..ocr.ctc import char_index, sequence_log_probs
from ..ocr.types import Line
from ..types import CONFIDENT
from .checks.edits import edit_distance
from .checks.hk_romanise import spellings as romanised_spellings

# log-likelihood a syllable may trail the word as read by (about one uncertain letter swapped
# for its runner-up, or two letters the recogniser split its vote on)
SYLLABLE_MARGIN = 4.0
MAX_EDITS = 2  # a syllable further from the word than this is another word, not a misreading
# log-likelihood a spelling of the Chinese name's character may trail the word as read by:
# the characters, confirmed by their telegraph codes, are evidence the syllable list is not
ZH_MARGIN = 8.0
# log-likelihood within which a common English name one letter away from a given name read
# without confidence makes the word one the recogniser could not tell from it (a letter's
# vote split about 7 to 1 or closer)
NAME_NEAR = 2.0


def _word_list(name: str) -> frozenset[str]:
    """The words of a list in checks/, one a line, `#` lines comments."""
    text = resources.files(__package__ + ".checks").joinpath(name).read_text(encoding="utf-8")
    return frozenset(s.strip() for s in text.splitlines() if s.strip() and not s.startswith("#"))


@functools.cache
def syllables() -> frozenset[str]:
    return _word_list("hk_romanisation.tsv")


@functools.cache
def english_given() -> frozenset[str]:
    """Common English given names (checks/english_given.tsv: the 1990 US Census's)."""
    return _word_list("english_given.tsv")


def _likelihoods(probs: np.ndarray, index: dict[str, int], texts: list[str]) -> np.ndarray | None:
    """Each text's CTC log-likelihood over the line's posteriors; None when a character of
    one is not in the recogniser's alphabet."""
    if not all(c in index for t in texts for c in t):
        return None
    return sequence_log_probs(probs, [[index[c] for c in t] for t in texts])


def _deletions(word: str) -> set[str]:
    return {word, *(word[:i] + word[i + 1:] for i in range(len(word)))}


@functools.cache
def _by_deletion() -> dict[str, tuple[str, ...]]:
    """Common English names by each of their one-letter deletions (and themselves): two words
    one edit apart share such a key, so a word's neighbours are found without a scan."""
    index: dict[str, list[str]] = {}
    for name in english_given():
        for key in _deletions(name.upper()):
            index.setdefault(key, []).append(name)
    return {k: tuple(v) for k, v in index.items()}


def _one_letter_from(word: str) -> list[str]:
    found = {n for key in _deletions(word.upper()) for n in _by_deletion().get(key, ())}
    return sorted(n for n in found if edit_distance(n.upper(), word.upper()) == 1)


def near_common_name(ln: Line, text: str, charset: list[str]) -> bool:
    """Whether a given name of `text` (read_name_en's, from the decoded line `ln`) read
    without confidence, neither a syllable nor a common English name, is one letter from a
    common English name the pixels support within NAME_NEAR of it (`Rosalle`, its second l
    nearly an i: Rosalie). Evidence only: the census lacks most South and Southeast Asian
    names (`Sita` is one letter from Rita), so the reading is never changed for it."""
    if ln.probs is None or "," not in text:
        return False
    index = char_index(charset)
    comma = text.index(",")
    for m, sure in zip(re.finditer(r"[A-Za-z]+", text), _sure_words(ln, text)):
        word = m.group(0)
        if sure or m.start() < comma or len(word) < 3 or is_romanised(word) or word in english_given():
            continue
        trials = [text, *(text[:m.start()] + n + text[m.end():] for n in _one_letter_from(word))]
        lp = _likelihoods(ln.probs, index, trials) if len(trials) > 1 else None
        if lp is not None and float(np.max(lp[1:])) > lp[0] - NAME_NEAR:
            return True
    return False


def unvouched_given_name(ln: Line, text: str) -> bool:
    """Whether a given name of `text` (as near_common_name takes it) holds a word read without
    confidence that neither the syllables nor the common English names vouch for: nothing
    can confirm such a reading (`Sinran` for Simran, its m at 0.52, stated 0.998 on dev
    1300463; `Ran` for Ram). Evidence only: South and Southeast Asian names are borne in
    Hong Kong and are not in either list, so such a holder's card goes to a person when a
    letter of the name was unsure. On the HK dev reads of sessions 24-26: 12 of 18 wrong
    English names, 7 of 732 right ones. A word of one letter, read sure or not: the card
    prints given names whole, never an initial, so a lone letter is a word split in two
    (tune 1305462's `Jo Y Ann` for Joy Ann, stated 0.99; no right name of 708 on that read);
    but not the letter of a name written with an apostrophe (D'Arcy, O'Neil)."""
    if "," not in text:
        return False
    comma = text.index(",")
    return any(m.start() > comma and (len(m.group(0)) == 1 and text[m.end():m.end() + 1] != "'"
                                      or not sure and not is_romanised(m.group(0))
                                      and m.group(0).capitalize() not in english_given())
               for m, sure in zip(re.finditer(r"[A-Za-z]+", text), _sure_words(ln, text)))


def is_romanised(word: str) -> bool:
    """One syllable, or two written as one word (SZETO, AUYEUNG)."""
    w, syl = word.upper(), syllables()
    return w in syl or any(w[:i] in syl and w[i:] in syl for i in range(1, len(w)))


def read_name_en(ln: Line, charset: list[str]) -> tuple[str, float, bool]:
    """The name as printed from a line already decoded under the name's alphabet: the
    casing convention (tidy_name_en), then the romanisation choice on each word read
    without confidence. Returns the name, its confidence and whether a word was chosen by
    the syllable list."""
    conf = round(float(min(ln.char_probs)), 4) if ln.char_probs else 0.0
    text = tidy_name_en(ln)
    if ln.probs is None or "," not in text:
        return text, conf, False
    chosen = _choose_syllables(ln, text, charset)
    if chosen != text:
        conf = round(min(conf, CONFIDENT - 0.05), 4)  # the list chose, not the reading alone
    return chosen, conf, chosen != text


def _sure_words(ln: Line, text: str) -> list[bool]:
    """For each word of `text` (the same letters as ln, recased): read with confidence."""
    letters = [p for c, p in zip(ln.text, ln.char_probs) if c.isalpha()]
    sure, pos = [], 0
    for w in re.findall(r"[A-Za-z]+", text):
        sure.append(all(p >= CONFIDENT for p in letters[pos:pos + len(w)]))
        pos += len(w)
    return sure


def _choose_syllables(ln: Line, text: str, charset: list[str]) -> str:
    """Each word of `text` (tidied: the same letters as ln, recased) that was read without
    confidence and is no syllable, against the syllables within MAX_EDITS letters of it."""
    probs = ln.probs
    assert probs is not None
    index = char_index(charset)
    sure = _sure_words(ln, text)
    for k, word_sure in enumerate(sure):
        m = list(re.finditer(r"[A-Za-z]+", text))[k]  # a choice keeps the word count
        word = m.group(0)
        if word_sure or len(word) < 2:
            continue
        # a syllable as read competes only with its neighbours and must be beaten outright;
        # a word that is none gives way to a syllable nearly as likely
        syllabic = is_romanised(word)
        margin = 0.0 if syllabic else SYLLABLE_MARGIN
        surname = m.start() < text.index(",")
        cands = [_cased(s, surname) for s in _near(word.upper(), 1 if syllabic else MAX_EDITS)
                 if s != word.upper()]
        trials = [text[:m.start()] + w + text[m.end():] for w in [_cased(word, surname), *cands]]
        lp = _likelihoods(probs, index, trials) if cands else None
        if lp is None:
            continue
        best = int(np.argmax(lp[1:])) + 1
        if lp[best] > lp[0] - margin:
            text = trials[best]
    return text


def match_chinese(ln: Line, text: str, name: str, charset: list[str]) -> str:
    """The English name `text` (read_name_en's, from the decoded line `ln`) against the
    Chinese name the card prints (and its telegraph codes confirm): a word read without
    confidence that is no spelling of its character gives way to the spelling within
    MAX_EDITS letters the pixels support best (CTC likelihood over the whole line), when that
    is within ZH_MARGIN of the reading (`KONG, Wik Chum` for 江亦進: Yik, Chun). The words
    are tied to the characters from the end of the given names (a Western first name stands
    before them) and, when the counts agree, from the start of the surname; a word of
    unknown characters, or a confident one, stays as read."""
    if ln.probs is None or "," not in text or not name:
        return text
    index = char_index(charset)
    words = list(re.finditer(r"[A-Za-z]+", text))
    comma = text.index(",")
    surname = [m for m in words if m.start() < comma]
    given = [m for m in words if m.start() > comma]
    k = min(len(given), len(name) - len(surname))
    if k <= 0:
        return text
    pairs = list(zip(given[len(given) - k:], name[len(name) - k:]))
    if len(surname) + len(given) == len(name):
        pairs += list(zip(surname, name))
    sure = dict(zip((m.start() for m in words), _sure_words(ln, text)))
    changes: list[tuple[re.Match, str]] = []
    for m, char in pairs:
        word, allowed = m.group(0).upper(), romanised_spellings(char)
        if sure[m.start()] or not allowed or word in allowed:
            continue
        limit = min(MAX_EDITS, len(word) - 1)
        cands = sorted(s for s in allowed if abs(len(s) - len(word)) <= limit and edit_distance(word, s) <= limit)
        in_surname = m.start() < comma
        trials = [text[:m.start()] + _cased(c, in_surname) + text[m.end():] for c in cands]
        lp = _likelihoods(ln.probs, index, [text, *trials]) if trials else None
        if lp is None:
            continue
        best = int(np.argmax(lp[1:])) + 1
        if lp[best] > lp[0] - ZH_MARGIN:
            changes.append((m, _cased(cands[best - 1], in_surname)))
    for m, new in sorted(changes, key=lambda c: -c[0].start()):  # right to left: spans hold
        text = text[:m.start()] + new + text[m.end():]
    return text


def _cased(word: str, surname: bool) -> str:
    return word.upper() if surname else word[:1].upper() + word[1:].lower()


def _near(word: str, edits: int) -> list[str]:
    """Syllables within `edits` letters (insertions, deletions, substitutions) of `word`,
    and at most len(word) - 1 of them: one letter at least was read right."""
    limit = min(edits, len(word) - 1)
    return sorted(s for s in syllables() if abs(len(s) - len(word)) <= limit and edit_distance(word, s) <= limit)



def surname_upper(text: str) -> str:
    """The text with what stands before its first comma in capitals: a small surname card's
    W, O, S and K read in lower case (`wows, Choi Pak`) are the capitals printed there, and
    the role's pattern (hk_fields.RE_NAME_EN) is about the shape, not the recogniser's case."""
    head, comma, tail = text.partition(",")
    return head.upper() + comma + tail if comma else text


def tidy_name_en(ln: Line) -> str:
    """`SURNAME, Given Names`: the surname in capitals, each given name capitalised. The
    surname is printed in capitals only, so every letter before the comma is one; elsewhere
    the convention settles the case only of letters read without confidence (y/Y, o/O, s/S
    look alike at this size); a capital right after a small letter in the given names marks
    a space the crop squeezed out."""
    out: list[str] = []
    comma_seen, word_start = False, True
    has_comma = "," in ln.text  # without it, which word is the surname is not known
    for c, p in zip(ln.text, ln.char_probs):
        if c == ",":
            comma_seen, word_start = True, True
        elif c in " -'":
            word_start = True
        elif c.isalpha():
            if not comma_seen and has_comma:
                c = c.upper()
            elif p < CONFIDENT:
                c = c.upper() if (not comma_seen or word_start) else c.lower()
            if comma_seen and c.isupper() and out and out[-1].islower():
                out.append(" ")
            word_start = False
        out.append(c)
    text = re.sub(r"\s+", " ", "".join(out)).strip(" ,")
    text = re.sub(r"\s*,\s*", ", ", text)
    if has_comma:
        # a given name that is a romanisation syllable is printed capitalised, whatever case
        # a confident letter came back in (HK layout 1300404: `Shun TSz` for `Shun Tsz`)
        head, comma, tail = text.partition(", ")
        text = head + comma + re.sub(r"[A-Za-z]+", lambda m: _cased(m.group(0), False)
                                     if is_romanised(m.group(0)) else m.group(0), tail)
    return text
