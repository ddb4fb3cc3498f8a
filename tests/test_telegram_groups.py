"""Group chats end to end: the real PTB application polling the emulator, members posting.

What a family group would notice: one alert, replying to the scam, and silence otherwise.
"""

from __future__ import annotations

import asyncio

from sqlalchemy.exc import OperationalError
from telegram_helpers import button_data, fail_once, fast_settings, standalone_bot

from bot.emulator import BotApiEmulator, origin_hidden_user
from bot.storage import Store

SCAM_EN = (
    "Mum it's me, I dropped my phone in the toilet so this is my new number. I need to pay a bill urgently today, "
    "can you transfer £650 to this account? I'll pay you back tomorrow, please don't tell dad"
)
SCAM_ZH = "表哥刚跟你视频了吧，信号不好断了。我现在开会不方便接电话，急需三万周转，你先转到我朋友的账户上，别跟家里人说"
ORDINARY = [
    "Good morning everyone! ☀️",
    "Who is bringing the cake on Saturday?",
    "I'll pick up the kids from school at 4",
    "The new noodle place downstairs is really good, we should go together",
    "奶奶今天身体好多了，谢谢大家关心",
    "周末一起去爬山吗？天气预报说是晴天",
    "收到，晚上七点在老地方见",
    "明天記得帶雨傘，聽說會下大雨",
    "Happy birthday Auntie May!! 🎂🎉",
    "Can someone send me the photos from the wedding?",
]
HARD_NEGATIVES = [
    "BREAKING: Hong Kong police say a finance worker was tricked into paying out $25 million after a video call "
    "with deepfaked colleagues. Always verify payment requests.",
    "警方提醒：骗子利用AI换脸冒充亲友视频借钱，转账前务必打电话核实。",
    "Your verification code is 482913. Do not share this code with anyone, including bank staff.",
    "Video call tonight at 8? Grandma wants to see the baby 😊",
    "【中国银行】您的验证码为 562301，5分钟内有效，请勿泄露给他人。",
]
REPLY_TIMEOUT = 30


async def family(emu: BotApiEmulator, *, bot_admin: bool = True):
    """A family group with an owner (admin) and three members; the bot is added by the owner
    and has introduced itself (so later replies are the bot's answers to what the test posts)."""
    owner = emu.user(10, "Owner", language_code="en")
    members = [emu.user(11 + i, name) for i, name in enumerate(("Ann", "Ben", "Cat"))]
    group = emu.group(-100_200, "Family", supergroup=True)
    for member in members:
        emu.add_member(group, member)
    emu.add_bot_to_group(group, owner, as_admin=bot_admin)
    emu.set_admins(group, [owner["id"]])
    await emu.wait_for_messages(group, 1, timeout=REPLY_TIMEOUT)
    return group, owner, members


async def settle(emu: BotApiEmulator) -> None:
    """Let every queued update be fetched and its handler finish (assessments run in threads)."""
    await emu.wait_until_idle(timeout=REPLY_TIMEOUT)
    await asyncio.sleep(0.5)
    await emu.wait_until_idle(timeout=REPLY_TIMEOUT)


def alerts(emu: BotApiEmulator, group) -> list[dict]:
    return [m for m in emu.sent_messages(group) if "fa:na:" in str(m.get("reply_markup"))]


async def test_joining_introduces_itself_once_and_warns_admins_when_it_cannot_read(emu, engine, tmp_path):
    async with standalone_bot(emu, engine, tmp_path):
        owner = emu.user(10, "Owner")
        blind = emu.group(-100_300, "Blind group", supergroup=True)
        emu.add_bot_to_group(blind, owner, as_admin=False)
        messages = await emu.wait_for_messages(blind, 2, timeout=REPLY_TIMEOUT)
        assert "stay" in messages[0]["text"] and "quiet" in messages[0]["text"]
        assert "privacy mode" in messages[1]["text"] and "admin" in messages[1]["text"]

        seeing = emu.group(-100_301, "Admin group", supergroup=True)
        emu.add_bot_to_group(seeing, owner, as_admin=True)
        await emu.wait_for_messages(seeing, 1, timeout=REPLY_TIMEOUT)
        await settle(emu)
        assert len(emu.sent_messages(seeing)) == 1  # the introduction, no privacy warning


