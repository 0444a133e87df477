"""Image intake: base64 / raw bytes -> BGR uint8 ndarray, with every failure mapped to the error tree.

Rules (Huawei OCR contract):
  * formats: JPEG, PNG, BMP, TIFF, identified by magic bytes only; anything else (GIF, WebP,
    HEIC, PDF, ...) -> UnsupportedFormat (AIS.0102).
  * base64 must be plain base64; a `data:image/...;base64,` prefix -> AIS.0102 (as Huawei does).
  * decoded size > 10 MB -> ImageSizeError (AIS.0103); narrow edge < 15 px or wide edge
    > 8192 px -> AIS.0103. Dimensions come from the header, before any pixel is decoded, so
    a decompression bomb (a tiny PNG that claims 50000x50000) is rejected without allocating.
  * empty input (0 bytes) -> AIS.0102: there is no image whose format could be identified.
  * truncated / corrupt files -> AIS.0102.
  * EXIF orientation is applied (phones store portrait shots rotated + a tag).
  * decode_image (the API's and the CLI's path) decodes a photo whose long side is over
    4,000 px reduced by 2 or 4 (JPEG: in the decoder, so the full-size pixels are never
    held) and says by how much (Decoded.scale), so locations are answered in the photo's own
    pixels; photos up to 4,000 px decode exactly as decode_image_bytes decodes them.
  * greyscale, palette, 16-bit, alpha (composited on white), CMYK -> 3-channel BGR uint8.
  * messages are the seeds' own, whatever the cause: AIS.0102 "The image format is not
    supported." (the HK seed: an unnecessary prefix "is reported" so) and AIS.0103 "The image
    size does not meet the requirements." (every seed's failure example).
"""

from __future__ import annotations

import base64
import binascii
import io
import re
import warnings
from dataclasses import dataclass

import cv2
import numpy as np
from PIL import Image, ImageOps

from cardocr.errors import ImageSizeError, UnsupportedFormat
from cardocr.settings import Limits

# The defaults are the service's (settings.Limits); callers pass the configured ones.
# Pillow's own bomb guard is left at its default (an error above ~179 Mpx): our header check
# rejects anything over max_edge first, and 8192 x 8192 is well under it.
_DEFAULTS = Limits()
MAX_IMAGE_BYTES = _DEFAULTS.max_image_bytes
MIN_EDGE = _DEFAULTS.min_image_edge
MAX_EDGE = _DEFAULTS.max_image_edge

# Photos far larger than any card reading needs (a card fills at least a quarter of the photo,
# and is read straightened to 856 x 540 px) are decoded reduced: a 7,990 px JPEG would
# otherwise take ~190 MB of pixels, and several times that in the card search.
REDUCE_ABOVE = 4000  # long side, px
REDUCED_MIN = 2000  # the reduced long side stays at least this (where a factor allows it)

_WHITESPACE = re.compile(rb"[ \t\r\n]+")
_B64_ALPHABET = re.compile(rb"^[A-Za-z0-9+/]*={0,2}$")


def sniff_format(data: bytes) -> str | None:
    """Pillow format name for the accepted formats, judged by magic bytes only."""
    if data[:3] == b"\xff\xd8\xff":
        return "JPEG"
    if data[:8] == b"\x89PNG\r\n\x1a\n":
        return "PNG"
    if data[:2] == b"BM" and len(data) >= 26:
        return "BMP"
    if data[:4] in (b"II*\x00", b"MM\x00*"):
        return "TIFF"
    return None


@dataclass(frozen=True)
class Decoded:
    """A decoded photo: `image` (BGR uint8) and `scale`, photo pixels per image pixel (1.0 at
    full resolution; about 2 or 4 for a photo decoded reduced, see decode_image)."""

    image: np.ndarray
    scale: float = 1.0

    def to_photo(self) -> np.ndarray:
        """3x3 homography, image pixels -> the photo's pixels (pixel centres map to centres)."""
        s = self.scale
        return np.array([[s, 0.0, (s - 1) / 2], [0.0, s, (s - 1) / 2], [0.0, 0.0, 1.0]])


def reduction(width: int, height: int) -> int:
    """By how much a photo is decoded reduced: 1 up to REDUCE_ABOVE px on the long side, else
    the largest of 4 and 2 that keeps the long side at least REDUCED_MIN px."""
    long_side = max(width, height)
    if long_side <= REDUCE_ABOVE:
        return 1
    return next(f for f in (4, 2) if long_side / f >= REDUCED_MIN or f == 2)


