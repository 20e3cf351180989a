"""X (Twitter) adapter: tweepy's API v2 ``Client`` for posts, X's v2 media endpoints for images.

Authentication: OAuth 1.0a user context when all four of X_CONSUMER_KEY, X_CONSUMER_SECRET,
X_ACCESS_TOKEN and X_ACCESS_TOKEN_SECRET are set, else an OAuth 2.0 user token (X_BEARER_TOKEN,
sent with ``user_auth=False``).

tweepy hard-codes ``https://api.twitter.com``; its ``Client.session`` is a ``requests.Session``, so we give
it one that rewrites that host to ``X_API_BASE_URL`` (default https://api.x.com) and applies our timeout.
The rewrite happens before OAuth 1.0a signing, so the signature covers the URL really called.

Exactly once: X has no idempotency key. ``reconcile`` therefore *resends the identical text*: X answers
403 "duplicate content" if the first send went through, and we then look the post up among the account's
latest posts to learn its id: same text AND same reply parent (none for a top-level post), since another
thread may hold a post with the very same text, and X refuses ours as its duplicate. If the first send
never arrived, the resend publishes it, and that new post is the answer — so, unlike the other adapters,
reconcile on X may itself publish.
"""

from __future__ import annotations

import hashlib
import html
import json
import logging
import re
import unicodedata
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

import requests
import tweepy

from ..errors import DuplicateContentError, PlatformError
from ..models import Part, PublishResult
from .base import KeyValue, Platform
from .media import load_for_upload

if TYPE_CHECKING:
    from ..config import Settings

TWEEPY_HOST = "https://api.twitter.com"
MAX_IMAGE_BYTES = 5_000_000  # X's limit for images uploaded as tweet_image
LOOKBACK = 100  # how many recent posts reconcile searches for a duplicate's id (the API's page maximum)
# ``find`` looks only at posts made since the first attempt, less this much for clocks that disagree: X shows
# every link as t.co, so an older post that differs only by its link (a recurring headline) looks the same.
FIND_MARGIN = timedelta(hours=1)
# A send whose state was prepared longer ago than this is a retry: it looks for the earlier attempt first.
LOOK_FIRST_AFTER = timedelta(minutes=1)
STATE_USER = "x.user"

log = logging.getLogger(__name__)

# tweepy logs every request's headers at DEBUG, bearer token included; keep that out of any log.
logging.getLogger("tweepy.client").setLevel(logging.INFO)
DUPLICATE_TEXT = "duplicate content"
REFERENCES = "referenced_posts"  # the expansion (and Post field) naming what a post replies to, quotes, reposts


def status_url(post_id: str) -> str:
    return f"https://x.com/i/web/status/{post_id}"


class _RebasedSession(requests.Session):
    """Sends tweepy's hard-coded api.twitter.com requests to the configured base URL, with a timeout."""

    def __init__(self, base_url: str, timeout: float, user_agent: str) -> None:
        super().__init__()
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout
        self.headers["User-Agent"] = user_agent

    def request(self, method: str, url: str, *args: Any, **kwargs: Any) -> requests.Response:  # type: ignore[override]
        if url.startswith(TWEEPY_HOST):
            url = self.base_url + url[len(TWEEPY_HOST) :]
        kwargs.setdefault("timeout", self.timeout)
        return super().request(method, url, *args, **kwargs)


