"""Red flags: the tell-tale requests and pressure tactics found in the message itself.

Retrieval says which known script a message resembles; red flags say what in *this*
message is dangerous, so the reply can quote it back ("you are asked to keep it
secret: 'don't tell anyone'"). They add to the risk but never decide it alone:
police reminders and news reports use the same words.

Chinese rules are written once in Simplified; every Han character is widened to a
class of its Traditional forms, so 转账 also matches 轉賬 and 轉帳.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

import opencc

from bot.core.links import find_links, without_links
from bot.core.text import matching_form, normalise_mapped


@dataclass(frozen=True)
class RedFlagRule:
    """A kind of red flag: how to find it, how much it weighs and how to name it."""

    kind: str
    weight: float
    label_en: str
    label_zh: str
    en: str | None
    zh: str | None


@dataclass(frozen=True)
class RedFlag:
    """A red flag found in a message, with the words that triggered it."""

    kind: str
    evidence: str
    detail: str | None = None
    imitates: str | None = None
    """For a look-alike link: the brand domain it passes for (``apple.com`` for ``xn--80ak6aa92e.com``)."""

    def label(self, language: str) -> str:
        rule = RULES_BY_KIND[self.kind]
        return rule.label_en if language == "en" else rule.label_zh

    def described(self, language: str) -> str | None:
        """The detail as shown after the label: a link's host, and the brand it imitates (plain, not escaped)."""
        if self.imitates is None:
            return self.detail
        looks_like = _LOOKS_LIKE["en" if language == "en" else "zh"].format(brand=self.imitates)
        return f"{self.detail}, {looks_like}" if self.detail else looks_like


_HAN = re.compile(r"[\u3400-\u9fff]")
_EXTRA_VARIANTS = {"账": "帳賬", "里": "裡裏", "着": "著", "干": "幹乾", "发": "發髮", "台": "臺"}


@lru_cache(maxsize=1)
def _converters() -> tuple[opencc.OpenCC, ...]:
    return tuple(opencc.OpenCC(c) for c in ("s2t", "s2tw", "s2hk"))


def widen_han(pattern: str) -> str:
    """Make a Simplified regex also match Traditional text, character by character."""
    out: list[str] = []
    in_class = False
    escaped = False
    for ch in pattern:
        if escaped:
            out.append(ch)
            escaped = False
            continue
        if ch == "\\":
            escaped = True
        elif ch == "[":
            in_class = True
        elif ch == "]":
            in_class = False
        if _HAN.match(ch):
            variants = dict.fromkeys([ch, *(c.convert(ch) for c in _converters()), *_EXTRA_VARIANTS.get(ch, "")])
            chars = "".join(variants)
            out.append(chars if in_class or len(chars) == 1 else f"[{chars}]")
        else:
            out.append(ch)
    return "".join(out)


_AMOUNT = r"(?:[$£€¥]\s?\d|\d[\d,.]*\s?(?:k\b|grand|dollars|usd|hkd|hk\$|rmb|yuan|pounds|usdt|btc|元|块|万|千))"
_ZH_NUM = r"[0-9一二两三四五六七八九十百千万]+"

