"""Archive paths before SQLite sees them: refuse a missing or non-SQLite file, and quote paths in SQLite URIs."""

from __future__ import annotations

from pathlib import Path

SQLITE_HEADER = b"SQLite format 3\x00"


def require_archive(path: str | Path) -> Path:
    """The path of an existing SQLite archive; ValueError naming what is wrong otherwise.

    (sqlite3.connect would create a missing file, and a commands like `normalize --db typo.db` would then
    report success on an empty archive.)"""
    path = Path(path)
    if not path.exists():
        raise ValueError(f"no archive at {path} (run `nianbao crawl` first, or check --db)")
    if not path.is_file():
        raise ValueError(f"{path} is not a regular file")
    with path.open("rb") as handle:
        header = handle.read(len(SQLITE_HEADER))
    if header != SQLITE_HEADER:
        raise ValueError(f"{path} is not an SQLite archive")
    return path


def sqlite_uri(path: str | Path, **params: str) -> str:
    """A `file:` URI for SQLite with the path percent-encoded, so '#', '?' and '%' in names stay in the name."""
    uri = Path(path).resolve().as_uri()
    return uri + ("?" + "&".join(f"{k}={v}" for k, v in params.items()) if params else "")
