"""The published specimen images, found relative to the repository: ../shared/reference/.

A missing image fails the test that needs it (it does not skip): a suite that silently stops
checking the real layouts is worse than a red one."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np

REFERENCE = Path(__file__).resolve().parents[2] / "shared" / "reference"


def reference_path(name: str) -> Path:
    path = REFERENCE / name
    assert path.is_file(), f"reference image {path} is missing (expected ../shared/reference beside the repo)"
    return path


def reference_image(name: str) -> np.ndarray:
    img = cv2.imread(str(reference_path(name)), cv2.IMREAD_COLOR)
    assert img is not None, f"reference image {name} cannot be decoded"
    return img
