"""The review queue: reported messages, one at a time, turned into knowledge by an admin.

Two kinds arrive: a user's "report as scam" under a private answer (a scam the bot
missed or under-rated) and a group admin's "not a scam" under an alert (a false alarm).
Each item offers what an admin would do with it: add it as an example of the suggested
pattern (or another), as a counter-example (a legitimate lookalike), start a new
pattern from it, or dismiss it. Who reported it stays hidden unless the admin asks,
because most decisions do not need it and reporters trusted us with their message.
"""

from __future__ import annotations

import logging
from html import escape

from telegram import CallbackQuery

from bot.adapter.admin import views
from bot.adapter.admin.adding import add_example, start_add
from bot.adapter.admin.forms import add_message
from bot.adapter.admin.state import AdminState
from bot.adapter.admin.ui import Alert, Conversation, drop_keyboard, edit
from bot.adapter.callbacks import (
    Callback,
    RvAddTo,
    RvCounter,
    RvDismiss,
    RvExample,
    RvNewPattern,
    RvNext,
    RvPick,
    RvPickAgain,
    RvPickCategory,
    RvWho,
)
from bot.core.knowledge import KnowledgeError
from bot.storage.models import Report

log = logging.getLogger(__name__)


async def show_next(state: AdminState, chat: Conversation, after: int = 0) -> None:
    """The oldest open report after ``after`` (wrapping round to the oldest of all)."""
    store = state.store
    report = await store.next_open_report(after) or (await store.next_open_report(0) if after else None)
    if report is None:
        await chat.say(chat.t("queue_empty"))
        return
    suggested = report.suggested_pattern_id
    live = state.live(suggested) if suggested else None
    body = views.review_item(report, await store.count_open_reports(), live, chat.language)
    await chat.say(body, views.review_keyboard(report, live is not None, chat.language))


async def on_button(state: AdminState, chat: Conversation, query: CallbackQuery, data: Callback) -> str | None:
    """A review button: the report it names, then what the admin chose to do with it."""
    report_id = getattr(data, "report_id", None)
    report = await state.store.report(report_id) if isinstance(report_id, int) else None
    if report is None:
        return Alert(chat.t("report_gone"))
    match data:
        case RvWho():
            log.info("admin %s looked up who filed report %s", chat.user.id, report.id)
            return Alert(chat.t("reporter", user=report.reporter_id, chat=report.chat_id))
        case RvNext():
            await show_next(state, chat, after=report.id)
            return None
    if report.status != "open":
        return Alert(chat.t("already_handled"))
    match data:
        case RvExample() | RvCounter() | RvAddTo():
            counter = isinstance(data, RvCounter) or (isinstance(data, RvAddTo) and data.mode == "c")
            target = state.refs.resolve(data.ref) if isinstance(data, RvAddTo) else report.suggested_pattern_id
            if target is None or state.live(target) is None:
                body, keyboard = views.category_chooser(
                    state.knowledge.kb, report.id, "c" if counter else "e", chat.language
                )
                await chat.say(body, keyboard)
                return None
            await drop_keyboard(query)
            await _accept(state, chat, report, target, counter)
        case RvPick(mode=mode) | RvPickAgain(mode=mode):
            body, keyboard = views.category_chooser(state.knowledge.kb, report.id, mode, chat.language)
            await (edit(query, body, keyboard) if isinstance(data, RvPickAgain) else chat.say(body, keyboard))
        case RvPickCategory(mode=mode, index=index):
            body, keyboard = views.pattern_chooser(
                state.knowledge.kb, state.refs, report.id, mode, index, chat.language
            )
            await edit(query, body, keyboard)
        case RvNewPattern():
            await _new_pattern(state, chat, query, report)
        case RvDismiss():
            await drop_keyboard(query)
            await state.close_report(report.id, chat.user, "dismissed", "dismissed")
            await chat.say(chat.t("dismissed", id=report.id))
            await show_next(state, chat, after=report.id)
    return None


async def _accept(state: AdminState, chat: Conversation, report: Report, pattern_id: str, counter: bool) -> None:
    """Into the knowledge base (live at once), then the report is closed and the next one shown."""
    if not await add_example(state, chat, pattern_id, report.text, counter):
        return
    await state.close_report(report.id, chat.user, "accepted", "counter_example" if counter else "example")
    await show_next(state, chat, after=report.id)


async def _new_pattern(state: AdminState, chat: Conversation, query: CallbackQuery, report: Report) -> None:
    try:
        examples = add_message(None, report.text, "examples")
    except KnowledgeError as exc:
        await chat.say(chat.t("problems", problems=escape("; ".join(exc.problems))))
        return
    await drop_keyboard(query)
    await start_add(state, chat, examples=examples, report_id=report.id)
