"""The composition root: settings are read here, once, and turned into services.

Every entry point (the CLI, the standalone runner, the sandbox, a host bot using the
plugin, the benchmarks and the tests) builds its embedder, knowledge source, assessor,
store and engine through these functions, so a setting means the same thing
everywhere and each decision ("``DATABASE_URL``, else the SQLite file",
"the database's knowledge, else the YAML files") is made in one place.

Layers (see docs/architecture.md): ``adapter`` → ``app`` → ``kb``/``storage`` → ``core``;
``config`` is read by ``app`` and the adapter, never by the layers below.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from bot.config import Settings
from bot.core.assess import Assessor
from bot.core.assess_config import AssessConfig
from bot.core.calibration import RiskModel
from bot.core.embedding import Embedder, SentenceTransformerEmbedder
from bot.core.engine import Engine
from bot.core.knowledge import KnowledgeBase
from bot.core.knowledge_source import KnowledgeFiles, KnowledgeSource
from bot.core.llm.helper import LLMHelper
from bot.core.reply import ReportingContacts
from bot.kb.repository import KnowledgeRepository
from bot.kb.service import KnowledgeService, LiveKnowledge
from bot.storage import Store
from bot.storage.store import data_dir_url

log = logging.getLogger(__name__)


def database_url(settings: Settings) -> str:
    """``DATABASE_URL`` when set, else the SQLite file in ``DATA_DIR`` (the store and the knowledge share it)."""
    return settings.database_url or data_dir_url(settings.data_dir)


def assess_config(settings: Settings) -> AssessConfig:
    """The core's thresholds and weights, from the operator's settings."""
    return AssessConfig(
        risk_scam=settings.risk_scam,
        risk_suspicious=settings.risk_suspicious,
        alert_risk_low=settings.alert_risk_low,
        alert_risk_normal=settings.alert_risk_normal,
        alert_risk_high=settings.alert_risk_high,
        alert_min_match=settings.alert_min_match,
        dense_unknown_cutoff=settings.dense_unknown_cutoff,
        lexical_weight=settings.lexical_weight,
    )


def build_embedder(settings: Settings) -> Embedder:
    """The configured embedding backend: bundled e5 (default), a sentence-transformers model, or OpenAI's API.

    Each backend is imported only when chosen: torch is never loaded unless
    sentence-transformers is (start-up time and hundreds of MB of memory).
    """
    if settings.embedding_backend == "openai":
        from bot.core.embedding_openai import OpenAIEmbedder

        return OpenAIEmbedder(settings)
    if settings.embedding_backend == "e5":
        from bot.core.embedding_e5 import E5Embedder

        return E5Embedder(threads=settings.embedding_threads, batch_size=settings.embedding_batch_size)
    return SentenceTransformerEmbedder(
        settings.embedding_model, batch_size=settings.embedding_batch_size, threads=settings.embedding_threads
    )


def open_knowledge(settings: Settings) -> LiveKnowledge:
    """The live knowledge base in the database (not yet read; seeded from ``KNOWLEDGE_DIR`` on first use)."""
    return LiveKnowledge(KnowledgeRepository(database_url(settings)), settings.knowledge_dir)


def knowledge_source(settings: Settings, live: LiveKnowledge | None = None) -> KnowledgeSource:
    """``KNOWLEDGE_SOURCE``: the live database copy (``live``, or one opened here) or the YAML files only."""
    if settings.knowledge_source == "files":
        return KnowledgeFiles(settings.knowledge_dir)
    return live or open_knowledge(settings)


def load_knowledge_base(settings: Settings) -> KnowledgeBase:
    """The knowledge base as configured, read once (a database opened for it is closed again)."""
    source = knowledge_source(settings)
    try:
        return source.load()
    finally:
        if isinstance(source, LiveKnowledge):
            source.close()


def build_engine(
    settings: Settings,
    *,
    embedder: Embedder | None = None,
    knowledge: KnowledgeSource | KnowledgeBase | None = None,
    show_progress: bool = False,
) -> Engine:
    """Knowledge, model, index (rebuilt when stale), calibration and LLM help, as configured."""
    if isinstance(knowledge, KnowledgeBase):
        kb = knowledge
    elif knowledge is not None:
        kb = knowledge.load()
    else:
        kb = load_knowledge_base(settings)
    embedder = embedder or build_embedder(settings)
    risk_model = RiskModel.load(settings.calibration_file, embedder.name)
    assessor = Assessor.build(
        assess_config(settings), embedder, kb, risk_model, index_dir=settings.index_dir, show_progress=show_progress
    )
    contacts = ReportingContacts.load(settings.reporting_file)
    return Engine(assessor, contacts, LLMHelper.from_settings(settings))


@dataclass
class Services:
    """What the Telegram side runs on; built once per process by :func:`build_services`."""

    settings: Settings
    engine: Engine
    store: Store
    knowledge: KnowledgeService

    async def close(self) -> None:
        await self.store.close()
        self.knowledge.repository.close()


def build_services(
    settings: Settings,
    *,
    engine: Engine | None = None,
    store: Store | None = None,
    embedder: Embedder | None = None,
) -> Services:
    """Engine, store and knowledge service, the knowledge database opened and seeded exactly once.

    ``engine`` and ``store`` may be given (a host bot or a test sharing one engine); the
    knowledge service is then bound to that engine's assessor, so admins' changes reach it.
    """
    live = open_knowledge(settings)
    live.seed()  # admins edit the database copy even when the bot answers from the files
    if engine is None:
        engine = build_engine(settings, embedder=embedder, knowledge=knowledge_source(settings, live))
    store = store or Store(database_url(settings))
    return Services(settings, engine, store, KnowledgeService(engine.assessor, live.repository))


def bot_settings(settings: Settings) -> Settings:
    """Settings for a long-running bot: unless configured, one torch thread per encode.

    Measured with torch: many single messages at once are answered faster with one thread each (200
    concurrent: 1.44 s against 1.80 s). The e5 engine's OpenMP thread count is fixed for the whole
    process when it loads, so one thread there would also make every index build single-threaded
    (the first start of the bot embeds the whole knowledge base): it keeps its default.
    """
    if settings.embedding_threads is None and settings.embedding_backend == "sentence-transformers":
        return settings.model_copy(update={"embedding_threads": 1})
    return settings
