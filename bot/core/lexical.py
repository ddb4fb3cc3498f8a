"""Lexical retrieval with BM25 over English words and Chinese character bigrams.

This is the path that reads Chinese when the embedding model cannot. BM25 scores
grow with message length and are not comparable across messages, so each score is
divided by the document's score against itself: the result, in [0, 1], says how
much of a known example (weighted by how rare its words are) the message contains.
"""

from __future__ import annotations

import functools
import logging

import bm25s
import numpy as np

from bot.core.documents import KnowledgeText
from bot.core.text import lexical_tokens

log = logging.getLogger(__name__)
logging.getLogger("bm25s").setLevel(logging.WARNING)  # bm25s logs every index build at DEBUG on its own handler


@functools.lru_cache(maxsize=50_000)
def _knowledge_tokens(text: str) -> tuple[str, ...]:
    """A knowledge text's tokens, kept: a knowledge change rebuilds BM25 over every text, and tokenising
    them all again was half of that rebuild (0.56-0.71 s of about 1.3 s for 1,934 texts on a busy machine).
    Only knowledge texts pass through here, never users' messages."""
    return tuple(lexical_tokens(text)) or ("\x00empty",)


class LexicalIndex:
    """BM25 (bm25s) over the knowledge texts, rebuilt in memory on every knowledge change."""

    def __init__(self, documents: list[KnowledgeText]) -> None:
        self.documents = documents
        tokens = [list(_knowledge_tokens(d.text)) for d in documents]
        self._bm25 = bm25s.BM25(k1=1.2, b=0.75)
        self._bm25.index(tokens, show_progress=False)
        self._self_scores = np.maximum(self._self_score_of_each_document(tokens), 1e-6).astype(np.float32)

    def _self_score_of_each_document(self, tokens: list[list[str]]) -> np.ndarray:
        """BM25 of each document against its own (unique) tokens.

        That is the sum of the document's row in bm25s's precomputed score matrix (stored
        column-wise by token), one vectorised pass instead of one query per document; a
        bm25s without that attribute gets the per-document queries.
        """
        matrix = getattr(self._bm25, "scores", None)
        if isinstance(matrix, dict) and {"data", "indices"} <= matrix.keys():
            return np.bincount(matrix["indices"], weights=matrix["data"], minlength=len(tokens))
        return np.array([self._bm25.get_scores(list(dict.fromkeys(t)))[i] for i, t in enumerate(tokens)])

    def scores(self, text: str) -> np.ndarray:
        """Normalised similarity of ``text`` to every document, in document order."""
        query = list(dict.fromkeys(lexical_tokens(text)))
        if not query or not self.documents:
            return np.zeros(len(self.documents), dtype=np.float32)
        raw = np.asarray(self._bm25.get_scores(query), dtype=np.float32)
        return np.clip(raw / self._self_scores, 0.0, 1.0)
