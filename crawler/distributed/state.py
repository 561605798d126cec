"""Incremental crawl state in Redis: the writer publishes each site's SiteState; crawlers read it.

Distributed crawlers have no archive.db. What a local crawl reads from it when a site starts (known documents
with their ETag / Last-Modified / next revalidation date, discovered report columns, previous runs, pages to
resume from) is published by the single writer under ``nianbao:state:<site id>`` — at writer start, when a
run finishes, and whenever the op queue drains. A crawler that finds no state crawls the site from scratch
(still correct, only slower: captures deduplicate on url + sha256).

The JSON codec follows SiteState's type hints (nested dataclasses, dicts, lists; bytes as base64), so fields
the crawler adds to SiteState travel without changes here.
"""

from __future__ import annotations

import base64
import json
import types
import typing
from dataclasses import asdict, fields, is_dataclass
from typing import Any

from crawler.crawl.sink import SiteState
from crawler.distributed.keys import PREFIX

_B64 = "$b64"


def state_key(site_id: str) -> str:
    return f"{PREFIX}:state:{site_id}"


def _default(obj: Any) -> Any:
    if isinstance(obj, bytes | bytearray | memoryview):
        return {_B64: base64.b64encode(bytes(obj)).decode("ascii")}
    raise TypeError(f"{type(obj).__name__} is not JSON serializable")


def _hook(obj: dict[str, Any]) -> Any:
    if len(obj) == 1 and _B64 in obj:
        return base64.b64decode(obj[_B64])
    return obj


def _build(hint: Any, value: Any) -> Any:
    """Turn decoded JSON back into the type `hint` describes (dataclasses, dict/list of them)."""
    if isinstance(hint, type) and is_dataclass(hint) and isinstance(value, dict):
        hints = typing.get_type_hints(hint)
        names = {f.name for f in fields(hint)}
        return hint(**{k: _build(hints[k], v) for k, v in value.items() if k in names})
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if origin is dict and len(args) == 2 and isinstance(value, dict):
        return {k: _build(args[1], v) for k, v in value.items()}
    if origin is list and args and isinstance(value, list):
        return [_build(args[0], v) for v in value]
    if origin in (typing.Union, types.UnionType) and isinstance(value, dict):
        for arg in args:
            if isinstance(arg, type) and is_dataclass(arg):
                return _build(arg, value)
    return value


def state_to_json(state: SiteState) -> str:
    return json.dumps(asdict(state), ensure_ascii=False, default=_default)


def state_from_json(text: str | bytes) -> SiteState:
    """Rebuild a SiteState with every field it has."""
    return _build(SiteState, json.loads(text, object_hook=_hook))


def publish_state(server: Any, site_id: str, state: SiteState) -> None:
    server.set(state_key(site_id), state_to_json(state))


def fetch_state(server: Any, site_id: str) -> SiteState:
    raw = server.get(state_key(site_id))
    return state_from_json(raw) if raw else SiteState()
