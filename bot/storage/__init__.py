"""Persistent state in SQLite (or PostgreSQL by ``DATABASE_URL``): preferences, feedback, reports; schema by Alembic."""

from bot.storage.store import Store

__all__ = ["Store"]
