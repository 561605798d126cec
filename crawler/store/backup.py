"""`nianbao backup`: a consistent copy of archive.db taken while crawls may be writing to it."""

from __future__ import annotations

import sqlite3
from pathlib import Path


def backup_database(db_path: str | Path, dest: str | Path) -> str:
    """Copy the archive with `VACUUM INTO` (one read transaction: a consistent snapshot); return a summary."""
    source, target = Path(db_path), Path(dest)
    if not source.exists():
        raise FileNotFoundError(f"no archive at {source}")
    if target.exists():
        raise FileExistsError(f"{target} exists; refusing to overwrite a backup")
    conn = sqlite3.connect(f"file:{source}?mode=ro", uri=True, timeout=60)
    try:
        conn.execute("VACUUM INTO ?", [str(target)])
    finally:
        conn.close()
    check = sqlite3.connect(target)
    try:
        ok = check.execute("PRAGMA integrity_check").fetchone()[0]
        reports = check.execute("select count(*) from sqlite_master where name = 'reports'").fetchone()[0]
        count = check.execute("select count(*) from reports").fetchone()[0] if reports else 0
        captures = check.execute("select count(*) from captures").fetchone()[0]
    finally:
        check.close()
    return f"backup: {target} ({target.stat().st_size} bytes, {captures} captures, {count} reports, {ok})"
