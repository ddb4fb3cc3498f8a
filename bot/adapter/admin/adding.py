"""Adding knowledge: the guided new pattern (``/kb add``) and single examples (``/kb example``, ``/kb counter``).

Every change goes through the kb service, so it is validated, audited and live for the
very next message. A review item starts here too: its message becomes the first example.
"""

from __future__ import annotations

import logging
from html import escape

from pydantic import ValidationError
from telegram import InlineKeyboardMarkup, Message

from bot.adapter.admin import views
from bot.adapter.admin.flows import AdminSession, Flow, Step
from bot.adapter.admin.forms import (
    LIST_FIELDS,
    add_message,
    build_pattern,
    category_label,
    parse_list,
    parse_messages,
    parse_two_lines,
    render_pattern,
)
from bot.adapter.admin.state import AdminState
from bot.adapter.admin.ui import Conversation, actor, button
from bot.adapter.callbacks import KbDone
from bot.core.knowledge import KnowledgeError, Messages, ScamPattern
from bot.core.reply import fit
from bot.core.taxonomy import SCAM_CATEGORIES

log = logging.getLogger(__name__)


async def start_add(
    state: AdminState, chat: Conversation, *, examples: Messages | None = None, report_id: int | None = None
) -> None:
    """Step 1 of 7; a review item starts here with its message as the first example."""
    session = AdminSession(Flow.ADD, Step.CATEGORY, report_id=report_id)
    if examples is not None:
        session.draft["examples"] = examples.model_dump()
    note = state.sessions.begin(chat.user.id, session, chat.language)
    body = note + chat.t("ask_category") + ("\n" + chat.t("from_report") if examples else "")
    await chat.say(body, views.category_keyboard(session, chat.language))


async def category_chosen(state: AdminState, chat: Conversation, session: AdminSession, index: int) -> None:
    category = SCAM_CATEGORIES[index]
    session.draft["category"] = category
    session.advance()
    await chat.say(chat.t("category_chosen", name=escape(category_label(category, chat.language))))
    await chat.say(chat.t("ask_severity"), views.severity_keyboard(session, chat.language))


async def severity_chosen(state: AdminState, chat: Conversation, session: AdminSession, level: str) -> None:
    """Step 2: how grave the scam is, asked rather than silently left at the schema's default "high"."""
    session.draft["severity"] = level
    session.advance()
    await chat.say(chat.t("severity_chosen", level=escape(level)))
    await ask(chat, session)


async def ask(chat: Conversation, session: AdminSession) -> None:
    """Prompt for the session's current add step (text steps only)."""
    keyboard = [views.cancel_button(session, chat.language)]
    body = chat.t(f"ask_{session.step}")
    if session.step == Step.EXAMPLES and session.draft.get("examples"):
        count = len(Messages.model_validate(session.draft["examples"]))
        body += "\n" + chat.t("examples_so_far", count=count)
        keyboard.insert(0, button(chat.t("btn_done"), KbDone(session.token)))
    await chat.say(body, InlineKeyboardMarkup([keyboard]))


async def add_input(state: AdminState, chat: Conversation, message: Message, session: AdminSession) -> None:
    """An admin's typed (or forwarded) answer to the current add step."""
    raw = message.text or ""
    step = session.step
    try:
        if step in (Step.TITLE, Step.SUMMARY):
            session.draft[step.value] = parse_two_lines(raw, step.value).model_dump(exclude_none=True)
        elif step in LIST_FIELDS:
            session.draft[step.value] = parse_list(raw, step.value).model_dump(exclude_none=True)
        elif message.forward_origin is not None:  # a forwarded scam is one example, line breaks and all
            current = Messages.model_validate(session.draft.get("examples", {}))
            session.draft["examples"] = add_message(current, raw, "examples").model_dump()
            count = len(Messages.model_validate(session.draft["examples"]))
            await chat.say(chat.t("example_collected", count=count), views.done_keyboard(session, chat.language))
            return
        else:
            current = Messages.model_validate(session.draft.get("examples", {}))
            session.draft["examples"] = parse_messages(raw, "examples", current=current).model_dump()
    except (KnowledgeError, ValidationError) as exc:
        await chat.problems(exc, retry=True)
        return
    if step == Step.EXAMPLES:
        await preview_new(state, chat, session)
        return
    session.advance()
    await ask(chat, session)


