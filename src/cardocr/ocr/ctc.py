"""CTC decoding over the recogniser's posterior matrix, optionally under a restricted alphabet.

Restricting the alphabet is how layout knowledge reaches the pixels: the ID number row can only
hold digits and X, a date row only digits, so a '0' that the model half-read as 'O' becomes
the best digit at that timestep instead of a letter.
"""

from __future__ import annotations

import numpy as np

from .types import Line

BLANK = 0
# No document changes a character read at or above 0.9 (their CONFIDENT), so such a character
# needs no alternatives: skipping the top-k search over ~18,700 classes for it saves most of it.
SURE = 0.9


def emitting_steps(best: np.ndarray, blank: int = BLANK) -> np.ndarray:
    """The timesteps at which a best path (one class per step) emits a character: not the
    blank, and not a repeat of the step before (CTC's collapse)."""
    emitted = np.ones(len(best), bool)
    emitted[1:] = best[1:] != best[:-1]
    return np.nonzero(emitted & (best != blank))[0]


def best_path(probs: np.ndarray, charset: list[str]) -> tuple[np.ndarray, np.ndarray, str]:
    """The full-alphabet best path of a posterior matrix: its class per timestep, the steps at
    which it emits a character and the text it spells (what the checks that weigh a line's
    own alternatives walk along)."""
    best = probs.argmax(axis=1)
    steps = emitting_steps(best)
    return best, steps, "".join(charset[int(best[t])] for t in steps)


def greedy_decode(
    probs: np.ndarray, charset: list[str], allowed: np.ndarray | None = None, top_k: int = 3
) -> Line:
    """Best-path decode. `allowed` is an index array of permitted classes (blank is always
    permitted). Probabilities of the emitted characters are renormalised over the allowed set,
    so a restricted decode reports how sure the model is *among the permitted characters*."""
    if probs.size == 0:
        return Line(text="", char_probs=[], probs=probs)
    view = _AlphabetView(probs, allowed)
    best = view.best()
    steps = emitting_steps(best)
    rows, cols = view.rows(steps)
    chars: list[str] = []
    char_probs: list[float] = []
    alternatives: list[list[tuple[str, float]]] = []
    for row, t in zip(rows, steps):
        k = int(best[t])
        p = float(row[k] if cols is None else row[np.searchsorted(cols, k)])
        chars.append(charset[k])
        char_probs.append(p)
        alternatives.append([(charset[k], p)] if p >= SURE else _top(row, cols, charset, top_k))
    return Line(text="".join(chars), char_probs=char_probs, probs=probs, alternatives=alternatives)


class _AlphabetView:
    """The posterior matrix seen through an alphabet: the best class per timestep (as an
    index of the full charset) and, for the timesteps that emit a character, probabilities
    renormalised over the alphabet.

    A small alphabet (digits) is cut out of the matrix. A large one (every CJK ideograph,
    ~15,700 of ~18,700 classes) is not: copying and renormalising the whole matrix cost
    ~3 ms a line. The full matrix's best class stands wherever the alphabet permits it, and
    only the emitting rows are renormalised."""

    def __init__(self, probs: np.ndarray, allowed: np.ndarray | None) -> None:
        self.probs = probs
        self.alphabet: np.ndarray | None = None  # permitted classes with the blank, sorted
        self.cols: np.ndarray | None = None  # the classes cut out, for a small alphabet
        self.sub: np.ndarray | None = None  # and their columns
        self.permitted: np.ndarray | None = None  # bool per class, for a large alphabet
        if allowed is None:
            return
        cols = np.concatenate(([BLANK], allowed))
        if not (np.diff(cols) > 0).all():  # alphabet() gives sorted indices without blank
            cols = np.unique(cols)
        self.alphabet = cols
        if 2 * len(cols) > probs.shape[1]:
            self.permitted = _permitted(cols, probs.shape[1])
        else:
            self.cols = cols
            self.sub = probs[:, cols]

    def best(self) -> np.ndarray:
        if self.cols is not None and self.sub is not None:  # set together
            return self.cols[self.sub.argmax(axis=1)]
        best = self.probs.argmax(axis=1)
        if self.permitted is not None and self.alphabet is not None:  # set together
            cols = self.alphabet
            for t in np.nonzero(~self.permitted[best])[0]:  # the best class is not permitted
                best[t] = cols[int(self.probs[t, cols].argmax())]
        return best

    def rows(self, steps: np.ndarray) -> tuple[np.ndarray, np.ndarray | None]:
        """Renormalised probability rows of `steps`, and the class of each column (None:
        a column's index is its class; classes outside the alphabet are set to -1)."""
        if self.sub is not None:
            sub = self.sub[steps]
            return sub / np.clip(sub.sum(axis=1, keepdims=True), 1e-9, None), self.cols
        rows = self.probs[steps]
        if self.permitted is None:
            return rows, None
        rows = np.where(self.permitted, rows, 0.0).astype(np.float32)
        rows /= np.clip(rows.sum(axis=1, keepdims=True), 1e-9, None)
        rows[:, ~self.permitted] = -1.0  # below any probability: never among the top
        return rows, None


