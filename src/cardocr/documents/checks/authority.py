"""Issuing authorities of the Mainland ID card, as they are named from the division table.

A county-level public security bureau issues the card: `XX县公安局` / `XX市公安局` for a county
or county-level city, `<city>公安局<district>分局` for a city district. The names come from
GB/T 2260 (regions.tsv), so a recogniser's uncertain reading of an authority can be compared
with the real names it may be.
"""

from __future__ import annotations

from functools import cache

import numpy as np

from .idnumber import _regions

MUNICIPALITIES = ("11", "12", "31", "50")


@cache
def authority_names() -> tuple[str, ...]:
    table = _regions()
    names: set[str] = set()
    for code, name in table.items():
        if code.endswith("00") or name in ("市辖区", "县", "省直辖县级行政区划"):
            continue
        if code[:2] in MUNICIPALITIES:
            city = table.get(code[:2] + "0000", "")
        else:
            city = table.get(code[:4] + "00", "")
            if city in ("市辖区", "县"):
                city = ""
        if name.endswith("区") and city.endswith("市") and len(name) > 2:
            # a new area's bureau drops the whole suffix: 浦东新区 -> 上海市公安局浦东分局
            stem = name[:-2] if name.endswith("新区") and len(name) > 3 else name[:-1]
            names.add(f"{city}公安局{stem}分局")
        elif name.endswith(("县", "市", "旗")):
            names.add(f"{name}公安局")
    return tuple(sorted(names))


@cache
def _by_char() -> dict[str, list[int]]:
    index: dict[str, list[int]] = {}
    for i, name in enumerate(authority_names()):
        for ch in set(name) - set("公安局分市县区"):
            index.setdefault(ch, []).append(i)
    return index


def similar_authorities(text: str, limit: int = 12) -> list[str]:
    """Known authority names sharing the most distinctive characters with `text`.

    >>> "上海市公安局长宁分局" in similar_authorities("上海市出资局长宁业通")
    True
    """
    names = authority_names()
    counts: dict[int, int] = {}
    for ch in set(text) - set("公安局分市县区"):
        for i in _by_char().get(ch, ()):
            counts[i] = counts.get(i, 0) + 1
    ranked = sorted(counts, key=lambda i: (-counts[i], abs(len(names[i]) - len(text))))
    return [names[i] for i in ranked[:limit]]


# per character index (an engine's charset lookup, which lives as long as the engine): the
# names it can spell as rows of columns into the classes they use (-1 pads a row)
_tables: dict[int, tuple[dict[str, int], np.ndarray, np.ndarray, tuple[str, ...]]] = {}


def _name_table(index: dict[str, int]) -> tuple[np.ndarray, np.ndarray, tuple[str, ...]]:
    held = _tables.get(id(index))
    if held is not None and held[0] is index:
        return held[1:]
    if len(_tables) >= 4:  # a few charsets in a process (tests build their own)
        _tables.clear()
    names = tuple(n for n in authority_names() if all(c in index for c in n))
    classes = np.unique([index[c] for n in names for c in n])
    column = {int(k): j for j, k in enumerate(classes)}
    rows = np.full((len(names), max(len(n) for n in names)), -1, np.int64)
    for i, n in enumerate(names):
        rows[i, : len(n)] = [column[index[c]] for c in n]
    _tables[id(index)] = (index, rows, classes, names)
    return rows, classes, names


def likely_authorities(probs: np.ndarray, index: dict[str, int], limit: int = 24) -> list[str]:
    """Known authority names whose characters the line's pixels show somewhere, best first:
    a name scores the sum over its characters of the character's best log-probability at any
    timestep (order ignored, so cheap for all ~4,000 names). A blurred reading can share no
    distinctive character with its name (西安布公安海磷赫分局 for 西安市公安局碑林分局) and
    still show each of them a little; the CTC likelihood then decides among these."""
    rows, classes, names = _name_table(index)
    best = np.log(np.clip(probs[:, classes].max(axis=0), 1e-12, None))
    scores = np.append(best, 0.0)[rows].sum(axis=1)  # a row's -1 padding takes the appended 0
    return [names[i] for i in np.argsort(-scores, kind="stable")[:limit]]
