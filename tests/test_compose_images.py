"""Article images shrunk to what Bluesky accepts (≤ 1,000,000 bytes), without surprises."""

from __future__ import annotations

import io
import os
from pathlib import Path

import pytest
from PIL import Image

from bot.compose.images import MAX_BYTES, read_image, shrink_image
from bot.errors import ComposeError


def _encode(img: Image.Image, fmt: str, **kw: object) -> bytes:
    out = io.BytesIO()
    img.save(out, fmt, **kw)
    return out.getvalue()


def _noise(width: int, height: int, mode: str = "RGB") -> Image.Image:
    """Random pixels: the worst case for compression."""
    return Image.frombytes(mode, (width, height), os.urandom(width * height * len(mode)))


def test_a_small_jpeg_is_passed_through_untouched() -> None:
    data = _encode(Image.new("RGB", (640, 480), "navy"), "JPEG")
    result = shrink_image(data)
    assert result.data == data
    assert (result.mime_type, result.width, result.height) == ("image/jpeg", 640, 480)


def test_a_large_photo_is_reencoded_under_one_megabyte() -> None:
    data = _encode(_noise(2400, 1600), "PNG")
    assert len(data) > MAX_BYTES
    result = shrink_image(data)
    assert len(result.data) <= MAX_BYTES
    assert result.mime_type == "image/jpeg"
    assert max(result.width, result.height) <= 2000
    assert abs(result.width / result.height - 1.5) < 0.01  # aspect ratio kept
    assert Image.open(io.BytesIO(result.data)).format == "JPEG"


def test_a_tighter_budget_is_met_by_scaling_down() -> None:
    result = shrink_image(_encode(_noise(1200, 800), "PNG"), max_bytes=60_000)
    assert len(result.data) <= 60_000
    assert result.width < 1200


def test_transparency_is_flattened_onto_white() -> None:
    img = Image.new("RGBA", (50, 50), (255, 0, 0, 0))
    result = shrink_image(_encode(img, "PNG"), max_bytes=MAX_BYTES, max_side=40)
    pixel = Image.open(io.BytesIO(result.data)).convert("RGB").getpixel((25, 20))
    assert all(channel > 240 for channel in pixel)  # type: ignore[union-attr]


def test_camera_orientation_is_applied_when_reencoding() -> None:
    img = Image.new("RGB", (300, 100), "white")
    exif = Image.Exif()
    exif[0x0112] = 6  # "rotate 90° clockwise to display"
    data = _encode(img, "JPEG", exif=exif)
    result = shrink_image(data, max_side=200)  # forces re-encoding
    assert (result.width, result.height) == (67, 200)


def test_read_image_reads_a_local_file(tmp_path: Path) -> None:
    path = tmp_path / "lead.png"
    path.write_bytes(_encode(Image.new("RGB", (10, 10), "green"), "PNG"))
    assert read_image(path).mime_type == "image/png"


def test_read_image_leaves_urls_to_the_adapter() -> None:
    with pytest.raises(ComposeError, match="download it first"):
        read_image("https://news.example.com/img/danilov.jpg")


def test_unreadable_inputs_are_clear_errors(tmp_path: Path) -> None:
    with pytest.raises(ComposeError, match="cannot read image"):
        read_image(tmp_path / "missing.jpg")
    with pytest.raises(ComposeError, match="not a usable image"):
        shrink_image(b"<html>not an image</html>", name="lead.jpg")
    with pytest.raises(ComposeError, match="cannot be made smaller"):
        shrink_image(_encode(_noise(64, 64), "PNG"), max_bytes=10)
