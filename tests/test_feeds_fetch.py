"""The fetcher is polite and names every failure: against a real local HTTP server."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator

import pytest

from bot.errors import IngestError
from bot.feeds.fetch import MAX_REDIRECTS, Fetcher, FetchError, HostRateLimiter
from fixtures_http import LocalServer, http_server  # noqa: F401  (the fixture)

UA = "newsbot-test/1.0 (+https://example.org/bot)"


@pytest.fixture
def fetcher() -> Iterator[Fetcher]:
    with Fetcher(user_agent=UA, timeout=5, max_bytes=10_000, per_host_per_second=1000) as f:
        yield f


def test_sends_an_honest_user_agent(http_server: LocalServer, fetcher: Fetcher) -> None:
    http_server.put("/feed.xml", "<rss/>")
    result = fetcher.get(http_server.url("/feed.xml"))
    assert result.status == 200 and result.content == b"<rss/>"
    assert http_server.hits("/feed.xml")[0].headers["user-agent"] == UA


def test_conditional_get_with_etag_gets_304(http_server: LocalServer, fetcher: Fetcher) -> None:
    http_server.put("/feed.xml", "<rss>v1</rss>")
    first = fetcher.get(http_server.url("/feed.xml"))
    assert first.etag and first.last_modified
    second = fetcher.get(http_server.url("/feed.xml"), etag=first.etag, last_modified=first.last_modified)
    assert second.not_modified and second.content == b""
    assert http_server.hits("/feed.xml")[1].headers["if-none-match"] == first.etag


def test_conditional_get_with_last_modified_only(http_server: LocalServer, fetcher: Fetcher) -> None:
    http_server.put("/feed.xml", "<rss>v1</rss>")
    first = fetcher.get(http_server.url("/feed.xml"))
    again = fetcher.get(http_server.url("/feed.xml"), last_modified=first.last_modified)
    assert again.not_modified


def test_changed_resource_is_sent_again(http_server: LocalServer, fetcher: Fetcher) -> None:
    http_server.put("/feed.xml", "<rss>v1</rss>")
    first = fetcher.get(http_server.url("/feed.xml"))
    http_server.put("/feed.xml", "<rss>v2</rss>")
    second = fetcher.get(http_server.url("/feed.xml"), etag=first.etag)
    assert second.status == 200 and second.content == b"<rss>v2</rss>"


def test_follows_redirects_and_reports_the_final_url(http_server: LocalServer, fetcher: Fetcher) -> None:
    http_server.put("/new.xml", "<rss/>")
    http_server.redirect("/old.xml", "/new.xml", status=301)
    result = fetcher.get(http_server.url("/old.xml"))
    assert result.final_url == http_server.url("/new.xml")
    assert result.permanent_redirect


def test_temporary_redirect_is_not_a_move(http_server: LocalServer, fetcher: Fetcher) -> None:
    http_server.put("/new.xml", "<rss/>")
    http_server.redirect("/old.xml", "/new.xml", status=302)
    assert not fetcher.get(http_server.url("/old.xml")).permanent_redirect


def test_redirect_loop_is_named(http_server: LocalServer, fetcher: Fetcher) -> None:
    http_server.redirect("/a", "/b")
    http_server.redirect("/b", "/a")
    with pytest.raises(FetchError) as info:
        fetcher.get(http_server.url("/a"))
    assert info.value.kind == "redirect_loop"
    assert "/a -> " in str(info.value) and "/b" in str(info.value)


def test_endless_redirect_chain_stops(http_server: LocalServer, fetcher: Fetcher) -> None:
    for i in range(MAX_REDIRECTS + 3):
        http_server.redirect(f"/r{i}", f"/r{i + 1}")
    with pytest.raises(FetchError) as info:
        fetcher.get(http_server.url("/r0"))
    assert info.value.kind == "redirect_loop"
    assert "more than" in str(info.value)


def test_oversize_by_content_length(http_server: LocalServer, fetcher: Fetcher) -> None:
    http_server.put("/big.xml", b"x" * 20_000)
    with pytest.raises(FetchError) as info:
        fetcher.get(http_server.url("/big.xml"))
    assert info.value.kind == "too_large" and "10,000 bytes" in str(info.value)


def test_oversize_without_content_length_is_cut_off_while_streaming(http_server: LocalServer, fetcher: Fetcher) -> None:
    http_server.put("/big.xml", b"x" * 50_000, lie_length=True)
    with pytest.raises(FetchError) as info:
        fetcher.get(http_server.url("/big.xml"))
    assert info.value.kind == "too_large"


@pytest.mark.parametrize(("status", "kind"), [(404, "not_found"), (410, "gone"), (500, "http_error"), (403, "http_error")])
def test_error_statuses_have_kinds(http_server: LocalServer, fetcher: Fetcher, status: int, kind: str) -> None:
    http_server.fail("/x", status)
    with pytest.raises(FetchError) as info:
        fetcher.get(http_server.url("/x"))
    assert (info.value.kind, info.value.status) == (kind, status)
    assert isinstance(info.value, IngestError)  # the CLI turns it into one line


def test_retry_after_is_read_from_429(http_server: LocalServer, fetcher: Fetcher) -> None:
    http_server.fail("/x", 429, headers={"Retry-After": "120"})
    with pytest.raises(FetchError) as info:
        fetcher.get(http_server.url("/x"))
    assert info.value.retry_after == 120


def test_unreachable_host(fetcher: Fetcher) -> None:
    with socket.socket() as sock:  # a port that was free a moment ago: nothing listens there
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    with pytest.raises(FetchError) as info:
        fetcher.get(f"http://127.0.0.1:{port}/feed.xml")
    assert info.value.kind == "unreachable" and "cannot connect" in str(info.value)


def test_silent_server_times_out() -> None:
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(1)
    accepted: list[socket.socket] = []
    thread = threading.Thread(target=lambda: accepted.append(listener.accept()[0]), daemon=True)
    thread.start()
    try:
        with Fetcher(user_agent=UA, timeout=0.3, per_host_per_second=1000) as f, pytest.raises(FetchError) as info:
            f.get(f"http://127.0.0.1:{listener.getsockname()[1]}/slow")
        assert info.value.kind == "timeout"
    finally:
        for conn in accepted:
            conn.close()
        listener.close()


def test_a_server_that_trickles_forever_times_out_too() -> None:
    # Each byte comes well within the read timeout, so only a limit on the whole response ends it: without
    # one, an endless stream (a live or event-stream URL added as a feed) holds up every feed after it.
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(1)
    stop = threading.Event()

    def trickle() -> None:
        conn = listener.accept()[0]
        with conn:
            conn.recv(4096)
            conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/rss+xml\r\n\r\n<rss>")
            for _ in range(200):  # 20 s at most, so a fetcher without the limit ends the test (and fails it)
                if stop.wait(0.1):
                    return
                try:
                    conn.sendall(b" ")
                except OSError:
                    return

    thread = threading.Thread(target=trickle, daemon=True)
    thread.start()
    try:
        with Fetcher(user_agent=UA, timeout=0.5, per_host_per_second=1000) as f, pytest.raises(FetchError) as info:
            f.get(f"http://127.0.0.1:{listener.getsockname()[1]}/live")
        assert info.value.kind == "timeout"
    finally:
        stop.set()
        thread.join()
        listener.close()


@pytest.mark.parametrize("url", ["ftp://example.org/feed", "not a url", "file:///etc/passwd"])
def test_only_http_urls(fetcher: Fetcher, url: str) -> None:
    with pytest.raises(FetchError) as info:
        fetcher.get(url)
    assert info.value.kind == "bad_url"


class FakeClock:
    def __init__(self) -> None:
        self.now = 100.0
        self.slept: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


def test_rate_limiter_spaces_requests_to_one_host() -> None:
    clock = FakeClock()
    limiter = HostRateLimiter(2.0, clock=clock, sleep=clock.sleep)
    waits = [limiter.wait("news.example") for _ in range(4)]
    assert waits == [0.0, 0.5, 0.5, 0.5]
    assert clock.now == pytest.approx(101.5)  # four requests take 1.5 s: two per second


def test_rate_limiter_keeps_hosts_apart() -> None:
    clock = FakeClock()
    limiter = HostRateLimiter(2.0, clock=clock, sleep=clock.sleep)
    assert limiter.wait("a.example") == 0.0
    assert limiter.wait("b.example") == 0.0
    assert limiter.wait("a.example") == 0.5


def test_rate_limiter_does_not_wait_after_a_pause() -> None:
    clock = FakeClock()
    limiter = HostRateLimiter(2.0, clock=clock, sleep=clock.sleep)
    limiter.wait("a.example")
    clock.now += 5
    assert limiter.wait("a.example") == 0.0