def decode_base64_image(
    s: str,
    *,
    max_bytes: int = MAX_IMAGE_BYTES,
    min_edge: int = MIN_EDGE,
    max_edge: int = MAX_EDGE,
) -> np.ndarray:
    """Decode a base64 string (standard alphabet, line breaks tolerated) into a BGR image."""
    return decode_image_bytes(base64_bytes(s, max_bytes=max_bytes), max_bytes=max_bytes,
                              min_edge=min_edge, max_edge=max_edge)


def base64_bytes(s: str, *, max_bytes: int = MAX_IMAGE_BYTES) -> bytes:
    """The bytes of a base64 string (standard alphabet, line breaks tolerated): AIS.0102 for
    anything else, AIS.0103 when it is plainly over `max_bytes`."""
    if not isinstance(s, str):
        raise UnsupportedFormat()
    if s.lstrip()[:5].lower() == "data:":
        raise UnsupportedFormat()
    try:
        raw = s.encode("ascii")
    except UnicodeEncodeError:
        raise UnsupportedFormat() from None
    raw = _WHITESPACE.sub(b"", raw)
    # Cheap size check before allocating the decoded buffer.
    if len(raw) // 4 * 3 > max_bytes + 3:
        raise ImageSizeError()
    if not _B64_ALPHABET.match(raw):
        raise UnsupportedFormat()
    rem = len(raw) % 4
    if rem == 1:
        raise UnsupportedFormat()
    if rem:
        raw += b"=" * (4 - rem)
    try:
        return base64.b64decode(raw, validate=True)
    except (binascii.Error, ValueError):
        raise UnsupportedFormat() from None


def decode_image_bytes(
    b: bytes,
    *,
    max_bytes: int = MAX_IMAGE_BYTES,
    min_edge: int = MIN_EDGE,
    max_edge: int = MAX_EDGE,
) -> np.ndarray:
    """Decode JPEG/PNG/BMP/TIFF bytes into a contiguous BGR uint8 array of shape (h, w, 3), at
    full resolution."""
    return decode_image(b, max_bytes=max_bytes, min_edge=min_edge, max_edge=max_edge, reduce=False).image


