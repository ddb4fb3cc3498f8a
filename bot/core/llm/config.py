"""What the OpenAI-compatible clients read from the configuration.

A structural type, not a settings class: the core does not import :mod:`bot.config`,
it states the attributes it uses, and ``bot.config.Settings`` (or any object a test
builds) provides them.
"""

from __future__ import annotations

from typing import Protocol

from pydantic import SecretStr


class OpenAISettings(Protocol):
    """The settings of the optional LLM help and of the OpenAI embedding backend."""

    @property
    def openai_api_key(self) -> SecretStr | None: ...
    @property
    def openai_base_url(self) -> str | None: ...
    @property
    def openai_model(self) -> str: ...
    @property
    def openai_timeout_seconds(self) -> float: ...
    @property
    def openai_embedding_model(self) -> str: ...
    @property
    def llm_send_message_text(self) -> bool: ...
    @property
    def llm_daily_cap_per_user(self) -> int: ...
    @property
    def llm_max_tokens(self) -> int: ...
    @property
    def embedding_batch_size(self) -> int: ...
