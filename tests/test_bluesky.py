"""The Bluesky adapter against the reference PDS (tests/pds), asserting on the records in the repo.

There is no AppView here, so nothing is checked through feeds or threads: every assertion reads the
record (com.atproto.repo.getRecord / listRecords) or the blob (com.atproto.sync.getBlob) back.
"""

from __future__ import annotations

import io
import random
import re
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
import time_machine
from PIL import Image as PILImage
from pydantic import SecretStr

from bot.config import Settings
from bot.errors import PlatformError
from bot.models import Facet, Image, LinkCard, Part, PublishResult
from bot.platforms.bluesky import BlueskyPlatform, encode_tid, next_tid

TID = re.compile(r"^[234567abcdefghij][234567abcdefghijklmnopqrstuvwxyz]{12}$")


class MemoryState:
    """The bot's key-value state, in memory, remembering every write."""

    def __init__(self) -> None:
        self.values: dict[str, str] = {}
        self.writes: list[str] = []

    def get(self, key: str) -> str | None:
        return self.values.get(key)

    def set(self, key: str, value: str) -> None:
        self.values[key] = value
        self.writes.append(key)


def part(text: str, **kwargs: Any) -> Part:
    return Part(text=text, length=len(text), limit=300, **kwargs)


def facet_for(text: str, needle: str, kind: Any, value: str) -> Facet:
    """The facet covering the first ``needle`` in ``text``, in UTF-8 bytes."""
    start = len(text[: text.index(needle)].encode("utf-8"))
    return Facet(start, start + len(needle.encode("utf-8")), kind, value)


def noisy_png(path: Path, size: tuple[int, int]) -> Path:
    """A PNG that does not compress: random pixels (2000×1500 is about 9 MB)."""
    rng = random.Random(5)
    PILImage.frombytes("RGB", size, rng.randbytes(size[0] * size[1] * 3)).save(path, format="PNG")
    return path


def small_jpeg(path: Path, size: tuple[int, int] = (120, 80)) -> Path:
    PILImage.new("RGB", size, (200, 30, 30)).save(path, format="JPEG")
    return path


@pytest.fixture
def state() -> MemoryState:
    return MemoryState()


@pytest.fixture
def bluesky(bluesky_settings: Settings, state: MemoryState) -> BlueskyPlatform:
    return BlueskyPlatform(bluesky_settings, state)


@pytest.fixture
def image_server(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    """A loopback web server for pictures: (base URL, the directory it serves)."""
    root = tmp_path / "www"
    root.mkdir()

    class Quiet(SimpleHTTPRequestHandler):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, directory=str(root), **kwargs)

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Quiet)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}", root
    server.shutdown()
    server.server_close()


# --- record keys (no server needed) ------------------------------------------------------------


def test_record_keys_are_valid_sortable_tids() -> None:
    keys = [next_tid() for _ in range(500)]
    assert all(TID.match(key) for key in keys)
    assert keys == sorted(keys) and len(set(keys)) == len(keys)


def test_tid_encodes_timestamp_then_clock_id() -> None:
    assert encode_tid(0, 0) == "2222222222222"
    assert encode_tid(0, 1) == "2222222222223"
    assert encode_tid(2**53 - 1, 1023) == "bzzzzzzzzzzzz"  # 63 bits: the top character holds 3
    # a later time sorts later whatever the clock id
    assert encode_tid(1_700_000_000_000_001, 0) > encode_tid(1_700_000_000_000_000, 1023)


def test_prepare_chooses_the_record_key_before_sending(tmp_path: Path) -> None:
    prepared = BlueskyPlatform(offline_settings("http://127.0.0.1:9", tmp_path), MemoryState()).prepare("row-1")
    assert TID.match(prepared["rkey"])
    assert prepared["idempotency_key"] == "row-1"


# --- posts against the PDS ---------------------------------------------------------------------

servers = pytest.mark.servers


