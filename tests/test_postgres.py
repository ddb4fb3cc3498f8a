"""The same state on PostgreSQL as on SQLite: a real server started by the test run (tests/pg.py).

Each test names what an operator who moves ``DATABASE_URL`` to PostgreSQL would notice
if it broke: lost preferences, ids that do not fit, counters that lose counts under load,
undo that restores the wrong thing.
"""

from __future__ import annotations

import asyncio
from datetime import timedelta
from pathlib import Path

from sqlalchemy import update

from bot.core.knowledge import load_knowledge
from bot.kb.repository import KnowledgeRepository
from bot.kb.service import seed_if_empty, with_message
from bot.storage import Store
from bot.storage.models import Answer, Report, utcnow

PRESET = Path(__file__).resolve().parent.parent / "knowledge" / "patterns"
BIG_USER = 7_912_345_678  # Telegram user ids no longer fit in 32 bits
SUPERGROUP = -1_001_987_654_321


async def test_store_round_trip(database_url):
    store = Store(database_url)
    try:
        # Preferences: set, changed, read back; two taps at once do not collide
        await asyncio.gather(store.set_language(BIG_USER, "en"), store.set_language(BIG_USER, "zh"))
        await store.set_language(BIG_USER, "zh")
        assert await store.language_of(BIG_USER) == "zh"
        assert await store.language_of(1) is None

        # Answers and feedback: a second press replaces the first
        await store.record_answer(
            Answer(id="a1", user_id=BIG_USER, chat_id=BIG_USER, verdict="scam", risk=0.93, pattern_id="p", category="c",
                   message_id=7)
        )
        assert (await store.answer("a1")).user_id == BIG_USER
        here = {"chat_id": BIG_USER, "message_id": 7}
        assert await store.record_feedback("a1", BIG_USER, True, **here)
        assert await store.record_feedback("a1", BIG_USER, False, **here)
        assert not await store.record_feedback("a1", 2, True, **here)  # someone else's answer
        assert not await store.record_feedback("a1", BIG_USER, True, chat_id=BIG_USER, message_id=8)
        assert [f.helpful for f in await store.feedback_for("a1")] == [False]
        assert not await store.record_feedback("missing", BIG_USER, True, **here)

        # Reports: the same text twice is one report; only the first close counts
        first = await store.add_report(Report(kind="scam", reporter_id=BIG_USER, chat_id=SUPERGROUP, text="pay now"))
        again = await store.add_report(Report(kind="scam", reporter_id=BIG_USER, chat_id=SUPERGROUP, text="pay now"))
        assert again == first
        second = await store.add_report(Report(kind="false_alarm", reporter_id=2, chat_id=SUPERGROUP, text="hi mum"))
        assert await store.count_open_reports() == 2
        assert (await store.next_open_report()).id == first
        assert (await store.next_open_report(after_id=first)).id == second
        assert await store.resolve_report(first, status="accepted", resolved_by=BIG_USER, resolution="example")
        assert not await store.resolve_report(first, status="dismissed", resolved_by=2, resolution="late")
        assert (await store.report(first)).status == "accepted"
        assert [r.id for r in await store.open_reports()] == [second]

        # Groups: defaults on first sight, settings, counters under concurrency, supergroup migration
        group = await store.group(-4_000_000_001, "Family")
        assert (group.title, group.alerts_enabled, group.sensitivity, group.privacy_warned) == (
            "Family",
            True,
            "normal",
            False,
        )
        await store.update_group(-4_000_000_001, sensitivity="high", privacy_warned=True)
        await asyncio.gather(*(store.add_group_counts(-4_000_000_001, checked=1) for _ in range(20)))
        await store.add_group_counts(-4_000_000_001, alerts=2, skipped=1)
        await store.migrate_group(-4_000_000_001, SUPERGROUP)
        moved = await store.group(SUPERGROUP)
        assert (moved.title, moved.sensitivity, moved.privacy_warned) == ("Family", "high", True)
        stats = await store.group_stats(SUPERGROUP)
        assert (stats.checked, stats.alerts, stats.skipped, stats.false_alarms) == (20, 2, 1, 0)
        assert stats.since.tzinfo is None or stats.since.utcoffset() == timedelta(0)

        # Retention
        async with store.session() as s:
            await s.execute(update(Answer).where(Answer.id == "a1").values(created_at=utcnow() - timedelta(days=91)))
            await s.execute(update(Report).where(Report.id == first).values(resolved_at=utcnow() - timedelta(days=2)))
        assert await store.forget_answers_older_than(90) == 1
        assert await store.feedback_for("a1") == []
        assert await store.forget_reviewed_report_texts() == 1
    finally:
        await store.close()


async def test_a_new_group_seen_by_many_handlers_at_once_is_created_once(database_url):
    store = Store(database_url)
    try:
        groups = await asyncio.gather(*(store.group(SUPERGROUP, "Neighbours") for _ in range(10)))
        assert {g.chat_id for g in groups} == {SUPERGROUP}
        assert (await store.group_stats(SUPERGROUP)).checked == 0
    finally:
        await store.close()


def test_knowledge_round_trip(database_url):
    repo = KnowledgeRepository(database_url)
    try:
        preset = load_knowledge(PRESET)
        assert seed_if_empty(repo, PRESET) == len(preset)
        assert repo.load().version == preset.version
        assert repo.revision() == len(preset)

        pattern = repo.get("deepfake_video_call_friend_loan")
        edited = with_message(pattern, "The video froze, please send 900 euros for the bus tonight", counter=False)
        repo.save(edited, actor="admin:1")
        repo.delete("prize_lottery_brand_tv_show_pay_tax_first", actor="admin:2")
        assert repo.get("deepfake_video_call_friend_loan") == edited
        assert repo.is_deleted("prize_lottery_brand_tv_show_pay_tax_first")
        assert [(e.action, e.actor) for e in repo.history(limit=2)] == [("delete", "admin:2"), ("update", "admin:1")]

        repo.undo("admin:1")
        repo.undo("admin:1")
        assert repo.load().version == preset.version
        assert [e.action for e in repo.history("deepfake_video_call_friend_loan", limit=3)] == [
            "undo",
            "update",
            "import",
        ]
        assert repo.revision() == len(preset) + 4
    finally:
        repo.close()


async def test_a_plain_postgresql_url_works_for_the_store_and_the_knowledge_base(postgres_url):
    """Operators paste ``postgresql://…`` from their provider: psycopg 3 is used for it, sync and async."""
    plain = postgres_url.replace("postgresql+psycopg://", "postgresql://")
    store = Store(plain)
    repo = KnowledgeRepository(plain)
    try:
        await store.set_language(BIG_USER, "en")
        assert await store.language_of(BIG_USER) == "en"
        assert repo.revision() == 0 and repo.is_empty()
    finally:
        await store.close()
        repo.close()
