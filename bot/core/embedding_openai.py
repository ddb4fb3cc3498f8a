"""Embeddings through an OpenAI-compatible ``/v1/embeddings`` endpoint instead of the local model.

A hosted multilingual model (``text-embedding-3-small``) or a local server's (Ollama's
``nomic-embed-text``, ``bge-m3`` on vLLM) reads Chinese, which the bundled English model
cannot: so :meth:`OpenAIEmbedder.unknown_ratio` reports nothing unreadable and dense
scores are trusted for every script. The embedder's ``name`` (``openai:<model>``) is
written into the index manifest, so switching backend or model rebuilds the index
instead of mixing vectors from two models.

Text is masked (:mod:`bot.core.llm.masking`) before it is sent, knowledge and messages
alike, so both sides of a comparison see the same placeholders.
"""

from __future__ import annotations

import logging
import threading
from typing import TYPE_CHECKING, Any

import numpy as np

from bot.core.llm.client import is_local_url, openai_kwargs
from bot.core.llm.masking import mask_personal_data

if TYPE_CHECKING:
    from bot.core.llm.config import OpenAISettings

log = logging.getLogger(__name__)

NAME_PREFIX = "openai:"
EMBEDDING_RETRIES = 2
"""Unlike a chat answer, an index build can afford to retry a transient failure."""


class EmbeddingUnavailable(RuntimeError):
    """The embeddings endpoint did not answer usably."""


class OpenAIEmbedder:
    """An :class:`~bot.core.embedding.Embedder` over the OpenAI embeddings API. Thread-safe."""

    def __init__(self, settings: OpenAISettings, *, batch_size: int | None = None) -> None:
        if settings.openai_api_key is None:
            raise ValueError("EMBEDDING_BACKEND=openai needs OPENAI_API_KEY (any value for a local server)")
        if not settings.llm_send_message_text:
            raise ValueError("EMBEDDING_BACKEND=openai sends message text, which LLM_SEND_MESSAGE_TEXT=false forbids")
        self.model = settings.openai_embedding_model
        self._settings = settings
        self._batch_size = batch_size or settings.embedding_batch_size
        self._client: Any = None
        self._dimension: int | None = None
        self._lock = threading.Lock()

    @property
    def name(self) -> str:
        return f"{NAME_PREFIX}{self.model}"

    similarity_floor = 0.0

    def _openai(self) -> Any:
        with self._lock:
            if self._client is None:
                import openai

                local = is_local_url(self._settings.openai_base_url)
                self._client = openai.OpenAI(
                    **openai_kwargs(self._settings, max_retries=EMBEDDING_RETRIES),
                    http_client=openai.DefaultHttpxClient(trust_env=not local),
                )
            return self._client

    def _embed(self, texts: list[str]) -> np.ndarray:
        import openai

        try:
            response = self._openai().embeddings.create(model=self.model, input=texts, encoding_format="float")
        except openai.APIError as exc:
            raise EmbeddingUnavailable(f"embeddings endpoint failed: {type(exc).__name__}: {exc}") from exc
        rows = sorted(response.data, key=lambda item: item.index)
        if len(rows) != len(texts):
            raise EmbeddingUnavailable(f"asked for {len(texts)} embeddings, got {len(rows)}")
        return np.asarray([row.embedding for row in rows], dtype=np.float32)

    def _dimension_now(self) -> int:
        if self._dimension is None:
            self._dimension = int(self._embed(["."]).shape[1])
        return self._dimension

    def encode(self, texts: list[str], *, show_progress: bool = False) -> np.ndarray:
        """L2-normalised vectors; empty texts (the API refuses them) get zero vectors without a call."""
        wanted = [i for i, t in enumerate(texts) if t.strip()]
        if not wanted:
            return np.zeros((len(texts), self._dimension_now() if texts else 0), dtype=np.float32)
        masked = [mask_personal_data(texts[i]).text or "." for i in wanted]
        parts = [self._embed(masked[s : s + self._batch_size]) for s in range(0, len(masked), self._batch_size)]
        vectors = np.vstack(parts)
        self._dimension = int(vectors.shape[1])
        norms = np.linalg.norm(vectors, axis=1, keepdims=True)
        vectors = vectors / np.where(norms == 0, 1.0, norms)
        out = np.zeros((len(texts), self._dimension), dtype=np.float32)
        out[wanted] = vectors
        return out

    def unknown_ratio(self, texts: list[str]) -> np.ndarray:
        """Nothing is unreadable to a multilingual API model (an English-only one would need the local path)."""
        return np.zeros(len(texts), dtype=np.float32)
