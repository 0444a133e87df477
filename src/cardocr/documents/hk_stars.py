"""How many stars the Hong Kong card's symbols line prints, counted in its pixels.

The stars (`***AZ`) are small and set close: at the recogniser's input a run of two or three
is one or two timesteps a star, and CTC, which needs a blank between two equal characters,
reads `**` as `*` or `"`, and three as two (HK layout 1300008: `**AZ` read `*AZ`; 1300788:
`"AZ`). The count was then left to the age-at-issue prior, which says `***` for most adults.

Counted here instead from the line's crop: the letters stand on the baseline, the stars do
not (raised in DejaVu, their foot at 0.6 of the cap height; centred in OCR-B, at 0.77); so
the letters start at the first columns with ink just above the baseline, and left of them
each star is a peak of the ink's column profile (an asterisk's strokes all cross its centre),
with a dip between two stars even where blur joins their ink. Sizes are in units of the
line's own cap height, measured on the crop, so no pixel size is fixed here. The count is
evidence, not a reading: hk_symbols.py weighs it with the recogniser and the age prior
(measured on the tuning range, HK layout 1300000:1301200: right on 278 of 297 lines, no
count on 5).
"""

from __future__ import annotations

import cv2
import numpy as np

from ..vision.geometry import crop_box

PAD = 0.12  # of the box height, as hk_lines.recognise cuts the line
FOOT = 0.1  # the band of the cap height above the baseline where letters have ink, stars none
SMOOTH = 0.07  # Gaussian sigma of the column profile, of the cap height
PROMINENCE = 0.2  # a star's peak rises this share of the darkest column left of the letters
# above the dips either side of it
FAINT = 0.2  # nothing left of the letters darker than this share of their darkest column: no stars
MIN_PITCH = 0.4  # two stars' centres are at least this far apart (of the cap height)
MAX_RUN = 3.3  # the stars span at most this much (of the cap height) before the letters


def count_stars(image: np.ndarray, box: tuple[float, float, float, float]) -> int | None:
    """The number of stars (0-3) left of the symbols line's first letter, or None when the
    pixels do not tell (no clear text band, no letter standing on the baseline, or peaks
    too many, too spread or too close to be stars). `box`: the line's box, card pixels."""
    x0, y0, x1, y1 = box
    h = y1 - y0
    pad = PAD * h
    crop = crop_box(image, x0 - pad, y0 - pad, x1 + pad, y1 + pad)
    if crop.size == 0 or crop.shape[0] < 8 or crop.shape[1] < 8:
        return None
    gray = cv2.cvtColor(crop, cv2.COLOR_BGR2GRAY) if crop.ndim == 3 else crop
    _, ink = cv2.threshold(gray, 0, 1, cv2.THRESH_BINARY_INV + cv2.THRESH_OTSU)
    band = _text_band(ink)
    if band is None:
        return None
    top, base = band
    cap = base - top + 1
    if cap < 6:
        return None
    foot = ink[max(top, int(round(base - FOOT * cap))):base + 1]
    cols = np.nonzero(foot.sum(axis=0) >= 1)[0]
    if not len(cols):
        return None
    letter_x = _first_run(cols, max(2, int(0.1 * cap)))
    if letter_x is None:
        return None
    # darkness above the foot, in columns; a star's peak is measured against the letters'
    foot_top = int(round(base - FOOT * cap))
    level = float(np.percentile(gray, 90))
    dark = np.clip(level - gray[top:foot_top].astype(np.float32), 0, None)
    profile = cv2.GaussianBlur(dark.sum(axis=0).reshape(1, -1), (0, 0), sigmaX=max(0.8, SMOOTH * cap)).ravel()
    letters = float(profile[letter_x:].max()) if letter_x < len(profile) else 0.0
    # left of the first letter (its left edge trimmed a little: a letter's slanted stroke
    # leans into the stars' band)
    right = max(0, letter_x - int(0.05 * cap))
    if right < 2 or letters <= 0:
        return 0
    region = float(profile[:right].max())
    if region < FAINT * letters:
        return 0
    peaks = [i for i in _peaks(profile, PROMINENCE * region) if i < right]
    if not peaks:
        return 0
    if len(peaks) > 3 or peaks[-1] - peaks[0] > MAX_RUN * cap:
        return None
    if any(b - a < MIN_PITCH * cap for a, b in zip(peaks, peaks[1:])):
        return None
    return len(peaks)


def _text_band(ink: np.ndarray) -> tuple[int, int] | None:
    """The rows of the line's text: the longest run of rows with ink across a fair share of
    the line (padding, and a neighbouring line's edge, hold less)."""
    rows = ink.sum(axis=1)
    on = rows >= max(2.0, 0.04 * ink.shape[1])
    best, start = None, None
    for i, v in enumerate(list(on) + [False]):
        if v and start is None:
            start = i
        elif not v and start is not None:
            if best is None or i - start > best[1] - best[0] + 1:
                best = (start, i - 1)
            start = None
    return best


def _first_run(cols: np.ndarray, length: int) -> int | None:
    """The first of `cols` (sorted column indices) that starts a run of `length` adjacent ones."""
    for i in range(len(cols) - length + 1):
        if cols[i + length - 1] - cols[i] == length - 1:
            return int(cols[i])
    return None


def _peaks(profile: np.ndarray, prominence: float) -> list[int]:
    """Local maxima that rise `prominence` above the lowest point between them and the
    neighbouring higher ground on either side (or the profile's ends)."""
    out = []
    n = len(profile)
    for i in range(n):
        v = profile[i]
        if (i > 0 and profile[i - 1] >= v) or (i < n - 1 and profile[i + 1] > v):
            continue
        j = i - 1
        while j >= 0 and profile[j] <= v:
            j -= 1
        lmin = float(profile[j + 1:i].min()) if i - (j + 1) > 0 else v
        k = i + 1
        while k < n and profile[k] <= v:
            k += 1
        rmin = float(profile[i + 1:k].min()) if k - (i + 1) > 0 else v
        # at the profile's ends the ground falls to zero outside it
        if j < 0:
            lmin = min(lmin, 0.0)
        if k >= n:
            rmin = min(rmin, 0.0)
        if v - max(lmin, rmin) >= prominence:
            out.append(i)
    return out
