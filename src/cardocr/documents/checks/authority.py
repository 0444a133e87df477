"""Issuing authorities of the Mainland ID card, as they are named from the division table.

A county-level public security bureau issues the card: `XX县公安局` / `XX市公安局` for a county
or county-level city, `<city>公安局<district>分局` for a city district. The names come from
GB/T 2260 (regions.tsv), so a recogniser's uncertain reading of an authority can be compared
with the real names it may be.
"""

from __future__ import annotations

from functools import cache

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
            names.add(f"{city}公安局{name[:-1]}分局")
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
