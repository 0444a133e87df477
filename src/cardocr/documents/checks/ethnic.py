"""The 56 ethnic groups officially recognised in the People's Republic of China.

Names are as printed after 民族 on the resident identity card, without the
trailing 族 (``汉``, ``蒙古``, ...), in the order of the national standard
GB/T 3304 (codes 01..56; the index + 1 is the code).
"""

from __future__ import annotations

__all__ = ["ETHNIC_GROUPS", "HAN_NAMING", "group_after_label", "is_ethnic_group"]

ETHNIC_GROUPS: tuple[str, ...] = (
    "汉", "蒙古", "回", "藏", "维吾尔", "苗", "彝", "壮", "布依", "朝鲜",
    "满", "侗", "瑶", "白", "土家", "哈尼", "哈萨克", "傣", "黎", "傈僳",
    "佤", "畲", "高山", "拉祜", "水", "东乡", "纳西", "景颇", "柯尔克孜", "土",
    "达斡尔", "仫佬", "羌", "布朗", "撒拉", "毛南", "仡佬", "锡伯", "阿昌", "普米",
    "塔吉克", "怒", "乌孜别克", "俄罗斯", "鄂温克", "德昂", "保安", "裕固", "京", "塔塔尔",
    "独龙", "鄂伦春", "赫哲", "门巴", "珞巴", "基诺",
)

assert len(ETHNIC_GROUPS) == 56 and len(set(ETHNIC_GROUPS)) == 56

_SET = frozenset(ETHNIC_GROUPS)

# Peoples whose names on the ID card are, as a rule, Chinese names that start with a Chinese
# surname, as the Han's do: the Hui (马, 白, 杨), the Manchu, the Zhuang, the Koreans (金, 朴, 崔),
# and the southern peoples long registered under Han surnames. A name of theirs that starts
# with no surname is as unlikely as a Han one's (confidence.agree `han_surname`), and their
# given names follow the same customs (confidence.lines `name_doubt`). The peoples left out
# name otherwise, or often do: Tibetan and Mongolian names without a surname (扎西多吉,
# 巴特尔), Uyghur, Kazakh and other Turkic names with a middle dot (买买提·吐尔逊), the Yi's and
# Hani's patronymic chains, the northern hunting peoples' transliterated clan names.
HAN_NAMING: frozenset[str] = frozenset((
    "汉", "回", "满", "壮", "朝鲜", "苗", "布依", "侗", "瑶", "白", "土家", "黎", "畲", "水",
    "纳西", "土", "仫佬", "羌", "毛南", "仡佬", "锡伯", "京",
))
assert HAN_NAMING <= _SET


def is_ethnic_group(s: str) -> bool:
    """True if ``s`` (surrounding whitespace ignored) is one of the 56 names.

    The name must be as printed on the card, without 族.

    >>> is_ethnic_group("汉"), is_ethnic_group(" 维吾尔 "), is_ethnic_group("汉族")
    (True, True, False)
    >>> is_ethnic_group("土"), is_ethnic_group("土家"), is_ethnic_group("家")
    (True, True, False)
    """
    return isinstance(s, str) and s.strip() in _SET


def group_after_label(text: str) -> str | None:
    """The group name that ends ``text`` when ``text`` itself is none: what is left of the
    label (族, or a misreading of it) merged into the value's box, e.g. ``族汉`` -> ``汉``.
    No group name ends with another group's name, so the tail is never ambiguous."""
    if text in _SET:
        return None
    return next((text[i:] for i in range(1, len(text)) if text[i:] in _SET), None)
