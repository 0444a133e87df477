"""Random fake people with internally consistent ID card data."""

from __future__ import annotations

import datetime as _dt
import random
from dataclasses import asdict, dataclass

from . import data

# Cards are generated as if "today" were this date, so output never depends on
# the wall clock (make_sample must be deterministic).
TODAY = _dt.date(2025, 6, 30)

_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
_CHECK = "10X98765432"


def id_check_char(first17: str) -> str:
    """ISO 7064 MOD 11-2 check character for the first 17 digits."""
    if len(first17) != 17 or not first17.isdigit():
        raise ValueError(f"need 17 digits, got {first17!r}")
    s = sum(int(c) * w for c, w in zip(first17, _WEIGHTS))
    return _CHECK[s % 11]


def id_number_valid(number: str) -> bool:
    return (
        len(number) == 18
        and number[:17].isdigit()
        and id_check_char(number[:17]) == number[17]
    )


@dataclass
class Person:
    """Ground truth, exactly as the Huawei ID card OCR API returns it."""

    name: str
    sex: str  # "男" / "女"
    ethnicity: str  # official name without 族
    birth: str  # YYYY-MM-DD
    address: str  # single line
    number: str  # 18 chars
    issue: str  # issuing authority
    valid_from: str  # YYYY-MM-DD
    valid_to: str  # YYYY-MM-DD or 长期

    def to_dict(self) -> dict:
        return asdict(self)


def _random_date(rng: random.Random, start: _dt.date, end: _dt.date) -> _dt.date:
    return start + _dt.timedelta(days=rng.randint(0, (end - start).days))


def _add_years(d: _dt.date, years: int) -> _dt.date:
    try:
        return d.replace(year=d.year + years)
    except ValueError:  # 29 Feb -> 28 Feb
        return d.replace(year=d.year + years, day=28)


def _age_on(birth: _dt.date, day: _dt.date) -> int:
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


def _random_name(rng: random.Random, male: bool) -> str:
    r = rng.random()
    if r < 0.05:
        surname = rng.choice(data.SURNAMES_COMPOUND)
    elif r < 0.15:
        surname = rng.choice(data.SURNAMES_RARE)
    else:
        surname = rng.choice(data.SURNAMES_COMMON)
    pool = (data.GIVEN_MALE if male else data.GIVEN_FEMALE) + data.GIVEN_NEUTRAL
    max_given = 4 - len(surname)
    n_given = 1 if rng.random() < 0.3 else 2
    if rng.random() < 0.04 and len(surname) == 1:
        n_given = 3
    n_given = max(1, min(n_given, max_given))
    return surname + "".join(rng.choice(pool) for _ in range(n_given))


def _random_address(rng: random.Random, region: tuple[str, str, str, str]) -> str:
    code, prov, city, county = region
    head = prov + city + county
    rural = county.endswith(("县", "旗")) and rng.random() < 0.6
    if rural:
        town = rng.choice(data.TOWN_ROOTS) + rng.choice(("镇", "乡"))
        village = rng.choice(data.VILLAGE_ROOTS) + "村"
        tail = town + village
        r = rng.random()
        if r < 0.4:
            tail += f"{rng.randint(1, 12)}组{rng.randint(1, 99)}号"
        elif r < 0.7:
            tail += f"{rng.randint(1, 200)}号"
        return head + tail
    street = rng.choice(data.STREET_ROOTS) + rng.choice(data.STREET_SUFFIXES)
    tail = f"{street}{rng.randint(1, 999)}号"
    r = rng.random()
    if r < 0.35:
        comm = rng.choice(data.COMMUNITY_NAMES) + rng.choice(data.COMMUNITY_SUFFIXES)
        tail = (f"{street}{rng.randint(1, 999)}号{comm}{rng.randint(1, 30)}栋{rng.randint(1, 6)}单元"
                f"{rng.randint(1, 33)}{rng.randint(1, 6):02d}室")
    elif r < 0.6:
        tail += f"{rng.randint(1, 30)}栋{rng.randint(1, 6)}单元{rng.randint(1, 28)}{rng.randint(1, 4):02d}室"
    elif r < 0.8:
        tail += f"{rng.randint(1, 40)}号楼{rng.randint(101, 2806)}"
    elif r < 0.9:
        tail = f"{street}{rng.randint(1, 400)}弄{rng.randint(1, 80)}号{rng.randint(101, 605)}室"
    return head + tail


