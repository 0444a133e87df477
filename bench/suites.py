"""The bench's documents: for each, its samples (the generator's cards under each capture
condition, with fixed seeds), their truth in the documents' field names, and the baseline's
field extraction (whole-image OCR, fields by regex), gathered in SUITES."""

from __future__ import annotations

import re

import numpy as np

from cardocr.types import ReadRequest
from tools.cardgen import make_sample

FRONT = ("name", "sex", "birth", "ethnicity", "address", "number")
BACK = ("issue", "valid_from", "valid_to")


# the generators name a few fields as Huawei's API does; the documents' own names differ
FIELD_NAMES = {"issue": "authority", "issuing_authority": "authority"}


def domain_truth(truth: dict) -> dict:
    return {FIELD_NAMES.get(k, k): v for k, v in truth.items()}


def truth_fields(person, side: str) -> dict[str, str]:
    keys = FRONT if side == "front" else BACK
    return domain_truth({k: getattr(person, k) for k in keys})


# -- baseline: whole-image OCR, fields by regex over all the text ---------------------------

class Baseline:
    """rapidocr's own pipeline over the whole photo (its default models and settings), then
    the usual regex field extraction that whole-image OCR integrations do."""

    def __init__(self) -> None:
        from rapidocr import RapidOCR

        self.ocr = RapidOCR(params={"Global.log_level": "error"})

    def texts(self, image: np.ndarray) -> list[str]:
        res = self.ocr(image)
        return list(res.txts or [])

    def __call__(self, image: np.ndarray) -> dict[str, str]:
        return self.parse(self.texts(image))

    @staticmethod
    def parse(texts: list[str]) -> dict[str, str]:
        joined = "".join(t.replace(" ", "") for t in texts)
        out: dict[str, str] = {}
        if m := re.search(r"(\d{17}[\dXx])", joined):
            out["number"] = m[1].upper()
        if m := re.search(r"姓名(.+?)(性别|$)", joined):
            out["name"] = m[1]
        if m := re.search(r"性别(男|女)", joined):
            out["sex"] = m[1]
        if m := re.search(r"民族(.+?)(出生|$)", joined):
            out["ethnicity"] = m[1]
        if m := re.search(r"(\d{4})年(\d{1,2})月(\d{1,2})日", joined):
            out["birth"] = f"{m[1]}-{int(m[2]):02d}-{int(m[3]):02d}"
        if m := re.search(r"住址(.+?)(公民身份号码|$)", joined):
            out["address"] = m[1]
        if m := re.search(r"签发机关(.+?)(有效期限|$)", joined):
            out["issue"] = m[1]
        if m := re.search(r"(\d{4})\.(\d{2})\.(\d{2})-(?:(\d{4})\.(\d{2})\.(\d{2})|(长期))", joined):
            out["valid_from"] = f"{m[1]}-{m[2]}-{m[3]}"
            out["valid_to"] = "长期" if m[7] else f"{m[4]}-{m[5]}-{m[6]}"
        return out


# -- suites: one per document type ---------------------------------------------------------

def hk_baseline(texts: list[str]) -> dict:
    """Whole-image OCR integrations for the HK card: the number, dates and names by pattern."""
    joined = " ".join(texts)
    flat = joined.replace(" ", "")
    out: dict = {}
    if m := re.search(r"([A-Z]{1,2}\d{6}\([0-9A]\))", flat):
        out["number"] = m[1]
    if m := re.search(r"(\d{2}-\d{2}-\d{4})", flat):
        out["birth_date"] = m[1]
    if m := re.search(r"\d{2}-\d{2}-\d{4}\S*?(男|女|M|F)", flat):
        out["sex"] = {"男": "M", "女": "F"}.get(m[1], m[1])
    if m := re.search(r"(\(\d{2}-\d{2}\))", flat):
        out["initial_issue_date"] = m[1]
    if m := re.search(r"(?<![\d-])(\d{2}-\d{2}-\d{2})(?![\d-])", flat):
        out["issue_date"] = m[1]
    if m := re.search(r"(\*{1,3}[A-Z]{1,5})", flat):
        out["symbols"] = m[1]
    for t in texts:
        if re.fullmatch(r"[A-Z][A-Z ]*, [A-Za-z ]+", t.strip()):
            out.setdefault("name_en", t.strip())
        if re.fullmatch(r"\d{4}( \d{4}){0,3}", t.strip()):
            out.setdefault("name_telegraph_code", t.strip())
        if re.fullmatch(r"[\u3400-\u9fff]{2,4}", t.strip()) and "香港" not in t:
            out.setdefault("name", t.strip())
    out["permanent"] = "永久" in joined or "PERMANENT" in joined.upper()
    return out


