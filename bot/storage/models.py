"""Database schema. What is stored is what features need, nothing more (see /privacy).

Forwarded message text is *not* stored with answers or feedback; it is stored only
in a report, i.e. when a person explicitly asks for it to be reviewed.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import BigInteger, Boolean, DateTime, Float, ForeignKey, Integer, String, Text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


def utcnow() -> datetime:
    return datetime.now(UTC)


class Base(DeclarativeBase):
    pass


class UserPreference(Base):
    """A user's chosen reply language and region (each only set when they use /language or /region)."""

    __tablename__ = "user_preferences"

    user_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    language: Mapped[str | None] = mapped_column(String(8))
    region: Mapped[str | None] = mapped_column(String(8))
    """Where the user reports scams (hk, tw, cn, sg, uk, us): picks a warning's reporting line."""
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, onupdate=utcnow)


class Answer(Base):
    """An answer the bot gave: its verdict and top pattern, never the message text.

    ``verdict`` is ``"error"`` when the message could not be assessed: such an answer said so,
    and counting it as "safe" would flatter the statistics.
    """

    __tablename__ = "answers"

    id: Mapped[str] = mapped_column(String(16), primary_key=True)
    user_id: Mapped[int] = mapped_column(BigInteger, index=True)
    chat_id: Mapped[int] = mapped_column(BigInteger)
    verdict: Mapped[str] = mapped_column(String(16))
    risk: Mapped[float] = mapped_column(Float)
    pattern_id: Mapped[str | None] = mapped_column(String(64))
    category: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    # The bot's message carrying the answer's buttons: a button press counts only on that message.
    message_id: Mapped[int | None] = mapped_column(BigInteger)

    def belongs_to(self, user_id: int, chat_id: int, message_id: int | None) -> bool:
        """Whether a button pressed by ``user_id`` on ``message_id`` in ``chat_id`` may act on this answer."""
        same_message = self.message_id is None or self.message_id == message_id  # rows from before 0004
        return self.user_id == user_id and self.chat_id == chat_id and same_message


class Feedback(Base):
    """👍/👎 on an answer: the signal for which answers help and which mislead."""

    __tablename__ = "feedback"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    answer_id: Mapped[str] = mapped_column(ForeignKey("answers.id"), index=True)
    user_id: Mapped[int] = mapped_column(BigInteger)
    helpful: Mapped[bool] = mapped_column(Boolean)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class Report(Base):
    """A message someone asked the admins to review: a missed scam or a false alarm."""

    __tablename__ = "reports"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    kind: Mapped[str] = mapped_column(String(16))  # "scam" (user report) | "false_alarm" (group admin)
    reporter_id: Mapped[int] = mapped_column(BigInteger)
    chat_id: Mapped[int] = mapped_column(BigInteger)
    text: Mapped[str] = mapped_column(Text)
    suggested_pattern_id: Mapped[str | None] = mapped_column(String(64))
    answer_id: Mapped[str | None] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16), default="open", index=True)
    resolved_by: Mapped[int | None] = mapped_column(BigInteger)
    resolution: Mapped[str | None] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    resolved_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class GroupSettings(Base):
    """A group's choices (set by its admins) and what the bot has already told it."""

    __tablename__ = "group_settings"

    chat_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    title: Mapped[str | None] = mapped_column(String(256))
    alerts_enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    sensitivity: Mapped[str] = mapped_column(String(8), default="normal")
    language: Mapped[str | None] = mapped_column(String(8))  # None: follow each message's language
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    privacy_warned: Mapped[bool] = mapped_column(Boolean, default=False)
    added_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class GroupStats(Base):
    """Counters for /stats: how much the bot checked and how often it spoke, since it joined."""

    __tablename__ = "group_stats"

    chat_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    since: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    checked: Mapped[int] = mapped_column(Integer, default=0)
    alerts: Mapped[int] = mapped_column(Integer, default=0)
    false_alarms: Mapped[int] = mapped_column(Integer, default=0)
    skipped: Mapped[int] = mapped_column(Integer, default=0)


class KbPattern(Base):
    """A scam pattern as the running bot knows it (the YAML files are only the shipped preset)."""

    __tablename__ = "kb_patterns"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    category: Mapped[str] = mapped_column(String(64), index=True)
    data: Mapped[str] = mapped_column(Text)  # the validated pattern as JSON
    deleted: Mapped[bool] = mapped_column(Boolean, default=False)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_by: Mapped[str] = mapped_column(String(64))


class KbAudit(Base):
    """Who changed which pattern, when, and how it looked before and after (for history and undo)."""

    __tablename__ = "kb_audit"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    pattern_id: Mapped[str] = mapped_column(String(64), index=True)
    actor: Mapped[str] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(32))
    before: Mapped[str | None] = mapped_column(Text)  # JSON, with "deleted"; None when the pattern was new
    after: Mapped[str | None] = mapped_column(Text)
    undone: Mapped[bool] = mapped_column(Boolean, default=False)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class KbMeta(Base):
    """Knowledge-base bookkeeping; ``revision`` grows with every change so other processes notice."""

    __tablename__ = "kb_meta"

    key: Mapped[str] = mapped_column(String(32), primary_key=True)
    value: Mapped[str] = mapped_column(String(256))


class HandledUpdate(Base):
    """A Telegram update the queue's worker has finished with (its answer sent); ids only, no text.

    The worker checks it before handling an update and writes it after, so a job run again
    (its worker was killed, or the job was absorbed into an earlier one's burst) does not
    answer twice. Kept two days: Telegram stops redelivering an update after one.
    """

    __tablename__ = "handled_updates"

    update_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    chat_id: Mapped[int | None] = mapped_column(BigInteger)
    handled_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, index=True)
