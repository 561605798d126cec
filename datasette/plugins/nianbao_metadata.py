"""Datasette plugin: apply the "archive" metadata to any archive db, and point its search box at capture_id."""

from __future__ import annotations

from functools import cache
from typing import Any

import yaml

from crawler.serve import METADATA
from datasette import hookimpl

TEMPLATE_DB = "archive"
SKIP = ("_internal", "_memory")
# Databases whose reports satisfy id = capture_id (schema: "id = the source capture id"); only those get
# fts_pk = capture_id, which lets the search box and its facets use covering indexes (crawler/search.py).
_capture_pk: dict[str, bool] = {}

CHECK_SQL = """
select exists(select 1 from sqlite_master where name = 'reports_fts')
   and not exists(select 1 from reports where capture_id is not id)
"""


@hookimpl
def startup(datasette: Any) -> Any:
    async def inner() -> None:
        for name, db in datasette.databases.items():
            if name in SKIP or not await db.table_exists("reports"):
                continue
            try:
                _capture_pk[name] = bool((await db.execute(CHECK_SQL)).first()[0])
            except Exception:  # an odd database just keeps the default (rowid) search
                _capture_pk[name] = False

    return inner


@cache
def archive_metadata() -> dict:
    """The "archive" entry of datasette/metadata.yml (the file `nianbao serve` passes as --metadata); read from
    the file because datasette.metadata() would call this hook again."""
    loaded = yaml.safe_load(METADATA.read_text("utf-8")) or {}
    return (loaded.get("databases") or {}).get(TEMPLATE_DB) or {}


@hookimpl
def get_metadata(datasette: Any, key: str, database: str, table: str) -> dict:
    # metadata.yml describes the database "archive" (archive.db); demo.db or a test file serves under another
    # name, so the same entry is offered for every other attached database that is not Datasette's own.
    template = archive_metadata()
    out: dict[str, dict] = {}
    for name in datasette.databases:
        if name in SKIP:
            continue
        entry: dict = dict(template) if name != TEMPLATE_DB else {}
        if _capture_pk.get(name):
            tables = dict(entry.get("tables") or {})
            reports = dict(tables.get("reports") or (template.get("tables") or {}).get("reports") or {})
            reports.update({"fts_table": "reports_fts", "fts_pk": "capture_id"})
            tables["reports"] = reports
            entry["tables"] = tables
        if entry:
            out[name] = entry
    return {"databases": out} if out else {}