RULES: tuple[RedFlagRule, ...] = (
    RedFlagRule(
        "money_request",
        0.45,
        "asks for money or a transfer",
        "要求借钱或转账",
        rf"\b(?:lend|borrow|loan me|transfer|wire|send|remit|pay|deposit|top[ -]?up)\b[^.?!\n]{{0,40}}"
        rf"(?:money|cash|funds|payment|{_AMOUNT})|\b(?:lend|loan) me\b|\bneed (?:some )?(?:money|cash)\b|"
        r"\b(?:transfer|wire|send|remit)\b[^.?!\n]{0,30}(?:\d[\d,.]{2,}|\baccount\b)",
        rf"借(?:我|给我|点|些|钱|{_ZH_NUM})|转账|转(?:给|到|入|进|一下|笔|个|过去|{_ZH_NUM})|汇款|汇(?:给|到|过去|钱)|打款|打钱|垫付|"
        r"过数|入数|"
        rf"周转|先付|付款|充值|缴纳|交(?:纳)?(?:保证金|手续费|押金|税|费)",
    ),
    RedFlagRule(
        "upfront_fee",
        0.35,
        "asks for a fee before you get anything",
        "要求先交费用",
        r"\b(?:processing|handling|release|unlock(?:ing)?|unfreez(?:e|ing)|customs|clearance|activation|"
        r"membership|shipping|delivery|redelivery|withdrawal|service|admin|insurance) (?:fee|charge|tax|deposit)s?\b|"
        r"\bpay (?:the )?(?:tax|fee|deposit)s? (?:first|before)\b",
        r"手续费|保证金|解冻(?:费|金)?|押金|税费|关税|激活费|会员费|刷流水|工本费|认证费|服务费|保释金|赎金|清关费|运费",
    ),
    RedFlagRule(
        "gift_card_crypto",
        0.4,
        "wants gift cards or crypto",
        "要求礼品卡或虚拟货币",
        r"\b(?:gift ?cards?|itunes|apple cards?|steam cards?|google play cards?|bitcoin|btc|usdt|tether|"
        r"crypto(?:currency)?|wallet address|eth(?:ereum)?)\b",
        r"礼品卡|购物卡|充值卡|点卡|比特币|虚拟币|泰达币|usdt|钱包地址|加密货币|数字货币",
    ),
    RedFlagRule(
        "urgency",
        0.2,
        "pressure to act now",
        "催促你马上行动",
        r"\b(?:urgent(?:ly)?|immediately|right now|right away|asap|as soon as possible|hurry|"
        r"within \d+ (?:hours?|minutes?|mins?)|today only|last chance|expires? (?:today|tonight|soon)|final notice)\b",
        r"紧急|马上|立刻|立即|尽快|赶紧|急需|急用|着急|急住|即刻|今天之内|今日之内|\d+小时内|最后机会|限时|逾期|过期作废|火速|"
        r"(?:今天|今日)(?:就|要|内|一定)?(?:汇|转|付|打|交|过数|俾|畀)",
    ),
    RedFlagRule(
        "secrecy",
        0.3,
        "asks you to keep it secret",
        "要求你保密",
        r"\b(?:don'?t|do not|never) (?:tell|mention|say)|\bkeep (?:it|this) (?:secret|quiet|confidential|between us)|"
        r"\b(?:strictly )?confidential\b|\bbetween (?:you and me|us)\b|\btell no ?one\b",
        r"保密|机密|不要告诉|别告诉|(?:不要|别|不能|唔好|咪)(?:跟|同|和|对|话|俾|畀).{0,8}(?:说|讲|知)|不要声张|不能告诉|"
        r"不要对外|不许告诉|别让.{0,6}知道|唔好话俾|唔好俾.{0,6}知",
    ),
    RedFlagRule(
        "new_number",
        0.3,
        "claims a new number or lost phone",
        "自称换了号码或手机",
        r"\b(?:new (?:phone )?number|changed my (?:phone|number)|lost my phone|phone (?:is )?(?:broken|broke|died)|"
        r"this is my new)\b",
        r"换号|新号码|新号|新手机号|手机(?:丢|坏|掉|摔)|换了手机|这是我的新|号码停用",
    ),
    RedFlagRule(
        "video_then_text",
        0.35,
        "a short or broken video call, then text only",
        "视频很短或断开，随后只发文字",
        r"\b(?:video|facetime|video call)\b[^.?!\n]{0,40}\b(?:cut|dropped|froze|broke|blurry|short|bad signal|"
        r"only (?:a )?(?:few )?seconds?)\b|\b(?:can'?t|cannot|unable to) (?:talk|speak|call)\b|\bin a meeting\b",
        r"(?:视频|视讯).{0,12}(?:断|卡|模糊|不清|信号|几秒|挂)|不方便(?:接|说|讲|通话)|在开会|正在开会|信号不好",
    ),
    RedFlagRule(
        "verification_code",
        0.45,
        "asks for a verification code or QR scan",
        "索要验证码或让你扫码",
        r"\b(?:verification|security|confirmation|otp|one[- ]time|sms|login|6[- ]digit|auth(?:entication)?) ?codes?\b|"
        r"\bpass ?code\b|\bscan (?:this|the|my) qr\b|\bqr code\b|"
        r"\b(?:send|forward|tell|give|share|read)\b[^.?!\n]{0,20}\bcodes?\b",
        r"验证码|动态码|校验码|短信码|扫码|扫一扫|二维码",
    ),
    RedFlagRule(
        "guaranteed_return",
        0.4,
        "promises high or guaranteed returns",
        "承诺高回报或稳赚",
        r"\bguarantee(?:d|s)? (?:returns?|profits?|income|payouts?)\b|\brisk[- ]free\b|"
        r"\b\d+(?:\.\d+)?% (?:daily|weekly|monthly|per day|a day|returns?|profits?)\b|\bdouble your\b|"
        r"\binsider (?:tips?|information|stocks?)\b|\bsure win\b|\bpassive income\b|\bno risk\b",
        r"保本|稳赚|包赚|零风险|无风险|高回报|日赚|日收益|收益率|内幕|稳定收益|翻倍|带单|导师|稳赚不赔|高收益|躺赚",
    ),
    RedFlagRule(
        "authority_claim",
        0.25,
        "claims to be police or an authority",
        "自称公检法或政府部门",
        r"\b(?:police|officer|detective|prosecutor|court|customs|immigration|tax office|irs|hmrc|"
        r"arrest warrant|warrant|money laundering|interpol)\b",
        r"公安|警察|警官|民警|检察|法院|海关|税务局|通缉|洗钱|逮捕|涉嫌|医保局|移民局|专案组|警员",
    ),
    RedFlagRule(
        "remote_access",
        0.4,
        "wants a safe account, screen sharing or an app install",
        "要求安全账户、共享屏幕或下载应用",
        r"\bsafe (?:account|wallet)\b|\bsecure account\b|\bscreen ?shar(?:e|ing)\b|\banydesk\b|\bteamviewer\b|"
        r"\bremote (?:access|control|desktop)\b|\.apk\b|"
        r"\b(?:download|install) (?:the|this|our|an) (?:app|apk|software)\b",
        r"安全账户|共享屏幕|屏幕共享|远程|下载.{0,6}(?:app|软件|应用)|安装.{0,6}(?:app|软件|应用)|会议软件|清查账户",
    ),
    RedFlagRule(
        "prize_claim",
        0.3,
        "says you won something",
        "声称你中奖了",
        r"\byou(?:'ve| have)? won\b|\bwinner\b|\bprize\b|\blottery\b|\bjackpot\b|\blucky draw\b",
        r"中奖|抽中|获奖|大奖|幸运用户|幸运观众|领奖",
    ),
    RedFlagRule(
        "emergency",
        0.25,
        "a sudden emergency (accident, arrest, hospital)",
        "突发紧急情况（车祸、被抓、住院）",
        r"\b(?:accident|arrested|jail|bail|hospital|kidnapp?(?:ed|ing)?|ransom|surgery|in trouble)\b",
        r"车祸|被抓|拘留|保释|住院|手术|绑架|赎金|出事|出车祸|撞人",
    ),
    RedFlagRule(
        "blackmail",
        0.45,
        "threatens to expose intimate images",
        "威胁散布私密影像",
        r"\b(?:nude|naked|intimate|explicit)\b|\bvideo of you\b|\bexpose you\b|"
        r"\bsend (?:it|them|this) to (?:your|all your)\b",
        r"裸聊|裸照|不雅|私密(?:照|视频)|曝光|发给你的(?:家人|通讯录|联系人|同事)|敲诈",
    ),
    RedFlagRule("link", 0.1, "contains a link", "包含链接", None, None),
    RedFlagRule("suspicious_link", 0.35, "link to an unusual or look-alike site", "可疑网址", None, None),
    RedFlagRule("phone_number", 0.05, "contains a phone number", "包含电话号码", None, None),
    RedFlagRule("bank_account", 0.05, "contains a bank account number", "包含银行账号", None, None),
)
RULES_BY_KIND = {rule.kind: rule for rule in RULES}

