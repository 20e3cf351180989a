"""The store: articles, the outbox of posts, attempts, and small key/value state.

SQLAlchemy Core on SQLite by default (one file, WAL); the same code runs on a PostgreSQL URL. Backend
differences are confined to ``backend.py``.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, CursorResult, Engine, RowMapping, func, or_, select, update
from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError

from ..errors import NotFoundError, StoreError
from ..models import Article, ArticleState, Priority
from . import schema
from .backend import make_engine, masked
from .migrations import current_version, migrate

# Articles that never count as the original of a later one (see ``Store.find_duplicate``).
NOT_ORIGINALS = (ArticleState.DUPLICATE.value, ArticleState.FAILED.value)


def utcnow() -> datetime:
    return datetime.now(UTC)


def inserted_id(result: CursorResult[Any]) -> int:
    key = result.inserted_primary_key
    assert key is not None
    return int(key[0])


@dataclass(frozen=True)
class StoredArticle:
    id: int
    article: Article
    state: str
    error: str | None
    duplicate_of: int | None
    created_at: datetime


def _article_meta(article: Article) -> dict[str, Any]:
    return {
        "tags": list(article.tags),
        "image": article.image,
        "image_alt": article.image_alt,
        "language": article.language,
        "outlet": article.outlet,
        "summary": article.summary,
    }


def _content_values(article: Article) -> dict[str, Any]:
    """The columns an article's content fills (on insert and on an update of an edited article)."""
    return dict(
        canonical_url=article.url,
        content_hash=article.content_hash,
        title=article.title,
        body=article.text,
        published=article.published,
        embargo=article.embargo,
        priority=article.priority.value,
        meta=_article_meta(article),
        updated_at=utcnow(),
    )


def _row_to_article(row: RowMapping) -> Article:
    meta = row["meta"] or {}
    return Article(
        source=row["source"],
        text=row["body"],
        title=row["title"],
        url=row["canonical_url"],
        published=row["published"],
        embargo=row["embargo"],
        priority=Priority(row["priority"]),
        tags=tuple(meta.get("tags") or ()),
        image=meta.get("image"),
        image_alt=meta.get("image_alt"),
        language=meta.get("language"),
        outlet=meta.get("outlet"),
        summary=meta.get("summary"),
    )


class KVState:
    """The store's key/value table seen through the small ``KeyValue`` protocol adapters use."""

    def __init__(self, store: Store) -> None:
        self._store = store

    def get(self, key: str) -> str | None:
        with self._store.engine.connect() as conn:
            return conn.execute(select(schema.kv.c.value).where(schema.kv.c.key == key)).scalar()

    def set(self, key: str, value: str) -> None:
        for attempt in range(2):
            try:
                with self._store.transaction() as conn:
                    done = conn.execute(
                        update(schema.kv).where(schema.kv.c.key == key).values(value=value, updated_at=utcnow())
                    )
                    if done.rowcount == 0:
                        conn.execute(schema.kv.insert().values(key=key, value=value, updated_at=utcnow()))
                return
            except IntegrityError:
                # Another worker (PostgreSQL) inserted the same new key meanwhile: now the update finds it.
                if attempt:
                    raise


