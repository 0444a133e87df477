"""`--type auto`: the document and side told from the landmarks printed on the card
(documents.identify, pipeline.identify), on generator cards of every document and side in
several capture conditions and on the published specimens."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from cardocr.cli import app
from cardocr.documents import REGISTRY
from cardocr.documents.identify import identify as identify_lines
from cardocr.errors import NoCardFound
from cardocr.ocr import get_engine
from cardocr.pipeline import identify, read
from cardocr.types import ReadRequest
from tests.reference import reference_image, reference_path
from tools.cardgen import make_hk_sample, make_licence_sample, make_sample

CASES = [("id-card", "front", 7302, "photo"), ("id-card", "back", 7301, "scan"), ("hk-id-card", "front", 7304, "photo"),
         ("driver-license", "front", 7306, "photo"), ("driver-license", "back", 7305, "scan")]


def _photo(doc: str, side: str, seed: int, cond: str):
    if doc == "id-card":
        return make_sample(seed, side, cond)[0]
    if doc == "hk-id-card":
        return make_hk_sample(seed, cond)[0]
    return make_licence_sample(seed, side, cond)[0]


@pytest.mark.parametrize(("doc", "side", "seed", "cond"), CASES)
def test_generator_cards_are_told_apart(doc, side, seed, cond):
    told, told_side = identify(_photo(doc, side, seed, cond), get_engine())
    assert (told.name, told_side) == (doc, side)


@pytest.mark.parametrize(("name", "doc"), [("cn-driving-licence-mockup.png", "driver-license"),
                                           ("hk-id-2018-specimen.png", "hk-id-card")])
def test_specimens_are_told(name, doc):
    told, _side = identify(reference_image(name), get_engine())
    assert told.name == doc


def test_words_shared_by_two_documents_go_to_the_one_with_more():
    # a licence's main page also prints 姓名, 性别, 出生日期 and 有效期限
    lines = ["中华人民共和国机动车驾驶证", "证号 110101199001011234", "姓名 张三 性别 男 国籍 中国",
             "出生日期 1990-01-01", "准驾车型 C1", "有效期限 2016-03-03 至 2022-03-03"]
    assert identify_lines(lines) == ("driver-license", "front")
    assert identify_lines(["姓名 张三", "性别 男 民族 汉", "出生 1990年1月1日", "住址 北京市", "公民身份号码"]) \
        == ("id-card", "front")
    assert identify_lines(["一张白纸", "12345"]) is None


def test_cli_auto_names_the_type_and_reads_the_fields():
    result = CliRunner().invoke(app, ["recognize", str(reference_path("hk-id-2018-specimen.png"))])
    assert result.exit_code == 0, result.output
    body = json.loads(result.stdout)
    assert body["type"] == "hk-id-card"
    assert body["result"]["number"]


@pytest.mark.parametrize(("endpoint", "doc", "side", "seed"), [
    ("id-card", "driver-license", "front", 7311), ("id-card", "hk-id-card", "front", 7312),
    ("hk-id-card", "id-card", "back", 7313), ("driver-license", "id-card", "front", 7314),
])
def test_a_card_sent_to_another_documents_endpoint_is_no_card_of_it(endpoint, doc, side, seed):
    """Not fields read from the wrong layout: the documented "no card" error."""
    with pytest.raises(NoCardFound):
        read(REGISTRY[endpoint], _photo(doc, side, seed, "scan"), ReadRequest(), get_engine())
