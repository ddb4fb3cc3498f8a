"""Changing knowledge: edit one field, remove, restore, undo; and showing a pattern or its history.

Each change shows what it will do and waits for a confirmation carrying the session's
token; removing the last pattern of a category asks a second time with another button.
"""

from __future__ import annotations

import difflib
import logging
from html import escape

from pydantic import ValidationError

from bot.adapter.admin import views
from bot.adapter.admin.flows import AdminSession, Flow, Step
from bot.adapter.admin.forms import (
    CHOICE_FIELDS,
    EDITABLE_CHARS,
    MESSAGE_FIELDS,
    SEVERITIES,
    category_label,
    clip,
    describe_entry,
    field_input,
    field_name,
    parse_field,
    render_pattern,
    with_field,
)
from bot.adapter.admin.state import AdminState
from bot.adapter.admin.ui import Conversation, actor
from bot.core.i18n import list_format, two_lines_format
from bot.core.knowledge import KnowledgeError, ScamPattern
from bot.core.reply import fit
from bot.core.taxonomy import SCAM_CATEGORIES
from bot.kb.repository import AuditEntry

log = logging.getLogger(__name__)


# Showing
async def show(state: AdminState, chat: Conversation, pattern: ScamPattern) -> None:
    keyboard = views.pattern_keyboard(state.refs, pattern.id, chat.language)
    await chat.say(fit(render_pattern(pattern), views.ADMIN_BUDGET), keyboard)


async def show_history(state: AdminState, chat: Conversation, pattern_id: str | None) -> None:
    entries = await state.knowledge.history(pattern_id, limit=10)
    await chat.say(views.history(entries, pattern_id, chat.language))


async def not_found(state: AdminState, chat: Conversation, pattern_id: str) -> None:
    lines = [chat.t("not_found", id=escape(pattern_id))]
    if await state.knowledge.get(pattern_id, include_deleted=True) is not None:
        lines.append(chat.t("removed_hint", id=escape(pattern_id)))
    else:
        close = difflib.get_close_matches(pattern_id, list(state.knowledge.kb.by_id()), n=3, cutoff=0.5)
        if close:
            lines.append(chat.t("did_you_mean", ids=", ".join(f"<code>{escape(c)}</code>" for c in close)))
    await chat.say("\n".join(lines))


# Editing one field
async def start_edit(
    state: AdminState, chat: Conversation, pattern: ScamPattern, raw_field: str | None, value: str | None
) -> None:
    target = field_name(raw_field)
    if target is None:
        if raw_field:
            await chat.say(chat.t("unknown_field", field=escape(raw_field)))
        await chat.say(chat.t("ask_field", id=escape(pattern.id)), views.field_keyboard(state.refs, pattern.id))
        return
    choice = target in CHOICE_FIELDS
    session = AdminSession(Flow.EDIT, Step.CHOICE if choice else Step.VALUE, pattern_id=pattern.id, target=target)
    note = state.sessions.begin(chat.user.id, session, chat.language)
    if choice:
        if value in (*SEVERITIES, *SCAM_CATEGORIES):  # "/kb edit ID severity low"
            await edit_value(state, chat, session, value)
            return
        if target == "category":
            keyboard = views.category_keyboard(session, chat.language)
        else:
            keyboard = views.severity_keyboard(session, chat.language)
        await chat.say(note + chat.t("ask_choice", field=target, id=escape(pattern.id)), keyboard)
        return
    current = field_input(pattern, target)
    if target in MESSAGE_FIELDS and len(current) > EDITABLE_CHARS:
        state.sessions.end(chat.user.id)
        await chat.say(chat.t("too_long_to_edit", id=escape(pattern.id), field=target))
        return
    if value:
        await edit_value(state, chat, session, value)
        return
    fmt = two_lines_format(chat.language) if target in ("title", "summary") else list_format(chat.language)
    body = note + chat.t("ask_value", field=target, id=escape(pattern.id), format=fmt)
    body += f"\n<pre>{escape(current)}</pre>"
    await chat.say(body, views.cancel_keyboard(session, chat.language))


async def edit_value(state: AdminState, chat: Conversation, session: AdminSession, raw: str) -> None:
    """Validate the new value against the pattern as it is now and show before and after."""
    assert session.pattern_id is not None and session.target is not None
    pattern = state.live(session.pattern_id)
    if pattern is None:
        state.sessions.end(chat.user.id)
        await not_found(state, chat, session.pattern_id)
        return
    try:
        value: object = parse_field(session.target, raw) if session.step == Step.VALUE else raw
        pending = with_field(pattern, session.target, value)
    except (KnowledgeError, ValidationError) as exc:
        await chat.problems(exc, retry=session.step == Step.VALUE)
        return
    session.value, session.pending = value, pending
    session.advance()
    before, after = field_input(pattern, session.target), field_input(pending, session.target)
    body = chat.t(
        "preview_edit",
        field=session.target,
        id=escape(pattern.id),
        before=f"<pre>{escape(clip(before, 1500))}</pre>",
        after=f"<pre>{escape(clip(after, 1500))}</pre>",
    )
    body += "\n" + chat.t("confirm_save")
    await chat.say(body, views.confirm_keyboard(session, chat.language, "btn_save"))


