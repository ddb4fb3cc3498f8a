"""What the admin sees: message bodies and keyboards, built from knowledge and sessions, never sent here.

Every function returns HTML (values escaped) and, where there are buttons, their
keyboard; the flows and the review queue decide when to send or edit them.
"""

from __future__ import annotations

from html import escape

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.adapter.admin.flows import AdminSession
from bot.adapter.admin.forms import EDITABLE_FIELDS, SEVERITIES, category_index, category_label, clip, describe_entry
from bot.adapter.admin.state import PatternRefs
from bot.adapter.admin.ui import button, rows
from bot.adapter.callbacks import (
    KbCancel,
    KbCategories,
    KbCategory,
    KbConfirm,
    KbConfirmLast,
    KbDone,
    KbEdit,
    KbEditField,
    KbHistory,
    KbPickCategory,
    KbPickSeverity,
    KbRemove,
    KbShow,
    KbUndo,
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
from bot.core.i18n import Language, text
from bot.core.knowledge import KnowledgeBase, ScamPattern
from bot.core.reply import fit, quoted_html
from bot.core.taxonomy import SCAM_CATEGORIES
from bot.kb.repository import AuditEntry
from bot.storage.models import Report

PAGE_SIZE = 8
SHOWN_REPORT_CHARS = 1500
ADMIN_BUDGET = 3800
"""Admin messages may use most of Telegram's 4096 characters: operators read long lists."""


def _counts(kb: KnowledgeBase) -> dict[str, int]:
    counts = {category: 0 for category in SCAM_CATEGORIES}
    for pattern in kb:
        counts[pattern.category] = counts.get(pattern.category, 0) + 1
    return counts


# Session buttons
def cancel_button(session: AdminSession, language: Language) -> InlineKeyboardButton:
    return button(text("btn_cancel", language), KbCancel(session.token))


def confirm_keyboard(session: AdminSession, language: Language, label: str) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [[button(text(label, language), KbConfirm(session.token)), cancel_button(session, language)]]
    )


def confirm_last_keyboard(session: AdminSession, language: Language) -> InlineKeyboardMarkup:
    """A different button for a second, graver confirmation: a double tap cannot press it."""
    return InlineKeyboardMarkup(
        [[button(text("btn_remove_last", language), KbConfirmLast(session.token)), cancel_button(session, language)]]
    )


def cancel_keyboard(session: AdminSession, language: Language) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[cancel_button(session, language)]])


def done_keyboard(session: AdminSession, language: Language) -> InlineKeyboardMarkup:
    done = button(text("btn_done", language), KbDone(session.token))
    return InlineKeyboardMarkup([[done, cancel_button(session, language)]])


def category_keyboard(session: AdminSession, language: Language) -> InlineKeyboardMarkup:
    buttons = [
        button(category_label(category, language), KbPickCategory(session.token, i))
        for i, category in enumerate(SCAM_CATEGORIES)
    ]
    return InlineKeyboardMarkup([*rows(buttons), [cancel_button(session, language)]])


def severity_keyboard(session: AdminSession, language: Language) -> InlineKeyboardMarkup:
    levels = [button(level, KbPickSeverity(session.token, level)) for level in SEVERITIES]
    return InlineKeyboardMarkup([levels, [cancel_button(session, language)]])


# Patterns
def undo_keyboard(refs: PatternRefs, pattern_id: str, language: Language) -> InlineKeyboardMarkup:
    key = refs.remember(pattern_id)
    return InlineKeyboardMarkup(
        [[button(text("btn_undo", language), KbUndo(key)), button(text("btn_show", language), KbShow(key))]]
    )


def field_keyboard(refs: PatternRefs, pattern_id: str) -> InlineKeyboardMarkup:
    key = refs.remember(pattern_id)
    return InlineKeyboardMarkup(rows([button(name, KbEditField(key, i)) for i, name in enumerate(EDITABLE_FIELDS)]))


def pattern_keyboard(refs: PatternRefs, pattern_id: str, language: Language) -> InlineKeyboardMarkup:
    key = refs.remember(pattern_id)
    return InlineKeyboardMarkup(
        [
            [
                button(text("btn_edit", language), KbEdit(key)),
                button(text("btn_remove", language), KbRemove(key)),
                button(text("btn_history", language), KbHistory(key)),
            ]
        ]
    )


def overview(kb: KnowledgeBase, language: Language) -> tuple[str, InlineKeyboardMarkup]:
    counts = _counts(kb)
    body = text("overview", language, count=len(kb), categories=sum(1 for n in counts.values() if n))
    buttons = [
        button(f"{category_label(category, language)} ({count})", KbCategory(category_index(category), 0))
        for category, count in counts.items()
    ]
    return body + "\n/kb help", InlineKeyboardMarkup(rows(buttons))


