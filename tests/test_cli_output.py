"""What the CLI prints is the data as it is: a title, quote, file name or error with square brackets is
printed literally (never read as rich markup), and `post --json` exits as `post` does."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from rich.console import Console


from testkit import run_cli as run

# Each bracket is markup to rich: "[/]" closes a style that is not open (MarkupError), "[bold]" is a style,
# and "[everything]" a tag rich would silently drop.
TITLE = "Blast hits Kyiv [/] centre [bold] and [everything]"
ARTICLE = f"""---
title: "{TITLE}"
url: https://example.com/news/blast
---
The blast hit the city centre on Monday morning and [everything] near the square was shaken, officials said.

"We will rebuild [bold] every street [/] quickly," said Mayor Anna Kovalenko.
"""
FILE_NAME = "[bold]story [everything].md"


def flat(text: str) -> str:
    """Output on one line: rich wraps long lines, which must not decide whether a test passes."""
    return " ".join(text.split())


@pytest.fixture
def queue(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "queue"
    folder.mkdir()
    monkeypatch.setenv("NEWSBOT_QUEUE_DIR", str(folder))
    monkeypatch.setenv("NEWSBOT_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("NEWSBOT_FILE_SETTLE_SECONDS", "0")
    monkeypatch.setenv("NEWSBOT_QUIET_HOURS", "")
    monkeypatch.setenv("COLUMNS", "400")  # rich reads it on each print: tables keep a title on one line
    (folder / FILE_NAME).write_text(ARTICLE, encoding="utf-8")
    return folder


@pytest.fixture
def mastodon_unreachable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MASTODON_API_BASE_URL", "http://127.0.0.1:9")  # nothing listens there
    monkeypatch.setenv("MASTODON_ACCESS_TOKEN", "FAKESECRET-token")


def test_preview_prints_a_bracketed_title_and_file_name_as_they_are(
    capsys: pytest.CaptureFixture[str], queue: Path
) -> None:
    code, out, err = run(capsys, "preview")
    assert code == 0, err
    said = flat(out)
    assert TITLE in said and FILE_NAME in said
    assert "We will rebuild [bold] every street [/] quickly" in said


def test_preview_of_a_file_that_cannot_be_read_names_it_as_it_is(
    capsys: pytest.CaptureFixture[str], queue: Path
) -> None:
    code, out, _ = run(capsys, "preview", str(queue / "gone [/] [bold].md"))
    assert code == 1
    assert "gone [/] [bold].md — cannot be posted" in flat(out)


def test_analyze_prints_headline_summary_and_quote_as_they_are(
    capsys: pytest.CaptureFixture[str], queue: Path
) -> None:
    code, out, err = run(capsys, "analyze", str(queue / FILE_NAME))
    assert code == 0, err
    said = flat(out)
    assert TITLE in said and FILE_NAME in said
    assert "[everything] near the square" in said
    assert "rebuild [bold] every street [/] quickly" in said


def test_ingest_queue_and_status_print_bracketed_names_and_titles(
    capsys: pytest.CaptureFixture[str], queue: Path, mastodon_unreachable: None
) -> None:
    code, out, err = run(capsys, "queue")
    assert code == 0, err
    assert FILE_NAME in flat(out)
    code, out, err = run(capsys, "ingest")
    assert code == 0, err
    assert f"ingested {FILE_NAME} {TITLE}" in flat(out)
    code, out, err = run(capsys, "run", "--once", "--dry-run")
    code, out, err = run(capsys, "status")
    assert code == 0, err
    assert TITLE in flat(out)


def test_post_prints_the_bracketed_headline_and_exits_1_with_or_without_json(
    capsys: pytest.CaptureFixture[str], queue: Path, mastodon_unreachable: None
) -> None:
    code, out, err = run(capsys, "post", FILE_NAME)
    assert code == 1, err  # Mastodon could not be reached: nothing was sent
    assert f"{TITLE} (article 1)" in flat(out)
    code, out, err = run(capsys, "post", FILE_NAME, "--json")
    assert code == 1, err  # the same rule with --json: a script sees that nothing was sent
    result = json.loads(out)
    assert result["headline"] == TITLE
    assert result["posts"] and all(p["state"] != "sent" for p in result["posts"])


def test_post_dry_run_json_exits_0_when_the_article_can_be_posted(
    capsys: pytest.CaptureFixture[str], queue: Path, mastodon_unreachable: None
) -> None:
    code, out, err = run(capsys, "post", FILE_NAME, "--dry-run", "--json")
    assert code == 0, err
    assert json.loads(out)["articles"][0]["headline"] == TITLE


@pytest.mark.parametrize("name", ["[/]story.md", "[bold]story.md", "[everything].md"])
def test_an_error_naming_a_bracketed_file_is_one_line_printed_as_it_is(
    capsys: pytest.CaptureFixture[str], queue: Path, mastodon_unreachable: None, name: str
) -> None:
    code, out, err = run(capsys, "post", name)
    assert code == 6
    assert "Traceback" not in err
    assert err.strip().splitlines() == [
        f"error: no article '{name}': give a file path, a file name in {queue}, or an article id"
    ]


def test_the_error_boundary_prints_any_message_literally(
    capsys: pytest.CaptureFixture[str], queue: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from bot.errors import StoreError

    def refuse(url: str) -> None:
        raise StoreError("the driver is missing; install newsbot[postgres] [/] or [bold]read[everything]")

    monkeypatch.setattr("bot.store.open_store", refuse)
    code, _, err = run(capsys, "status")
    assert code == 5
    assert err.strip() == "error: the driver is missing; install newsbot[postgres] [/] or [bold]read[everything]"


def test_posts_table_prints_post_texts_and_errors_as_they_are() -> None:
    from datetime import UTC, datetime

    from bot.commands.outbox import _posts_table

    row = {"id": 1, "article_id": 2, "platform": "x", "thread_index": 0, "state": "failed", "url": None,
           "remote_id": None, "error": "HTTP 400 [/] bad [bold] request [everything]", "text": TITLE,
           "sent_at": None, "next_attempt_at": None, "scheduled_at": datetime(2026, 11, 25, 12, tzinfo=UTC)}
    for show, expected in (("error", row["error"]), ("text", TITLE), ("url", row["error"])):
        screen = Console(file=io.StringIO(), width=300)
        screen.print(_posts_table("Posts", [row], UTC, show=show, with_state=True))
        assert isinstance(screen.file, io.StringIO)
        assert expected in screen.file.getvalue()


def test_a_bracketed_feed_name_and_url_print_as_they_are(
    capsys: pytest.CaptureFixture[str], queue: Path
) -> None:
    url = "http://127.0.0.1:9/feed[/].xml"
    code, out, err = run(capsys, "feeds", "add", url, "--name", "Kyiv [/] news [bold] [everything]")
    assert code == 0, err
    assert f"subscribed to {url}" in flat(out)
    code, out, err = run(capsys, "feeds", "list")
    assert code == 0, err
    assert "Kyiv [/] news [bold] [everything]" in flat(out)
    code, out, err = run(capsys, "feeds", "poll", "--all")
    assert "Kyiv [/] news [bold] [everything]: unreachable" in flat(out)
    code, out, err = run(capsys, "feeds", "list")
    assert code == 0, err
    assert "feed 1 (Kyiv [/] news [bold] [everything]): unreachable —" in flat(out)
    code, out, err = run(capsys, "feeds", "disable", "1")
    assert code == 0 and "feed 1 (Kyiv [/] news [bold] [everything]) disabled" in flat(out)
    code, out, err = run(capsys, "feeds", "remove", "1")
    assert code == 0 and "unsubscribed from Kyiv [/] news [bold] [everything] (feed 1)" in flat(out)
