"""A faithful stand-in for the parts of Mastodon's REST API newsbot uses (Mastodon 4.3 behaviour).

- ``POST /api/v1/statuses`` (form or JSON): honours ``Idempotency-Key`` for one hour per account (the
  same key returns the same status, no new one), ``in_reply_to_id`` (404 "Record not found" when it does
  not exist), ``language`` (ISO 639), ``media_ids[]`` (must be this account's uploads, at most 4) and the
  instance's character limit (URLs count 23, ``@user@domain`` counts as ``@user``, graphemes).
- ``POST /api/v2/media`` (multipart ``file``, ``description``, ``focus``), ``GET``/``PUT /api/v1/media/:id``.
- ``GET``/``DELETE /api/v1/statuses/:id``, ``GET /api/v1/accounts/verify_credentials``.
- ``GET /api/v1/instance`` and ``/api/v2/instance`` (no auth) with ``version`` and
  ``configuration.statuses.max_characters`` (``max_characters`` is settable).
- Bearer-token auth: a missing or wrong token gets 401 ``{"error": "The access token is invalid"}``.
- Every answer carries ``X-RateLimit-Limit/Remaining/Reset`` like Mastodon; ``rate_limit_next`` injects 429.
"""

from __future__ import annotations

import hmac
import itertools
import re
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from html import escape
from typing import Any

from .base import FaultyServer, Reply, Request, Upload

IDEMPOTENCY_SECONDS = 3600
_URL = re.compile(r"https?://[^\s<>\"]+", re.IGNORECASE)
_MENTION = re.compile(r"@(\w+)@[\w.-]+\w")
_LANGUAGE = re.compile(r"^[a-z]{2,3}$")


@dataclass
class MastodonStatus:
    id: str
    text: str
    created_at: datetime
    language: str | None
    in_reply_to_id: str | None
    media_ids: tuple[str, ...]
    visibility: str
    idempotency_key: str | None
    deleted: bool = False


@dataclass
class MastodonMedia:
    id: str
    data: bytes
    content_type: str
    description: str | None
    focus: str | None = None


@dataclass
class _Clock:
    """The server's idea of now; tests move it forward to expire idempotency keys."""

    offset: float = 0.0

    def now(self) -> float:
        return time.time() + self.offset


@dataclass
class _IdempotencyEntry:
    status_id: str
    stored_at: float


@dataclass
class _Window:
    reset: float
    used: int = 0
    limit: int = 300


