"""Datasette plugin: Atom feeds (datasette-atom renders the *_feed canned queries) — the absolute links they
need (:_nb_base), and <link rel="alternate"> to the feeds that fit each page."""

from __future__ import annotations

import urllib.parse
from typing import Any

from datasette import hookimpl

# The feeds every page offers, and the page-specific ones (canned query -> feed query carrying its parameters).
SITE_FEEDS = (
    ("new_reports_feed", "新发布的年报 / New reports"),
    ("edited_reports_feed", "发布后被修改的年报 / Edited reports"),
)
PAGE_FEEDS = {"search": ("search_feed", ("q",), "检索“{q}”的新结果 / New matches")}


def feed_url(datasette: Any, database: str, query: str, **params: str) -> str:
    url = datasette.urls.database(database) + f"/{query}.atom"
    return url + ("?" + urllib.parse.urlencode(params) if params else "")


@hookimpl
def register_magic_parameters(datasette: Any) -> list:
    def nb(key: str, request: Any) -> str:
        if key == "base":  # scheme://host[:port] of this request, for absolute links inside feeds
            return datasette.absolute_url(request, "/").rstrip("/")
        if key == "db":  # the database the feed is read from (archive, demo, a test database)
            return request.url_vars.get("database") or request.path.strip("/").split("/")[0]
        raise KeyError(key)

    return [("nb", nb)]


@hookimpl
def extra_template_vars(database: str, request: Any, datasette: Any) -> dict:
    names = [n for n in datasette.databases if n not in ("_internal", "_memory")]
    db = database or (names[0] if names else None)
    if db is None:
        return {}
    feeds = []
    parts = request.path.strip("/").split("/") if request is not None else []
    if len(parts) == 2 and parts[0] == db and parts[1] in PAGE_FEEDS:
        query, keys, title = PAGE_FEEDS[parts[1]]
        values = {k: request.args.get(k, "").strip() for k in keys}
        if all(values.values()):
            feeds.append((title.format(**values), feed_url(datasette, db, query, **values)))
    searched = request.args.get("_search", "").strip() if request is not None else ""
    if parts == [db, "reports"] and searched:  # the reports table's search box: the same words as a feed
        feeds.append(
            (f"检索“{searched}”的新结果 / New matches", feed_url(datasette, db, "search_feed", q=searched))
        )
    if len(parts) > 3 and parts[:3] == ["-", "agency", db]:  # an agency page: follow that agency
        agency_id = urllib.parse.unquote("/".join(parts[3:]))
        feeds.append(
            ("这个机关的新年报与修改 / This agency", feed_url(datasette, db, "agency_feed", agency=agency_id))
        )
    feeds += [(title, feed_url(datasette, db, query)) for query, title in SITE_FEEDS]
    return {"nb_feeds": feeds}
