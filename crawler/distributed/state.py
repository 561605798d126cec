"""Incremental crawl state in Redis: the writer publishes each site's SiteState; crawlers read it.

Distributed crawlers have no archive.db. What a local crawl reads from it when a site starts (known documents
with their ETag / Last-Modified / next revalidation date, discovered report columns, previous runs) is
published by the single writer under ``nianbao:state:<site id>`` — at writer start, when a run finishes, and
whenever the op queue drains. A crawler that finds no state crawls the site from scratch (still correct,
only slower: captures deduplicate on url + sha256).
"""

from __future__ import annotations

import json
from dataclasses import asdict, fields
from typing import Any

from crawler.crawl.sink import KnownDocument, SiteState
from crawler.distributed.keys import PREFIX


def state_key(site_id: str) -> str:
    return f"{PREFIX}:state:{site_id}"


def state_to_json(state: SiteState) -> str:
    return json.dumps(asdict(state), ensure_ascii=False)


def state_from_json(text: str | bytes) -> SiteState:
    """Rebuild a SiteState (every field it has, so new fields travel without changes here)."""
    data: dict[str, Any] = json.loads(text)
    known_doc = {f.name for f in fields(KnownDocument)}
    data["documents"] = {
        url: KnownDocument(**{k: v for k, v in doc.items() if k in known_doc})
        for url, doc in (data.get("documents") or {}).items()
    }
    known = {f.name for f in fields(SiteState)}
    return SiteState(**{k: v for k, v in data.items() if k in known})


def publish_state(server: Any, site_id: str, state: SiteState) -> None:
    server.set(state_key(site_id), state_to_json(state))


def fetch_state(server: Any, site_id: str) -> SiteState:
    raw = server.get(state_key(site_id))
    return state_from_json(raw) if raw else SiteState()