def dl_baseline(texts: list[str]) -> dict:
    joined = "".join(t.replace(" ", "") for t in texts)
    out: dict = {}
    if m := re.search(r"(\d{17}[\dXx])", joined):
        out["number"] = m[1].upper()
    if m := re.search(r"姓名(?:Name)?(.+?)(性别|$)", joined):
        out["name"] = m[1]
    if m := re.search(r"性别(?:Sex)?(男|女)", joined):
        out["sex"] = m[1]
    if m := re.search(r"国籍(?:Nationality)?(.+?)(住址|$)", joined):
        out["nationality"] = m[1]
    if m := re.search(r"住址(?:Address)?(.+?)(出生|$)", joined):
        out["address"] = m[1]
    dates = re.findall(r"(\d{4}-\d{2}-\d{2})", joined)
    for k, d in zip(("birth", "issue_date", "valid_from", "valid_to"), dates):
        out[k] = d
    if m := re.search(r"准驾车型(?:Class)?([A-DFMNP][1-6]?(?:[A-EFMNP][1-6]?)?)", joined):
        out["class"] = m[1]
    if m := re.search(r"档案编号(\d{12})", joined):
        out["file_number"] = m[1]
    if m := re.search(r"记录(.+)$", joined):
        out["record"] = m[1]
    return out


# Every LAYOUT_EVERY-th seed is read a second time as a `layout` photo: a card of another
# printer, year or third-party template (blocks moved by up to 5%, rows and fonts scaled by up to
# 10%, other faces, framed a little too large or small). The other samples stay as they were.
LAYOUT_EVERY = 4
CYCLES = {  # doc type: (conditions cycled over the seeds, sides cycled every len(conditions) seeds)
    "id-card": (("scan", "photo", "small"), ("front", "back")),
    "hk-id-card": (("scan", "photo", "small", "thumb"), ("front",)),
    "driver-license": (("scan", "photo", "small"), ("front", "back")),
}


def plan(doc_type: str, count: int, seed0: int, conditions: tuple[str, ...] | None = None
         ) -> list[tuple[int, str, str]]:
    """(seed, side, condition) of `count` seeds' samples. Without `conditions`, the cycled
    conditions only (one sample a seed); with them, every LAYOUT_EVERY-th seed adds a `layout`
    sample, and only the samples under those conditions are kept."""
    cycle, sides = CYCLES[doc_type]
    out = []
    for i in range(count):
        out.append((seed0 + i, sides[(i // len(cycle)) % len(sides)], cycle[i % len(cycle)]))
        if conditions is not None and "layout" in conditions and i % LAYOUT_EVERY == 0:
            out.append((seed0 + i, sides[(i // LAYOUT_EVERY) % len(sides)], "layout"))
    return [p for p in out if conditions is None or p[2] in conditions]


def id_card_samples(count: int, seed0: int, conditions: tuple[str, ...] | None = None):
    """(key, photo, truth, options) with scan/photo/small and front/back interleaved."""
    for seed, side, cond in plan("id-card", count, seed0, conditions):
        photo, person, _ = make_sample(seed, side, cond)
        yield (seed, side, cond), photo, truth_fields(person, side), ReadRequest()


def hk_samples(count: int, seed0: int, conditions: tuple[str, ...] | None = None):
    from tools.cardgen.hk import make_hk_sample

    fields = ("name", "name_en", "sex", "birth_date", "number", "symbols", "name_telegraph_code",
              "permanent", "initial_issue_date", "issue_date")
    for seed, _side, cond in plan("hk-id-card", count, seed0, conditions):
        photo, p, _ = make_hk_sample(seed, cond)
        yield (seed, p.layout, cond), photo, {k: getattr(p, k) for k in fields}, ReadRequest()


def dl_samples(count: int, seed0: int, conditions: tuple[str, ...] | None = None):
    from tools.cardgen.licence import make_licence_sample

    for seed, side, cond in plan("driver-license", count, seed0, conditions):
        photo, lic, _ = make_licence_sample(seed, side, cond)
        truth = domain_truth(lic.front_result() if side == "front" else lic.back_result())
        # the authority is read only when asked: ask on every main page
        opts = ReadRequest(optional=frozenset({"authority"}) if side == "front" else frozenset())
        yield (seed, f"{side}/{lic.layout}", cond), photo, truth, opts


SUITES = {
    # doc type: (title, sample generator, default count, baseline parser, conditions)
    "id-card": ("Mainland ID card", id_card_samples, 240, Baseline.parse, ("scan", "photo", "small", "layout")),
    "hk-id-card": ("Hong Kong ID card", hk_samples, 120, hk_baseline, ("scan", "photo", "small", "thumb", "layout")),
    "driver-license": ("Mainland driving licence", dl_samples, 120, dl_baseline,
                       ("scan", "photo", "small", "layout")),
}


# Cards from seeds nobody has tuned on: the main run's (100000 on) have been for sessions,
# and 300000 on were used to mend the licence seal. Read these, do not tune on them.
HOLDOUT_SEED = 500000
