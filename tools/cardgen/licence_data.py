"""What a synthetic driving licence says: its holder, dates, class, authority and the second
page's record, exactly as the Huawei driver-license API returns them (the ground truth of
tools.cardgen.licence's samples). Everything is fake: random holders (tools.cardgen.person).
"""

from __future__ import annotations

import datetime as _dt
import random
from dataclasses import dataclass

from . import data
from .person import TODAY, _add_years, _age_on, _random_date, id_check_char, random_person

PAGE_W, PAGE_H = 880, 600  # 88 x 60 mm at 10 px/mm
LAYOUTS = ("new", "old")

# Legal classes (GA/T 准驾车型 codes).
CLASSES = ("A1", "A2", "A3", "B1", "B2", "C1", "C2", "C3", "C4", "C5", "C6", "D", "E", "F", "M", "N", "P")
# Realistic printed combinations with weights (mostly C1 / C2).
_CLASS_WEIGHTS = {
    "C1": 46, "C2": 16, "B2": 6, "A1": 3, "A2": 3, "B1": 2, "A3": 0.6, "C1E": 4, "C1D": 2, "C2E": 1,
    "C2D": 0.6, "A2D": 1, "B1D": 0.7, "B2E": 1, "B2D": 0.7, "A1A2": 0.6, "A2E": 0.5, "A1D": 0.4, "C3": 0.8,
    "C4": 0.6, "C5": 0.4, "C6": 0.3, "D": 1.5, "E": 1.5, "F": 0.4, "M": 0.2, "N": 0.2, "P": 0.1,
}

FRONT_FIELDS = ("number", "name", "sex", "nationality", "address", "birth", "issue_date", "class",
                "valid_from", "valid_to", "issuing_authority")
BACK_FIELDS = ("number", "name", "file_number", "record")

_MUNICIPAL_AUTHORITY = {
    "北京市": "北京市公安局公安交通管理局",
    "天津市": "天津市公安交通管理局",
    "上海市": "上海市公安局交通警察总队",
    "重庆市": "重庆市公安局交通巡逻警察总队",
}


def split_classes(cls: str) -> list[str]:
    """'A2D' -> ['A2', 'D'];  'C1E' -> ['C1', 'E']."""
    out, i = [], 0
    while i < len(cls):
        if i + 1 < len(cls) and cls[i + 1].isdigit():
            out.append(cls[i:i + 2])
            i += 2
        else:
            out.append(cls[i])
            i += 1
    return out


@dataclass
class Licence:
    """Ground truth, exactly as the Huawei driver-license OCR API returns it.

    ``class`` is a Python keyword, so the attribute is ``class_``; to_dict() and
    front_result() use the API name "class".
    """

    number: str  # 证号: the holder's 18-char ID number
    name: str
    sex: str  # 男 / 女
    nationality: str  # 中国 (or 中国香港 / 中国澳门 / 中国台湾, rare)
    address: str  # one line, no breaks (printed wrapped over up to 2 lines)
    birth: str  # YYYY-MM-DD
    issue_date: str  # 初次领证日期, YYYY-MM-DD
    class_: str  # 准驾车型, e.g. C1, C1E, A2D
    valid_from: str  # YYYY-MM-DD
    valid_to: str  # YYYY-MM-DD or 长期 (old layout: computed from valid_from + N years)
    issuing_authority: str  # name on the seal
    file_number: str  # 档案编号, 12 digits
    record: str  # 记录: printed lines concatenated without separator, "" if empty
    layout: str  # "new" | "old"
    valid_years: int  # 6 / 10 / 0 (= 长期); what the old layout prints as 有效期限

    def to_dict(self) -> dict:
        d = {k: getattr(self, k) for k in FRONT_FIELDS if k != "class"}
        d["class"] = self.class_
        d.update(file_number=self.file_number, record=self.record, layout=self.layout,
                 valid_years=self.valid_years)
        return d

    def front_result(self) -> dict:
        d = self.to_dict()
        return {k: d[k] for k in FRONT_FIELDS}

    def back_result(self) -> dict:
        d = self.to_dict()
        return {k: d[k] for k in BACK_FIELDS}


# ------------------------------------------------------------------- ground truth


def _cn_date(d: _dt.date) -> str:
    return f"{d.year}年{d.month:02d}月{d.day:02d}日"


