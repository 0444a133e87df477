"""The Hong Kong identity card's fields read from recognised lines: pure text and likelihood
work, no pixels and no positions (hk_id_card.py finds the lines and gives each its role).

Every field has a shape of its own (`SPECS` says which characters a role may hold, the
`RE_` patterns what it looks like), and each reader re-decodes its line under its role's
alphabet, then uses what the card repeats: the number's check digit, the telegraph codes of
the Chinese name and the order of the dates (the symbols: hk_symbols.py). A check chooses among the
recogniser's uncertain readings and raises or lowers the reported confidence; it never
replaces a character read with confidence.
"""

from __future__ import annotations

import functools
import itertools
import re

import numpy as np

from ..ocr.ctc import alphabet, best_of, char_index, greedy_decode, sequence_log_prob
from ..ocr.types import Line
from ..types import CONFIDENT, Reading
from .checks.hkid import chars_for_code, hong_kong_name_chars, is_valid_hkid, telegraph_code

NAME_MARGIN = 8.0  # log-likelihood a name the telegraph codes propose may trail the raw reading by

UPPER = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
DIGITS = "0123456789"
SPECS = {
    "number": UPPER + DIGITS + "()",
    "issue_date": DIGITS + "-() ",  # the 2003 card prints it beside the (MM-YY) first issue
    "initial_issue_date": DIGITS + "-()",
    "birth": DIGITS + "-男女MF ",
    "symbols": UPPER + "*",
    "telegraph": DIGITS + " ",
    "name_en": UPPER + UPPER.lower() + ", -'",
}

RE_NUMBER = re.compile(r"[A-Z]{1,2}\d{6}\(?[0-9A]\)?")
RE_NUMBER_LOOSE = re.compile(r"[A-Z0-9]{1,2}\d{6}\([0-9A]\)?")  # the letter misread as a digit
RE_ISSUE = re.compile(r"(?<![\d(])\d{2}-\d{2}-\d{2}(?![\d)])")
RE_INITIAL = re.compile(r"\(\d{2}-\d{2}\)")
RE_BIRTH = re.compile(r"\d{2}-\d{2}-\d{4}")
RE_TELEGRAPH = re.compile(r"^\d{4}(?: ?\d{4}){0,4}$")
RE_NAME_EN = re.compile(r"^[A-Z][A-Z' -]*,\s*[A-Za-z' -]+$")
RE_LATIN_NAME = re.compile(r"^[A-Z][A-Za-z' -]{2,}$")
RE_CJK = re.compile(r"^[\u3400-\u9fff]{1,6}$")


# -- decoding ----------------------------------------------------------------------------

# A date's dash printed in another face, or blurred, is read as a look-alike the date's
# alphabet leaves out, with all the mass on it (HK layout 1300404: `15=04=19`, '-' at 1e-5):
# cut out, the dash became a blank and the issue date was lost. Under a date's alphabet the
# look-alikes' mass counts for the dash.
DASH_LIKE = "=≈–—－_~"
DATE_ROLES = ("issue_date", "initial_issue_date", "birth")


def decode(line: Line, charset: list[str], role: str) -> Line:
    """The line re-decoded under the alphabet of its role (a key of SPECS, or "name")."""
    if line.probs is None:
        return line
    probs = line.probs
    if role in DATE_ROLES and any(c in line.text for c in DASH_LIKE):
        probs = _fold_dashes(probs, charset)
    return greedy_decode(probs, charset, alphabet(charset, _name_spec() if role == "name" else SPECS[role]))


def _fold_dashes(probs: np.ndarray, charset: list[str]) -> np.ndarray:
    index = char_index(charset)
    like = [index[c] for c in DASH_LIKE if c in index]
    if "-" not in index or not like:
        return probs
    out = probs.copy()
    out[:, index["-"]] += out[:, like].sum(axis=1)
    out[:, like] = 0.0
    return out


@functools.cache
def _name_spec() -> str:
    """A name the card prints with telegraph codes is written in characters of the code book:
    this alphabet keeps the recogniser's simplified forms (阳 for 陽) out."""
    return "".join(sorted(hong_kong_name_chars()))


def min_conf(line: Line, chars: slice | None = None) -> float:
    """A line (or the characters `chars` of it) is as sure as its least certain character."""
    probs = line.char_probs[chars] if chars is not None else line.char_probs
    return round(float(min(probs)), 4) if probs else 0.0


def _span_conf(line: Line, start: int, end: int) -> float:
    return min_conf(line, slice(start, end))


# -- fields ------------------------------------------------------------------------------

