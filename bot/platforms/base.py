"""The one small contract every platform adapter fulfils.

The outbox executor (``bot.publish``) drives adapters one thread part at a time:

1. ``prepare(key)`` returns what must be remembered *before* sending (Bluesky: the record key it will
   use; Mastodon: the Idempotency-Key). The executor commits it with the row as ``sending``.
2. ``publish(part, prepared=…, reply_to=…, root=…)`` sends one part and returns its PublishResult.
3. After a crash between send and record, ``reconcile(...)`` is asked first: it returns the post if it
   exists remotely, or None when it certainly does not (the executor then sends again). It may send
   the post itself when that is the only safe way to ask (Mastodon's Idempotency-Key, X's duplicate check).
4. ``find(...)`` only looks and never sends: housekeeping asks it before expiring a post that was tried
   (a timeout may have published it), so "expired" is never written over a post that is live.

Failures are raised as ``PlatformError(platform, message, retryable=…, reset_at=…)`` with a message a
person can act on. Heavy client libraries (tweepy, atproto, Mastodon.py) are imported inside the adapter
modules only, so using one platform never pays for the others.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Any, ClassVar, Protocol

from ..models import Part, PublishResult


class KeyValue(Protocol):
    """Small persistent state an adapter may keep (Bluesky session string, Mastodon's limit)."""

    def get(self, key: str) -> str | None: ...

    def set(self, key: str, value: str) -> None: ...


class Platform(ABC):
    name: ClassVar[str]
    max_images: ClassVar[int] = 4
    supports_cards: ClassVar[bool] = False  # sends a link card itself (Bluesky); others unfurl the URL

    def prepare(self, key: str) -> dict[str, Any]:
        """State to store with the row before sending; ``key`` is the row's idempotency key."""
        return {"idempotency_key": key}

    @abstractmethod
    def publish(
        self,
        part: Part,
        *,
        prepared: dict[str, Any],
        reply_to: PublishResult | None = None,
        root: PublishResult | None = None,
    ) -> PublishResult:
        """Send one post (a reply when ``reply_to`` is given) and say where it landed."""

    def reconcile(
        self,
        part: Part,
        *,
        prepared: dict[str, Any],
        reply_to: PublishResult | None = None,
        root: PublishResult | None = None,
    ) -> PublishResult | None:
        """Was a post whose send was interrupted published after all? None means: not published."""
        return None

    def find(
        self,
        part: Part,
        *,
        prepared: dict[str, Any],
        reply_to: PublishResult | None = None,
    ) -> PublishResult | None:
        """The post if it is on the platform, None if it is not; look only, never send. Raises
        ``PlatformError`` when the platform cannot tell (then nothing is decided about the post)."""
        from ..errors import PlatformError

        raise PlatformError(self.name, "this platform cannot look up a post without sending it", retryable=True)

    @abstractmethod
    def delete(self, result: PublishResult) -> None:
        """Remove a published post from the platform."""

    @abstractmethod
    def check(self) -> str:
        """Verify the credentials without posting; return who we are ("@newsdesk.bsky.social")."""

    def character_limit(self, *, refresh: bool = False) -> int | None:
        """The platform's current text limit when it can tell us (Mastodon instances do), kept in the state
        store; ``refresh`` asks again (raising ``PlatformError`` when it cannot) instead of using what is kept."""
        return None
