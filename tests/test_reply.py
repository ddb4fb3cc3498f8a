"""Replies: the user's language, user text escaped, concrete advice, phone-sized."""

from __future__ import annotations

import re

from bot.core.reply import TELEGRAM_LIMIT, html_to_plain

ALLOWED_TAGS = re.compile(r"</?(?:b|i)>")


def test_user_text_is_escaped_in_the_reply(engine):
    text = "Transfer <b>500</b> & don't tell anyone <script>alert(1)</script> to my new number"
    reply = engine.reply(engine.assess(text))
    assert "<script" not in reply and "script&gt;" in reply and "&lt;b&gt;500&lt;/b&gt;" in reply
    assert "<b>500</b>" not in reply
    assert not re.search(r"<(?!/?(?:b|i)>)", reply), "only the bot's own tags may appear"


def test_a_scam_reply_names_the_scam_quotes_flags_and_says_what_to_do(engine):
    reply = engine.reply(
        engine.assess(
            "Sorry, the video call dropped, bad signal here. It's really me. Can you lend me 3,000 today? "
            "Send it to my colleague's account, and please keep it between us."
        )
    )
    plain = html_to_plain(reply)
    assert "scam" in plain.lower() or "suspicious" in plain.lower()
    assert "between us" in plain  # quoted from the message
    assert "What to do now" in plain
    assert "call" in plain.lower() and "Report it: your local police" in plain  # English, region unknown


def test_reply_follows_the_message_language(engine):
    simplified = engine.reply(engine.assess("刚才视频断了，你先转两万到我朋友的账户，别告诉别人"))
    traditional = engine.reply(engine.assess("剛剛視訊斷了，你先匯兩萬到我朋友的帳戶，不要告訴別人"))
    assert "现在应该怎么做" in simplified
    assert "現在應該怎麼做" in traditional
    assert "165" in traditional


def test_reply_language_can_be_chosen(engine):
    reply = engine.reply(engine.assess("Can you lend me money today? new number"), "zh-Hans")
    assert "危险信号" in reply or "未发现" in reply


def test_a_4000_character_message_gets_a_reply_within_telegram_limits(engine):
    text = ("Urgent: transfer the deposit to the safe account now <&> " * 80)[:4000]
    reply = engine.reply(engine.assess(text))
    assert len(reply) < TELEGRAM_LIMIT
    assert reply.count("<b>") == reply.count("</b>")


def test_nothing_to_check_gets_guidance_not_silence(engine):
    reply = html_to_plain(engine.reply(engine.assess("🙏🙏")))
    assert "no text" in reply.lower()


def test_safe_reply_is_calm_but_reminds_to_verify(engine):
    plain = html_to_plain(engine.reply(engine.assess("Lunch at 1? The new noodle place")))
    assert plain.startswith("✅")
    assert "number you already have" in plain


def test_group_alert_is_short(engine):
    assessment = engine.assess("刚才视频信号不好断了，急需五万周转，你先转到我朋友的账户上，别跟家里人说")
    alert = engine.group_alert(assessment)
    assert len(alert) < 400
    assert alert.count("\n") <= 3
    assert ALLOWED_TAGS.search(alert)


def test_example_scam_domains_in_the_advice_are_not_tappable_in_the_warning(engine):
    """Admins' advice names example scam sites; Telegram would link them in the bot's own message."""
    reply = engine.reply(
        engine.assess("Royal Mail: your parcel is held, pay the £1.45 fee now at royalmail-redelivery.info/pay")
    )
    plain = html_to_plain(reply)
    assert "[.]" in plain  # the link it quotes, or the advice's example site, is shown defanged
    assert not re.search(r"\b[\w-]+\.(?:top|info|vip|com|cn)\b", plain), plain


def test_curated_advice_keeps_its_prose_and_loses_its_links():
    from bot.core.reply import knowledge_html

    advice = "Check the domain, e.g. sf-express-redeliver.top or https://royalmail-redelivery.info/x is not U.S. mail"
    shown = knowledge_html(advice)
    assert "sf-express-redeliver[.]top" in shown and "hxxps://royalmail-redelivery[.]info/x" in shown
    assert "e.g." in shown and "U.S." in shown
