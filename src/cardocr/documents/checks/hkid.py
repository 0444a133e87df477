"""Checks for Hong Kong identity cards: the HKID check digit and the telegraph codes.

An HKID number is one or two letters, six digits and a check digit printed in parentheses,
e.g. ``A123456(3)``. The check digit makes the weighted sum divisible by 11: weights 9..2
run over the eight leading positions, where a one-letter prefix is padded with a space that
counts 36, letters count A=10 … Z=35 and digits their value; a check of 10 prints as ``A``.

Every character of the Chinese name is repeated on the card as its four-digit Chinese
commercial (telegraph) code; ``telegraph.tsv`` is generated from Unicode's Unihan data
(``kTaiwanTelegraph``, the code book Hong Kong uses) by ``tools/build_telegraph.py``.

Nothing here logs or stores the values it is given.
"""

from __future__ import annotations

import functools
import re
from importlib import resources

NUMBER_RE = re.compile(r"^([A-Z]{1,2})(\d{6})\(([0-9A])\)$")


def _value(ch: str) -> int:
    if ch == " ":
        return 36
    if ch.isdigit():
        return int(ch)
    return ord(ch) - ord("A") + 10


def hkid_check_digit(prefix: str, digits: str) -> str:
    """>>> hkid_check_digit("A", "123456")
    '3'"""
    body = (prefix if len(prefix) == 2 else " " + prefix) + digits
    total = sum(w * _value(c) for w, c in zip(range(9, 1, -1), body))
    r = (11 - total % 11) % 11
    return "A" if r == 10 else str(r)


def is_valid_hkid(number: str) -> bool:
    """`number` as printed: ``A123456(3)``."""
    m = NUMBER_RE.match(number)
    return bool(m) and hkid_check_digit(m.group(1), m.group(2)) == m.group(3)


@functools.cache
def _telegraph() -> tuple[dict[str, str], dict[str, list[str]], frozenset[str]]:
    by_char: dict[str, str] = {}
    by_code: dict[str, list[str]] = {}
    taiwan: set[str] = set()
    text = resources.files(__package__).joinpath("telegraph.tsv").read_text(encoding="utf-8")
    for line in text.splitlines():
        if not line or line.startswith("#"):
            continue
        ch, code, book = line.split("\t")
        by_char[ch] = code
        by_code.setdefault(code, []).append(ch)
        if book == "T":
            taiwan.add(ch)
    return by_char, by_code, frozenset(taiwan)


def telegraph_code(ch: str) -> str | None:
    return _telegraph()[0].get(ch)


def chars_for_code(code: str) -> list[str]:
    """Characters that carry this telegraph code (usually one; variants share some codes)."""
    return list(_telegraph()[1].get(code, ()))


def hong_kong_name_chars() -> frozenset[str]:
    """Characters of the Taiwan/Hong Kong code book: a Chinese name on a Hong Kong card is
    printed with its codes, so its characters come from this book (traditional forms)."""
    return _telegraph()[2]

