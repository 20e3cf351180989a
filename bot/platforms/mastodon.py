"""Mastodon adapter: Mastodon.py against any instance (MASTODON_API_BASE_URL, MASTODON_ACCESS_TOKEN).

Exactly once: every status goes out with the outbox row's idempotency key as the ``Idempotency-Key``
header. Mastodon remembers the key for one hour per account and answers a repeat with the status it
already made, so within that hour ``reconcile`` is simply the same request again. ``prepare`` records
when the send started; past the hour (a crash noticed only later) the key is forgotten, so reconcile
first looks for the status among the account's latest ones (same text, same reply parent) and only
resends when it is not there.

Mastodon.py is told not to sleep on rate limits (``ratelimit_method="throw"``) — the outbox reschedules
instead — and not to check versions eagerly (``version_check_mode="none"``); it reads the instance's
version lazily when it first uploads media, from ``/api/v1/instance``.
"""

from __future__ import annotations

import io
import re
import unicodedata
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from html.parser import HTMLParser
from typing import TYPE_CHECKING, Any

from mastodon import (
    Mastodon,
    MastodonAPIError,
    MastodonError,
    MastodonNetworkError,
    MastodonNotFoundError,
    MastodonRatelimitError,
    MastodonServerError,
    MastodonUnauthorizedError,
)

from ..errors import PlatformError
from ..models import Part, PublishResult
from .base import KeyValue, Platform
from .media import load_for_upload

if TYPE_CHECKING:
    from ..config import Settings

STATE_MAX_CHARACTERS = "mastodon.max_characters"
MAX_IMAGE_BYTES = 8_000_000  # stock Mastodon takes 16 MB; smaller uploads are kinder to small instances
MAX_DESCRIPTION = 1500  # Mastodon's limit for alt text
KEY_MEMORY = timedelta(minutes=55)  # Mastodon keeps Idempotency-Keys for an hour; keep a margin
LOOKBACK = 40  # statuses searched when the key may be forgotten (the API's page maximum)


