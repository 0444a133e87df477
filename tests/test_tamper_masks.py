"""tools/tamper_masks.py watches tools/cardgen/tamper.py make a tampering pair: the photos are the
generator's own byte for byte (earlier measurements stay comparable), and the mask lies where the
edit changed the card."""

from __future__ import annotations

import numpy as np

from cardocr.vision.locate import CardQuad
from tools.cardgen.defects import TUNE_SEED, defect_pair
from tools.tamper_masks import edited_pair


def test_the_pair_is_the_generators_and_the_mask_holds_the_change():
    for seed, edit in ((TUNE_SEED + 4, "retype"), (TUNE_SEED + 5, "copymove"), (TUNE_SEED + 3, "splice")):
        neg, pos, side, condition = defect_pair("tampering", seed)
        n2, p2, side2, condition2, corners, mask, kind = edited_pair(seed)
        assert np.array_equal(neg, n2) and np.array_equal(pos, p2) and (side, condition) == (side2, condition2)
        assert kind == edit
        quad = CardQuad(corners, 1.0, "truth")
        change = np.abs(quad.warp(pos).astype(np.int16) - quad.warp(neg).astype(np.int16)).max(axis=2) > 40
        assert mask.sum() > 0 and change.sum() > 0
        assert mask[change].mean() > 0.8  # the card changed (beyond JPEG noise) inside the mask
