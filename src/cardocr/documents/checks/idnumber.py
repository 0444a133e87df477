"""Checks for Mainland China resident identity numbers (GB 11643-1999).

An 18-character number is laid out as::

    RRRRRR YYYYMMDD SSS C
    region birth    seq check

* ``RRRRRR`` -- the GB/T 2260 administrative division code of the place of
  first registration.  Numbers keep the code they were issued with, so codes
  retired since then are still valid (``regions.tsv`` keeps them all).
* ``YYYYMMDD`` -- date of birth.
* ``SSS`` -- sequence number; the last of these digits (the 17th character) is
  odd for men and even for women.
* ``C`` -- ISO 7064 MOD 11-2 check character, ``0``-``9`` or ``X``.

The older 15-digit numbers (``RRRRRR YYMMDD SSS``, no check character, 1900s
births) are understood by :func:`birth_from_number` and
:func:`sex_from_number`; they have no check character to verify.

Nothing here logs or stores the numbers it is given.
"""

from __future__ import annotations

import functools
from importlib import resources

from .dates import fmt, parse_date

__all__ = [
    "WEIGHTS",
    "birth_from_number",
    "candidates_repairing_check",
    "check_char",
    "is_valid_check",
    "region_known",
    "region_name",
    "sex_from_number",
]

#: Weights of the first 17 digits, ``2**(17 - i) mod 11`` for i = 0..16.
WEIGHTS: tuple[int, ...] = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK_MAP = "10X98765432"  # indexed by (weighted sum) % 11
_DIGITS = frozenset("0123456789")
_CHECK_CHARS = frozenset(_CHECK_MAP)


def _is_digits(s: str) -> bool:
    # str.isdigit() also accepts e.g. superscripts and fullwidth digits.
    return bool(s) and all(c in _DIGITS for c in s)


def check_char(first17: str) -> str:
    """Return the check character for the first 17 digits of an ID number.

    >>> check_char("11010519491231002")
    'X'
    >>> check_char("31010119861020322")  # the card specimen prints 2 here
    '9'
    >>> check_char("1234")
    Traceback (most recent call last):
        ...
    ValueError: expected 17 ASCII digits
    """
    if len(first17) != 17 or not _is_digits(first17):
        raise ValueError("expected 17 ASCII digits")
    total = sum(int(c) * w for c, w in zip(first17, WEIGHTS))
    return _CHECK_MAP[total % 11]


def is_valid_check(number: str) -> bool:
    """True if ``number`` is 18 characters long and its check character fits.

    A lowercase ``x`` is accepted as ``X``.  Only the check character is
    verified: see :func:`birth_from_number` and :func:`region_known` for the
    other fields.

    >>> is_valid_check("11010519491231002X")
    True
    >>> is_valid_check("11010519491231002x")
    True
    >>> is_valid_check("310101198610203222")  # the well-known card specimen
    False
    >>> is_valid_check("11010519491231002")
    False
    >>> is_valid_check("1101051949123100XX")
    False
    """
    if not isinstance(number, str) or len(number) != 18:
        return False
    body, last = number[:17], number[17].upper()
    if not _is_digits(body) or last not in _CHECK_CHARS:
        return False
    return check_char(body) == last


def _birth_digits(number: str) -> str | None:
    if len(number) == 18 and _is_digits(number[:17]):
        return number[6:14]
    if len(number) == 15 and _is_digits(number):
        return "19" + number[6:12]
    return None


def birth_from_number(number: str) -> str | None:
    """Date of birth ``"YYYY-MM-DD"`` encoded in an ID number, if it is a real date.

    Works for 18-digit numbers (check character not verified here) and for
    old 15-digit numbers (births in the 1900s).

    >>> birth_from_number("11010519491231002X")
    '1949-12-31'
    >>> birth_from_number("110105194902300021") is None  # 30 February
    True
    >>> birth_from_number("110105491231002")
    '1949-12-31'
    >>> birth_from_number("abc") is None
    True
    """
    if not isinstance(number, str):
        return None
    digits = _birth_digits(number)
    if digits is None:
        return None
    d = parse_date(digits)
    return fmt(d) if d is not None else None


