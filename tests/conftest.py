"""Shared fixtures: one real engine (bundled model, shipped knowledge) per test session, and the emulator."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("NO_PROXY", "127.0.0.1,localhost,::1")
os.environ.setdefault("no_proxy", "127.0.0.1,localhost,::1")

from hypothesis import settings as hypothesis_settings

from bot.app import build_embedder, build_engine
from bot.config import Settings
from bot.core.embedding import Embedder
from bot.core.engine import Engine
from bot.emulator import BotApiEmulator

REPO = Path(__file__).resolve().parent.parent

# CI is a gate: the same examples on every run, so a red build is reproducible (and never a coin toss).
# Locally the property tests keep exploring new examples, which is how they find bugs.
hypothesis_settings.register_profile("ci", derandomize=True, print_blob=True)
if os.environ.get("CI"):
    hypothesis_settings.load_profile("ci")

pytest_plugins = ("pg",)  # postgres_server (one real server per run) and postgres_url (a fresh database)


@pytest.fixture
async def emu() -> AsyncIterator[BotApiEmulator]:
    """A fresh Bot API emulator for one test (a file needing other options defines its own ``emu``)."""
    async with BotApiEmulator() as emulator:
        yield emulator


@pytest.fixture(scope="session")
def embedder() -> Embedder:
    """The default backend (bundled multilingual e5), loaded once for the whole run."""
    return build_embedder(Settings(_env_file=None))


@pytest.fixture(scope="session")
def engine(tmp_path_factory: pytest.TempPathFactory, embedder: Embedder) -> Engine:
    """The real engine. ``TEST_ENGINE_DATA_DIR`` reuses an index built before (rebuilt if stale): on a busy
    machine building it takes minutes, which is not what any test is about."""
    cached = os.environ.get("TEST_ENGINE_DATA_DIR")
    settings = Settings(_env_file=None, data_dir=Path(cached) if cached else tmp_path_factory.mktemp("engine-data"))
    return build_engine(settings, embedder=embedder)


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(_env_file=None, data_dir=tmp_path / "data")


@pytest.fixture(autouse=True)
def _loopback_only(monkeypatch: pytest.MonkeyPatch) -> None:
    """httpx honours proxy variables; the emulator and fake servers on 127.0.0.1 must be reached directly."""
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    monkeypatch.setenv("no_proxy", "127.0.0.1,localhost")
    monkeypatch.setenv("PTB_TIMEDELTA", "1")  # PTB's future retry_after type; silences its deprecation warning


@pytest.fixture
def poisoned(monkeypatch: pytest.MonkeyPatch) -> str:
    """A red-flag stage that raises for any message containing the returned word, and only for those."""
    from bot.core import assess

    real = assess.find_red_flags

    def fragile(text: str):
        if "POISON" in text:
            raise RuntimeError("boom")
        return real(text)

    monkeypatch.setattr(assess, "find_red_flags", fragile)
    return "POISON"
