"""What a card's values say about each other, per field, as plain numbers (never the values).

A reader's checks cover some relations (the Mainland card's number against its birth date and
sex); others no reader needs to decide anything and were not checked, yet they tell a
misread apart from a good one (issue 22: the wrong fields stated sure on the fit and tuning
ranges were mostly of these kinds):

    id_ok       an ID number of 18 characters whose check character fits (1), or a value
                shaped like one that does not (0): a digit cut by the zone's edge or dropped
                (the licence's number has no check of its own)
    cross       -1: the field disagrees with another field that encodes the same thing (the
                birth date and sex the ID number carries, against the birth and sex fields);
                1: it agrees; 0: nothing to compare
    surname     a Mainland name whose first character (or two) is a known surname (1), one
                whose is not (0): a first character misread or a label merged into the name
    label_tail  a name, address or authority ending in the first character of a printed
                label, or starting with a label's last one: a neighbouring label merged in

A field with no such relation gets no entry (the features read a neutral default).
"""

from __future__ import annotations

from typing import Any

from ..documents.checks import birth_from_number, is_valid_check, sex_from_number
from ..documents.checks.surnames import COMPOUND, SINGLE

# the labels each document prints (their first and last characters)
LABELS = {
    "id-card": ("姓名", "性别", "民族", "出生", "住址", "公民身份号码", "签发机关", "有效期限"),
    "driver-license": ("姓名", "性别", "国籍", "住址", "出生日期", "初次领证日期", "准驾车型", "有效期限",
                       "证号", "档案编号", "记录"),
}
LABELLED = ("name", "address", "authority")  # values a label can run into (not a 中国 nationality)
# the fields each number's digits speak for: field -> how to read it from the number
ENCODED = {"birth": birth_from_number, "sex": sex_from_number}


def _id_shaped(value: str) -> bool:
    """A Mainland ID number or a misread of one (15 or more digits, an X at most)."""
    return len(value) >= 15 and sum(c.isdigit() for c in value) >= len(value) - 1


def agreement(document: str, values: dict[str, Any]) -> dict[str, dict[str, float]]:
    """Field -> {name: number} of the relations above (only fields that have one)."""
    out: dict[str, dict[str, float]] = {}
    if document not in LABELS:
        return out
    number = values.get("number")
    if isinstance(number, str) and _id_shaped(number):
        out["number"] = {"id_ok": float(is_valid_check(number))}
        for field, decode in ENCODED.items():
            got = values.get(field)
            if not isinstance(got, str) or not got:
                continue
            encoded = decode(number)
            cross = 0.0 if encoded is None else (1.0 if encoded == got else -1.0)
            out.setdefault(field, {})["cross"] = cross
            # the number disagrees when any field it encodes does
            out["number"]["cross"] = min(out["number"].get("cross", 1.0), cross)
    held = values.get("name")
    if isinstance(held, str) and held:
        out.setdefault("name", {})["surname"] = float(held[0] in SINGLE or held[:2] in COMPOUND)
    firsts = {label[0] for label in LABELS[document]}
    lasts = {label[-1] for label in LABELS[document]}
    for k in LABELLED:
        v = values.get(k)
        if isinstance(v, str) and v:
            out.setdefault(k, {})["label_tail"] = float(v[-1] in firsts or v[0] in lasts)
    return out