_COMPILED = tuple(
    (rule, re.compile("|".join(f"(?:{p})" for p in (rule.en, widen_han(rule.zh) if rule.zh else None) if p), re.I))
    for rule in RULES
    if rule.en or rule.zh
)
_PHONE = re.compile(r"(?<![\w.])(?:\+\d{1,3}[\s-]?)?(?:\(?\d{2,4}\)?[\s-]?){2,4}\d{3,4}(?![\w.])")
_LOOKS_LIKE = {"en": "looks like {brand}", "zh": "冒充 {brand}"}


def _snippet(original: str, form: str, where: list[int], start: int, end: int) -> str:
    """The matched words with a little context, quoted from the original message.

    Context is counted in characters, so Chinese (dense: a character is a word) gets less;
    English context ends at word boundaries, so a quote never starts or ends mid-word.
    """
    width = 6 if _HAN.search(form[start:end]) else 14
    left = max(0, start - width)
    right = min(len(form), end + width)
    while 0 < left < start and form[left - 1].isascii() and form[left - 1].isalnum():
        left += 1  # drop the partial word on the left
    while end < right < len(form) and form[right].isascii() and form[right].isalnum():
        right -= 1  # and on the right
    piece = " ".join(_INVISIBLE_OR_CONTROL.sub("", original[where[left] : where[right - 1] + 1]).split())
    return ("…" if left else "") + piece + ("…" if right < len(form) else "")


