"""Tests for the synthetic driving-licence generator (tools.cardgen.licence)."""

from __future__ import annotations

import datetime as dt
import random

import numpy as np
import pytest

from tools.cardgen import data, id_number_valid
from tools.cardgen.licence import licence_layout_boxes, make_licence_sample
from tools.cardgen.licence_data import (
    BACK_FIELDS,
    CLASSES,
    FRONT_FIELDS,
    PAGE_H,
    PAGE_W,
    Licence,
    random_licence,
    record_lines,
    split_classes,
)
from tools.cardgen.licence_draw import _render_back, _render_front, render_licence_back, render_licence_front
from tools.cardgen.person import TODAY

LICENCES = [random_licence(random.Random(s)) for s in range(400)]


def _d(s: str) -> dt.date:
    return dt.date.fromisoformat(s)


def _plus_years(d: dt.date, n: int) -> dt.date:
    try:
        return d.replace(year=d.year + n)
    except ValueError:
        return d.replace(year=d.year + n, day=28)


@pytest.mark.parametrize("lic", LICENCES[:150])
def test_licence_consistent(lic: Licence):
    assert id_number_valid(lic.number)
    birth = _d(lic.birth)
    assert lic.number[6:14] == birth.strftime("%Y%m%d")
    assert (int(lic.number[16]) % 2 == 1) == (lic.sex == "男")
    if lic.nationality == "中国":
        assert lic.number[:6] in {r[0] for r in data.REGIONS}
    else:
        assert lic.number[:6] in ("810000", "820000", "830000")
    assert lic.sex in ("男", "女")
    assert "\n" not in lic.address and "\n" not in lic.record
    issue = _d(lic.issue_date)
    assert _plus_years(birth, 18) <= issue <= TODAY
    assert all(c in CLASSES for c in split_classes(lic.class_)), lic.class_
    vf = _d(lic.valid_from)
    assert issue <= vf <= TODAY
    if lic.valid_to == "长期":
        assert lic.valid_years == 0
    else:
        assert lic.valid_years in (6, 10)
        assert _d(lic.valid_to) == _plus_years(vf, lic.valid_years)
    assert len(lic.file_number) == 12 and lic.file_number.isdigit()
    assert lic.layout in ("new", "old")
    assert "公安" in lic.issuing_authority and lic.issuing_authority.endswith(("支队", "总队", "管理局"))
    assert "".join(record_lines(lic.record)) == lic.record
    assert set(lic.front_result()) == set(FRONT_FIELDS) and set(lic.back_result()) == set(BACK_FIELDS)
    assert lic.front_result()["class"] == lic.class_


def test_population_mix():
    classes = [lic.class_ for lic in LICENCES]
    assert sum(c in ("C1", "C2") for c in classes) / len(classes) > 0.5
    assert len(set(classes)) >= 10
    layouts = [lic.layout for lic in LICENCES]
    assert 0.3 < layouts.count("old") / len(layouts) < 0.7
    assert any(lic.valid_to == "长期" for lic in LICENCES)
    assert any(lic.valid_years == 6 for lic in LICENCES) and any(lic.valid_years == 10 for lic in LICENCES)
    assert any(lic.record == "" for lic in LICENCES) and any(lic.record for lic in LICENCES)
    assert sum(lic.nationality == "中国" for lic in LICENCES) / len(LICENCES) > 0.9
    assert any(lic.issuing_authority == "北京市公安局公安交通管理局" for lic in LICENCES)


def test_record_lines_split():
    assert record_lines("") == []
    assert record_lines("增驾B2实习期至2020年01月01日请于2030年01月01日前申请换证") == [
        "增驾B2实习期至2020年01月01日", "请于2030年01月01日前申请换证"]
    assert record_lines("实习期至2021年03月05日") == ["实习期至2021年03月05日"]


@pytest.mark.parametrize("layout", ["new", "old"])
def test_render_shapes_and_boxes(layout):
    for seed in range(4):
        rng = random.Random(seed)
        lic = random_licence(rng, layout)
        front, fb = _render_front(lic, rng)
        back, bb = _render_back(lic, rng)
        for img in (front, back):
            assert img.shape == (PAGE_H, PAGE_W, 3) and img.dtype == np.uint8
        for side, boxes in (("front", fb), ("back", bb)):
            ref = licence_layout_boxes(layout, side)
            for key, (x0, x1, y0, y1) in boxes.items():
                if key not in ref:
                    continue
                r = ref[key]
                assert r[0] * PAGE_W <= x0 and x1 <= r[1] * PAGE_W, (side, key, boxes[key], r)
                assert r[2] * PAGE_H <= y0 and y1 <= r[3] * PAGE_H, (side, key, boxes[key], r)
        assert "valid_for" in fb if layout == "old" else "valid_to" in fb
    assert set(licence_layout_boxes("old", "front")) >= {"number", "name", "class", "valid_from", "seal"}


def test_render_deterministic():
    lic = random_licence(random.Random(5))
    a = render_licence_front(lic, random.Random(9))
    b = render_licence_front(lic, random.Random(9))
    assert np.array_equal(a, b)
    assert np.array_equal(render_licence_back(lic, random.Random(2)), render_licence_back(lic, random.Random(2)))


@pytest.mark.parametrize("side,condition,sleeve", [
    ("front", "scan", True), ("back", "photo", False), ("both", "small", True), ("both", "scan", False),
])
def test_make_licence_sample(side, condition, sleeve):
    photo, lic, corners = make_licence_sample(11, side, condition, sleeve=sleeve)
    photo2, lic2, corners2 = make_licence_sample(11, side, condition, sleeve=sleeve)
    assert np.array_equal(photo, photo2) and lic == lic2 and np.array_equal(corners, corners2)
    assert photo.dtype == np.uint8 and photo.ndim == 3
    h, w = photo.shape[:2]
    quads = corners.reshape(-1, 4, 2)
    assert corners.shape == ((2, 4, 2) if side == "both" else (4, 2))
    for q in quads:
        assert (q[:, 0] >= 0).all() and (q[:, 0] <= w).all() and (q[:, 1] >= 0).all() and (q[:, 1] <= h).all()
        top = np.linalg.norm(q[1] - q[0])
        left = np.linalg.norm(q[3] - q[0])
        assert 1.25 < top / left < 1.7  # 88 x 60 mm page, mild perspective
    if sleeve:  # the dark holder surrounds the page: just outside the page edge it is dark
        q = quads[0]
        c = q.mean(axis=0)
        out = c + (q[0] - c) * 1.02
        if 0 <= out[0] < w and 0 <= out[1] < h:
            assert photo[int(out[1]), int(out[0])].mean() < 160


def test_sample_layout_forced_and_seed_varies():
    _, a, _ = make_licence_sample(3, "front", "scan", layout="old")
    assert a.layout == "old"
    _, b, _ = make_licence_sample(4, "front", "scan")
    assert a.number != b.number
