"""CTC best-path decoding under an alphabet, on posterior matrices built by hand.

Both ways a restriction is applied are covered: a small alphabet (digits) is cut out of the
matrix, a large one (every CJK ideograph the model knows) masks the few classes it leaves
out. Either way the best permitted class wins where the model preferred a forbidden one,
and probabilities are renormalised over the alphabet.
"""

from __future__ import annotations

import numpy as np
import pytest

from cardocr.ocr.ctc import (
    alphabet,
    greedy_decode,
    sequence_log_prob,
    sequence_log_probs,
)
from cardocr.ocr.engine import get_engine
from ctcframes import frames_matrix


@pytest.fixture(scope="module")
def charset() -> list[str]:
    return get_engine().charset


@pytest.mark.parametrize("spec", ["0123456789", "{cjk}"])
def test_forbidden_best_class_gives_way_to_the_best_permitted(charset, spec):
    good, other = ("1", "7") if spec == "0123456789" else ("王", "玉")
    steps = [{good: 0.99}, {}, {"O": 0.6, good: 0.3, other: 0.1}, {}, {good: 0.98}]
    probs = frames_matrix(charset, steps)
    free = greedy_decode(probs, charset)
    assert free.text == f"{good}O{good}"
    line = greedy_decode(probs, charset, alphabet(charset, spec))
    assert line.text == good * 3
    # renormalised over the alphabet: 0.3 of the 0.4 the permitted classes hold
    assert line.char_probs[1] == pytest.approx(0.75, abs=1e-3)
    alts = dict(line.alternatives[1])
    assert "O" not in alts and alts[good] == pytest.approx(0.75, abs=1e-3)
    assert alts[other] == pytest.approx(0.25, abs=1e-3)
    # a sure character carries itself as its only alternative
    assert line.alternatives[0] == [(good, pytest.approx(0.99, abs=1e-3))]


def test_repeated_class_is_one_character_unless_a_blank_separates(charset):
    probs = frames_matrix(charset, [{"3": 0.99}, {"3": 0.99}, {}, {"3": 0.99}])
    line = greedy_decode(probs, charset, alphabet(charset, "0123456789"))
    assert line.text == "33"
    line = greedy_decode(probs, charset, alphabet(charset, "{cjk}"))
    assert line.text == ""  # no ideograph there: the blank is all that is left


def test_batched_likelihoods_agree_with_one_at_a_time():
    """sequence_log_probs (the licence seal's many names at once) gives each label what
    sequence_log_prob gives it alone: labels of different lengths, repeated classes (which
    need a blank between them), and a label too long for the timesteps (-inf)."""
    rng = np.random.default_rng(7)
    probs = rng.dirichlet(np.full(12, 0.3), size=9).astype(np.float32)
    labels = [[3], [3, 3], [5, 2, 5], [1, 2, 3, 4], [7, 7, 7, 7, 7, 7]]
    batch = sequence_log_probs(probs, labels)
    alone = [sequence_log_prob(probs, lb) for lb in labels]
    assert batch[:4] == pytest.approx(alone[:4], rel=1e-9, abs=1e-9)
    assert batch[4] == -np.inf and alone[4] == -np.inf  # six 7s need 11 timesteps: a blank between each two
    with pytest.raises(ValueError):
        sequence_log_probs(probs, [[1], []])
