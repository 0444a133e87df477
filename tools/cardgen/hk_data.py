"""Who a synthetic Hong Kong identity card belongs to and what it says (HkPerson, in the field
names and formats of the Huawei hk-id-card answer): names with their telegraph codes, the
number and its check character, the dates and symbols of either design."""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import pathlib
import random

from . import hk_names as names

LAYOUTS = ("2003", "2018")
TELEGRAPH_TSV = pathlib.Path(__file__).resolve().parents[2] / "src/cardocr/documents/checks/telegraph.tsv"


@functools.lru_cache(maxsize=1)
def telegraph_codes() -> dict[str, str]:
    """char -> 4-digit telegraph code, from the product's telegraph.tsv."""
    out: dict[str, str] = {}
    with open(TELEGRAPH_TSV, encoding="utf-8") as fh:
        for line in fh:
            if line.startswith("#") or not line.strip():
                continue
            ch, code = line.rstrip("\n").split("\t")[:2]
            out.setdefault(ch, code)
    return out


@dataclasses.dataclass
class HkPerson:
    """Ground truth as the Huawei hk-id-card API returns it (portrait fields excluded)."""

    name: str                 # traditional Chinese, "" when the card has none
    name_en: str              # as printed: "CHAN, Peter Tai Man"
    sex: str                  # "M" / "F"
    birth_date: str           # "DD-MM-YYYY"
    number: str               # "A123456(3)"
    symbols: str              # "***AZ"
    name_telegraph_code: str  # "7115 1129 2429" ("" when no Chinese name)
    permanent: bool
    initial_issue_date: str   # "(MM-YY)"
    issue_date: str           # "DD-MM-YY"
    layout: str               # "2003" / "2018"

    def to_dict(self) -> dict:
        return dataclasses.asdict(self)


def _char_value(c: str) -> int:
    return 36 if c == " " else (ord(c) - ord("A") + 10 if c.isalpha() else int(c))


def hkid_check_char(prefix: str, digits: str) -> str:
    """Check character for prefix (1-2 capital letters) + 6 digits: '0'..'9' or 'A'."""
    if not (1 <= len(prefix) <= 2 and prefix.isalpha() and prefix.isupper() and len(digits) == 6 and digits.isdigit()):
        raise ValueError(f"bad HKID body {prefix!r} {digits!r}")
    body = prefix.rjust(2) + digits
    s = sum(w * _char_value(c) for w, c in zip(range(9, 1, -1), body))
    check = (11 - s % 11) % 11
    return "A" if check == 10 else str(check)


def hkid_valid(number: str) -> bool:
    """True for a printed number like 'A123456(3)' / 'XA123456(A)' whose check digit matches."""
    import re

    m = re.fullmatch(r"([A-Z]{1,2})(\d{6})\(([0-9A])\)", number)
    return bool(m) and hkid_check_char(m.group(1), m.group(2)) == m.group(3)


def _rand_date(rng: random.Random, lo: dt.date, hi: dt.date) -> dt.date:
    return lo + dt.timedelta(days=rng.randint(0, max(0, (hi - lo).days)))


def _add_years(d: dt.date, years: int) -> dt.date:
    try:
        return d.replace(year=d.year + years)
    except ValueError:  # 29 Feb
        return d.replace(year=d.year + years, day=28)


_ISSUE_RANGE = {"2003": (dt.date(2003, 6, 23), dt.date(2022, 12, 31)),
                "2018": (dt.date(2018, 11, 26), dt.date(2025, 10, 31))}
_PREFIX_1 = "ABCDEGHKMPRVYZ"
_PREFIX_1_W = [3, 2, 2, 3, 3, 2, 3, 3, 1, 3, 2, 1, 2, 3]
_PREFIX_2 = ("XA", "XB", "XC", "XD", "XE", "XG", "XH", "WX")


