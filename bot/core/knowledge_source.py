"""Where the knowledge base comes from, as the core sees it: anything that can load one.

The core only needs a :class:`~bot.core.knowledge.KnowledgeBase`; whether it was read
from the shipped YAML files or from the live, admin-editable database is decided by
the composition root (:mod:`bot.app`). The database source lives in :mod:`bot.kb`,
which implements this protocol, so the core never imports storage code.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from bot.core.knowledge import KnowledgeBase, load_knowledge


class KnowledgeSource(Protocol):
    """Loads the current knowledge base (may be slow: disk or database)."""

    def load(self) -> KnowledgeBase: ...


@dataclass(frozen=True)
class KnowledgeFiles:
    """The YAML pattern files in a directory, read-only (``KNOWLEDGE_SOURCE=files``)."""

    directory: Path

    def load(self) -> KnowledgeBase:
        return load_knowledge(self.directory)