async def test_a_scam_gets_exactly_one_alert_replying_to_it_and_chat_gets_none(emu, engine, tmp_path):
    async with standalone_bot(emu, engine, tmp_path):
        group, _owner, (ann, ben, _cat) = await family(emu)
        for text in ORDINARY + HARD_NEGATIVES:
            emu.send_message(group, ben, text)
        await settle(emu)
        assert alerts(emu, group) == []

        scam = emu.send_message(group, ann, SCAM_EN)
        [alert] = await emu.wait_for_messages(group, 1, timeout=REPLY_TIMEOUT, after=scam)
        assert alert["reply_to_message"]["message_id"] == scam["message_id"]
        assert "Possible scam" in alert["text"]
        assert len(alert["text"]) < 400
        urls = [b.get("url", "") for row in alert["reply_markup"]["inline_keyboard"] for b in row]
        assert any(u.startswith("https://t.me/FraudAwarenessBot?start=d_") for u in urls)
        await settle(emu)
        assert len(alerts(emu, group)) == 1


async def test_the_same_scam_from_three_members_gets_one_alert(emu, engine, tmp_path):
    async with standalone_bot(emu, engine, tmp_path):
        group, _owner, members = await family(emu)
        for member in members:
            emu.send_message(group, member, SCAM_ZH, forward_origin=origin_hidden_user("表哥"))
        await emu.wait_for_messages(group, 2, timeout=REPLY_TIMEOUT)  # the introduction and the alert
        await settle(emu)
        assert len(alerts(emu, group)) == 1
        assert "疑似诈骗" in alerts(emu, group)[0]["text"]


async def test_a_message_edited_into_a_scam_is_caught(emu, engine, tmp_path):
    async with standalone_bot(emu, engine, tmp_path):
        group, _owner, (ann, *_rest) = await family(emu)
        harmless = emu.send_message(group, ann, "Hi everyone, hope you're all well this week!")
        await settle(emu)
        assert alerts(emu, group) == []
        emu.edit_message(group, harmless["message_id"], SCAM_EN)
        await settle(emu)
        [alert] = alerts(emu, group)
        assert alert["reply_to_message"]["message_id"] == harmless["message_id"]


async def test_anonymous_admins_channel_posts_and_other_bots_are_not_alerted(emu, engine, tmp_path):
    async with standalone_bot(emu, engine, tmp_path):
        group, _owner, _members = await family(emu)
        channel = emu.channel(-100_900, "Family news")
        emu.link_channel(channel, group)
        emu.anonymous_admin_message(group, SCAM_EN)
        emu.linked_channel_post(group, channel, SCAM_ZH)
        other_bot = emu.user(777, "OtherBot", is_bot=True)
        emu.send_message(group, other_bot, SCAM_EN + " (quoted by a bot)")
        await settle(emu)
        assert alerts(emu, group) == []


async def test_check_on_a_reply_answers_in_the_group(emu, engine, tmp_path):
    async with standalone_bot(emu, engine, tmp_path) as bot:
        group, _owner, (ann, ben, _cat) = await family(emu)
        await bot.plugin.groups._update_group(group["id"], alerts_enabled=False)
        scam = emu.send_message(group, ann, SCAM_ZH)
        await settle(emu)
        assert alerts(emu, group) == []  # alerts effectively off: only /check may speak
        ask = emu.send_message(group, ben, "/check", reply_to=scam["message_id"])
        [answer] = await emu.wait_for_messages(group, 1, timeout=REPLY_TIMEOUT, after=ask)
        assert "可疑" in answer["text"] and "👉" in answer["text"]
        lonely = emu.send_message(group, ben, "/check")
        [hint] = await emu.wait_for_messages(group, 1, timeout=REPLY_TIMEOUT, after=lonely)
        assert "Reply to the message" in hint["text"]
        benign = emu.send_message(group, ann, "Dinner at grandma's on Sunday, bring the dumplings")
        mention = emu.send_message(group, ben, "@FraudAwarenessBot is this one ok?", reply_to=benign["message_id"])
        [calm] = await emu.wait_for_messages(group, 1, timeout=REPLY_TIMEOUT, after=mention)
        assert calm["text"].startswith("✅")