def read_number(line: Line, charset: list[str]) -> tuple[str, float]:
    """`C668668(E)` as printed. When the check digit fails, a character read without confidence
    may change to an alternative the recogniser offered, if that makes the check hold."""
    ln = decode(line, charset, "number")
    m = RE_NUMBER.search(ln.text)
    if not m:
        ln = _letter_prefix(ln, charset)
        m = RE_NUMBER.search(ln.text)
    if not m:
        return ln.text, round(min_conf(ln) * 0.5, 4)
    s, e = m.span()
    text, probs, alts = ln.text[s:e], ln.char_probs[s:e], ln.alternatives[s:e]
    body = [(c, p, a) for c, p, a in zip(text, probs, alts) if c not in "()"]
    printed = _format_number("".join(c for c, _, _ in body))
    conf = min(p for _, p, _ in body)
    if is_valid_hkid(printed):
        return printed, _boost(conf)
    # try changing up to two uncertain characters
    uncertain = [i for i, (_, p, _) in enumerate(body) if p < CONFIDENT]
    chars = [c for c, _, _ in body]
    best: tuple[float, str] | None = None
    for k in (1, 2):
        for pos in itertools.combinations(uncertain, k):
            options = [[(a, pa) for a, pa in body[i][2] if a != chars[i] and a not in "()"] for i in pos]
            for combo in itertools.product(*options):
                trial = chars[:]
                score = 1.0
                for i, (a, pa) in zip(pos, combo):
                    trial[i] = a
                    score *= pa / max(body[i][1], 1e-6)
                cand = _format_number("".join(trial))
                if is_valid_hkid(cand) and (best is None or score > best[0]):
                    best = (score, cand)
        if best is not None:
            return best[1], round(min(conf, 0.85), 4)
    return printed, round(conf * 0.6, 4)


def _letter_prefix(ln: Line, charset: list[str]) -> Line:
    """Seven digits before the parenthesis: the number starts with a letter, so its first
    character is a letter the recogniser misread as a digit (Z→2, S→5, B→8). The letter the
    pixels support best takes its place, with its share of the likelihood as probability."""
    m = re.match(r"^\d(\d{6}\(?[0-9A]\)?)", ln.text)
    if not m or ln.probs is None:
        return ln
    rest = ln.text[1:]
    best, share = best_of(ln.probs, charset, [a + rest for a in UPPER])
    if not best:
        return ln
    return Line(text=best, char_probs=[share] + ln.char_probs[1:], probs=ln.probs,
                alternatives=[[(best[0], share)]] + ln.alternatives[1:])


def _format_number(raw: str) -> str:
    """Letters+6 digits+check → `L123456(C)`; anything else comes back as read."""
    m = re.fullmatch(r"([A-Z]{1,2})(\d{6})([0-9A])", raw)
    return f"{m.group(1)}{m.group(2)}({m.group(3)})" if m else raw


def read_birth_sex(lines: list[Line], charset: list[str], extra: list[Line] | None = None
                    ) -> tuple[str, str, float, float]:
    """`03-06-1985 女 F`: the date, then the sex printed twice (the second part may come as
    boxes of its own, `lines[1:]`, or from a crop read on purpose, `extra`)."""
    lines = lines + (extra or [])
    ln = decode(lines[0], charset, "birth")
    m = RE_BIRTH.search(ln.text)
    if not m:
        return "", "", 0.0, 0.0
    birth, birth_conf = m.group(0), _span_conf(ln, *m.span())
    tail = list(zip(ln.text[m.end():], ln.char_probs[m.end():]))
    for more in lines[1:]:
        e = decode(more, charset, "birth")
        tail += list(zip(e.text, e.char_probs))
    # each half of 女 F / 男 M votes with its probability
    votes = {"F": 0.0, "M": 0.0}
    for c, p in tail:
        if c in "女F":
            votes["F"] += p
        elif c in "男M":
            votes["M"] += p
    total = votes["F"] + votes["M"]
    if total == 0 and lines[0].probs is not None:
        # nothing read after the date: the pixels choose between the two printed forms
        forms = {"M": ("男M", "男 M", "M"), "F": ("女F", "女 F", "F")}
        words = [birth + sep + f for k in forms for f in forms[k] for sep in ("", " ")]
        best, share = best_of(lines[0].probs, charset, words)
        if best:
            sex = "F" if best.endswith("F") else "M"
            return birth, sex, birth_conf, round(min(share, 0.8), 4)
    if total == 0:
        return birth, "", birth_conf, 0.0
    sex = "F" if votes["F"] >= votes["M"] else "M"
    sex_conf = votes[sex] / total * min(1.0, total)
    return birth, sex, birth_conf, round(sex_conf, 4)


def read_pattern(line: Line, charset: list[str], role: str, pattern: re.Pattern,
                  after: re.Pattern | None = None) -> tuple[str, float]:
    """The first match of `pattern` in the line re-decoded for its role (past a match of
    `after`, when given), and its confidence."""
    ln = decode(line, charset, role)
    start = 0
    if after is not None:
        a = after.search(ln.text)
        start = a.end() if a else 0
    m = pattern.search(ln.text, start)
    if not m:
        return "", 0.0
    return m.group(0), _span_conf(ln, *m.span())