def sex_from_number(number: str) -> str | None:
    """``"男"`` if the sequence number is odd, ``"女"`` if even.

    The digit read is the 17th of an 18-digit number (the 15th of an old
    15-digit one).

    >>> sex_from_number("11010519491231002X")
    '女'
    >>> sex_from_number("110105194912310011")
    '男'
    >>> sex_from_number("12") is None
    True
    """
    if not isinstance(number, str):
        return None
    if len(number) == 18 and _is_digits(number[:17]):
        digit = number[16]
    elif len(number) == 15 and _is_digits(number):
        digit = number[14]
    else:
        return None
    return "男" if int(digit) % 2 == 1 else "女"


# --------------------------------------------------------------------------
# Region codes (GB/T 2260)
# --------------------------------------------------------------------------


@functools.cache
def _regions() -> dict[str, str]:
    """Load regions.tsv once (code -> latest name); comment lines start with #."""
    text = resources.files(__package__).joinpath("regions.tsv").read_text(encoding="utf-8")
    table: dict[str, str] = {}
    for line in text.splitlines():
        if not line or line.startswith("#"):
            continue
        code, _, name = line.partition("\t")
        table[code] = name
    return table


def region_name(code6: str) -> str | None:
    """Name of the division with exactly this 6-digit code, or None.

    Retired codes give the last name they had.  Placeholder rows of the
    standard (e.g. ``"市辖区"``) are returned as they are.

    >>> region_name("110105")
    '朝阳区'
    >>> region_name("110000")
    '北京市'
    >>> region_name("110103")  # retired in 2010 (merged into 东城区)
    '崇文区'
    >>> region_name("999999") is None
    True
    """
    if not isinstance(code6, str) or len(code6) != 6:
        return None
    return _regions().get(code6)


def region_known(code6: str) -> bool:
    """True if a 6-digit code is a plausible GB/T 2260 division code.

    The code is known when it is listed itself (current or retired), or --
    as a fallback for counties missing from the table -- when its prefecture
    (first 4 digits + ``"00"``) is listed.  The table (``regions.tsv``) holds
    every code of the 1980-2017 revisions plus the 2023 statistics codes.

    >>> region_known("110105")
    True
    >>> region_known("110103")  # retired code, still on old cards
    True
    >>> region_known("110199")  # unlisted county, but prefecture 110100 is listed
    True
    >>> region_known("990101")
    False
    >>> region_known("11010")
    False
    """
    if not isinstance(code6, str) or len(code6) != 6 or not _is_digits(code6):
        return False
    table = _regions()
    if code6 in table:
        return True
    if code6[2:] == "0000":
        return False
    return code6[:4] + "00" in table


# --------------------------------------------------------------------------
# Repairing an OCR reading with the check character
# --------------------------------------------------------------------------


def _clean_alternatives(pos: int, alts: list[tuple[str, float]]) -> list[tuple[str, float]]:
    """Keep alternatives that can stand at ``pos``; first occurrence of a char wins."""
    allowed = _CHECK_CHARS if pos == 17 else _DIGITS
    seen: set[str] = set()
    out: list[tuple[str, float]] = []
    for ch, p in alts:
        ch = ch.upper() if pos == 17 else ch
        if ch in allowed and ch not in seen:
            seen.add(ch)
            out.append((ch, float(p)))
    return out


