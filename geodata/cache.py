"""Where geodata keeps its on-disk caches (GraphML graphs, gazetteer table, geocoding results).

The folder is ``$RACINES_CACHE_DIR`` when set, else ``$XDG_CACHE_HOME/racines`` or
``~/.cache/racines``. Every function that caches takes a ``cache_dir`` argument that overrides it.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

__all__ = ["default_cache_dir", "file_sha256", "resolve_cache_dir"]


def default_cache_dir() -> Path:
    """The default cache folder (not created)."""
    env = os.environ.get("RACINES_CACHE_DIR")
    if env:
        return Path(env)
    xdg = os.environ.get("XDG_CACHE_HOME")
    base = Path(xdg) if xdg else Path.home() / ".cache"
    return base / "racines"


def resolve_cache_dir(cache_dir: str | Path | None, sub: str) -> Path:
    """``cache_dir`` (or the default) joined with ``sub``, created if needed."""
    root = Path(cache_dir) if cache_dir is not None else default_cache_dir()
    path = root / sub
    path.mkdir(parents=True, exist_ok=True)
    return path


def file_sha256(path: str | Path, chunk_bytes: int = 1 << 20) -> str:
    """Hex SHA-256 of a file's content."""
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        while chunk := fh.read(chunk_bytes):
            h.update(chunk)
    return h.hexdigest()
