"""The Mainland ID card's back: the issuing authority and the validity period, in two rows
placed by their printed labels (签发机关, 有效期限; landmarks.py), else by the validity line.

An uncertain authority reading is chosen among the real authority names (checks/authority.py)
by how well the recogniser's pixels support them; a character read with confidence is never
replaced.
"""

from __future__ import annotations

import numpy as np

from ..ocr.ctc import char_index, sequence_log_probs
from ..ocr.engine import OcrEngine
from ..ocr.types import Line
from ..types import CONFIDENT, Card, Field, Reading
from . import cn_temporary
from .base import ZoneText, decode_line, decode_zone, line_conf, read_zones, shifted, strip_label
from .checks import parse_date
from .checks.authority import authority_names, likely_authorities, similar_authorities
from .cn_id_layout import BACK_MAX_LINES, DIGITS, NAME, ZONE_MIN_WIDTH, ZONE_SIMILAR_WIDTH, Layout, layout_shift
from .cn_validity import joint_permanent, joint_temporary, joint_validity, parse_validity, shaped_validity
from .landmarks import Zone, column_labels, fit_rows, values_right_of

AUTHORITY_MARGIN = 6.0  # log-likelihood an authority name may trail the raw reading by
# ... or, when the raw reading is no authority's name, this much, if the name leads every other
# name sharing its characters by AUTHORITY_GAP
AUTHORITY_WIDE_MARGIN, AUTHORITY_GAP = 10.0, 6.0


def back_zones(card: Card) -> tuple[dict[str, Zone], dict[str, tuple[float, float]]]:
    """The back's two rows from their printed labels where found (landmarks.RowFit), else
    from the validity line (the widest low line); a label in a box of its own also says
    where its value starts."""
    labels = column_labels(card, ("authority", "validity"), Layout.BACK_LABEL_MAX_X0, Layout.BACK_TITLE_MAX_Y,
                           1.0, Layout.BACK_LABEL_ALONE_W, Layout.BACK_LABEL_ROWS)
    fit = fit_rows(labels, Layout.BACK_LABEL_ROWS)
    if fit is None:
        dy = layout_shift(card, Layout.VALIDITY_ROW_Y, Layout.VALIDITY_ROW_MIN_Y)
        zones, rows = shifted(Layout.BACK_ZONES, dy), shifted(Layout.BACK_ROWS, dy)
    else:
        zones, rows = fit.zones(Layout.BACK_ZONES), fit.rows(Layout.BACK_ROWS)
    values_right_of(zones, labels, Layout.LABEL_GAP)
    return zones, rows


def read_back(card: Card, engine: OcrEngine) -> Reading:
    zones, rows = back_zones(card)
    z = read_zones(card, engine, zones, rows, max_lines=BACK_MAX_LINES,
                   similar_width=ZONE_SIMILAR_WIDTH, min_width=ZONE_MIN_WIDTH)
    return back_fields(z, engine.charset)


