"""Authorities that issue Mainland driving licences, as they are named from the division table.

A licence is issued by a traffic-police office: the 交通警察支队 of a prefecture-level city
(`<province><city>公安局交通警察支队`), a county-level city's 支队 or 大队 where the province
administers it directly, and in the four municipalities the city's own 总队 or 交通管理局. The
names come from GB/T 2260 (regions.tsv), so the seal's reading can be chosen from the names
that exist; the ID card's issuers (county bureaus) are another list, in `authority.py`.
"""

from __future__ import annotations

import re
from functools import cache

from .authority import MUNICIPALITIES
from .idnumber import _regions

# 北京 天津 上海 重庆 (MUNICIPALITIES) issue licences city-wide, no prefecture between: the
# form each municipality's seal uses; a prefecture's is its 交通警察支队
MUNICIPAL_USUAL = {"11": "北京市公安局公安交通管理局", "12": "天津市公安交通管理局",
                   "31": "上海市公安局交通警察总队", "50": "重庆市公安局交通巡逻警察总队"}
AUTHORITY_NOISE = set("公安局交通警察支队总管理市省")  # characters every name shares


@cache
def authority_table() -> tuple[dict[str, tuple[str, str]], dict[str, tuple[str, ...]]]:
    """Traffic-police authorities that issue licences, from the division table: the
    prefecture-level 支队 of every city, and the municipalities' 总队 / 交通管理局 names.
    Returns name -> (province, city) and division code -> names (retired codes included, so
    an old ID number still finds its city)."""
    table = _regions()
    places: dict[str, tuple[str, str]] = {}
    by_code: dict[str, list[str]] = {}

    municipal = {table[c + "0000"]: usual for c, usual in MUNICIPAL_USUAL.items() if c + "0000" in table}

    def add(code: str, name: str, prov: str, city: str) -> None:
        places.setdefault(name, (prov, city))
        by_code.setdefault(code, []).append(name)

    for code, name in table.items():
        prov = table.get(code[:2] + "0000", "")
        if not prov:
            continue
        if code.endswith("0000"):
            if code[:2] in MUNICIPAL_USUAL:
                # each municipality's own name only: the other three's forms under its name
                # (上海市公安交通管理局) issue nothing, and as candidates a shorter one of them
                # outscored the real name on a faint rim (1300245, 1300272)
                add(code, MUNICIPAL_USUAL[code[:2]], prov, "")
            continue
        if code[:2] in MUNICIPALITIES:
            continue
        if code.endswith("00"):
            if name in ("市辖区", "县", "省直辖县级行政区划", "自治区直辖县级行政区划"):
                continue
            if name in municipal:
                # a city since made a municipality, under its old province's retired code
                # (510200 重庆市 of 四川省 until 1997): its holders' licences are the
                # municipality's (tune 1505493, a 5102 number: 四川省重庆市公安局交通警察支队,
                # a name no authority bears, stated 0.997)
                add(code, municipal[name], name, "")
                continue
            for form in ("公安局交通警察支队", "公安局交通警察总队", "公安局公安交通管理局"):
                add(code, f"{prov}{name}{form}", prov, name)
        elif table.get(code[:4] + "00", "") in ("省直辖县级行政区划", "自治区直辖县级行政区划") \
                and name.endswith("市"):
            for form in ("公安局交通警察支队", "公安局交通警察大队"):
                add(code, f"{prov}{name}{form}", prov, name)
    return places, {k: tuple(dict.fromkeys(v)) for k, v in by_code.items()}


@cache
def provinces() -> tuple[str, ...]:
    """Province-level names: a complete authority name starts with one."""
    return tuple(sorted({n for c, n in _regions().items() if c.endswith("0000")}))


@cache
def licence_authorities() -> tuple[str, ...]:
    """Every authority name (see authority_table), sorted."""
    return tuple(sorted(authority_table()[0]))


def is_listed(name: str) -> bool:
    """Is `name` one of licence_authorities()?"""
    return name in authority_table()[0]


def local_authorities(number: str, address: str) -> list[str]:
    """The usual authority of the place the licence points to: the city of the 证号's region
    code (the holder's ID number) and the province + city the address starts with. A
    handful of names instead of ~1,700; a prior, not a restriction (people move)."""
    places, by_code = authority_table()
    usual = set(MUNICIPAL_USUAL.values())

    def is_usual(name: str) -> bool:
        return name in usual or name.endswith(("交通警察支队", "交通警察大队")) and \
            name[:2] not in ("北京", "天津", "上海", "重庆")

    out: list[str] = []
    if re.fullmatch(r"\d{6}.*", number):
        code = number[:6]
        for key in (code[:2] + "0000" if code[:2] in MUNICIPALITIES else "", code[:4] + "00", code):
            out += by_code.get(key, ())
    if len(address) >= 3:
        head = address[:14]
        for name, (prov, city) in places.items():
            if city:
                if city in head and (head.startswith(prov) or head.startswith(city)):
                    out.append(name)
            elif head.startswith(prov):
                out.append(name)
    return [n for n in dict.fromkeys(out) if is_usual(n)]


@cache
def _authority_index() -> dict[str, list[int]]:
    """Place character -> positions in licence_authorities() of the names holding it."""
    index: dict[str, list[int]] = {}
    for i, name in enumerate(licence_authorities()):
        for ch in set(name) - AUTHORITY_NOISE:
            index.setdefault(ch, []).append(i)
    return index


def similar_licence_authorities(text: str, limit: int = 16) -> list[str]:
    """Names sharing the most place characters with a raw reading (a cheap pre-filter before
    scoring by likelihood)."""
    names = licence_authorities()
    counts: dict[int, int] = {}
    for ch in set(text) - AUTHORITY_NOISE:
        for i in _authority_index().get(ch, ()):
            counts[i] = counts.get(i, 0) + 1
    ranked = sorted(counts, key=lambda i: (-counts[i], abs(len(names[i]) - len(text))))
    return [names[i] for i in ranked[:limit]]


def skips_from(text: str, name: str) -> bool:
    """`text` is `name` with one or two of its characters left out (glyphs the recogniser
    skipped, in a reflection or a faint row)."""
    if not 0 < len(name) - len(text) <= 2:
        return False
    rest = iter(name)
    return all(ch in rest for ch in text)