def licence_authority(region: tuple[str, str, str, str]) -> str:
    code, prov, city, county = region
    if prov in _MUNICIPAL_AUTHORITY:
        return _MUNICIPAL_AUTHORITY[prov]
    return f"{prov}{city}公安局交通警察支队"


def _record(rng: random.Random, cls: str, birth: _dt.date, issue: _dt.date, valid_from: _dt.date,
            valid_to: _dt.date | None) -> str:
    items: list[str] = []
    heavy = cls[0] in "AB"
    if valid_from == issue and rng.random() < 0.8:
        items.append(f"实习期至{_cn_date(_add_years(issue, 1) - _dt.timedelta(days=1))}")
    if heavy and rng.random() < 0.45:
        earliest = _add_years(issue, 3)
        if earliest < TODAY:
            d = _random_date(rng, earliest, TODAY)
            items.append(f"增驾{split_classes(cls)[0]}实习期至{_cn_date(_add_years(d, 1) - _dt.timedelta(days=1))}")
    if heavy and rng.random() < 0.5:
        items.append("请于每个记分周期结束后三十日内到公安机关交通管理部门接受审验")
    if _age_on(birth, TODAY) >= 70 and rng.random() < 0.7:
        items.append(f"请于每年{birth.month:02d}月{birth.day:02d}日前提交身体条件证明")
    if valid_to is not None and rng.random() < 0.25:
        items.append(f"请于{_cn_date(valid_to)}前申请换证")
    if rng.random() < 0.15:
        items = []
    rng.shuffle(items)
    return "".join(items[:2])


def random_licence(rng: random.Random, layout: str | None = None) -> Licence:
    # An adult holder who got the licence at 18+ and before TODAY.
    while True:
        p = random_person(rng)
        birth = _dt.date.fromisoformat(p.birth)
        lo = max(_add_years(birth, 18), _dt.date(1996, 1, 1))
        hi = min(TODAY - _dt.timedelta(days=20), _add_years(birth, 60))
        if lo < hi:
            break
    issue = _random_date(rng, lo, hi)
    number = p.number
    nationality = "中国"
    r = rng.random()
    if r < 0.03:  # Hong Kong / Macao / Taiwan residents: residence-permit number 81/82/83 0000
        prefix, nationality = rng.choice((("810000", "中国香港"), ("820000", "中国澳门"), ("830000", "中国台湾")))
        first17 = prefix + number[6:17]
        number = first17 + id_check_char(first17)
    # Validity periods: 6 years, then 10 years, then 长期.
    periods = [(issue, _add_years(issue, 6), 6), (_add_years(issue, 6), _add_years(issue, 16), 10),
               (_add_years(issue, 16), None, 0)]
    periods = [pp for pp in periods if pp[0] <= TODAY]
    current = [pp for pp in periods if pp[1] is None or pp[1] > TODAY]
    if current and rng.random() < 0.85:
        vf, vt, years = current[0]
    else:
        vf, vt, years = rng.choice(periods)
    if layout is None:
        layout = "old" if rng.random() < (0.7 if vf.year < 2013 else 0.35) else "new"
    cls = rng.choices(list(_CLASS_WEIGHTS), weights=list(_CLASS_WEIGHTS.values()))[0]
    region = next((rg for rg in data.REGIONS if rg[0] == p.number[:6]), None) or rng.choice(data.REGIONS)
    if rng.random() < 0.7:
        file_number = region[0][:4] + "".join(rng.choice("0123456789") for _ in range(8))
    else:
        file_number = str(rng.randint(1, 9)) + "".join(rng.choice("0123456789") for _ in range(11))
    return Licence(
        number=number,
        name=p.name,
        sex=p.sex,
        nationality=nationality,
        address=p.address,
        birth=p.birth,
        issue_date=issue.isoformat(),
        class_=cls,
        valid_from=vf.isoformat(),
        valid_to=vt.isoformat() if vt else "长期",
        issuing_authority=licence_authority(region),
        file_number=file_number,
        record=_record(rng, cls, birth, issue, vf, vt),
        layout=layout,
        valid_years=years,
    )


def record_lines(record: str) -> list[str]:
    """Split the record string into its printed items (each starts a new line on the card)."""
    out: list[str] = []
    cur = ""
    for i, ch in enumerate(record):
        starts = record.startswith(("增驾", "请于"), i) or (
            record.startswith("实习期至", i) and not (cur.startswith("增驾") and "实习期至" not in cur))
        if cur and starts:
            out.append(cur)
            cur = ""
        cur += ch
    if cur:
        out.append(cur)
    return out
