"""Incremental crawl state in Redis: the writer publishes each site's SiteState; crawlers read it.

Distributed crawlers have no archive.db. What a local crawl reads from it when a site starts (known documents
with their ETag / Last-Modified / next revalidation date, discovered report columns, previous runs) is
published by the single writer under ``nianbao:state:<site id>`` — at writer start, when a run finishes, and
whenever the op queue drains. A crawler that finds no state crawls the site from scratch (still correct,
only slower: captures deduplicate on url + sha256).
"""

from __future__ import annotations

import json
from dataclasses import asdict
from typing import Any

from crawler.crawl.sink import KnownDocument, SiteState
from crawler.distributed.keys import PREFIX


def state_key(site_id: str) -> str:
    return f"{PREFIX}:state:{site_id}"


def state_to_json(state: SiteState) -> str:
    return json.dumps(asdict(state), ensure_ascii=False)


def state_from_json(text: str | bytes) -> SiteState:
    data: dict[str, Any] = json.loads(text)
    documents = {url: KnownDocument(**doc) for url, doc in (data.get("documents") or {}).items()}
    return SiteState(
        documents=documents,
        columns=data.get("columns") or {},
        agency_names=data.get("agency_names") or {},
        previous_runs=data.get("previous_runs") or [],
    )


def publish_state(server: Any, site_id: str, state: SiteState) -> None:
    server.set(state_key(site_id), state_to_json(state))


def fetch_state(server: Any, site_id: str) -> SiteState:
    raw = server.get(state_key(site_id))
    return state_from_json(raw) if raw else SiteState()
