"""A faithful stand-in for X's API v2, as far as newsbot uses it.

Every request is checked against the committed subset of X's official OpenAPI document
(``x-openapi-subset.json``): unknown paths, missing credentials, unknown or malformed parameters and
bodies that break their schema (``CreatePostsRequest`` has ``additionalProperties: false``) are refused
the way X refuses them. OAuth 1.0a signatures are verified (HMAC-SHA1 over the URL the client really
called), so a client that signs one host and talks to another fails here as it would in production.

Behaviour beyond the schema: X refuses a byte-identical text from the same account with 403 "duplicate
content"; a reply must point at an existing post; media ids must come from an upload by this account;
text over 280 weighted characters is refused. The account's timeline answers the ``referenced_posts``
expansion (the document's name for what a post replies to) with each reply's ``referenced_posts``, and
leaves out posts made before ``start_time``. Faults (429 with X's rate and 24-hour headers, 5xx, slow
answers, connection resets) are injected with the Python methods below, never over HTTP.
"""

from __future__ import annotations

import hashlib
import hmac
import html
import itertools
import re
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from types import SimpleNamespace
from typing import Any

from oauthlib.oauth1.rfc5849 import signature as oauth_signature

from .base import FaultyServer, Reply, Request, Upload
from .openapi import Invalid, OpenAPI, Operation
from .x_openapi_subset import load_subset

DUPLICATE_MESSAGE = "You are not allowed to create a Tweet with duplicate content."
REPLY_MISSING_MESSAGE = "You attempted to reply to a Tweet that is deleted or not visible to you."
TOO_LONG_MESSAGE = "Your Tweet text is too long."


@dataclass(frozen=True)
class XCredentials:
    consumer_key: str = "test-consumer-key"
    consumer_secret: str = "test-consumer-secret"
    access_token: str = "1000000000000000001-test-access-token"
    access_token_secret: str = "test-access-token-secret"
    user_bearer_token: str = "test-oauth2-user-token"  # OAuth 2.0 user context
    app_bearer_token: str = "test-app-only-bearer"  # OAuth 2.0 app-only


@dataclass
class XPost:
    id: str
    text: str
    author_id: str
    created_at: datetime
    in_reply_to_tweet_id: str | None = None
    conversation_id: str | None = None
    media_ids: tuple[str, ...] = ()
    auth: str = ""  # "oauth1" | "oauth2-user"
    deleted: bool = False

    def as_json(self, *, references: bool = False) -> dict[str, Any]:
        # X answers with edit_history_tweet_ids (tweepy expects it); the OpenAPI document names it
        # edit_history_post_ids. Post objects allow extra properties, so both are sent.
        text = displayed_text(self.text)
        out: dict[str, Any] = {
            "id": self.id,
            "text": text,
            "edit_history_tweet_ids": [self.id],
            "edit_history_post_ids": [self.id],
        }
        if references and self.in_reply_to_tweet_id is not None:
            # Asked for with the referenced_posts expansion; X leaves the field out of posts that reference
            # nothing. The document's name and shape (PostReferencedPosts), plus X's live name, as above.
            refs = [{"type": "replied_to", "id": self.in_reply_to_tweet_id}]
            out["referenced_posts"] = refs
            out["referenced_tweets"] = [dict(r) for r in refs]
        return out


@dataclass
class XMedia:
    id: str
    data: bytes
    content_type: str
    category: str
    alt_text: str | None = None


@dataclass
class _Limits:
    """Per-endpoint 15-minute counters, reported (not enforced) like X's x-rate-limit-* headers."""

    window_reset: int = 0
    used: dict[str, int] = field(default_factory=dict)
    posts_today: int = 0