async def test_only_admins_change_settings_and_settings_survive_a_restart(emu, engine, tmp_path):
    settings = fast_settings(tmp_path)
    async with standalone_bot(emu, engine, tmp_path, settings=settings):
        group, owner, (ann, *_rest) = await family(emu)
        refused = emu.send_message(group, ann, "/settings")
        [reply] = await emu.wait_for_messages(group, 1, timeout=REPLY_TIMEOUT, after=refused)
        assert "Only this group's admins" in reply["text"]

        shown = emu.send_message(group, owner, "/settings")
        [panel] = await emu.wait_for_messages(group, 1, timeout=REPLY_TIMEOUT, after=shown)
        emu.press_button(group, ann, panel["message_id"], "fa:gs:alerts:toggle")  # a non-admin pressing
        await settle(emu)
        assert "Alerts: on" in emu.message(group, panel["message_id"])["text"]
        emu.press_button(group, owner, panel["message_id"], "fa:gs:alerts:toggle")
        emu.press_button(group, owner, panel["message_id"], "fa:gs:sens:high")
        await settle(emu)
        assert "Alerts: off" in emu.message(group, panel["message_id"])["text"]

    async with standalone_bot(emu, engine, tmp_path, settings=settings) as bot:  # a restart, same data
        group_settings = await bot.store.group(group["id"])
        assert (group_settings.alerts_enabled, group_settings.sensitivity) == (False, "high")
        emu.send_message(group, ann, SCAM_EN)
        await settle(emu)
        assert alerts(emu, group) == []  # alerts are off, as the admin chose


async def test_not_a_scam_by_an_admin_edits_the_alert_away_and_is_recorded(emu, engine, tmp_path):
    async with standalone_bot(emu, engine, tmp_path) as bot:
        group, owner, (ann, ben, _cat) = await family(emu)
        scam = emu.send_message(group, ann, SCAM_EN)
        [alert] = await emu.wait_for_messages(group, 1, timeout=REPLY_TIMEOUT, after=scam)
        data = button_data(alert, "na")
        emu.press_button(group, ben, alert["message_id"], data)  # not an admin: refused
        await settle(emu)
        assert await bot.store.open_reports() == []
        emu.press_button(group, owner, alert["message_id"], data)
        await settle(emu)
        assert "marked this as not a scam" in emu.message(group, alert["message_id"])["text"]
        [report] = await bot.store.open_reports()
        assert (report.kind, report.text, report.reporter_id) == ("false_alarm", SCAM_EN, owner["id"])
        await bot.plugin.groups.flush_counts()
        stats = await bot.store.group_stats(group["id"])
        assert (stats.alerts, stats.false_alarms) == (1, 1)


async def test_not_a_scam_whose_report_could_not_be_written_works_when_pressed_again(
    emu, engine, tmp_path, monkeypatch
):
    """The database refuses the first false-alarm report: the alert is still known, so the admin's
    second press (or the update queue's retry) records it and edits the alert away."""
    refusals = fail_once(monkeypatch, Store, "add_report", OperationalError("INSERT", {}, Exception("connection lost")))
    async with standalone_bot(emu, engine, tmp_path) as bot:
        group, owner, (ann, _ben, _cat) = await family(emu)
        scam = emu.send_message(group, ann, SCAM_EN)
        [alert] = await emu.wait_for_messages(group, 1, timeout=REPLY_TIMEOUT, after=scam)
        data = button_data(alert, "na")
        emu.press_button(group, owner, alert["message_id"], data)
        await settle(emu)
        assert refusals == [] and await bot.store.open_reports() == []
        emu.press_button(group, owner, alert["message_id"], data)
        await settle(emu)
        assert "marked this as not a scam" in emu.message(group, alert["message_id"])["text"]
        [report] = await bot.store.open_reports()
        assert (report.kind, report.text) == ("false_alarm", SCAM_EN)


