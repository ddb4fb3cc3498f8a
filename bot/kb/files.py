"""Knowledge files on disk: validate, read for import, write for export.

Exports are one ``<id>.yaml`` per pattern so changes review well in git. Pattern ids
are restricted to ``[a-z0-9_]``, so an id can never name a path outside the export
directory; imports read only regular files inside the given directory (symbolic links
that lead elsewhere are refused), and reading is all-or-nothing: one bad file and
nothing is imported.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from bot.core.knowledge import KnowledgeBase, KnowledgeError, ScamPattern, dump_pattern, load_knowledge, pattern_files


def read_patterns(path: Path) -> list[ScamPattern]:
    """Every pattern under ``path``, all validated; any problem raises with file, line and field."""
    root = path.resolve()
    for file in pattern_files(path):
        resolved = file.resolve()
        if root.is_dir() and root not in resolved.parents:
            raise KnowledgeError([f"{file}: points outside {path}; refusing to read it"])
    return list(load_knowledge(path))


def export_patterns(kb: KnowledgeBase, directory: Path) -> list[Path]:
    """Write each pattern to ``directory/<id>.yaml`` (atomically per file); returns the files written."""
    directory.mkdir(parents=True, exist_ok=True)
    root = directory.resolve()
    written: list[Path] = []
    for pattern in kb:
        target = (root / f"{pattern.id}.yaml").resolve()
        if target.parent != root:  # cannot happen with valid ids; checked anyway
            raise KnowledgeError([f"pattern id {pattern.id!r} would write outside {directory}"])
        fd, tmp = tempfile.mkstemp(dir=root, prefix=f".{pattern.id}.", suffix=".tmp")
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(dump_pattern(pattern))
        os.replace(tmp, target)
        written.append(target)
    return written
