"""Bluesky adapter (atproto SDK, imported only here and only when Bluesky is used).

Exactly once: ``prepare`` picks the record key (a TID) that the post will be created under, and the
executor stores it before sending. After a crash, ``reconcile`` reads that record back from the repo; a
resend under the same key can never produce a second post (the PDS refuses a second record at one key).

Sessions: ``createSession`` is rate limited hard (30 per 5 minutes, a few hundred a day), so the session
string is kept in the bot's key-value state and reused; every new or refreshed session is saved again.
Only when the stored session is rejected does the adapter log in with the app password.
"""

from __future__ import annotations

import logging
import secrets
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any, TypeVar

from ..errors import PlatformError
from ..models import Facet, Image, LinkCard, Part, PublishResult
from .base import KeyValue, Platform
from .media import MediaError, fit_image, read_image

if TYPE_CHECKING:
    from atproto_client import Client
    from atproto_client.client.session import Session, SessionEvent

    from ..config import Settings

log = logging.getLogger(__name__)

T = TypeVar("T")
POST = "app.bsky.feed.post"
MAX_BLOB_BYTES = 1_000_000  # app.bsky.embed.images / external thumb maxSize
WEB_URL = "https://bsky.app"
# Errors that mean "this session is no good any more": log in with the password once and try again.
_SESSION_ERRORS = {"ExpiredToken", "InvalidToken", "AuthenticationRequired", "AuthMissing"}
_CREDENTIALS_HINT = (
    "check BLUESKY_HANDLE and BLUESKY_APP_PASSWORD (create an app password at bsky.app: "
    "Settings → Privacy and security → App passwords)"
)

# --- record keys -------------------------------------------------------------------------------

_TID_ALPHABET = "234567abcdefghijklmnopqrstuvwxyz"  # base32-sortable
_tid_lock = threading.Lock()
_last_tid_micros = 0


def encode_tid(micros: int, clock_id: int) -> str:
    """The 13-character TID for a microsecond timestamp and a 10-bit clock id (atproto TID spec)."""
    if not 0 <= micros < 1 << 53 or not 0 <= clock_id < 1 << 10:
        raise ValueError("a TID needs 0 <= micros < 2**53 and 0 <= clock_id < 1024")
    value = (micros << 10) | clock_id  # the top bit of the 64 stays 0
    return "".join(_TID_ALPHABET[(value >> (5 * i)) & 31] for i in reversed(range(13)))