_permitted_cache: dict[tuple[int, int], np.ndarray] = {}


def _permitted(cols: np.ndarray, n: int) -> np.ndarray:
    """Bool mask over n classes of those in `cols`, cached (the alphabets are few)."""
    key = (hash(cols.tobytes()), n)
    if key not in _permitted_cache:
        mask = np.zeros(n, bool)
        mask[cols] = True
        _permitted_cache[key] = mask
    return _permitted_cache[key]


def _top(row: np.ndarray, cols: np.ndarray | None, charset: list[str], top_k: int) -> list[tuple[str, float]]:
    """The top_k non-blank classes of one timestep; argpartition, not a full sort over ~18,700."""
    part = np.argpartition(-row, top_k)[: top_k + 1] if row.size > top_k + 1 else np.arange(row.size)
    out = []
    for j in part[np.argsort(-row[part])]:
        cj = int(cols[j]) if cols is not None else int(j)
        if cj != BLANK and row[j] >= 0:
            out.append((charset[cj], float(row[j])))
    return out[:top_k]


def sequence_log_prob(probs: np.ndarray, label: list[int]) -> float:
    """log P(label | probs) under CTC (forward algorithm, log domain).

    Used to choose among a closed list of words (ethnic groups, 男/女): the word the pixels
    support best, with its probability, rather than a string-similarity guess.
    """
    T = probs.shape[0]
    if not label:
        return float(np.sum(np.log(np.clip(probs[:, BLANK], 1e-12, None))))
    ext = [BLANK]
    for c in label:
        ext += [c, BLANK]
    S = len(ext)
    logp = np.log(np.clip(probs[:, ext], 1e-12, None))  # T x S
    alpha = np.full(S, -np.inf)
    alpha[0] = logp[0, 0]
    if S > 1:
        alpha[1] = logp[0, 1]
    for t in range(1, T):
        prev = alpha
        a = prev.copy()
        a[1:] = np.logaddexp(a[1:], prev[:-1])
        skip = np.full(S, -np.inf)
        for s in range(2, S):
            if ext[s] != BLANK and ext[s] != ext[s - 2]:
                skip[s] = prev[s - 2]
        a = np.logaddexp(a, skip)
        alpha = a + logp[t]
    return float(np.logaddexp(alpha[-1], alpha[-2]) if S > 1 else alpha[-1])


# sequence_log_prob above and sequence_log_probs below run the same recursion, one label at a
# time and many at once. They are kept apart on purpose: the batched one takes the log of
# only the columns its labels use and sums in a different memory layout, so the two can
# differ in the last bits, and their callers compare likelihoods to choose (closed lists,
# shares, margins). Routing sequence_log_prob through the batch could flip a near tie.

