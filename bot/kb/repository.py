"""The knowledge base in the database: patterns, an audit trail, undo, import plans.

Synchronous SQLAlchemy on purpose: every knowledge change is followed by an index
rebuild, which is CPU work that runs in a worker thread anyway, so the whole change
(validate, write, audit, rebuild) runs there in one go and the event loop never waits.
The CLI uses the same code directly. SQLite by default; PostgreSQL through psycopg.

Writers from several processes are serialised on the ``kb_meta`` revision row (locked
first in every write transaction), so the revision counts every change exactly once
and two admins' undos cannot interleave. On PostgreSQL the commit also notifies the
other processes (``bot.kb.notify``).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, Literal

from sqlalchemy import select, update
from sqlalchemy.engine import Engine as SqlEngine
from sqlalchemy.orm import Session, sessionmaker

from bot.core.knowledge import KnowledgeBase, KnowledgeError, ScamPattern
from bot.kb import notify
from bot.storage import migrate
from bot.storage.database import POSTGRES, backend
from bot.storage.database import sync_engine as _sync_engine
from bot.storage.database import sync_url as _sync_url
from bot.storage.models import KbAudit, KbMeta, KbPattern, utcnow
from bot.storage.store import data_dir_url

log = logging.getLogger(__name__)

Action = Literal["create", "update", "delete", "restore", "import", "undo"]


def sync_url(url: str) -> str:
    """The synchronous form of an async database URL (``sqlite+aiosqlite://`` → ``sqlite://``)."""
    return _sync_url(url).render_as_string(hide_password=False)


@dataclass(frozen=True)
class AuditEntry:
    id: int
    pattern_id: str
    actor: str
    action: str
    at: datetime
    undone: bool
    before: dict[str, Any] | None
    after: dict[str, Any] | None


@dataclass
class ImportPlan:
    """What an import would do, shown before anything is written."""

    added: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)

    @property
    def is_empty(self) -> bool:
        return not (self.added or self.changed or self.removed)

    def describe(self) -> str:
        lines = [
            f"{len(self.added)} to add, {len(self.changed)} to change, {len(self.removed)} to remove, "
            f"{len(self.unchanged)} unchanged"
        ]
        lines += [f"  + {pid}" for pid in self.added]
        lines += [f"  ~ {pid}" for pid in self.changed]
        lines += [f"  - {pid}" for pid in self.removed]
        return "\n".join(lines)


def _json(pattern: ScamPattern) -> str:
    return json.dumps(pattern.model_dump(mode="json", exclude_none=True), ensure_ascii=False, sort_keys=True)


