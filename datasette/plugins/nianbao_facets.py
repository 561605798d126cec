"""Datasette plugin: the "counted" facet — column facets that stay fast on a million reports.

metadata.yml lists default facets as ``{counted: column}``. An unfiltered table page reads them from the
snapshot's precomputed ``facet_counts`` (crawler/snapshot.py) instead of counting the whole table on every
visit. A search page counts them over the newest ``SEARCH_FACET_SAMPLE`` matches only (by report id = capture
order), so a word found in every report costs a bounded amount, and says so under the facets. Anything else
(a filter, a facet picked with ``_facet=``) is an ordinary column facet.
"""

from __future__ import annotations

import os
import re
from typing import Any

from datasette.facets import ColumnFacet

from datasette import hookimpl

SEARCH_FACET_SAMPLE = int(os.environ.get("NIANBAO_SEARCH_FACET_SAMPLE", "5000"))
FACET_COUNTS = "facet_counts"
WHERE = re.compile(r"\bwhere\b", re.I)
# Datasette's ?_search= clause (datasette/filters.py), with the FTS primary key it was configured with.
SEARCH_CLAUSE = re.compile(
    r"(?P<pk>\[?\"?\w+\"?\]?) in \(select rowid from (?P<fts>\[?\w+\]?) where (?P=fts) match "
    r"(?P<match>escape_fts\(:search\)|:search)\)"
)


class CountedFacet(ColumnFacet):
    type = "counted"

    async def facet_results(self) -> tuple[list[dict], list[str]]:
        unfiltered = not WHERE.search(self.sql) and not self.params
        if unfiltered and self.table and await self._has_counts():
            return await self._precomputed()
        found = SEARCH_CLAUSE.search(self.sql) if "search" in self.params else None
        if found:
            bounded = (
                f"rowid in (select rowid from {found['fts']} where {found['fts']} match {found['match']} "
                f"order by rowid desc limit {SEARCH_FACET_SAMPLE})"
            )
            original, self.sql = self.sql, self.sql[: found.start()] + bounded + self.sql[found.end() :]
            try:
                results, timed_out = await super().facet_results()
            finally:
                self.sql = original
            for result in results:
                result["nianbao_sample"] = SEARCH_FACET_SAMPLE
            return results, timed_out
        return await super().facet_results()

    async def _has_counts(self) -> bool:
        db = self.ds.get_database(self.database)
        return await db.table_exists(FACET_COUNTS)

    async def _precomputed(self) -> tuple[list[dict], list[str]]:
        """The default facets of an unfiltered page, from facet_counts; shaped like ColumnFacet's results."""
        results: list[dict] = []
        size = self.get_facet_size()
        for source_and_config in self.get_configs():
            config = source_and_config["config"]
            column = config.get("column") or config["simple"]
            rows = await self.ds.execute(
                self.database,
                f"select value, n as count from {FACET_COUNTS} where tbl = :t and col = :c "
                "order by n desc, value limit :limit",
                {"t": self.table, "c": column, "limit": size + 1},
            )
            if not rows.rows:  # a facet the snapshot did not count: count it now
                return await super().facet_results()
            shown = rows.rows[:size]
            labels = await self.ds.expand_foreign_keys(
                self.database, self.table, column, [row["value"] for row in shown]
            )
            values = []
            for row in shown:
                path = self.ds.urls.path(_with_arg(self.request, column, row["value"]))
                values.append(
                    {"value": row["value"], "label": labels.get((column, row["value"]), row["value"]), "count": row["count"],
                     "toggle_url": self.ds.absolute_url(self.request, path), "selected": False}
                )  # fmt: skip
            results.append(
                {"name": column, "type": self.type, "hideable": source_and_config["source"] != "metadata",
                 "toggle_url": self.ds.urls.path(self.request.path), "results": values,
                 "truncated": len(rows.rows) > size}
            )  # fmt: skip
        return results, []


def _with_arg(request: Any, column: str, value: Any) -> str:
    from datasette.utils import path_with_added_args

    return path_with_added_args(request, {column: value})


@hookimpl
def register_facet_classes() -> list[type]:
    return [CountedFacet]
