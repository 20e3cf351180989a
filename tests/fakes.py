"""Fakes over mocks: an in-memory platform that behaves like a real one, with faults on demand."""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, ClassVar

from bot.errors import DuplicateContentError, PlatformError
from bot.models import Part, PublishResult
from bot.platforms.base import Platform


@dataclass
class RemotePost:
    id: str
    text: str
    reply_to: str | None
    key: str


@dataclass
class FakePlatform(Platform):
    """Keeps posts in a list; ``fail_next`` queues errors to raise on the next publish calls.

    ``crash_after_send`` simulates the process dying after the platform accepted the post but before
    the outbox recorded it: the post exists remotely and ``publish`` raises ``SystemExit``.
    ``keyed`` picks the reconciliation style: True = look up by the prepared key (Bluesky/Mastodon),
    False = X-like (no key; identical text is refused as a duplicate).
    ``land_then_fail`` queues errors raised *after* the post was taken (a timeout whose post landed).
    ``find_fails`` makes ``find`` (look-up only) raise it: the platform cannot say.
    """

    name: ClassVar[str] = "fake"
    platform_name: str = "fake"
    keyed: bool = True
    posts: list[RemotePost] = field(default_factory=list)
    fail_next: list[PlatformError] = field(default_factory=list)
    crash_after_send: bool = False
    land_then_fail: list[PlatformError] = field(default_factory=list)
    find_fails: Exception | None = None
    calls: int = 0
    finds: int = 0
    _ids: Any = field(default_factory=lambda: itertools.count(1))

    def prepare(self, key: str) -> dict[str, Any]:
        return {"idempotency_key": key}

    def _find(self, part: Part, prepared: dict[str, Any]) -> RemotePost | None:
        for post in self.posts:
            if (self.keyed and post.key == prepared.get("idempotency_key")) or (
                not self.keyed and post.text == part.text
            ):
                return post
        return None

    def publish(
        self,
        part: Part,
        *,
        prepared: dict[str, Any],
        reply_to: PublishResult | None = None,
        root: PublishResult | None = None,
    ) -> PublishResult:
        self.calls += 1
        if self.fail_next:
            raise self.fail_next.pop(0)
        existing = self._find(part, prepared)
        if existing is not None:
            if not self.keyed:
                raise DuplicateContentError(self.platform_name, "duplicate content", status=403)
            return self._result(existing)  # an idempotent replay returns the original
        post = RemotePost(str(next(self._ids)), part.text, reply_to.remote_id if reply_to else None,
                          prepared.get("idempotency_key", ""))
        self.posts.append(post)
        if self.crash_after_send:
            self.crash_after_send = False
            raise SystemExit("crashed between send and record")
        if self.land_then_fail:
            raise self.land_then_fail.pop(0)
        return self._result(post)

    def reconcile(
        self,
        part: Part,
        *,
        prepared: dict[str, Any],
        reply_to: PublishResult | None = None,
        root: PublishResult | None = None,
    ) -> PublishResult | None:
        existing = self._find(part, prepared)
        return None if existing is None else self._result(existing)

    def find(
        self,
        part: Part,
        *,
        prepared: dict[str, Any],
        reply_to: PublishResult | None = None,
    ) -> PublishResult | None:
        self.finds += 1
        if self.find_fails is not None:
            raise self.find_fails
        existing = self._find(part, prepared)
        return None if existing is None else self._result(existing)

    def delete(self, result: PublishResult) -> None:
        self.posts = [p for p in self.posts if p.id != result.remote_id]

    def check(self) -> str:
        return "@fake"

    def _result(self, post: RemotePost) -> PublishResult:
        return PublishResult(remote_id=post.id, url=f"https://{self.platform_name}.example/{post.id}")


def transient(platform: str = "fake", reset_at: datetime | None = None) -> PlatformError:
    return PlatformError(platform, "server busy (503)", retryable=True, reset_at=reset_at, status=503)


def permanent(platform: str = "fake") -> PlatformError:
    return PlatformError(platform, "rejected (400): the text is invalid", retryable=False, status=400)
