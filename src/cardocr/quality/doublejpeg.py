"""Double-JPEG evidence per 8x8 block of a photo's own pixel grid (for quality.tampering).

A phone saves its photo as a JPEG; an app that edits it saves it again. Where the picture was
not touched, every 8x8 block went through two quantisations on the same grid, and the second
one's coefficient histograms keep the first one's trace: some multiples of the last step are
crowded, others nearly empty (Lin et al. 2009, "fast, automatic and fine-grained tampered JPEG
image detection via DCT coefficient analysis"). Pixels laid in by the editor (a retyped field, a
spliced row, a pasted portrait: resampled through the card's perspective), and a block copied
off the 8-pixel grid, went through the last quantisation only: their coefficients fall in the
empty bins as often as in the crowded ones.

Everything here is measured from the decoded pixels: the last quantisation steps are read off
the coefficients themselves (they sit on multiples of the step), so a photo that never was a
JPEG, or was resized after, has no steps to find and no evidence (None: not checked).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import cv2
import numpy as np

# Zig-zag positions 1..N of the 8x8 DCT (the DC term left out: its histogram follows the
# picture's brightness, not the quantisation): low frequencies carry non-zero coefficients in
# most blocks of a printed card.
FREQS = [(0, 1), (1, 0), (2, 0), (1, 1), (0, 2), (0, 3), (1, 2), (2, 1), (3, 0), (4, 0), (3, 1),
         (2, 2), (1, 3), (0, 4), (0, 5), (1, 4), (2, 3), (3, 2), (4, 1), (5, 0)]
BAND = 6  # FREQS lie within the lowest BAND x BAND frequencies
MAX_STEP = 64  # steps above it are not read (a quality under ~10)
MIN_NONZERO = 200  # non-zero coefficients a frequency needs for its step and histogram to be read
FIT = 0.85  # share of non-zero coefficients within FIT_ERR of a multiple for a step to be taken
FIT_ERR = 1.0
SAMPLE = 4000  # non-zero coefficients looked at to read a step
MIN_FREQS = 4  # frequencies with a step read: fewer is no JPEG history to judge
NOISE = 1.0  # rounding noise (DCT units) the decode adds between the two quantisations
FLOOR = 0.05  # the reach of an empty bin is taken as this (a few coefficients land anywhere)
GAIN = 0.02  # mean log-likelihood gain a first step must bring to be believed
CLIP = 2.0  # one coefficient's log-likelihood ratio is kept within +-CLIP


def _dct_matrix() -> np.ndarray:
    k = np.arange(8)
    m = np.cos((2 * k[None, :] + 1) * k[:, None] * np.pi / 16) * np.sqrt(2 / 8)
    m[0] /= np.sqrt(2)
    return m.astype(np.float32)


_C = _dct_matrix()


def coefficients(photo: np.ndarray, x0: int = 0, y0: int = 0, x1: int | None = None,
                 y1: int | None = None) -> np.ndarray:
    """DCT of every 8x8 luma block on the photo's grid within [x0, x1) x [y0, y1) (multiples
    of 8), its lowest BAND x BAND frequencies: (rows, cols, BAND, BAND)."""
    x1 = (photo.shape[1] // 8) * 8 if x1 is None else x1
    y1 = (photo.shape[0] // 8) * 8 if y1 is None else y1
    crop = photo[y0:y1, x0:x1].astype(np.float32)
    y = crop @ np.array([0.114, 0.587, 0.299], np.float32) - 128.0  # JPEG's YCbCr luma (BGR)
    rows, cols = y.shape[0] // 8, y.shape[1] // 8
    low = _C[:BAND]  # only the frequencies FREQS reads; two large matrix products, not one per block
    # Each product has the 8 pixels of a block's column (then row) as its inner dimension and the
    # picture's width as its outer one: numpy's matmul with a long inner list of 8-vectors (the
    # tensordot this replaces) took 3-5 times as long for the same sums.
    t = np.matmul(low, y.reshape(rows, 8, cols * 8))  # rows, u, x
    t = np.ascontiguousarray(t.reshape(rows * BAND, cols * 8).T)  # x, (rows, u)
    t = np.matmul(low, t.reshape(cols, 8, rows * BAND))  # cols, v, (rows, u)
    return t.reshape(cols, BAND, rows, BAND).transpose(2, 0, 3, 1)  # rows, cols, u, v


_STEPS = np.arange(MAX_STEP, 1, -1, dtype=np.float32)[:, None]
# within a quarter step at most: any number lies within 1 of a multiple of 2
_TOLERANCE = np.minimum(FIT_ERR, _STEPS / 4)


def step(values: np.ndarray) -> int | None:
    """The last quantisation step of one frequency: the largest step on whose multiples the
    non-zero coefficients sit (None: too few, or none fits)."""
    nz = values[np.abs(values) > 1.5]
    if nz.size < MIN_NONZERO:
        return None
    nz = nz[:: max(1, nz.size // SAMPLE)][None, :]  # (enough to tell the step, at a fixed cost)
    fits = (np.abs(nz - _STEPS * np.round(nz / _STEPS)) < _TOLERANCE).mean(axis=1) >= FIT
    return int(_STEPS[int(np.argmax(fits)), 0]) if fits.any() else None


def _reach(q1: np.ndarray, q2: int, kmax: int) -> np.ndarray:
    """How many first-quantisation bins (steps q1, a column: one row each) the second (step
    q2) maps onto each of its bins -kmax..kmax, relative to a single quantisation (1: as many
    as its width holds; 0: an empty bin), with a little rounding noise from the decode between
    the two. (All first steps in one array: one at a time was a tenth of the signals' time.)"""
    edges = (np.arange(-kmax, kmax + 2, dtype=np.float64) - 0.5) * q2
    q1 = np.asarray(q1, np.float64).reshape(-1, 1)
    base = np.floor(edges / q1)
    below = base.copy()  # multiples of q1 up to each edge: the ones far below count whole,
    for j in range(-4, 6):  # the ones near it by how likely the noise keeps them below
        below += 0.5 * (1 + _erf((edges - (base + j) * q1) / (NOISE * np.sqrt(2)))) - (j <= 0)
    return np.diff(below, axis=1) * q1 / q2


def _erf(x: np.ndarray) -> np.ndarray:
    # Abramowitz-Stegun 7.1.26 (|error| < 1.5e-7): numpy has no erf
    s = np.sign(x)
    a = np.abs(x)
    t = 1.0 / (1.0 + 0.3275911 * a)
    y = 1 - (((((1.061405429 * t - 1.453152073) * t) + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t \
        * np.exp(-a * a)
    return s * y


def _log_reach(q2: int, kmax: int) -> tuple[np.ndarray, np.ndarray]:
    """(the first steps that leave a trace after q2, their log reach per bin -kmax..kmax: steps x
    bins). A bin's reach does not depend on kmax: the bins are cut from one table per q2 over a
    power of two of them, so that each photo's own kmax (its coefficients' 99th percentile) does
    not build a table of its own (that was most of the signal's time)."""
    wide = max(16, 1 << (kmax - 1).bit_length())
    q1s, table = _log_reach_wide(q2, wide)
    return q1s, table[:, wide - kmax:wide + kmax + 1]


@lru_cache(maxsize=256)
def _log_reach_wide(q2: int, kmax: int) -> tuple[np.ndarray, np.ndarray]:
    q1s = np.array([q1 for q1 in range(1, MAX_STEP + 1) if q2 % q1], np.int64)  # q2's divisors (q2 too)
    table = np.log(np.maximum(_reach(q1s, q2, kmax), FLOOR))  # leave none
    table[:, kmax] = 0.0  # the zero bin: flat blocks, no evidence either way
    table.flags.writeable = False
    return q1s, table


def first_step(hist: np.ndarray, envelope: np.ndarray, q2: int) -> tuple[int, np.ndarray] | None:
    """The first quantisation's step that best explains `hist` (counts of the second's bins
    -kmax..kmax) against `envelope` (the same bins counted off the grid: what one
    quantisation of this picture gives), and each bin's log-likelihood ratio single over
    double; None when too few non-zero coefficients, or no first step explains the
    histogram better than a single quantisation by GAIN (mean log-likelihood per
    coefficient)."""
    kmax = hist.size // 2
    counts = hist.astype(np.float64)
    counts[kmax] = 0.0  # the zero bin: flat blocks, no evidence either way
    n = counts.sum()
    if n < MIN_NONZERO or q2 < 2:
        return None
    single = envelope.astype(np.float64) + 1.0
    single[kmax] = 0.0
    single /= single.sum()
    q1s, table = _log_reach(q2, kmax)
    double = single[None, :] * np.exp(table)
    double /= double.sum(axis=1, keepdims=True)
    with np.errstate(divide="ignore"):
        llr = np.log(np.maximum(single, 1e-12))[None, :] - np.log(np.maximum(double, 1e-12))
    gains = -(llr @ counts) / n
    best = int(np.argmax(gains))
    if gains[best] < GAIN:
        return None
    out = np.clip(llr[best], -CLIP, CLIP)
    out[kmax] = 0.0
    return int(q1s[best]), out


@dataclass(frozen=True)
class Blocks:
    evidence: np.ndarray  # per block (rows, cols), see block_evidence
    card: np.ndarray  # per block, whether it lies on the card
    origin: tuple[int, int]  # the first block's (column, row) in the photo
    traced: int  # frequencies whose histogram showed a first quantisation


def block_evidence(photo: np.ndarray, corners: np.ndarray) -> Blocks | None:
    """Per block of the card's bounding box (rows, cols): the mean log-likelihood ratio,
    single quantisation over double, of its coefficients (positive: looks compressed once;
    about 0: no evidence either way); which of them lie on the card; and the box's first
    block (column, row) in the photo. The histograms are taken over the card's blocks, most
    of them untouched. None: no JPEG history to judge."""
    h, w = photo.shape[:2]
    c = np.asarray(corners, np.float32)
    bx0, by0 = max(0, int(c[:, 0].min()) // 8), max(0, int(c[:, 1].min()) // 8)
    bx1, by1 = min(w // 8, int(np.ceil(c[:, 0].max())) // 8 + 1), min(h // 8, int(np.ceil(c[:, 1].max())) // 8 + 1)
    if bx1 - bx0 < 4 or by1 - by0 < 4:
        return None
    coef = coefficients(photo, 8 * bx0, 8 * by0, 8 * bx1, 8 * by1)
    # off the grid by half a block: coefficients of the same picture that no quantisation
    # put on multiples of anything, for the envelope a single quantisation would give
    off = coefficients(photo, 8 * bx0 + 4, 8 * by0 + 4, 8 * bx1 - 4, 8 * by1 - 4)
    rows, cols = coef.shape[:2]
    mask = blocks_in(c - 8.0 * np.array([bx0, by0], np.float32), (rows, cols))
    total = np.zeros((rows, cols), np.float32)
    steps = traced = 0
    for u, v in FREQS:
        c = coef[..., u, v]
        q = step(c[mask])
        if q is None:
            continue
        steps += 1
        k = np.round(c / q).astype(np.int64)
        kmax = max(3, int(np.percentile(np.abs(k[mask]), 99)))
        inside = np.abs(k) <= kmax
        idx = np.clip(k, -kmax, kmax) + kmax
        k_off = np.round(off[..., u, v] / q).astype(np.int64)
        k_off = k_off[mask[:-1, :-1] & (np.abs(k_off) <= kmax)] + kmax
        found = first_step(np.bincount(idx[mask & inside], minlength=2 * kmax + 1),
                           np.bincount(k_off, minlength=2 * kmax + 1), q)
        if found is None:
            continue
        traced += 1
        total += np.where(inside, found[1][idx], 0.0).astype(np.float32)
    if steps < MIN_FREQS:
        return None
    return Blocks(total / steps, mask, (bx0, by0), traced)


def blocks_in(quad: np.ndarray, shape: tuple[int, int]) -> np.ndarray:
    """Blocks (rows, cols) whose centre lies inside a photo-pixel polygon."""
    rows, cols = shape
    mask = np.zeros((rows, cols), np.uint8)
    cv2.fillPoly(mask, [np.round(np.asarray(quad, np.float32) / 8.0 - 0.5).astype(np.int32)], 1)
    return mask.astype(bool)
