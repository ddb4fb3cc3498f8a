"""Persistent state in SQLite (or any SQLAlchemy async URL): preferences, feedback, reports."""

from bot.storage.store import Store

__all__ = ["Store"]
