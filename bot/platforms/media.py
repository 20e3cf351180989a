"""Images for posts: read from a local path or an http(s) URL, then fit under a platform's byte limit.

``fit_image`` is pure (bytes in, bytes out); ``read_image`` does the I/O. Platform adapters turn
``MediaError`` into their own ``PlatformError`` (keeping ``retryable``).
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import BotError

if TYPE_CHECKING:
    from ..config import Settings
    from PIL.Image import Image as PILImage

MAX_DOWNLOAD_BYTES = 25_000_000  # refuse to pull anything bigger than a very large photo
_KEEP_AS_IS = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp", "GIF": "image/gif"}


class MediaError(BotError):
    """An image could not be read or made small enough. ``retryable``: a later attempt may work."""

    def __init__(self, message: str, *, retryable: bool = False) -> None:
        super().__init__(message)
        self.retryable = retryable


@dataclass(frozen=True)
class FittedImage:
    data: bytes
    mime_type: str
    width: int  # as displayed (after EXIF rotation)
    height: int


def read_image(
    source: str,
    *,
    timeout: float = 20.0,
    user_agent: str = "newsbot",
    max_bytes: int = MAX_DOWNLOAD_BYTES,
) -> bytes:
    """The bytes of ``source``: a local path, a ``file://`` URL or an ``http(s)://`` URL."""
    if source.startswith(("http://", "https://")):
        return _download(source, timeout=timeout, user_agent=user_agent, max_bytes=max_bytes)
    path = Path(source.removeprefix("file://")).expanduser()
    try:
        size = path.stat().st_size
        if size > max_bytes:
            raise MediaError(f"image {source} is {size:,} bytes; the most newsbot reads is {max_bytes:,}")
        return path.read_bytes()
    except FileNotFoundError:
        raise MediaError(f"image file {source} does not exist; fix the article's image path") from None
    except OSError as exc:
        raise MediaError(f"cannot read image {source}: {exc.strerror or exc}") from None


def _download(url: str, *, timeout: float, user_agent: str, max_bytes: int) -> bytes:
    import httpx

    try:
        with httpx.stream(
            "GET", url, timeout=timeout, follow_redirects=True, headers={"User-Agent": user_agent}
        ) as response:
            if response.status_code >= 400:
                raise MediaError(
                    f"fetching image {url} failed with HTTP {response.status_code}",
                    retryable=response.status_code >= 500 or response.status_code == 429,
                )
            chunks: list[bytes] = []
            total = 0
            for chunk in response.iter_bytes():
                total += len(chunk)
                if total > max_bytes:
                    raise MediaError(f"image {url} is larger than {max_bytes:,} bytes; use a smaller one")
                chunks.append(chunk)
            return b"".join(chunks)
    except httpx.HTTPError as exc:
        raise MediaError(f"fetching image {url} failed: {exc}", retryable=True) from None


def fit_image(data: bytes, *, max_bytes: int, max_side: int = 2000) -> FittedImage:
    """``data`` unchanged when it is a common format within ``max_bytes``, else a JPEG re-encoded smaller.

    Shrinks quality first, then dimensions, until the result fits. Transparency is flattened onto white.
    """
    from PIL import Image, ImageOps, UnidentifiedImageError

    try:
        image = Image.open(io.BytesIO(data))
        image.load()
    except (UnidentifiedImageError, Image.DecompressionBombError, OSError, SyntaxError) as exc:
        raise MediaError(f"the image is not a picture newsbot can read ({exc})") from None
    fmt = image.format or ""
    upright = ImageOps.exif_transpose(image) or image
    width, height = upright.size
    if len(data) <= max_bytes and fmt in _KEEP_AS_IS:
        return FittedImage(data, _KEEP_AS_IS[fmt], width, height)

    rgb = _flatten(upright)
    scale = min(1.0, max_side / max(width, height))
    while True:
        size = (max(1, round(width * scale)), max(1, round(height * scale)))
        resized = rgb.resize(size, Image.Resampling.LANCZOS) if size != rgb.size else rgb
        for quality in (85, 75, 65, 55):
            out = io.BytesIO()
            resized.save(out, format="JPEG", quality=quality, optimize=True)
            if out.tell() <= max_bytes:
                return FittedImage(out.getvalue(), "image/jpeg", size[0], size[1])
        if max(size) <= 64:
            raise MediaError(f"the image cannot be made smaller than {max_bytes:,} bytes")
        scale *= 0.75


def _flatten(image: PILImage) -> PILImage:
    from PIL import Image

    if image.mode in ("RGBA", "LA") or (image.mode == "P" and "transparency" in image.info):
        rgba = image.convert("RGBA")
        background = Image.new("RGB", rgba.size, (255, 255, 255))
        background.paste(rgba, mask=rgba.getchannel("A"))
        return background
    return image.convert("RGB")


def load_for_upload(platform: str, source: str, settings: Settings, *, max_bytes: int) -> FittedImage:
    """Read an article image and fit it under ``max_bytes``; failures become the platform's PlatformError."""
    from ..errors import PlatformError

    try:
        data = read_image(source, timeout=settings.http_timeout_seconds, user_agent=settings.user_agent)
        return fit_image(data, max_bytes=max_bytes)
    except MediaError as exc:
        raise PlatformError(platform, f"image for {platform}: {exc}", retryable=exc.retryable) from None
