"""`newsbot post` end to end: the sample article to the real Bluesky server and the X and Mastodon servers,
exactly once however often it is run; `doctor` and `delete` against the same servers."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from bot.cli import main

from testkit import SAMPLE

pytestmark = pytest.mark.servers


@pytest.fixture
def all_platforms(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    x_env: dict[str, str],
    mastodon_env: dict[str, str],
    bluesky_pds: object,
    bluesky_account: object,
) -> Path:
    env = {
        **x_env,
        **mastodon_env,
        "BLUESKY_PDS_URL": bluesky_pds.url,  # type: ignore[attr-defined]
        "BLUESKY_HANDLE": bluesky_account.handle,  # type: ignore[attr-defined]
        "BLUESKY_APP_PASSWORD": bluesky_account.password,  # type: ignore[attr-defined]
        "NEWSBOT_QUEUE_DIR": str(tmp_path / "queue"),
        "NEWSBOT_DATA_DIR": str(tmp_path / "data"),
    }
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    queue = tmp_path / "queue"
    queue.mkdir(exist_ok=True)
    article = queue / "story.md"
    article.write_text(
        "---\ntitle: Ukraine yet to sever diplomatic ties with Belarus\n"
        "url: https://news.example/belarus-ties?utm_source=rss&fbclid=abc\nlanguage: en\n---\n"
        + SAMPLE.read_text(encoding="utf-8").split("\n", 1)[1],
        encoding="utf-8",
    )
    return article


def run_json(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, object]:
    try:
        main(list(args))
        code = 0
    except SystemExit as exc:
        code = int(exc.code or 0)
    out = capsys.readouterr().out
    return code, json.loads(out) if out.strip() else None


def test_post_publishes_everywhere_exactly_once(
    all_platforms: Path, capsys: pytest.CaptureFixture[str], x_server, mastodon_server, bluesky_pds, bluesky_account
) -> None:
    code, first = run_json(capsys, "post", str(all_platforms), "--json")
    assert code == 0, first
    posts = first["posts"]  # type: ignore[index]
    assert {p["platform"] for p in posts} == {"x", "bluesky", "mastodon"}
    assert all(p["state"] == "sent" and p["url"] for p in posts)

    # again: nothing new anywhere, the same links
    code, again = run_json(capsys, "post", str(all_platforms), "--json")
    assert code == 0
    assert [p["url"] for p in again["posts"]] == [p["url"] for p in posts]  # type: ignore[index]

    x_parts = [p for p in posts if p["platform"] == "x"]
    assert len(x_server.live_posts) == len(x_parts)
    assert "https://news.example/belarus-ties" in x_server.live_posts[0].text
    assert "utm_source" not in x_server.live_posts[0].text and "fbclid" not in x_server.live_posts[0].text

    masto_parts = [p for p in posts if p["platform"] == "mastodon"]
    assert len(mastodon_server.live_statuses) == len(masto_parts)
    assert mastodon_server.live_statuses[0].language == "en"

    records = bluesky_pds.list_records(bluesky_account.did)
    bsky_parts = [p for p in posts if p["platform"] == "bluesky"]
    assert len(records) == len(bsky_parts)
    main_post = records[0]["value"]
    assert main_post["embed"]["$type"] == "app.bsky.embed.external"
    assert main_post["embed"]["external"]["uri"] == "https://news.example/belarus-ties"
    link_facets = [f for f in main_post.get("facets", []) if f["features"][0]["$type"].endswith("#link")]
    for facet in link_facets:
        start, end = facet["index"]["byteStart"], facet["index"]["byteEnd"]
        visible = main_post["text"].encode("utf-8")[start:end].decode("utf-8")
        assert visible.startswith("news.example") or visible.startswith("https://news.example")
    if len(records) > 1:
        reply = records[1]["value"]["reply"]
        assert reply["root"]["uri"] == reply["parent"]["uri"] == records[0]["uri"]
        assert "Danilov" in records[1]["value"]["text"]


def test_status_and_history_show_the_links(
    all_platforms: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    run_json(capsys, "post", str(all_platforms), "--json", "--platform", "mastodon")
    code, status = run_json(capsys, "status", "--json")
    assert status["counts"]["sent"] >= 1  # type: ignore[index]
    assert all(p["url"] for p in status["sent"])  # type: ignore[index]
    code, history = run_json(capsys, "history", "--json")
    assert {p["platform"] for p in history} == {"mastodon"}  # type: ignore[union-attr]


def test_doctor_checks_every_platform_without_posting(
    all_platforms: Path, capsys: pytest.CaptureFixture[str], x_server, mastodon_server
) -> None:
    code, checks = run_json(capsys, "doctor", "--json")
    assert code == 0
    assert {c["platform"]: c["ready"] for c in checks} == {"x": True, "bluesky": True, "mastodon": True}  # type: ignore[union-attr]
    assert x_server.live_posts == [] and mastodon_server.live_statuses == []


def test_doctor_names_the_setting_to_fix_when_a_token_is_wrong(
    all_platforms: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MASTODON_ACCESS_TOKEN", "wrong-token-value")
    code, checks = run_json(capsys, "doctor", "--json")
    mastodon = next(c for c in checks if c["platform"] == "mastodon")  # type: ignore[union-attr]
    assert not mastodon["ready"] and "MASTODON_ACCESS_TOKEN" in mastodon["detail"]
    assert "wrong-token-value" not in json.dumps(checks)


def test_delete_removes_the_post_from_its_platform(
    all_platforms: Path, capsys: pytest.CaptureFixture[str], mastodon_server
) -> None:
    code, first = run_json(capsys, "post", str(all_platforms), "--json", "--platform", "mastodon")
    main_post = first["posts"][0]  # type: ignore[index]
    main(["delete", str(main_post["id"])])
    assert "deleted post" in capsys.readouterr().out
    assert mastodon_server.status(main_post["remote_id"]).deleted
    code, history = run_json(capsys, "history", "--json")
    assert next(p for p in history if p["id"] == main_post["id"])["state"] == "deleted"  # type: ignore[union-attr]


def test_a_delete_the_platform_refuses_with_the_token_in_its_answer_prints_no_token(
    all_platforms: Path, capsys: pytest.CaptureFixture[str], mastodon_server
) -> None:
    code, first = run_json(capsys, "post", str(all_platforms), "--json", "--platform", "mastodon")
    main_post = first["posts"][0]  # type: ignore[index]
    token = mastodon_server.access_token
    mastodon_server.fail_next(422, only="DELETE /api/v1/statuses",
                              body={"error": f"Validation failed: token {token} may not delete this"})
    try:
        main(["delete", str(main_post["id"])])
        code = 0
    except SystemExit as exc:
        code = int(exc.code or 0)
    out, err = capsys.readouterr()
    assert code == 7
    assert token not in out + err
    assert err.startswith("error: ") and "***" in err
