"""Async data access (SQLAlchemy 2 asyncio). SQLite by default; PostgreSQL by URL.

Handlers await these methods directly: aiosqlite does the file I/O in its own
thread and psycopg's async connection waits on the socket, so the event loop never
waits on the database. Writes that several processes may race on (counters, first
sightings) are single statements, so they hold on PostgreSQL as well as on SQLite.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import datetime, timedelta
from pathlib import Path
from typing import Literal

from sqlalchemy import delete, func, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from bot.storage import migrate
from bot.storage.database import POSTGRES, async_engine, sqlite_pragmas, sqlite_url
from bot.storage.models import Answer, Feedback, GroupSettings, GroupStats, Report, UserPreference, utcnow

log = logging.getLogger(__name__)

REDACTED = "[removed after review]"
__all__ = ["REDACTED", "Store", "sqlite_pragmas", "sqlite_url"]


def data_dir_url(data_dir: Path) -> str:
    """The SQLite file in ``data_dir`` that the store and the knowledge repository share by default."""
    data_dir.mkdir(parents=True, exist_ok=True)
    return sqlite_url(data_dir / "bot.sqlite3")


class Store:
    """All persistent state behind one object; the schema is migrated to head on first use."""

    def __init__(self, url: str) -> None:
        self.url = url
        self._engine: AsyncEngine = async_engine(url)
        self._sessions = async_sessionmaker(self._engine, expire_on_commit=False)
        self._ready = False
        self._ready_lock = asyncio.Lock()

    @classmethod
    def for_data_dir(cls, data_dir: Path) -> Store:
        return cls(data_dir_url(data_dir))

    async def _ensure_schema(self) -> None:
        if self._ready:
            return
        async with self._ready_lock:
            if not self._ready:
                # In a thread: a second process may hold the migration lock for a moment.
                await asyncio.to_thread(migrate.upgrade, self.url)
                self._ready = True

    @asynccontextmanager
    async def session(self) -> AsyncIterator[AsyncSession]:
        """A transaction: committed on success, rolled back on error."""
        await self._ensure_schema()
        async with self._sessions() as session, session.begin():
            yield session

    async def close(self) -> None:
        await self._engine.dispose()

    # Preferences
    async def language_of(self, user_id: int) -> str | None:
        async with self.session() as s:
            pref = await s.get(UserPreference, user_id)
            return pref.language if pref else None

    async def set_language(self, user_id: int, language: str) -> None:
        """One upsert: two quick /language taps (or two workers) must not collide on the insert."""
        await self._set_preference(user_id, language=language)

    async def region_of(self, user_id: int) -> str | None:
        async with self.session() as s:
            pref = await s.get(UserPreference, user_id)
            return pref.region if pref else None

    async def set_region(self, user_id: int, region: str) -> None:
        await self._set_preference(user_id, region=region)

    async def _set_preference(self, user_id: int, **values: str) -> None:
        """Upsert one preference, leaving the others as they are."""
        async with self.session() as s:
            insert = postgresql.insert if self._engine.dialect.name == POSTGRES else sqlite.insert
            now = utcnow()
            statement = insert(UserPreference).values(user_id=user_id, updated_at=now, **values)
            await s.execute(
                statement.on_conflict_do_update(
                    index_elements=[UserPreference.user_id], set_={**values, "updated_at": now}
                )
            )

    # Answers and feedback
    async def record_answer(self, answer: Answer) -> None:
        await self.record_answers([answer])

    async def record_answers(self, answers: list[Answer]) -> None:
        """Several answers in one transaction: one short write lock for a burst instead of hundreds."""
        async with self.session() as s:
            s.add_all(answers)

    async def answer(self, answer_id: str) -> Answer | None:
        async with self.session() as s:
            return await s.get(Answer, answer_id)

    async def record_feedback(
        self, answer_id: str, user_id: int, helpful: bool, *, chat_id: int, message_id: int | None
    ) -> bool:
        """Store 👍/👎; a second press by the same user replaces the first.

        False if the answer is unknown or is not this user's answer in this chat on this message:
        callback data can be forged, so an answer id alone proves nothing.
        """
        async with self.session() as s:
            answer = await s.get(Answer, answer_id)
            if answer is None or not answer.belongs_to(user_id, chat_id, message_id):
                return False
            await s.execute(delete(Feedback).where(Feedback.answer_id == answer_id, Feedback.user_id == user_id))
            s.add(Feedback(answer_id=answer_id, user_id=user_id, helpful=helpful))
            return True

    async def feedback_for(self, answer_id: str) -> list[Feedback]:
        async with self.session() as s:
            return list((await s.scalars(select(Feedback).where(Feedback.answer_id == answer_id))).all())

    # Reports (review queue)
    async def add_report(self, report: Report) -> int:
        async with self.session() as s:
            existing = await s.scalar(
                select(Report).where(
                    Report.reporter_id == report.reporter_id, Report.text == report.text, Report.status == "open"
                )
            )
            if existing:
                return existing.id
            s.add(report)
            await s.flush()
            return report.id

    async def open_reports(self, limit: int = 50) -> list[Report]:
        async with self.session() as s:
            query = select(Report).where(Report.status == "open").order_by(Report.created_at).limit(limit)
            return list((await s.scalars(query)).all())

    async def count_open_reports(self) -> int:
        async with self.session() as s:
            return int(await s.scalar(select(func.count()).select_from(Report).where(Report.status == "open")) or 0)

    async def report(self, report_id: int) -> Report | None:
        async with self.session() as s:
            return await s.get(Report, report_id)

    async def next_open_report(self, after_id: int = 0) -> Report | None:
        """The oldest open report after ``after_id``: the review queue shows one item at a time."""
        async with self.session() as s:
            query = select(Report).where(Report.status == "open", Report.id > after_id).order_by(Report.id).limit(1)
            return await s.scalar(query)

    async def resolve_report(
        self, report_id: int, *, status: Literal["accepted", "dismissed"], resolved_by: int, resolution: str
    ) -> bool:
        """Close an open report. False when it was closed already: two admins reviewing at once
        must not both think they handled it, so only the first close counts."""
        async with self.session() as s:
            result = await s.execute(
                update(Report)
                .where(Report.id == report_id, Report.status == "open")
                .values(status=status, resolved_by=resolved_by, resolution=resolution[:32], resolved_at=utcnow())
            )
            return bool(result.rowcount)

    # Groups
    async def group(self, chat_id: int, title: str | None = None) -> GroupSettings:
        """The group's settings, created with defaults the first time the bot sees the group.

        Two processes (or two handlers) may see a new group at once: the loser of the
        insert race reads the winner's row instead of failing.
        """
        async with self.session() as s:
            group = await s.get(GroupSettings, chat_id)
            if group is not None:
                if title and group.title != title:
                    group.title = title
                return group
        try:
            async with self.session() as s:
                group = GroupSettings(
                    chat_id=chat_id,
                    title=title,
                    alerts_enabled=True,
                    sensitivity="normal",
                    active=True,
                    privacy_warned=False,
                )
                s.add(group)
                s.add(GroupStats(chat_id=chat_id, checked=0, alerts=0, false_alarms=0, skipped=0))
            return group
        except IntegrityError:
            async with self.session() as s:
                existing = await s.get(GroupSettings, chat_id)
                assert existing is not None
                return existing

    async def update_group(self, chat_id: int, **changes: object) -> GroupSettings:
        await self.group(chat_id)
        async with self.session() as s:
            group = await s.get(GroupSettings, chat_id)
            assert group is not None
            for key, value in changes.items():
                if not hasattr(GroupSettings, key):
                    raise AttributeError(key)
                setattr(group, key, value)
            return group

    async def migrate_group(self, old_id: int, new_id: int) -> None:
        """A group became a supergroup: its settings and counters follow it to the new id."""
        async with self.session() as s:
            for model in (GroupSettings, GroupStats):
                row = await s.get(model, old_id)
                if row is not None and await s.get(model, new_id) is None:
                    await s.delete(row)
                    await s.flush()
                    data = {c.key: getattr(row, c.key) for c in model.__mapper__.column_attrs}
                    data["chat_id"] = new_id
                    s.add(model(**data))

    async def add_group_counts(self, chat_id: int, **deltas: int) -> None:
        """Added in the database (``checked = checked + 1``): concurrent handlers and workers lose no count."""
        await self.group(chat_id)
        columns = GroupStats.__table__.columns
        async with self.session() as s:
            await s.execute(
                update(GroupStats)
                .where(GroupStats.chat_id == chat_id)
                .values({columns[key]: columns[key] + delta for key, delta in deltas.items()})
            )

    async def group_stats(self, chat_id: int) -> GroupStats:
        await self.group(chat_id)
        async with self.session() as s:
            stats = await s.get(GroupStats, chat_id)
            assert stats is not None
            return stats

    async def forget_answers_older_than(self, days: int) -> int:
        """Retention: answers (and their feedback) older than ``days`` are deleted."""
        cutoff: datetime = utcnow() - timedelta(days=days)
        async with self.session() as s:
            old = select(Answer.id).where(Answer.created_at < cutoff)
            await s.execute(delete(Feedback).where(Feedback.answer_id.in_(old)))
            result = await s.execute(delete(Answer).where(Answer.created_at < cutoff))
            return int(result.rowcount or 0)

    async def forget_reviewed_report_texts(self, after: timedelta = timedelta(days=1)) -> int:
        """Privacy: a reported message's text is kept until reviewers handled it, then erased.

        What an admin accepted now lives in the knowledge base; the report keeps only its outcome.
        """
        cutoff = utcnow() - after
        async with self.session() as s:
            result = await s.execute(
                update(Report)
                .where(Report.status != "open", Report.resolved_at < cutoff, Report.text != REDACTED)
                .values(text=REDACTED)
            )
            return int(result.rowcount or 0)