@servers
def test_text_and_facets_use_utf8_byte_offsets(bluesky: BlueskyPlatform, bluesky_pds: Any, bluesky_account: Any) -> None:
    text = "Лукашенко говорить «так» — читайте https://example.com/статья?id=1 #Білорусь"
    link = facet_for(text, "https://example.com/статья?id=1", "link", "https://example.com/статья?id=1")
    tag = facet_for(text, "#Білорусь", "tag", "Білорусь")
    prepared = bluesky.prepare("k")

    result = bluesky.publish(part(text, facets=(link, tag)), prepared=prepared)

    record = bluesky_pds.get_record(bluesky_account.did, prepared["rkey"])
    assert record["uri"] == result.remote_id == result.extra["uri"]
    assert record["cid"] == result.extra["cid"]
    value = record["value"]
    assert value["text"] == text
    encoded = text.encode("utf-8")
    spans = [
        (encoded[f["index"]["byteStart"] : f["index"]["byteEnd"]].decode("utf-8"), f["features"][0])
        for f in value["facets"]
    ]
    assert spans == [
        ("https://example.com/статья?id=1", {"$type": "app.bsky.richtext.facet#link", "uri": "https://example.com/статья?id=1"}),
        ("#Білорусь", {"$type": "app.bsky.richtext.facet#tag", "tag": "Білорусь"}),
    ]
    assert result.url == f"https://bsky.app/profile/{bluesky_account.handle}/post/{prepared['rkey']}"
    assert result.extra["rkey"] == prepared["rkey"]


@servers
def test_languages_from_prepared_state_go_into_langs(bluesky: BlueskyPlatform, bluesky_pds: Any, bluesky_account: Any) -> None:
    prepared = {**bluesky.prepare("k"), "language": "uk"}
    bluesky.publish(part("Новини дня"), prepared=prepared)
    assert bluesky_pds.get_record(bluesky_account.did, prepared["rkey"])["value"]["langs"] == ["uk"]


@servers
def test_mention_by_handle_is_resolved_to_the_did(bluesky: BlueskyPlatform, bluesky_pds: Any, bluesky_account: Any) -> None:
    other = bluesky_pds.create_account()
    text = f"Інтерв'ю з @{other.handle} сьогодні"
    mention = facet_for(text, f"@{other.handle}", "mention", other.handle)
    prepared = bluesky.prepare("k")

    bluesky.publish(part(text, facets=(mention,)), prepared=prepared)

    (stored,) = bluesky_pds.get_record(bluesky_account.did, prepared["rkey"])["value"]["facets"]
    assert stored["features"] == [{"$type": "app.bsky.richtext.facet#mention", "did": other.did}]
    assert text.encode()[stored["index"]["byteStart"] : stored["index"]["byteEnd"]] == f"@{other.handle}".encode()


@servers
def test_link_card_with_a_large_local_thumbnail_is_downscaled_under_one_megabyte(
    bluesky: BlueskyPlatform, bluesky_pds: Any, bluesky_account: Any, tmp_path: Path
) -> None:
    picture = noisy_png(tmp_path / "lead.png", (2000, 1500))
    assert picture.stat().st_size > 1_000_000
    card = LinkCard(url="https://news.example/a", title="Заголовок", description="Опис статті", image=str(picture))
    prepared = bluesky.prepare("k")

    bluesky.publish(part("Read: https://news.example/a", card=card), prepared=prepared)

    embed = bluesky_pds.get_record(bluesky_account.did, prepared["rkey"])["value"]["embed"]
    assert embed["$type"] == "app.bsky.embed.external"
    external = embed["external"]
    assert (external["uri"], external["title"], external["description"]) == (
        "https://news.example/a", "Заголовок", "Опис статті",
    )  # fmt: skip
    thumb = external["thumb"]
    assert thumb["mimeType"] == "image/jpeg" and thumb["size"] <= 1_000_000
    blob = bluesky_pds.get_blob(bluesky_account.did, thumb["ref"]["$link"])
    assert len(blob) == thumb["size"]
    assert PILImage.open(io.BytesIO(blob)).format == "JPEG"


@servers
def test_link_card_thumbnail_fetched_over_http(
    bluesky: BlueskyPlatform, bluesky_pds: Any, bluesky_account: Any, image_server: tuple[str, Path]
) -> None:
    base, root = image_server
    original = small_jpeg(root / "thumb.jpg").read_bytes()
    card = LinkCard(url="https://news.example/b", title="T", description="D", image=f"{base}/thumb.jpg")
    prepared = bluesky.prepare("k")

    bluesky.publish(part("https://news.example/b", card=card), prepared=prepared)

    thumb = bluesky_pds.get_record(bluesky_account.did, prepared["rkey"])["value"]["embed"]["external"]["thumb"]
    assert bluesky_pds.get_blob(bluesky_account.did, thumb["ref"]["$link"]) == original  # small: sent as is