def decode_image(
    b: bytes,
    *,
    max_bytes: int = MAX_IMAGE_BYTES,
    min_edge: int = MIN_EDGE,
    max_edge: int = MAX_EDGE,
    reduce: bool = True,
) -> Decoded:
    """Decode JPEG/PNG/BMP/TIFF bytes; with `reduce`, a photo whose long side is over
    REDUCE_ABOVE px comes out reduced by reduction() (a JPEG through the decoder's DCT scaling,
    Pillow's draft mode, so the full-size pixels are never held; other formats by area
    averaging after decoding). Limits apply to the photo's own size either way; a photo up to
    REDUCE_ABOVE px decodes exactly as without `reduce`."""
    if not b:
        raise UnsupportedFormat()
    if len(b) > max_bytes:
        raise ImageSizeError()
    fmt = sniff_format(b)
    if fmt is None:
        raise UnsupportedFormat()

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # DecompressionBombWarning etc.: we check ourselves
            img: Image.Image = Image.open(io.BytesIO(b), formats=[fmt])
            width, height = img.size  # header only; no pixel data decoded yet
    except Image.DecompressionBombError:
        raise ImageSizeError() from None
    except Exception:  # noqa: BLE001 - Pillow raises many types for corrupt headers
        raise UnsupportedFormat() from None

    try:
        if min(width, height) < min_edge or max(width, height) > max_edge:
            raise ImageSizeError()
        factor = reduction(width, height) if reduce else 1
        if factor == 1 and (fast := _plain_jpeg(b, fmt, img)) is not None:
            return Decoded(fast)
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                if getattr(img, "n_frames", 1) > 1:
                    img.seek(0)
                if factor > 1 and fmt == "JPEG":
                    img.draft(img.mode, (width // factor, height // factor))
                img.load()
        except Image.DecompressionBombError:
            raise ImageSizeError() from None
        except MemoryError:
            raise ImageSizeError() from None
        except Exception:  # noqa: BLE001
            raise UnsupportedFormat() from None

        img = _apply_orientation(img)
        try:
            bgr = _to_bgr(img)
            if factor > 1 and max(bgr.shape[:2]) > REDUCE_ABOVE:  # not reduced by the decoder
                h, w = bgr.shape[:2]
                bgr = cv2.resize(bgr, (max(1, round(w / factor)), max(1, round(h / factor))),
                                 interpolation=cv2.INTER_AREA)
        except MemoryError:
            raise ImageSizeError() from None
        except Exception:  # noqa: BLE001
            raise UnsupportedFormat() from None
        return Decoded(bgr, max(width, height) / max(bgr.shape[:2]))
    finally:
        img.close()


def _plain_jpeg(b: bytes, fmt: str, img: Image.Image) -> np.ndarray | None:
    """The common photo, a complete colour or grey JPEG with no orientation to apply, decoded by
    OpenCV: the same libjpeg-turbo decode as Pillow's path (pixel-identical on the bench's
    photos) at under half its CPU, measured 0.011 against 0.025 s a photo. None for anything
    else, which Pillow decodes: a file whose last 64 bytes, zero padding aside, do not end in
    the end-of-image marker (a truncated one must fail as AIS.0102; OpenCV would fill it in
    grey), CMYK, or an EXIF orientation."""
    if fmt != "JPEG" or img.mode not in ("RGB", "L") or not b[-64:].rstrip(b"\x00").endswith(b"\xff\xd9"):
        return None
    try:
        if img.getexif().get(0x0112, 1) != 1:  # Orientation
            return None
    except Exception:  # noqa: BLE001 - a broken EXIF block: Pillow's path ignores it its own way
        return None
    bgr = cv2.imdecode(np.frombuffer(b, np.uint8), cv2.IMREAD_COLOR | cv2.IMREAD_IGNORE_ORIENTATION)
    if bgr is None or bgr.shape[:2] != (img.height, img.width):
        return None
    return bgr


def _apply_orientation(img: Image.Image) -> Image.Image:
    """Apply the EXIF orientation tag; a broken EXIF block is ignored, not fatal."""
    try:
        out = ImageOps.exif_transpose(img)
        return out if out is not None else img
    except Exception:  # noqa: BLE001
        return img


def _to_bgr(img: Image.Image) -> np.ndarray:
    mode = img.mode
    if mode in ("I", "I;16", "I;16B", "I;16L", "I;16N", "F"):
        arr = np.asarray(img)
        arr = _scale_to_u8(arr)
        grey = arr if arr.ndim == 2 else arr[..., 0]
        return np.ascontiguousarray(np.repeat(grey[:, :, None], 3, axis=2))

    has_alpha = mode in ("RGBA", "LA", "PA", "La", "RGBa") or (
        mode == "P" and "transparency" in img.info
    ) or (mode in ("L", "RGB") and "transparency" in img.info)
    if has_alpha:
        rgba = img.convert("RGBA")
        background = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        rgb = Image.alpha_composite(background, rgba).convert("RGB")
    elif mode == "RGB":
        rgb = img
    else:
        rgb = img.convert("RGB")  # 1, L, P, CMYK, YCbCr, LAB, HSV ...

    arr = np.asarray(rgb, dtype=np.uint8)
    if arr.ndim != 3 or arr.shape[2] != 3:
        raise ValueError("unexpected pixel layout")
    # the same channel swap as arr[:, :, ::-1] made contiguous, at a fifteenth of the CPU: numpy's
    # copy of a reversed view was 20 ms a bench photo, a tenth of the HTTP process's share a card
    return cv2.cvtColor(arr, cv2.COLOR_RGB2BGR)


def _scale_to_u8(arr: np.ndarray) -> np.ndarray:
    """Map 16/32-bit integer or float samples to uint8."""
    if arr.dtype == np.uint8:
        return arr
    a = arr.astype(np.float64, copy=False)
    if not np.isfinite(a).all():
        a = np.nan_to_num(a, nan=0.0, posinf=0.0, neginf=0.0)
    lo = float(a.min()) if a.size else 0.0
    hi = float(a.max()) if a.size else 0.0
    if lo >= 0 and hi <= 255 and arr.dtype.kind != "f":
        return a.astype(np.uint8)
    if lo >= 0 and hi <= 65535 and arr.dtype.kind in "iu":
        return (a / 257.0).round().astype(np.uint8)
    if hi - lo <= 0:
        return np.zeros(arr.shape, dtype=np.uint8)
    return ((a - lo) * (255.0 / (hi - lo))).round().clip(0, 255).astype(np.uint8)


__all__ = ["Decoded", "base64_bytes", "decode_base64_image", "decode_image", "decode_image_bytes",
           "reduction", "sniff_format"]
