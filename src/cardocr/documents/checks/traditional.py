"""Traditional forms a Mainland card never prints (traditional.tsv, from OpenCC's table:
tools/build_traditional.py).

A Mainland ID card or driving licence prints the standard simplified characters. A traditional
form in its name or address was read wrong, the recogniser's alphabet holding both (dev
1300092's 覃瑤媛 for 覃瑶媛, 瑤 at 0.93, stated 0.97). documents.base.common_forms already
trades an unsure character outside GB 2312 for a likelier one inside it; a sure one stays as
read, and evidence.fits sends its card to review. Rarer simplified characters outside GB 2312
(堃, 喆) are no traditional form and are not listed.
"""

from __future__ import annotations

from functools import cache
from importlib import resources


@cache
def traditional_forms() -> dict[str, str]:
    """Traditional character -> its simplified forms."""
    table = resources.files(__package__).joinpath("traditional.tsv").read_text(encoding="utf-8")
    return dict(line.split("\t", 1) for line in table.splitlines() if line and not line.startswith("#"))


def in_gb2312(ch: str) -> bool:
    """Whether GB 2312, the simplified set every Mainland card's common characters are in,
    holds the character."""
    try:
        ch.encode("gb2312")
    except UnicodeEncodeError:
        return False
    return True


def has_traditional(text: str) -> bool:
    forms = traditional_forms()
    return any(ch in forms for ch in text)