async def preview_new(state: AdminState, chat: Conversation, session: AdminSession) -> None:
    draft = session.draft
    try:
        if not Messages.model_validate(draft.get("examples", {})):
            raise KnowledgeError(["examples: a pattern needs at least one example message"])
        pattern_id = await state.knowledge.free_id(draft["category"], draft["title"]["en"])
        session.pending = build_pattern({"id": pattern_id, **draft})
    except (KnowledgeError, ValidationError) as exc:
        await chat.problems(exc, retry=True)
        return
    session.advance()
    lines = [chat.t("preview_new"), *render_pattern(session.pending, examples_shown=12), ""]
    lines.append(chat.t("confirm_save"))
    await chat.say(fit(lines, views.ADMIN_BUDGET), views.confirm_keyboard(session, chat.language, "btn_save"))


async def save_new(state: AdminState, chat: Conversation, session: AdminSession) -> None:
    pending = session.pending
    assert pending is not None
    try:
        saved: ScamPattern = await state.knowledge.create(pending, actor(chat.user))
    except (KnowledgeError, ValidationError) as exc:
        await chat.problems(exc, retry=False)
        return
    log.info("admin %s added pattern %s", chat.user.id, saved.id)
    if session.report_id is not None:
        await state.close_report(session.report_id, chat.user, "accepted", "new_pattern")
    body = chat.t("saved", id=escape(saved.id), seconds=state.seconds())
    await chat.say(body, views.undo_keyboard(state.refs, saved.id, chat.language))


# Examples and counter-examples
async def example_command(
    state: AdminState, chat: Conversation, message: Message, pattern: ScamPattern, counter: bool, rest: str
) -> None:
    """``/kb example ID`` in reply to a message, with the text after it, or asking for a forward."""
    replied = message.reply_to_message
    if replied is not None:
        if replied.from_user is not None and replied.from_user.id == chat.bot.id:
            await chat.say(chat.t("not_my_answer"))
            return
        await add_example(state, chat, pattern.id, replied.text or replied.caption or "", counter)
    elif rest:
        await add_example(state, chat, pattern.id, rest, counter)
    else:
        session = AdminSession(Flow.MESSAGE, Step.MESSAGE, pattern_id=pattern.id, counter=counter)
        note = state.sessions.begin(chat.user.id, session, chat.language)
        kind = chat.t("kind_counter" if counter else "kind_example")
        body = note + chat.t("ask_message", kind=kind, id=escape(pattern.id))
        await chat.say(body, views.cancel_keyboard(session, chat.language))


async def add_example(state: AdminState, chat: Conversation, pattern_id: str, words: str, counter: bool) -> bool:
    """Add one message to a pattern, live at once; False (and the problems shown) if it did not fit."""
    try:
        entry = await state.knowledge.add_message(pattern_id, words, actor(chat.user), counter=counter)
    except (KnowledgeError, ValidationError) as exc:
        await chat.problems(exc, retry=False)
        return False
    if entry is None:
        await chat.say(chat.t("unchanged"))
        return True
    log.info("admin %s added a %s to %s", chat.user.id, "counter-example" if counter else "example", pattern_id)
    kind = chat.t("kind_counter" if counter else "kind_example")
    body = chat.t("message_added", kind=kind, id=escape(pattern_id), seconds=state.seconds())
    await chat.say(body, views.undo_keyboard(state.refs, pattern_id, chat.language))
    return True