async def save_edit(state: AdminState, chat: Conversation, session: AdminSession) -> None:
    pattern_id, target, value = session.pattern_id, session.target, session.value
    assert pattern_id is not None and target is not None
    try:
        # Applied to the pattern as it is now, so another admin's change to another field survives.
        entry = await state.knowledge.update(
            pattern_id, lambda current: with_field(current, target, value), actor(chat.user)
        )
    except (KnowledgeError, ValidationError) as exc:
        await chat.problems(exc, retry=False)
        return
    if entry is None:
        await chat.say(chat.t("unchanged"))
        return
    log.info("admin %s changed %s of %s", chat.user.id, target, pattern_id)
    body = chat.t("saved", id=escape(pattern_id), seconds=state.seconds())
    await chat.say(body, views.undo_keyboard(state.refs, pattern_id, chat.language))


# Removing, restoring, undo
async def start_remove(state: AdminState, chat: Conversation, pattern: ScamPattern) -> None:
    session = AdminSession(Flow.REMOVE, Step.CONFIRM, pattern_id=pattern.id)
    note = state.sessions.begin(chat.user.id, session, chat.language)
    body = note + chat.t("confirm_remove", id=escape(pattern.id), title=escape(clip(pattern.title.en, 120)))
    await chat.say(body, views.confirm_keyboard(session, chat.language, "btn_remove"))


async def remove(state: AdminState, chat: Conversation, session: AdminSession) -> None:
    pattern_id = session.pattern_id
    assert pattern_id is not None
    if session.step == Step.CONFIRM and state.knowledge.is_last_of_category(pattern_id):
        # The last of its kind: ask again, with a different button, so a double tap cannot do it.
        session.advance()
        state.sessions.keep(chat.user.id, session)
        pattern = state.live(pattern_id)
        category = escape(category_label(pattern.category, chat.language)) if pattern else ""
        body = chat.t("confirm_remove_last", id=escape(pattern_id), category=category)
        await chat.say(body, views.confirm_last_keyboard(session, chat.language))
        return
    try:
        await state.knowledge.delete(pattern_id, actor(chat.user))
    except KnowledgeError as exc:
        await chat.problems(exc, retry=False)
        return
    log.info("admin %s removed pattern %s", chat.user.id, pattern_id)
    await chat.say(chat.t("removed", id=escape(pattern_id)), views.undo_keyboard(state.refs, pattern_id, chat.language))


async def restore(state: AdminState, chat: Conversation, pattern_id: str) -> None:
    try:
        await state.knowledge.restore(pattern_id, actor(chat.user))
    except KnowledgeError as exc:
        await chat.problems(exc, retry=False)
        return
    log.info("admin %s restored pattern %s", chat.user.id, pattern_id)
    await chat.say(
        chat.t("restored", id=escape(pattern_id)), views.undo_keyboard(state.refs, pattern_id, chat.language)
    )


async def _last_undoable(state: AdminState, pattern_id: str | None) -> AuditEntry | None:
    entries = await state.knowledge.history(pattern_id, limit=200)
    return next((e for e in entries if not e.undone and e.action != "undo"), None)


async def start_undo(state: AdminState, chat: Conversation, pattern_id: str | None) -> None:
    """Undo cannot itself be undone, so it shows what it reverts and waits for a confirmation."""
    entry = await _last_undoable(state, pattern_id)
    if entry is None:
        await chat.say(chat.t("nothing_to_undo"))
        return
    session = AdminSession(Flow.UNDO, Step.CONFIRM, pattern_id=pattern_id, audit_id=entry.id)
    note = state.sessions.begin(chat.user.id, session, chat.language)
    body = note + chat.t("confirm_undo", entry=describe_entry(entry), effect=chat.t(f"effect_{entry.action}"))
    await chat.say(body, views.confirm_keyboard(session, chat.language, "btn_undo"))


async def undo(state: AdminState, chat: Conversation, session: AdminSession) -> None:
    entry = await _last_undoable(state, session.pattern_id)
    if entry is None or entry.id != session.audit_id:
        await chat.say(chat.t("undo_changed"))
        return
    try:
        await state.knowledge.undo(actor(chat.user), entry.pattern_id)
    except KnowledgeError as exc:
        await chat.problems(exc, retry=False)
        return
    log.info("admin %s undid change %s of %s", chat.user.id, entry.id, entry.pattern_id)
    await chat.say(chat.t("undone", id=escape(entry.pattern_id)))
