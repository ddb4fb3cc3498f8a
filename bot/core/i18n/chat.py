"""What the bot says outside assessments (commands, buttons, notices, groups), in en and zh.

Written once in English and Simplified Chinese; Traditional readers get the Simplified
text converted (Taiwan/Hong Kong characters), the same way assessment replies are.
Values filled in must already be HTML-escaped. Long because it is a translation table.
"""

from __future__ import annotations

CHAT: dict[str, dict[str, str]] = {
    "start": {
        "en": (
            "👋 <b>Hi! I help you spot scams</b>, including the new AI ones: face-swapped video calls from "
            "“friends”, cloned voices of family in trouble, fake celebrity investment videos.\n\n"
            "<b>How to use me</b>\n"
            "• Forward me a suspicious message, paste its text, or send screenshots (several are read together).\n"
            "• I answer in seconds: which known scam it resembles, the red flags in it, and what to do now.\n\n"
            "<b>In a family or community group</b>\n"
            "Add me to the group. I stay quiet and only warn when a message closely matches a known scam.\n\n"
            "/help for more · /language to switch 中文/English · /privacy for what I store"
        ),
        "zh": (
            "👋 <b>你好！我帮你识别诈骗</b>，包括新型AI诈骗：AI换脸冒充亲友视频借钱、AI克隆亲人声音求救、"
            "伪造名人视频推荐投资等。\n\n"
            "<b>怎么用</b>\n"
            "• 把可疑消息转发给我，或粘贴文字，或发送截图（多张会一起判断）。\n"
            "• 几秒内告诉你：像哪种已知骗局、消息里的危险信号、现在该怎么做。\n\n"
            "<b>在家庭群或社区群里</b>\n"
            "把我拉进群。我平时不说话，只有消息与已知骗局高度相似时才提醒。\n\n"
            "/help 帮助 · /language 切换语言 · /privacy 隐私说明"
        ),
    },
    "help": {
        "en": (
            "<b>What I can check</b>\n"
            "• Text messages, forwarded messages, screenshots and QR codes (I read their text), captions, and links "
            "hidden behind words or buttons.\n"
            "• Several messages forwarded together are read as one conversation.\n\n"
            "<b>What I cannot check</b>\n"
            "• Faces and voices themselves: I read only text (also the text in screenshots). "
            "For a video or voice call, hang up and call back "
            "on a number you already have; ask something only the real person knows.\n\n"
            "<b>Buttons under my answer</b>\n"
            "👍 / 👎 tell us whether the answer helped. 🚩 “Report as scam” sends the message to our reviewers "
            "so I can recognise it next time.\n\n"
            "<b>In groups</b>: reply to a message with /check to have it checked."
        ),
        "zh": (
            "<b>我能检查什么</b>\n"
            "• 文字消息、转发的消息、截图和二维码（我会读出其中的文字）、说明文字，以及藏在文字或按钮后的链接。\n"
            "• 一起转发的多条消息会当作一段对话来判断。\n\n"
            "<b>我不能检查什么</b>\n"
            "• 人脸和声音本身：我只读文字（包括截图里的文字）。遇到视频或语音来电，请挂断后用原本存着的号码回拨，"
            "问一个只有本人知道的问题。\n\n"
            "<b>回答下方的按钮</b>\n"
            "👍 / 👎 告诉我们回答是否有用。🚩「举报诈骗」会把消息交给审核人员，以后就能认出来。\n\n"
            "<b>在群里</b>：回复某条消息并发送 /check 即可检查它。"
        ),
    },
    "privacy": {
        "en": (
            "<b>What I store</b>\n"
            "• Messages you forward are checked in memory and <b>not stored</b>. For one hour I keep the text in "
            "memory only, so that you can press “Report as scam”; then it is gone. Screenshots are read in memory "
            "and never stored.{queue_note}\n"
            "• For each answer: a random id, your Telegram user id, the verdict, risk and matched scam type "
            "(no text), kept {retention} days, so the 👍/👎 buttons work and we can measure quality.\n"
            "• Your 👍/👎 feedback and your /language and /region choices.\n"
            "• If you press “Report as scam”, the text of that message and your user id are stored for our "
            "reviewers; the text is erased a day after they have handled it.\n"
            "• In groups, messages are checked in memory and not stored, unless someone reports them.\n"
            "Nothing is sent to third parties{llm_note}."
        ),
        "zh": (
            "<b>我会保存什么</b>\n"
            "• 你转发的消息只在内存中检查，<b>不会保存</b>。"
            "文字只在内存中保留一小时，方便你点击「举报诈骗」，之后即删除。截图只在内存中读取，从不保存。{queue_note}\n"
            "• 每次回答：一个随机编号、你的Telegram用户ID、判断结果、风险值和相似骗局类型（不含文字），"
            "保存{retention}天，"
            "用于👍/👎按钮和质量统计。\n"
            "• 你的👍/👎反馈，以及 /language 语言和 /region 地区选择。\n"
            "• 如果你点击「举报诈骗」，该消息的文字和你的用户ID会保存给审核人员，审核完成一天后文字即删除。\n"
            "• 群聊消息只在内存中检查，不保存，除非有人举报。\n"
            "不会向第三方发送任何内容{llm_note}。"
        ),
    },
    "language_prompt": {"en": "Choose the language I answer in:", "zh": "请选择我回答用的语言："},
    "language_set": {"en": "OK, I will answer in English.", "zh": "好的，我会用中文回答。"},
    "media_only": {
        "en": (
            "🎥 I read text, not pictures or sound, so I cannot tell if this is a deepfake.\n\n"
            "<b>How to check a video or voice call</b>\n"
            "• Hang up and call back on a number you already have saved.\n"
            "• Ask something only the real person would know, or use a family code word.\n"
            "• On video, ask them to turn their head or pass a hand in front of their face: face swaps glitch.\n"
            "• Never transfer money because of a call alone.\n\n"
            "To have it checked, send me the text that came with it, or a screenshot of the message."
        ),
        "zh": (
            "🎥 我只能读文字，无法判断图片或声音是不是AI伪造。\n\n"
            "<b>如何核实视频或语音来电</b>\n"
            "• 挂断后，用你原本存着的号码回拨。\n"
            "• 问一个只有本人知道的问题，或使用家人约定的暗号。\n"
            "• 视频时请对方转头、用手在脸前挥过：AI换脸常会露出破绽。\n"
            "• 不要仅凭一通电话或视频就转账。\n\n"
            "想让我检查，请发送随附的文字，或消息的截图。"
        ),
    },
    "region_prompt": {
        "en": "Where do you report scams? Each warning shows that place's line:\n{lines}",
        "zh": "你在哪里举报诈骗？每条提醒都会显示当地的举报方式：\n{lines}",
    },
    "region_set": {"en": "OK, warnings will end with: {line}", "zh": "好的，提醒末尾会显示：{line}"},
    "btn_reported": {"en": "✅ Reported", "zh": "✅ 已举报"},
    "burst_note": {"en": "I read these {count} messages together.", "zh": "我把这{count}条消息放在一起判断。"},
    "flood": {
        "en": "You are sending messages faster than I can check them. Please wait a minute, then send the most "
        "important one again.",
        "zh": "你发送得太快了，我来不及检查。请等一分钟，再发送最重要的那一条。",
    },
    "unknown_command": {
        "en": "I don't know that command. Forward me a message to check it, or see /help.",
        "zh": "我不认识这个命令。把消息转发给我即可检查，或查看 /help。",
    },
    "error": {
        "en": "Sorry, something went wrong on my side. Please try again in a moment.",
        "zh": "抱歉，我这边出了点问题，请稍后再试。",
    },
    "btn_helpful": {"en": "👍 Helpful", "zh": "👍 有用"},
    "btn_wrong": {"en": "👎 Wrong", "zh": "👎 不对"},
    "btn_report": {"en": "🚩 Report as scam", "zh": "🚩 举报诈骗"},
    "thanks_feedback": {"en": "Thanks for the feedback!", "zh": "谢谢你的反馈！"},
    "thanks_report": {
        "en": "Thanks! Our reviewers will look at it, so I can warn others next time.",
        "zh": "谢谢！审核人员会查看，以后我就能提醒其他人。",
    },
    "report_expired": {
        "en": "I no longer have that message (I keep it for one hour only). Forward it again, then press report.",
        "zh": "那条消息已经不在了（我只保留一小时）。请重新转发，再点击举报。",
    },
    "feedback_unknown": {"en": "That answer is too old to rate.", "zh": "这条回答太久了，无法评价。"},
    "queue_note": {
        "en": (
            " One exception: this bot runs on several workers, so every message it receives (here and in groups) "
            "waits in its database until it is handled (usually a second or two) and is deleted then; one that "
            "still fails after several tries is kept a week for the operator to fix, then deleted."
        ),
        "zh": (
            "例外：本机器人以多个进程运行，它收到的每条消息（包括群聊）会先在数据库中排队，处理完（通常一两秒）即删除；"
            "多次处理失败的会保留一周供运维排查，之后删除。"
        ),
    },
    "llm_note": {
        "en": (
            ", except one thing: the text of messages I check, with phone, card and ID numbers and emails "
            "masked, is sent to the AI model service this bot is configured with, to help judge it"
        ),
        "zh": "，但我检查的消息文字（电话、银行卡号、证件号和邮箱已遮盖）会发送给本机器人配置的AI模型服务辅助判断",
    },
    # Groups
    "group_intro": {
        "en": (
            "👋 Hi, I'm a scam-warning bot. I read this group's messages in memory (nothing is stored) and stay "
            "<b>quiet</b>, except when a message closely matches a known scam, such as a face-swapped "
            "“friend” asking for money or a fake investment video.\n"
            "• Anyone: reply to a message with /check to have it checked.\n"
            "• Admins: /settings (alerts on/off, sensitivity, language), /stats."
        ),
        "zh": (
            "👋 你好，我是防诈骗提醒机器人。我只在内存中读取本群消息（不保存），平时<b>不说话</b>，"
            "只有当消息与已知骗局高度相似时才提醒，例如AI换脸冒充亲友借钱、伪造名人投资视频。\n"
            "• 所有人：回复某条消息并发送 /check 即可检查。\n"
            "• 管理员：/settings（提醒开关、灵敏度、语言），/stats 查看统计。"
        ),
    },
    "privacy_mode": {
        "en": (
            "⚠️ Admins: I cannot see ordinary messages here because of Telegram's privacy mode, so I cannot warn "
            "about scams. Fix: make me an admin of this group (no special rights needed), or ask the bot's owner "
            "to turn privacy mode off in @BotFather (/setprivacy → Disable), then re-add me."
        ),
        "zh": (
            "⚠️ 管理员请注意：由于Telegram的隐私模式，我看不到本群的普通消息，因此无法提醒诈骗。"
            "解决方法：把我设为本群管理员（无需任何特殊权限），或请机器人所有者在 @BotFather 中关闭隐私模式"
            "（/setprivacy → Disable）后重新拉我进群。"
        ),
    },
    "btn_details": {"en": "ℹ️ Details", "zh": "ℹ️ 详情"},
    "btn_not_scam": {"en": "✅ Not a scam (admins)", "zh": "✅ 不是诈骗（管理员）"},
    "false_alarm_done": {
        "en": "✅ An admin marked this as not a scam. Thanks, this helps me improve.",
        "zh": "✅ 管理员已标记为非诈骗。谢谢，这能帮助我改进。",
    },
    "admins_only": {
        "en": "Only this group's admins can do that.",
        "zh": "只有本群管理员可以这样做。",
    },
    "details_expired": {
        "en": "The details of that alert are no longer available (I keep them for a limited time only).",
        "zh": "这条提醒的详情已经不在了（只保留有限时间）。",
    },
    "check_needs_reply": {
        "en": "Reply to the message you want checked with /check.",
        "zh": "请回复你想检查的那条消息，并发送 /check。",
    },
    "check_safe": {
        "en": "✅ No known scam pattern found. If it asks for money or codes, verify on a number you already have.",
        "zh": "✅ 未发现已知的诈骗模式。如涉及转账或验证码，请先用原本存着的号码联系本人核实。",
    },
    "check_suspicious": {
        "en": "⚠️ This looks suspicious: it resembles <b>{title}</b>.\n👉 {advice}",
        "zh": "⚠️ 这条消息可疑：与<b>{title}</b>相似。\n👉 {advice}",
    },
    "settings_title": {
        "en": "<b>Settings for this group</b>\nAlerts: {alerts} · Sensitivity: {sensitivity} · Language: {lang_name}",
        "zh": "<b>本群设置</b>\n提醒：{alerts} · 灵敏度：{sensitivity} · 语言：{lang_name}",
    },
    "on": {"en": "on", "zh": "开"},
    "off": {"en": "off", "zh": "关"},
    "auto": {"en": "auto", "zh": "自动"},
    "low": {"en": "low", "zh": "低"},
    "normal": {"en": "normal", "zh": "中"},
    "high": {"en": "high", "zh": "高"},
    "btn_alerts": {"en": "Alerts: {state}", "zh": "提醒：{state}"},
    "btn_sensitivity": {"en": "Sensitivity: {level}", "zh": "灵敏度：{level}"},
    "stats": {
        "en": (
            "<b>Since {since}</b>\nMessages checked: {checked}\nAlerts: {alerts}\n"
            "False alarms reported: {false_alarms}\nSkipped (group too busy): {skipped}"
        ),
        "zh": (
            "<b>自 {since} 起</b>\n已检查消息：{checked}\n提醒次数：{alerts}\n"
            "被标记为误报：{false_alarms}\n跳过（群内过于繁忙）：{skipped}"
        ),
    },
}