def category_page(
    kb: KnowledgeBase, refs: PatternRefs, index: int, page: int, language: Language
) -> tuple[str, InlineKeyboardMarkup]:
    category = SCAM_CATEGORIES[index]
    patterns = [p for p in kb if p.category == category]
    pages = max(1, -(-len(patterns) // PAGE_SIZE))
    page = min(max(page, 0), pages - 1)
    shown = patterns[page * PAGE_SIZE : (page + 1) * PAGE_SIZE]
    lines = [
        text(
            "category_page",
            language,
            name=escape(category_label(category, language)),
            category=category,
            count=len(patterns),
            page=page + 1,
            pages=pages,
        )
    ]
    lines += [f"• <code>{escape(p.id)}</code> – {escape(clip(p.title.en, 90))}" for p in shown]
    if not patterns:
        lines.append(text("category_empty", language))
    listed = [[button(clip(p.title.en, 48), KbShow(refs.remember(p.id)))] for p in shown]
    navigation = []
    if page > 0:
        navigation.append(button("◀️", KbCategory(index, page - 1)))
    navigation.append(button(text("btn_categories", language), KbCategories()))
    if page < pages - 1:
        navigation.append(button("▶️", KbCategory(index, page + 1)))
    return fit(lines, ADMIN_BUDGET), InlineKeyboardMarkup([*listed, navigation])


def history(entries: list[AuditEntry], pattern_id: str | None, language: Language) -> str:
    what = f"<code>{escape(pattern_id)}</code>" if pattern_id else ""
    lines = [text("history", language, what=what)]
    lines += [describe_entry(entry) for entry in entries] or [text("history_empty", language)]
    return fit(lines, ADMIN_BUDGET)


# The review queue
def review_item(report: Report, open_reports: int, live: ScamPattern | None, language: Language) -> str:
    where = text("where_group" if report.chat_id < 0 else "where_private", language)
    lines = [
        text(
            "review_head",
            language,
            open=open_reports,
            id=report.id,
            kind=text(f"kind_{report.kind}", language),
            where=where,
            when=f"{report.created_at:%Y-%m-%d %H:%M}",
        ),
        f"<blockquote>{quoted_html(clip(report.text, SHOWN_REPORT_CHARS))}</blockquote>",  # links not tappable
    ]
    suggested = report.suggested_pattern_id
    if live is not None:
        lines.append(text("suggested", language, id=escape(live.id), title=escape(clip(live.title.en, 120))))
    elif suggested:
        lines.append(text("suggested_gone", language, id=escape(suggested)))
    else:
        lines.append(text("no_suggestion", language))
    return "\n".join(lines)


def review_keyboard(report: Report, suggestion_live: bool, language: Language) -> InlineKeyboardMarkup:
    rid = report.id
    keyboard = []
    if report.suggested_pattern_id and suggestion_live:
        label = text("btn_example_of", language, id=clip(report.suggested_pattern_id, 40))
        keyboard.append([button(label, RvExample(rid))])
    keyboard += [
        [
            button(text("btn_example_other", language), RvPick(rid, "e")),
            button(text("btn_counter", language), RvCounter(rid)),
        ],
        [
            button(text("btn_new_pattern", language), RvNewPattern(rid)),
            button(text("btn_dismiss", language), RvDismiss(rid)),
        ],
        [button(text("btn_who", language), RvWho(rid)), button(text("btn_next", language), RvNext(rid))],
    ]
    return InlineKeyboardMarkup(keyboard)


def category_chooser(
    kb: KnowledgeBase, report_id: int, mode: str, language: Language
) -> tuple[str, InlineKeyboardMarkup]:
    buttons = [
        button(f"{category_label(c, language)} ({n})", RvPickCategory(report_id, mode, category_index(c)))
        for c, n in _counts(kb).items()
        if n
    ]
    return text("choose_category", language), InlineKeyboardMarkup(rows(buttons))


def pattern_chooser(
    kb: KnowledgeBase, refs: PatternRefs, report_id: int, mode: str, index: int, language: Language
) -> tuple[str, InlineKeyboardMarkup]:
    category = SCAM_CATEGORIES[index]
    patterns = [p for p in kb if p.category == category][:40]
    keyboard = [[button(clip(p.title.en, 48), RvAddTo(report_id, mode, refs.remember(p.id)))] for p in patterns]
    keyboard.append([button(text("btn_categories", language), RvPickAgain(report_id, mode))])
    body = text("choose_pattern", language, name=escape(category_label(category, language)))
    return body, InlineKeyboardMarkup(keyboard)