def _given_pool(sex: str) -> list[str]:
    lean_other = names.MALE_LEAN if sex == "F" else names.FEMALE_LEAN
    return [c for c in names.GIVEN if c not in lean_other and c in telegraph_codes()]


def random_hk_person(rng: random.Random, layout: str | None = None) -> HkPerson:
    layout = layout or rng.choice(LAYOUTS)
    if layout not in LAYOUTS:
        raise ValueError(f"unknown layout {layout!r}; expected one of {LAYOUTS}")
    codes = telegraph_codes()
    issue = _rand_date(rng, *_ISSUE_RANGE[layout])
    age = rng.randint(11, 17) if rng.random() < 0.1 else int(min(90, 18 + rng.expovariate(1 / 22)))
    birth = _rand_date(rng, _add_years(issue, -age - 1) + dt.timedelta(days=1), _add_years(issue, -age))
    permanent = rng.random() < 0.85
    sex = rng.choice("MF")
    chinese = rng.random() >= 0.15

    # Initial issue (first registration): usually at 11-18 for locals, else on arrival; never before birth.
    r = rng.random()
    if r < 0.55 and _add_years(birth, 11) <= issue:
        initial = _rand_date(rng, _add_years(birth, 11), min(issue, _add_years(birth, 18)))
    elif r < 0.65:
        initial = issue
    else:
        initial = _rand_date(rng, max(birth, _add_years(birth, 11) if _add_years(birth, 11) <= issue else birth), issue)

    if chinese:
        sur, sur_en = rng.choices([(s, e) for s, e, _ in names.SURNAMES],
                                  weights=[w for _, _, w in names.SURNAMES])[0]
        pool = _given_pool(sex)
        n_given = 1 if rng.random() < 0.2 else 2
        given = "".join(rng.choice(pool) for _ in range(n_given))
        name = sur + given
        words = [names.GIVEN[c] for c in given]
        if rng.random() < 0.15:
            words.insert(0, rng.choice(names.ENGLISH_GIVEN_M if sex == "M" else names.ENGLISH_GIVEN_F))
        name_en = f"{sur_en}, {' '.join(words)}"
        tele = " ".join(codes[c] for c in name)
        birthplace = rng.choices("ZXWO", weights=[60, 25, 5, 10])[0]
    else:
        sur_en, male, female = rng.choice(names.FOREIGN)
        name, tele = "", ""
        name_en = f"{sur_en}, {rng.choice(male if sex == 'M' else female)}"
        birthplace = rng.choices("OZ", weights=[85, 15])[0]

    # Symbols: age/re-entry-permit stars, optional history letters, status, birthplace.
    if age < 18:
        stars = "*"
    else:
        stars = rng.choices(("***", "**", ""), weights=[85, 8, 7])[0]
    extra = ""
    if rng.random() < 0.04:
        extra += "B"
    if rng.random() < 0.03:
        extra += "N"
    if permanent:
        if rng.random() < 0.05:
            extra += "C"
        status = "A" if (chinese and rng.random() < 0.95) or rng.random() < 0.5 else "R"
    else:
        status = rng.choices("CU", weights=[7, 3])[0]
    symbols = stars + extra + status + birthplace

    if not chinese and not permanent and rng.random() < 0.5:
        prefix = "W"
    elif rng.random() < 0.08:
        prefix = rng.choice(_PREFIX_2)
    else:
        prefix = rng.choices(_PREFIX_1, weights=_PREFIX_1_W)[0]
    digits = "".join(str(rng.randrange(10)) for _ in range(6))
    number = f"{prefix}{digits}({hkid_check_char(prefix, digits)})"

    return HkPerson(
        name=name, name_en=name_en, sex=sex, birth_date=birth.strftime("%d-%m-%Y"), number=number,
        symbols=symbols, name_telegraph_code=tele, permanent=permanent,
        initial_issue_date=initial.strftime("(%m-%y)"), issue_date=issue.strftime("%d-%m-%y"), layout=layout,
    )