class Store:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.kv = KVState(self)

    @contextmanager
    def transaction(self) -> Iterator[Connection]:
        with self.engine.begin() as conn:
            yield conn

    def close(self) -> None:
        self.engine.dispose()

    def schema_version(self) -> int:
        with self.engine.connect() as conn:
            return current_version(conn)

    # --- articles ------------------------------------------------------------------------------
    def find_duplicate(self, url: str | None, content_hash: str) -> int | None:
        """The id of an article already ingested with the same canonical URL or content hash.

        Duplicates are not originals, and an article that failed to compose (it has no posts) is no reason
        to refuse the same article dropped in again once the cause is fixed."""
        t = schema.articles
        cond = t.c.content_hash == content_hash
        if url:
            cond = or_(cond, t.c.canonical_url == url)
        query = select(t.c.id).where(cond, t.c.state.not_in(NOT_ORIGINALS)).order_by(t.c.id).limit(1)
        with self.engine.connect() as conn:
            return conn.execute(query).scalar()

    def add_article(
        self,
        article: Article,
        state: ArticleState = ArticleState.INGESTED,
        *,
        duplicate_of: int | None = None,
        error: str | None = None,
        conn: Connection | None = None,
    ) -> int:
        now = utcnow()
        values = dict(
            _content_values(article),
            source=article.source,
            state=state.value,
            error=error,
            duplicate_of=duplicate_of,
            created_at=now,
        )
        if conn is not None:
            return inserted_id(conn.execute(schema.articles.insert().values(**values)))
        with self.transaction() as c:
            return inserted_id(c.execute(schema.articles.insert().values(**values)))

    def update_article(self, article_id: int, article: Article, *, conn: Connection | None = None) -> None:
        """Replace an article's content (an edited feed entry), keeping its id and state."""
        values = _content_values(article)
        stmt = update(schema.articles).where(schema.articles.c.id == article_id).values(**values)
        if conn is not None:
            conn.execute(stmt)
            return
        with self.transaction() as c:
            c.execute(stmt)

    def set_article_state(self, article_id: int, state: ArticleState, error: str | None = None) -> None:
        with self.transaction() as conn:
            conn.execute(
                update(schema.articles)
                .where(schema.articles.c.id == article_id)
                .values(state=state.value, error=error, updated_at=utcnow())
            )

    def get_article(self, article_id: int) -> StoredArticle:
        with self.engine.connect() as conn:
            row = conn.execute(select(schema.articles).where(schema.articles.c.id == article_id)).mappings().first()
        if row is None:
            raise NotFoundError(f"no article with id {article_id}; `newsbot status` lists them")
        return self._stored(row)

    def list_articles(
        self, states: Sequence[ArticleState] | None = None, limit: int = 1000, *, oldest_first: bool = False
    ) -> list[StoredArticle]:
        t = schema.articles
        query = select(t).order_by(t.c.id if oldest_first else t.c.id.desc()).limit(limit)
        if states:
            query = query.where(t.c.state.in_([s.value for s in states]))
        with self.engine.connect() as conn:
            return [self._stored(row) for row in conn.execute(query).mappings()]

    def count_articles(self) -> dict[str, int]:
        t = schema.articles
        with self.engine.connect() as conn:
            rows = conn.execute(select(t.c.state, func.count()).group_by(t.c.state)).all()
        return {state: int(n) for state, n in rows}

    @staticmethod
    def _stored(row: RowMapping) -> StoredArticle:
        return StoredArticle(
            id=row["id"],
            article=_row_to_article(row),
            state=row["state"],
            error=row["error"],
            duplicate_of=row["duplicate_of"],
            created_at=row["created_at"],
        )


def open_store(url: str) -> Store:
    """Open (creating and migrating as needed) the database at ``url``."""
    engine = make_engine(url)
    where = masked(engine.url)
    try:
        migrate(engine)
    except OperationalError as exc:
        engine.dispose()
        raise StoreError(
            f"cannot open the database {where} ({_first_line(exc.orig or exc)}); check that it is reachable and that "
            "you may write to it, or set NEWSBOT_DATABASE_URL to another database"
        ) from None
    except DBAPIError as exc:  # e.g. sqlite3.DatabaseError "file is not a database": some other file is in the way
        engine.dispose()
        raise StoreError(
            f"the database {where} cannot be used ({_first_line(exc.orig or exc)}); point NEWSBOT_DATABASE_URL at "
            "a newsbot database, or move that file away so that newsbot creates a new one"
        ) from None
    return Store(engine)


def _first_line(error: BaseException) -> str:
    """A driver's message on one line (PostgreSQL's carry DETAIL and HINT lines)."""
    text = str(error).strip()
    return text.splitlines()[0] if text else type(error).__name__