class MastodonServer(FaultyServer):
    account_id = "109000000000000001"
    username = "newsdesk"
    version = "4.3.2"

    def __init__(self, access_token: str = "test-mastodon-token", max_characters: int = 500) -> None:
        super().__init__()
        self.access_token = access_token
        self.default_max_characters = max_characters
        self.clock = _Clock()
        self._init_state()

    def _init_state(self) -> None:
        self.max_characters = self.default_max_characters
        self.statuses: list[MastodonStatus] = []
        self.media: dict[str, MastodonMedia] = {}
        self.idempotency: dict[str, _IdempotencyEntry] = {}
        self.window = _Window(reset=self.clock.now() + 300)
        self._ids = itertools.count(113000000000000001)
        self._media_ids = itertools.count(113500000000000001)

    def reset(self) -> None:
        with self._lock:
            super().reset()
            self.clock.offset = 0.0
            self._init_state()

    # --- what tests look at -------------------------------------------------------------------
    @property
    def posts(self) -> list[MastodonStatus]:
        return self.statuses

    @property
    def live_statuses(self) -> list[MastodonStatus]:
        return [s for s in self.statuses if not s.deleted]

    def status(self, status_id: str) -> MastodonStatus:
        return next(s for s in self.statuses if s.id == status_id)

    def advance(self, seconds: float) -> None:
        with self._lock:
            self.clock.offset += seconds

    # --- fault helpers ---------------------------------------------------------------------------
    def rate_limit_next(
        self, *, times: int = 1, reset_in: float = 300, only: str | None = "POST /api/v1/statuses"
    ) -> None:
        reset = datetime.fromtimestamp(self.clock.now() + reset_in, UTC)
        headers = {
            "X-RateLimit-Limit": "300",
            "X-RateLimit-Remaining": "0",
            "X-RateLimit-Reset": reset.isoformat(timespec="milliseconds").replace("+00:00", "Z"),
        }
        self.fail_next(429, times=times, body={"error": "Too many requests"}, headers=headers, only=only)

    def server_error_next(self, status: int = 503, *, times: int = 1, only: str | None = None) -> None:
        body = {"error": "We're sorry, but something went wrong on our end."}
        self.fail_next(status, times=times, body=body, only=only)

    # --- dispatch ------------------------------------------------------------------------------
    def decorate(self, request: Request, reply: Reply) -> None:
        now = self.clock.now()
        if now >= self.window.reset:
            self.window = _Window(reset=now + 300)
        self.window.used += 1
        reset = datetime.fromtimestamp(self.window.reset, UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
        reply.headers.setdefault("X-RateLimit-Limit", str(self.window.limit))
        reply.headers.setdefault("X-RateLimit-Remaining", str(max(0, self.window.limit - self.window.used)))
        reply.headers.setdefault("X-RateLimit-Reset", reset)

    def handle(self, request: Request) -> Reply:
        path = request.path.rstrip("/") or "/"
        method = request.method
        if method == "GET" and path in ("/api/v1/instance", "/api/v2/instance"):
            return Reply(200, self._instance_v1() if path.endswith("v1/instance") else self._instance_v2())
        if not self._authorised(request):
            return Reply(401, {"error": "The access token is invalid"})
        try:
            params = _params(request)
        except ValueError as exc:
            return Reply(400, {"error": str(exc)})
        routes: list[tuple[str, str, Any]] = [
            ("GET", r"/api/v1/accounts/verify_credentials", self._verify_credentials),
            ("GET", r"/api/v1/accounts/(?P<id>\d+)/statuses", self._account_statuses),
            ("POST", r"/api/v1/statuses", self._create_status),
            ("GET", r"/api/v1/statuses/(?P<id>\d+)", self._get_status),
            ("DELETE", r"/api/v1/statuses/(?P<id>\d+)", self._delete_status),
            ("POST", r"/api/v2/media", self._create_media),
            ("GET", r"/api/v1/media/(?P<id>\d+)", self._get_media),
            ("PUT", r"/api/v1/media/(?P<id>\d+)", self._update_media),
        ]
        for route_method, pattern, handler in routes:
            match = re.fullmatch(pattern, path)
            if match and route_method == method:
                reply: Reply = handler(request, params, **match.groupdict())
                return reply
        return Reply(404, {"error": "Record not found"})

    def _authorised(self, request: Request) -> bool:
        header = request.headers.get("authorization", "")
        return header.startswith("Bearer ") and hmac.compare_digest(header[len("Bearer ") :], self.access_token)

    # --- entities ------------------------------------------------------------------------------
    @property
    def _domain(self) -> str:
        return f"127.0.0.1:{self.port}"

    def _account(self, with_source: bool = False) -> dict[str, Any]:
        account: dict[str, Any] = {
            "id": self.account_id,
            "username": self.username,
            "acct": self.username,
            "display_name": "Newsdesk",
            "locked": False,
            "bot": True,
            "discoverable": True,
            "group": False,
            "created_at": "2024-01-01T00:00:00.000Z",
            "note": "",
            "url": f"{self.url}/@{self.username}",
            "uri": f"{self.url}/users/{self.username}",
            "avatar": f"{self.url}/avatars/original/missing.png",
            "avatar_static": f"{self.url}/avatars/original/missing.png",
            "header": f"{self.url}/headers/original/missing.png",
            "header_static": f"{self.url}/headers/original/missing.png",
            "followers_count": 0,
            "following_count": 0,
            "statuses_count": len(self.live_statuses),
            "last_status_at": None,
            "emojis": [],
            "fields": [],
        }
        if with_source:
            account["source"] = {"privacy": "public", "sensitive": False, "language": "en", "note": "", "fields": []}
        return account

    def _media_json(self, media: MastodonMedia) -> dict[str, Any]:
        return {
            "id": media.id,
            "type": "image",
            "url": f"{self.url}/system/media_attachments/{media.id}/original.png",
            "preview_url": f"{self.url}/system/media_attachments/{media.id}/small.png",
            "remote_url": None,
            "text_url": None,
            "meta": {"focus": _focus(media.focus)} if media.focus else {},
            "description": media.description,
            "blurhash": "UFBWY:8_0Jxv%1Rj~qM{9FWBWBt7-;WBWBt7",
        }

    def _status_json(self, status: MastodonStatus) -> dict[str, Any]:
        parent = next((s for s in self.statuses if s.id == status.in_reply_to_id), None)
        return {
            "id": status.id,
            "uri": f"{self.url}/users/{self.username}/statuses/{status.id}",
            "url": f"{self.url}/@{self.username}/{status.id}",
            "created_at": status.created_at.isoformat(timespec="milliseconds").replace("+00:00", "Z"),
            "account": self._account(),
            "content": render_content(status.text, self.url),
            "visibility": status.visibility,
            "sensitive": False,
            "spoiler_text": "",
            "media_attachments": [self._media_json(self.media[m]) for m in status.media_ids],
            "application": {"name": "newsbot", "website": None},
            "mentions": [],
            "tags": [],
            "emojis": [],
            "reblogs_count": 0,
            "favourites_count": 0,
            "replies_count": sum(1 for s in self.live_statuses if s.in_reply_to_id == status.id),
            "in_reply_to_id": status.in_reply_to_id,
            "in_reply_to_account_id": self.account_id if parent else None,
            "reblog": None,
            "poll": None,
            "card": None,
            "language": status.language,
            "text": None,
            "edited_at": None,
        }

    def _configuration(self) -> dict[str, Any]:
        return {
            "statuses": {
                "max_characters": self.max_characters,
                "max_media_attachments": 4,
                "characters_reserved_per_url": 23,
            },
            "media_attachments": {
                "supported_mime_types": ["image/jpeg", "image/png", "image/gif", "image/webp"],
                "image_size_limit": 16777216,
                "image_matrix_limit": 33177600,
            },
        }

    def _instance_v1(self) -> dict[str, Any]:
        return {
            "uri": self._domain,
            "title": "Fake Mastodon",
            "short_description": "",
            "description": "A local Mastodon stand-in for newsbot's tests.",
            "email": "admin@example.invalid",
            "version": self.version,
            "urls": {"streaming_api": f"ws://{self._domain}"},
            "stats": {"user_count": 1, "status_count": len(self.live_statuses), "domain_count": 1},
            "languages": ["en"],
            "registrations": False,
            "approval_required": False,
            "invites_enabled": False,
            "configuration": self._configuration(),
            "contact_account": None,
            "rules": [],
        }

    def _instance_v2(self) -> dict[str, Any]:
        return {
            "domain": self._domain,
            "title": "Fake Mastodon",
            "version": self.version,
            "source_url": "https://github.com/mastodon/mastodon",
            "description": "A local Mastodon stand-in for newsbot's tests.",
            "usage": {"users": {"active_month": 1}},
            "languages": ["en"],
            "configuration": {"urls": {"streaming": f"ws://{self._domain}"}, **self._configuration()},
            "registrations": {"enabled": False, "approval_required": False, "message": None},
            "api_versions": {"mastodon": 2},
            "contact": {"email": "admin@example.invalid", "account": None},
            "rules": [],
        }

    # --- endpoints -----------------------------------------------------------------------------
    def _verify_credentials(self, request: Request, params: dict[str, Any]) -> Reply:
        return Reply(200, self._account(with_source=True))

    def _account_statuses(self, request: Request, params: dict[str, Any], id: str) -> Reply:
        if id != self.account_id:
            return Reply(404, {"error": "Record not found"})
        try:
            limit = min(int(params.get("limit") or 20), 40)
        except ValueError:
            return Reply(400, {"error": "limit must be a number"})
        statuses = sorted(self.live_statuses, key=lambda s: int(s.id), reverse=True)
        if str(params.get("exclude_replies", "")).lower() in ("1", "true"):
            statuses = [s for s in statuses if s.in_reply_to_id is None]
        return Reply(200, [self._status_json(s) for s in statuses[:limit]])

    def _create_status(self, request: Request, params: dict[str, Any]) -> Reply:
        now = self.clock.now()
        key = request.headers.get("idempotency-key")
        if key:
            entry = self.idempotency.get(key)
            if entry is not None and now - entry.stored_at < IDEMPOTENCY_SECONDS:
                return Reply(200, self._status_json(self.status(entry.status_id)))
        text = str(params.get("status") or "")
        media_ids = tuple(str(m) for m in _as_list(params.get("media_ids")))
        if not text.strip() and not media_ids:
            return _unprocessable("Validation failed: Text can't be blank")
        if status_length(text) > self.max_characters:
            return _unprocessable(f"Validation failed: Text character limit of {self.max_characters} exceeded")
        if len(media_ids) > 4:
            return _unprocessable("Validation failed: Media attachments are too many (maximum is 4)")
        if any(m not in self.media for m in media_ids):
            return _unprocessable("Validation failed: Media attachments are invalid")
        language = params.get("language") or None
        if language is not None and not _LANGUAGE.match(str(language)):
            return _unprocessable(f"Validation failed: Language {language} is not a valid language code")
        reply_to = params.get("in_reply_to_id") or None
        if reply_to is not None and not any(s.id == str(reply_to) for s in self.live_statuses):
            return Reply(404, {"error": "Record not found"})
        visibility = str(params.get("visibility") or "public")
        if visibility not in ("public", "unlisted", "private", "direct"):
            return _unprocessable(f"Validation failed: Visibility {visibility} is not included in the list")
        status = MastodonStatus(
            id=str(next(self._ids)),
            text=text,
            created_at=datetime.fromtimestamp(now, UTC),
            language=str(language) if language else "en",
            in_reply_to_id=str(reply_to) if reply_to else None,
            media_ids=media_ids,
            visibility=visibility,
            idempotency_key=key,
        )
        self.statuses.append(status)
        if key:
            self.idempotency[key] = _IdempotencyEntry(status.id, now)
        return Reply(200, self._status_json(status))

    def _get_status(self, request: Request, params: dict[str, Any], id: str) -> Reply:
        status = next((s for s in self.live_statuses if s.id == id), None)
        if status is None:
            return Reply(404, {"error": "Record not found"})
        return Reply(200, self._status_json(status))

    def _delete_status(self, request: Request, params: dict[str, Any], id: str) -> Reply:
        status = next((s for s in self.live_statuses if s.id == id), None)
        if status is None:
            return Reply(404, {"error": "Record not found"})
        status.deleted = True
        body = self._status_json(status)
        body["text"] = status.text  # Mastodon returns the source text for "delete & redraft"
        return Reply(200, body)

    def _create_media(self, request: Request, params: dict[str, Any]) -> Reply:
        upload = params.get("file")
        if not isinstance(upload, Upload) or not upload.data:
            return _unprocessable("Validation failed: File can't be blank")
        if not upload.content_type.startswith("image/"):
            return _unprocessable(f"Validation failed: File content type {upload.content_type} is invalid")
        description = params.get("description") or None
        if description is not None and len(str(description)) > 1500:
            return _unprocessable("Validation failed: Description is too long (maximum is 1500 characters)")
        media = MastodonMedia(
            id=str(next(self._media_ids)),
            data=upload.data,
            content_type=upload.content_type,
            description=str(description) if description else None,
            focus=str(params["focus"]) if params.get("focus") else None,
        )
        self.media[media.id] = media
        return Reply(200, self._media_json(media))  # small images are processed synchronously: 200, url set

    def _get_media(self, request: Request, params: dict[str, Any], id: str) -> Reply:
        media = self.media.get(id)
        if media is None:
            return Reply(404, {"error": "Record not found"})
        return Reply(200, self._media_json(media))

    def _update_media(self, request: Request, params: dict[str, Any], id: str) -> Reply:
        media = self.media.get(id)
        if media is None:
            return Reply(404, {"error": "Record not found"})
        if params.get("description"):
            media.description = str(params["description"])
        if params.get("focus"):
            media.focus = str(params["focus"])
        return Reply(200, self._media_json(media))


_TAG = re.compile(r"(?<![\w/])#(\w+)")


def render_content(text: str, base_url: str) -> str:
    """Status HTML the way Mastodon renders plain text: paragraphs, line breaks, linked URLs (scheme
    hidden, long ones shortened with an ellipsis) and hashtags."""

    def link(url: str) -> str:
        scheme, _, rest = url.partition("://")
        visible, hidden = rest[:30], rest[30:]
        return (
            f'<a href="{escape(url)}" target="_blank" rel="nofollow noopener noreferrer" translate="no">'
            f'<span class="invisible">{escape(scheme)}://</span>'
            f'<span class="{"ellipsis" if hidden else ""}">{escape(visible)}</span>'
            f'<span class="invisible">{escape(hidden)}</span></a>'
        )

    def line(raw: str) -> str:
        out, last = [], 0
        for match in _URL.finditer(raw):
            out.append(_TAG.sub(lambda m: _tag(m.group(1), base_url), escape(raw[last : match.start()], quote=False)))
            out.append(link(match.group(0)))
            last = match.end()
        out.append(_TAG.sub(lambda m: _tag(m.group(1), base_url), escape(raw[last:], quote=False)))
        return "".join(out)

    paragraphs = [p for p in re.split(r"\n{2,}", text.strip("\n"))]
    return "".join("<p>" + "<br />".join(line(x) for x in p.split("\n")) + "</p>" for p in paragraphs)


def _tag(name: str, base_url: str) -> str:
    return f'<a href="{base_url}/tags/{name.lower()}" class="mention hashtag" rel="tag">#<span>{name}</span></a>'


def status_length(text: str) -> int:
    """Mastodon's count: URLs weigh 23, remote mentions count as local ones, graphemes otherwise."""
    import regex

    countable = _URL.sub("x" * 23, text)
    countable = _MENTION.sub(lambda m: "@" + m.group(1), countable)
    return len(regex.findall(r"\X", countable))


def _params(request: Request) -> dict[str, Any]:
    """Query, form, multipart or JSON parameters, with Rails' ``name[]`` arrays folded to lists."""
    merged: dict[str, Any] = {}
    sources: list[dict[str, list[Any]]] = [request.query]
    if request.body:
        ctype = request.content_type
        if ctype == "application/json":
            body = request.json()
            if not isinstance(body, dict):
                raise ValueError("JSON body must be an object")
            merged.update(body)
        elif ctype == "application/x-www-form-urlencoded":
            sources.append(request.form())
        elif ctype == "multipart/form-data":
            sources.append(request.multipart())  # type: ignore[arg-type]
        else:
            raise ValueError(f"unsupported Content-Type {ctype}")
    for source in sources:
        for name, values in source.items():
            if name.endswith("[]"):
                merged.setdefault(name[:-2], []).extend(values)
            else:
                merged[name] = values[-1]
    return merged


def _as_list(value: Any) -> list[Any]:
    if value is None or value == "":
        return []
    return value if isinstance(value, list) else [value]


def _focus(focus: str) -> dict[str, float]:
    x, _, y = focus.partition(",")
    return {"x": float(x or 0), "y": float(y or 0)}


def _unprocessable(message: str) -> Reply:
    return Reply(422, {"error": message})


__all__ = ["MastodonMedia", "MastodonServer", "MastodonStatus", "status_length"]
