"""The driving licence's issuing authority, read from the red seal on its main page.

vision.seal turns the seal into lines of text (the rim of a round seal, the rows of a square
one); the recogniser reads them; and the name is chosen from the closed list of licence
authorities (checks.licence_authority) by CTC likelihood over all of those lines, the
authority of the licence's own city favoured as a prior (people move, so only a prior). A
confident reading of a whole name that is not listed is kept: the list is a gazetteer of the
usual offices, not of every office that issues.
"""

from __future__ import annotations

import cv2
import numpy as np

from ..ocr.ctc import char_index, sequence_log_probs
from ..ocr.engine import OcrEngine
from ..ocr.types import Line
from ..types import CARD_H, CARD_W, CONFIDENT, Card, Field
from ..vision.geometry import crop_box
from ..vision.seal import find_seal
from .base import line_conf
from .checks.licence_authority import is_listed, provinces, similar_licence_authorities, skips_from

ISO_Y = (CARD_W / 88) / (CARD_H / 60)  # stretch of y that makes card pixels square on the page
SEAL_LIST_PRIOR = 8.0  # nats: a local authority (local_authorities) is that much likelier a priori
AUTHORITY_ENDINGS = ("支队", "总队", "大队", "管理局")
# nats per character a name may fall short of what the recogniser read and still be read from
# the pixels: a clean or worn seal's name is within ~1 of its own reading, a seal read as
# noise leaves every name 4-10 short (seal_evidence's seal_fit, dev 1300000.. and 1500000..)
NOISE_FIT = -2.0


def read_seal(card: Card, engine: OcrEngine, where: tuple[float, float, float, float],
              local: list[str]) -> Field:
    """The issuing authority from the red seal in `where` ((x0, x1, y0, y1), page fractions):
    its text straightened into lines (vision.seal), and the name chosen from the closed list
    by CTC likelihood over those lines, the `local` names favoured. The field's quad is the
    seal's in page pixels (no seal, no quad); its evidence, how well the pixels carry the name
    (seal_evidence)."""
    x0, x1, y0, y1 = where
    px0, py0 = int(x0 * CARD_W), int(y0 * CARD_H)
    region = crop_box(card.image, px0, py0, x1 * CARD_W, y1 * CARD_H)
    py0 = max(0, py0)
    # square page pixels, so a round seal is a circle
    region = cv2.resize(region, (region.shape[1], int(round(region.shape[0] * ISO_Y))),
                        interpolation=cv2.INTER_LINEAR)
    seal = find_seal(region)
    if seal is None:
        return Field("", 0.0, None)
    bx0, by0, bx1, by1 = seal.bbox
    quad = np.array([[px0 + bx0, py0 + by0 / ISO_Y], [px0 + bx1, py0 + by0 / ISO_Y],
                     [px0 + bx1, py0 + by1 / ISO_Y], [px0 + bx0, py0 + by1 / ISO_Y]], np.float32)
    quad[:, 0] = np.clip(quad[:, 0], 0, CARD_W)
    quad[:, 1] = np.clip(quad[:, 1], 0, CARD_H)
    crops = seal.lines
    lines = engine.recognize([cv2.cvtColor(c, cv2.COLOR_GRAY2BGR) for c in crops]) if crops else []
    probs = [ln.probs for ln in lines if ln.probs is not None and len(ln.probs)]
    if not probs:
        # a seal, but no line to read on it: nothing was read, so nothing is answered
        return Field("", 0.0, quad)
    cs = engine.charset
    raw = Line("".join(ln.text for ln in lines), [p for ln in lines for p in ln.char_probs],
               np.concatenate(probs))
    name, conf = choose_authority(raw, local, cs)
    return Field(name, conf, quad, seal_evidence(raw, name, local, cs))


def seal_evidence(raw: Line, name: str, local: list[str], cs: list[str]) -> dict[str, float]:
    """What the seal says for the chosen name, as plain numbers (cardocr.confidence reads them):

        seal_fit   nats per character by which the name's CTC likelihood falls short of the
                   recogniser's own best path over the seal's lines (0: the name is what it
                   read; a seal read as noise gives every name a large shortfall)
        seal_away  1 when the name is none of the licence's local ones (the city its number
                   and address point to) although there were some: the pixels outvoted the
                   prior, which a seal read as noise can do by chance
    """
    index = char_index(cs)
    fit = 0.0
    if raw.probs is not None and name and all(ch in index for ch in name):
        ll = float(sequence_log_probs(raw.probs, [[index[ch] for ch in name]])[0])
        fit = max(-10.0, _shortfall(raw.probs, ll, name))
    return {"seal_fit": round(fit, 4), "seal_away": float(bool(local) and bool(name) and name not in local)}


def _shortfall(probs: np.ndarray, ll: float, name: str) -> float:
    """Nats per character by which a name's CTC log-likelihood `ll` falls short of the
    recogniser's best path (<= 0; -inf for a name the timesteps cannot hold)."""
    if not np.isfinite(ll):
        return -np.inf
    best_path = float(np.log(np.maximum(probs.max(axis=1), 1e-12)).sum())
    return min(0.0, (ll - best_path) / len(name))


def choose_authority(raw: Line, local: list[str], cs: list[str]) -> tuple[str, float]:
    """The known authority name the seal's pixels support best (CTC likelihood over the
    whole rim or all rows, local names favoured by SEAL_LIST_PRIOR), among the local names
    and those sharing most characters with the raw reading. A raw reading that is confident
    in every character and looks like a whole authority name (a province first, an office
    last) is kept even when it is not listed, unless it is a listed name with a character
    or two left out (a glyph the recogniser skipped, in a reflection or a faint row)."""
    index = char_index(cs)
    cands = [c for c in dict.fromkeys(local + similar_licence_authorities(raw.text, 24))
             if all(ch in index for ch in c)]
    if raw.min_prob >= CONFIDENT and raw.text.endswith(AUTHORITY_ENDINGS) \
            and raw.text.startswith(provinces()) and not is_listed(raw.text) \
            and not any(skips_from(raw.text, c) for c in cands):
        return raw.text, line_conf(raw)
    if not cands or raw.probs is None:
        return raw.text, line_conf(raw)
    scores = sequence_log_probs(raw.probs, [[index[ch] for ch in c] for c in cands])
    scores = scores + SEAL_LIST_PRIOR * np.isin(np.array(cands, dtype=object), local)
    if not np.isfinite(scores).any():  # too few timesteps for any name: keep what was read
        return raw.text, line_conf(raw)
    k = int(np.argmax(scores))
    if cands[k] not in local and any(c in local for c in cands) \
            and _shortfall(raw.probs, float(scores[k]), cands[k]) < NOISE_FIT:  # (no prior in its score)
        # the pixels carry no name (a seal read as noise): which name they fit least badly
        # is chance, often a short one; the licence's own city is the better guess
        k = max((i for i, c in enumerate(cands) if c in local), key=lambda i: float(scores[i]))
    share = np.exp(scores - scores.max())
    return cands[k], round(float(share[k] / share.sum()), 4)
