"""What the message itself says about its scam type, to keep the named type and its advice on topic.

Retrieval ranks known patterns by resemblance, and a short message can resemble the wrong
one: a face-swapped "friend" asking for $800 reads much like a romance scam's money
request. But the message often *says* what happened: a video call just now, a voice note,
an unpaid toll. A cue is such a statement. When the closest pattern's type contradicts the
cues, the reply names the closest pattern of a type the cues allow, and advice lines about
the cue come first. Cues change what is shown, never the risk or the verdict (they are not
red flags and carry no weight), so the calibration stays valid.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from bot.core.text import matching_form


@dataclass(frozen=True)
class Cue:
    """A statement in the message that implies which scam types can fit it."""

    kind: str
    categories: tuple[str, ...]
    """Types the cue allows, most likely first: a steered reply picks the best-ranked of these."""
    found: re.Pattern[str]
    """Matched against the message's matching form (lower case, Simplified)."""
    advice: re.Pattern[str] | None
    """Advice lines about the cue (matched against the advice as shown, any script), shown first: for patterns
    that cover several stories (tax refunds, tolls and ETC cards), so the first step is about this one."""
    unless: re.Pattern[str] | None = None
    """A denial that cancels the cue ("I can't video call")."""


_VIDEO_TYPES = (
    "deepfake_video_call",
    "deepfake_executive_meeting",
    "deepfake_sextortion",
    "impersonate_police_gov",
    "deepfake_endorsement",
)

CUES: tuple[Cue, ...] = (
    Cue(
        "video_call",
        _VIDEO_TYPES,
        re.compile(
            r"\b(?:see|saw|seen|seeing) (?:me|you|my face|your face)\b[^.?!\n]{0,20}\b(?:video|camera|facetime|cam)\b|"
            r"\bon (?:the )?(?:video|facetime|camera)\b|\bvideo[- ]?call(?:ed|ing|s)?\b|\bfacetimed?\b|"
            r"\bvideo (?:cut|dropped|froze|broke)|"
            r"(?:视频|视讯|视像)(?:通话|电话|聊天|会议|过|咗|了|见|看|断|挂|几秒|一下|两秒|时)|"
            r"(?:视频|视讯|视像).{0,8}(?:断|挂|卡住|模糊)|(?:看到|见到|睇到|看见)(?:是|系)我|"
            r"(?:打|开|用|跟你|同你|和你|跟我|同我)(?:个|了|咗)?(?:视频|视讯|视像)"
        ),
        None,
        re.compile(
            r"\b(?:can'?t|cannot|won'?t|never|refuses? to|unable to) (?:do (?:a )?)?video\b|\bcamera is broken\b|"
            r"(?:不能|没法|无法|不肯|拒绝|唔可以|唔肯|从来不)(?:开|打|跟你|和你)?(?:视频|视讯|视像)"
        ),
    ),
    Cue(
        "voice_note",
        ("voice_clone_call", "deepfake_executive_meeting"),
        re.compile(r"\bvoice (?:note|message|memo|msg|mail)s?\b|\bvoicemail\b|语音(?:消息|信息|留言|讯息|条|短讯)"),
        None,
    ),
    Cue(
        "toll",
        ("phishing_link", "fake_official_notice"),
        re.compile(r"\btolls?\b|\betag\b|\be-?z ?pass\b|\betc\b|过路费|通行费|隧道费|高速费|etag|\betc卡"),
        re.compile(r"toll|etc|etag|过路费|過路費|通行费|通行費|隧道费|隧道費", re.I),
    ),
)


def find_cues(text: str) -> tuple[Cue, ...]:
    """The cues in ``text``, in the order of :data:`CUES`."""
    form = matching_form(text)
    return tuple(c for c in CUES if c.found.search(form) and not (c.unless and c.unless.search(form)))


def steer(categories: Sequence[str], cues: Sequence[Cue]) -> int | None:
    """Index of the first ranked pattern whose type the cues allow, when the top one's does not; else None.

    ``categories`` are the ranked patterns' types, best first. Cues are tried in order; the
    first that can be satisfied wins (a broken video call outranks a voice note).
    """
    if not categories:
        return None
    for cue in cues:
        if categories[0] in cue.categories:
            return None
        for preferred in cue.categories:
            for i, category in enumerate(categories):
                if category == preferred:
                    return i
    return None


def advice_first(advice: Sequence[str], cues: Sequence[str | Cue]) -> list[str]:
    """Advice lines about the message's cues first, the rest in their written order."""
    chosen = [c for c in CUES if c in cues or c.kind in cues]
    on_topic = [a for a in advice if any(c.advice and c.advice.search(a) for c in chosen)]
    return on_topic + [a for a in advice if a not in on_topic]
