"""The transport: one chat completion through the official ``openai`` client, or an exception.

Retries are off (``max_retries=0``): the user is waiting, and a retry after a 429 or a
5xx would only spend the time budget the fallback answer needs. The circuit breaker in
:mod:`~bot.core.llm.guards` deals with an endpoint that keeps failing. For a loopback
or private base URL (a model server on this machine or network) proxy variables from
the environment are ignored, so ``HTTPS_PROXY`` cannot send local traffic elsewhere.
"""

from __future__ import annotations

import asyncio
import ipaddress
import logging
from typing import TYPE_CHECKING, Any

from bot.core.links import host_of
from bot.core.llm.schema import response_format

if TYPE_CHECKING:
    from bot.core.llm.config import OpenAISettings

log = logging.getLogger(__name__)


class LLMUnavailable(Exception):
    """The endpoint did not give a usable answer: timeout, HTTP error, connection error, empty or cut answer."""


def is_local_url(url: str | None) -> bool:
    """True for localhost, loopback and private addresses, where a proxy must not be used."""
    host = host_of(url) if url else None  # the one host reader: never raises on a malformed OPENAI_BASE_URL
    if not host:
        return False
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False
    return address.is_loopback or address.is_private


def openai_kwargs(settings: OpenAISettings, *, max_retries: int) -> dict[str, Any]:
    """Constructor arguments shared by the chat and the embeddings client."""
    key = settings.openai_api_key
    kwargs: dict[str, Any] = {
        "api_key": key.get_secret_value() if key is not None else "",
        "base_url": settings.openai_base_url or None,
        "timeout": settings.openai_timeout_seconds,
        "max_retries": max_retries,
    }
    return kwargs


class ChatClient:
    """Asks for one JSON-schema-constrained chat completion; raises :class:`LLMUnavailable` otherwise."""

    def __init__(self, settings: OpenAISettings) -> None:
        import openai  # only when configured: an unconfigured bot never loads the client

        self._openai = openai
        self._settings = settings
        self.model = settings.openai_model
        self.max_tokens = settings.llm_max_tokens
        self._client: Any = None
        self._loop: asyncio.AbstractEventLoop | None = None

    def _for_this_loop(self) -> Any:
        """The async client of the running event loop: pooled connections cannot cross loops (the CLI's
        ``asyncio.run`` per batch), so a new loop gets a new client. Constructing one connects nowhere."""
        loop = asyncio.get_running_loop()
        if self._client is None or self._loop is not loop:
            local = is_local_url(self._settings.openai_base_url)
            http_client = self._openai.DefaultAsyncHttpxClient(trust_env=not local)
            kwargs = openai_kwargs(self._settings, max_retries=0)
            self._client = self._openai.AsyncOpenAI(**kwargs, http_client=http_client)
            self._loop = loop
        return self._client

    async def complete(self, messages: list[dict[str, str]]) -> str:
        """The assistant's text. Never retried; every failure becomes :class:`LLMUnavailable`."""
        try:
            response = await self._for_this_loop().chat.completions.create(
                model=self.model,
                messages=messages,  # type: ignore[arg-type]
                response_format=response_format(),  # type: ignore[arg-type]
                max_tokens=self.max_tokens,
                temperature=0,
            )
        except self._openai.APIStatusError as exc:
            raise LLMUnavailable(f"HTTP {exc.status_code}") from exc
        except self._openai.APIError as exc:  # timeouts and connection errors included
            raise LLMUnavailable(type(exc).__name__) from exc
        if not response.choices:
            raise LLMUnavailable("no choices in the answer")
        choice = response.choices[0]
        if choice.finish_reason == "length":
            raise LLMUnavailable("answer cut at the token limit")
        if not choice.message.content:
            raise LLMUnavailable("empty answer (refusal or no content)")
        return choice.message.content

    async def aclose(self) -> None:
        if self._client is not None and self._loop is asyncio.get_running_loop():
            await self._client.close()
        self._client = None
