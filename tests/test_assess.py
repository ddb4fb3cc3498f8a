"""Assessment end to end on the shipped knowledge base: what a user would be told."""

from __future__ import annotations

from html import escape

import pytest


def top3_categories(assessment) -> list[str]:
    return [m.category for m in assessment.matches[:3]]


@pytest.mark.parametrize(
    ("text", "category"),
    [
        (
            "My old classmate video called me, it was him but the picture froze after a few seconds. Then he "
            "texted that he's stuck and needs me to send 8,000 to his business partner's account today.",
            "deepfake_video_call",
        ),
        (
            "Grandma got a call, it was my brother's voice crying that he crashed the car and needs bail money "
            "wired right now, and not to tell our parents",
            "voice_clone_call",
        ),
        (
            "Hi Dad it's me, this is my new number, my phone broke. Can you pay a bill for me today?",
            "impersonate_acquaintance_text",
        ),
    ],
)
def test_english_scams_are_recognised_with_the_right_category(engine, text, category):
    assessment = engine.assess(text)
    assert assessment.verdict in {"scam", "suspicious"}
    assert category in top3_categories(assessment)
    assert assessment.language == "en"


@pytest.mark.parametrize(
    ("text", "category", "language"),
    [
        (
            "老同学突然跟我视频，画面很卡几秒就断了，然后发文字说他在外地出事了，让我先转三万到他朋友账户",
            "deepfake_video_call",
            "zh-Hans",
        ),
        (
            "剛剛接到電話，是我兒子的聲音在哭，說出車禍被警察抓了，要我馬上匯保釋金，還叫我不要跟別人說",
            "voice_clone_call",
            "zh-Hant",
        ),
        (
            "您好，我是公安局的警官，您的身份证涉嫌一起洗钱案件，需要把资金转到安全账户配合调查，请保密",
            "impersonate_police_gov",
            "zh-Hans",
        ),
    ],
)
def test_chinese_scams_are_recognised_in_simplified_and_traditional(engine, text, category, language):
    assessment = engine.assess(text)
    assert assessment.verdict in {"scam", "suspicious"}
    assert category in top3_categories(assessment)
    assert assessment.language == language


@pytest.mark.parametrize(
    "text",
    [
        "Are we still on for dinner at 7? I'll bring dessert",
        "周末带孩子去公园玩，天气真好",
        "收到，謝謝！明天見",
    ],
)
def test_ordinary_chat_is_safe_and_never_alerts(engine, text):
    assessment = engine.assess(text)
    assert assessment.verdict == "safe"
    assert not assessment.alert


def test_a_police_reminder_about_deepfakes_does_not_alert_the_group(engine):
    assessment = engine.assess(
        "Police reminder: fraudsters now use AI face-swapping on video calls to pose as friends. "
        "Before transferring money, call back on a number you know."
    )
    assert not assessment.alert


@pytest.mark.parametrize("text", ["", "   ", "😂😂😂🙏", "\x00\x01binary\xff" * 0 + "\x00\x01"])
def test_empty_or_emoji_only_input_is_answered_without_a_verdict_of_danger(engine, text):
    assessment = engine.assess(text)
    assert assessment.verdict == "safe"
    assert assessment.risk == 0.0
    assert not assessment.has_text
    assert assessment.matches == ()


def test_huge_input_is_assessed_not_rejected(engine):
    text = ("Please transfer the money to my friend's account urgently, don't tell anyone. " * 400)[:50_000]
    assessment = engine.assess(text)
    assert assessment.has_text
    assert "money_request" in {f.kind for f in assessment.red_flags}


def test_batch_and_single_assessments_agree(engine):
    texts = ["Can you lend me 2000 today? new number", "晚上吃什么", "把验证码发给我一下"]
    batch = engine.assess_many(texts)
    for text, assessment in zip(texts, batch, strict=True):
        single = engine.assess(text)
        assert single.verdict == assessment.verdict
        assert single.risk == pytest.approx(assessment.risk, abs=1e-5)


def test_risk_is_a_probability_and_alerts_need_more_than_a_private_warning(engine):
    for text in ["hello", "Transfer 5000 to this account now, don't tell anyone, new number, gift cards"]:
        assessment = engine.assess(text)
        assert 0.0 <= assessment.risk <= 1.0
        if assessment.alert:
            assert assessment.verdict == "scam"


def test_sensitivity_orders_alerts(engine):
    assessment = engine.assess(
        "Mum it's me, I dropped my phone in the toilet, this is my new number. I need to pay a bill urgently, "
        "can you transfer £650 to this account? I'll pay you back tomorrow, don't tell dad"
    )
    assert assessment.alert_at("low") <= assessment.alert_at("normal") <= assessment.alert_at("high")


def test_knowledge_swap_takes_effect_for_the_next_message(engine, tmp_path):
    kb = engine.assessor.kb
    fewer = type(kb).from_patterns([p for p in kb if p.category != "voice_clone_call"])
    text = "My daughter's voice called crying, she was arrested and needs bail money wired now"
    try:
        engine.assessor.replace_knowledge(fewer, persist=False)
        assert "voice_clone_call" not in {m.category for m in engine.assess(text).matches}
    finally:
        engine.assessor.replace_knowledge(kb, persist=False)
    assert "voice_clone_call" in top3_categories(engine.assess(text))


def test_a_reply_is_worded_from_the_knowledge_its_verdict_was_made_with(engine):
    """A live swap between assessing and answering must not pair one snapshot's verdict with another's text."""
    kb = engine.assessor.kb
    text = "Mum it's me, I lost my phone, this is my new number. Can you transfer £650 today? Don't tell dad"
    before = engine.assess(text)
    assert before.top is not None and before.verdict != "safe"
    title = kb.by_id()[before.top.pattern_id].title.en
    renamed = [p.model_copy(update={"title": p.title.model_copy(update={"en": "Renamed meanwhile"})}) for p in kb]
    try:
        engine.assessor.replace_knowledge(type(kb).from_patterns(renamed), persist=False)
        assert "Renamed meanwhile" in engine.reply(engine.assess(text))  # the next message sees the new snapshot
        reply = engine.reply(before)
        assert escape(title) in reply and "Renamed meanwhile" not in reply
    finally:
        engine.assessor.replace_knowledge(kb, persist=False)
