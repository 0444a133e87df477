"""The start of a Mainland address from the division table: province, city, county.

An address on the ID card and the licence begins with its divisions as GB/T 2260 names them
(`四川省成都市金牛区`, `北京市海淀区`, `湖北省仙桃市`), so an uncertain reading of that start
(`20川省成都市…`, `北0市海2区…`, `龙江省…`) is compared with the real names it may be. A name is
taken only if the pixels support the whole line with it nearly as well as the raw reading
and it keeps every character read with confidence; the rest of the line stays as read.
"""

from __future__ import annotations

from functools import cache

import numpy as np

from ...ocr.ctc import char_index, sequence_log_prob, sequence_log_probs
from ...ocr.types import Line
from ...types import CONFIDENT
from .idnumber import _regions

PLACEHOLDERS = ("市辖区", "县", "省直辖县级行政区划", "自治区直辖县级行政区划")
# log-likelihood the line with a division name may trail the raw reading by
PREFIX_MARGIN = 6.0
LOOK = 12  # characters at the start of a line that may belong to the divisions
MAX_CANDIDATES = 40


@cache
def address_prefixes() -> tuple[str, ...]:
    """Every way an address may start: a province, a province and its city, and those with a
    county or district (a municipality's districts and a province's directly administered
    cities follow the province itself)."""
    table = _regions()
    out: set[str] = set()
    for code, name in table.items():
        if name in PLACEHOLDERS:
            continue
        province = table.get(code[:2] + "0000", "")
        if code.endswith("0000"):
            out.add(name)
        elif code.endswith("00"):
            out.add(province + name)
        else:
            city = table.get(code[:4] + "00", "")
            out.add(province + (city if city and city not in PLACEHOLDERS else "") + name)
    return tuple(sorted(out))


@cache
def _by_char() -> dict[str, list[int]]:
    index: dict[str, list[int]] = {}
    for i, name in enumerate(address_prefixes()):
        for ch in set(name) - set("省市区县自治州"):
            index.setdefault(ch, []).append(i)
    return index


def _similar(head: str) -> list[str]:
    names = address_prefixes()
    counts: dict[int, int] = {}
    for ch in set(head) - set("省市区县自治州"):
        for i in _by_char().get(ch, ()):
            counts[i] = counts.get(i, 0) + 1
    ranked = sorted(counts, key=lambda i: (-counts[i], -len(names[i])))
    return [names[i] for i in ranked[:MAX_CANDIDATES]]


def choose_prefix(line: Line, charset: list[str]) -> tuple[str, bool]:
    """The line with its start chosen among the division names the pixels support, when a
    character there was read without confidence; (text, whether a name was taken)."""
    text, probs = line.text, line.char_probs
    if line.probs is None or not text or min(probs[:LOOK], default=1.0) >= CONFIDENT:
        return text, False
    index = char_index(charset)
    if not all(c in index for c in text):
        return text, False
    similar = _similar(text[:LOOK])
    # a start that is a division name already competes too: a name is taken only over it
    words: list[str] = [text] if any(text.startswith(name) for name in similar) else []
    for name in similar:
        for k in range(max(1, len(name) - 2), min(len(text), len(name) + 2) + 1):
            sure = {c for c, p in zip(text[:k], probs[:k]) if p >= CONFIDENT}
            word = name + text[k:]
            if word != text and sure <= set(name) and all(c in index for c in name):
                words.append(word)
    if not words or words == [text]:
        return text, False
    raw = sequence_log_prob(line.probs, [index[c] for c in text])
    scores = sequence_log_probs(line.probs, [[index[c] for c in w] for w in words])
    best = int(np.argmax(scores))
    if scores[best] < raw - PREFIX_MARGIN or words[best] == text:
        return text, False
    return words[best], True