@servers
def test_card_whose_thumbnail_is_missing_is_posted_without_one(
    bluesky: BlueskyPlatform, bluesky_pds: Any, bluesky_account: Any, image_server: tuple[str, Path]
) -> None:
    base, _ = image_server
    card = LinkCard(url="https://news.example/c", title="T", description="D", image=f"{base}/gone.jpg")
    prepared = bluesky.prepare("k")
    bluesky.publish(part("https://news.example/c", card=card), prepared=prepared)
    external = bluesky_pds.get_record(bluesky_account.did, prepared["rkey"])["value"]["embed"]["external"]
    assert external["uri"] == "https://news.example/c" and "thumb" not in external


@servers
def test_images_carry_alt_text_and_aspect_ratio(
    bluesky: BlueskyPlatform, bluesky_pds: Any, bluesky_account: Any, tmp_path: Path
) -> None:
    first = small_jpeg(tmp_path / "a.jpg", (300, 200))
    second = noisy_png(tmp_path / "b.png", (900, 900))
    images = (Image(str(first), "Протестувальники на площі"), Image(str(second), "Шум"))
    prepared = bluesky.prepare("k")

    bluesky.publish(part("Фото дня", images=images), prepared=prepared)

    embed = bluesky_pds.get_record(bluesky_account.did, prepared["rkey"])["value"]["embed"]
    assert embed["$type"] == "app.bsky.embed.images"
    stored = embed["images"]
    assert [i["alt"] for i in stored] == ["Протестувальники на площі", "Шум"]
    assert (stored[0]["aspectRatio"]["width"], stored[0]["aspectRatio"]["height"]) == (300, 200)
    assert bluesky_pds.get_blob(bluesky_account.did, stored[0]["image"]["ref"]["$link"]) == first.read_bytes()
    assert stored[1]["image"]["size"] <= 1_000_000


@servers
def test_image_without_alt_text_is_refused_before_anything_is_sent(
    bluesky: BlueskyPlatform, bluesky_pds: Any, bluesky_account: Any, tmp_path: Path
) -> None:
    image = Image(str(small_jpeg(tmp_path / "a.jpg")), "  ")
    with pytest.raises(PlatformError, match="alt text") as caught:
        bluesky.publish(part("x", images=(image,)), prepared=bluesky.prepare("k"))
    assert not caught.value.retryable
    assert bluesky_pds.list_records(bluesky_account.did) == []


@servers
def test_three_part_thread_has_root_and_parent_refs(
    bluesky: BlueskyPlatform, bluesky_pds: Any, bluesky_account: Any
) -> None:
    first = bluesky.publish(part("1/3 Головне"), prepared=bluesky.prepare("a"))
    second = bluesky.publish(part("2/3 Цитата"), prepared=bluesky.prepare("b"), reply_to=first, root=first)
    third = bluesky.publish(part("3/3 Ще цитата"), prepared=bluesky.prepare("c"), reply_to=second, root=first)

    records = {r["uri"]: r["value"] for r in bluesky_pds.list_records(bluesky_account.did)}
    assert set(records) == {first.remote_id, second.remote_id, third.remote_id}
    assert "reply" not in records[first.remote_id]

    def ref(result: PublishResult) -> dict[str, str]:
        return {"$type": "com.atproto.repo.strongRef", "uri": result.extra["uri"], "cid": result.extra["cid"]}

    def refs(value: dict[str, Any]) -> tuple[dict[str, str], dict[str, str]]:
        return value["reply"]["root"], value["reply"]["parent"]

    assert refs(records[second.remote_id]) == (ref(first), ref(first))
    assert refs(records[third.remote_id]) == (ref(first), ref(second))


@servers
def test_reconcile_finds_a_post_made_under_the_stored_key_and_nothing_for_an_unused_key(
    bluesky_settings: Settings, bluesky_account: Any
) -> None:
    state = MemoryState()
    before_crash = BlueskyPlatform(bluesky_settings, state)
    sent, unsent = before_crash.prepare("sent"), before_crash.prepare("unsent")
    published = before_crash.publish(part("Sent, then the bot died"), prepared=sent)

    after_restart = BlueskyPlatform(bluesky_settings, state)
    found = after_restart.reconcile(part("Sent, then the bot died"), prepared=sent)

    assert found == published
    assert after_restart.reconcile(part("never sent"), prepared=unsent) is None


