"""`newsbot preview --html`: a self-contained page, checked in real headless Chromium."""

from __future__ import annotations

import html
import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from bot.cli import main

from testkit import SAMPLE

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

pytestmark = pytest.mark.browser


@pytest.fixture
def page(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> tuple[Path, dict]:
    queue = tmp_path / "queue"
    queue.mkdir(exist_ok=True)
    shutil.copy(SAMPLE, queue / "belarus-ties.txt")
    (queue / "second.md").write_text(
        "---\ntitle: Council approves the new bridge\nurl: https://news.example/bridge?utm_source=x\n---\n"
        "The city council approved the bridge on Tuesday after a long debate.\n\n"
        "“This bridge will connect two halves of our city,” said Mayor Anna Kovalenko.\n",
        encoding="utf-8",
    )
    monkeypatch.setenv("NEWSBOT_QUEUE_DIR", str(queue))
    monkeypatch.setenv("NEWSBOT_DATA_DIR", str(tmp_path / "data"))
    out = tmp_path / "preview.html"
    main(["preview", "--json", "--html", str(out)])
    data = json.loads(capsys.readouterr().out)
    return out, data


def _chromium(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    assert CHROMIUM, "Debian's chromium is not installed: scripts/test installs it (apt-get install chromium)"
    return subprocess.run(
        [CHROMIUM, *FLAGS, f"--user-data-dir={cwd / 'profile'}", *args],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=cwd,
    )


def test_the_page_is_self_contained(page: tuple[Path, dict]) -> None:
    out, _ = page
    text = out.read_text(encoding="utf-8")
    assert "<style>" in text
    assert not re.search(r"<(script|link)[^>]+(src|href)=", text)  # no external resources


def test_chromium_renders_every_post_of_every_platform(page: tuple[Path, dict], tmp_path: Path) -> None:
    out, data = page
    dom = _chromium("--dump-dom", out.as_uri(), cwd=tmp_path).stdout
    assert "newsbot preview" in dom
    posts = re.findall(r'<div class="post[^"]*" data-platform="(\w+)" data-index="(\d+)">', dom)
    expected = [(p, str(i)) for a in data["articles"] for p, parts in a["posts"].items() for i in range(len(parts))]
    assert sorted(posts) == sorted(expected)
    unescaped = html.unescape(re.sub(r"<[^>]+>", "", dom))
    for article in data["articles"]:
        for parts in article["posts"].values():
            for part in parts:
                for line in part["text"].splitlines():
                    if line.strip() and "http" not in line:
                        assert line.strip() in unescaped


def test_chromium_takes_a_screenshot(page: tuple[Path, dict], tmp_path: Path) -> None:
    out, _ = page
    shot = tmp_path / "preview.png"
    _chromium(f"--screenshot={shot}", "--window-size=1280,2000", out.as_uri(), cwd=tmp_path)
    assert shot.exists()
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert shot.stat().st_size > 10_000  # a real rendering, not a blank page


def test_a_bluesky_link_shown_shortened_is_a_link_to_the_full_url_as_on_bluesky(page: tuple[Path, dict]) -> None:
    out, data = page
    text = out.read_text(encoding="utf-8")
    bluesky = next(a["posts"]["bluesky"][0] for a in data["articles"] if a["url"] == "https://news.example/bridge")
    [link] = [f for f in bluesky["facets"] if f["type"] == "link"]
    shown = bluesky["text"].encode()[link["byteStart"] : link["byteEnd"]].decode()
    assert shown != link["value"]  # shortened in the post, the facet carries the whole URL
    assert f'<a href="{html.escape(link["value"])}">{html.escape(shown)}</a>' in text