def sequence_log_probs(probs: np.ndarray, labels: list[list[int]]) -> np.ndarray:
    """log P(label | probs) under CTC for several labels at once, one value per label.

    For scoring a long closed list (the ~1,700 licence authorities' best candidates) in one
    pass: the forward algorithm vectorised over labels and label positions. Only the classes
    some label uses are taken out of the posterior matrix (and the blank), so the log is not
    taken of all ~18,700 classes of every timestep. Every label must be non-empty; a label
    the timesteps are too few for scores -inf.
    """
    if any(len(lb) == 0 for lb in labels):
        raise ValueError("every label must hold at least one class")
    # the blank (class 0) stays column 0 of the cut-out matrix
    used = np.unique(np.concatenate([[BLANK], *map(np.asarray, labels)])).astype(np.int64)
    logp = np.log(np.clip(probs[:, used], 1e-12, None))
    return _forward_batch(logp, [np.searchsorted(used, lb).tolist() for lb in labels])


def _forward_batch(logp: np.ndarray, labels: list[list[int]]) -> np.ndarray:
    """The CTC forward pass for all labels together (logp: T x classes, natural log, the
    blank in column 0; labels index its columns). Labels are padded to the longest; a
    padded position is -inf and never reached."""
    n = len(labels)
    lens = np.array([2 * len(lb) + 1 for lb in labels], np.int64)  # with blanks between
    ext = np.zeros((n, int(lens.max())), np.int64)
    for i, lb in enumerate(labels):
        ext[i, 1: 2 * len(lb): 2] = lb
    S = ext.shape[1]
    can_skip = np.zeros((n, S), bool)
    can_skip[:, 2:] = (ext[:, 2:] != BLANK) & (ext[:, 2:] != ext[:, :-2])
    valid = np.arange(S)[None, :] < lens[:, None]
    lp = np.where(valid[None], logp[:, ext], -np.inf)  # T x n x S
    alpha = np.full((n, S), -np.inf)
    alpha[:, :2] = lp[0, :, :2]
    neg = np.full((n, 2), -np.inf)
    for t in range(1, lp.shape[0]):
        a = alpha.copy()
        a[:, 1:] = np.logaddexp(a[:, 1:], alpha[:, :-1])
        skip = np.where(can_skip, np.concatenate([neg, alpha[:, :-2]], axis=1), -np.inf)
        alpha = np.logaddexp(a, skip) + lp[t]
    rows = np.arange(n)
    return np.logaddexp(alpha[rows, lens - 1], alpha[rows, lens - 2])


class Charset(list):
    """The recogniser's classes (~18,700), carrying the look-ups built from them: they are
    cached on the charset itself, so they live and die with the engine that owns it."""

    def __init__(self, chars: list[str]) -> None:
        super().__init__(chars)
        self.lookup: dict[str, int] = {c: i for i, c in enumerate(self)}
        self.alphabets: dict[str, np.ndarray] = {}


def char_index(charset: list[str]) -> dict[str, int]:
    """Character → class index (cached on a Charset; built afresh for a plain list)."""
    if isinstance(charset, Charset):
        return charset.lookup
    return {c: i for i, c in enumerate(charset)}


def alphabet(charset: list[str], spec: str) -> np.ndarray:
    """Class indices for an alphabet spec: literal characters, plus `{cjk}` for every CJK
    ideograph the model knows. Cached per spec on a Charset."""
    if isinstance(charset, Charset) and spec in charset.alphabets:
        return charset.alphabets[spec]
    want = set(spec.replace("{cjk}", ""))
    cjk = "{cjk}" in spec
    idx = np.array([i for i, c in enumerate(charset)
                    if i != BLANK and (c in want or (cjk and len(c) == 1 and "\u3400" <= c <= "\u9fff"))],
                   dtype=np.int64)
    if isinstance(charset, Charset):
        charset.alphabets[spec] = idx
    return idx


def best_of(probs: np.ndarray, charset: list[str], words: list[str]) -> tuple[str, float]:
    """The word from a closed list that the pixels support best, and its share of the
    total likelihood among the list (a calibrated-ish confidence)."""
    index = char_index(charset)
    scored = []
    for w in words:
        if all(c in index for c in w):
            scored.append((w, sequence_log_prob(probs, [index[c] for c in w])))
    if not scored:
        return "", 0.0
    logs = np.array([s for _, s in scored])
    share = np.exp(logs - logs.max())
    share /= share.sum()
    k = int(np.argmax(logs))
    return scored[k][0], float(share[k])
