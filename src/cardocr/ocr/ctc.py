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


def greedy_decode(
    probs: np.ndarray, charset: list[str], allowed: np.ndarray | None = None, top_k: int = 3
) -> Line:
    """Best-path decode. `allowed` is an index array of permitted classes (blank is always
    permitted). Probabilities of the emitted characters are renormalised over the allowed set,
    so a restricted decode reports how sure the model is *among the permitted characters*."""
    if probs.size == 0:
        return Line(text="", char_probs=[], probs=probs)
    if allowed is not None:
        cols = np.concatenate(([BLANK], allowed))
        if not (np.diff(cols) > 0).all():  # alphabet() gives sorted indices without blank
            cols = np.unique(cols)
        sub = probs[:, cols]
        sub = sub / np.clip(sub.sum(axis=1, keepdims=True), 1e-9, None)
    else:
        cols = None
        sub = probs
    best = sub.argmax(axis=1)
    chars: list[str] = []
    char_probs: list[float] = []
    alternatives: list[list[tuple[str, float]]] = []
    prev = -1
    for t, k in enumerate(best):
        if k != prev and k != BLANK:
            cls = int(cols[k]) if cols is not None else int(k)
            if cls != BLANK:
                chars.append(charset[cls])
                char_probs.append(float(sub[t, k]))
                if sub[t, k] >= SURE:
                    alternatives.append([(charset[cls], float(sub[t, k]))])
                else:
                    alternatives.append(_top(sub[t], cols, charset, top_k))
        prev = k
    return Line(text="".join(chars), char_probs=char_probs, probs=probs, alternatives=alternatives)


def _top(row: np.ndarray, cols: np.ndarray | None, charset: list[str], top_k: int) -> list[tuple[str, float]]:
    """The top_k non-blank classes of one timestep; argpartition, not a full sort over ~18,700."""
    part = np.argpartition(-row, top_k)[: top_k + 1] if row.size > top_k + 1 else np.arange(row.size)
    out = []
    for j in part[np.argsort(-row[part])]:
        cj = int(cols[j]) if cols is not None else int(j)
        if cj != BLANK:
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


_alphabet_cache: dict[tuple[int, str], np.ndarray] = {}
_index_cache: dict[int, dict[str, int]] = {}


def char_index(charset: list[str]) -> dict[str, int]:
    """Character → class index, built once per charset (it has ~18,700 entries)."""
    key = id(charset)
    if key not in _index_cache:
        _index_cache[key] = {c: i for i, c in enumerate(charset)}
    return _index_cache[key]


def alphabet(charset: list[str], spec: str) -> np.ndarray:
    """Class indices for an alphabet spec: literal characters, plus `{cjk}` for every CJK
    ideograph the model knows. Cached per charset and spec."""
    key = (id(charset), spec)
    if key not in _alphabet_cache:
        want = set(spec.replace("{cjk}", ""))
        cjk = "{cjk}" in spec
        idx = [
            i
            for i, c in enumerate(charset)
            if i != BLANK and (c in want or (cjk and len(c) == 1 and "\u3400" <= c <= "\u9fff"))
        ]
        _alphabet_cache[key] = np.array(idx, dtype=np.int64)
    return _alphabet_cache[key]


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
