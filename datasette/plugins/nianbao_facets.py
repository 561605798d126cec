"""Datasette plugin: the "counted" facet — column facets that stay fast on a million reports.

metadata.yml lists default facets as ``{counted: column}``. An unfiltered table page reads them from the
snapshot's precomputed ``facet_counts`` (crawler/snapshot.py) instead of counting the whole table on every
visit; a page whose only filter is one equality (``?year=2023``) reads ``facet_counts_by`` when the snapshot
counted that filter. A search page counts them over the newest ``SEARCH_FACET_SAMPLE`` matches only (by report id = capture
order), so a word found in every report costs a bounded amount, and says so under the facets. Anything else
(a filter, a facet picked with ``_facet=``) is an ordinary column facet.
"""

from __future__ import annotations

import os
import re

from datasette.facets import ColumnFacet
from datasette.utils import path_with_added_args, path_with_removed_args

from datasette import hookimpl

SEARCH_FACET_SAMPLE = int(os.environ.get("NIANBAO_SEARCH_FACET_SAMPLE", "5000"))
FACET_COUNTS = "facet_counts"
FACET_COUNTS_BY = "facet_counts_by"
WHERE = re.compile(r"\bwhere\b", re.I)
# The whole where clause of a page filtered by one equality (datasette/filters.py's "exact" template).
ONE_EQUALITY = re.compile(r"\bwhere\s+\"(?P<col>\w+)\"\s*=\s*:(?P<param>p0)\s*$", re.I)
# Datasette's ?_search= clause (datasette/filters.py), with the FTS primary key it was configured with.
SEARCH_CLAUSE = re.compile(
    r"(?P<pk>\[?\"?\w+\"?\]?) in \(select rowid from (?P<fts>\[?\w+\]?) where (?P=fts) match "
    r"(?P<match>escape_fts\(:search\)|:search)\)"
)


class CountedFacet(ColumnFacet):
    type = "counted"

    async def facet_results(self) -> tuple[list[dict], list[str]]:
        unfiltered = not WHERE.search(self.sql) and not self.params
        if unfiltered and self.table and await self._has_table(FACET_COUNTS):
            return await self._precomputed(FACET_COUNTS, "", {})
        one = ONE_EQUALITY.search(self.sql)
        if one and set(self.params) == {"p0"} and self.table and await self._has_table(FACET_COUNTS_BY):
            where = " and filter_col = :f and filter_value = :v"
            return await self._precomputed(
                FACET_COUNTS_BY, where, {"f": one["col"], "v": str(self.params["p0"])}
            )
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

    async def _has_table(self, name: str) -> bool:
        return await self.ds.get_database(self.database).table_exists(name)

    async def _precomputed(self, counts: str, where: str, params: dict) -> tuple[list[dict], list[str]]:
        """The default facets from a precomputed counts table; shaped like ColumnFacet's results."""
        results: list[dict] = []
        size = self.get_facet_size()
        qs_pairs = self.get_querystring_pairs()
        for source_and_config in self.get_configs():
            config = source_and_config["config"]
            column = config.get("column") or config["simple"]
            rows = await self.ds.execute(
                self.database,
                f"select value, n as count from {counts} where tbl = :t and col = :c{where} "
                "order by n desc, value limit :limit",
                {"t": self.table, "c": column, "limit": size + 1, **params},
            )
            if not rows.rows:  # a facet or filter value the snapshot did not count: count it now
                return await super().facet_results()
            shown = rows.rows[:size]
            labels = await self.ds.expand_foreign_keys(
                self.database, self.table, column, [row["value"] for row in shown]
            )
            values = []
            for row in shown:
                selected = (column, str(row["value"])) in qs_pairs
                if selected:
                    toggle = path_with_removed_args(self.request, {column: str(row["value"])})
                else:
                    toggle = path_with_added_args(self.request, {column: row["value"]})
                values.append(
                    {"value": row["value"], "label": labels.get((column, row["value"]), row["value"]), "count": row["count"],
                     "toggle_url": self.ds.absolute_url(self.request, self.ds.urls.path(toggle)), "selected": selected}
                )  # fmt: skip
            results.append(
                {"name": column, "type": self.type, "hideable": source_and_config["source"] != "metadata",
                 "toggle_url": self.ds.urls.path(self.request.path), "results": values,
                 "truncated": len(rows.rows) > size}
            )  # fmt: skip
        return results, []


@hookimpl
def register_facet_classes() -> list[type]:
    return [CountedFacet]
