"""The callback-data codec: every button's data round-trips, and anything else is refused."""

from __future__ import annotations

import pytest

from bot.adapter import callbacks
from bot.adapter.callbacks import (
    ChooseLanguage,
    Helpful,
    KbCategories,
    KbCategory,
    KbConfirmLast,
    NotAScam,
    RvAddTo,
    ToggleAlerts,
    decode,
)


@pytest.mark.parametrize(
    ("value", "wire"),
    [
        (Helpful("a1b2c3d4e5f6"), "fa:h:a1b2c3d4e5f6"),
        (ChooseLanguage("zh-Hant"), "fa:l:zh-Hant"),
        (NotAScam("0a1b2c3d4e"), "fa:na:0a1b2c3d4e"),
        (ToggleAlerts(), "fa:gs:alerts:toggle"),
        (KbCategories(), "fa:kb:ls"),
        (KbCategory(3, 0), "fa:kb:lc:3:0"),
        (KbConfirmLast("ab12cd"), "fa:kb:ok2:ab12cd"),
        (RvAddTo(12, "e", "0123456789"), "fa:rv:to:12:e:0123456789"),
    ],
)
def test_the_wire_format_is_the_one_buttons_already_carry(value: callbacks.Callback, wire: str) -> None:
    assert value.encode() == wire
    assert decode(wire) == value


@pytest.mark.parametrize(
    "wire", [None, "", "other:h:1", "fa:", "fa:zz:1", "fa:kb:lc:x:0", "fa:kb:lc:1", "fa:rv:to:1:e", "fa:h:1:2"]
)
def test_foreign_stale_or_malformed_data_decodes_to_nothing(wire: str | None) -> None:
    assert decode(wire) is None


def test_data_over_telegrams_64_bytes_is_refused_when_built() -> None:
    with pytest.raises(ValueError, match="64 bytes"):
        Helpful("x" * 80).encode()


def test_a_handler_pattern_matches_only_its_areas() -> None:
    import re

    kb_and_review = re.compile(callbacks.pattern("kb", "rv"))
    assert kb_and_review.match("fa:kb:ls") and kb_and_review.match("fa:rv:nx:1")
    assert not kb_and_review.match("fa:h:1") and not kb_and_review.match("fa:gs:sens:low")
