"""Closed lists the driving licence's fields are chosen from: the vehicle classes a class box
may print, and the nationalities a licence names (with the ID-number prefixes of Hong Kong,
Macao and Taiwan residents' residence permits, which imply theirs).
"""

from __future__ import annotations

from functools import cache

CLASS_CODES = ("A1", "A2", "A3", "B1", "B2", "C1", "C2", "C3", "C4", "C5", "C6",
               "D", "E", "F", "M", "N", "P")
NATIONALITIES = ("中国", "中国香港", "中国澳门", "中国台湾", "美国", "英国", "法国", "德国", "日本",
                 "韩国", "俄罗斯", "加拿大", "澳大利亚", "新加坡", "马来西亚", "意大利", "西班牙",
                 "荷兰", "新西兰", "泰国", "越南", "菲律宾", "印度尼西亚", "印度", "巴基斯坦", "蒙古")
# the region codes of residence-permit numbers, which are not divisions of the Mainland
SAR_PREFIX = {"810000": "中国香港", "820000": "中国澳门", "830000": "中国台湾"}


@cache
def class_list() -> tuple[str, ...]:
    """Printable class combinations: every single code, a main class with the motorcycle /
    wheeled-machine endorsements (D E F M N P), and the usual heavy-vehicle pairs."""
    main = [c for c in CLASS_CODES if len(c) == 2]
    extras = ("D", "E", "F", "M", "N", "P")
    out = list(CLASS_CODES)
    out += [m + e for m in main for e in extras]
    out += ["DE", "DF", "EF", "DEF"]
    heavy = ("A1", "A2", "A3", "B1", "B2")
    for i, a in enumerate(heavy):
        for b in heavy[i + 1:]:
            out.append(a + b)
            out += [a + b + e for e in ("D", "E")]
    return tuple(dict.fromkeys(out))


def class_legal(text: str) -> bool:
    """A sequence of distinct class codes (A1 B2 D ...), listed as a combination or not."""
    i, codes = 0, []
    while i < len(text):
        if i + 1 < len(text) and text[i + 1].isdigit():
            codes.append(text[i:i + 2])
            i += 2
        else:
            codes.append(text[i])
            i += 1
    return bool(codes) and all(c in CLASS_CODES for c in codes) and len(set(codes)) == len(codes)
