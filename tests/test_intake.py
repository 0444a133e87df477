"""Image intake: decode_base64_image / decode_image_bytes on tiny generated images."""

from __future__ import annotations

import base64
import io
import struct
import zlib

import cv2
import numpy as np
import pytest
from PIL import Image

from cardocr.errors import ImageSizeError, UnsupportedFormat
from cardocr.intake.decode import decode_base64_image, decode_image_bytes, sniff_format
from tests.apihelpers import make_image


def _pil_bytes(img: Image.Image, fmt: str, **kw) -> bytes:
    bio = io.BytesIO()
    img.save(bio, fmt, **kw)
    return bio.getvalue()


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def png_claiming(width: int, height: int) -> bytes:
    """A few hundred bytes of PNG whose header claims width x height RGB pixels."""
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    idat = zlib.compress(b"\x00" * 4096, 9)
    return (b"\x89PNG\r\n\x1a\n" + _png_chunk(b"IHDR", ihdr) + _png_chunk(b"IDAT", idat)
            + _png_chunk(b"IEND", b""))


@pytest.mark.parametrize("ext,fmt", [(".jpg", "JPEG"), (".png", "PNG"), (".bmp", "BMP"),
                                     (".tiff", "TIFF")])
def test_accepted_formats_decode_to_bgr_uint8(ext, fmt):
    data = make_image(40, 60, ext)
    assert sniff_format(data) == fmt
    img = decode_image_bytes(data)
    assert img.shape == (40, 60, 3) and img.dtype == np.uint8
    assert img.flags["C_CONTIGUOUS"]
    # left half was BGR (255,128,0): channel order preserved
    b, g, r = (int(v) for v in img[20, 5])
    assert b > 200 and r < 60


def test_base64_roundtrip_with_line_breaks_and_missing_padding():
    data = make_image(30, 30, ".png")
    s = base64.encodebytes(data).decode()  # MIME style, with newlines
    assert decode_base64_image(s).shape == (30, 30, 3)
    assert decode_base64_image(base64.b64encode(data).decode().rstrip("=")).shape == (30, 30, 3)


@pytest.mark.parametrize("s", ["!!!!not base64!!!!", "abcde", "aGVsbG8gd29ybGQ=x", "ü" * 8])
def test_not_base64(s):
    with pytest.raises(UnsupportedFormat):
        decode_base64_image(s)


def test_data_uri_prefix_refused():
    s = "data:image/jpeg;base64," + base64.b64encode(make_image()).decode()
    with pytest.raises(UnsupportedFormat):
        decode_base64_image(s)


def test_gif_and_webp_refused_even_in_base64():
    rgb = Image.new("RGB", (40, 40), (1, 2, 3))
    for fmt in ("GIF", "WEBP"):
        data = _pil_bytes(rgb, fmt)
        with pytest.raises(UnsupportedFormat):
            decode_image_bytes(data)
        with pytest.raises(UnsupportedFormat):
            decode_base64_image(base64.b64encode(data).decode())


@pytest.mark.parametrize("data", [b"", b"\x00" * 100, b"%PDF-1.7 ...", b"RIFF\x00\x00\x00\x00WEBPVP8 ",
                                  b"\xff\xd8\xff" + b"\x00" * 200, b"BM" + b"\xff" * 60,
                                  b"II*\x00" + b"\x00" * 50])
def test_empty_garbage_and_fake_headers(data):
    with pytest.raises(UnsupportedFormat):
        decode_image_bytes(data)


def test_empty_base64_is_unsupported_format():
    with pytest.raises(UnsupportedFormat):
        decode_base64_image("")