def _issue_authority(region: tuple[str, str, str, str]) -> str:
    code, prov, city, county = region
    if county.endswith(("县", "旗")) or (county.endswith("市")):
        return county + "公安局"
    stem = county
    for suf in ("新区", "区"):
        if stem.endswith(suf) and len(stem) > len(suf):
            stem = stem[: -len(suf)]
            break
    if len(stem) == 1:  # e.g. 市中区 -> keep readable
        stem = county[:-1]
    owner = city if city else prov
    return f"{owner}公安局{stem}分局"


def _validity(rng: random.Random, birth: _dt.date) -> tuple[str, str]:
    earliest = max(_add_years(birth, rng.choice((0, 1, 3, 10, 16))), _dt.date(2004, 1, 1))
    earliest = max(earliest, birth + _dt.timedelta(days=30))
    if earliest >= TODAY:
        earliest = birth + _dt.timedelta(days=30)
    # Mostly cards that are still valid: pick a from-date in the last 20 years.
    start = _random_date(rng, earliest, TODAY - _dt.timedelta(days=1))
    age = _age_on(birth, start)
    if age < 16:
        years = 5
    elif age <= 25:
        years = 10
    elif age <= 45:
        years = 20
    else:
        years = 0
    if years == 0:
        return start.isoformat(), "长期"
    return start.isoformat(), _add_years(start, years).isoformat()


def address_units(text: str) -> float:
    """Approximate printed width in full-width character units."""
    return sum(0.55 if ord(c) < 128 else 1.0 for c in text)


def random_person(rng: random.Random) -> Person:
    male = rng.random() < 0.5
    region = rng.choice(data.REGIONS)
    # Ethnicity: ~30% minorities, biased by region.
    if rng.random() < 0.3:
        regional = data.REGIONAL_MINORITIES.get(region[0][:2])
        r = rng.random()
        if regional and r < 0.6:
            ethnicity = rng.choice(regional)
        elif r < 0.85:
            ethnicity = rng.choice(data.COMMON_MINORITIES)
        else:
            ethnicity = rng.choice(data.ETHNICITIES[1:])
    else:
        ethnicity = "汉"
    # Birth: mostly adults, some children and elderly.
    r = rng.random()
    if r < 0.1:
        birth = _random_date(rng, _dt.date(2008, 1, 1), _dt.date(2022, 12, 31))
    elif r < 0.25:
        birth = _random_date(rng, _dt.date(1935, 1, 1), _dt.date(1960, 12, 31))
    else:
        birth = _random_date(rng, _dt.date(1961, 1, 1), _dt.date(2007, 12, 31))
    seq = rng.randint(0, 99)
    sex_digit = rng.choice((1, 3, 5, 7, 9) if male else (0, 2, 4, 6, 8))
    first17 = f"{region[0]}{birth:%Y%m%d}{seq:02d}{sex_digit}"
    number = first17 + id_check_char(first17)
    valid_from, valid_to = _validity(rng, birth)
    if rng.random() < 0.8:  # most cards in use are not expired
        for _ in range(6):
            if valid_to == "长期" or valid_to >= TODAY.isoformat():
                break
            valid_from, valid_to = _validity(rng, birth)
    # Keep the address short enough to wrap onto at most 3 printed lines.
    address = _random_address(rng, region)
    while address_units(address) > 31:
        address = _random_address(rng, region)
    return Person(
        name=_random_name(rng, male),
        sex="男" if male else "女",
        ethnicity=ethnicity,
        birth=birth.isoformat(),
        address=address,
        number=number,
        issue=_issue_authority(region),
        valid_from=valid_from,
        valid_to=valid_to,
    )
