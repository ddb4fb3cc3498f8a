"""Callback data of the plugin's buttons: one typed codec instead of strings built by hand.

Every button the plugin sends carries ``fa:<tag>:<field>:<field>…`` (Telegram allows 64
bytes). Each kind of button is a small frozen dataclass registered under its tag, so a
handler receives ``KbShow(ref="…")`` or ``Feedback(answer_id="…", helpful=True)``-like
values and matches on their type; nobody splits strings or remembers what the third
field of ``rv:to`` was. The wire format is the one the bot has always sent, so buttons
already in users' chats keep working across an upgrade.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any, ClassVar, TypeVar

PREFIX = "fa:"
MAX_BYTES = 64

_BY_TAG: dict[str, type[Callback]] = {}
C = TypeVar("C", bound="type[Callback]")


class Callback:
    """Base of every button's data; subclasses are frozen dataclasses registered with :func:`tag`."""

    TAG: ClassVar[str] = ""

    def encode(self) -> str:
        values = [str(getattr(self, f.name)) for f in dataclasses.fields(self)]  # type: ignore[arg-type]
        data = ":".join([PREFIX + self.TAG, *values])
        if len(data.encode("utf-8")) > MAX_BYTES:
            raise ValueError(f"callback data over {MAX_BYTES} bytes: {data!r}")
        return data


def tag(name: str) -> Callable[[C], C]:
    """Register a dataclass as the callback ``fa:<name>:…`` (``name`` may hold a colon: ``kb:sh``)."""

    def register(cls: C) -> C:
        if name in _BY_TAG:
            raise ValueError(f"callback tag {name!r} registered twice")
        cls.TAG = name
        _BY_TAG[name] = cls
        return cls

    return register


def pattern(*areas: str) -> str:
    """A ``CallbackQueryHandler`` pattern for the callbacks whose tag starts with one of ``areas``."""
    return f"^{PREFIX}(?:{'|'.join(areas)}):"


def decode(data: str | None) -> Callback | None:
    """The typed callback behind ``data``; None for anything not ours or malformed (stale, forged)."""
    if not data or not data.startswith(PREFIX):
        return None
    parts = data.removeprefix(PREFIX).split(":")
    for width in (2, 1):  # "kb:sh:<ref>" before "h:<answer id>"
        cls = _BY_TAG.get(":".join(parts[:width]))
        if cls is None:
            continue
        values = parts[width:]
        fields = dataclasses.fields(cls)  # type: ignore[arg-type]
        if len(values) != len(fields):
            return None
        try:
            converted: dict[str, Any] = {
                f.name: int(v) if f.type in ("int", int) else v for f, v in zip(fields, values, strict=True)
            }
        except ValueError:
            return None
        return cls(**converted)
    return None


# Private chats (plugin)
@tag("h")
@dataclasses.dataclass(frozen=True)
class Helpful(Callback):
    answer_id: str


@tag("w")
@dataclasses.dataclass(frozen=True)
class Wrong(Callback):
    answer_id: str


@tag("r")
@dataclasses.dataclass(frozen=True)
class ReportScam(Callback):
    answer_id: str


@tag("l")
@dataclasses.dataclass(frozen=True)
class ChooseLanguage(Callback):
    language: str


@tag("rg")
@dataclasses.dataclass(frozen=True)
class ChooseRegion(Callback):
    region: str


# Groups
@tag("na")
@dataclasses.dataclass(frozen=True)
class NotAScam(Callback):
    alert_id: str


@tag("gs:alerts")
@dataclasses.dataclass(frozen=True)
class ToggleAlerts(Callback):
    how: str = "toggle"


@tag("gs:sens")
@dataclasses.dataclass(frozen=True)
class SetSensitivity(Callback):
    level: str


@tag("gs:lang")
@dataclasses.dataclass(frozen=True)
class SetGroupLanguage(Callback):
    code: str


# Knowledge-base admin: browsing (``ref`` is a short stand-in for a pattern id)
@tag("kb:ls")
@dataclasses.dataclass(frozen=True)
class KbCategories(Callback):
    pass


@tag("kb:lc")
@dataclasses.dataclass(frozen=True)
class KbCategory(Callback):
    index: int
    page: int


@tag("kb:sh")
@dataclasses.dataclass(frozen=True)
class KbShow(Callback):
    ref: str


@tag("kb:ed")
@dataclasses.dataclass(frozen=True)
class KbEdit(Callback):
    ref: str


@tag("kb:ef")
@dataclasses.dataclass(frozen=True)
class KbEditField(Callback):
    ref: str
    field: int


@tag("kb:rm")
@dataclasses.dataclass(frozen=True)
class KbRemove(Callback):
    ref: str


@tag("kb:hi")
@dataclasses.dataclass(frozen=True)
class KbHistory(Callback):
    ref: str


@tag("kb:un")
@dataclasses.dataclass(frozen=True)
class KbUndo(Callback):
    ref: str


# Knowledge-base admin: steps of a session (``token`` ties a button to the session that sent it)
@tag("kb:x")
@dataclasses.dataclass(frozen=True)
class KbCancel(Callback):
    token: str


@tag("kb:cat")
@dataclasses.dataclass(frozen=True)
class KbPickCategory(Callback):
    token: str
    index: int


@tag("kb:sev")
@dataclasses.dataclass(frozen=True)
class KbPickSeverity(Callback):
    token: str
    level: str


@tag("kb:done")
@dataclasses.dataclass(frozen=True)
class KbDone(Callback):
    token: str


@tag("kb:ok")
@dataclasses.dataclass(frozen=True)
class KbConfirm(Callback):
    token: str


@tag("kb:ok2")
@dataclasses.dataclass(frozen=True)
class KbConfirmLast(Callback):
    token: str


# Review queue (``mode``: "e" adds as an example, "c" as a counter-example)
@tag("rv:ex")
@dataclasses.dataclass(frozen=True)
class RvExample(Callback):
    report_id: int


@tag("rv:ce")
@dataclasses.dataclass(frozen=True)
class RvCounter(Callback):
    report_id: int


@tag("rv:to")
@dataclasses.dataclass(frozen=True)
class RvAddTo(Callback):
    report_id: int
    mode: str
    ref: str


@tag("rv:pk")
@dataclasses.dataclass(frozen=True)
class RvPick(Callback):
    report_id: int
    mode: str


@tag("rv:pb")
@dataclasses.dataclass(frozen=True)
class RvPickAgain(Callback):
    report_id: int
    mode: str


@tag("rv:pc")
@dataclasses.dataclass(frozen=True)
class RvPickCategory(Callback):
    report_id: int
    mode: str
    index: int


@tag("rv:np")
@dataclasses.dataclass(frozen=True)
class RvNewPattern(Callback):
    report_id: int


@tag("rv:dm")
@dataclasses.dataclass(frozen=True)
class RvDismiss(Callback):
    report_id: int


@tag("rv:wh")
@dataclasses.dataclass(frozen=True)
class RvWho(Callback):
    report_id: int


@tag("rv:nx")
@dataclasses.dataclass(frozen=True)
class RvNext(Callback):
    report_id: int
