"""The best CTC path that spells a string of a known shape: one slot a character, each slot
a set of characters it may hold ("0123456789", ".", "-", "长"...).

For a printed line whose shape is fixed (the ID card's validity period) but whose free decode
broke it (a dash lost in a gap: '7020.05.247040.05.14'; one digit read as two: '2000.106.10';
长期 read as '6'). Viterbi over the posterior matrix, the same recursion as the best path but
with the slots in order: every character of the result is one the recogniser emitted at its
timesteps, taken among the slot's set; nothing is guessed from outside the pixels.
"""

from __future__ import annotations

import numpy as np

from .ctc import BLANK, _top, char_index
from .types import Line

FLOOR = 1e-12


def shaped_decode(probs: np.ndarray, charset: list[str], slots: list[str], top_k: int = 3
                  ) -> tuple[Line, float] | None:
    """The best path through `slots` (one string of permitted characters each), as a Line
    whose characters carry their probabilities renormalised over their slot's set and the blank,
    and their slot's top alternatives (as greedy_decode gives them), and the path's log-probability (to
    compare shapes). None when the matrix is too short or a slot's characters are not in the
    charset."""
    path = _best_path(probs, charset, slots)
    if path is None:
        return None
    score, emits = path
    index = char_index(charset)
    chars, char_probs, alternatives = [], [], []
    for (t, k, c) in emits:
        # renormalised with the blank: a character the shape forced where the recogniser saw
        # a gap keeps the low probability it had there
        cols = np.array(sorted({BLANK, *(index[ch] for ch in slots[k])}), np.int64)
        row = probs[t, cols] / max(float(probs[t, cols].sum()), FLOOR)
        p = float(row[np.searchsorted(cols, c)])
        chars.append(charset[c])
        char_probs.append(p)
        alternatives.append(_top(row, cols, charset, top_k))
    return Line("".join(chars), char_probs, probs, None, alternatives), score


def _best_path(probs: np.ndarray, charset: list[str], slots: list[str]
               ) -> tuple[float, list[tuple[int, int, int]]] | None:
    """Viterbi: states are (slot, character) and the blank before each slot (and after the
    last). Returns the path's log-probability and, per slot, (timestep emitted, slot, class)."""
    index = char_index(charset)
    T, n = probs.shape[0], len(slots)
    if n == 0 or T < n or any(ch not in index for s in slots for ch in s):
        return None
    width = max(len(s) for s in slots)
    cls = np.zeros((n, width), np.int64)
    ok = np.zeros((n, width), bool)
    for k, s in enumerate(slots):
        cls[k, : len(s)] = [index[ch] for ch in s]
        ok[k, : len(s)] = True
    logp = np.log(np.clip(probs, FLOOR, None))
    emit = np.where(ok[None], logp[:, cls], -np.inf)  # T x n x width
    blank = logp[:, BLANK]
    S = np.full((n, width), -np.inf)  # in slot k holding character j
    B = np.full(n + 1, -np.inf)  # in the blank before slot k (k = n: after the last)
    S[0] = emit[0, 0]
    B[0] = blank[0]
    # back-pointers: for a state entered at t, where it came from (-1 stay, 0 blank, 1 slot)
    came_s = np.zeros((T, n, width), np.int8)
    from_j = np.zeros((T, n, width), np.int64)  # the previous slot's character, when 1
    came_b = np.zeros((T, n + 1), np.int8)
    from_bj = np.zeros((T, n + 1), np.int64)
    rows = np.arange(n - 1)
    for t in range(1, T):
        # entering slot k from slot k-1 directly needs a different class (CTC merges repeats)
        prev = S[:-1]
        order = np.argsort(-prev, axis=1)
        best1, best2 = order[:, 0], order[:, 1] if width > 1 else order[:, 0]
        v1, v2 = prev[rows, best1], prev[rows, best2] if width > 1 else np.full(n - 1, -np.inf)
        same = cls[1:] == cls[:-1][rows, best1][:, None]
        direct = np.where(same, v2[:, None], v1[:, None])
        direct_j = np.where(same, best2[:, None], best1[:, None])
        direct = np.vstack([np.full((1, width), -np.inf), direct])
        direct_j = np.vstack([np.zeros((1, width), np.int64), direct_j])
        cands = np.stack([S, np.broadcast_to(B[:n, None], S.shape), direct])
        pick = np.argmax(cands, axis=0)
        came_s[t] = pick - 1
        from_j[t] = direct_j
        newS = cands.max(axis=0) + emit[t]
        sbest = np.concatenate([[-np.inf], S.max(axis=1)])
        sarg = np.concatenate([[0], S.argmax(axis=1)])
        bc = np.stack([B, sbest])
        bpick = np.argmax(bc, axis=0)
        came_b[t] = bpick
        from_bj[t] = sarg
        B = bc.max(axis=0) + blank[t]
        S = np.where(ok, newS, -np.inf)
    end_s, end_b = float(S[n - 1].max()), float(B[n])
    score = max(end_s, end_b)
    if not np.isfinite(score):
        return None
    # backtrack
    emits: list[tuple[int, int, int]] = []
    t = T - 1
    if end_b >= end_s:
        state: tuple[str, int, int] = ("b", n, 0)
    else:
        state = ("s", n - 1, int(S[n - 1].argmax()))
    while t >= 0:
        kind, k, j = state
        if kind == "b":
            if t == 0:
                break
            if came_b[t, k] == 1:
                state = ("s", k - 1, int(from_bj[t, k]))
            t -= 1
            continue
        if t == 0:
            emits.append((0, k, int(cls[k, j])))
            break
        how = came_s[t, k, j]
        if how == -1:
            t -= 1
            continue
        emits.append((t, k, int(cls[k, j])))
        state = ("b", k, 0) if how == 0 else ("s", k - 1, int(from_j[t, k, j]))
        t -= 1
    emits.reverse()
    if len(emits) != n:
        return None
    return score, emits