class MastodonPlatform(Platform):
    name = "mastodon"
    max_images = 4

    def __init__(self, settings: Settings, state: KeyValue) -> None:
        self.settings = settings
        self.state = state
        if not settings.mastodon_api_base_url or settings.mastodon_access_token is None:
            raise PlatformError(
                "mastodon", "Mastodon is not configured: set MASTODON_API_BASE_URL and MASTODON_ACCESS_TOKEN in .env"
            )
        self.base_url = settings.mastodon_api_base_url
        self.api = Mastodon(
            access_token=settings.mastodon_access_token.get_secret_value(),
            api_base_url=self.base_url,
            ratelimit_method="throw",
            request_timeout=settings.http_timeout_seconds,
            version_check_mode="none",
            user_agent=settings.user_agent,
        )
        self.clock: Callable[[], datetime] = lambda: datetime.now(UTC)

    # --- the contract ----------------------------------------------------------------------------
    def prepare(self, key: str) -> dict[str, Any]:
        return {"idempotency_key": key, "prepared_at": self.clock().isoformat()}

    def publish(
        self,
        part: Part,
        *,
        prepared: dict[str, Any],
        reply_to: PublishResult | None = None,
        root: PublishResult | None = None,
    ) -> PublishResult:
        # The outbox retries a failed send with the state prepared for the first attempt; a timeout may have
        # made the status, and past the key's hour only a search can tell (a fresh send has a fresh key).
        if "prepared_at" in prepared and not self._key_remembered(prepared):
            found = self.find_recent(part.text, reply_to)
            if found is not None:
                return found
        return self._post(part, prepared, reply_to)

    def _post(self, part: Part, prepared: dict[str, Any], reply_to: PublishResult | None) -> PublishResult:
        key = prepared.get("idempotency_key")
        if not key:
            # Without the key a retry could post twice; the executor always prepares one.
            raise PlatformError("mastodon", "internal error: no idempotency key prepared for this post; retry it")
        media_ids = [self._upload(image.source, image.alt) for image in part.images[: self.max_images]]
        language = getattr(part, "language", None) or prepared.get("language")
        try:
            status = self.api.status_post(
                part.text,
                in_reply_to_id=reply_to.remote_id if reply_to else None,
                media_ids=media_ids or None,
                language=language,
                idempotency_key=str(key),
            )
        except MastodonError as exc:
            raise self._error(exc, "posting") from None
        return PublishResult(remote_id=str(status["id"]), url=status.get("url") or status.get("uri"))

    def reconcile(
        self,
        part: Part,
        *,
        prepared: dict[str, Any],
        reply_to: PublishResult | None = None,
        root: PublishResult | None = None,
    ) -> PublishResult | None:
        """The same request with the same Idempotency-Key: Mastodon returns the status it already made.
        When the key may have expired, look for the status first so a late resend cannot double-post."""
        if not self._key_remembered(prepared):
            found = self.find_recent(part.text, reply_to)
            if found is not None:
                return found
        return self._post(part, prepared, reply_to)

    def find(
        self,
        part: Part,
        *,
        prepared: dict[str, Any],
        reply_to: PublishResult | None = None,
    ) -> PublishResult | None:
        # Only a POST can ask the Idempotency-Key, and that would send: search the account's latest statuses.
        return self.find_recent(part.text, reply_to)

    def _key_remembered(self, prepared: dict[str, Any]) -> bool:
        try:
            started = datetime.fromisoformat(str(prepared["prepared_at"]))
        except (KeyError, ValueError):
            return False  # unknown age: assume the worst
        if started.tzinfo is None:
            started = started.replace(tzinfo=UTC)
        return self.clock() - started < KEY_MEMORY

    def find_recent(self, text: str, reply_to: PublishResult | None = None) -> PublishResult | None:
        """Our status with this text (and this reply parent) among the account's latest ones."""
        wanted = comparable(text)
        parent = reply_to.remote_id if reply_to else None
        try:
            me = self.api.account_verify_credentials()
            statuses = self.api.account_statuses(me["id"], limit=LOOKBACK, exclude_reblogs=True)
        except MastodonError as exc:
            raise self._error(exc, "looking for an interrupted post") from None
        for status in statuses:
            in_reply_to = str(status["in_reply_to_id"]) if status.get("in_reply_to_id") else None
            if in_reply_to == parent and comparable(html_to_text(status.get("content") or "")) == wanted:
                return PublishResult(remote_id=str(status["id"]), url=status.get("url") or status.get("uri"))
        return None

    def delete(self, result: PublishResult) -> None:
        try:
            self.api.status_delete(result.remote_id)
        except MastodonNotFoundError:
            return  # already gone
        except MastodonError as exc:
            raise self._error(exc, "deleting a post") from None

    def check(self) -> str:
        try:
            account = self.api.account_verify_credentials()
            # What `find_recent` needs (read:statuses): without it a token posts, but an interrupted send
            # can never be checked.
            self.api.account_statuses(account["id"], limit=1)
        except MastodonError as exc:
            raise self._error(exc, "checking the account") from None
        host = self.base_url.split("://", 1)[-1].split("/", 1)[0]
        return f"@{account['acct']}@{host}"

    def character_limit(self, *, refresh: bool = False) -> int | None:
        """The instance's ``max_characters``, asked once (again with ``refresh``: the daemon does at each
        start, as an instance may change it) and kept in the state store, where composing reads it."""
        cached = self.state.get(STATE_MAX_CHARACTERS)
        if cached and cached.isdigit() and not refresh:
            return int(cached)
        limit = self._instance_limit()
        if limit is None:
            return self.settings.mastodon_max_characters
        self.state.set(STATE_MAX_CHARACTERS, str(limit))
        return limit

    # --- helpers ---------------------------------------------------------------------------------
    def _instance_limit(self) -> int | None:
        for fetch in (self.api.instance_v2, self.api.instance_v1):
            try:
                instance = fetch()
            except MastodonNotFoundError:
                continue  # older servers have no v2
            except MastodonError as exc:
                raise self._error(exc, "reading the instance's character limit") from None
            try:
                value = instance["configuration"]["statuses"]["max_characters"]
            except (KeyError, TypeError):
                value = None
            if isinstance(value, int) and value > 0:
                return value
        return None

    def _upload(self, source: str, alt: str) -> str:
        image = load_for_upload("mastodon", source, self.settings, max_bytes=MAX_IMAGE_BYTES)
        try:
            media = self.api.media_post(
                io.BytesIO(image.data),
                mime_type=image.mime_type,
                description=alt[:MAX_DESCRIPTION] if alt else None,
                file_name=f"image.{image.mime_type.split('/')[-1]}",
            )
        except MastodonError as exc:
            raise self._error(exc, "uploading an image") from None
        return str(media["id"])

    def _error(self, exc: MastodonError, doing: str) -> PlatformError:
        reset = self.api.ratelimit_reset
        reset_at = datetime.fromtimestamp(reset, UTC) if isinstance(exc, MastodonRatelimitError) and reset else None
        return map_error(exc, doing=doing, base_url=self.base_url, reset_at=reset_at)


