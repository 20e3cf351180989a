"""The X adapter, talking through tweepy to the local X server that checks every request against X's
OpenAPI document (tests/servers/x-openapi-subset.json)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import requests
from PIL import Image as PILImage

from bot.config import Settings
from bot.errors import DuplicateContentError, PlatformError
from bot.models import Image, Part, PublishResult
from bot.platforms.x import XPlatform, reset_at_from_headers

try:
    from servers.crash import kill_after_send
    from servers.x_openapi_subset import SUBSET_PATH, dump, extract_subset
    from servers.x_server import DUPLICATE_MESSAGE, XServer, displayed_text
except ImportError:  # tests/ is a package
    from tests.servers.crash import kill_after_send  # type: ignore[no-redef]
    from tests.servers.x_openapi_subset import SUBSET_PATH, dump, extract_subset  # type: ignore[no-redef]
    from tests.servers.x_server import DUPLICATE_MESSAGE, XServer, displayed_text  # type: ignore[no-redef]

pytestmark = pytest.mark.servers

OFFICIAL_SPEC = Path(__file__).resolve().parents[2] / "shared" / "specs" / "x-api-v2-openapi.json"


def part(text: str, *images: Image) -> Part:
    return Part(text=text, length=len(text), limit=280, images=images)


@pytest.fixture
def x(x_settings: Settings, memory_state) -> XPlatform:  # type: ignore[no-untyped-def]
    return XPlatform(x_settings, memory_state)


@pytest.fixture
def png(tmp_path: Path) -> Path:
    path = tmp_path / "photo.png"
    PILImage.new("RGB", (64, 48), (200, 30, 30)).save(path)
    return path


# --- publishing ---------------------------------------------------------------------------------------
def test_a_post_lands_on_x_with_its_text_and_a_link(x: XPlatform, x_server: XServer) -> None:
    result = x.publish(part("Belarus and Russia sign a new treaty https://example.com/a"), prepared={})

    [post] = x_server.live_posts
    assert post.text == "Belarus and Russia sign a new treaty https://example.com/a"
    assert result.remote_id == post.id
    assert result.url == f"https://x.com/i/web/status/{post.id}"
    assert post.auth == "oauth1"  # the server verified the OAuth 1.0a signature over its own URL


def test_an_oauth2_user_token_posts_too(x_bearer_settings: Settings, memory_state, x_server: XServer) -> None:  # type: ignore[no-untyped-def]
    result = XPlatform(x_bearer_settings, memory_state).publish(
        part("Posted with an OAuth 2.0 user token"), prepared={}
    )

    assert [(p.id, p.auth) for p in x_server.live_posts] == [(result.remote_id, "oauth2-user")]


def test_a_thread_replies_to_the_previous_part(x: XPlatform, x_server: XServer) -> None:
    first = x.publish(part("1/3 The headline"), prepared={})
    second = x.publish(part("2/3 A quote"), prepared={}, reply_to=first, root=first)
    third = x.publish(part("3/3 Another quote"), prepared={}, reply_to=second, root=first)

    posts = {p.id: p for p in x_server.live_posts}
    assert posts[first.remote_id].in_reply_to_tweet_id is None
    assert posts[second.remote_id].in_reply_to_tweet_id == first.remote_id
    assert posts[third.remote_id].in_reply_to_tweet_id == second.remote_id
    assert {p.conversation_id for p in posts.values()} == {first.remote_id}


def test_images_are_uploaded_with_their_alt_text(x: XPlatform, x_server: XServer, png: Path) -> None:
    result = x.publish(
        part("With pictures", Image(str(png), "A red square"), Image(str(png), "The same red square")),
        prepared={},
    )

    post = x_server.post(result.remote_id)
    assert len(post.media_ids) == 2
    media = [x_server.media[m] for m in post.media_ids]
    assert [m.alt_text for m in media] == ["A red square", "The same red square"]
    assert all(m.category == "tweet_image" and m.data == png.read_bytes() for m in media)
    uploads = [r for r in x_server.requests if r.path == "/2/media/upload"]
    assert uploads and all(r.headers["authorization"].startswith("OAuth ") for r in uploads)


def test_a_missing_image_is_a_permanent_error_and_nothing_is_posted(
    x: XPlatform, x_server: XServer, tmp_path: Path
) -> None:
    with pytest.raises(PlatformError) as caught:
        x.publish(part("Picture missing", Image(str(tmp_path / "nope.jpg"), "alt")), prepared={})

    assert not caught.value.retryable
    assert "nope.jpg" in caught.value.message
    assert x_server.live_posts == []


def test_the_same_text_twice_is_refused_as_duplicate_content(x: XPlatform, x_server: XServer) -> None:
    x.publish(part("Only once, please"), prepared={})

    with pytest.raises(DuplicateContentError) as caught:
        x.publish(part("Only once, please"), prepared={})

    assert caught.value.status == 403 and not caught.value.retryable
    assert DUPLICATE_MESSAGE in caught.value.message
    assert len(x_server.live_posts) == 1


# --- reconciliation ---------------------------------------------------------------------------------------
def test_reconcile_finds_a_post_whose_answer_was_lost(x: XPlatform, x_server: XServer) -> None:
    x_server.reset_next(after_processing=True, only="POST /2/tweets")  # posted, then the connection dropped
    with pytest.raises(PlatformError) as caught:
        x.publish(part("Lost in transit"), prepared={})
    assert caught.value.retryable

    found = x.reconcile(part("Lost in transit"), prepared={})

    [post] = x_server.live_posts
    assert found is not None and found.remote_id == post.id
    assert found.url == f"https://x.com/i/web/status/{post.id}"


def test_reconcile_after_a_timeout_that_still_posted(x_settings: Settings, memory_state, x_server: XServer) -> None:  # type: ignore[no-untyped-def]
    x = XPlatform(x_settings.model_copy(update={"http_timeout_seconds": 0.3}), memory_state)
    x_server.slow_next(1.0, after_processing=True, only="POST /2/tweets")
    with pytest.raises(PlatformError) as caught:
        x.publish(part("Slow but sent"), prepared={})
    assert caught.value.retryable and "in time" in caught.value.message

    found = x.reconcile(part("Slow but sent"), prepared={})

    assert found is not None and [p.id for p in x_server.live_posts] == [found.remote_id]


def test_reconcile_publishes_a_post_that_never_arrived(x: XPlatform, x_server: XServer) -> None:
    x_server.reset_next(after_processing=False, only="POST /2/tweets")
    with pytest.raises(PlatformError):
        x.publish(part("Never arrived"), prepared={})
    assert x_server.live_posts == []

    found = x.reconcile(part("Never arrived"), prepared={})

    [post] = x_server.live_posts
    assert found is not None and found.remote_id == post.id and post.text == "Never arrived"


def test_find_looks_for_a_post_whose_answer_was_lost_and_never_posts(x: XPlatform, x_server: XServer) -> None:
    x_server.reset_next(after_processing=True, only="POST /2/tweets")
    with pytest.raises(PlatformError):
        x.publish(part("Landed, answer lost"), prepared={})
    [post] = x_server.live_posts

    found = x.find(part("Landed, answer lost"), prepared={})
    missing = x.find(part("Never sent"), prepared={})
    as_reply = x.find(part("Landed, answer lost"), prepared={}, reply_to=PublishResult(remote_id=post.id))

    assert found is not None and found.remote_id == post.id
    assert missing is None and as_reply is None  # the same text elsewhere in a thread is another post
    assert [p.id for p in x_server.live_posts] == [post.id]


def test_find_takes_no_older_post_that_differs_only_by_its_link_for_the_one_tried(
    x: XPlatform, x_server: XServer
) -> None:
    # X wraps every link as t.co, so text comparison cannot see links. A recurring headline ("Morning
    # briefing") posted yesterday must not be taken for today's post that never arrived: housekeeping would
    # record today's as sent, and its thread replies would go under yesterday's post.
    x.publish(part("Morning briefing https://news.example/2026/11/24/briefing"), prepared={})
    [yesterdays] = x_server.live_posts
    x.clock = lambda: datetime.now(UTC) + timedelta(days=1)
    today = part("Morning briefing https://news.example/2026/11/25/briefing")
    prepared = x.prepare("article-2:x::0")
    x_server.reset_next(after_processing=False, only="POST /2/tweets")
    with pytest.raises(PlatformError):
        x.publish(today, prepared=prepared)

    assert x.find(today, prepared=prepared) is None
    assert [p.id for p in x_server.live_posts] == [yesterdays.id]


def test_find_still_finds_the_post_tried_under_what_was_prepared(x: XPlatform, x_server: XServer) -> None:
    prepared = x.prepare("article-1:x::0")
    x_server.reset_next(after_processing=True, only="POST /2/tweets")
    with pytest.raises(PlatformError):
        x.publish(part("Landed, answer lost"), prepared=prepared)
    [post] = x_server.live_posts

    found = x.find(part("Landed, answer lost"), prepared=prepared)

    assert found is not None and found.remote_id == post.id


def test_a_late_retry_finds_the_post_an_earlier_attempt_made_and_sends_nothing(
    x: XPlatform, x_server: XServer
) -> None:
    # The first attempt timed out after X took the post; the retry comes after a long outage, when X may no
    # longer refuse the identical text as a duplicate. Looking first is what keeps it one post.
    prepared = x.prepare("article-1:x::0")
    x_server.reset_next(after_processing=True, only="POST /2/tweets")
    with pytest.raises(PlatformError):
        x.publish(part("Landed before the outage"), prepared=prepared)
    x_server.refuse_duplicates = False
    later = datetime.now(UTC) + timedelta(hours=3)
    x.clock = lambda: later

    found = x.publish(part("Landed before the outage"), prepared=prepared)

    [post] = x_server.live_posts
    assert found.remote_id == post.id


def test_a_first_attempt_sends_without_looking_and_a_retry_that_cannot_look_still_sends(
    x: XPlatform, x_server: XServer
) -> None:
    x.publish(part("Fresh news"), prepared=x.prepare("article-2:x::0"))
    assert not any(r.method == "GET" and r.path.endswith("/tweets") for r in x_server.requests)

    stale = {"idempotency_key": "article-3:x::0", "prepared_at": (datetime.now(UTC) - timedelta(hours=2)).isoformat()}
    x_server.fail_next(403, only="GET /2/users/" + x_server.user_id + "/tweets")  # a tier without timeline reads
    sent = x.publish(part("Never arrived before"), prepared=stale)
    assert [p.id for p in x_server.live_posts][-1] == sent.remote_id
    assert any(r.method == "GET" and r.path.endswith("/tweets") for r in x_server.requests)  # it did try to look


def test_reconcile_matches_the_post_although_x_rewrites_its_text(x: XPlatform, x_server: XServer) -> None:
    text = "Fish & chips <3 https://example.com/fish?a=1&b=2"
    sent = x.publish(part(text), prepared={})
    assert displayed_text(text) == "Fish &amp; chips &lt;3 https://t.co/" + displayed_text(text)[-10:]

    found = x.reconcile(part(text), prepared={})

    assert found == PublishResult(remote_id=sent.remote_id, url=sent.url)


def test_reconcile_of_a_thread_reply_keeps_the_thread(x: XPlatform, x_server: XServer) -> None:
    root = x.publish(part("Root post"), prepared={})
    x_server.reset_next(after_processing=True, only="POST /2/tweets")
    with pytest.raises(PlatformError):
        x.publish(part("Reply post"), prepared={}, reply_to=root, root=root)

    found = x.reconcile(part("Reply post"), prepared={}, reply_to=root, root=root)

    assert found is not None
    assert x_server.post(found.remote_id).in_reply_to_tweet_id == root.remote_id
    assert len(x_server.live_posts) == 2


QUOTE = "\u201cWe will rebuild.\u201d \u2014 Mayor Anna Kovalenko"


def test_a_thread_reply_is_not_reconciled_to_the_same_text_in_another_thread(
    x: XPlatform, x_server: XServer
) -> None:
    first_root = x.publish(part("Flood hits the old town"), prepared={})
    first_quote = x.publish(part(QUOTE), prepared={}, reply_to=first_root, root=first_root)
    second_root = x.publish(part("Old town reopens a year after the flood"), prepared={})
    with pytest.raises(DuplicateContentError):  # X refuses the second thread's identical quote
        x.publish(part(QUOTE), prepared={}, reply_to=second_root, root=second_root)

    with pytest.raises(PlatformError) as caught:
        x.reconcile(part(QUOTE), prepared={}, reply_to=second_root, root=second_root)

    error = caught.value
    assert not error.retryable and error.status == 403
    assert "duplicate of another post" in error.message and first_quote.url in error.message
    assert "edit the template or the article" in error.message and "newsbot retry" in error.message
    assert [p.id for p in x_server.live_posts] == [first_root.remote_id, first_quote.remote_id, second_root.remote_id]


def test_the_publisher_records_neither_the_other_threads_post_nor_a_duplicate(
    x_settings: Settings, store, memory_state, x_server: XServer  # type: ignore[no-untyped-def]
) -> None:
    from bot.models import Article, Draft
    from bot.publish import Publisher

    now = datetime.now(UTC)
    publisher = Publisher(x_settings, store, platforms={"x": XPlatform(x_settings, memory_state)}, clock=lambda: now)
    for headline in ("Flood hits the old town", "Old town reopens a year after the flood"):
        article = Article(source=f"{headline}.txt", text=headline, title=headline)
        article_id = store.add_article(article)
        parts = (part(headline), part(QUOTE), part(f"More: {headline.lower()}"))
        publisher.outbox.enqueue(article_id, article.content_hash, [Draft("x", parts)], {"x": now})

    publisher.publish_due()
    publisher.publish_due()  # a second pass must not send the second thread's last part under the first

    rows = sorted(publisher.outbox.find(), key=lambda r: (r.article_id, r.thread_index))
    first_thread, second_thread = rows[:3], rows[3:]
    assert [r.state for r in first_thread] == ["sent", "sent", "sent"]
    assert [x_server.post(r.remote_id).text for r in first_thread if r.remote_id] == [r.text for r in first_thread]
    second_head, second_quote, second_tail = second_thread
    assert second_head.state == "sent"
    assert second_quote.state == "failed" and second_quote.remote_id is None  # not the first thread's quote
    assert second_quote.last_error is not None and "newsbot retry" in second_quote.last_error
    assert second_tail.state == "planned"  # nothing replied into the first thread in its name
    assert sorted(p.id for p in x_server.live_posts) == sorted(r.remote_id for r in rows if r.remote_id)
    assert len(x_server.live_posts) == 4  # no duplicate either


def test_a_lost_reply_is_still_found_under_its_own_parent(x: XPlatform, x_server: XServer) -> None:
    root = x.publish(part("Flood hits the old town"), prepared={})
    x_server.reset_next(after_processing=True, only="POST /2/tweets")  # the reply landed, its answer was lost
    with pytest.raises(PlatformError):
        x.publish(part(QUOTE), prepared={}, reply_to=root, root=root)
    x.publish(part("Something else, posted since"), prepared={})

    found = x.reconcile(part(QUOTE), prepared={}, reply_to=root, root=root)

    [reply] = [p for p in x_server.live_posts if p.text == QUOTE]
    assert found == PublishResult(remote_id=reply.id, url=f"https://x.com/i/web/status/{reply.id}")
    assert len(x_server.live_posts) == 3


def test_a_top_level_post_is_not_reconciled_to_an_old_reply_with_its_text(x: XPlatform, x_server: XServer) -> None:
    root = x.publish(part("Flood hits the old town"), prepared={})
    old_reply = x.publish(part(QUOTE), prepared={}, reply_to=root, root=root)

    with pytest.raises(PlatformError) as caught:
        x.reconcile(part(QUOTE), prepared={})

    assert not caught.value.retryable and "duplicate of another post" in caught.value.message
    assert "not a reply" in caught.value.message and old_reply.remote_id in caught.value.message
    assert [p.id for p in x_server.live_posts] == [root.remote_id, old_reply.remote_id]


def test_a_top_level_post_whose_answer_was_lost_is_found(x: XPlatform, x_server: XServer) -> None:
    root = x.publish(part("Flood hits the old town"), prepared={})
    x.publish(part("A reply"), prepared={}, reply_to=root, root=root)

    assert x.find_recent("Flood hits the old town") == root
    assert x.find_recent("A reply") is None  # a reply is not a top-level post
    assert x.find_recent("A reply", root.remote_id) is not None


# --- error mapping ------------------------------------------------------------------------------------------
def test_a_wrong_secret_is_401_naming_the_variables_to_fix(
    x_settings: Settings, memory_state, x_server: XServer
) -> None:  # type: ignore[no-untyped-def]
    from pydantic import SecretStr

    settings = x_settings.model_copy(update={"x_access_token_secret": SecretStr("not-the-secret")})
    with pytest.raises(PlatformError) as caught:
        XPlatform(settings, memory_state).publish(part("Hello"), prepared={})

    error = caught.value
    assert error.status == 401 and not error.retryable
    assert "X rejected the access token (401)" in error.message and "X_ACCESS_TOKEN" in error.message
    assert "not-the-secret" not in error.message
    assert x_server.live_posts == []


def test_a_wrong_bearer_token_names_x_bearer_token(x_server: XServer, memory_state) -> None:  # type: ignore[no-untyped-def]
    settings = Settings(_env_file=None, x_bearer_token="expired-token", x_api_base_url=x_server.url)  # type: ignore[call-arg]
    with pytest.raises(PlatformError) as caught:
        XPlatform(settings, memory_state).publish(part("Hello"), prepared={})

    assert caught.value.status == 401 and "X_BEARER_TOKEN" in caught.value.message
    assert "expired-token" not in caught.value.message


def test_a_reply_to_a_deleted_post_is_a_permanent_403(x: XPlatform, x_server: XServer) -> None:
    gone = PublishResult(remote_id="1234567890123456789")
    with pytest.raises(PlatformError) as caught:
        x.publish(part("Replying into the void"), prepared={}, reply_to=gone, root=gone)

    assert caught.value.status == 403 and not caught.value.retryable
    assert not isinstance(caught.value, DuplicateContentError)
    assert "deleted or not visible" in caught.value.message


def test_a_400_is_permanent_and_quotes_x(x: XPlatform, x_server: XServer) -> None:
    x_server.fail_next(
        400,
        body={
            "errors": [{"message": "Your media IDs are invalid."}],
            "title": "Invalid Request",
            "detail": "One or more parameters to your request was invalid.",
            "type": "https://api.x.com/2/problems/invalid-request",
        },
        only="POST /2/tweets",
    )
    with pytest.raises(PlatformError) as caught:
        x.publish(part("Bad request"), prepared={})

    assert caught.value.status == 400 and not caught.value.retryable
    assert "Your media IDs are invalid." in caught.value.message


def test_429_is_retryable_with_the_reset_time(x: XPlatform, x_server: XServer) -> None:
    x_server.fail_next(429, body={"title": "Too Many Requests"}, headers={"x-rate-limit-reset": "2000000000"})
    with pytest.raises(PlatformError) as caught:
        x.publish(part("Too fast"), prepared={})

    assert caught.value.retryable and caught.value.status == 429
    assert caught.value.reset_at == datetime.fromtimestamp(2_000_000_000, UTC)


def test_429_with_the_daily_cap_used_up_waits_for_the_24_hour_reset(x: XPlatform, x_server: XServer) -> None:
    x_server.fail_next(
        429,
        body={"title": "Too Many Requests"},
        headers={
            "x-rate-limit-reset": "2000000000",
            "x-user-limit-24hour-limit": "17",
            "x-user-limit-24hour-remaining": "0",
            "x-user-limit-24hour-reset": "2000050000",
        },
    )
    with pytest.raises(PlatformError) as caught:
        x.publish(part("Too many today"), prepared={})

    assert caught.value.retryable
    assert caught.value.reset_at == datetime.fromtimestamp(2_000_050_000, UTC)
    assert "24-hour" in caught.value.message


def test_the_servers_rate_limit_fault_carries_real_headers(x: XPlatform, x_server: XServer) -> None:
    x_server.rate_limit_next(reset_in=600, user_24h_remaining=0, user_24h_reset_in=7200)
    before = datetime.now(UTC).timestamp()
    with pytest.raises(PlatformError) as caught:
        x.publish(part("Rate limited"), prepared={})

    assert caught.value.reset_at is not None
    assert before + 7000 < caught.value.reset_at.timestamp() < before + 7400  # the 24-hour reset, not the window


def test_the_daily_post_cap_is_enforced_and_reported(x: XPlatform, x_server: XServer) -> None:
    x_server.user_24h_limit = 2
    x.publish(part("One"), prepared={})
    x.publish(part("Two"), prepared={})
    before = datetime.now(UTC).timestamp()

    with pytest.raises(PlatformError) as caught:
        x.publish(part("Three"), prepared={})

    assert caught.value.retryable and "24-hour" in caught.value.message
    assert caught.value.reset_at is not None and caught.value.reset_at.timestamp() > before + 86000
    assert [p.text for p in x_server.live_posts] == ["One", "Two"]


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        ({"x-rate-limit-reset": "1700000000"}, 1_700_000_000),
        (
            {
                "x-rate-limit-reset": "1700000000",
                "x-user-limit-24hour-remaining": "3",
                "x-user-limit-24hour-reset": "1700090000",
            },
            1_700_000_000,
        ),
        (
            {
                "x-rate-limit-reset": "1700000000",
                "x-app-limit-24hour-remaining": "0",
                "x-app-limit-24hour-reset": "1700090000",
            },
            1_700_090_000,
        ),
        ({"x-user-limit-24hour-remaining": "0", "x-user-limit-24hour-reset": "1700090000"}, 1_700_090_000),
        ({}, None),
        ({"x-rate-limit-reset": "soon"}, None),
    ],
)
def test_reset_time_from_headers(headers: dict[str, str], expected: int | None) -> None:
    got = reset_at_from_headers(requests.structures.CaseInsensitiveDict(headers))
    assert got == (datetime.fromtimestamp(expected, UTC) if expected else None)


@pytest.mark.parametrize("status", [500, 502, 503])
def test_server_errors_are_retryable(x: XPlatform, x_server: XServer, status: int) -> None:
    x_server.server_error_next(status)
    with pytest.raises(PlatformError) as caught:
        x.publish(part("Server trouble"), prepared={})

    assert caught.value.retryable and caught.value.status == status


def test_a_timeout_is_retryable(x_settings: Settings, memory_state, x_server: XServer) -> None:  # type: ignore[no-untyped-def]
    x = XPlatform(x_settings.model_copy(update={"http_timeout_seconds": 0.3}), memory_state)
    x_server.slow_next(1.0, after_processing=False)
    with pytest.raises(PlatformError) as caught:
        x.publish(part("Slow"), prepared={})

    assert caught.value.retryable and caught.value.status is None


def test_a_connection_reset_is_retryable(x: XPlatform, x_server: XServer) -> None:
    x_server.reset_next()
    with pytest.raises(PlatformError) as caught:
        x.publish(part("Reset"), prepared={})

    assert caught.value.retryable and "connection reset" in caught.value.message


def test_an_unreachable_server_is_retryable(memory_state) -> None:  # type: ignore[no-untyped-def]
    settings = Settings(_env_file=None, x_bearer_token="t", x_api_base_url="http://127.0.0.1:9", http_timeout_seconds=2)  # type: ignore[call-arg]
    with pytest.raises(PlatformError) as caught:
        XPlatform(settings, memory_state).publish(part("Nobody home"), prepared={})

    assert caught.value.retryable and "127.0.0.1:9" in caught.value.message


# --- delete and check -----------------------------------------------------------------------------------------
def test_delete_removes_the_post_and_tolerates_a_second_delete(x: XPlatform, x_server: XServer) -> None:
    result = x.publish(part("Delete me"), prepared={})

    x.delete(result)
    x.delete(result)

    assert x_server.live_posts == [] and x_server.post(result.remote_id).deleted


def test_a_delete_that_cannot_reach_x_promises_no_retry(x: XPlatform, x_server: XServer) -> None:
    # Nothing retries a `newsbot delete` (nor a `doctor` check): the message must not say something will.
    result = x.publish(part("Delete me later"), prepared={})
    x_server.reset_next(only="DELETE /2/tweets")
    with pytest.raises(PlatformError) as caught:
        x.delete(result)

    assert caught.value.retryable and "could not reach X" in caught.value.message
    assert "retried" not in caught.value.message


def test_check_names_the_account_and_remembers_its_id(x: XPlatform, x_server: XServer, memory_state) -> None:  # type: ignore[no-untyped-def]
    assert x.check() == "@newsdesk"
    assert json.loads(memory_state.data["x.user"])["id"] == x_server.user_id
    assert x_server.live_posts == []


def test_tokens_stay_out_of_debug_logs(x_bearer_settings: Settings, memory_state, x_server: XServer, caplog) -> None:  # type: ignore[no-untyped-def]
    import logging

    caplog.set_level(logging.DEBUG)
    XPlatform(x_bearer_settings, memory_state).publish(part("Quietly"), prepared={})

    assert x_server.credentials.user_bearer_token not in caplog.text


def test_importing_the_registry_does_not_import_tweepy() -> None:
    import subprocess
    import sys

    code = "import sys, bot.platforms; assert 'tweepy' not in sys.modules and 'mastodon' not in sys.modules"
    subprocess.run([sys.executable, "-c", code], check=True)


# --- the server itself: faithful to the OpenAPI document ---------------------------------------------------------
def _signed_session(x_server: XServer) -> requests.Session:
    from requests_oauthlib import OAuth1

    c = x_server.credentials
    session = requests.Session()
    session.auth = OAuth1(c.consumer_key, c.consumer_secret, c.access_token, c.access_token_secret)
    return session


def test_server_refuses_a_field_createpostsrequest_does_not_have(x_server: XServer) -> None:
    response = _signed_session(x_server).post(
        f"{x_server.url}/2/tweets", json={"text": "hi", "idempotency_key": "k"}, timeout=5
    )

    assert response.status_code == 400
    body = response.json()
    assert body["type"] == "https://api.x.com/2/problems/invalid-request"
    assert "idempotency_key" in body["errors"][0]["message"]
    assert x_server.live_posts == []


@pytest.mark.parametrize(
    ("method", "path", "payload", "status"),
    [
        ("POST", "/2/tweets", {"text": "hi", "reply": {"in_reply_to_tweet_id": "not-a-number"}}, 400),
        ("POST", "/2/tweets", {"text": "hi", "media": {"media_ids": []}}, 400),
        ("GET", "/2/users/me?tweet.fields=created_at", None, 400),
        ("GET", "/2/users/1000000000000000001/tweets?max_results=1000", None, 400),
        ("DELETE", "/2/tweets/abc", None, 400),
        ("POST", "/2/timeline", {"text": "hi"}, 404),
    ],
)
def test_server_validates_paths_parameters_and_bodies(
    x_server: XServer, method: str, path: str, payload, status: int
) -> None:  # type: ignore[no-untyped-def]
    response = _signed_session(x_server).request(method, x_server.url + path, json=payload, timeout=5)

    assert response.status_code == status, response.text


def test_server_returns_reply_references_for_the_documented_expansion(x_server: XServer) -> None:
    session = _signed_session(x_server)
    root = session.post(f"{x_server.url}/2/tweets", json={"text": "root"}, timeout=5).json()["data"]["id"]
    reply = session.post(
        f"{x_server.url}/2/tweets", json={"text": "reply", "reply": {"in_reply_to_tweet_id": root}}, timeout=5
    ).json()["data"]["id"]
    timeline = f"{x_server.url}/2/users/{x_server.user_id}/tweets"

    body = session.get(timeline, params={"expansions": "referenced_posts"}, timeout=5).json()
    plain = session.get(timeline, timeout=5).json()

    by_id = {p["id"]: p for p in body["data"]}
    assert by_id[reply]["referenced_posts"] == [{"type": "replied_to", "id": root}]
    assert "referenced_posts" not in by_id[root]  # X leaves the field out when a post references nothing
    assert [p["id"] for p in body["includes"]["posts"]] == [root]
    assert all("referenced_posts" not in p for p in plain["data"]) and "includes" not in plain


@pytest.mark.parametrize("query", ["tweet.fields=referenced_tweets", "post.fields=referenced_tweets"])
def test_server_refuses_fields_the_document_does_not_name(x_server: XServer, query: str) -> None:
    # The official document calls the parameter post.fields and offers references only as an expansion.
    url = f"{x_server.url}/2/users/{x_server.user_id}/tweets?{query}"

    assert _signed_session(x_server).get(url, timeout=5).status_code == 400


def test_server_requires_credentials(x_server: XServer) -> None:
    response = requests.post(f"{x_server.url}/2/tweets", json={"text": "hi"}, timeout=5)

    assert response.status_code == 401
    assert response.json()["title"] == "Unauthorized"


def test_server_refuses_a_signature_made_for_another_host(x_server: XServer) -> None:
    from requests_oauthlib import OAuth1

    c = x_server.credentials
    signer = OAuth1(c.consumer_key, c.consumer_secret, c.access_token, c.access_token_secret)
    prepared = requests.Request("POST", "https://api.twitter.com/2/tweets", json={"text": "hi"}, auth=signer).prepare()
    prepared.url = f"{x_server.url}/2/tweets"  # sent elsewhere after signing, as a naive URL rewrite would

    response = requests.Session().send(prepared, timeout=5)

    assert response.status_code == 401


def test_committed_subset_is_cut_from_the_official_document() -> None:
    if not OFFICIAL_SPEC.exists():
        pytest.skip(f"optional check: {OFFICIAL_SPEC} is not present")
    official = json.loads(OFFICIAL_SPEC.read_text(encoding="utf-8"))

    assert dump(extract_subset(official)) == SUBSET_PATH.read_text(encoding="utf-8")


# --- a publisher killed between send and record ---------------------------------------------------------------
def test_a_publisher_killed_after_sending_is_reconciled_to_one_post(x: XPlatform, x_server: XServer, x_env) -> None:  # type: ignore[no-untyped-def]
    text = "Killed mid-flight"
    kill_after_send("x", text, "k-1", x_env, x_server, lambda: len(x_server.live_posts) == 1)

    found = x.reconcile(part(text), prepared={"idempotency_key": "k-1"})

    [post] = x_server.live_posts
    assert found is not None and found.remote_id == post.id and post.text == text
