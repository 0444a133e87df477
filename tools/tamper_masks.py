"""Which card pixels tools/cardgen/tamper.py edited (issue 16: the tampering block map's labels).

The generator's edits stay exactly as they are: its private functions are wrapped while a pair
is made (as tools/tamper_kinds.py does) and only watched. A retyped run or a spliced row is laid
over the photo through `_lay`'s box (card pixels); a copy-moved digit is copied in the photo's
own pixels, so its box is where the photo changed, mapped onto the card.
"""

from __future__ import annotations

import cv2
import numpy as np

from tools.cardgen import defects, tamper


def edited_pair(seed: int) -> tuple[np.ndarray, np.ndarray, str, str, np.ndarray, np.ndarray, str]:
    """(unedited, edited, side, condition, corners, mask, kind) of tampering pair `seed`: mask is
    the straightened card's (CARD_H x CARD_W, 1.0 where the edit laid or copied pixels); kind
    retype, copymove, splice or portrait (tools/tamper_kinds.py's names)."""
    seen: dict = {}
    real = {name: getattr(tamper, name) for name in ("_lay", "_copymove", "_retype", "_splice")}
    real_tampered = defects.tampered

    def lay(photo, corners, layer, box):
        seen["box"] = box
        return real["_lay"](photo, corners, layer, box)

    def copymove(photo, hm, boxes, drng):
        out = real["_copymove"](photo, hm, boxes, drng)
        if out is not photo:
            ys, xs = np.nonzero(np.any(out != photo, axis=2))
            if len(xs):
                pts = np.array([[[xs.min(), ys.min()], [xs.max() + 1, ys.min()], [xs.max() + 1, ys.max() + 1],
                                 [xs.min(), ys.max() + 1]]], np.float32)
                q = cv2.perspectiveTransform(pts, np.linalg.inv(hm))[0]
                (a, b), (c, d) = q.min(axis=0), q.max(axis=0)
                seen["box"] = (int(np.floor(a)), int(np.floor(b)), int(np.ceil(c)), int(np.ceil(d)))
                seen["what"] = "copymove"
        return out

    def retype(*args):
        seen["what"] = "retype"
        return real["_retype"](*args)

    def splice(*args):
        seen["what"] = "portrait" if args[4] == tamper.PORTRAIT else "splice"
        return real["_splice"](*args)

    def tampered(photo, corners, side, seed, drng):
        seen["corners"] = np.asarray(corners, np.float32)
        return real_tampered(photo, corners, side, seed, drng)

    watch = {"_lay": lay, "_copymove": copymove, "_retype": retype, "_splice": splice}
    for name, f in watch.items():
        setattr(tamper, name, f)
    defects.tampered = tampered
    try:
        neg, pos, side, condition = defects.defect_pair("tampering", seed)
    finally:
        for name, f in real.items():
            setattr(tamper, name, f)
        defects.tampered = real_tampered
    mask = np.zeros((tamper.H, tamper.W), np.float32)
    if "box" in seen:
        x0, y0, x1, y1 = seen["box"]
        mask[max(0, y0):max(0, y1), max(0, x0):max(0, x1)] = 1.0
    return neg, pos, side, condition, seen["corners"], mask, seen.get("what", "none")
