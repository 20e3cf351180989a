"""`newsbot feeds …` and `newsbot add URL` through typer's CliRunner, against the local HTTP server."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from bot.cli import app
from bot.errors import NotFoundError
from fixtures_http import LocalServer, http_server  # noqa: F401  (the fixture)

runner = CliRunner()


def run(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.stdout


def test_add_list_and_remove_a_feed(http_server: LocalServer) -> None:
    http_server.put_file("/rss.xml", "rss.xml")
    code, out = run("feeds", "add", http_server.url("/rss.xml"), "--name", "Gazette", "--priority", "breaking", "--backfill", "2")
    assert code == 0, out
    assert "subscribed" in out and "newest 2 entries" in out

    code, out = run("feeds", "list", "--json")
    (feed,) = json.loads(out)
    assert (feed["name"], feed["priority"], feed["status"]) == ("Gazette", "breaking", "new")

    code, out = run("feeds", "poll")
    assert code == 0 and "Gazette: ok — 2 new, 1 existing marked seen" in out

    code, out = run("feeds", "list", "--json")
    (feed,) = json.loads(out)
    assert feed["status"] == "ok" and feed["entries"] == {"article": 2, "seen": 1}

    code, out = run("feeds", "poll", "--all")
    assert "Gazette: not_modified — 0 new" in out

    code, out = run("feeds", "list")
    assert code == 0 and "Gazette" in out and "not modified" in out

    code, out = run("feeds", "remove", "1")
    assert code == 0 and "unsubscribed from Gazette" in out
    assert json.loads(run("feeds", "list", "--json")[1]) == []


def test_adding_the_same_feed_twice_is_refused(http_server: LocalServer) -> None:
    url = http_server.url("/rss.xml")
    assert run("feeds", "add", url)[0] == 0
    result = runner.invoke(app, ["feeds", "add", url.replace("http://", "HTTP://")])
    assert result.exit_code != 0 and "already subscribed" in str(result.exception)


def test_list_shows_errors_with_reasons(http_server: LocalServer) -> None:
    http_server.put_file("/", "homepage.html")
    run("feeds", "add", http_server.url("/"), "--name", "Home")
    code, out = run("feeds", "poll")
    assert code == 0 and "Home: not_a_feed" in out
    (feed,) = json.loads(run("feeds", "list", "--json")[1])
    assert feed["status"] == "not_a_feed" and feed["error_count"] == 1
    assert "HTML page" in feed["last_error"]


def test_gone_feed_is_listed_as_disabled_and_can_be_enabled(http_server: LocalServer) -> None:
    http_server.fail("/gone.xml", 410)
    run("feeds", "add", http_server.url("/gone.xml"))
    run("feeds", "poll")
    (feed,) = json.loads(run("feeds", "list", "--json")[1])
    assert (feed["status"], feed["last_status"], feed["disabled"]) == ("disabled", "gone", True)
    http_server.put_file("/gone.xml", "rss.xml")
    assert run("feeds", "enable", http_server.url("/gone.xml"))[0] == 0
    run("feeds", "poll")
    (feed,) = json.loads(run("feeds", "list", "--json")[1])
    assert feed["status"] == "ok"


def test_remove_unknown_feed() -> None:
    result = runner.invoke(app, ["feeds", "remove", "42"])
    assert result.exit_code != 0 and isinstance(result.exception, NotFoundError)


def test_add_url_ingests_one_page_and_knows_it_the_second_time(http_server: LocalServer) -> None:
    http_server.put_file("/pages/bakery.html", "bakery-prize.html")
    code, out = run("add", http_server.url("/pages/bakery.html?fbclid=1"), "--json")
    assert code == 0, out
    first = json.loads(out)
    assert first["title"] == "Bakery on Elm Street wins regional prize"
    assert first["url"] == http_server.url("/news/2024/bakery-prize")
    assert first["duplicate_of"] is None

    code, out = run("add", http_server.url("/pages/bakery.html"))
    assert code == 0 and f"duplicate of article {first['article_id']}" in out


def test_add_url_that_is_not_there() -> None:
    result = runner.invoke(app, ["add", "http://127.0.0.1:9/nothing"])
    assert result.exit_code != 0 and "cannot connect" in str(result.exception)


def test_add_something_that_is_not_a_url() -> None:
    result = runner.invoke(app, ["add", "just words"])
    assert result.exit_code != 0 and "not an absolute http(s) URL" in str(result.exception)


def test_updates_are_listed(http_server: LocalServer) -> None:
    from bot.feeds.parse import TEASER_MAX_WORDS

    words = " ".join(["word"] * (TEASER_MAX_WORDS + 5)) + "."

    def feed(title: str) -> str:
        return (f'<rss version="2.0"><channel><title>t</title><item><guid>1</guid><title>{title}</title>'
                f"<link>{http_server.base}/a</link><description>{words}</description></item></channel></rss>")

    assert run("feeds", "updates")[1].startswith("no article was updated")
    http_server.put("/f.xml", feed("First title"))
    run("feeds", "add", http_server.url("/f.xml"), "--backfill", "1")
    run("feeds", "poll")
    http_server.put("/f.xml", feed("Second title"))
    code, out = run("feeds", "poll", "--all")
    assert code == 0 and "1 updated" in out
    code, out = run("feeds", "updates")
    assert "'First title' → 'Second title'" in out and "nothing composed yet" in out
    (row,) = json.loads(run("feeds", "updates", "--json")[1])
    assert (row["article_id"], row["action"]) == (1, "none")


def test_an_interval_that_is_no_number_of_minutes_is_refused_and_nothing_is_subscribed(capsys) -> None:  # type: ignore[no-untyped-def]
    from testkit import run_cli

    for interval in ("nan", "inf", "-5", "0", "1e300"):
        code, _, err = run_cli(capsys, "feeds", "add", f"https://news.example/{interval}.xml", "--interval", interval)
        assert code == 2, (interval, err)
        assert "Traceback" not in err and "'--interval'" in err
    assert json.loads(run("feeds", "list", "--json")[1]) == []