@servers
def test_find_reads_the_stored_key_back_and_never_creates_a_record(bluesky: BlueskyPlatform, bluesky_account: Any) -> None:
    sent, unsent = bluesky.prepare("sent"), bluesky.prepare("unsent")
    published = bluesky.publish(part("Sent before the outage"), prepared=sent)

    assert bluesky.find(part("Sent before the outage"), prepared=sent) == published
    assert bluesky.find(part("never sent"), prepared=unsent) is None
    assert bluesky.find(part("never prepared"), prepared={}) is None
    # looking did not post: the key that was never sent is still free
    assert bluesky.reconcile(part("never sent"), prepared=unsent) is None


@servers
def test_sending_again_under_the_same_key_never_makes_a_second_post(
    bluesky: BlueskyPlatform, bluesky_pds: Any, bluesky_account: Any
) -> None:
    prepared = bluesky.prepare("k")
    first = bluesky.publish(part("once"), prepared=prepared)
    again = bluesky.publish(part("once"), prepared=prepared)
    assert again == first
    assert len(bluesky_pds.list_records(bluesky_account.did)) == 1


@servers
def test_the_saved_session_is_reused_by_the_next_run(
    bluesky_settings: Settings, bluesky_pds: Any, bluesky_account: Any
) -> None:
    state = MemoryState()
    at_signup = bluesky_pds.sessions_created(bluesky_account.did)  # createAccount opened one

    BlueskyPlatform(bluesky_settings, state).check()
    assert bluesky_pds.sessions_created(bluesky_account.did) == at_signup + 1
    key = f"bluesky.session.{bluesky_account.handle}"
    assert state.writes == [key] and bluesky_account.did in state.values[key]

    second_run = BlueskyPlatform(bluesky_settings, state)
    assert second_run.check() == f"@{bluesky_account.handle} ({bluesky_account.did})"
    second_run.publish(part("no new login"), prepared=second_run.prepare("k"))

    assert bluesky_pds.sessions_created(bluesky_account.did) == at_signup + 1
    assert state.writes == [key]  # nothing new to save


@servers
def test_a_refreshed_session_is_saved_for_the_next_run(bluesky_settings: Settings, bluesky_account: Any) -> None:
    state = MemoryState()
    BlueskyPlatform(bluesky_settings, state).check()
    key = f"bluesky.session.{bluesky_account.handle}"
    first = state.values[key]

    later = BlueskyPlatform(bluesky_settings, state)
    # Three hours on, the 2-hour access token looks expired to the client, which refreshes it.
    with time_machine.travel(datetime.now(UTC) + timedelta(hours=3), tick=True):
        assert later.check() == f"@{bluesky_account.handle} ({bluesky_account.did})"

    assert state.writes == [key, key]
    assert state.values[key] != first


@servers
def test_a_rejected_saved_session_leads_to_one_fresh_login(
    bluesky_settings: Settings, bluesky_pds: Any, bluesky_account: Any
) -> None:
    state = MemoryState()
    BlueskyPlatform(bluesky_settings, state).check()
    key = f"bluesky.session.{bluesky_account.handle}"
    handle, did, access, refresh, pds = state.values[key].split(":::")
    forged = access[:-4] + ("AAAA" if not access.endswith("AAAA") else "BBBB")  # signature no longer matches
    state.values[key] = ":::".join([handle, did, forged, refresh, pds])
    sessions = bluesky_pds.sessions_created(did)

    adapter = BlueskyPlatform(bluesky_settings, state)
    assert adapter.check() == f"@{handle} ({did})"

    assert bluesky_pds.sessions_created(did) == sessions + 1
    saved = state.values[key].split(":::")
    assert saved[2] != forged and saved[3] != refresh  # the new session was saved


@servers
def test_delete_removes_the_record(bluesky: BlueskyPlatform, bluesky_pds: Any, bluesky_account: Any) -> None:
    prepared = bluesky.prepare("k")
    result = bluesky.publish(part("short-lived"), prepared=prepared)
    bluesky.delete(result)
    assert bluesky_pds.get_record(bluesky_account.did, prepared["rkey"]) is None


@servers
def test_check_names_the_account(bluesky: BlueskyPlatform, bluesky_account: Any) -> None:
    assert bluesky.check() == f"@{bluesky_account.handle} ({bluesky_account.did})"


