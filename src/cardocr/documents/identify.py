"""Which document a straightened card is, from the words every issuer prints on it.

Each side of each document carries printed landmarks no other one has: the Mainland ID
front's labels (公民身份号码, 住址, 民族), its back's title (中华人民共和国 居民身份证) and labels,
the Hong Kong card's titles (香港永久性居民身份證, HONG KONG ... IDENTITY CARD), the licence's
title (中华人民共和国机动车驾驶证) and labels (准驾车型, 初次领证日期), its second page's 副页 and
档案编号. A side scores the landmarks found among the card's recognised lines (one counts when most of
its characters appear in one line, in order: the recogniser misreads a character now and
then); the side with the most wins. Some words are printed on two documents (姓名, 性别 and
出生 on the ID front and the licence; 有效期限 on the ID back and the licence): the side whose
own words are there too has more.
"""

from __future__ import annotations

from difflib import SequenceMatcher

# (document, side) -> its landmarks, most telling first; Latin ones compared without spaces
LANDMARKS: dict[tuple[str, str], tuple[str, ...]] = {
    ("id-card", "front"): ("公民身份号码", "住址", "民族", "出生", "性别", "姓名"),
    ("id-card", "back"): ("居民身份证", "签发机关", "有效期限"),
    ("hk-id-card", "front"): ("香港永久性居民身份證", "香港居民身份證", "HONGKONG", "IDENTITYCARD", "簽發日期"),
    ("driver-license", "front"): ("机动车驾驶证", "准驾车型", "初次领证日期", "国籍", "DrivingLicense",
                                  "证号"),
    ("driver-license", "back"): ("副页", "档案编号", "记录"),
}
# Reading.meta key: a document module that found another document's title on the card names
# that document here (and reads nothing); the pipeline then answers "no card"
ANOTHER_DOCUMENT = "another_document"
MATCH = 0.75  # share of a landmark's characters found in order in one line


def printed(landmark: str, lines: list[str]) -> bool:
    """Whether one of the recognised lines (no spaces) shows the landmark (MATCH)."""
    need = len(landmark) * MATCH
    for line in lines:
        if landmark in line:
            return True
        blocks = SequenceMatcher(None, landmark, line, autojunk=False).get_matching_blocks()
        if sum(b.size for b in blocks) >= need:
            return True
    return False


def scores(texts: list[str]) -> dict[tuple[str, str], int]:
    """How many of each side's landmarks are among the recognised lines."""
    lines = [t.replace(" ", "") for t in texts if t.strip()]
    return {key: sum(printed(m, lines) for m in marks) for key, marks in LANDMARKS.items()}


def identify(texts: list[str]) -> tuple[str, str] | None:
    """(document, side) the lines of one card show, or None when no landmark is found."""
    ranked = sorted(scores(texts).items(), key=lambda kv: kv[1], reverse=True)
    (best, score), = ranked[:1]
    return best if score > 0 else None
