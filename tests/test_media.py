"""Images for posts: read from disk or the web, fitted under a platform's byte limit."""

from __future__ import annotations

import io
import random
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from bot.platforms.media import MediaError, fit_image, read_image


def encoded(image: Image.Image, fmt: str, **options: Any) -> bytes:
    out = io.BytesIO()
    image.save(out, format=fmt, **options)
    return out.getvalue()


def noise(size: tuple[int, int], mode: str = "RGB") -> Image.Image:
    channels = len(mode)
    return Image.frombytes(mode, size, random.Random(1).randbytes(size[0] * size[1] * channels))


def test_a_small_common_image_is_kept_byte_for_byte() -> None:
    data = encoded(Image.new("RGB", (40, 30), "navy"), "PNG")
    fitted = fit_image(data, max_bytes=1_000_000)
    assert (fitted.data, fitted.mime_type, fitted.width, fitted.height) == (data, "image/png", 40, 30)


def test_a_large_image_becomes_a_jpeg_under_the_limit() -> None:
    data = encoded(noise((1600, 1200)), "PNG")
    assert len(data) > 1_000_000
    fitted = fit_image(data, max_bytes=1_000_000)
    assert len(fitted.data) <= 1_000_000 and fitted.mime_type == "image/jpeg"
    reopened = Image.open(io.BytesIO(fitted.data))
    assert reopened.format == "JPEG" and reopened.size == (fitted.width, fitted.height)
    assert abs(fitted.width / fitted.height - 4 / 3) < 0.01  # proportions kept


def test_a_very_tight_limit_shrinks_the_dimensions_too() -> None:
    fitted = fit_image(encoded(noise((1200, 800)), "PNG"), max_bytes=30_000)
    assert len(fitted.data) <= 30_000 and fitted.width < 1200


def test_transparency_is_flattened_onto_white() -> None:
    clear = Image.new("RGBA", (3000, 2000), (0, 0, 0, 0))
    # TIFF is not a format posts keep as is, so it is re-encoded (as JPEG, which has no alpha)
    fitted = fit_image(encoded(clear, "TIFF"), max_bytes=1_000_000, max_side=1000)
    pixel = Image.open(io.BytesIO(fitted.data)).convert("RGB").getpixel((10, 10))
    assert fitted.mime_type == "image/jpeg" and (fitted.width, fitted.height) == (1000, 667)
    assert min(pixel) > 245  # type: ignore[arg-type]


def test_exif_rotation_gives_the_displayed_size() -> None:
    image = Image.new("RGB", (60, 20), "red")
    exif = Image.Exif()
    exif[0x0112] = 6  # orientation: rotate 90° when displayed
    fitted = fit_image(encoded(image, "JPEG", exif=exif), max_bytes=1_000_000)
    assert (fitted.width, fitted.height) == (20, 60)


def test_something_that_is_not_a_picture_is_a_permanent_error() -> None:
    with pytest.raises(MediaError, match="not a picture") as caught:
        fit_image(b"<html>not found</html>", max_bytes=1_000_000)
    assert not caught.value.retryable


def test_a_missing_file_is_a_permanent_error(tmp_path: Path) -> None:
    with pytest.raises(MediaError, match="does not exist") as caught:
        read_image(str(tmp_path / "nope.jpg"))
    assert not caught.value.retryable


def test_local_paths_and_file_urls_are_read(tmp_path: Path) -> None:
    path = tmp_path / "a.bin"
    path.write_bytes(b"abc")
    assert read_image(str(path)) == read_image(f"file://{path}") == b"abc"


class Pictures(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        status, body = {"/ok": (200, b"x" * 5000), "/gone": (404, b""), "/down": (503, b"")}[self.path]
        self.send_response(status)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def web() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), Pictures)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_download_within_the_cap(web: str) -> None:
    assert read_image(f"{web}/ok") == b"x" * 5000


def test_download_over_the_cap_is_refused(web: str) -> None:
    with pytest.raises(MediaError, match="larger than 1,000 bytes"):
        read_image(f"{web}/ok", max_bytes=1000)


def test_http_errors_say_whether_to_retry(web: str) -> None:
    with pytest.raises(MediaError) as gone:
        read_image(f"{web}/gone")
    with pytest.raises(MediaError) as down:
        read_image(f"{web}/down")
    assert not gone.value.retryable and down.value.retryable
