"""The published specimen images, kept in the repository (tests/data/reference/, copied from
the project's shared ../shared/reference/ with its README, which names each image's source
and printed values), so a clone anywhere has them.

A missing image fails the test that needs it (it does not skip): a suite that silently stops
checking the real layouts is worse than a red one."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np

REFERENCE = Path(__file__).resolve().parent / "data" / "reference"


def reference_path(name: str) -> Path:
    path = REFERENCE / name
    assert path.is_file(), f"reference image {path} is missing (tests/data/reference)"
    return path


def reference_image(name: str) -> np.ndarray:
    img = cv2.imread(str(reference_path(name)), cv2.IMREAD_COLOR)
    assert img is not None, f"reference image {name} cannot be decoded"
    return img
