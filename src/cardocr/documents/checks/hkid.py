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
    """The check character for a one- or two-letter prefix and six digits.

    >>> hkid_check_digit("A", "123456")
    '3'
    """
    body = (prefix if len(prefix) == 2 else " " + prefix) + digits
    total = sum(w * _value(c) for w, c in zip(range(9, 1, -1), body))
    r = (11 - total % 11) % 11
    return "A" if r == 10 else str(r)


def is_valid_hkid(number: str) -> bool:
    """`number` as printed: ``A123456(3)``."""
    m = NUMBER_RE.match(number)
    return m is not None and hkid_check_digit(m.group(1), m.group(2)) == m.group(3)


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


# Hong Kong shapes (Unihan kHKGlyph: the Education Bureau's list of character shapes) of
# characters whose Unihan telegraph code is a Mainland one: the Taiwan book files the code
# under another shape of the same character (羣 for 群, 姸 for 妍, 峯 for 峰). A Hong Kong
# card prints the Hong Kong shape. Derived from Unicode 15 Unihan (DictionaryLikeData
# kHKGlyph ∩ the "M" lines of telegraph.tsv).
HK_SHAPES = frozenset(
    "佝傻兑刊别匀卧即吆吞咕咚哎唧唬啃啊啥啦喱嗡嗥噙囱坩垮够妍婀媪尅屏峰并恿户扔捂捏揍插搞携既"
    "暨朵梨棵概氲污涮温溉濂犁犄瓶甭瘩癒盯眨睾瞄研祆秣群胳胴臃舔蟑袂跺踩蹦躲醣鞣韵髯"
)

# Simplified forms the Taiwan book also files (吴 beside 吳, 叶 beside 葉): no Hong Kong shape
# of their own, and their traditional form has one (Unihan kTraditionalVariant, kHKGlyph).
# The recogniser, trained mostly on Mainland print, offers them for the traditional forms.
SIMPLIFIED_IN_BOOK = frozenset(
    "万与个丰么价体儿党册冲决况凉减凑凭删刹却厂厘厦厮叠叶吓听吴咏咤响坂坟壳嬷宁尔屉广庄异怀扑"
    "担挂据摇撑无晒机栖椁横气汹洒洼涂淀灯灾猪猫琼瑶痒确碍禀离秆种笋筑粤粮网耻胆脉脚腊苹莅虬蜡"
    "衅衮袜赶踊适遥随隶鼹"
)


def hong_kong_name_chars() -> frozenset[str]:
    """Characters a Chinese name on a Hong Kong card is printed in: the card repeats the
    name as telegraph codes, so its characters are those of the Taiwan/Hong Kong code book
    (traditional forms), plus the Hong Kong shapes of characters that book files under a
    variant shape (`HK_SHAPES`). Simplified forms (阳 for 陽, 吴 for 吳) stay out.

    >>> [c in hong_kong_name_chars() for c in "群羣妍陽阳吳吴"]
    [True, True, True, True, False, True, False]
    """
    return _name_chars()


@functools.cache
def _name_chars() -> frozenset[str]:
    book = _telegraph()
    return (book[2] - SIMPLIFIED_IN_BOOK) | frozenset(c for c in HK_SHAPES if c in book[0])