class _TextExtractor(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "br":
            self.parts.append("\n")
        elif tag == "p" and self.parts:
            self.parts.append("\n\n")

    def handle_data(self, data: str) -> None:
        self.parts.append(data)


def html_to_text(content: str) -> str:
    """A status's HTML ``content`` back to plain text (links keep their full URL: Mastodon only hides
    parts of it in invisible spans)."""
    parser = _TextExtractor()
    parser.feed(content)
    parser.close()
    return "".join(parser.parts)


_REMOTE_MENTION = re.compile(r"(@\w+)@[\w.-]+\w")


def comparable(text: str) -> str:
    """Text reduced to what survives Mastodon's rendering: whitespace and remote mentions normalised.

    Links are compared whole: the status HTML keeps every character of a link (the parts it hides are in
    invisible spans), and a recurring headline ("Morning briefing") differs from yesterday's post only
    by its link - taken for it, today's post would be recorded as sent and never posted."""
    text = unicodedata.normalize("NFC", text)
    text = _REMOTE_MENTION.sub(r"\1", text)
    return " ".join(text.split())


def _api_status(exc: MastodonError) -> tuple[int | None, str]:
    """Mastodon.py raises ``(message, status, reason, error)``; pick the status and the server's words."""
    args = exc.args
    status = args[1] if len(args) > 1 and isinstance(args[1], int) else None
    error = args[3] if len(args) > 3 and isinstance(args[3], str) else None
    reason = args[2] if len(args) > 2 and isinstance(args[2], str) else None
    return status, error or reason or (str(args[0]) if args else type(exc).__name__)


def map_error(exc: MastodonError, *, doing: str, base_url: str, reset_at: datetime | None = None) -> PlatformError:
    """A Mastodon.py failure as a PlatformError a person can act on."""
    status, detail = _api_status(exc)
    if isinstance(exc, MastodonUnauthorizedError):
        return PlatformError(
            "mastodon",
            "Mastodon rejected the access token (401): create a new one under Preferences → "
            "Development on your instance (scopes read, write:statuses, write:media) and set MASTODON_ACCESS_TOKEN",
            status=401,
        )
    if isinstance(exc, MastodonRatelimitError):
        when = f"; it accepts requests again at {reset_at.isoformat(timespec='seconds')}" if reset_at else ""
        return PlatformError(
            "mastodon",
            f"Mastodon's rate limit was hit (429) while {doing}{when}",
            retryable=True,
            reset_at=reset_at,
            status=429,
        )
    if isinstance(exc, MastodonNetworkError):
        text = str(exc)
        what = "did not answer in time" if "timed out" in text.lower() else "could not be reached"
        return PlatformError(
            "mastodon", f"Mastodon at {base_url} {what} while {doing}", retryable=True
        )
    if isinstance(exc, MastodonServerError):
        return PlatformError(
            "mastodon", f"Mastodon had a server error ({status}) while {doing}: {detail}", retryable=True, status=status
        )
    if isinstance(exc, MastodonAPIError):
        if status == 403:
            # The scope this request needs: a token made for posting only cannot look a status up.
            scope = {"posting": "write:statuses", "deleting a post": "write:statuses",
                     "uploading an image": "write:media"}.get(doing, "read")
            return PlatformError(
                "mastodon",
                f"Mastodon refused {doing} (403): {detail} — the token may lack the {scope} scope; create one "
                "with the scopes read, write:statuses and write:media and set MASTODON_ACCESS_TOKEN",
                status=403,
            )
        if status == 404:
            return PlatformError("mastodon", f"Mastodon found nothing (404) while {doing}: {detail}", status=404)
        if status == 429:  # only when rate limiting is bypassed; keep it retryable all the same
            return PlatformError(
                "mastodon",
                f"Mastodon's rate limit was hit (429) while {doing}",
                retryable=True,
                reset_at=reset_at,
                status=429,
            )
        if status is not None and status >= 500:
            return PlatformError(
                "mastodon",
                f"Mastodon had a server error ({status}) while {doing}: {detail}",
                retryable=True,
                status=status,
            )
        code = f" ({status})" if status else ""
        return PlatformError("mastodon", f"Mastodon rejected {doing}{code}: {detail}", status=status)
    return PlatformError("mastodon", f"Mastodon client error while {doing}: {exc}")