def candidates_repairing_check(
    chars: list[list[tuple[str, float]]],
    max_changes: int = 2,
    confident: float = 0.9,
) -> list[tuple[str, float]]:
    """Readings of an 18-character ID number that pass the check character.

    ``chars`` holds, for each of the 18 positions, the OCR's alternatives as
    ``(char, probability)`` pairs, best first.  The top-1 reading is changed
    only at positions whose top probability is below ``confident``, at no
    more than ``max_changes`` positions, and only to alternatives the OCR
    offered there.  Returns ``(reading, joint probability)`` pairs, best
    first, the joint probability being the product over the 18 positions.
    If the top-1 reading passes as it is, it comes first, unchanged.  An empty
    list means no allowed repair passes.

    Alternatives that cannot stand at a position (a letter among the first 17,
    anything but a digit or ``X`` last) are ignored; ``x`` is read as ``X``.
    A top-1 char that cannot stand where it is must be changed (so it must be
    below ``confident``).  One substitution never turns a valid number into
    another valid one, so a single change only repairs a failing reading.

    Cost: the last change of each combination is looked up, not tried, so
    ``max_changes=2`` takes milliseconds; 3 changes over 18 uncertain
    positions with 10 alternatives each give ~55,000 readings in ~0.5 s.

    The top-1 reading of the example below misreads a 2 as a 7:

    >>> top = "11010519491231007X"
    >>> chars = [[(c, 0.99)] for c in top]
    >>> chars[16] = [("7", 0.6), ("2", 0.3), ("1", 0.1)]
    >>> [(s, round(p, 4)) for s, p in candidates_repairing_check(chars)]
    [('11010519491231002X', 0.2529)]

    A reading that already passes comes back first, unchanged:

    >>> chars[16] = [("2", 0.6), ("7", 0.4)]
    >>> candidates_repairing_check(chars)[0][0]
    '11010519491231002X'

    Confident positions are never changed:

    >>> chars[16] = [("7", 0.95), ("2", 0.05)]
    >>> candidates_repairing_check(chars)
    []
    """
    if len(chars) != 18:
        raise ValueError("expected alternatives for 18 positions")
    if max_changes < 0:
        raise ValueError("max_changes must be >= 0")
    if any(not a for a in chars):
        return []

    # The check works on a weighted sum: with weight 1 for the check
    # position and X = 10, a number is valid iff the sum is 1 (mod 11).
    # Each change adds a known amount (mod 11) to it, so the last change of
    # a combination can be looked up instead of tried.
    weights = WEIGHTS + (1,)
    top_chars: list[str] = []
    top_probs: list[float] = []
    top_vals: list[int] = []
    forced: set[int] = set()  # positions whose top-1 char cannot stand there
    for i, a in enumerate(chars):
        ch, p = a[0]
        ch = ch.upper() if i == 17 else ch
        top_chars.append(ch)
        top_probs.append(float(p))
        val = _char_value(i, ch)
        if val is None:
            forced.add(i)
            val = 0
        top_vals.append(val)

    changeable = [i for i in range(18) if top_probs[i] < confident]
    if not forced <= set(changeable) or len(forced) > max_changes:
        return []

    # For each changeable position: offered replacements grouped by the
    # amount they add to the weighted sum.
    by_delta: dict[int, dict[int, list[tuple[str, float]]]] = {}
    for i in changeable:
        groups: dict[int, list[tuple[str, float]]] = {}
        for ch, p in _clean_alternatives(i, chars[i]):
            if ch == top_chars[i] or p <= 0:
                continue
            val = _char_value(i, ch)
            assert val is not None  # _clean_alternatives keeps only chars that can stand at i
            delta = weights[i] * (val - top_vals[i]) % 11
            groups.setdefault(delta, []).append((ch, p))
        if groups:
            by_delta[i] = groups
    positions = [i for i in changeable if i in by_delta]
    if not forced <= set(positions):
        return []

    results: list[tuple[str, float]] = []

    def record(changes: list[tuple[int, str, float]]) -> None:
        if forced and len(forced) != sum(1 for i, _, _ in changes if i in forced):
            return
        reading = list(top_chars)
        probs = list(top_probs)
        for i, ch, p in changes:
            reading[i] = ch
            probs[i] = p
        prob = 1.0
        for p in probs:
            prob *= p
        results.append(("".join(reading), prob))

    start_sum = sum(w * v for w, v in zip(weights, top_vals)) % 11

    def search(start: int, left: int, total: int, changes: list[tuple[int, str, float]]) -> None:
        if total == 1:
            record(changes)
        if left == 0:
            return
        for j in range(start, len(positions)):
            pos = positions[j]
            groups = by_delta[pos]
            if left == 1:
                for ch, p in groups.get((1 - total) % 11, ()):
                    record(changes + [(pos, ch, p)])
            else:
                for delta, opts in groups.items():
                    for ch, p in opts:
                        search(j + 1, left - 1, (total + delta) % 11, changes + [(pos, ch, p)])
            if pos in forced:  # a forced position cannot be skipped
                break

    search(0, max_changes, start_sum, [])

    # Best first; the unchanged top-1 reading (if it passes) always leads.
    top_str = "".join(top_chars)
    results.sort(key=lambda r: (r[0] != top_str, -r[1], r[0]))
    return results


def _char_value(pos: int, ch: str) -> int | None:
    """Numeric value of ``ch`` at ``pos`` for the check sum, None if impossible."""
    if ch in _DIGITS and len(ch) == 1:
        return int(ch)
    if pos == 17 and ch == "X":
        return 10
    return None
