"""Datasette plugin: canned-query pages say which years they cover, suggest regions, agencies and search terms
when nothing matches, highlight search matches; a print stylesheet for clean printed tables."""

from __future__ import annotations

import contextvars
import re
import sys
import urllib.parse
from pathlib import Path
from typing import Any

from markupsafe import Markup, escape

from datasette import hookimpl

_HERE = str(Path(__file__).resolve().parent)  # plugins/ is not a package: make nianbao_web importable
if _HERE not in sys.path:
    sys.path.insert(0, _HERE)
from nianbao_web import labels, suggest  # noqa: E402

ALL_YEARS = ("", "all", "全部")
# The search terms of the page being rendered, for highlighting excerpts (render_cell has no request).
_search_terms: contextvars.ContextVar[tuple[str, ...]] = contextvars.ContextVar("nb_search_terms", default=())


def _link(request: Any, **changes: str) -> str:
    """This page's URL with some query parameters replaced."""
    args = dict(urllib.parse.parse_qsl(request.query_string, keep_blank_values=True))
    args.update(changes)
    return request.path + "?" + urllib.parse.urlencode(args)


async def _years(db: Any) -> list[int]:
    rows = await db.execute("select distinct year from reports where year is not null order by year desc")
    return [r[0] for r in rows.rows]


async def answer_context(datasette: Any, database: str, query_name: str, request: Any) -> dict:
    """What a canned-query page states above its results: the years in effect, and help when nothing matched."""
    db = datasette.get_database(database)
    queries = await datasette.get_canned_queries(database, request.actor)
    sql = (queries.get(query_name) or {}).get("sql") or ""
    out: dict[str, Any] = {"query": query_name}
    # What was asked, printed above the table (the form itself is not printed).
    out["conditions"] = [
        (labels.LABELS.get(name, name), value)
        for name, value in urllib.parse.parse_qsl(request.query_string)
        if f":{name}" in sql and name != "year" and value.strip()
    ]
    if ":year" in sql:
        year = request.args.get("year", "").strip()
        years = await _years(db)
        span = f"{years[-1]}–{years[0]}" if years else "无"
        out["years_in_effect"] = (
            f"全部年度（{span}）/ every year ({span})" if year in ALL_YEARS else f"{year} 年度 / {year} only"
        )
        out["year_links"] = [("全部年度 / all years", _link(request, year="all"), year in ALL_YEARS)] + [
            (str(y), _link(request, year=str(y)), year == str(y)) for y in years
        ]
    region = request.args.get("region", "").strip()
    if ":region" in sql and region and not await suggest.region_matches(db, region):
        out["region_missing"] = region
        out["region_suggestions"] = [
            (name, _link(request, region=name)) for name in await suggest.similar_regions(db, region)
        ]
    agency = request.args.get("agency", "").strip()
    if ":agency" in sql and agency and not await suggest.agency_matches(db, agency):
        out["agency_missing"] = agency
        out["agency_suggestions"] = [
            (name, _link(request, agency=name)) for name in await suggest.similar_agencies(db, agency)
        ]
    q = request.args.get("q", "").strip()
    if query_name == "search" and q:
        help_ = await suggest.search_help(db, q)
        if help_ is not None:
            out["search_help"] = {
                **help_,
                "terms": [(term, count, _link(request, q=term)) for term, count in help_["terms"]],
                "nearby": [(term, count, _link(request, q=term)) for term, count in help_["nearby"]],
            }
    return out


@hookimpl
def extra_template_vars(template: str, database: str, view_name: str, request: Any, datasette: Any) -> Any:
    if request is None or not database or not template.startswith("query"):
        return {}
    parts = request.path.strip("/").split("/")
    if len(parts) != 2:
        return {}

    async def inner() -> dict:
        queries = await datasette.get_canned_queries(database, request.actor)
        if parts[1] not in queries:
            return {}
        return {"nb_answer": await answer_context(datasette, database, parts[1], request)}

    return inner


def highlight(text: str, terms: tuple[str, ...]) -> Markup:
    """``text`` escaped, with every occurrence of a search term wrapped in <mark>."""
    words = sorted({t for t in terms if t}, key=len, reverse=True)
    if not words:
        return Markup(escape(text))
    pattern = re.compile("|".join(re.escape(w) for w in words))
    out, last = [], 0
    for match in pattern.finditer(text):
        out.append(str(escape(text[last : match.start()])))
        out.append(f"<mark>{escape(match.group(0))}</mark>")
        last = match.end()
    out.append(str(escape(text[last:])))
    return Markup("".join(out))


@hookimpl
def render_cell(value: Any, column: str, table: str | None) -> Any:
    if table is None and column == "excerpt" and isinstance(value, str):
        terms = _search_terms.get()
        if terms:
            return highlight(value, terms)
    return None


@hookimpl
def asgi_wrapper() -> Any:
    def wrap(app: Any) -> Any:
        async def remember_terms(scope: dict, receive: Any, send: Any) -> None:
            if scope.get("type") == "http" and scope.get("path", "").endswith("/search"):
                args = urllib.parse.parse_qs(scope.get("query_string", b"").decode("utf-8", "replace"))
                terms = tuple((args.get("q") or [""])[0].replace('"', " ").split())
                token = _search_terms.set(terms)
                try:
                    return await app(scope, receive, send)
                finally:
                    _search_terms.reset(token)
            return await app(scope, receive, send)

        return remember_terms

    return wrap


@hookimpl
def extra_css_urls(datasette: Any) -> list[str]:
    return [datasette.urls.path("/assets/nianbao-print.css")]