class XPlatform(Platform):
    name = "x"
    max_images = 4

    def __init__(self, settings: Settings, state: KeyValue) -> None:
        self.settings = settings
        self.state = state
        self.base_url = settings.x_api_base_url or "https://api.x.com"
        oauth1 = (
            settings.x_consumer_key,
            settings.x_consumer_secret,
            settings.x_access_token,
            settings.x_access_token_secret,
        )
        self.user_auth = all(secret is not None for secret in oauth1)
        if self.user_auth:
            ck, cs, at, ats = (s.get_secret_value() for s in oauth1 if s is not None)
            self.client = tweepy.Client(consumer_key=ck, consumer_secret=cs, access_token=at, access_token_secret=ats)
            self._token_fingerprint = _fingerprint(at)
        elif settings.x_bearer_token is not None:
            token = settings.x_bearer_token.get_secret_value()
            self.client = tweepy.Client(bearer_token=token)
            self._token_fingerprint = _fingerprint(token)
        else:
            raise PlatformError(
                "x",
                "X is not configured: set X_CONSUMER_KEY, X_CONSUMER_SECRET, X_ACCESS_TOKEN and "
                "X_ACCESS_TOKEN_SECRET (or X_BEARER_TOKEN) in .env",
            )
        self.client.session = _RebasedSession(self.base_url, settings.http_timeout_seconds, settings.user_agent)
        self.clock: Callable[[], datetime] = lambda: datetime.now(UTC)

    def prepare(self, key: str) -> dict[str, Any]:
        # When the first attempt started: ``find`` looks no further back (see FIND_MARGIN).
        return {"idempotency_key": key, "prepared_at": self.clock().isoformat()}

    # --- the contract ----------------------------------------------------------------------------
    def publish(
        self,
        part: Part,
        *,
        prepared: dict[str, Any],
        reply_to: PublishResult | None = None,
        root: PublishResult | None = None,
    ) -> PublishResult:
        if self._is_retry(prepared):
            # An earlier attempt may have landed (a timeout after X took it), and how long X refuses the
            # identical text as a duplicate is not documented: look before sending again, as Mastodon does
            # once its Idempotency-Key may be forgotten.
            try:
                found = self.find(part, prepared=prepared, reply_to=reply_to)
            except PlatformError as exc:
                # An API tier without timeline reads: X's duplicate check is the guard left.
                log.info("x: could not look for an earlier attempt before resending (%s)", exc)
                found = None
            if found is not None:
                log.info("x: post %s from an earlier attempt is there; not sending it again", found.remote_id)
                return found
        media_ids = [self._upload(image.source, image.alt) for image in part.images[: self.max_images]]
        try:
            response = self.client.create_tweet(
                text=part.text,
                in_reply_to_tweet_id=reply_to.remote_id if reply_to else None,
                media_ids=media_ids or None,
                user_auth=self.user_auth,
            )
        except (tweepy.TweepyException, requests.RequestException) as exc:
            raise self._error(exc, "posting") from None
        post_id = str(response.data["id"])
        return PublishResult(remote_id=post_id, url=status_url(post_id))

    def reconcile(
        self,
        part: Part,
        *,
        prepared: dict[str, Any],
        reply_to: PublishResult | None = None,
        root: PublishResult | None = None,
    ) -> PublishResult | None:
        """Resend the identical text; "duplicate content" means the first send landed: find its id."""
        try:
            return self.publish(part, prepared=prepared, reply_to=reply_to, root=root)
        except DuplicateContentError:
            parent = reply_to.remote_id if reply_to else None
            same_text = self._recent_with_text(part.text)
            for post_id, post_parent in same_text:
                if post_parent == parent:
                    return PublishResult(remote_id=post_id, url=status_url(post_id))
            # The same text under another parent (two articles' threads quoting one statement) is NOT this
            # post: adopting it would record the wrong id and thread the next part into another thread.
            where = f"as a reply to post {parent}" if parent else "as a post of its own (not a reply)"
            other = f" ({status_url(same_text[0][0])})" if same_text else ""
            raise DuplicateContentError(
                "x",
                f"X refuses this text as a duplicate of another post{other}: the account already posted the "
                f"identical text, and none of its latest {LOOKBACK} posts has it {where}. Make the text differ "
                "(edit the template or the article), then `newsbot retry ID`",
                status=403,
            ) from None

    def _is_retry(self, prepared: dict[str, Any]) -> bool:
        """Prepared for an earlier attempt (the outbox keeps what the first claim prepared)."""
        started = _started(prepared)
        return started is not None and self.clock() - started > LOOK_FIRST_AFTER

    def find(
        self,
        part: Part,
        *,
        prepared: dict[str, Any],
        reply_to: PublishResult | None = None,
    ) -> PublishResult | None:
        return self.find_recent(part.text, reply_to.remote_id if reply_to else None, since=_since(prepared))

    def delete(self, result: PublishResult) -> None:
        try:
            self.client.delete_tweet(result.remote_id, user_auth=self.user_auth)
        except tweepy.NotFound:
            return  # already gone: deleting is done
        except (tweepy.TweepyException, requests.RequestException) as exc:
            raise self._error(exc, "deleting a post") from None

    def check(self) -> str:
        return "@" + self._me(refresh=True)["username"]

    # --- helpers ---------------------------------------------------------------------------------
    def find_recent(
        self, text: str, reply_to: str | None = None, *, since: datetime | None = None
    ) -> PublishResult | None:
        """Our post with this text that replies to ``reply_to`` (or, when None, is no reply at all) among
        the account's latest posts (made at ``since`` or later, when given)."""
        for post_id, parent in self._recent_with_text(text, since=since):
            if parent == reply_to:
                return PublishResult(remote_id=post_id, url=status_url(post_id))
        return None

    def _recent_with_text(self, text: str, *, since: datetime | None = None) -> list[tuple[str, str | None]]:
        """(id, id of the post it replies to) of the account's latest posts with this text, newest first.
        X's returned text is escaped and its links are t.co-wrapped, so both sides are compared with links
        and entities normalised."""
        wanted = _comparable(text)
        try:
            # X's OpenAPI document has no post.fields value for a post's references; they come with the
            # ``referenced_posts`` expansion, as the post's ``referenced_posts`` list.
            response = self.client.get_users_tweets(
                self._me()["id"], max_results=LOOKBACK, expansions=[REFERENCES], start_time=since,
                user_auth=self.user_auth,
            )
        except (tweepy.TweepyException, requests.RequestException) as exc:
            raise self._error(exc, "reading recent posts") from None
        return [
            (str(post.id), replied_to(post.data)) for post in response.data or () if _comparable(post.text) == wanted
        ]

    def _me(self, *, refresh: bool = False) -> dict[str, str]:
        cached = self.state.get(STATE_USER)
        if cached and not refresh:
            me = json.loads(cached)
            if me.get("token") == self._token_fingerprint:  # new credentials: ask again
                return me
        try:
            response = self.client.get_me(user_auth=self.user_auth)
        except (tweepy.TweepyException, requests.RequestException) as exc:
            raise self._error(exc, "checking the account") from None
        me = {"id": str(response.data.id), "username": str(response.data.username), "token": self._token_fingerprint}
        self.state.set(STATE_USER, json.dumps(me))
        return me

    def _upload(self, source: str, alt: str) -> str:
        """POST /2/media/upload (multipart), then the alt text through /2/media/metadata."""
        image = load_for_upload("x", source, self.settings, max_bytes=MAX_IMAGE_BYTES)
        extension = image.mime_type.split("/")[-1]
        try:
            response = self._raw(
                "POST",
                "/2/media/upload",
                files={"media": (f"image.{extension}", image.data, image.mime_type)},
                data={"media_category": "tweet_image"},
            )
            media_id = str(response.json()["data"]["id"])
            if alt:
                self._raw(
                    "POST", "/2/media/metadata", json={"id": media_id, "metadata": {"alt_text": {"text": alt[:1000]}}}
                )
        except (tweepy.TweepyException, requests.RequestException) as exc:
            raise self._error(exc, "uploading an image") from None
        except (KeyError, ValueError):
            raise PlatformError(
                "x", "X answered the image upload without a media id; try again later", retryable=True
            ) from None
        return media_id

    def _raw(self, method: str, route: str, **kwargs: Any) -> requests.Response:
        """A request tweepy's Client has no method for, with the same auth and the same error types."""
        headers = {}
        auth = None
        if self.user_auth:
            auth = tweepy.OAuth1UserHandler(
                self.client.consumer_key,
                self.client.consumer_secret,
                self.client.access_token,
                self.client.access_token_secret,
            ).apply_auth()
        else:
            headers["Authorization"] = f"Bearer {self.client.bearer_token}"
        response = self.client.session.request(method, TWEEPY_HOST + route, headers=headers, auth=auth, **kwargs)
        _raise_for_status(response)
        return response

    def _error(self, exc: Exception, doing: str) -> PlatformError:
        return map_error(exc, doing=doing, user_auth=self.user_auth, base_url=self.base_url)