@servers
def test_wrong_password_says_which_settings_to_fix(bluesky_settings: Settings) -> None:
    settings = bluesky_settings.model_copy(update={"bluesky_app_password": SecretStr("wrong")})
    with pytest.raises(PlatformError) as caught:
        BlueskyPlatform(settings, MemoryState()).check()
    error = caught.value
    assert error.platform == "bluesky" and not error.retryable
    assert "BLUESKY_APP_PASSWORD" in error.message and "BLUESKY_HANDLE" in error.message
    assert "wrong" not in error.message


@servers
def test_an_invalid_record_is_a_permanent_error(
    bluesky: BlueskyPlatform, bluesky_pds: Any, bluesky_account: Any
) -> None:
    with pytest.raises(PlatformError) as caught:
        bluesky.publish(part("я" * 301), prepared=bluesky.prepare("k"))  # over 300 graphemes
    assert caught.value.status == 400 and not caught.value.retryable
    assert "grapheme" in caught.value.message
    assert bluesky_pds.list_records(bluesky_account.did) == []


# --- failures from a server that misbehaves on purpose --------------------------------------------


class Misbehaving(BaseHTTPRequestHandler):
    status = 503
    delay = 0.0
    headers_to_send: dict[str, str] = {}

    def _answer(self) -> None:
        time.sleep(self.delay)
        body = b'{"error":"Oops","message":"try later"}'
        self.send_response(self.status)
        for name, value in self.headers_to_send.items():
            self.send_header(name, value)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_GET = do_POST = _answer

    def log_message(self, *args: Any) -> None:
        pass


class QuietServer(ThreadingHTTPServer):
    def handle_error(self, request: Any, client_address: Any) -> None:
        pass  # the client hung up on a slow answer: that is the point of the test


@pytest.fixture
def misbehaving_pds() -> Iterator[tuple[str, type[Misbehaving]]]:
    handler = type("Handler", (Misbehaving,), {"headers_to_send": {}})
    server = QuietServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}", handler
    server.shutdown()
    server.server_close()


def offline_settings(url: str, tmp_path: Path, timeout: float = 5) -> Settings:
    return Settings(
        _env_file=None,  # type: ignore[call-arg]
        data_dir=tmp_path,
        bluesky_pds_url=url,
        bluesky_handle="newsdesk.test",
        bluesky_app_password=SecretStr("app-pass"),
        http_timeout_seconds=timeout,
    )


def test_rate_limit_is_retryable_with_the_reset_time(
    misbehaving_pds: tuple[str, type[Misbehaving]], tmp_path: Path
) -> None:
    url, handler = misbehaving_pds
    handler.status = 429
    handler.headers_to_send = {"ratelimit-limit": "30", "ratelimit-remaining": "0", "ratelimit-reset": "1893456000"}
    with pytest.raises(PlatformError) as caught:
        BlueskyPlatform(offline_settings(url, tmp_path), MemoryState()).check()
    assert caught.value.retryable and caught.value.status == 429
    assert caught.value.reset_at == datetime(2030, 1, 1, tzinfo=UTC)


@pytest.mark.parametrize("status", [500, 502, 503])
def test_server_errors_are_retryable(
    status: int, misbehaving_pds: tuple[str, type[Misbehaving]], tmp_path: Path
) -> None:
    url, handler = misbehaving_pds
    handler.status = status
    with pytest.raises(PlatformError) as caught:
        BlueskyPlatform(offline_settings(url, tmp_path), MemoryState()).check()
    assert caught.value.retryable


def test_an_unreachable_server_is_retryable(tmp_path: Path) -> None:
    import socket

    with socket.socket() as sock:  # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    with pytest.raises(PlatformError) as caught:
        BlueskyPlatform(offline_settings(f"http://127.0.0.1:{port}", tmp_path), MemoryState()).check()
    assert caught.value.retryable
    assert f"127.0.0.1:{port}" in caught.value.message


def test_a_server_that_does_not_answer_in_time_is_retryable(
    misbehaving_pds: tuple[str, type[Misbehaving]], tmp_path: Path
) -> None:
    url, handler = misbehaving_pds
    handler.delay = 2.0
    with pytest.raises(PlatformError, match="did not answer in time") as caught:
        BlueskyPlatform(offline_settings(url, tmp_path, timeout=0.3), MemoryState()).check()
    assert caught.value.retryable
