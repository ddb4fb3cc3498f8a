"""The words of an assessment's reply and of a group alert, in en and zh (see :mod:`bot.core.reply`)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ReplyWords:
    scam: str
    suspicious: str
    safe: str
    close: str
    partial: str
    loose: str
    loose_why: str
    """Why a strong verdict goes with a loose match: said whenever they meet, never left as a contradiction."""
    flags: str
    todo: str
    report: str
    safe_tip: str
    safe_flags: str
    nothing: str
    group_alert: str
    details: str
    ai_note: str
    general_tip: str
    not_checked: str
    """The answer for a message whose assessment failed: polite, and still the one safe rule."""
    other_regions: str


REPLY_WORDS: dict[str, ReplyWords] = {
    "en": ReplyWords(
        scam="🚨 <b>This looks like a scam</b>",
        suspicious="⚠️ <b>Be careful: this looks suspicious</b>",
        safe="✅ <b>No known scam pattern found</b>",
        close="It matches a known scam: <b>{title}</b> ({category}).",
        partial="It is partly like a known scam: <b>{title}</b> ({category}).",
        loose="The closest known scam is only a loose match: <b>{title}</b> ({category}).",
        loose_why="The warning comes from the red flags below, typical of scams.",
        flags="Red flags in this message:",
        todo="What to do now:",
        report="Report it: {line}",
        other_regions="Elsewhere? /region shows the other reporting lines.",
        safe_tip=(
            "Still, if anyone asks for money, codes or secrecy, check with them on a number you already have "
            "before doing anything."
        ),
        safe_flags="Worth a second look:",
        nothing=(
            "ℹ️ There is no text here for me to check. Forward the message itself, or paste its text. "
            "For a video or voice call: hang up and call back on a number you already have."
        ),
        group_alert="🚨 <b>Possible scam</b>: this resembles <b>{title}</b>.",
        details="Tap “details” for the red flags and what to do.",
        ai_note="AI check: ",
        general_tip="Do not pay, share codes or give details until you have checked on a number you already have.",
        not_checked=(
            "⚠️ Sorry, I could not check this message. Until you can check it another way, do not pay, share codes "
            "or give details: call the person or company back on a number you already have."
        ),
    ),
    "zh": ReplyWords(
        scam="🚨 <b>这很像诈骗</b>",
        suspicious="⚠️ <b>请小心：这条消息可疑</b>",
        safe="✅ <b>未发现已知的诈骗模式</b>",
        close="与已知骗局高度吻合：<b>{title}</b>（{category}）。",
        partial="与一种已知骗局有几分相似：<b>{title}</b>（{category}）。",
        loose="最接近的已知骗局，但相似度不高：<b>{title}</b>（{category}）。",
        loose_why="提醒主要来自下面的危险信号，它们是诈骗的典型特征。",
        flags="这条消息里的危险信号：",
        todo="现在应该怎么做：",
        report="举报：{line}",
        other_regions="在其他地区？发送 /region 查看各地举报电话。",
        safe_tip="不过，只要有人要钱、要验证码或要求保密，请先用你原本存着的号码联系本人核实。",
        safe_flags="值得留意：",
        nothing=(
            "ℹ️ 这里没有可以检查的文字。请转发原消息或粘贴文字。"
            "如果是视频或语音来电：先挂断，再用你原本存着的号码回拨核实。"
        ),
        group_alert="🚨 <b>疑似诈骗</b>：与<b>{title}</b>相似。",
        details="点击「详情」查看危险信号和应对方法。",
        ai_note="AI分析：",
        general_tip="核实之前不要付钱、不要提供验证码或个人信息；请用你原本存着的号码联系对方核实。",
        not_checked=(
            "⚠️ 抱歉，这条消息暂时无法检查。在用其他方式核实之前，不要付钱、不要提供验证码或个人信息；"
            "请用你原本存着的号码联系对方核实。"
        ),
    ),
}