_INVISIBLE_OR_CONTROL = re.compile(r"[\u200b-\u200f\u202a-\u202e\u2060-\u2064\ufeff\u00ad\x00-\x08\x0b-\x1f\x7f]")
_CODE_GIVEN = re.compile(
    r"(?:code|otp|password|passcode|pin|验证码|密码|动态码|校验码)\D{0,12}\d{4,8}|"
    r"\d{4,8}\D{0,6}(?:is your|为您的|是你的)"
)
_DO_NOT_SHARE = re.compile(
    r"\b(?:don'?t|do not|never|not to) (?:share|tell|give|disclose|forward|send)\b|\bwill never ask\b|"
    r"(?:请勿|切勿|不要|勿|千万不要|绝不|不可|唔好|咪)(?:将|把|向|对|同|跟)?.{0,10}(?:告知|透露|泄露|提供|告诉|转发|分享|给|讲)"
)
_NOTICE_DROPS = ("verification_code", "secrecy")


def is_code_notice(form: str) -> bool:
    """A service's one-time code message: it *gives* a code and tells you not to share it.

    That is the opposite of a message that asks for a code, and its "tell no one" is a
    safety warning, not a demand for secrecy.
    """
    return bool(_CODE_GIVEN.search(form) and _DO_NOT_SHARE.search(form))


def _account_number(text: str, start: int, number: str) -> bool:
    """A bank account rather than a phone: the 3-6-3 or 3-3-6 bank shapes, or named an account just before."""
    if re.fullmatch(r"\d{3}-\d{6}-\d{3}|\d{3}-\d{3}-\d{6}|\d{3}-\d{1,6}-\d{6,9}", number):
        return True
    before = matching_form(text[max(0, start - 16) : start])
    return bool(re.search(r"户口|户头|账户|账号|帐户|帐号|卡号|\bacc(?:ount)?\b|\ba/c\b|account no", before))


def find_red_flags(text: str) -> list[RedFlag]:
    """All red flags in ``text``, one per kind (the first occurrence), in a stable order."""
    original = text
    text, where = normalise_mapped(original)
    notice = is_code_notice(matching_form(text))
    flags: list[RedFlag] = []
    for rule, pattern in _COMPILED:
        if notice and rule.kind in _NOTICE_DROPS:
            continue
        match = pattern.search(text)
        if match and notice and rule.kind == "money_request" and not re.search(r"\d", match.group()):
            continue  # a bank's code "for your transfer" names the transaction; it asks for nothing
        if match:
            flags.append(RedFlag(rule.kind, _snippet(original, text, where, match.start(), match.end())))
    for link in find_links(text):
        kind = "suspicious_link" if link.host.suspicious else "link"
        if not any(f.kind == kind for f in flags):
            flags.append(RedFlag(kind, link.text[:80], detail=link.host.shown[:80], imitates=link.host.imitates))
    plain = without_links(text)
    phone = _PHONE.search(plain)
    if phone and sum(ch.isdigit() for ch in phone.group()) >= 8:
        number = phone.group().strip()
        kind = "bank_account" if _account_number(plain, phone.start(), number) else "phone_number"
        flags.append(RedFlag(kind, number))
    return flags


def red_flag_score(flags: list[RedFlag]) -> float:
    """Noisy-or of the flags' weights: each independent tell adds, none alone reaches 1."""
    remaining = 1.0
    for flag in flags:
        remaining *= 1.0 - RULES_BY_KIND[flag.kind].weight
    return 1.0 - remaining