async def test_not_a_scam_from_another_group_cannot_touch_this_groups_alert(emu, engine, tmp_path):
    """The alert id is visible in the "details" link: an admin of group B forging ``fa:na:<A's id>`` changes nothing."""
    async with standalone_bot(emu, engine, tmp_path) as bot:
        group, owner, (ann, _ben, _cat) = await family(emu)
        scam = emu.send_message(group, ann, SCAM_EN)
        [alert] = await emu.wait_for_messages(group, 1, timeout=REPLY_TIMEOUT, after=scam)
        data = next(d for row in alert["reply_markup"]["inline_keyboard"] for b in row if (d := b.get("callback_data")))
        other_admin = emu.user(40, "Other admin", language_code="en")
        other = emu.group(-100_400, "Other group", supergroup=True)
        emu.add_bot_to_group(other, other_admin, as_admin=True)
        emu.set_admins(other, [other_admin["id"]])
        [intro, *_] = await emu.wait_for_messages(other, 1, timeout=REPLY_TIMEOUT)
        emu.press_button(other, other_admin, intro["message_id"], data, forged=True)  # an admin, but of B
        await settle(emu)
        assert emu.message(group, alert["message_id"])["text"] == alert["text"]  # A's alert still stands
        assert await bot.store.open_reports() == []
        # On another message of A (the intro), even A's own admin cannot spend the alert's button.
        [a_intro] = [m for m in emu.sent_messages(group) if m["message_id"] < alert["message_id"]][:1]
        emu.press_button(group, owner, a_intro["message_id"], data, forged=True)
        await settle(emu)
        assert await bot.store.open_reports() == []
        emu.press_button(group, owner, alert["message_id"], data)  # the real button, by A's admin, still works
        await settle(emu)
        assert "marked this as not a scam" in emu.message(group, alert["message_id"])["text"]
        [report] = await bot.store.open_reports()
        assert (report.chat_id, report.reporter_id) == (group["id"], owner["id"])


async def test_stats_for_admins_count_checked_messages(emu, engine, tmp_path):
    async with standalone_bot(emu, engine, tmp_path):
        group, owner, (ann, *_rest) = await family(emu)
        for text in [*ORDINARY[:4], "ok 👍", "哈哈"]:  # the last two are too short to assess
            emu.send_message(group, ann, text)
        await settle(emu)
        asked = emu.send_message(group, owner, "/stats")
        [stats] = await emu.wait_for_messages(group, 1, timeout=REPLY_TIMEOUT, after=asked)
        assert "Messages checked: 4" in stats["text"]
        assert "Alerts: 0" in stats["text"]
        refused = emu.send_message(group, ann, "/stats")
        [reply] = await emu.wait_for_messages(group, 1, timeout=REPLY_TIMEOUT, after=refused)
        assert "Only this group's admins" in reply["text"]


async def test_a_flood_of_500_messages_is_processed_and_the_bot_stays_responsive(emu, engine, tmp_path):
    async with standalone_bot(emu, engine, tmp_path) as bot:
        group, _owner, members = await family(emu)
        for i in range(500):
            emu.send_message(group, members[i % 3], f"message number {i} about the picnic plans this weekend")
        scam = emu.send_message(group, members[0], SCAM_EN)
        someone = emu.user(99, "Someone")
        private = emu.private_chat(someone)
        start = emu.send_message(private, someone, "/start")
        [welcome] = await emu.wait_for_messages(private, 1, timeout=60, after=start)
        assert "spot scams" in welcome["text"]
        await emu.wait_for_messages(group, 1, timeout=120, after=scam)
        await settle(emu)
        await bot.plugin.groups.flush_counts()
        stats = await bot.store.group_stats(group["id"])
        assert stats.checked + stats.skipped == 501
        assert stats.alerts == 1


