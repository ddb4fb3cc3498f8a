"""Scam category ids: the contract shared with every knowledge file and evaluation set.

The ids mirror ``shared/taxonomy.md``. They are stable: new ones may be added,
existing ones are never renamed (a test checks this module against the shared file
whenever it is present beside the repository).
"""

from __future__ import annotations

from typing import Final

SCAM_CATEGORIES: Final[tuple[str, ...]] = (
    "deepfake_video_call",
    "voice_clone_call",
    "deepfake_endorsement",
    "deepfake_executive_meeting",
    "deepfake_sextortion",
    "fake_official_notice",
    "impersonate_police_gov",
    "impersonate_customer_service",
    "impersonate_acquaintance_text",
    "investment_scam",
    "romance_scam",
    "ai_tool_scam",
    "phishing_link",
    "verification_code_theft",
    "loan_credit_scam",
    "task_job_scam",
    "fake_charity_disaster",
    "prize_lottery",
    "online_shopping_scam",
)

BENIGN: Final = "benign"
"""Label used only in evaluation sets for messages that are not scams."""

EVALUATION_LABELS: Final[frozenset[str]] = frozenset((*SCAM_CATEGORIES, BENIGN))

CATEGORY_NAMES: Final[dict[str, dict[str, str]]] = {
    "deepfake_video_call": {"en": "deepfake video call", "zh": "AI换脸视频通话"},
    "voice_clone_call": {"en": "cloned-voice emergency call", "zh": "AI克隆声音求救电话"},
    "deepfake_endorsement": {"en": "fake celebrity or official endorsement", "zh": "伪造名人或官员代言"},
    "deepfake_executive_meeting": {"en": "deepfake boss or CFO instruction", "zh": "伪造领导或财务总监指令"},
    "deepfake_sextortion": {"en": "sextortion with fake intimate images", "zh": "AI合成不雅影像敲诈"},
    "fake_official_notice": {"en": "fake official notice", "zh": "伪造官方通知"},
    "impersonate_police_gov": {"en": "fake police or government officer", "zh": "冒充公检法"},
    "impersonate_customer_service": {"en": "fake customer service", "zh": "冒充客服"},
    "impersonate_acquaintance_text": {"en": "fake friend or relative by text", "zh": "冒充熟人借钱"},
    "investment_scam": {"en": "investment scam", "zh": "投资理财诈骗"},
    "romance_scam": {"en": "romance scam", "zh": "网恋交友诈骗"},
    "ai_tool_scam": {"en": "fake AI tool or course", "zh": "虚假AI工具或课程"},
    "phishing_link": {"en": "phishing link", "zh": "钓鱼链接"},
    "verification_code_theft": {"en": "verification code theft", "zh": "骗取验证码"},
    "loan_credit_scam": {"en": "loan or credit scam", "zh": "贷款征信诈骗"},
    "task_job_scam": {"en": "task or job scam", "zh": "刷单兼职诈骗"},
    "fake_charity_disaster": {"en": "fake charity appeal", "zh": "虚假慈善募捐"},
    "prize_lottery": {"en": "fake prize or lottery", "zh": "虚假中奖"},
    "online_shopping_scam": {"en": "online shopping scam", "zh": "网购诈骗"},
}
