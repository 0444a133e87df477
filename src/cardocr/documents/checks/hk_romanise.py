"""How the Hong Kong Immigration Department may spell a Chinese character in an English name.

A Chinese holder's English name is the Government Cantonese romanisation of the Chinese
name, one syllable a character (陳 CHAN, 張 CHEUNG, 子 Tsz). The characters' Cantonese
readings (Jyutping, Unihan kCantonese: cantonese.tsv) are turned into the spellings that
romanisation uses; it is not one-to-one (z / c are written CH or TS, s before i SZE, aa at
the end A or AH, au AU or OW, eoi UI, oeng EUNG or EONG...), so a character gets every
spelling its readings allow. The set is for choosing among a line's uncertain readings,
never for writing a name the pixels do not support.
"""

from __future__ import annotations

import functools
import re
from importlib import resources

INITIALS = {
    "b": ("P",), "p": ("P",), "m": ("M",), "f": ("F",), "d": ("T",), "t": ("T",), "n": ("N",),
    "l": ("L",), "gw": ("KW",), "kw": ("KW",), "g": ("K",), "k": ("K",), "ng": ("NG",), "h": ("H",),
    "w": ("W",), "z": ("CH", "TS"), "c": ("CH", "TS"), "s": ("S", "SH"), "j": ("Y",), "": ("",),
}
FINALS = {
    "aa": ("A", "AH"), "aai": ("AI",), "aau": ("AU",), "aam": ("AM",), "aan": ("AN",), "aang": ("ANG",),
    "aap": ("AP",), "aat": ("AT",), "aak": ("AK",),
    "ai": ("AI",), "au": ("AU", "OW"), "am": ("AM", "UM"), "an": ("AN", "UN"), "ang": ("ANG",),
    "ap": ("AP",), "at": ("AT",), "ak": ("AK",),
    "e": ("E",), "ei": ("EI", "EE", "I"), "eng": ("ENG",), "ek": ("EK",),
    "eoi": ("UI", "EUI"), "eon": ("UN", "EUN"), "eot": ("UT", "EUT"),
    "oe": ("OE", "EUK"), "oeng": ("EUNG", "EONG"), "oek": ("EUK", "EOK"),
    "i": ("I", "EE", "Y"), "iu": ("IU",), "im": ("IM",), "in": ("IN",), "ing": ("ING",), "ip": ("IP",),
    "it": ("IT",), "ik": ("IK",),
    "o": ("O", "OH", "OR", "AW"), "oi": ("OI", "OY"), "on": ("ON",), "ong": ("ONG",), "ot": ("OT",),
    "ok": ("OK",), "ou": ("O", "OU"),
    "u": ("U", "OO"), "ui": ("UI", "OOI"), "un": ("UN", "OON"), "ung": ("UNG",), "ut": ("UT", "OOT"),
    "uk": ("UK",),
    "yu": ("U", "UE", "YU"), "yun": ("UEN", "UN", "YUEN"), "yut": ("UET", "UT", "YUET"),
    "m": ("M",), "ng": ("NG",),
}
# z / c / s before i: 子 TSZ, 慈 CHI, 思 SZE, 詩 SZE, 施 SZE
SIBILANT_I = {"z": ("TSZ", "TSE", "CHEE"), "c": ("TSZ", "TSE", "CHEE"), "s": ("SZE", "SZ", "SEE")}
_SPLIT = re.compile(r"^(gw|kw|ng|[bpmfdtnlgkhwzcsj]?)(.+)$")


def spellings_of_reading(reading: str) -> frozenset[str]:
    """Every spelling of one Jyutping syllable (tone dropped)."""
    if reading in ("m", "ng"):
        return frozenset({reading.upper()})
    m = _SPLIT.match(reading)
    if not m or m[2] not in FINALS:
        return frozenset()
    initial, final = m[1], m[2]
    if initial == "j" and final.startswith("yu"):
        out = {"Y" + f.removeprefix("Y") for f in FINALS[final]}
    else:
        out = {i + f for i in INITIALS[initial] for f in FINALS[final]}
    if final == "i" and initial in SIBILANT_I:
        out |= set(SIBILANT_I[initial])
    return frozenset(out)


@functools.cache
def _readings() -> dict[str, tuple[str, ...]]:
    text = resources.files(__package__).joinpath("cantonese.tsv").read_text(encoding="utf-8")
    out = {}
    for line in text.splitlines():
        if line and not line.startswith("#"):
            char, readings = line.split("\t")
            out[char] = tuple(readings.split())
    return out


@functools.cache
def spellings(char: str) -> frozenset[str]:
    """Every spelling the romanisation may give `char` (capitals), empty when unknown."""
    out: set[str] = set()
    for r in _readings().get(char, ()):
        out |= spellings_of_reading(r)
    return frozenset(out)
