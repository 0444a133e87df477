"""Chinese surnames: a closed list that tells an uncertain first character of a name.

A Mainland name starts with its surname, and nearly every holder's surname is one of a few
hundred: the classic Hundred Family Surnames (百家姓, single and compound) and the common
modern forms it lacks (肖, 付, 闫, ...). When the recogniser reads a first character that is
no surname, and was not sure of it, the surnames the pixels support are compared with the
reading; one is taken only if the pixels support it nearly as well as what was read (the
same rule as the authority names: the list chooses among uncertain readings, it never
overwrites a sure one).
"""

from __future__ import annotations

from functools import cache

import numpy as np

from ...ocr.ctc import char_index, sequence_log_prob, sequence_log_probs
from ...ocr.types import Line
from ...types import CONFIDENT

# 百家姓, single-character surnames in the order of the text (simplified forms)
_CLASSIC = (
    "赵钱孙李周吴郑王冯陈褚卫蒋沈韩杨朱秦尤许何吕施张孔曹严华金魏陶姜戚谢邹喻柏水窦章云苏潘葛"
    "奚范彭郎鲁韦昌马苗凤花方俞任袁柳酆鲍史唐费廉岑薛雷贺倪汤滕殷罗毕郝邬安常乐于时傅皮卞齐康"
    "伍余元卜顾孟平黄和穆萧尹姚邵湛汪祁毛禹狄米贝明臧计伏成戴谈宋茅庞熊纪舒屈项祝董梁杜阮蓝闵"
    "席季麻强贾路娄危江童颜郭梅盛林刁钟徐邱骆高夏蔡田樊胡凌霍虞万支柯昝管卢莫经房裘缪干解应宗"
    "丁宣贲邓郁单杭洪包诸左石崔吉钮龚程嵇邢滑裴陆荣翁荀羊於惠甄曲家封芮羿储靳汲邴糜松井段富巫"
    "乌焦巴弓牧隗山谷车侯宓蓬全郗班仰秋仲伊宫宁仇栾暴甘钭厉戎祖武符刘景詹束龙叶幸司韶郜黎蓟薄"
    "印宿白怀蒲邰从鄂索咸籍赖卓蔺屠蒙池乔阴郁胥能苍双闻莘党翟谭贡劳逄姬申扶堵冉宰郦雍郤璩桑桂"
    "濮牛寿通边扈燕冀郏浦尚农温别庄晏柴瞿阎充慕连茹习宦艾鱼容向古易慎戈廖庾终暨居衡步都耿满弘"
    "匡国文寇广禄阙东欧殳沃利蔚越夔隆师巩厍聂晁勾敖融冷訾辛阚那简饶空曾毋沙乜养鞠须丰巢关蒯相"
    "查后荆红游竺权逯盖益桓公晋楚闫法汝鄢涂钦岳帅缑亢况郈琴商佘佴赏墨哈谯笪年爱阳佟言福"
)
# common today, missing from the classic text (or only in a traditional form there)
_MODERN = "肖付覃邝冼甯苌綦禚麴虢粟揭练代兰母门仝寻候仇亓卢庞黎仉"  # 仉: of 仉督, borne alone today
COMPOUND = (
    "万俟", "司马", "上官", "欧阳", "夏侯", "诸葛", "闻人", "东方", "赫连", "皇甫", "尉迟", "公羊",
    "澹台", "公冶", "宗政", "濮阳", "淳于", "单于", "太叔", "申屠", "公孙", "仲孙", "轩辕", "令狐",
    "钟离", "宇文", "长孙", "慕容", "鲜于", "闾丘", "司徒", "司空", "亓官", "司寇", "仉督", "子车", "颛孙",
    "端木", "巫马", "公西", "漆雕", "乐正", "壤驷", "公良", "拓跋", "夹谷", "宰父", "谷梁", "段干",
    "百里", "东郭", "南门", "呼延", "归海", "羊舌", "微生", "梁丘", "左丘", "东门", "西门", "南宫", "第五",
)
SINGLE = frozenset(_CLASSIC + _MODERN)

# log-likelihood a surname reading may trail the raw reading by (one character's worth of
# doubt; the raw reading is the greedy path, so a surname's path is rarely far above it)
SURNAME_MARGIN = 4.0


@cache
def surnames() -> tuple[str, ...]:
    return tuple(sorted(SINGLE)) + COMPOUND


def is_surname_start(name: str) -> bool:
    return name[:2] in COMPOUND or name[:1] in SINGLE


def choose_surname(line: Line, charset: list[str]) -> tuple[str, bool]:
    """The name with its surname chosen from the list when the first character read is no
    surname and was read without confidence; (name, whether the list chose). `line` is the
    name's line as decoded for its alphabet (text, char_probs and the frames' probs)."""
    text = line.text
    if (len(text) < 2 or line.probs is None or is_surname_start(text)
            or (line.char_probs and line.char_probs[0] >= CONFIDENT)):
        return text, False
    index = char_index(charset)
    if not all(c in index for c in text):
        return text, False
    words = []
    for s in surnames():
        # the surname stands for the first character read (a compound one may have been
        # read as one character, or its second character read right)
        for rest in {text[1:], text[2:]} if len(s) == 2 else {text[1:]}:
            if rest and all(c in index for c in s) and s + rest != text:
                words.append(s + rest)
    if not words:
        return text, False
    raw = sequence_log_prob(line.probs, [index[c] for c in text])
    scores = sequence_log_probs(line.probs, [[index[c] for c in w] for w in words])
    k = int(np.argmax(scores))
    if scores[k] < raw - SURNAME_MARGIN:
        return text, False
    return words[k], True
