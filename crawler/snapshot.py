"""`nianbao snapshot`: a read-only copy of archive.db for Datasette, made while crawls and normalize may write.

Datasette serves the snapshot immutable (`datasette -i`: no locks, no change checks, table counts from the
inspect file), so the nightly's writes never slow or block a reader, and a reader never sees a half-written
night. Each snapshot is a directory ``<dir>/<UTC time>/`` holding ``archive.db`` (VACUUM INTO: one consistent
read transaction), its precomputed facet counts (table ``facet_counts``: what every visitor's unfiltered table
page asks for; ``facet_counts_by``: the same per value of the filters in ``FACET_FILTERS``, for a page filtered
by one of them, e.g. ``?year=2023``) and ``inspect.json`` (`datasette inspect`). The symlink ``<dir>/current`` is switched to it in one
rename, so a server (re)started at any moment opens a complete snapshot; older snapshots beyond ``keep`` are
deleted (a running server keeps its open files until it is restarted on the new one).
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import yaml

from crawler.serve import METADATA

CURRENT = "current"
DB_NAME = "archive.db"  # Datasette names the database after the file: "archive", as metadata.yml expects
INSPECT_NAME = "inspect.json"
FACET_COUNTS = "facet_counts"
FACET_COUNTS_BY = "facet_counts_by"
# table -> the single-value filters journalists use most, whose filtered pages get precomputed facet counts.
FACET_FILTERS = {"reports": ("year", "province", "city", "parse_status")}


def default_facets() -> dict[str, list[str]]:
    """table -> the facet columns every visitor of its page gets (datasette/metadata.yml, "archive")."""
    loaded = yaml.safe_load(METADATA.read_text("utf-8")) or {}
    tables = ((loaded.get("databases") or {}).get("archive") or {}).get("tables") or {}
    out: dict[str, list[str]] = {}
    for table, meta in tables.items():
        columns = []
        for facet in (meta or {}).get("facets") or []:
            spec = facet if isinstance(facet, str) else next(iter(facet.values()))
            columns.append(spec if isinstance(spec, str) else spec.get("column") or spec.get("simple"))
        if columns:
            out[table] = columns
    return out


def write_facet_counts(conn: sqlite3.Connection) -> int:
    """Count every default facet of every table once (value -> rows), into ``facet_counts``."""
    conn.execute(f"drop table if exists {FACET_COUNTS}")
    conn.execute(
        f"create table {FACET_COUNTS} (tbl text, col text, value, n integer, primary key (tbl, col, value))"
    )
    tables = {name for (name,) in conn.execute("select name from sqlite_master where type = 'table'")}
    rows = 0
    for table, columns in default_facets().items():
        if table not in tables:
            continue
        for column in columns:
            cursor = conn.execute(
                f"insert into {FACET_COUNTS} select ?, ?, [{column}], count(*) from [{table}] "
                f"where [{column}] is not null group by [{column}]",
                [table, column],
            )
            rows += cursor.rowcount
    rows += _write_filtered_counts(conn, tables)
    # A page shows the largest counts first: read them in that order (a year's agency facet has ~100k values).
    conn.execute(f"create index {FACET_COUNTS}_largest on {FACET_COUNTS} (tbl, col, n desc, value)")
    conn.execute(
        f"create index {FACET_COUNTS_BY}_largest on {FACET_COUNTS_BY} "
        "(tbl, filter_col, filter_value, col, n desc, value)"
    )
    conn.commit()
    return rows


def _write_filtered_counts(conn: sqlite3.Connection, tables: set[str]) -> int:
    """Per filter value (stored as text, as a query string gives it): value -> rows of every default facet."""
    conn.execute(f"drop table if exists {FACET_COUNTS_BY}")
    conn.execute(
        f"create table {FACET_COUNTS_BY} (tbl text, filter_col text, filter_value text, col text, value, "
        "n integer, primary key (tbl, filter_col, filter_value, col, value))"
    )
    facets = default_facets()
    rows = 0
    for table, filters in FACET_FILTERS.items():
        if table not in tables:
            continue
        for column in filters:
            for facet in facets.get(table, []):
                cursor = conn.execute(
                    f"insert into {FACET_COUNTS_BY} select ?, ?, cast([{column}] as text), ?, [{facet}], count(*) "
                    f"from [{table}] where [{column}] is not null and [{facet}] is not null group by 3, 5",
                    [table, column, facet],
                )
                rows += cursor.rowcount
    return rows


def write_inspect(db: Path, out: Path) -> None:
    """`datasette inspect`: the file's hash and every table's row count, which `datasette -i` serves from."""
    subprocess.run(
        [sys.executable, "-m", "datasette", "inspect", str(db), "--inspect-file", str(out)],
        check=True, capture_output=True, timeout=6 * 3600,
    )  # fmt: skip


def make_snapshot(db_path: str | Path, snapshot_dir: str | Path, *, keep: int = 2) -> str:
    """Copy the archive into a new snapshot directory, precompute, inspect, switch ``current``; return a line."""
    source, root = Path(db_path), Path(snapshot_dir)
    if not source.exists():
        raise FileNotFoundError(f"no archive at {source}")
    started = time.monotonic()
    root.mkdir(parents=True, exist_ok=True)
    target = root / datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
    building = target.with_name(target.name + ".partial")
    shutil.rmtree(building, ignore_errors=True)
    building.mkdir()
    db = building / DB_NAME
    reader = sqlite3.connect(f"file:{source}?mode=ro", uri=True, timeout=60)
    try:
        reader.execute("VACUUM INTO ?", [str(db)])
    finally:
        reader.close()
    conn = sqlite3.connect(db)
    try:
        conn.execute("PRAGMA journal_mode=DELETE")  # an immutable file must not need a WAL
        # No ANALYZE/optimize: the archive's statistics are kept as they are
        counts = write_facet_counts(conn)
        # (crawler.search.analyze keeps none for `reports`, on purpose: with them SQLite skip-scans facets).
    finally:
        conn.close()
    building.rename(target)
    db = target / DB_NAME
    write_inspect(db, target / INSPECT_NAME)
    link = root / f".{CURRENT}.new"
    link.unlink(missing_ok=True)
    link.symlink_to(target.name)
    os.replace(link, root / CURRENT)  # atomic: a server starting now gets the old snapshot or the new one
    for old in sorted(p for p in root.iterdir() if p.is_dir() and not p.is_symlink())[:-keep]:
        shutil.rmtree(old, ignore_errors=True)
    return (
        f"snapshot: {root / CURRENT} -> {target.name} ({db.stat().st_size / 1e6:.0f} MB, {counts} facet counts, "
        f"{time.monotonic() - started:.0f}s)"
    )


def current_snapshot(snapshot_dir: str | Path) -> tuple[Path, Path]:
    """(archive.db, inspect.json) of the snapshot ``current`` points at, resolved (a server keeps using it)."""
    current = (Path(snapshot_dir) / CURRENT).resolve()
    db = current / DB_NAME
    if not db.exists():
        raise FileNotFoundError(
            f"no snapshot at {Path(snapshot_dir) / CURRENT}: run `nianbao snapshot` first"
        )
    return db, current / INSPECT_NAME
