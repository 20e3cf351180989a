"""The command line: thin commands, one error boundary, JSON for machines, no traceback for people."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.cli import main
from bot.compose.render import builtin_templates_dir

from testkit import SAMPLE
from testkit import run_cli as run


@pytest.fixture
def queue(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "queue"
    folder.mkdir(exist_ok=True)
    monkeypatch.setenv("NEWSBOT_QUEUE_DIR", str(folder))
    monkeypatch.setenv("NEWSBOT_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("NEWSBOT_FILE_SETTLE_SECONDS", "0")
    monkeypatch.setenv("NEWSBOT_QUIET_HOURS", "")
    return folder


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "version")
    assert code == 0 and out.startswith("newsbot 0.")


def test_python_dash_m_runs_the_same_cli(tmp_path: Path) -> None:
    done = subprocess.run([sys.executable, "-m", "bot", "version"], capture_output=True, text=True, cwd=tmp_path)
    assert done.returncode == 0 and "newsbot" in done.stdout


def test_a_bad_setting_is_one_line_and_an_exit_code_not_a_traceback(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NEWSBOT_TIMEZONE", "Moon/Base")
    code, out, err = run(capsys, "queue")
    assert code == 2
    assert "Traceback" not in err and "Traceback" not in out
    assert err.strip().startswith("error: invalid setting — NEWSBOT_TIMEZONE")
    assert len(err.strip().splitlines()) == 1


def test_debug_shows_the_traceback(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NEWSBOT_TIMEZONE", "Moon/Base")
    from bot.errors import ConfigError

    with pytest.raises(ConfigError):
        main(["--debug", "queue"])


def test_ingest_then_queue_listing(capsys: pytest.CaptureFixture[str], queue: Path) -> None:
    shutil.copy(SAMPLE, queue / "belarus-ties.txt")
    (queue / "empty.txt").write_text("")
    code, out, _ = run(capsys, "ingest")
    assert code == 0
    assert "ingested" in out and "belarus-ties.txt" in out
    assert "empty.txt" in out and "failed" in out
    code, out, _ = run(capsys, "queue", "--json")
    listing = json.loads(out)
    assert [f["name"] for f in listing["processed"]] == ["belarus-ties.txt"]
    assert [f["name"] for f in listing["failed"]] == ["empty.txt"]
    assert "empty" in listing["failed"][0]["reason"].lower()
    assert listing["waiting"] == []


def test_ingest_json_reports_each_file(capsys: pytest.CaptureFixture[str], queue: Path) -> None:
    shutil.copy(SAMPLE, queue / "a.txt")
    shutil.copy(SAMPLE, queue / "b.txt")
    code, out, _ = run(capsys, "ingest", "--json")
    report = json.loads(out)
    assert report["counts"]["ingested"] == 1 and report["counts"]["duplicate"] == 1


def test_preview_json_has_every_platform_without_credentials(capsys: pytest.CaptureFixture[str], queue: Path) -> None:
    shutil.copy(SAMPLE, queue / "belarus-ties.txt")
    code, out, _ = run(capsys, "preview", "--json")
    assert code == 0
    data = json.loads(out)
    [article] = data["articles"]
    assert article["headline"] == "Ukraine yet to sever diplomatic ties with Belarus"
    assert set(article["posts"]) == {"x", "bluesky", "mastodon"}
    for platform, parts in article["posts"].items():
        assert parts, platform
        for part in parts:
            assert 0 < part["length"] <= part["limit"]
    assert "facets" in article["posts"]["bluesky"][0] and "embed" in article["posts"]["bluesky"][0]
    assert set(article["scheduled_at"]) == {"x", "bluesky", "mastodon"}
    assert (queue / "belarus-ties.txt").exists()  # nothing moved
    assert not (queue.parent / "data" / "newsbot.db").exists()  # nothing written


def test_preview_of_a_broken_file_says_why(capsys: pytest.CaptureFixture[str], queue: Path) -> None:
    (queue / "broken.json").write_text("{not json")
    code, out, _ = run(capsys, "preview", "--json")
    [article] = json.loads(out)["articles"]
    assert "JSON" in article["error"]


def test_preview_exits_1_when_an_article_cannot_be_posted(
    capsys: pytest.CaptureFixture[str], queue: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    shutil.copy(SAMPLE, queue / "belarus-ties.txt")
    code, out, _ = run(capsys, "preview")
    assert code == 0
    templates = shutil.copytree(builtin_templates_dir(), queue.parent / "templates")
    (templates / "x.j2").write_text("{{ headlin }}\n{{ url }}\n")  # a typo in an edited template
    monkeypatch.setenv("NEWSBOT_TEMPLATES_DIR", str(templates))
    for args in (("preview", "--json"), ("preview",), ("post", "belarus-ties.txt", "--dry-run")):
        code, out, _ = run(capsys, *args, "--platform", "x") if args[0] == "preview" else run(capsys, *args)
        assert code == 1, args
        assert "headlin" in out


def test_preview_terminal_shows_posts_and_lengths(capsys: pytest.CaptureFixture[str], queue: Path) -> None:
    shutil.copy(SAMPLE, queue / "belarus-ties.txt")
    code, out, _ = run(capsys, "preview", "--platform", "x")
    assert code == 0
    assert "Ukraine yet to sever diplomatic ties with Belarus" in out
    assert "/280" in out
    assert "nothing was sent" in out


def test_post_without_any_platform_configured_says_what_to_set(
    capsys: pytest.CaptureFixture[str], queue: Path
) -> None:
    shutil.copy(SAMPLE, queue / "belarus-ties.txt")
    code, _, err = run(capsys, "post", "belarus-ties.txt")
    assert code == 2
    assert "no platform is configured" in err and ".env" in err


def test_post_dry_run_of_an_article_id_shows_that_stored_article(capsys: pytest.CaptureFixture[str], queue: Path) -> None:
    shutil.copy(SAMPLE, queue / "belarus-ties.txt")
    code, out, _ = run(capsys, "ingest", "--json")
    assert code == 0
    code, out, _ = run(capsys, "post", "1", "--dry-run", "--json", "--platform", "x")
    assert code == 0
    [article] = json.loads(out)["articles"]
    assert article["headline"] == "Ukraine yet to sever diplomatic ties with Belarus"
    assert article["posts"]["x"][0]["length"] <= 280
    code, _, err = run(capsys, "post", "99", "--dry-run")
    assert code == 6 and "no article with id 99" in err


def test_post_of_a_queue_file_name_the_daemon_already_took_in_finds_the_stored_article(
    capsys: pytest.CaptureFixture[str], queue: Path
) -> None:
    # The daemon moves a dropped file to processed/ within seconds; the editor still knows it by its name.
    shutil.copy(SAMPLE, queue / "belarus-ties.txt")
    assert run(capsys, "ingest", "--json")[0] == 0
    assert not (queue / "belarus-ties.txt").exists()
    code, out, err = run(capsys, "post", "belarus-ties.txt", "--dry-run", "--json", "--platform", "x")
    assert code == 0, err
    [article] = json.loads(out)["articles"]
    assert article["headline"] == "Ukraine yet to sever diplomatic ties with Belarus"
    code, out, err = run(capsys, "post", str(queue / "belarus-ties.txt"), "--dry-run", "--json", "--platform", "x")
    assert code == 0, err  # as README writes it: `newsbot post queue/story.md`
    assert json.loads(out)["articles"][0]["headline"] == "Ukraine yet to sever diplomatic ties with Belarus"


def test_post_of_a_taken_in_file_with_a_relative_image_finds_the_stored_article(
    capsys: pytest.CaptureFixture[str], queue: Path
) -> None:
    # Its image: path is relative to the queue folder it was dropped into, not to processed/ where it is now.
    (queue / "images").mkdir()
    (queue / "images" / "bridge.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    (queue / "bridge.md").write_text("---\ntitle: Bridge reopens to cyclists\nimage: images/bridge.png\n---\n\n"
                                     "The council voted on Tuesday to reopen the old bridge after ten years.\n")
    assert run(capsys, "ingest", "--json")[0] == 0
    code, out, err = run(capsys, "post", "bridge.md", "--dry-run", "--json", "--platform", "x")
    assert code == 0, err
    [article] = json.loads(out)["articles"]
    assert article.get("error") is None and article["headline"] == "Bridge reopens to cyclists"
    code, _, err = run(capsys, "post", "bridge.md", "--platform", "x")
    assert "no file images/bridge.png" not in err  # found; not sent, as X is not configured here


def test_status_shows_a_planned_post_on_one_line_cut_at_a_word() -> None:
    from bot.commands.outbox import _snippet

    text = "BREAKING: Floods: river peaks\n\n“We expect the water to fall slowly” — Anna Nowak, head of the centre"
    shown = _snippet(text)
    assert "\n" not in shown and len(shown) <= 80 and shown.endswith("…")
    assert " ".join(text.split()).startswith(shown.removesuffix("…"))
    assert shown.removesuffix("…").split()[-1] in text.split()  # the last word shown is a whole word
    assert _snippet("Short post\nhttps://example.com/a") == "Short post https://example.com/a"


@pytest.mark.parametrize("command", ["status", "history"])
def test_a_limit_below_one_is_refused_with_the_allowed_range(
    capsys: pytest.CaptureFixture[str], queue: Path, command: str
) -> None:
    code, _, err = run(capsys, command, "--limit", "-1")
    assert code == 2
    assert "--limit" in err and "greater than or equal to 1" in err and "Traceback" not in err


def test_status_lists_an_article_a_template_error_kept_from_being_composed(
    capsys: pytest.CaptureFixture[str], queue: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    shutil.copy(SAMPLE, queue / "belarus-ties.txt")
    templates = shutil.copytree(builtin_templates_dir(), queue.parent / "templates")
    # An error only some articles hit (this one has fewer than ten quotes): `run` cannot refuse it at start.
    (templates / "mastodon.j2").write_text("{{ quotes[9].text }}\n{{ url }}\n")
    monkeypatch.setenv("NEWSBOT_TEMPLATES_DIR", str(templates))
    monkeypatch.setenv("MASTODON_API_BASE_URL", "http://127.0.0.1:9")  # nothing is sent in a dry run
    monkeypatch.setenv("MASTODON_ACCESS_TOKEN", "FAKESECRET-token")
    code, _, _ = run(capsys, "run", "--once", "--dry-run")
    assert code == 1  # an article failed for good
    code, out, _ = run(capsys, "status", "--json")
    [failed] = json.loads(out)["failed_articles"]
    assert failed["article_id"] == 1 and failed["source"] == "belarus-ties.txt"
    assert "mastodon.j2, line 1" in failed["error"]
    code, out, _ = run(capsys, "status")
    assert code == 0
    assert "could not be composed" in out and "newsbot post ID" in out and "mastodon.j2, line 1" in " ".join(out.split())


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (("preview", "--platform", "twitter"), "Invalid value for '--platform': unknown platform 'twitter'; choose from x, bluesky, mastodon"),
        (("post", "a.txt", "--dry-run", "-p", "x,facebook"), "unknown platform 'facebook'; choose from x, bluesky, mastodon"),
        (("preview", "--html", "/nonexistent-folder/p.html"), "Invalid value for '--html': cannot write '/nonexistent-folder/p.html'"),
    ],
)
def test_a_mistyped_option_is_one_message_saying_what_is_allowed(
    capsys: pytest.CaptureFixture[str], queue: Path, args: tuple[str, ...], expected: str
) -> None:
    shutil.copy(SAMPLE, queue / "a.txt")
    code, out, err = run(capsys, *args)
    assert code == 2
    assert expected in " ".join(err.split()) and "Traceback" not in err
    assert "cannot be posted" not in out  # not one complaint per article


def test_retry_of_a_cancelled_thread_head_says_its_replies_are_still_cancelled(
    capsys: pytest.CaptureFixture[str], queue: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    shutil.copy(SAMPLE, queue / "belarus-ties.txt")
    monkeypatch.setenv("MASTODON_API_BASE_URL", "http://127.0.0.1:9")  # nothing is sent in a dry run
    monkeypatch.setenv("MASTODON_ACCESS_TOKEN", "FAKESECRET-token")
    run(capsys, "run", "--once", "--dry-run")
    code, out, _ = run(capsys, "status", "--json")
    head, *replies = [p["id"] for p in sorted(json.loads(out)["planned"], key=lambda p: p["thread_index"])]
    assert replies  # the sample's key quotes follow as replies
    code, out, _ = run(capsys, "cancel", str(head))
    assert code == 0 and out.strip() == f"cancelled post(s) {', '.join(map(str, [head, *replies]))}"
    code, out, _ = run(capsys, "retry", str(head))
    assert code == 0
    said = " ".join(out.split())
    assert f"post {head} is planned again" in said
    assert f"its thread replies {', '.join(map(str, replies))} are still cancelled" in said
    assert f"`newsbot retry {replies[0]}`" in said


def test_post_to_an_unreachable_platform_says_who_retries_it(
    capsys: pytest.CaptureFixture[str], queue: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    shutil.copy(SAMPLE, queue / "belarus-ties.txt")
    monkeypatch.setenv("MASTODON_API_BASE_URL", "http://127.0.0.1:9")  # nothing listens there
    monkeypatch.setenv("MASTODON_ACCESS_TOKEN", "FAKESECRET-token")
    code, out, _ = run(capsys, "post", "belarus-ties.txt")
    assert code == 1
    said = " ".join(out.split())
    assert "could not be reached" in said
    assert "not sent yet: `newsbot run` (or the newsbot-once timer) retries from" in said


def test_status_and_history_on_an_empty_store(capsys: pytest.CaptureFixture[str], queue: Path) -> None:
    code, out, _ = run(capsys, "status", "--json")
    assert code == 0 and json.loads(out)["counts"] == {}
    code, out, _ = run(capsys, "history", "--json")
    assert code == 0 and json.loads(out) == []


def test_retry_of_an_unknown_post_is_a_clear_error(capsys: pytest.CaptureFixture[str], queue: Path) -> None:
    code, _, err = run(capsys, "retry", "77")
    assert code == 6 and "no post with id 77" in err


@pytest.mark.parametrize(
    ("args", "expected"),
    [(("retry",), "give a post id"), (("retry", "3", "--failed"), "not both"), (("retry", "--failed", "--within", "nan"), "not a number of hours"),
     (("retry", "3", "--platform", "x"), "use them with --failed")],
)
def test_retry_needs_one_post_id_or_failed(
    capsys: pytest.CaptureFixture[str], queue: Path, args: tuple[str, ...], expected: str
) -> None:
    code, _, err = run(capsys, *args)
    assert code == 2 and expected in " ".join(err.split()) and "Traceback" not in err


def test_retry_failed_on_an_empty_outbox_says_nothing_was_planned(capsys: pytest.CaptureFixture[str], queue: Path) -> None:
    code, out, _ = run(capsys, "retry", "--failed", "--json")
    assert code == 0 and json.loads(out) == {"planned": [], "refused": []}


def test_doctor_without_credentials_says_what_to_set(capsys: pytest.CaptureFixture[str], queue: Path) -> None:
    code, out, _ = run(capsys, "doctor", "--json")
    checks = {c["platform"]: c for c in json.loads(out)}
    assert code == 1
    assert not any(c["ready"] for c in checks.values())
    assert "BLUESKY_HANDLE" in checks["bluesky"]["detail"]


def test_a_usage_mistake_is_exit_code_2_with_a_message(tmp_path: Path) -> None:
    done = subprocess.run([sys.executable, "-m", "bot", "retry", "not-a-number"], capture_output=True, text=True,
                          cwd=tmp_path)
    assert done.returncode == 2
    assert "Traceback" not in done.stderr and "post_id" in done.stderr


def test_status_shows_articles_edited_after_posting(capsys: pytest.CaptureFixture[str], queue: Path) -> None:
    from datetime import UTC, datetime

    from bot.config import load_settings
    from bot.feeds.articles import record_update
    from bot.models import Article
    from bot.store import open_store

    store = open_store(load_settings(None).db_url)
    old = Article(source="feed", text="Body of the story.", title="Minister resigns")
    article_id = store.add_article(old)
    new = Article(source="feed", text="Body of the story, corrected.", title="Minister resigns after vote")
    with store.transaction() as conn:
        record_update(conn, article_id, old, new, datetime.now(UTC))
    store.close()
    code, out, _ = run(capsys, "status")
    assert code == 0
    assert "Articles edited at the source" in out and "Minister resigns after" in out
    code, out, _ = run(capsys, "status", "--json")
    assert json.loads(out)["updates"][0]["new_title"] == "Minister resigns after vote"


@pytest.mark.parametrize(
    ("setting", "value", "code", "message"),
    [
        ("NEWSBOT_SLOTS", "every quarter hour", 2, "error: NEWSBOT_SLOTS: 'every quarter hour' is not a valid cron"),
        ("NEWSBOT_TEMPLATES_DIR", "{broken}", 4, "error: template "),
    ],
)
def test_run_stops_at_start_on_a_setting_or_template_that_no_article_could_pass(
    capsys: pytest.CaptureFixture[str], queue: Path, monkeypatch: pytest.MonkeyPatch,
    setting: str, value: str, code: int, message: str,
) -> None:
    """Found at start, not by the first planning pass: that pass would mark every article failed for good
    (and `run` would go on failing each pass) over a mistake in the settings, not in the articles."""
    shutil.copy(SAMPLE, queue / "belarus-ties.txt")
    if value == "{broken}":
        templates = queue.parent / "templates"
        shutil.copytree(builtin_templates_dir(), templates)
        (templates / "mastodon.j2").write_text("{{ headline }\n", encoding="utf-8")
        value = str(templates)
    monkeypatch.setenv(setting, value)
    monkeypatch.setenv("MASTODON_API_BASE_URL", "http://127.0.0.1:9")  # nothing listens there
    monkeypatch.setenv("MASTODON_ACCESS_TOKEN", "FAKESECRET-token")
    got, _, err = run(capsys, "run", "--once", "--dry-run")
    assert got == code
    assert err.startswith(message) and len(err.strip().splitlines()) == 1, err
    assert (queue / "belarus-ties.txt").exists()  # nothing was taken in


def test_a_platform_named_twice_is_previewed_once_at_its_own_time(capsys: pytest.CaptureFixture[str], queue: Path) -> None:
    shutil.copy(SAMPLE, queue / "belarus-ties.txt")
    code, out, _ = run(capsys, "preview", "--json", "--platform", "mastodon")
    once = json.loads(out)
    code, out, _ = run(capsys, "preview", "--json", "--platform", "mastodon,Mastodon")
    twice = json.loads(out)
    assert twice["platforms"] == ["mastodon"]
    assert twice["articles"][0]["scheduled_at"] == once["articles"][0]["scheduled_at"]


def test_preview_of_the_failed_folder_shows_each_file_once_and_no_reason_note_as_an_article(
    capsys: pytest.CaptureFixture[str], queue: Path
) -> None:
    (queue / "broken.json").write_text("{not json")
    shutil.copy(SAMPLE, queue / "belarus-ties.txt")
    run(capsys, "ingest")
    assert (queue / "failed" / "broken.json.error.txt").exists()
    shutil.copy(SAMPLE, queue / "failed" / "fixed.txt")  # an editor's fixed copy, beside the failed files
    code, out, _ = run(capsys, "preview", "--json", str(queue / "failed"))
    sources = [Path(a["source"]).name for a in json.loads(out)["articles"]]
    assert sources == ["broken.json", "fixed.txt"]  # the note saying why is no article to post


def test_post_dry_run_shows_the_posts_going_out_now_as_post_sends_them_not_at_a_slot(
    capsys: pytest.CaptureFixture[str], queue: Path
) -> None:
    shutil.copy(SAMPLE, queue / "belarus-ties.txt")
    code, out, _ = run(capsys, "preview", "--json")
    slots = json.loads(out)["articles"][0]["scheduled_at"]
    code, out, _ = run(capsys, "post", "belarus-ties.txt", "--dry-run", "--json")
    assert code == 0
    report = json.loads(out)
    [article] = report["articles"]
    assert set(article["scheduled_at"]) == {"x", "bluesky", "mastodon"}
    assert set(article["scheduled_at"].values()) == {report["generated_at"]}  # `post` sends at once
    assert set(article["scheduled_at"].values()) != set(slots.values())


def test_post_dry_run_of_an_article_under_embargo_says_post_would_refuse_it(
    capsys: pytest.CaptureFixture[str], queue: Path
) -> None:
    until = (datetime.now(UTC) + timedelta(days=2)).isoformat(timespec="seconds")
    (queue / "report.md").write_text(f"---\ntitle: Schools report\nembargo: {until}\n---\n\n"
                                     "The report, out on Tuesday, finds that class sizes grew in most districts.\n")
    code, out, _ = run(capsys, "post", "report.md", "--dry-run", "--json")
    [article] = json.loads(out)["articles"]
    assert code == 1  # as `post` itself, which refuses it
    assert set(article["scheduled_at"].values()) == {None}
    assert all("under embargo until" in note for note in article["schedule_notes"].values())
    code, out, _ = run(capsys, "post", "report.md", "--dry-run", "--ignore-embargo", "--json")
    [article] = json.loads(out)["articles"]
    assert code == 0 and None not in article["scheduled_at"].values()


def test_post_to_an_unreachable_platform_prints_its_report_once_and_no_raw_log_line(
    queue: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    shutil.copy(SAMPLE, queue / "belarus-ties.txt")
    monkeypatch.setenv("MASTODON_API_BASE_URL", "http://127.0.0.1:9")  # nothing listens there
    monkeypatch.setenv("MASTODON_ACCESS_TOKEN", "FAKESECRET-token")
    # A process of its own: pytest's log capture would stand in for Python's last-resort handler.
    done = subprocess.run([sys.executable, "-m", "bot", "post", "belarus-ties.txt"], capture_output=True, text=True)
    assert done.returncode == 1 and "could not be reached" in done.stdout
    assert done.stderr == ""  # not also the library's log line, printed raw and unredacted by that handler


def test_a_program_calling_main_keeps_its_own_logging_after_a_command(
    capsys: pytest.CaptureFixture[str], queue: Path
) -> None:
    import logging

    names = ("", "newsbot", "bot", "apscheduler")
    before = {name: logging.getLogger(name).level for name in names}
    handlers = list(logging.getLogger().handlers)
    try:
        for name in names:
            logging.getLogger(name).setLevel(logging.CRITICAL)
        code, _, _ = run(capsys, "status")  # reads the settings, so installs the command's log handler
        assert code == 0
        assert {name: logging.getLogger(name).level for name in names} == dict.fromkeys(names, logging.CRITICAL)
        assert logging.getLogger().handlers == handlers
    finally:
        for name, level in before.items():
            logging.getLogger(name).setLevel(level)


def test_status_after_ingest_says_the_articles_wait_to_be_planned(capsys: pytest.CaptureFixture[str], queue: Path) -> None:
    shutil.copy(SAMPLE, queue / "belarus-ties.txt")
    run(capsys, "ingest")
    code, out, _ = run(capsys, "status")
    assert code == 0
    # not only "no posts yet": the editor who just ran `newsbot ingest` learns where the article is
    assert "1 article waits to be planned: `newsbot run` plans it" in " ".join(out.split())


def test_post_dry_run_of_an_article_whose_post_expired_says_post_sends_nothing_there(
    capsys: pytest.CaptureFixture[str], queue: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (queue / "old.md").write_text("---\ntitle: Old news about the bridge\nurl: https://news.example/old\n"
                                  "published: 2020-11-01T10:00:00Z\n---\n"
                                  "The council approved the bridge on Monday after a long debate about its cost.\n")
    monkeypatch.setenv("MASTODON_API_BASE_URL", "http://127.0.0.1:9")  # nothing is sent in a dry run
    monkeypatch.setenv("MASTODON_ACCESS_TOKEN", "FAKESECRET-token")
    run(capsys, "run", "--once", "--dry-run")  # planning expires it: far too old
    for target in ("1", str(queue / "processed" / "old.md")):
        code, out, _ = run(capsys, "post", target, "--dry-run", "--json")
        [article] = json.loads(out)["articles"]
        assert article["scheduled_at"] == {"mastodon": None}, target  # `post` would send nothing: it is expired
        assert article["schedule_notes"]["mastodon"].startswith("expired: `newsbot post` sends nothing new"), target
        code, out, _ = run(capsys, "post", target)
        assert code == 1 and "expired" in out  # as the dry run said
