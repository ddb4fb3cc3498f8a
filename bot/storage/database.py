"""Database URLs and engines: one place that knows SQLite from PostgreSQL.

The async store and the synchronous knowledge repository share one database, so
both build their engines here from the same ``DATABASE_URL``: the async and sync
forms of a URL, PostgreSQL through psycopg 3 (one driver for both), and SQLite's
per-connection settings.
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

POSTGRES = "postgresql"
SQLITE = "sqlite"


def sqlite_url(path: Path) -> str:
    return f"sqlite+aiosqlite:///{path}"


def _url(url: str | URL) -> URL:
    parsed = make_url(url)
    if parsed.get_backend_name() == POSTGRES:
        # psycopg 3 speaks both sync and async; a bare postgresql:// would mean psycopg2, which is not installed.
        return parsed.set(drivername="postgresql+psycopg")
    return parsed


def async_url(url: str | URL) -> URL:
    """The async form: ``sqlite+aiosqlite://`` or ``postgresql+psycopg://``."""
    parsed = _url(url)
    return parsed.set(drivername="sqlite+aiosqlite") if parsed.get_backend_name() == SQLITE else parsed


def sync_url(url: str | URL) -> URL:
    """The synchronous form: ``sqlite://`` (the standard library's driver) or ``postgresql+psycopg://``."""
    parsed = _url(url)
    return parsed.set(drivername="sqlite") if parsed.get_backend_name() == SQLITE else parsed


def backend(url: str | URL) -> str:
    """``"sqlite"``, ``"postgresql"``, … whatever the driver."""
    return make_url(url).get_backend_name()


def sqlite_file(url: str | URL) -> Path | None:
    """The database file of a SQLite URL; None for in-memory SQLite and for other databases."""
    parsed = make_url(url)
    if parsed.get_backend_name() != SQLITE or not parsed.database or parsed.database == ":memory:":
        return None
    return Path(parsed.database)


def libpq_conninfo(url: str | URL) -> str:
    """A SQLAlchemy PostgreSQL URL as libpq understands it (for a raw psycopg connection, e.g. LISTEN)."""
    return _url(url).set(drivername="postgresql").render_as_string(hide_password=False)


STORE_CONNECTIONS = (4, 4)
"""PostgreSQL connections of the answer store per process: kept open, and extra under load.

Every process (each worker, the receiver) shares the server's ``max_connections`` (100 by
default). Per worker: the store 8, the knowledge base 3 (+1 for LISTEN), the queue 4, its
``handled_updates`` 3: at most 19, so four workers and a receiver fit in 100 (README,
"Many workers"). A busy pool makes a query wait (``pool_timeout``), never fail.
"""
KNOWLEDGE_CONNECTIONS = (1, 2)
"""The knowledge base's: it is read once into memory and written by admins."""


def sync_engine(url: str | URL) -> Engine:
    engine = create_engine(sync_url(url), **_options(url, KNOWLEDGE_CONNECTIONS))
    if backend(url) == SQLITE:
        event.listen(engine, "connect", sqlite_pragmas)
    return engine


def async_engine(url: str | URL) -> AsyncEngine:
    engine = create_async_engine(async_url(url), **_options(url, STORE_CONNECTIONS))
    if backend(url) == SQLITE:
        event.listen(engine.sync_engine, "connect", sqlite_pragmas)
    return engine


def _options(url: str | URL, connections: tuple[int, int]) -> dict[str, object]:
    if backend(url) != POSTGRES:
        return {}
    kept, extra = connections
    return {
        "pool_size": kept,
        "max_overflow": extra,
        "pool_pre_ping": True,  # a server restart or an idle-connection reaper costs a reconnect, not a message
        # Timestamps come back in UTC whatever the server's zone, as they are written (and as SQLite keeps them).
        "connect_args": {"options": "-c TimeZone=UTC"},
    }


def sqlite_pragmas(dbapi_connection, _record) -> None:  # type: ignore[no-untyped-def]
    """WAL lets a second bot process read while this one writes; foreign keys on."""
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.close()
