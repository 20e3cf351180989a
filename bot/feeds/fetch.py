"""Polite HTTP for feeds and article pages: timeouts, a size cap, an honest User-Agent, a per-host rate limit,
conditional GET, and redirects followed by hand so a loop is named as one.

Every failure is a ``FetchError`` whose ``kind`` is what a feed's status shows (``unreachable``, ``timeout``,
``not_found``, ``gone``, ``http_error``, ``redirect_loop``, ``too_large``, ``bad_url``).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime
from datetime import UTC, datetime
from urllib.parse import urljoin, urlsplit

import httpx

from ..config import Settings
from ..errors import IngestError

MAX_REDIRECTS = 5
# httpx's timeout is per read: a server sending a byte now and then (an endless stream added as a feed)
# never trips it. The whole response must come within this many times the timeout.
TOTAL_TIMEOUT_FACTOR = 3
DEFAULT_PER_HOST_PER_SECOND = 2.0  # "at most a few requests per host per second"
_REDIRECTS = {301, 302, 303, 307, 308}


class FetchError(IngestError):
    """A URL could not be fetched. ``kind`` is a short machine-readable reason; the message says what to do."""

    def __init__(
        self, kind: str, message: str, *, url: str, status: int | None = None, retry_after: float | None = None
    ) -> None:
        super().__init__(message)
        self.kind = kind
        self.url = url
        self.status = status
        self.retry_after = retry_after


@dataclass(frozen=True)
class FetchResult:
    url: str  # what was asked for
    final_url: str  # after redirects
    status: int
    headers: Mapping[str, str] = field(default_factory=dict)
    content: bytes = b""
    permanent_redirect: bool = False  # every hop was 301/308: the feed has moved

    @property
    def not_modified(self) -> bool:
        return self.status == 304

    @property
    def etag(self) -> str | None:
        return self.headers.get("etag")

    @property
    def last_modified(self) -> str | None:
        return self.headers.get("last-modified")

    @property
    def content_type(self) -> str:
        return self.headers.get("content-type", "").split(";")[0].strip().lower()


class HostRateLimiter:
    """At most ``per_second`` requests to one host per second, across threads (a sleep, never an error)."""

    def __init__(
        self,
        per_second: float = DEFAULT_PER_HOST_PER_SECOND,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.min_gap = 1.0 / per_second if per_second > 0 else 0.0
        self._clock = clock
        self._sleep = sleep
        self._next: dict[str, float] = {}
        self._lock = threading.Lock()

    def wait(self, host: str) -> float:
        """Block until a request to ``host`` may go; returns how long it waited."""
        with self._lock:
            now = self._clock()
            slot = max(now, self._next.get(host, now))
            self._next[host] = slot + self.min_gap
        delay = slot - now
        if delay > 0:
            self._sleep(delay)
        return delay


def _retry_after(value: str | None) -> float | None:
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - datetime.now(UTC)).total_seconds())


class Fetcher:
    """One HTTP client for a batch of fetches. Use as a context manager, or call ``close()``."""

    def __init__(
        self,
        *,
        user_agent: str,
        timeout: float = 20.0,
        max_bytes: int = 5_000_000,
        per_host_per_second: float = DEFAULT_PER_HOST_PER_SECOND,
        transport: httpx.BaseTransport | None = None,
        limiter: HostRateLimiter | None = None,
    ) -> None:
        self.max_bytes = max_bytes
        self.total_timeout = timeout * TOTAL_TIMEOUT_FACTOR
        self.limiter = limiter or HostRateLimiter(per_host_per_second)
        self.client = httpx.Client(
            headers={"User-Agent": user_agent, "Accept-Encoding": "gzip, deflate"},
            timeout=httpx.Timeout(timeout, connect=min(timeout, 10.0)),
            follow_redirects=False,  # followed by hand below, to name loops
            transport=transport,
        )

    @classmethod
    def from_settings(cls, settings: Settings, **kwargs: object) -> Fetcher:
        return cls(
            user_agent=settings.user_agent,
            timeout=settings.http_timeout_seconds,
            max_bytes=settings.max_file_bytes,
            **kwargs,  # type: ignore[arg-type]
        )

    def __enter__(self) -> Fetcher:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    def close(self) -> None:
        self.client.close()

    def get(
        self,
        url: str,
        *,
        etag: str | None = None,
        last_modified: str | None = None,
        accept: str | None = None,
    ) -> FetchResult:
        """GET ``url``; a 304 is a result (``not_modified``), every other non-2xx is a ``FetchError``."""
        headers: dict[str, str] = {}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        if accept:
            headers["Accept"] = accept
        visited: list[str] = []
        current = url
        permanent = True
        while True:
            parts = urlsplit(current)
            if parts.scheme not in ("http", "https") or not parts.hostname:
                raise FetchError("bad_url", f"{current!r} is not an http(s) URL", url=url)
            if current in visited:
                chain = " -> ".join([*visited, current])
                raise FetchError("redirect_loop", f"redirect loop: {chain}", url=url)
            if len(visited) > MAX_REDIRECTS:
                raise FetchError(
                    "redirect_loop", f"more than {MAX_REDIRECTS} redirects starting at {url}; use the final URL", url=url
                )
            visited.append(current)
            status, resp_headers, content = self._one(current, headers, url)
            if status in _REDIRECTS:
                location = resp_headers.get("location")
                if not location:
                    raise FetchError("http_error", f"HTTP {status} redirect without a Location header", url=url, status=status)
                permanent = permanent and status in (301, 308)
                current = urljoin(current, location)
                continue
            return FetchResult(
                url=url,
                final_url=current,
                status=status,
                headers=resp_headers,
                content=content,
                permanent_redirect=permanent and len(visited) > 1,
            )

    def _one(self, current: str, headers: dict[str, str], url: str) -> tuple[int, dict[str, str], bytes]:
        host = urlsplit(current).hostname or ""
        self.limiter.wait(host)
        started = time.monotonic()
        try:
            with self.client.stream("GET", current, headers=headers) as resp:
                resp_headers = {k.lower(): v for k, v in resp.headers.items()}
                status = resp.status_code
                if status in _REDIRECTS or status == 304:
                    return status, resp_headers, b""
                if status >= 400:
                    raise _status_error(status, resp_headers, url)
                declared = resp_headers.get("content-length", "")
                if declared.isdigit() and int(declared) > self.max_bytes:
                    raise _too_large(url, self.max_bytes)
                chunks: list[bytes] = []
                size = 0
                for chunk in resp.iter_bytes():
                    size += len(chunk)
                    if size > self.max_bytes:
                        raise _too_large(url, self.max_bytes)
                    if time.monotonic() - started > self.total_timeout:
                        raise FetchError(
                            "timeout",
                            f"{host} was still sending after {self.total_timeout:g}s "
                            f"({TOTAL_TIMEOUT_FACTOR}× NEWSBOT_HTTP_TIMEOUT_SECONDS); not read",
                            url=url,
                        )
                    chunks.append(chunk)
                return status, resp_headers, b"".join(chunks)
        except httpx.TimeoutException:
            raise FetchError("timeout", f"no answer from {host} within the timeout (NEWSBOT_HTTP_TIMEOUT_SECONDS)", url=url) from None
        except httpx.ConnectError as exc:
            raise FetchError("unreachable", f"cannot connect to {host}: {_reason(exc)}", url=url) from None
        except httpx.DecodingError as exc:
            raise FetchError("http_error", f"{host} sent a body that cannot be decoded: {_reason(exc)}", url=url) from None
        except httpx.TransportError as exc:
            raise FetchError("unreachable", f"connection to {host} failed: {_reason(exc)}", url=url) from None
        except httpx.InvalidURL as exc:
            raise FetchError("bad_url", f"{current!r} is not a valid URL: {exc}", url=url) from None


def _reason(exc: Exception) -> str:
    text = str(exc).strip()
    return text or type(exc).__name__


def _too_large(url: str, cap: int) -> FetchError:
    return FetchError(
        "too_large", f"response is larger than {cap:,} bytes (NEWSBOT_MAX_FILE_BYTES); not read", url=url
    )


def _status_error(status: int, headers: Mapping[str, str], url: str) -> FetchError:
    if status == 404:
        return FetchError("not_found", "HTTP 404 Not Found: check the URL, or remove it", url=url, status=status)
    if status == 410:
        return FetchError("gone", "HTTP 410 Gone: the publisher removed it for good", url=url, status=status)
    retry_after = _retry_after(headers.get("retry-after"))
    if status in (401, 403):
        message = f"HTTP {status}: the server refuses us (it may block bots or need a login)"
    elif status == 429:
        message = "HTTP 429 Too Many Requests: polling less often"
    else:
        message = f"HTTP {status} from the server"
    return FetchError("http_error", message, url=url, status=status, retry_after=retry_after)
