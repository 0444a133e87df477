"""The Hong Kong identity card's fields read from recognised lines: pure text and likelihood
work, no pixels and no positions (hk_id_card.py finds the lines and gives each its role).

Every field has a shape of its own (`SPECS` says which characters a role may hold, the
`RE_` patterns what it looks like), and each reader re-decodes its line under its role's
alphabet, then uses what the card repeats: the number's check digit, the telegraph codes of
the Chinese name, the symbols' grammar and the order of the dates. A check chooses among the
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


_FOLD_STAR = str.maketrans({"＊": "*", "★": "*"})  # a star named in another form
BIRTHPLACE = "ZXWO"  # the last symbol: born in Hong Kong, the Mainland, Macao, elsewhere
STATUS = "ARCU"  # the symbol before it: the holder's right of abode, right to land, stay
# stars, reported changes (B birth, N name), then the status (A right of abode, R right to
# land, C / U limited stay; C also marks a permanent resident first registered with a limited
# stay), then the place of birth
RE_SYMBOLS = re.compile(r"(?P<stars>\*{0,3})[BN]{0,2}(?P<status>C?[AR]|[CU])[ZXWO]")
STAR_PRIOR = {  # how many stars a card carries: *** for adults, * for 11-17 year olds
    True: (0.07, 0.02, 0.06, 0.85),
    False: (0.10, 0.85, 0.025, 0.025),
    None: (0.10, 0.20, 0.10, 0.60),
}


def read_symbols(line: Line, charset: list[str], adult: bool | None = None,
                 ink_before: bool = False) -> tuple[str, float]:
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
    cannot count them and the age-at-issue prior does."""
    ln = decode(line, charset, "symbols")
    text = ln.text
    if not text or line.probs is None:
        return text, min_conf(ln)
    last_star = text.rfind("*")
    lead = last_star + 1 if last_star >= 0 else len(text) - len(text.lstrip("WX"))
    # glyphs read before the letters that the line's alphabet has no place for (为, m, ：):
    # stars the recogniser could not name (a large or blurred star, or three run together),
    # so at least one star, as many as the pixels cannot count; and so are the letters made of
    # them, after a named star too (dev HK 1500003 thumb: ★古方AZ, decoded *NNAZ, read ***NAZ)
    raw = line.text.translate(_FOLD_STAR)
    first_letter = next((i for i, c in enumerate(raw) if c in UPPER), len(raw))
    # (a digit is a letter misread: 6 for A, 2 for Z)
    foreign = any(c not in SPECS["symbols"] and not c.isdigit() for c in raw[:first_letter])
    if foreign and raw[first_letter:] and text.endswith(raw[first_letter:]):
        lead = max(lead, len(text) - len(raw[first_letter:]))
    starts = [lead]
    while starts[-1] < len(text) - 1 and ln.char_probs[starts[-1]] < CONFIDENT:
        starts.append(starts[-1] + 1)
    index = char_index(charset)
    # stars named with confidence are counted as named; otherwise glyphs are counted
    named = any(c == "*" and p >= CONFIDENT for c, p in zip(text, ln.char_probs))
    scoring = line.probs if named else _stars_as_glyphs(line.probs, index)
    prior = STAR_PRIOR.get(adult, STAR_PRIOR[None])
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
                scores.append(sequence_log_prob(scoring, [index[c] for c in scored]) + np.log(prior[k]))
                tail_confs.append(min(ln.char_probs[j:], default=1.0))
    if not words:
        return text, min_conf(ln)
    valid = [i for i, w in enumerate(words) if RE_SYMBOLS.fullmatch(w)]
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