class XServer(FaultyServer):
    user_id = "1000000000000000001"
    username = "newsdesk"
    name = "Newsdesk"
    # Posts per 24 hours per user: enforced (429 with x-user-limit-24hour-remaining: 0) and reported on
    # every POST /2/tweets. X's free tier allows 17; the default is higher so long test threads fit.
    user_24h_limit = 100

    def __init__(self, credentials: XCredentials | None = None) -> None:
        super().__init__()
        self.credentials = credentials or XCredentials()
        self.api = OpenAPI(load_subset())
        self._init_state()

    def _init_state(self) -> None:
        self.user_24h_limit = type(self).user_24h_limit
        # X does not document how long it refuses an identical text; False plays a refusal that has lapsed.
        self.refuse_duplicates = True
        self.posts: list[XPost] = []
        self.media: dict[str, XMedia] = {}
        self.limits = _Limits(window_reset=int(time.time()) + 900)
        self._post_ids = itertools.count(1861000000000000001)
        self._media_ids = itertools.count(1861500000000000001)

    def reset(self) -> None:
        with self._lock:
            super().reset()
            self._init_state()

    # --- what tests look at -----------------------------------------------------------------
    @property
    def live_posts(self) -> list[XPost]:
        return [p for p in self.posts if not p.deleted]

    def post(self, post_id: str) -> XPost:
        return next(p for p in self.posts if p.id == post_id)

    # --- fault helpers ------------------------------------------------------------------------
    def rate_limit_next(
        self,
        *,
        times: int = 1,
        reset_in: int = 900,
        user_24h_remaining: int | None = None,
        user_24h_reset_in: int | None = None,
        only: str | None = "POST /2/tweets",
    ) -> None:
        """The next matching request(s) get 429 with x-rate-limit-reset and, if given, 24-hour headers."""
        now = int(time.time())
        headers = {
            "x-rate-limit-limit": "100",
            "x-rate-limit-remaining": "0",
            "x-rate-limit-reset": str(now + reset_in),
        }
        if user_24h_remaining is not None:
            headers["x-user-limit-24hour-limit"] = str(self.user_24h_limit)
            headers["x-user-limit-24hour-remaining"] = str(user_24h_remaining)
            headers["x-user-limit-24hour-reset"] = str(now + (user_24h_reset_in or 86400))
        body = {"title": "Too Many Requests", "detail": "Too Many Requests", "type": "about:blank", "status": 429}
        self.fail_next(429, times=times, body=body, headers=headers, only=only)

    def server_error_next(self, status: int = 503, *, times: int = 1, only: str | None = None) -> None:
        body = {
            "title": "Service Unavailable",
            "detail": "Service Unavailable",
            "type": "about:blank",
            "status": status,
        }
        self.fail_next(status, times=times, body=body, only=only)

    # --- request handling ------------------------------------------------------------------------
    def decorate(self, request: Request, reply: Reply) -> None:
        now = int(time.time())
        if now >= self.limits.window_reset:
            self.limits = _Limits(window_reset=now + 900, posts_today=self.limits.posts_today)
        key = f"{request.method} {request.path}"
        used = self.limits.used[key] = self.limits.used.get(key, 0) + 1
        reply.headers.setdefault("x-rate-limit-limit", "100")
        reply.headers.setdefault("x-rate-limit-remaining", str(max(0, 100 - used)))
        reply.headers.setdefault("x-rate-limit-reset", str(self.limits.window_reset))
        if key == "POST /2/tweets":
            reply.headers.setdefault("x-user-limit-24hour-limit", str(self.user_24h_limit))
            remaining = max(0, self.user_24h_limit - self.limits.posts_today)
            reply.headers.setdefault("x-user-limit-24hour-remaining", str(remaining))
            reply.headers.setdefault("x-user-limit-24hour-reset", str(now + 86400))

    def handle(self, request: Request) -> Reply:
        op = self.api.find(request.method, request.path)
        if op is None:
            return Reply(404, {"errors": [{"message": "Sorry, that page does not exist", "code": 34}]})
        auth = self._authenticate(op, request)
        if isinstance(auth, Reply):
            return auth
        try:
            params = self.api.check_parameters(op, request)
            body = self.api.check_body(op, request)
        except Invalid as exc:
            return _invalid_request(exc)
        handler = getattr(self, f"_op_{op.operation_id}")
        reply: Reply = handler(params, body, auth)
        if 200 <= reply.status < 300:
            self.api.check_response(op, reply.status, reply.body)
        return reply

    # --- authentication ------------------------------------------------------------------------
    def _authenticate(self, op: Operation, request: Request) -> str | Reply:
        header = request.headers.get("authorization", "")
        kinds = self.api.credential_kinds(op)
        creds = self.credentials
        if header.startswith("OAuth "):
            if "UserToken" not in kinds:
                return _forbidden_auth_kind("OAuth 1.0a User Context")
            return "oauth1" if self._oauth1_valid(request, header) else _unauthorized()
        if header.startswith("Bearer "):
            token = header[len("Bearer ") :]
            if hmac.compare_digest(token, creds.user_bearer_token):
                return "oauth2-user" if "OAuth2UserToken" in kinds else _forbidden_auth_kind("OAuth 2.0 User Context")
            if hmac.compare_digest(token, creds.app_bearer_token):
                return "app" if "BearerToken" in kinds else _forbidden_auth_kind("OAuth 2.0 Application-Only")
            return _unauthorized()
        return _unauthorized()

    def _oauth1_valid(self, request: Request, header: str) -> bool:
        fields = dict(
            oauth_signature.collect_parameters(headers={"Authorization": header}, exclude_oauth_signature=False)
        )
        creds = self.credentials
        if fields.get("oauth_consumer_key") != creds.consumer_key or fields.get("oauth_token") != creds.access_token:
            return False
        if fields.get("oauth_signature_method") != "HMAC-SHA1":
            return False
        body = request.body.decode("utf-8") if request.content_type == "application/x-www-form-urlencoded" else None
        params = oauth_signature.collect_parameters(
            uri_query=request.raw_query,
            body=body,
            headers={"Authorization": header},
            exclude_oauth_signature=True,
            with_realm=False,
        )
        host = request.headers.get("host", f"127.0.0.1:{self.port}")
        base = oauth_signature.signature_base_string(
            request.method,
            oauth_signature.base_string_uri(f"http://{host}{request.path}"),
            oauth_signature.normalize_parameters(params),
        )
        signer = SimpleNamespace(client_secret=creds.consumer_secret, resource_owner_secret=creds.access_token_secret)
        expected = oauth_signature.sign_hmac_sha1_with_client(base, signer)
        return hmac.compare_digest(expected, fields.get("oauth_signature", ""))

    # --- operations ----------------------------------------------------------------------------
    def _op_createPosts(self, params: dict[str, Any], body: dict[str, Any], auth: str) -> Reply:
        if self.limits.posts_today >= self.user_24h_limit:
            return Reply(
                429,
                {"title": "Too Many Requests", "detail": "Too Many Requests", "type": "about:blank", "status": 429},
                {"x-user-limit-24hour-remaining": "0"},
            )
        text = body.get("text", "")
        media_ids = tuple(body.get("media", {}).get("media_ids", ()))
        reply_to = body.get("reply", {}).get("in_reply_to_tweet_id")
        if not text and not media_ids:
            return _invalid_request(Invalid("You must provide text or media", parameter="text"))
        if text and not _fits(text):
            return _forbidden(TOO_LONG_MESSAGE)
        for media_id in media_ids:
            if media_id not in self.media:
                return _invalid_request(
                    Invalid("Your media IDs are invalid.", parameter="media.media_ids", value=media_id)
                )
        parent = None
        if reply_to is not None:
            parent = next((p for p in self.live_posts if p.id == reply_to), None)
            if parent is None:
                return _forbidden(REPLY_MISSING_MESSAGE)
        if self.refuse_duplicates and text and any(p.text == text and p.author_id == self.user_id for p in self.live_posts):
            return _forbidden(DUPLICATE_MESSAGE)
        post_id = str(next(self._post_ids))
        post = XPost(
            id=post_id,
            text=text,
            author_id=self.user_id,
            created_at=datetime.now(UTC),
            in_reply_to_tweet_id=reply_to,
            conversation_id=(parent.conversation_id if parent else None) or post_id,
            media_ids=media_ids,
            auth=auth,
        )
        self.posts.append(post)
        self.limits.posts_today += 1
        return Reply(201, {"data": post.as_json()})

    def _op_deletePosts(self, params: dict[str, Any], body: Any, auth: str) -> Reply:
        post = next((p for p in self.live_posts if p.id == params["id"]), None)
        if post is None:
            return _not_found("post", params["id"])
        post.deleted = True
        return Reply(200, {"data": {"deleted": True}})

    def _op_getPostsById(self, params: dict[str, Any], body: Any, auth: str) -> Reply:
        post = next((p for p in self.live_posts if p.id == params["id"]), None)
        if post is None:
            return _not_found("post", params["id"])
        return Reply(200, {"data": post.as_json()})

    def _op_getUsersMe(self, params: dict[str, Any], body: Any, auth: str) -> Reply:
        if auth == "app":  # X: app-only tokens have no "me"
            return _forbidden_auth_kind("OAuth 2.0 Application-Only")
        return Reply(200, {"data": {"id": self.user_id, "name": self.name, "username": self.username}})

    def _op_getUsersPosts(self, params: dict[str, Any], body: Any, auth: str) -> Reply:
        if params["id"] != self.user_id:
            return _not_found("user", params["id"])
        posts = self.live_posts
        if params.get("start_time"):  # the oldest creation time wanted (RFC 3339, as tweepy writes it)
            oldest = datetime.fromisoformat(str(params["start_time"]).replace("Z", "+00:00"))
            posts = [p for p in posts if p.created_at >= oldest]
        newest_first = sorted(posts, key=lambda p: int(p.id), reverse=True)
        page = newest_first[: params.get("max_results", 10)]
        meta: dict[str, Any] = {"result_count": len(page)}
        if page:
            meta.update(newest_id=page[0].id, oldest_id=page[-1].id)
        body_out: dict[str, Any] = {"meta": meta}
        references = "referenced_posts" in params.get("expansions", ())
        if page:
            body_out["data"] = [p.as_json(references=references) for p in page]
        if references:
            # The expansion also brings the referenced posts themselves, under includes.posts.
            wanted = {p.in_reply_to_tweet_id for p in page if p.in_reply_to_tweet_id}
            included = [p.as_json() for p in self.live_posts if p.id in wanted]
            if included:
                body_out["includes"] = {"posts": included}
        return Reply(200, body_out)

    def _op_mediaUpload(self, params: dict[str, Any], body: dict[str, Any], auth: str) -> Reply:
        media = body["media"]
        if not isinstance(media, Upload):
            return _invalid_request(Invalid("media must be a file part in multipart uploads", parameter="media"))
        if not media.data:
            return _invalid_request(Invalid("media is empty", parameter="media"))
        media_id = str(next(self._media_ids))
        self.media[media_id] = XMedia(media_id, media.data, media.content_type, body["media_category"])
        data = {
            "id": media_id,
            "media_key": f"3_{media_id}",
            "size": len(media.data),
            "expires_after_secs": 86400,
            "image": {"image_type": media.content_type},
        }
        return Reply(200, {"data": data})

    def _op_createMediaMetadata(self, params: dict[str, Any], body: dict[str, Any], auth: str) -> Reply:
        media = self.media.get(body["id"])
        if media is None:
            return _not_found("media", body["id"])
        metadata = body.get("metadata", {})
        if "alt_text" in metadata:
            media.alt_text = metadata["alt_text"]["text"]
        return Reply(200, {"data": {"id": media.id, "associated_metadata": metadata}})