def back_fields(z: dict[str, ZoneText], cs: list[str], temporary: bool = False) -> Reading:
    """The authority and the validity period from their zones' lines. A temporary card's
    period runs three months (cn_temporary.span_ok), a permanent card's 5, 10 or 20 years."""
    fields: dict[str, Field] = {}
    reading = Reading(NAME, "back", fields)
    issue_lines = [decode_line(ln, cs, "{cjk}()（）") for ln in z["authority"].lines]
    issue = strip_label("".join(ln.text for ln in issue_lines).replace(" ", ""), "签发机关")
    issue_conf = float(np.mean([line_conf(ln) for ln in issue_lines])) if issue_lines else 0.0
    doubt: dict[str, float] = {}
    if len(issue_lines) == 1 and issue and issue_lines[0].min_prob < CONFIDENT:
        issue, issue_conf, doubt = choose_authority(issue_lines[0], issue, issue_conf, cs, reading)
    fields["authority"] = Field(issue, issue_conf, z["authority"].quad)
    fields["authority"].evidence.update(doubt)  # how sure the list's choice was (confidence.evidence)
    v = decode_zone(z["validity"], cs, DIGITS + ".-长期")
    shaped = shaped_validity(v, cs)
    if shaped is not None:
        v = shaped
        reading.corrections.append(("validity", "read in the printed shape"))
    start, end = parse_validity(v.text)
    joint = joint_temporary(v) if temporary else joint_validity(v)
    if joint and joint != (start, end):
        start, end = joint
        reading.corrections.append(("validity", "dates read together: three months on" if temporary
                                    else "dates read together: same day, 5/10/20 years on"))
    permanent = None if temporary else joint_permanent(v)
    if permanent and permanent != (start, end):
        start, end = permanent
        reading.corrections.append(("validity", "a real start of validity"))
    conf = line_conf(v)
    fields["valid_from"] = Field(start, conf, z["validity"].quad)
    fields["valid_to"] = Field(end, conf, z["validity"].quad)
    d_from, d_to = parse_date(start), parse_date(end) if end != "长期" else None
    reading.checks["dates"] = d_from is not None and (end == "长期" or (d_to is not None and d_to > d_from))
    span_ok = False
    if temporary:
        span_ok = d_from is not None and d_to is not None and cn_temporary.span_ok(d_from, d_to)
    elif d_from is not None and d_to is not None:
        span_ok = (d_to.month, d_to.day) == (d_from.month, d_from.day) and d_to.year - d_from.year in (5, 10, 20)
    elif d_from is not None and end == "长期":
        span_ok = True
    reading.checks["validity_span"] = span_ok
    return reading


def choose_authority(line: Line, text: str, conf: float, charset: list[str],
                      reading: Reading) -> tuple[str, float, dict[str, float]]:
    """An uncertain authority reading is compared with the real authority names that share its
    characters (from the division table); a name is taken only if it keeps every confidently
    read character and the pixels support it nearly as well as the raw reading
    (AUTHORITY_MARGIN), or, when the raw reading names no authority at all, if they support it
    within AUTHORITY_WIDE_MARGIN and far better than every other name (AUTHORITY_GAP): of a
    city's districts, the one whose uncertain characters the recogniser half saw.

    Returns the name, its confidence and, when a listed name replaced the reading, how sure
    that choice was as evidence (cardocr.confidence.evidence): `list_gap`, the log-likelihood
    by which it led the next listed name weighed (a close call between two real names is a
    guess the pixels barely made), and `list_dropped`, the characters read that the name is
    short of (the recogniser saw a character the name does not have)."""
    index = char_index(charset)
    prefix = line.text[: len(line.text) - len(text)]  # label residue the crop still holds
    sure = {c for c, p in zip(line.text, line.char_probs) if p >= CONFIDENT} - set(prefix)
    if line.probs is None or not all(c in index for c in prefix + text):
        return text, conf, {}
    # names sharing the reading's distinctive characters; for a reading that names no
    # authority, also the names whose characters the pixels show somewhere (a blurred reading
    # may share none). A real name read is only weighed against names sharing its characters:
    # against every name, a look-alike county took its place (安图县 -> 安国县, dev 1501193).
    known = text in authority_names()
    wider = [] if known else likely_authorities(line.probs, index)
    names = [c for c in dict.fromkeys(similar_authorities(text) + wider)
             if c != text and sure <= set(c) and all(ch in index for ch in c)]
    lps = sequence_log_probs(line.probs, [[index[c] for c in prefix + s] for s in [text, *names]])
    base = float(lps[0])
    scored = sorted(zip(lps[1:].tolist(), names), reverse=True)
    best, best_lp = text, base
    if scored and scored[0][0] > base - AUTHORITY_MARGIN:
        best_lp, best = scored[0]
    elif (scored and not known and scored[0][0] > base - AUTHORITY_WIDE_MARGIN
          and (len(scored) == 1 or scored[0][0] - scored[1][0] >= AUTHORITY_GAP)):
        best_lp, best = scored[0]
    if best != text:
        reading.corrections.append(("authority", "known issuing authority"))
        doubt = {"list_dropped": float(max(len(text) - len(best), 0))}
        if len(scored) > 1:
            doubt["list_gap"] = round(scored[0][0] - scored[1][0], 3)
        return best, round(min(conf, float(np.exp((best_lp - base) / max(len(best), 1)))), 4), doubt
    return text, conf, {}
