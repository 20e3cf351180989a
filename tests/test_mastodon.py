"""The Mastodon adapter, talking through Mastodon.py to the local Mastodon server."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import requests
from PIL import Image as PILImage
from pydantic import SecretStr

from bot.config import Settings
from bot.errors import PlatformError
from bot.models import Image, Part, PublishResult
from bot.platforms.mastodon import STATE_MAX_CHARACTERS, MastodonPlatform, comparable, html_to_text

try:
    from servers.crash import kill_after_send
    from servers.mastodon_server import MastodonServer, render_content, status_length
except ImportError:  # tests/ is a package
    from tests.servers.crash import kill_after_send  # type: ignore[no-redef]
    from tests.servers.mastodon_server import MastodonServer, render_content, status_length  # type: ignore[no-redef]

pytestmark = pytest.mark.servers


def part(text: str, *images: Image) -> Part:
    return Part(text=text, length=len(text), limit=500, images=images)


def key(n: int = 1) -> dict[str, str]:
    return {"idempotency_key": f"article-1:mastodon:acct:{n}"}


@pytest.fixture
def masto(mastodon_settings: Settings, memory_state) -> MastodonPlatform:  # type: ignore[no-untyped-def]
    return MastodonPlatform(mastodon_settings, memory_state)


@pytest.fixture
def png(tmp_path: Path) -> Path:
    path = tmp_path / "photo.png"
    PILImage.new("RGB", (64, 48), (30, 30, 200)).save(path)
    return path


# --- publishing ---------------------------------------------------------------------------------------
def test_a_status_is_posted_with_its_idempotency_key(masto: MastodonPlatform, mastodon_server: MastodonServer) -> None:
    result = masto.publish(part("Belarus and Russia sign a new treaty"), prepared=key())

    [status] = mastodon_server.live_statuses
    assert status.text == "Belarus and Russia sign a new treaty"
    assert status.idempotency_key == "article-1:mastodon:acct:1"
    assert result.remote_id == status.id
    assert result.url == f"{mastodon_server.url}/@newsdesk/{status.id}"


def test_the_language_is_sent_when_prepared(masto: MastodonPlatform, mastodon_server: MastodonServer) -> None:
    masto.publish(part("Доброго ранку"), prepared={**key(), "language": "uk"})

    assert [s.language for s in mastodon_server.live_statuses] == ["uk"]
    [request] = [r for r in mastodon_server.requests if r.path == "/api/v1/statuses"]
    assert request.form()["language"] == ["uk"]


def test_the_same_key_twice_makes_one_status(masto: MastodonPlatform, mastodon_server: MastodonServer) -> None:
    first = masto.publish(part("Exactly once"), prepared=key())
    second = masto.publish(part("Exactly once"), prepared=key())

    assert first == second
    assert len(mastodon_server.live_statuses) == 1


def test_a_post_without_a_key_is_refused_before_sending(
    masto: MastodonPlatform, mastodon_server: MastodonServer
) -> None:
    with pytest.raises(PlatformError):
        masto.publish(part("No key"), prepared={})

    assert mastodon_server.statuses == []


def test_a_thread_replies_to_the_previous_part(masto: MastodonPlatform, mastodon_server: MastodonServer) -> None:
    first = masto.publish(part("1/3 The headline"), prepared=key(1))
    second = masto.publish(part("2/3 A quote"), prepared=key(2), reply_to=first, root=first)
    third = masto.publish(part("3/3 Another"), prepared=key(3), reply_to=second, root=first)

    assert mastodon_server.status(first.remote_id).in_reply_to_id is None
    assert mastodon_server.status(second.remote_id).in_reply_to_id == first.remote_id
    assert mastodon_server.status(third.remote_id).in_reply_to_id == second.remote_id


def test_images_are_uploaded_with_their_alt_text(
    masto: MastodonPlatform, mastodon_server: MastodonServer, png: Path
) -> None:
    result = masto.publish(part("With a picture", Image(str(png), "A blue square")), prepared=key())

    status = mastodon_server.status(result.remote_id)
    [media] = [mastodon_server.media[m] for m in status.media_ids]
    assert media.description == "A blue square"
    assert media.data == png.read_bytes() and media.content_type == "image/png"
    assert any(r.path == "/api/v2/media" for r in mastodon_server.requests)


# --- reconciliation -------------------------------------------------------------------------------------------
def test_reconcile_returns_the_status_whose_answer_was_lost(
    masto: MastodonPlatform, mastodon_server: MastodonServer
) -> None:
    prepared = masto.prepare("article-1:mastodon:acct:0")
    mastodon_server.reset_next(after_processing=True, only="POST /api/v1/statuses")
    with pytest.raises(PlatformError) as caught:
        masto.publish(part("Lost in transit"), prepared=prepared)
    assert caught.value.retryable

    found = masto.reconcile(part("Lost in transit"), prepared=prepared)

    [status] = mastodon_server.live_statuses
    assert found is not None and found.remote_id == status.id
    # within the hour the Idempotency-Key alone settles it: no timeline search
    assert not any(r.path.endswith("/statuses") and r.method == "GET" for r in mastodon_server.requests)


def test_reconcile_posts_a_status_that_never_arrived(masto: MastodonPlatform, mastodon_server: MastodonServer) -> None:
    prepared = masto.prepare("article-1:mastodon:acct:0")
    mastodon_server.reset_next(after_processing=False, only="POST /api/v1/statuses")
    with pytest.raises(PlatformError):
        masto.publish(part("Never arrived"), prepared=prepared)
    assert mastodon_server.statuses == []

    found = masto.reconcile(part("Never arrived"), prepared=prepared)

    [status] = mastodon_server.live_statuses
    assert found is not None and found.remote_id == status.id


def test_find_looks_for_a_status_whose_answer_was_lost_and_never_posts(
    masto: MastodonPlatform, mastodon_server: MastodonServer
) -> None:
    # Before housekeeping expires a stale post that was tried, it asks: is it there? Asking must not send.
    landed, lost = masto.prepare("a:mastodon:acct:0"), masto.prepare("b:mastodon:acct:0")
    mastodon_server.reset_next(after_processing=True, only="POST /api/v1/statuses")
    with pytest.raises(PlatformError):
        masto.publish(part("Landed, answer lost"), prepared=landed)
    mastodon_server.reset_next(after_processing=False, only="POST /api/v1/statuses")
    with pytest.raises(PlatformError):
        masto.publish(part("Never arrived"), prepared=lost)
    posts_before = sum(r.method == "POST" for r in mastodon_server.requests)

    found = masto.find(part("Landed, answer lost"), prepared=landed)
    missing = masto.find(part("Never arrived"), prepared=lost)

    [status] = mastodon_server.live_statuses
    assert found is not None and found.remote_id == status.id
    assert missing is None
    assert sum(r.method == "POST" for r in mastodon_server.requests) == posts_before


def two_hours_later(masto: MastodonPlatform, server: MastodonServer) -> None:
    later = datetime.now(UTC) + timedelta(hours=2)
    masto.clock = lambda: later
    server.advance(2 * 3600)


def test_reconcile_after_the_key_expired_finds_the_status_instead_of_posting_again(
    masto: MastodonPlatform, mastodon_server: MastodonServer
) -> None:
    prepared = masto.prepare("article-1:mastodon:acct:0")
    mastodon_server.reset_next(after_processing=True, only="POST /api/v1/statuses")
    with pytest.raises(PlatformError):
        masto.publish(
            part("Sent before the crash\n\nhttps://example.com/news/2026/11/25/a-long-story #News"), prepared=prepared
        )
    two_hours_later(masto, mastodon_server)

    found = masto.reconcile(
        part("Sent before the crash\n\nhttps://example.com/news/2026/11/25/a-long-story #News"), prepared=prepared
    )

    [status] = mastodon_server.live_statuses
    assert found is not None and found.remote_id == status.id
    assert sum(1 for r in mastodon_server.requests if r.method == "POST" and r.path == "/api/v1/statuses") == 1


def test_reconcile_after_the_key_expired_posts_what_never_arrived(
    masto: MastodonPlatform, mastodon_server: MastodonServer
) -> None:
    prepared = masto.prepare("article-1:mastodon:acct:0")
    mastodon_server.reset_next(after_processing=False, only="POST /api/v1/statuses")
    with pytest.raises(PlatformError):
        masto.publish(part("Never arrived"), prepared=prepared)
    two_hours_later(masto, mastodon_server)

    found = masto.reconcile(part("Never arrived"), prepared=prepared)

    [status] = mastodon_server.live_statuses
    assert found is not None and found.remote_id == status.id


def test_reconcile_after_the_key_expired_matches_the_reply_parent_too(
    masto: MastodonPlatform, mastodon_server: MastodonServer
) -> None:
    first_root = masto.publish(part("Root one"), prepared=key(1))
    masto.publish(part("Same quote"), prepared=key(2), reply_to=first_root)  # an older thread, same text
    second_root = masto.publish(part("Root two"), prepared=key(3))
    prepared = masto.prepare("article-2:mastodon:acct:1")
    mastodon_server.reset_next(after_processing=False, only="POST /api/v1/statuses")
    with pytest.raises(PlatformError):
        masto.publish(part("Same quote"), prepared=prepared, reply_to=second_root)
    two_hours_later(masto, mastodon_server)

    found = masto.reconcile(part("Same quote"), prepared=prepared, reply_to=second_root)

    assert found is not None
    assert mastodon_server.status(found.remote_id).in_reply_to_id == second_root.remote_id
    assert len(mastodon_server.live_statuses) == 4


def test_a_retry_after_the_key_expired_finds_the_status_instead_of_posting_again(
    masto: MastodonPlatform, mastodon_server: MastodonServer
) -> None:
    # A send that timed out after Mastodon made the status is retried by the outbox with the same prepared
    # state (backoff up to an hour, a reset time, or `newsbot retry` days later): past the key's hour, the
    # plain resend must look for the status first, as reconcile does.
    prepared = masto.prepare("article-1:mastodon:acct:0")
    mastodon_server.reset_next(after_processing=True, only="POST /api/v1/statuses")
    with pytest.raises(PlatformError) as caught:
        masto.publish(part("Timed out but made"), prepared=prepared)
    assert caught.value.retryable
    two_hours_later(masto, mastodon_server)

    again = masto.publish(part("Timed out but made"), prepared=prepared)

    [status] = mastodon_server.live_statuses
    assert again.remote_id == status.id


def test_a_retry_after_the_key_expired_is_not_taken_for_an_older_post_with_another_link(
    masto: MastodonPlatform, mastodon_server: MastodonServer
) -> None:
    # A recurring headline ("Morning briefing") differs from yesterday's post only by its link. Taking
    # yesterday's status for today's would record today's post as sent and never post it.
    masto.publish(part("Morning briefing\n\nhttps://news.example/2026/11/24/briefing"), prepared=key(1))
    prepared = masto.prepare("article-2:mastodon:acct:0")
    mastodon_server.reset_next(after_processing=False, only="POST /api/v1/statuses")
    today = part("Morning briefing\n\nhttps://news.example/2026/11/25/briefing")
    with pytest.raises(PlatformError):
        masto.publish(today, prepared=prepared)
    two_hours_later(masto, mastodon_server)

    assert masto.find(today, prepared=prepared) is None
    sent = masto.publish(today, prepared=prepared)

    assert [s.text for s in mastodon_server.live_statuses] == [
        "Morning briefing\n\nhttps://news.example/2026/11/24/briefing",
        "Morning briefing\n\nhttps://news.example/2026/11/25/briefing",
    ]
    assert sent.remote_id == mastodon_server.live_statuses[1].id


@pytest.mark.parametrize(
    "text",
    [
        "plain words",
        "Fish & chips <3 > 2",
        "line one\nline two\n\nnew paragraph",
        "read https://example.com/a/very/long/path/that/keeps/going?x=1&y=2 now",
        "#Breaking: news #Україна",
        "cc @editor@example.social",
    ],
)
def test_status_html_reads_back_as_the_text_that_was_sent(text: str) -> None:
    assert comparable(html_to_text(render_content(text, "https://m.example"))) == comparable(text)


def test_server_forgets_idempotency_keys_after_an_hour(
    masto: MastodonPlatform, mastodon_server: MastodonServer
) -> None:
    first = masto.publish(part("Hourly"), prepared=key())
    mastodon_server.advance(3601)

    second = masto.publish(part("Hourly"), prepared=key())

    assert first.remote_id != second.remote_id  # the documented limit of Mastodon's idempotency


# --- the instance's limit -------------------------------------------------------------------------------------
def test_character_limit_is_read_once_and_cached(
    masto: MastodonPlatform, mastodon_server: MastodonServer, memory_state
) -> None:  # type: ignore[no-untyped-def]
    mastodon_server.max_characters = 1000

    assert masto.character_limit() == 1000
    mastodon_server.max_characters = 500
    assert masto.character_limit() == 1000

    assert memory_state.data[STATE_MAX_CHARACTERS] == "1000"
    assert sum(1 for r in mastodon_server.requests if "instance" in r.path) == 1


def test_character_limit_refresh_asks_the_instance_again(
    masto: MastodonPlatform, mastodon_server: MastodonServer, memory_state
) -> None:  # type: ignore[no-untyped-def]
    mastodon_server.max_characters = 1000
    assert masto.character_limit() == 1000
    mastodon_server.max_characters = 600  # the admin changed it

    assert masto.character_limit(refresh=True) == 600
    assert memory_state.data[STATE_MAX_CHARACTERS] == "600"


def test_the_daemon_learns_the_instance_limit_at_start_and_composing_uses_it(
    mastodon_settings: Settings, mastodon_server: MastodonServer, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    from bot.daemon import Daemon
    from bot.pipeline import platform_limits
    from bot.store import open_store

    settings = mastodon_settings.model_copy(update={"db_url": f"sqlite:///{tmp_path / 'newsbot.db'}",
                                                    "platforms": ["mastodon"]})
    store = open_store(settings.db_url)
    try:
        mastodon_server.max_characters = 1000
        Daemon(settings, store, feed_poller=None).learn_limits()
        assert platform_limits(settings, store, ["mastodon"]) == {"mastodon": 1000}

        # Next start, the instance cannot be reached: the limit learnt before stays, and the log says why.
        gone = settings.model_copy(update={"mastodon_api_base_url": "http://127.0.0.1:9"})
        with caplog.at_level("WARNING"):
            Daemon(gone, store, feed_poller=None).learn_limits()
        assert platform_limits(settings, store, ["mastodon"]) == {"mastodon": 1000}
        assert any("could not read its character limit" in r.getMessage() for r in caplog.records)

        # A `--once` pass (every minute from a timer) asks only when nothing is kept: no request at all here.
        mastodon_server.max_characters = 700
        asked = sum(1 for r in mastodon_server.requests if "instance" in r.path)
        Daemon(settings, store, feed_poller=None).learn_limits(refresh=False)
        assert sum(1 for r in mastodon_server.requests if "instance" in r.path) == asked
        assert platform_limits(settings, store, ["mastodon"]) == {"mastodon": 1000}
    finally:
        store.close()


def test_a_status_over_the_instance_limit_is_a_permanent_error(
    masto: MastodonPlatform, mastodon_server: MastodonServer
) -> None:
    mastodon_server.max_characters = 100
    with pytest.raises(PlatformError) as caught:
        masto.publish(part("x" * 101), prepared=key())

    assert caught.value.status == 422 and not caught.value.retryable
    assert "character limit of 100" in caught.value.message


def test_server_counts_links_as_23_and_remote_mentions_as_local() -> None:
    assert status_length("see https://example.com/" + "a" * 100) == len("see ") + 23
    assert status_length("hi @alice@example.social") == len("hi @alice")
    assert status_length("🇺🇦 ok") == 4  # graphemes


# --- error mapping ---------------------------------------------------------------------------------------------
def test_a_wrong_token_is_401_naming_mastodon_access_token(
    mastodon_settings: Settings, memory_state, mastodon_server: MastodonServer
) -> None:  # type: ignore[no-untyped-def]
    settings = mastodon_settings.model_copy(update={"mastodon_access_token": SecretStr("revoked-token")})
    with pytest.raises(PlatformError) as caught:
        MastodonPlatform(settings, memory_state).publish(part("Hello"), prepared=key())

    error = caught.value
    assert error.status == 401 and not error.retryable
    assert "MASTODON_ACCESS_TOKEN" in error.message and "revoked-token" not in error.message
    assert mastodon_server.statuses == []


def test_429_is_retryable_with_the_reset_time(masto: MastodonPlatform, mastodon_server: MastodonServer) -> None:
    mastodon_server.fail_next(
        429,
        body={"error": "Too many requests"},
        headers={
            "X-RateLimit-Limit": "300",
            "X-RateLimit-Remaining": "0",
            "X-RateLimit-Reset": "2030-01-01T00:00:00.000Z",
        },
    )
    with pytest.raises(PlatformError) as caught:
        masto.publish(part("Too fast"), prepared=key())

    error = caught.value
    assert error.retryable and error.status == 429
    assert error.reset_at is not None
    # Mastodon.py shifts the reset by the server/client clock difference (same machine: tiny)
    assert abs((error.reset_at - datetime(2030, 1, 1, tzinfo=UTC)).total_seconds()) < 60


def test_the_servers_rate_limit_fault_is_mapped(masto: MastodonPlatform, mastodon_server: MastodonServer) -> None:
    mastodon_server.rate_limit_next(reset_in=300)
    with pytest.raises(PlatformError) as caught:
        masto.publish(part("Too fast"), prepared=key())

    assert caught.value.retryable and caught.value.reset_at is not None
    assert caught.value.reset_at > datetime.now(UTC)


@pytest.mark.parametrize("status", [500, 502, 503, 504])
def test_server_errors_are_retryable(masto: MastodonPlatform, mastodon_server: MastodonServer, status: int) -> None:
    mastodon_server.server_error_next(status)
    with pytest.raises(PlatformError) as caught:
        masto.publish(part("Server trouble"), prepared=key())

    assert caught.value.retryable and caught.value.status == status


def test_a_timeout_is_retryable(mastodon_settings: Settings, memory_state, mastodon_server: MastodonServer) -> None:  # type: ignore[no-untyped-def]
    masto = MastodonPlatform(mastodon_settings.model_copy(update={"http_timeout_seconds": 0.3}), memory_state)
    mastodon_server.slow_next(1.0, after_processing=False)
    with pytest.raises(PlatformError) as caught:
        masto.publish(part("Slow"), prepared=key())

    assert caught.value.retryable and "in time" in caught.value.message


def test_a_connection_reset_is_retryable(masto: MastodonPlatform, mastodon_server: MastodonServer) -> None:
    mastodon_server.reset_next()
    with pytest.raises(PlatformError) as caught:
        masto.publish(part("Reset"), prepared=key())

    assert caught.value.retryable


def test_a_reply_to_a_missing_status_is_a_permanent_404(
    masto: MastodonPlatform, mastodon_server: MastodonServer
) -> None:
    gone = PublishResult(remote_id="113000000000009999")
    with pytest.raises(PlatformError) as caught:
        masto.publish(part("Into the void"), prepared=key(), reply_to=gone, root=gone)

    assert caught.value.status == 404 and not caught.value.retryable


def test_a_403_names_the_scopes(masto: MastodonPlatform, mastodon_server: MastodonServer) -> None:
    mastodon_server.fail_next(403, body={"error": "This action is outside the authorized scopes"})
    with pytest.raises(PlatformError) as caught:
        masto.publish(part("Scopes"), prepared=key())

    assert caught.value.status == 403 and not caught.value.retryable
    assert "may lack the write:statuses scope" in caught.value.message
    assert "outside the authorized scopes" in caught.value.message


def test_a_403_while_reading_names_the_read_scope_not_the_write_ones(
    masto: MastodonPlatform, mastodon_server: MastodonServer
) -> None:
    # A token made with only write:statuses and write:media can post, but not look a status up (a retry past
    # the key's hour, housekeeping before expiry) nor check the account: the fix is the read scope.
    mastodon_server.fail_next(403, body={"error": "This action is outside the authorized scopes"},
                              only="GET /api/v1/accounts/verify_credentials")
    with pytest.raises(PlatformError) as caught:
        masto.find(part("Was it sent?"), prepared=key())

    assert caught.value.status == 403 and not caught.value.retryable
    assert "may lack the read scope" in caught.value.message


# --- delete and check -----------------------------------------------------------------------------------------------
def test_delete_removes_the_status_and_tolerates_a_second_delete(
    masto: MastodonPlatform, mastodon_server: MastodonServer
) -> None:
    result = masto.publish(part("Delete me"), prepared=key())

    masto.delete(result)
    masto.delete(result)

    assert mastodon_server.live_statuses == []


def test_check_names_the_account(masto: MastodonPlatform, mastodon_server: MastodonServer) -> None:
    assert masto.check() == f"@newsdesk@127.0.0.1:{mastodon_server.port}"
    assert mastodon_server.statuses == []


def test_check_refuses_a_token_that_cannot_read_the_accounts_statuses(
    masto: MastodonPlatform, mastodon_server: MastodonServer
) -> None:
    # Such a token posts fine until a send is interrupted: then no look-up can tell whether it went out.
    # `newsbot doctor` says so before that day.
    mastodon_server.fail_next(403, body={"error": "This action is outside the authorized scopes"},
                              only=f"GET /api/v1/accounts/{mastodon_server.account_id}/statuses")
    with pytest.raises(PlatformError) as caught:
        masto.check()

    assert caught.value.status == 403 and "may lack the read scope" in caught.value.message
    assert mastodon_server.statuses == []


# --- the server itself ------------------------------------------------------------------------------
def test_server_requires_a_bearer_token_but_not_for_instance_info(mastodon_server: MastodonServer) -> None:
    assert requests.post(f"{mastodon_server.url}/api/v1/statuses", data={"status": "hi"}, timeout=5).status_code == 401
    instance = requests.get(f"{mastodon_server.url}/api/v2/instance", timeout=5).json()
    assert instance["configuration"]["statuses"]["max_characters"] == 500
    assert instance["version"].startswith("4.")


def test_a_publisher_killed_after_sending_is_reconciled_to_one_status(
    masto: MastodonPlatform, mastodon_server: MastodonServer, mastodon_env
) -> None:  # type: ignore[no-untyped-def]
    prepared = key(7)
    kill_after_send(
        "mastodon",
        "Killed mid-flight",
        prepared["idempotency_key"],
        mastodon_env,
        mastodon_server,
        lambda: len(mastodon_server.live_statuses) == 1,
    )

    found = masto.reconcile(part("Killed mid-flight"), prepared=prepared)

    [status] = mastodon_server.live_statuses
    assert found is not None and found.remote_id == status.id