_URL = re.compile(r"https?://\S+")


def displayed_text(text: str) -> str:
    """Text as X returns it: links wrapped as t.co links and &, <, > escaped as HTML entities."""
    wrapped = _URL.sub(lambda m: "https://t.co/" + hashlib.sha1(m.group(0).encode()).hexdigest()[:10], text)
    return html.escape(wrapped, quote=False)


def _fits(text: str) -> bool:
    try:
        from twitter_text import parse_tweet
    except ImportError:  # the check is a courtesy; the schema checks do not depend on it
        return True
    return bool(parse_tweet(text).valid)


def _invalid_request(exc: Invalid) -> Reply:
    # X's shape for schema/parameter violations.
    error: dict[str, Any] = {"message": exc.message}
    if exc.parameter:
        error["parameters"] = {exc.parameter: [str(exc.value) if exc.value is not None else ""]}
    return Reply(
        400,
        {
            "errors": [error],
            "title": "Invalid Request",
            "detail": "One or more parameters to your request was invalid.",
            "type": "https://api.x.com/2/problems/invalid-request",
        },
    )


def _unauthorized() -> Reply:
    return Reply(401, {"title": "Unauthorized", "type": "about:blank", "status": 401, "detail": "Unauthorized"})


def _forbidden(detail: str) -> Reply:
    return Reply(403, {"detail": detail, "type": "about:blank", "title": "Forbidden", "status": 403})


def _forbidden_auth_kind(kind: str) -> Reply:
    return Reply(
        403,
        {
            "title": "Unsupported Authentication",
            "detail": f"Authenticating with {kind} is forbidden for this endpoint.  Supported authentication types "
            "are [OAuth 1.0a User Context, OAuth 2.0 User Context].",
            "type": "https://api.x.com/2/problems/unsupported-authentication",
            "status": 403,
        },
    )


def _not_found(kind: str, value: str) -> Reply:
    return Reply(
        404,
        {
            "errors": [
                {
                    "value": value,
                    "detail": f"Could not find {kind} with id: [{value}].",
                    "title": "Not Found Error",
                    "resource_type": kind,
                    "parameter": "id",
                    "resource_id": value,
                    "type": "https://api.x.com/2/problems/resource-not-found",
                }
            ],
            "title": "Not Found Error",
            "detail": f"Could not find {kind} with id: [{value}].",
            "type": "https://api.x.com/2/problems/resource-not-found",
        },
    )
