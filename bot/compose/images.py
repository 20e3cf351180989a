"""Article images made small enough to upload: Bluesky takes at most 1,000,000 bytes per blob.

Fetching a remote image is the adapter's job (it owns the network); this module reads local files and
shrinks bytes. Steps: keep the original if it is already small enough and a format every platform
takes; otherwise honour the EXIF orientation, cap the longest side, and save as JPEG at falling
quality, then at smaller sizes, until it fits.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageOps, UnidentifiedImageError

from ..errors import ComposeError

MAX_BYTES = 1_000_000
MAX_SIDE = 2000  # pixels; larger images are downscaled anyway by every platform
_QUALITIES = (85, 75, 65, 55, 45)
_KEEP_FORMATS = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp", "GIF": "image/gif"}


@dataclass(frozen=True)
class ImageData:
    data: bytes
    mime_type: str
    width: int
    height: int


def read_image(path: str | Path, *, max_bytes: int = MAX_BYTES, max_side: int = MAX_SIDE) -> ImageData:
    """Read a local image file and shrink it to at most ``max_bytes``."""
    source = Path(path)
    if str(path).startswith(("http://", "https://")):
        raise ComposeError(f"{path} is a URL; download it first and pass the bytes to shrink_image()")
    try:
        data = source.read_bytes()
    except OSError as exc:
        raise ComposeError(f"cannot read image {source}: {exc.strerror or exc}") from None
    return shrink_image(data, max_bytes=max_bytes, max_side=max_side, name=str(source))


def shrink_image(
    data: bytes, *, max_bytes: int = MAX_BYTES, max_side: int = MAX_SIDE, name: str = "image"
) -> ImageData:
    """``data`` as an image of at most ``max_bytes`` bytes (unchanged when it already qualifies)."""
    try:
        opened = Image.open(io.BytesIO(data))
        opened.load()
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError) as exc:
        raise ComposeError(f"{name} is not a usable image ({exc}); use a JPEG, PNG or WebP file") from None

    fmt = opened.format or ""
    if len(data) <= max_bytes and fmt in _KEEP_FORMATS and max(opened.size) <= max_side:
        return ImageData(data, _KEEP_FORMATS[fmt], opened.width, opened.height)

    img = _flatten(ImageOps.exif_transpose(opened))
    if max(img.size) > max_side:
        img.thumbnail((max_side, max_side), Image.Resampling.LANCZOS)
    while True:
        for quality in _QUALITIES:
            out = io.BytesIO()
            img.save(out, "JPEG", quality=quality, optimize=True, progressive=True)
            if out.tell() <= max_bytes:
                return ImageData(out.getvalue(), "image/jpeg", img.width, img.height)
        if max(img.size) <= 16:
            raise ComposeError(f"{name} cannot be made smaller than {max_bytes} bytes")
        img = img.resize((max(1, img.width * 3 // 4), max(1, img.height * 3 // 4)), Image.Resampling.LANCZOS)


def _flatten(img: Image.Image) -> Image.Image:
    """JPEG has no transparency: put transparent images on white."""
    if img.mode in ("RGBA", "LA") or (img.mode == "P" and "transparency" in img.info):
        rgba = img.convert("RGBA")
        background = Image.new("RGB", rgba.size, "white")
        background.paste(rgba, mask=rgba.getchannel("A"))
        return background
    return img.convert("RGB")
