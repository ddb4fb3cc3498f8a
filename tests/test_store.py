"""What /privacy promises about stored data is what the store does."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import update

from bot.storage import Store
from bot.storage.models import Answer, Report, utcnow
from bot.storage.store import REDACTED


async def test_old_answers_and_their_feedback_are_deleted_after_the_retention_period(tmp_path):
    store = Store.for_data_dir(tmp_path)
    try:
        for answer_id in ("old", "new"):
            await store.record_answer(
                Answer(id=answer_id, user_id=1, chat_id=1, verdict="scam", risk=0.9, pattern_id=None, category=None)
            )
            assert await store.record_feedback(answer_id, 1, True, chat_id=1, message_id=None)
        async with store.session() as s:
            await s.execute(update(Answer).where(Answer.id == "old").values(created_at=utcnow() - timedelta(days=91)))
        assert await store.forget_answers_older_than(90) == 1
        assert await store.answer("old") is None
        assert await store.answer("new") is not None
        assert len(await store.feedback_for("new")) == 1
    finally:
        await store.close()


async def test_a_reported_text_is_erased_a_day_after_review_but_open_reports_keep_it(tmp_path):
    store = Store.for_data_dir(tmp_path)
    try:
        reviewed = await store.add_report(Report(kind="scam", reporter_id=1, chat_id=1, text="send me the code"))
        waiting = await store.add_report(Report(kind="scam", reporter_id=2, chat_id=2, text="you won a prize"))
        assert await store.resolve_report(reviewed, status="accepted", resolved_by=9, resolution="example")
        assert await store.forget_reviewed_report_texts() == 0  # reviewed just now: kept a little longer
        async with store.session() as s:
            await s.execute(
                update(Report).where(Report.id == reviewed).values(resolved_at=utcnow() - timedelta(days=2))
            )
        assert await store.forget_reviewed_report_texts() == 1
        assert (await store.report(reviewed)).text == REDACTED
        assert (await store.report(waiting)).text == "you won a prize"
    finally:
        await store.close()