async def test_migration_to_supergroup_keeps_settings_and_removal_deactivates(emu, engine, tmp_path):
    async with standalone_bot(emu, engine, tmp_path) as bot:
        owner = emu.user(10, "Owner")
        small = emu.group(-4_000, "Small family")
        emu.add_bot_to_group(small, owner, as_admin=True)
        emu.set_admins(small, [owner["id"]])
        await emu.wait_for_messages(small, 1, timeout=REPLY_TIMEOUT)
        await bot.plugin.groups._update_group(small["id"], sensitivity="low")
        emu.migrate_to_supergroup(small, -100_4000, by_user=owner)
        await settle(emu)
        migrated = await bot.store.group(-100_4000)
        assert migrated.sensitivity == "low"
        emu.remove_bot_from_group(-100_4000, owner)
        await settle(emu)
        assert (await bot.store.group(-100_4000)).active is False


# -- issue 13, item 7: the group's language, the introduction first, a new scam is a new alert ------------
OTHER_SCAM_EN = (
    "Hi Dad it's Jess, my phone got stolen at the station so this is my new number. Can you transfer €850 for "
    "the deposit on the new flat today? The landlord needs it by 5, I'll pay you back 🙏"
)


async def test_a_chinese_family_group_gets_its_introduction_in_chinese_from_an_english_telegram(emu, engine, tmp_path):
    """Telegram has no official Chinese: a Chinese family's owner often runs it in English; the title tells."""
    async with standalone_bot(emu, engine, tmp_path):
        owner = emu.user(10, "Owner", language_code="en")
        group = emu.group(-100_400, "相亲相爱一家人", supergroup=True)
        emu.add_bot_to_group(group, owner, as_admin=True)
        [intro] = await emu.wait_for_messages(group, 1, timeout=REPLY_TIMEOUT)
        assert "我是防诈骗提醒机器人" in intro["text"] and "scam-warning bot" not in intro["text"]

        english = emu.group(-100_401, "Smith family", supergroup=True)
        emu.add_bot_to_group(english, emu.user(12, "妈妈", language_code="zh-hans"), as_admin=True)
        [intro] = await emu.wait_for_messages(english, 1, timeout=REPLY_TIMEOUT)
        assert "我是防诈骗提醒机器人" in intro["text"]  # no Chinese in the title: the adder's language


async def test_the_introduction_comes_before_the_first_alert_when_both_arrive_at_once(emu, engine, tmp_path):
    """A restart picks up "the bot was added" and a scam posted meanwhile in one batch: intro first, then alert."""
    owner = emu.user(10, "Owner", language_code="en")
    ann = emu.user(11, "Ann")
    group = emu.group(-100_402, "Family", supergroup=True)
    emu.add_member(group, ann)
    emu.add_bot_to_group(group, owner, as_admin=True)
    scam = emu.send_message(group, ann, SCAM_EN)
    emu.delay("sendMessage", 0.5, count=1)  # the bot's first send is slow (a busy network after a restart)
    async with standalone_bot(emu, engine, tmp_path):
        first, second = await emu.wait_for_messages(group, 2, timeout=REPLY_TIMEOUT)
        assert "scam-warning bot" in first["text"]
        assert second["reply_to_message"]["message_id"] == scam["message_id"] and "fa:na:" in str(second)


async def test_a_different_scam_from_another_member_a_minute_later_gets_its_own_alert(emu, engine, tmp_path):
    """The cooldown stops repeats of one message; a new scam of the same kind from someone else is warned about."""
    top = [a.top.pattern_id for a in engine.assess_many([SCAM_EN, OTHER_SCAM_EN]) if a.top]
    assert len(top) == 2 and top[0] == top[1]  # the same pattern: what the old per-pattern cooldown silenced
    async with standalone_bot(emu, engine, tmp_path):
        group, _owner, (ann, ben, cat) = await family(emu)
        first = emu.send_message(group, ann, SCAM_EN)
        await emu.wait_for_messages(group, 1, timeout=REPLY_TIMEOUT, after=first)
        second = emu.send_message(group, ben, OTHER_SCAM_EN)
        [alert] = await emu.wait_for_messages(group, 1, timeout=REPLY_TIMEOUT, after=second)
        assert alert["reply_to_message"]["message_id"] == second["message_id"]

        emu.send_message(group, cat, SCAM_EN.replace("£650", "£700"))  # a near-duplicate: a repeat
        await settle(emu)
        assert len(alerts(emu, group)) == 2