# --- pure helpers ----------------------------------------------------------------------------------
def _started(prepared: dict[str, Any]) -> datetime | None:
    try:
        started = datetime.fromisoformat(str(prepared["prepared_at"]))
    except (KeyError, ValueError):
        return None
    return started if started.tzinfo is not None else started.replace(tzinfo=UTC)


def _since(prepared: dict[str, Any]) -> datetime | None:
    """The oldest moment a post tried under ``prepared`` can have been made; None when unknown (a row
    prepared before ``prepared_at`` was recorded: every recent post is a candidate, as before)."""
    started = _started(prepared)
    return None if started is None else started - FIND_MARGIN


def _fingerprint(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()[:12]


_URL = re.compile(r"https?://\S+")


def replied_to(post: dict[str, Any]) -> str | None:
    """The id of the post this one replies to, from a post object as X returns it; None for no reply.
    X's OpenAPI document names the list ``referenced_posts``; X's live API and tweepy call it
    ``referenced_tweets``: either is read."""
    for field_name in (REFERENCES, "referenced_tweets"):
        for reference in post.get(field_name) or ():
            if isinstance(reference, dict) and reference.get("type") == "replied_to" and reference.get("id"):
                return str(reference["id"])
    return None


def _comparable(text: str) -> str:
    text = unicodedata.normalize("NFC", html.unescape(text))
    return " ".join(_URL.sub("<url>", text).split())


def _raise_for_status(response: requests.Response) -> None:
    """The exceptions tweepy's Client raises for the same statuses."""
    status = response.status_code
    if status == 400:
        raise tweepy.BadRequest(response)
    if status == 401:
        raise tweepy.Unauthorized(response)
    if status == 403:
        raise tweepy.Forbidden(response)
    if status == 404:
        raise tweepy.NotFound(response)
    if status == 429:
        reset = response.headers.get("x-rate-limit-reset")
        raise tweepy.TooManyRequests(response, reset_time=int(reset) if reset and reset.isdigit() else None)
    if status >= 500:
        raise tweepy.TwitterServerError(response)
    if not 200 <= status < 300:
        raise tweepy.HTTPException(response)


def reset_at_from_headers(headers: Any) -> datetime | None:
    """When X will take requests again: ``x-rate-limit-reset``, or the later 24-hour reset when a
    24-hour allowance (user or app) is used up."""
    moments: list[int] = []
    window = _epoch(headers.get("x-rate-limit-reset"))
    if window is not None:
        moments.append(window)
    for scope in ("user", "app"):
        remaining = headers.get(f"x-{scope}-limit-24hour-remaining")
        reset = _epoch(headers.get(f"x-{scope}-limit-24hour-reset"))
        if reset is not None and remaining is not None and remaining.strip() == "0":
            moments.append(reset)
    return datetime.fromtimestamp(max(moments), UTC) if moments else None


def _daily_cap_hit(headers: Any) -> bool:
    return any((headers.get(f"x-{scope}-limit-24hour-remaining") or "").strip() == "0" for scope in ("user", "app"))


def _epoch(value: str | None) -> int | None:
    if value is None:
        return None
    try:
        return int(value.strip())
    except ValueError:
        return None


def _detail(exc: tweepy.HTTPException) -> str:
    """X's own words: the problem ``detail``, else the ``errors`` messages, else the status line."""
    try:
        body = exc.response.json()
    except ValueError:
        body = None
    parts: list[str] = []
    if isinstance(body, dict):
        if isinstance(body.get("detail"), str):
            parts.append(body["detail"])
        for error in body.get("errors") or ():
            if isinstance(error, dict):
                message = error.get("message") or error.get("detail")
                if isinstance(message, str) and message not in parts:
                    parts.append(message)
    if not parts:
        parts = [m for m in exc.api_messages if isinstance(m, str)]
    text = "; ".join(parts) or f"HTTP {exc.response.status_code}"
    return text if len(text) <= 300 else text[:297] + "..."


def map_error(exc: Exception, *, doing: str, user_auth: bool, base_url: str) -> PlatformError:
    """A tweepy or requests failure as a PlatformError a person can act on."""
    if isinstance(exc, tweepy.HTTPException):
        status = exc.response.status_code
        detail = _detail(exc)
        if isinstance(exc, tweepy.Unauthorized):
            if user_auth:
                fix = (
                    "regenerate it in the developer portal and set X_ACCESS_TOKEN and X_ACCESS_TOKEN_SECRET "
                    "(X_CONSUMER_KEY and X_CONSUMER_SECRET must belong to the same app)"
                )
            else:
                fix = "OAuth 2.0 user tokens expire after two hours: create a new one and set X_BEARER_TOKEN"
            return PlatformError("x", f"X rejected the access token (401): {fix}", status=401)
        if isinstance(exc, tweepy.Forbidden):
            if DUPLICATE_TEXT in detail.lower():
                return DuplicateContentError("x", f"X refused the post as a duplicate (403): {detail}", status=403)
            hint = ""
            if "oauth" in detail.lower() or "permission" in detail.lower():
                hint = (
                    " — give the app Read and Write permissions in the developer portal, then regenerate "
                    "X_ACCESS_TOKEN and X_ACCESS_TOKEN_SECRET"
                )
            return PlatformError("x", f"X refused {doing} (403): {detail}{hint}", status=403)
        if isinstance(exc, tweepy.TooManyRequests):
            headers = exc.response.headers
            reset_at = reset_at_from_headers(headers)
            when = f"; X accepts requests again at {reset_at.isoformat(timespec='seconds')}" if reset_at else ""
            what = "X's 24-hour posting limit is used up" if _daily_cap_hit(headers) else "X's rate limit was hit"
            return PlatformError(
                "x", f"{what} (429) while {doing}{when}", retryable=True, reset_at=reset_at, status=429
            )
        if isinstance(exc, tweepy.TwitterServerError):
            return PlatformError(
                "x", f"X had a server error ({status}) while {doing}: {detail}", retryable=True, status=status
            )
        if isinstance(exc, tweepy.BadRequest):
            return PlatformError("x", f"X rejected the request as invalid (400) while {doing}: {detail}", status=400)
        if isinstance(exc, tweepy.NotFound):
            return PlatformError("x", f"X found nothing (404) while {doing}: {detail}", status=404)
        retryable = status in (408, 409, 425)
        return PlatformError("x", f"X answered {status} while {doing}: {detail}", retryable=retryable, status=status)
    if isinstance(exc, requests.Timeout):
        return PlatformError("x", f"X did not answer in time while {doing}", retryable=True)
    if isinstance(exc, requests.ConnectionError):
        return PlatformError(
            "x", f"could not reach X at {base_url} while {doing} ({_reason(exc)})", retryable=True
        )
    if isinstance(exc, requests.RequestException):
        return PlatformError("x", f"the request to X failed while {doing}: {_reason(exc)}", retryable=True)
    return PlatformError("x", f"X client error while {doing}: {exc}")


def _reason(exc: Exception) -> str:
    text = str(exc)
    for marker in (
        "Connection reset by peer",
        "Connection refused",
        "Remote end closed connection",
        "Name or service not known",
    ):
        if marker in text:
            return marker.lower()
    return type(exc).__name__
