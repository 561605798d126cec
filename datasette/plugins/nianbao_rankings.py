"""Datasette plugin: agency league tables (/-/rankings/<db>) and agency pages (/-/agency/<db>/<agency id>), both
read from the precomputed summary tables agency_year_stats / agency_stats (crawler/summary.py)."""

from __future__ import annotations

import sys
import urllib.parse
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from datasette.utils.asgi import NotFound, Response
from markupsafe import Markup

from datasette import hookimpl

_HERE = str(Path(__file__).resolve().parent)  # plugins/ is not a package: make nianbao_web importable
if _HERE not in sys.path:
    sys.path.insert(0, _HERE)
from nianbao_web import rankings as rk  # noqa: E402
from nianbao_web import suggest, svg  # noqa: E402


async def _check_view(datasette: Any, request: Any, database: str) -> Any:
    try:
        db = datasette.get_database(database)
    except KeyError as error:
        raise NotFound(f"没有数据库 {database}") from error
    await datasette.ensure_permissions(
        request.actor,
        [("view-table", (database, "agency_year_stats")), ("view-database", database), "view-instance"],
    )
    return db


def _link(request: Any, **changes: str) -> str:
    args = dict(urllib.parse.parse_qsl(request.query_string, keep_blank_values=True))
    args.update(changes)
    return request.path + "?" + urllib.parse.urlencode({k: v for k, v in args.items() if v != ""})


def _int(value: str, default: int = 0) -> int:
    try:
        return max(int(value), 0)
    except ValueError:
        return default


def agency_url(datasette: Any, database: str, agency_id: str) -> str:
    return datasette.urls.path(f"/-/agency/{database}/{urllib.parse.quote(agency_id, safe='/')}")


async def rankings_view(datasette: Any, request: Any) -> Response:
    """A sortable league table of agencies for a year or across years, filtered by region, level and kind."""
    database = request.url_vars["database"]
    db = await _check_view(datasette, request, database)
    args = request.args
    year = args.get("year", "").strip()
    view = "grounds" if args.get("view") == "grounds" else "main"
    metrics = rk.metrics_for(year, view)
    keys = [m.key for m in metrics]
    default = "refused" if view == "grounds" else "requests_received"
    sort = args.get("sort") if args.get("sort") in keys else default
    descending = args.get("order", "desc") != "asc"
    params = {
        "year": year,
        "region": args.get("region", "").strip(),
        "level": args.get("level", "") if args.get("level") in rk.LEVELS else "",
        "kind": args.get("kind", "") if args.get("kind") in rk.KINDS else "",
        "agency": args.get("agency", "").strip(),
        "min_requests": _int(args.get("min", "0")),
        "offset": _int(args.get("page", "1"), 1) * rk.PAGE_SIZE - rk.PAGE_SIZE,
    }
    rows_sql, count_sql = rk.ranking_sql(year, sort, descending, metrics, params)
    rows = [dict(r) for r in (await db.execute(rows_sql, params)).rows]
    total = (await db.execute(count_sql, params)).first()[0]
    years = [r[0] for r in (await db.execute(rk.YEARS_SQL)).rows]
    for rank, row in enumerate(rows, start=params["offset"] + 1):
        row["rank"] = rank
        row["url"] = agency_url(datasette, database, row["agency_id"])
    headers = [
        {
            "metric": m,
            "url": _link(
                request, sort=m.key, order="asc" if m.key == sort and descending else "desc", page=""
            ),
            "current": "descending" if m.key == sort and descending else "ascending" if m.key == sort else "",
        }
        for m in metrics
    ]
    suggestions = []
    if not total and params["region"] and not await suggest.region_matches(db, params["region"]):
        suggestions = [
            (name, _link(request, region=name))
            for name in await suggest.similar_regions(db, params["region"])
        ]
    page = params["offset"] // rk.PAGE_SIZE + 1
    context = {
        "database": database,
        "args": {k: args.get(k, "") for k in ("year", "region", "level", "kind", "agency", "min", "view")},
        "years": years,
        "year_label": "全部年度合计" if year in rk.ALL_YEARS else f"{year} 年度",
        "span": f"{years[-1]}–{years[0]}" if years else "",
        "view": view,
        "levels": rk.LEVELS,
        "kinds": rk.KINDS,
        "headers": headers,
        "rows": rows,
        "total": total,
        "sort_label": next(m.label for m in metrics if m.key == sort),
        "descending": descending,
        "views": {
            "main": _link(request, view="", sort="", page=""),
            "grounds": _link(request, view="grounds", sort="", page=""),
        },
        "previous_url": _link(request, page=str(page - 1)) if page > 1 else "",
        "next_url": _link(request, page=str(page + 1)) if params["offset"] + len(rows) < total else "",
        "region_suggestions": suggestions,
        "data_url": datasette.urls.table(
            database, "agency_stats" if year in rk.ALL_YEARS else "agency_year_stats"
        ),
    }
    return Response.html(await datasette.render_template("nianbao_rankings.html", context, request=request))