class KnowledgeRepository:
    """Patterns with history. Every write is validated, audited and bumps the revision."""

    def __init__(self, url: str) -> None:
        self.url = sync_url(url)
        migrate.upgrade(self.url)
        self._engine: SqlEngine = _sync_engine(self.url)
        self._postgres = backend(self.url) == POSTGRES
        self._sessions = sessionmaker(self._engine, expire_on_commit=False)

    @classmethod
    def for_data_dir(cls, data_dir: Path) -> KnowledgeRepository:
        return cls(data_dir_url(data_dir))

    def close(self) -> None:
        self._engine.dispose()

    @contextmanager
    def _writing(self) -> Iterator[Session]:
        """A write transaction, one writer at a time across processes; others are told at commit.

        The revision row is locked before anything is read, so what a writer checks (is the
        pattern there? what is the last change to undo?) cannot change under it.
        """
        with self._sessions.begin() as s:
            # An UPDATE, not SELECT … FOR UPDATE: it takes the write lock on SQLite too (which has no row locks),
            # and as the transaction's first statement it also starts SQLite's snapshot after the wait.
            s.execute(update(KbMeta).where(KbMeta.key == "revision").values(value=KbMeta.value))
            meta = s.get(KbMeta, "revision")
            if meta is None:  # a database created before migrations, never changed since
                meta = KbMeta(key="revision", value="0")
                s.add(meta)
            start = meta.value
            yield s
            if self._postgres and meta.value != start:
                notify.send(s, int(meta.value))

    # Reading
    def revision(self) -> int:
        with self._sessions() as s:
            meta = s.get(KbMeta, "revision")
            return int(meta.value) if meta else 0

    def is_empty(self) -> bool:
        with self._sessions() as s:
            return s.scalar(select(KbPattern.id).limit(1)) is None

    def load(self) -> KnowledgeBase:
        """The live patterns (not deleted), validated again on the way out."""
        with self._sessions() as s:
            rows = s.scalars(select(KbPattern).where(KbPattern.deleted.is_(False))).all()
            return KnowledgeBase.from_patterns(ScamPattern.model_validate_json(r.data) for r in rows)

    def get(self, pattern_id: str, *, include_deleted: bool = False) -> ScamPattern | None:
        with self._sessions() as s:
            row = s.get(KbPattern, pattern_id)
            if row is None or (row.deleted and not include_deleted):
                return None
            return ScamPattern.model_validate_json(row.data)

    def is_deleted(self, pattern_id: str) -> bool:
        with self._sessions() as s:
            row = s.get(KbPattern, pattern_id)
            return bool(row and row.deleted)

    def history(self, pattern_id: str | None = None, limit: int = 10) -> list[AuditEntry]:
        with self._sessions() as s:
            query = select(KbAudit).order_by(KbAudit.id.desc()).limit(limit)
            if pattern_id:
                query = query.where(KbAudit.pattern_id == pattern_id)
            return [_entry(row) for row in s.scalars(query).all()]

    # Writing
    def save(self, pattern: ScamPattern, actor: str, action: Action | None = None) -> AuditEntry | None:
        """Create or replace a pattern. Returns None when nothing changed (no audit noise)."""
        pattern = ScamPattern.model_validate(pattern.model_dump())  # validated whatever its origin
        with self._writing() as s:
            return self._write(s, pattern, actor, action)

    def delete(self, pattern_id: str, actor: str) -> AuditEntry:
        """Soft delete: the pattern leaves the live set but stays recoverable (restore or undo)."""
        with self._writing() as s:
            row = s.get(KbPattern, pattern_id)
            if row is None or row.deleted:
                raise KnowledgeError([f"no pattern {pattern_id!r}"])
            before = _state(row)
            row.deleted, row.updated_by, row.updated_at = True, actor, utcnow()
            return self._audit(s, pattern_id, actor, "delete", before, _state(row))

    def restore(self, pattern_id: str, actor: str) -> AuditEntry:
        with self._writing() as s:
            row = s.get(KbPattern, pattern_id)
            if row is None or not row.deleted:
                raise KnowledgeError([f"no deleted pattern {pattern_id!r}"])
            before = _state(row)
            row.deleted, row.updated_by, row.updated_at = False, actor, utcnow()
            return self._audit(s, pattern_id, actor, "restore", before, _state(row))

    def undo(self, actor: str, pattern_id: str | None = None) -> AuditEntry:
        """Revert the most recent change (of one pattern, or of any) that was not undone yet."""
        with self._writing() as s:
            query = select(KbAudit).where(KbAudit.undone.is_(False), KbAudit.action != "undo")
            if pattern_id:
                query = query.where(KbAudit.pattern_id == pattern_id)
            last = s.scalars(query.order_by(KbAudit.id.desc()).limit(1)).first()
            if last is None:
                raise KnowledgeError(["nothing to undo"])
            row = s.get(KbPattern, last.pattern_id)
            current = _state(row) if row else None
            target = json.loads(last.before) if last.before else None
            if target is None:  # the change created the pattern: undoing it removes it again
                if row is not None:
                    row.deleted = True
            else:
                if row is None:
                    row = KbPattern(id=last.pattern_id, updated_by=actor)
                    s.add(row)
                row.data = target["data"]
                row.category = json.loads(target["data"])["category"]
                row.deleted = target["deleted"]
            if row is not None:
                row.updated_by, row.updated_at = actor, utcnow()
            last.undone = True
            return self._audit(s, last.pattern_id, actor, "undo", current, _state(row) if row else None)

    def plan_import(self, patterns: Iterable[ScamPattern], *, prune: bool = False) -> ImportPlan:
        with self._sessions() as s:
            return _plan(s, patterns, prune=prune)

    def apply_import(self, patterns: list[ScamPattern], actor: str, *, prune: bool = False) -> ImportPlan:
        """All or nothing: every pattern was validated before; one transaction writes them all.

        The plan is made again under the write lock, so it says what this call changed even when
        another process (a second bot seeding the same empty database) got there first.
        """
        by_id = {p.id: p for p in patterns}
        with self._writing() as s:
            plan = _plan(s, patterns, prune=prune)
            for pattern_id in plan.added + plan.changed:
                self._write(s, by_id[pattern_id], actor, "import")
            for pattern_id in plan.removed:
                row = s.get(KbPattern, pattern_id)
                assert row is not None
                before = _state(row)
                row.deleted, row.updated_by, row.updated_at = True, actor, utcnow()
                self._audit(s, pattern_id, actor, "delete", before, _state(row))
        return plan

    def _write(self, s: Session, pattern: ScamPattern, actor: str, action: Action | None) -> AuditEntry | None:
        data = _json(pattern)
        row = s.get(KbPattern, pattern.id)
        if row is not None and row.data == data and not row.deleted:
            return None
        before = _state(row) if row else None
        if row is None:
            row = KbPattern(id=pattern.id, category=pattern.category, data=data, deleted=False, updated_by=actor)
            s.add(row)
        else:
            row.category, row.data, row.deleted = pattern.category, data, False
        row.updated_by, row.updated_at = actor, utcnow()
        return self._audit(s, pattern.id, actor, action or ("update" if before else "create"), before, _state(row))

    def _audit(
        self,
        s: Session,
        pattern_id: str,
        actor: str,
        action: str,
        before: dict[str, Any] | None,
        after: dict[str, Any] | None,
    ) -> AuditEntry:
        entry = KbAudit(
            pattern_id=pattern_id,
            actor=actor,
            action=action,
            undone=False,
            at=utcnow(),
            before=json.dumps(before, ensure_ascii=False) if before else None,
            after=json.dumps(after, ensure_ascii=False) if after else None,
        )
        s.add(entry)
        meta = s.get(KbMeta, "revision")  # locked by _writing, already in this session
        assert meta is not None
        meta.value = str(int(meta.value) + 1)
        s.flush()
        log.info("knowledge %s of %s by %s", action, pattern_id, actor)
        return _entry(entry)


def _plan(s: Session, patterns: Iterable[ScamPattern], *, prune: bool) -> ImportPlan:
    incoming = {p.id: _json(p) for p in patterns}
    plan = ImportPlan()
    existing = {r.id: r for r in s.scalars(select(KbPattern)).all()}
    for pattern_id, data in sorted(incoming.items()):
        row = existing.get(pattern_id)
        if row is None:
            plan.added.append(pattern_id)
        elif row.deleted or row.data != data:
            plan.changed.append(pattern_id)
        else:
            plan.unchanged.append(pattern_id)
    if prune:
        plan.removed = sorted(pid for pid, row in existing.items() if pid not in incoming and not row.deleted)
    return plan


def _state(row: KbPattern | None) -> dict[str, Any] | None:
    return {"data": row.data, "deleted": bool(row.deleted)} if row is not None else None


def _entry(row: KbAudit) -> AuditEntry:
    return AuditEntry(
        id=row.id,
        pattern_id=row.pattern_id,
        actor=row.actor,
        action=row.action,
        at=row.at,
        undone=row.undone,
        before=json.loads(row.before) if row.before else None,
        after=json.loads(row.after) if row.after else None,
    )