@pytest.mark.parametrize("ext", [".jpg", ".png", ".bmp", ".tiff"])
def test_truncated_files(ext):
    data = make_image(60, 80, ext)
    with pytest.raises(UnsupportedFormat):
        decode_image_bytes(data[: len(data) // 2])


def test_decompression_bomb_rejected_from_header():
    bomb = png_claiming(50000, 50000)
    assert len(bomb) < 1000
    with pytest.raises(ImageSizeError):
        decode_image_bytes(bomb)
    with pytest.raises(ImageSizeError):
        decode_image_bytes(png_claiming(60000, 20))  # wide edge only


@pytest.mark.parametrize("h,w", [(10, 10), (14, 100), (100, 14), (20, 9000), (9000, 20)])
def test_edge_limits(h, w):
    with pytest.raises(ImageSizeError):
        decode_image_bytes(make_image(h, w, ".png"))


@pytest.mark.parametrize("h,w", [(15, 15), (15, 8192)])
def test_edge_limits_inclusive(h, w):
    assert decode_image_bytes(make_image(h, w, ".png")).shape == (h, w, 3)


def test_too_many_bytes():
    data = make_image() + b"\x00" * (10 * 1024 * 1024)
    with pytest.raises(ImageSizeError):
        decode_image_bytes(data)
    with pytest.raises(ImageSizeError):
        decode_base64_image(base64.b64encode(data).decode())


def test_greyscale_palette_alpha_and_16bit_become_bgr():
    rgba = Image.new("RGBA", (30, 20), (255, 0, 0, 0))  # fully transparent red
    out = decode_image_bytes(_pil_bytes(rgba, "PNG"))
    assert out.shape == (20, 30, 3)
    assert out[0, 0].tolist() == [255, 255, 255]  # composited onto white

    grey = Image.new("L", (30, 20), 77)
    assert decode_image_bytes(_pil_bytes(grey, "PNG"))[5, 5].tolist() == [77, 77, 77]

    pal = Image.new("RGB", (30, 20), (0, 0, 255)).convert("P")
    assert decode_image_bytes(_pil_bytes(pal, "PNG"))[5, 5].tolist() == [255, 0, 0]

    la = Image.new("LA", (30, 20), (10, 255))
    assert decode_image_bytes(_pil_bytes(la, "PNG"))[0, 0].tolist() == [10, 10, 10]

    img16 = np.full((20, 30, 3), 65535, np.uint16)
    img16[..., 0] = 0
    out = decode_image_bytes(cv2.imencode(".png", img16)[1].tobytes())
    assert out.dtype == np.uint8 and out[0, 0].tolist() == [0, 255, 255]

    grey16 = np.full((20, 30), 65535, np.uint16)
    out = decode_image_bytes(cv2.imencode(".png", grey16)[1].tobytes())
    assert out.dtype == np.uint8 and out.shape == (20, 30, 3) and out[0, 0].tolist() == [255] * 3

    cmyk = Image.new("CMYK", (30, 20), (0, 0, 0, 0))
    assert decode_image_bytes(_pil_bytes(cmyk, "TIFF")).shape == (20, 30, 3)

    bilevel = Image.new("1", (30, 20), 1)
    assert decode_image_bytes(_pil_bytes(bilevel, "TIFF"))[0, 0].tolist() == [255] * 3


def test_exif_orientation_applied():
    img = Image.new("RGB", (60, 40), (0, 0, 0))
    exif = img.getexif()
    exif[0x0112] = 6  # rotate 90 CW on display
    out = decode_image_bytes(_pil_bytes(img, "JPEG", exif=exif))
    assert out.shape == (60, 40, 3)


def test_corrupt_exif_is_ignored():
    img = Image.new("RGB", (60, 40), (0, 0, 0))
    data = _pil_bytes(img, "JPEG", exif=b"Exif\x00\x00garbage-garbage")
    assert decode_image_bytes(data).shape == (40, 60, 3)


@pytest.mark.parametrize("kw", [{"quality": 90}, {"quality": 55, "subsampling": 0},
                                {"quality": 75, "progressive": True}])
@pytest.mark.parametrize("mode", ["RGB", "L"])
def test_a_plain_jpeg_decodes_as_pillows_path_does(monkeypatch, kw, mode):
    """The fast path (OpenCV's decoder, for a complete colour or grey JPEG with no orientation)
    gives Pillow's pixels exactly, on a generator photo."""
    from cardocr.intake import decode
    from tools.cardgen import make_sample

    photo = make_sample(1300007, "front", "photo")[0]
    data = _pil_bytes(Image.fromarray(np.ascontiguousarray(photo[:, :, ::-1])).convert(mode), "JPEG", **kw)
    assert decode._plain_jpeg(data, "JPEG", Image.open(io.BytesIO(data))) is not None  # the fast path is taken
    fast = decode_image_bytes(data)
    monkeypatch.setattr(decode, "_plain_jpeg", lambda *a: None)
    assert np.array_equal(fast, decode_image_bytes(data))
    with pytest.raises(UnsupportedFormat):  # and a truncated one still fails, whichever path
        decode_image_bytes(data[: len(data) * 2 // 3])