def _charts(name: str, years: list[dict], total: dict | None) -> dict[str, Markup | None]:
    """The agency page's charts; None where there is nothing to draw (the page says 无数据)."""
    reported = [y for y in years if not y["missing"]]
    requests = [(str(y["year"]), y["requests_received"]) for y in years]
    lost = [(str(y["year"]), y["litigation_corrected"]) for y in reported]
    grounds = [
        (rk.ground_label(code), (total or {}).get(code) or 0)
        for code in rk.GROUNDS
        if (total or {}).get(code)
    ]
    return {
        "requests": Markup(svg.column_chart(requests, title=f"{name}：本年新收申请数量（件）"))
        if any(v is not None for _, v in requests)
        else None,
        "grounds": Markup(
            svg.bar_chart(
                sorted(grounds, key=lambda g: -g[1]),
                title=f"{name}：不予公开与无法提供的理由（各年合计，件）",
            )
        )
        if grounds
        else None,
        "lost": Markup(svg.column_chart(lost, title=f"{name}：行政诉讼败诉（被纠正，件）"))
        if any(v for _, v in lost)
        else None,
    }


async def agency_view(datasette: Any, request: Any) -> Response:
    """One agency: its years side by side, its charts, every report with its deadline."""
    database = request.url_vars["database"]
    db = await _check_view(datasette, request, database)
    agency_id = urllib.parse.unquote(request.url_vars.get("agency_id") or "")
    if not agency_id:
        return await pick_agency(datasette, request, database, db)
    params = {"agency": agency_id}
    found = (await db.execute(rk.AGENCY_SQL, params)).rows or (
        await db.execute(rk.AGENCY_FROM_REPORTS_SQL, params)
    ).rows
    if not found:
        raise NotFound(f"没有编号为“{agency_id}”的机关")
    agency = dict(found[0])
    years = [dict(r) for r in (await db.execute(rk.AGENCY_YEARS_SQL, params)).rows]
    total_rows = (await db.execute(rk.AGENCY_TOTAL_SQL, params)).rows
    total = dict(total_rows[0]) if total_rows else None
    reports = [dict(r) for r in (await db.execute(rk.AGENCY_REPORTS_SQL, params)).rows]
    for report in reports:
        report["url"] = datasette.urls.row(database, "reports", str(report["id"]))
    for year in years:
        year["report_url"] = (
            datasette.urls.row(database, "reports", str(year["report_id"])) if year["report_id"] else ""
        )
    context = {
        "database": database,
        "agency": agency,
        "kind": next((y["publisher_kind"] for y in years if y.get("publisher_kind")), ""),
        "years": years,
        "total": total,
        "rows": rk.AGENCY_ROWS,
        "reports": reports,
        "charts": _charts(agency["agency"], years, total),
        "rankings_url": datasette.urls.path(f"/-/rankings/{database}"),
        "feed_url": datasette.urls.database(database)
        + "/agency_feed.atom?"
        + urllib.parse.urlencode({"agency": agency_id}),
    }
    return Response.html(await datasette.render_template("nianbao_agency.html", context, request=request))


async def pick_agency(datasette: Any, request: Any, database: str, db: Any) -> Response:
    """/-/agency/<db>?name=…: the one agency whose name contains it, or a list to choose from."""
    name = request.args.get("name", "").strip()
    matches = [dict(r) for r in (await db.execute(rk.FIND_AGENCIES_SQL, {"name": name})).rows] if name else []
    if len(matches) == 1:
        return Response.redirect(agency_url(datasette, database, matches[0]["id"]))
    for match in matches:
        match["url"] = agency_url(datasette, database, match["id"])
    similar = []
    if name and not matches:
        similar = [
            {
                "name": n,
                "url": datasette.urls.path(f"/-/agency/{database}")
                + "?"
                + urllib.parse.urlencode({"name": n}),
            }
            for n in await suggest.similar_agencies(db, name)
        ]
    context = {"database": database, "name": name, "matches": matches, "similar": similar}
    return Response.html(
        await datasette.render_template("nianbao_agency_pick.html", context, request=request)
    )


@hookimpl
def register_routes() -> list[tuple[str, Callable[..., Awaitable[Response]]]]:
    return [
        (r"^/-/rankings/(?P<database>[^/]+)$", rankings_view),
        (r"^/-/agency/(?P<database>[^/]+)$", agency_view),
        (r"^/-/agency/(?P<database>[^/]+)/(?P<agency_id>.+)$", agency_view),
    ]


@hookimpl
def extra_css_urls(datasette: Any) -> list[str]:
    return [datasette.urls.path("/assets/nianbao-rank.css")]


@hookimpl
def menu_links(datasette: Any) -> list[dict]:
    names = [name for name in datasette.databases if name not in ("_internal", "_memory")]
    links = []
    for name in names[:1]:
        links += [
            {"href": datasette.urls.path(f"/-/rankings/{name}"), "label": "机关排名 / Agency rankings"},
            {"href": datasette.urls.path(f"/-/agency/{name}"), "label": "查找机关 / Find an agency"},
        ]
    return links
