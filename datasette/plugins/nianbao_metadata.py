"""Datasette plugin: apply the "archive" database metadata (descriptions, facets, queries) to any archive db."""

from __future__ import annotations

from typing import Any

from datasette import hookimpl

TEMPLATE_DB = "archive"


@hookimpl
def get_metadata(datasette: Any, key: str, database: str, table: str) -> dict:
    # metadata.yml describes the database "archive" (archive.db); demo.db or a test file serves under another
    # name, so the same entry is offered for every other attached database that is not Datasette's own.
    local = getattr(datasette, "_metadata_local", None) or {}
    template = (local.get("databases") or {}).get(TEMPLATE_DB)
    if not template:
        return {}
    names = [n for n in getattr(datasette, "databases", {}) if n not in (TEMPLATE_DB, "_internal", "_memory")]
    return {"databases": {name: template for name in names}} if names else {}
