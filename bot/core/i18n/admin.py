"""What the bot says to knowledge-base admins (and to those who are not), in en and zh.

Admins are operators, so the wording is short and the input formats are spelled out
in every prompt: nobody should have to look up how to type a list. Values filled in
must already be HTML-escaped. Long because it is a translation table.
"""

from __future__ import annotations

TWO_LINES = {
    "en": "two lines: English first, then Chinese.",
    "zh": "两行：第一行英文，第二行中文。",
}
LIST = {
    "en": "one item per line: English items, then a line <code>---</code>, then Chinese items (up to 12 each).",
    "zh": "每行一条：先写英文条目，再写一行 <code>---</code>，再写中文条目（每种最多12条）。",
}

ADMIN: dict[str, dict[str, str]] = {
    "refused": {
        "en": (
            "Sorry, this is only for the bot's knowledge-base admins. To check or report a scam, just forward it to me."
        ),
        "zh": "抱歉，这仅限知识库管理员使用。要检查或举报诈骗，直接把消息转发给我即可。",
    },
    "kb_help": {
        "en": (
            "<b>Knowledge base (admins)</b>\n"
            "/kb – patterns by category\n/kb show ID\n/kb add – guided new pattern\n"
            "/kb example ID · /kb counter ID – reply to (or then forward) a message\n"
            "/kb edit ID FIELD – title, summary, advice, red_flags, examples, counter_examples, severity, category\n"
            "/kb remove ID · /kb restore ID\n/kb history [ID] · /kb undo [ID]\n/review – reported messages\n"
            "/cancel – stop the current step"
        ),
        "zh": (
            "<b>知识库（管理员）</b>\n"
            "/kb – 按类别列出模式\n/kb show ID\n/kb add – 引导新建模式\n"
            "/kb example ID · /kb counter ID – 回复（或随后转发）一条消息\n"
            "/kb edit ID 字段 – title, summary, advice, red_flags, examples, counter_examples, severity, category\n"
            "/kb remove ID · /kb restore ID\n/kb history [ID] · /kb undo [ID]\n/review – 待审核的举报\n"
            "/cancel – 停止当前步骤"
        ),
    },
    "overview": {
        "en": "📚 <b>{count} patterns</b> in {categories} categories. Choose a category:",
        "zh": "📚 共<b>{count}个模式</b>，{categories}个类别。请选择类别：",
    },
    "category_page": {
        "en": "<b>{name}</b> (<code>{category}</code>): {count} patterns, page {page}/{pages}",
        "zh": "<b>{name}</b>（<code>{category}</code>）：{count}个模式，第{page}/{pages}页",
    },
    "category_empty": {"en": "No patterns in this category yet.", "zh": "这个类别还没有模式。"},
    "not_found": {"en": "No pattern <code>{id}</code>.", "zh": "没有模式 <code>{id}</code>。"},
    "removed_hint": {
        "en": "It was removed; <code>/kb restore {id}</code> brings it back.",
        "zh": "它已被删除；<code>/kb restore {id}</code> 可恢复。",
    },
    "did_you_mean": {"en": "Did you mean: {ids}?", "zh": "你是不是要找：{ids}？"},
    "needs_id": {"en": "Which pattern? Usage: <code>{usage}</code>", "zh": "哪个模式？用法：<code>{usage}</code>"},
    "problems": {
        "en": "That does not fit, so nothing was changed:\n{problems}",
        "zh": "内容不符合要求，没有做任何修改：\n{problems}",
    },
    "try_again": {"en": "Please send it again, or /cancel.", "zh": "请重新发送，或 /cancel 取消。"},
    "cancelled": {"en": "Cancelled. Nothing was changed.", "zh": "已取消，没有做任何修改。"},
    "nothing_to_cancel": {"en": "Nothing to cancel.", "zh": "没有进行中的操作。"},
    "replaced_session": {
        "en": "(Your unfinished {flow} was dropped.)",
        "zh": "（你未完成的 {flow} 已放弃。）",
    },
    "stale_button": {
        "en": "This button belongs to a finished or older step.",
        "zh": "这个按钮属于已结束或较早的步骤。",
    },
    "use_buttons": {"en": "Please use the buttons above, or /cancel.", "zh": "请使用上方按钮，或 /cancel 取消。"},
    # Guided add
    "ask_category": {
        "en": "🆕 <b>New pattern</b>, step 1/7: choose its category. (/cancel stops at any step.)",
        "zh": "🆕 <b>新建模式</b>，第1/7步：选择类别。（任何一步都可以 /cancel 取消）",
    },
    "ask_severity": {
        "en": (
            "Step 2/7 · <b>Severity</b>: how much harm if someone falls for it? low (an annoyance), medium "
            "(a small loss), high (savings or an account at stake), critical (life savings, identity, safety)."
        ),
        "zh": "第2/7步 · <b>严重程度</b>：上当会有多大损失？low（小麻烦）、medium（小额损失）、"
        "high（存款或账号受损）、critical（毕生积蓄、身份或人身安全）。",
    },
    "severity_chosen": {"en": "Severity: <b>{level}</b>", "zh": "严重程度：<b>{level}</b>"},
    "ask_title": {
        "en": "Step 3/7 · <b>Title</b>, " + TWO_LINES["en"],
        "zh": "第3/7步 · <b>标题</b>，" + TWO_LINES["zh"],
    },
    "ask_summary": {
        "en": "Step 4/7 · <b>Summary</b> (how the scam works, a sentence or two), " + TWO_LINES["en"],
        "zh": "第4/7步 · <b>简介</b>（骗局如何运作，一两句话），" + TWO_LINES["zh"],
    },
    "ask_advice": {
        "en": "Step 5/7 · <b>Advice</b> (what to do), " + LIST["en"],
        "zh": "第5/7步 · <b>建议</b>（应该怎么做），" + LIST["zh"],
    },
    "ask_red_flags": {
        "en": "Step 6/7 · <b>Red flags</b>, " + LIST["en"],
        "zh": "第6/7步 · <b>危险信号</b>，" + LIST["zh"],
    },
    "ask_examples": {
        "en": (
            "Step 7/7 · <b>First examples</b> (real scam messages): one per line, English ones, then a line "
            "<code>---</code>, then Chinese ones (either part may be empty). Or forward the scam messages to me "
            "one by one, then press Done."
        ),
        "zh": (
            "第7/7步 · <b>首批示例</b>（真实的诈骗消息）：每行一条，先英文，再写一行 <code>---</code>，再中文"
            "（任一部分可为空）。也可以把诈骗消息逐条转发给我，然后点“完成”。"
        ),
    },
    "examples_so_far": {"en": "{count} example(s) so far.", "zh": "目前已有{count}条示例。"},
    "example_collected": {
        "en": "Example added to the draft ({count} so far). Forward more, or press Done.",
        "zh": "已加入草稿（共{count}条）。可继续转发，或点“完成”。",
    },
    "category_chosen": {"en": "Category: <b>{name}</b>", "zh": "类别：<b>{name}</b>"},
    "preview_new": {"en": "🔎 <b>Preview of the new pattern</b>", "zh": "🔎 <b>新模式预览</b>"},
    "confirm_save": {
        "en": "Save it? It applies from the very next message checked.",
        "zh": "保存吗？保存后立即对下一条消息生效。",
    },
    "saved": {
        "en": "✅ Saved <code>{id}</code>. Live for the next message (applied in {seconds} s).",
        "zh": "✅ 已保存 <code>{id}</code>，下一条消息起生效（耗时{seconds}秒）。",
    },
    "unchanged": {"en": "Nothing changed: it was already like that.", "zh": "没有变化：内容本来就是这样。"},
    "id_taken": {
        "en": "The id <code>{id}</code> was taken meanwhile; please press Save again.",
        "zh": "ID <code>{id}</code> 刚被占用，请再点一次保存。",
    },
    # Editing
    "ask_field": {"en": "Which field of <code>{id}</code>?", "zh": "要修改 <code>{id}</code> 的哪个字段？"},
    "unknown_field": {"en": "Unknown field <code>{field}</code>.", "zh": "未知字段 <code>{field}</code>。"},
    "ask_value": {
        "en": "✏️ New <b>{field}</b> for <code>{id}</code>, {format}\nCurrent value (copy, change, send):",
        "zh": "✏️ 请发送 <code>{id}</code> 的新<b>{field}</b>，{format}\n当前内容（可复制修改后发送）：",
    },
    "ask_choice": {
        "en": "✏️ New <b>{field}</b> for <code>{id}</code>:",
        "zh": "✏️ 选择 <code>{id}</code> 的新<b>{field}</b>：",
    },
    "too_long_to_edit": {
        "en": (
            "<code>{id}</code> has too many {field} to edit in one message. Add with /kb example or /kb counter, "
            "or use <code>python -m bot kb export</code> / <code>import</code>."
        ),
        "zh": (
            "<code>{id}</code> 的{field}太多，无法在一条消息里编辑。"
            "请用 /kb example、/kb counter 添加，或用命令行导出/导入。"
        ),
    },
    "preview_edit": {
        "en": "🔎 <b>{field}</b> of <code>{id}</code>\n<b>Before</b>\n{before}\n<b>After</b>\n{after}",
        "zh": "🔎 <code>{id}</code> 的<b>{field}</b>\n<b>修改前</b>\n{before}\n<b>修改后</b>\n{after}",
    },
    # Examples
    "ask_message": {
        "en": "Forward (or send) the message to add as {kind} of <code>{id}</code>, or /cancel.",
        "zh": "请转发（或发送）要作为<code>{id}</code>的{kind}的消息，或 /cancel 取消。",
    },
    "kind_example": {"en": "an example", "zh": "示例"},
    "kind_counter": {"en": "a counter-example (a legitimate lookalike)", "zh": "反例（正常的相似消息）"},
    "message_added": {
        "en": "➕ Added as {kind} of <code>{id}</code>. Live for the next message (applied in {seconds} s).",
        "zh": "➕ 已作为<code>{id}</code>的{kind}加入，下一条消息起生效（耗时{seconds}秒）。",
    },
    "not_my_answer": {
        "en": "Reply to the message itself, not to my answer.",
        "zh": "请回复原消息本身，而不是我的回答。",
    },
    # Removing, restoring, undo, history
    "confirm_remove": {
        "en": "🗑 Remove <code>{id}</code> ({title})? It can be restored later with <code>/kb restore {id}</code>.",
        "zh": "🗑 删除 <code>{id}</code>（{title}）吗？之后可用 <code>/kb restore {id}</code> 恢复。",
    },
    "confirm_remove_last": {
        "en": (
            "⚠️ <code>{id}</code> is the <b>last pattern</b> of “{category}”. Without it the bot no longer "
            "recognises this kind of scam at all. Remove it anyway?"
        ),
        "zh": (
            "⚠️ <code>{id}</code> 是“{category}”类别的<b>最后一个模式</b>。"
            "删除后机器人将完全无法识别这类骗局。仍要删除吗？"
        ),
    },
    "removed": {
        "en": "🗑 Removed <code>{id}</code> (live now). <code>/kb restore {id}</code> or /kb undo brings it back.",
        "zh": "🗑 已删除 <code>{id}</code>（已生效）。<code>/kb restore {id}</code> 或 /kb undo 可恢复。",
    },
    "restored": {"en": "♻️ Restored <code>{id}</code> (live now).", "zh": "♻️ 已恢复 <code>{id}</code>（已生效）。"},
    "nothing_to_undo": {"en": "Nothing to undo.", "zh": "没有可撤销的修改。"},
    "confirm_undo": {
        "en": "↩️ Undo this change?\n{entry}\n{effect}",
        "zh": "↩️ 撤销这次修改吗？\n{entry}\n{effect}",
    },
    "undo_changed": {
        "en": "The history changed meanwhile; run /kb undo again to see the latest change.",
        "zh": "修改记录刚刚有变化，请重新执行 /kb undo 查看最新的修改。",
    },
    "undone": {
        "en": "↩️ Undone: <code>{id}</code> is back as before (live now).",
        "zh": "↩️ 已撤销：<code>{id}</code> 已恢复原状（已生效）。",
    },
    "effect_create": {"en": "This removes the pattern again.", "zh": "这会再次删除该模式。"},
    "effect_restore": {"en": "This removes the pattern again.", "zh": "这会再次删除该模式。"},
    "effect_delete": {"en": "This brings the pattern back.", "zh": "这会恢复该模式。"},
    "effect_update": {"en": "This puts back the previous version.", "zh": "这会恢复到之前的版本。"},
    "effect_import": {"en": "This puts back the state before the import.", "zh": "这会恢复到导入前的状态。"},
    "history": {"en": "🕘 <b>History</b> {what}", "zh": "🕘 <b>修改记录</b> {what}"},
    "history_empty": {"en": "No changes recorded.", "zh": "没有修改记录。"},
    # Review queue
    "queue_empty": {"en": "🎉 The review queue is empty.", "zh": "🎉 审核队列已清空。"},
    "review_head": {
        "en": "🗂 <b>Review</b> · {open} open · report #{id}\n{kind} · {where} · {when}",
        "zh": "🗂 <b>审核</b> · 待处理{open}条 · 举报 #{id}\n{kind} · {where} · {when}",
    },
    "kind_scam": {"en": "🚩 reported as a scam by a user", "zh": "🚩 用户举报为诈骗"},
    "kind_false_alarm": {"en": "✅ marked “not a scam” by a group admin", "zh": "✅ 群管理员标记为“不是诈骗”"},
    "where_private": {"en": "private chat", "zh": "私聊"},
    "where_group": {"en": "group", "zh": "群组"},
    "suggested": {
        "en": "Suggested pattern: <code>{id}</code> – {title}",
        "zh": "建议的模式：<code>{id}</code> – {title}",
    },
    "suggested_gone": {
        "en": "Suggested pattern: <code>{id}</code> (no longer live)",
        "zh": "建议的模式：<code>{id}</code>（已不存在）",
    },
    "no_suggestion": {"en": "No pattern was suggested.", "zh": "没有建议的模式。"},
    "reporter": {
        "en": "Reported by Telegram user {user} in chat {chat}. Handle with care.",
        "zh": "举报人：Telegram 用户 {user}，所在聊天 {chat}。请妥善对待。",
    },
    "already_handled": {"en": "Another admin already handled this report.", "zh": "其他管理员已处理过这条举报。"},
    "report_gone": {"en": "This report no longer exists.", "zh": "这条举报已不存在。"},
    "dismissed": {"en": "🗑 Report #{id} dismissed.", "zh": "🗑 举报 #{id} 已忽略。"},
    "resolved_added": {
        "en": "➕ Report #{id} added as {kind} of <code>{pattern}</code> (live, applied in {seconds} s).",
        "zh": "➕ 举报 #{id} 已作为<code>{pattern}</code>的{kind}加入（已生效，耗时{seconds}秒）。",
    },
    "choose_category": {"en": "Choose the category:", "zh": "请选择类别："},
    "choose_pattern": {"en": "Choose the pattern ({name}):", "zh": "请选择模式（{name}）："},
    "from_report": {
        "en": "The reported message is already in the draft as its first example.",
        "zh": "被举报的消息已作为第一条示例放入草稿。",
    },
    # Buttons
    "btn_save": {"en": "✅ Save", "zh": "✅ 保存"},
    "btn_cancel": {"en": "✖️ Cancel", "zh": "✖️ 取消"},
    "btn_done": {"en": "✅ Done", "zh": "✅ 完成"},
    "btn_remove": {"en": "🗑 Remove", "zh": "🗑 删除"},
    "btn_remove_last": {"en": "⚠️ Yes, remove the last one", "zh": "⚠️ 确定删除最后一个"},
    "btn_undo": {"en": "↩️ Undo", "zh": "↩️ 撤销"},
    "btn_edit": {"en": "✏️ Edit", "zh": "✏️ 修改"},
    "btn_history": {"en": "🕘 History", "zh": "🕘 记录"},
    "btn_show": {"en": "🔎 Show", "zh": "🔎 查看"},
    "btn_categories": {"en": "⬆️ Categories", "zh": "⬆️ 类别"},
    "btn_example_of": {"en": "➕ Example of {id}", "zh": "➕ 作为 {id} 的示例"},
    "btn_example_other": {"en": "➕ Example of another…", "zh": "➕ 作为其他模式的示例…"},
    "btn_counter": {"en": "➖ Counter-example", "zh": "➖ 作为反例"},
    "btn_new_pattern": {"en": "🆕 New pattern", "zh": "🆕 新建模式"},
    "btn_dismiss": {"en": "🗑 Dismiss", "zh": "🗑 忽略"},
    "btn_who": {"en": "👤 Who reported", "zh": "👤 举报人"},
    "btn_next": {"en": "⏭ Next", "zh": "⏭ 下一条"},
}