def next_tid() -> str:
    """A fresh TID, strictly increasing within this process even when the clock stalls or steps back."""
    global _last_tid_micros
    with _tid_lock:
        micros = max(time.time_ns() // 1000, _last_tid_micros + 1)
        _last_tid_micros = micros
    return encode_tid(micros, secrets.randbelow(1 << 10))


# --- the adapter -------------------------------------------------------------------------------


class BlueskyPlatform(Platform):
    name = "bluesky"
    max_images = 4
    supports_cards = True

    def __init__(self, settings: Settings, state: KeyValue) -> None:
        if not settings.bluesky_handle or settings.bluesky_app_password is None:
            raise PlatformError("bluesky", "Bluesky is not configured: set BLUESKY_HANDLE and BLUESKY_APP_PASSWORD")
        self._settings = settings
        self._state = state
        self._handle = settings.bluesky_handle.lstrip("@")
        self._client: Client | None = None
        self._fresh_login = False  # True once this instance logged in with the password

    @property
    def session_key(self) -> str:
        return f"bluesky.session.{self._handle}"

    # --- the Platform contract ------------------------------------------------------------

    def prepare(self, key: str) -> dict[str, Any]:
        return {"idempotency_key": key, "rkey": next_tid()}

    def publish(
        self,
        part: Part,
        *,
        prepared: dict[str, Any],
        reply_to: PublishResult | None = None,
        root: PublishResult | None = None,
    ) -> PublishResult:
        from atproto_client import models

        rkey = prepared.get("rkey") or next_tid()
        client = self._session_client()
        record = models.AppBskyFeedPost.Record(
            text=part.text,
            created_at=client.get_current_time_iso(),
            facets=self._facets(part) or None,
            langs=_langs(prepared) or None,
            embed=self._embed(part),
            reply=_reply_ref(reply_to, root),
        )
        try:
            created = self._call(
                "publishing a post", lambda c: c.app.bsky.feed.post.create(self._did(c), record, rkey=rkey)
            )
        except PlatformError as failure:
            # The send may have landed before the failure (a timeout, or a retry of a post that was
            # created but never recorded: the PDS answers a second record at one key with a 500).
            try:
                found = self._get_post(rkey)
            except PlatformError:
                raise failure from None
            if found is None:
                raise
            log.info("bluesky: post %s already exists; not sending it again", rkey)
            return found
        return self._result(created.uri, created.cid, rkey)

    def find(
        self,
        part: Part,
        *,
        prepared: dict[str, Any],
        reply_to: PublishResult | None = None,
    ) -> PublishResult | None:
        rkey = prepared.get("rkey")
        return self._get_post(str(rkey)) if rkey else None  # no record key prepared: never sent

    def reconcile(
        self,
        part: Part,
        *,
        prepared: dict[str, Any],
        reply_to: PublishResult | None = None,
        root: PublishResult | None = None,
    ) -> PublishResult | None:
        rkey = prepared.get("rkey")
        return self._get_post(rkey) if rkey else None

    def delete(self, result: PublishResult) -> None:
        from atproto_core.uri import AtUri

        uri = AtUri.from_str(str(result.extra.get("uri") or result.remote_id))
        rkey = str(result.extra.get("rkey") or uri.rkey)
        self._call("deleting a post", lambda c: c.app.bsky.feed.post.delete(uri.host, rkey))

    def check(self) -> str:
        session = self._call("checking the session", lambda c: c.com.atproto.server.get_session())
        return f"@{session.handle} ({session.did})"

    # --- session --------------------------------------------------------------------------

    def _session_client(self) -> Client:
        """A logged-in client: the stored session if there is one, else a password login."""
        if self._client is not None:
            return self._client
        from atproto_client import Client
        from atproto_client.request import Request

        client = Client(self._settings.bluesky_pds_url, request=Request(timeout=self._settings.http_timeout_seconds))
        client.on_session_change(self._save_session)
        saved = self._state.get(self.session_key)
        if saved and _session_usable(saved):
            client.login(session_string=saved, fetch_bsky_profile=False)  # no request: just the tokens
        else:
            self._password_login(client)
        self._client = client
        return client

    def _password_login(self, client: Client) -> None:
        from atproto_client import exceptions

        assert self._settings.bluesky_app_password is not None
        try:
            client.login(
                self._handle, self._settings.bluesky_app_password.get_secret_value(), fetch_bsky_profile=False
            )
        except exceptions.AtProtocolError as exc:
            name, message = _error_name(exc)
            status = _status(exc)
            if name == "AuthFactorTokenRequired":
                raise PlatformError(
                    "bluesky",
                    f"Bluesky wants an email sign-in code for {self._handle}: put an app password, not the "
                    "account password, in BLUESKY_APP_PASSWORD",
                    status=status,
                ) from None
            if name in ("AccountTakedown", "AccountDeactivated"):
                raise PlatformError(
                    "bluesky", f"the Bluesky account {self._handle} is unavailable ({name}: {message})", status=status
                ) from None
            if isinstance(exc, exceptions.UnauthorizedError) or (
                isinstance(exc, exceptions.BadRequestError) and name in ("InvalidRequest", *_SESSION_ERRORS)
            ):
                raise PlatformError(
                    "bluesky",
                    f"Bluesky rejected the handle or app password of {self._handle} ({status}): {_CREDENTIALS_HINT}",
                    status=status,
                ) from None
            raise self._error("logging in", exc) from None
        self._fresh_login = True

    def _save_session(self, event: SessionEvent, session: Session) -> None:
        from atproto_client.client.session import SessionEvent

        if event in (SessionEvent.CREATE, SessionEvent.REFRESH):
            self._state.set(self.session_key, session.export())

    def _did(self, client: Client) -> str:
        session = client._session  # the SDK keeps no public accessor for the DID without a profile
        assert session is not None
        return session.did

    def _call(self, what: str, fn: Callable[[Client], T]) -> T:
        """Run ``fn`` with a logged-in client; a rejected stored session earns one password login."""
        from atproto_client import exceptions

        client = self._session_client()
        try:
            return fn(client)
        except exceptions.AtProtocolError as exc:
            if self._fresh_login or not _session_rejected(exc):
                raise self._error(what, exc) from None
            log.info("bluesky: the saved session was rejected (%s); logging in again", _error_name(exc)[0])
        self._password_login(client)
        try:
            return fn(client)
        except exceptions.AtProtocolError as exc:
            raise self._error(what, exc) from None

    # --- records --------------------------------------------------------------------------

    def _get_post(self, rkey: str) -> PublishResult | None:
        from atproto_client import exceptions

        def get(client: Client) -> Any:
            try:
                return client.app.bsky.feed.post.get(self._did(client), rkey)
            except exceptions.BadRequestError as exc:
                if _error_name(exc)[0] == "RecordNotFound":
                    return None
                raise

        found = self._call("looking up a post", get)
        return None if found is None else self._result(found.uri, found.cid, rkey)

    def _result(self, uri: str, cid: str, rkey: str) -> PublishResult:
        session = self._session_client()._session
        handle = session.handle if session else self._handle
        return PublishResult(
            remote_id=uri, url=f"{WEB_URL}/profile/{handle}/post/{rkey}", extra={"uri": uri, "cid": cid, "rkey": rkey}
        )

    def _facets(self, part: Part) -> list[Any]:
        from atproto_client import models

        size = len(part.text.encode("utf-8"))
        facets = []
        for facet in part.facets:
            if not 0 <= facet.byte_start < facet.byte_end <= size:
                raise PlatformError(
                    "bluesky",
                    f"a {facet.kind} facet covers bytes {facet.byte_start}-{facet.byte_end} of a "
                    f"{size}-byte post; this is a bug in composing the post",
                )
            feature = self._feature(facet)
            if feature is not None:
                index = models.AppBskyRichtextFacet.ByteSlice(byte_start=facet.byte_start, byte_end=facet.byte_end)
                facets.append(models.AppBskyRichtextFacet.Main(features=[feature], index=index))
        return facets

    def _feature(self, facet: Facet) -> Any:
        from atproto_client import exceptions, models

        if facet.kind == "link":
            return models.AppBskyRichtextFacet.Link(uri=facet.value)
        if facet.kind == "tag":
            return models.AppBskyRichtextFacet.Tag(tag=facet.value.lstrip("#"))
        did = facet.value
        if not did.startswith("did:"):
            handle = did.lstrip("@")
            try:
                did = self._call("resolving a handle", lambda c: c.resolve_handle(handle).did)
            except PlatformError as exc:
                if exc.retryable:
                    raise
                log.warning("bluesky: @%s does not resolve; posting the mention as plain text", handle)
                return None
            except exceptions.AtProtocolError:  # pragma: no cover - _call maps these
                return None
        return models.AppBskyRichtextFacet.Mention(did=did)

    def _embed(self, part: Part) -> Any:
        from atproto_client import models

        if part.images:  # one embed per post: pictures win over the link card (the link stays a facet)
            if len(part.images) > self.max_images:
                log.warning("bluesky: %d images given; posting the first %d", len(part.images), self.max_images)
            images = [self._image(image) for image in part.images[: self.max_images]]
            return models.AppBskyEmbedImages.Main(images=images)
        if part.card is not None:
            return models.AppBskyEmbedExternal.Main(external=self._external(part.card))
        return None

    def _image(self, image: Image) -> Any:
        from atproto_client import models

        if not image.alt.strip():
            raise PlatformError("bluesky", f"image {image.source} has no alt text; describe it in the article")
        try:
            fitted = fit_image(self._read(image.source), max_bytes=MAX_BLOB_BYTES)
        except MediaError as exc:
            raise PlatformError("bluesky", exc.message, retryable=exc.retryable) from None
        blob = self._upload(fitted.data, fitted.mime_type)
        ratio = models.AppBskyEmbedDefs.AspectRatio(width=fitted.width, height=fitted.height)
        return models.AppBskyEmbedImages.Image(alt=image.alt, image=blob, aspect_ratio=ratio)

    def _external(self, card: LinkCard) -> Any:
        from atproto_client import models

        thumb = None
        if card.image:
            try:
                fitted = fit_image(self._read(card.image), max_bytes=MAX_BLOB_BYTES)
                thumb = self._upload(fitted.data, fitted.mime_type)
            except MediaError as exc:
                # A card without a picture still beats no card: post it and say why.
                log.warning("bluesky: link card without thumbnail: %s", exc.message)
        return models.AppBskyEmbedExternal.External(
            uri=card.url, title=card.title, description=card.description, thumb=thumb
        )

    def _read(self, source: str) -> bytes:
        return read_image(
            source, timeout=self._settings.http_timeout_seconds, user_agent=self._settings.user_agent
        )

    def _upload(self, data: bytes, mime_type: str) -> Any:
        from atproto_client import models
        from atproto_client.models.utils import get_response_model

        def upload(client: Client) -> Any:
            # As raw ``content`` with its real type: the SDK's upload_blob sends ``data=bytes``, which
            # httpx deprecates, and labels every blob */*.
            response = client.invoke_procedure(
                "com.atproto.repo.uploadBlob", content=data, headers={"Content-Type": mime_type},
                output_encoding="application/json",
            )  # fmt: skip
            return get_response_model(response, models.ComAtprotoRepoUploadBlob.Response).blob

        return self._call("uploading an image", upload)

    # --- errors ---------------------------------------------------------------------------

    def _error(self, what: str, exc: Exception) -> PlatformError:
        """A PlatformError a person can act on, retryable when waiting may help."""
        from atproto_client import exceptions

        status = _status(exc)
        name, message = _error_name(exc)
        detail = f"{status} {name}: {message}".strip() if status else (message or name)
        if isinstance(exc, exceptions.RateLimitExceededError):
            reset_at = exc.reset_at
            if reset_at is None and exc.retry_after is not None:
                reset_at = datetime.now(UTC) + timedelta(seconds=exc.retry_after)
            when = f"; it accepts requests again at {reset_at:%Y-%m-%d %H:%M:%S} UTC" if reset_at else ""
            return PlatformError(
                "bluesky", f"Bluesky's rate limit was hit while {what}{when}", retryable=True,
                reset_at=reset_at, status=429,
            )  # fmt: skip
        if isinstance(exc, exceptions.InvokeTimeoutError):
            return PlatformError(
                "bluesky", f"Bluesky ({self._settings.bluesky_pds_url}) did not answer in time while {what}",
                retryable=True,
            )  # fmt: skip
        if isinstance(exc, exceptions.NetworkError):
            if status == 413:
                return PlatformError("bluesky", f"Bluesky refused {what}: too large ({detail})", status=status)
            cause = exc.__cause__ or exc.__context__
            if status:
                reason = detail
            elif cause is not None:
                reason = str(cause) or type(cause).__name__
            else:
                reason = "network error"
            return PlatformError(
                "bluesky", f"could not reach Bluesky at {self._settings.bluesky_pds_url} while {what} ({reason})",
                retryable=True, status=status,
            )  # fmt: skip
        if isinstance(exc, exceptions.UnauthorizedError):
            return PlatformError(
                "bluesky", f"Bluesky rejected the session ({detail}) while {what}: {_CREDENTIALS_HINT}", status=status
            )
        if isinstance(exc, exceptions.BadRequestError):
            return PlatformError("bluesky", f"Bluesky rejected {what} ({detail})", status=status)
        if isinstance(exc, exceptions.RequestException) and status is not None and status >= 500:
            return PlatformError(
                "bluesky", f"Bluesky failed while {what} ({detail})", retryable=True, status=status
            )
        return PlatformError("bluesky", f"Bluesky failed while {what}: {detail or exc}", status=status)


# --- helpers ---------------------------------------------------------------------------------


def _langs(prepared: dict[str, Any]) -> list[str]:
    """Post languages, when the executor knows them (``prepared["language"]`` or ``["langs"]``)."""
    value = prepared.get("langs") or prepared.get("language")
    if not value:
        return []
    return [value] if isinstance(value, str) else list(value)[:3]


def _reply_ref(reply_to: PublishResult | None, root: PublishResult | None) -> Any:
    from atproto_client import models

    if reply_to is None:
        return None

    def ref(result: PublishResult) -> Any:
        try:
            return models.ComAtprotoRepoStrongRef.Main(uri=result.extra["uri"], cid=result.extra["cid"])
        except KeyError:
            raise PlatformError(
                "bluesky", f"cannot reply to {result.remote_id}: its uri and cid were not recorded"
            ) from None

    return models.AppBskyFeedPost.ReplyRef(root=ref(root or reply_to), parent=ref(reply_to))


def _session_usable(session_string: str) -> bool:
    """False for a saved session that is unreadable or whose refresh token has expired."""
    from atproto_client.client.session import Session

    try:
        session = Session.decode(session_string)
        exp = session.refresh_jwt_payload.exp
    except Exception:  # noqa: BLE001 - any malformed string just means: log in again
        return False
    return exp is None or exp > time.time() + 60


def _status(exc: Exception) -> int | None:
    response = getattr(exc, "response", None)
    return getattr(response, "status_code", None)


def _error_name(exc: Exception) -> tuple[str, str]:
    """The XRPC error name and message of a failed request ("InvalidRequest", "…"), or ("", str(exc))."""
    from atproto_client.models.common import XrpcError

    response = getattr(exc, "response", None)
    content = getattr(response, "content", None)
    if isinstance(content, XrpcError):
        return content.error or "", content.message or ""
    return "", "" if response is not None else str(exc)


def _session_rejected(exc: Exception) -> bool:
    from atproto_client import exceptions

    if isinstance(exc, exceptions.LoginRequiredError):
        return True
    if isinstance(exc, (exceptions.UnauthorizedError, exceptions.BadRequestError)):
        return _error_name(exc)[0] in _SESSION_ERRORS
    return False