def read_telegraph(line: Line, charset: list[str]) -> tuple[list[str], list[float]]:
    """Four-digit groups; the spaces between them are not trusted (the detector's crop may
    squeeze them), the digit count is."""
    ln = decode(line, charset, "telegraph")
    digits = [(c, p) for c, p in zip(ln.text, ln.char_probs) if c.isdigit()]
    if not digits or len(digits) % 4:
        return [], []
    codes = ["".join(c for c, _ in digits[i:i + 4]) for i in range(0, len(digits), 4)]
    probs = [min(p for _, p in digits[i:i + 4]) for i in range(0, len(digits), 4)]
    return codes, probs


def name_and_codes(line: Line, charset: list[str], codes: list[str], code_probs: list[float],
                    reading: Reading) -> tuple[str, float, list[str], float]:
    """The Chinese name and its telegraph codes, each checked against the other. Returns
    name, its confidence, codes, their confidence."""
    ln = decode(line, charset, "name")
    name, probs = ln.text, ln.char_probs
    if not name:
        return "", 0.0, codes, round(min(code_probs), 4) if code_probs else 0.0
    name_codes = [telegraph_code(c) for c in name]
    code_conf = min(code_probs) if code_probs else 0.0
    if codes and name_codes == codes:
        both = _boost(min(min(probs), code_conf))
        return name, both, codes, both
    # Where a name character disagrees with its code and was read without confidence, or
    # its code was read with confidence, the code proposes the characters it stands for (a
    # traditional form and its simplified twin share codes); the pixels choose among them. A
    # sure code outweighs a sure character: four digits of ten classes each rarely misread
    # into another name's character, while a character of thousands of classes takes a
    # look-alike with confidence (HK small 1300046: 瓊 read 理 at 0.95, its code 3890 read at
    # 0.95). The choice must stay close to what was read, so a misread code cannot pull in an
    # unrelated character.
    if codes and len(codes) == len(name) and line.probs is not None:
        options, changed = [], False
        for c, p, code, code_p in zip(name, probs, codes, code_probs):
            alts = [a for a in chars_for_code(code) if a in hong_kong_name_chars()]
            if telegraph_code(c) != code and (p < CONFIDENT or code_p >= CONFIDENT) and alts:
                options.append(alts)
                changed = True
            else:
                options.append([c])
        if changed:
            words = ["".join(w) for w in itertools.product(*options)][:64]
            index = char_index(charset)
            words = [w for w in words if all(ch in index for ch in w)]
            if words:
                best, share = best_of(line.probs, charset, words)
                raw_lp = sequence_log_prob(line.probs, [index[c] for c in name]) if all(
                    c in index for c in name) else -np.inf
                best_lp = sequence_log_prob(line.probs, [index[c] for c in best])
                if best_lp >= raw_lp - NAME_MARGIN:
                    reading.corrections.append(("name", "agrees with the telegraph codes"))
                    ok = [telegraph_code(c) for c in best] == codes
                    conf = min(share, code_conf, CONFIDENT - 0.01) if ok else 0.3
                    return best, round(conf, 4), codes, round(min(code_conf, CONFIDENT - 0.01), 4)
    # where the name is sure and a code is not, the name's own code stands in
    if all(k is not None for k in name_codes) and min(probs) >= CONFIDENT:
        if len(codes) == len(name) and all(k == c or cp < CONFIDENT
                                           for k, c, cp in zip(name_codes, codes, code_probs)):
            reading.corrections.append(("name_telegraph_code", "agrees with the Chinese name"))
            return name, _boost(min(probs)), list(name_codes), CONFIDENT - 0.01  # type: ignore[arg-type]
    # disagreement nobody can settle: both as read, neither vouched for
    return name, round(min(probs) * 0.6, 4), codes, round(code_conf * 0.6, 4)


# -- what the card repeats ------------------------------------------------------------------

def _boost(p: float) -> float:
    """A reading that also passes its check is more trustworthy than its weakest character
    says: the check would have caught most misreads."""
    return round(1.0 - (1.0 - p) * 0.2, 4)


TITLES = {  # permanent?: the title as printed, with and without the spaces a reading may drop
    True: ("香港永久性居民身份證", "HONG KONG PERMANENT IDENTITY CARD", "HONGKONGPERMANENTIDENTITYCARD"),
    False: ("香港居民身份證", "HONG KONG IDENTITY CARD", "HONGKONGIDENTITYCARD"),
}


def read_permanent(title: list[Line], charset: list[str]) -> tuple[bool, float]:
    """From the card's title (香港永久性居民身份證 / HONG KONG PERMANENT IDENTITY CARD or the
    shorter non-permanent one): each title line votes for the title the pixels support best,
    weighted by how sure it is."""
    score = {True: 0.0, False: 0.0}
    lines = 0
    for s in title:
        if s.probs is None:
            continue
        zh = any("\u3400" <= c <= "\u9fff" for c in s.text)
        words = [w for flag in (True, False) for w in TITLES[flag] if (w[0] == "香") == zh]
        best, share = best_of(s.probs, charset, words)
        if not best:
            continue
        flag = best in TITLES[True]
        score[flag] += share
        score[not flag] += 1.0 - share
        lines += 1
    if not lines:
        return False, 0.0
    permanent = score[True] > score[False]
    return permanent, round(score[permanent] / lines, 4)
