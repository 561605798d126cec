"""`nianbao backup`: a consistent copy of archive.db taken while crawls may be writing to it."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

from crawler.store.files import require_archive, sqlite_uri


def backup_database(db_path: str | Path, dest: str | Path) -> str:
    """Copy the archive with `VACUUM INTO` (one read transaction: a consistent snapshot); return a summary.

    The copy is written under a temporary name beside the destination, checked, and only then linked to the
    destination name: a failed or interrupted backup leaves no file that looks like a backup."""
    source, target = require_archive(db_path), Path(dest)
    if target.exists():
        raise FileExistsError(f"{target} exists; refusing to overwrite a backup")
    partial = target.with_name(f".{target.name}.partial-{os.getpid()}")
    partial.unlink(missing_ok=True)
    try:
        conn = sqlite3.connect(sqlite_uri(source, mode="ro"), uri=True, timeout=60)
        try:
            conn.execute("VACUUM INTO ?", [str(partial.resolve())])
        finally:
            conn.close()
        check = sqlite3.connect(sqlite_uri(partial, mode="ro"), uri=True)
        try:
            ok = check.execute("PRAGMA integrity_check").fetchone()[0]
            reports = check.execute("select count(*) from sqlite_master where name = 'reports'").fetchone()[0]
            count = check.execute("select count(*) from reports").fetchone()[0] if reports else 0
            captures = check.execute("select count(*) from captures").fetchone()[0]
        finally:
            check.close()
        if ok != "ok":
            raise sqlite3.DatabaseError(f"the copy of {source} failed its integrity check: {ok}")
        os.link(partial, target)  # fails if the destination appeared meanwhile: never overwrites
    finally:
        partial.unlink(missing_ok=True)
    return f"backup: {target} ({target.stat().st_size} bytes, {captures} captures, {count} reports, {ok})"
