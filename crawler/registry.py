"""The sites registry (sites.yml): district sites to crawl, their regions, agencies and report columns."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from pydantic import ValidationError

from crawler.registry_schema import Budget, Politeness, RegistryFile, SiteEntry
from crawler.registry_yaml import YamlRefused, load_yaml

__all__ = ["Agency", "Budget", "Politeness", "RegistryError", "Site", "load_registry"]


class RegistryError(ValueError):
    """The registry file is malformed; the message names the file, line, entry and field in one line."""


@dataclass(frozen=True)
class Agency:
    name: str
    slug: str
    column: str | None = None  # the 政府信息公开年报 column; discovered from the directory when absent
    cms: str | None = None  # overrides the site's CMS kind


@dataclass(frozen=True)
class Site:
    id: str
    name: str
    province: str
    city: str
    district: str
    region_code: str
    portal: str
    cms: str
    directory: str | None = None  # unit directory (e.g. …/xxgk/bmxxgkml/) used for discovery
    verified: bool = False
    allowed_hosts: tuple[str, ...] = ()
    politeness: Politeness = field(default_factory=Politeness)
    budget: Budget = field(default_factory=Budget)
    agencies: tuple[Agency, ...] = ()
    raw: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)

    @property
    def hosts(self) -> set[str]:
        """Hosts the crawler may fetch from for this site."""
        urls = [self.portal, self.directory, *(a.column for a in self.agencies)]
        hosts = {urlsplit(u).netloc.lower() for u in urls if u}
        return hosts | {h.lower() for h in self.allowed_hosts}

    def agency_id(self, agency: Agency) -> str:
        return f"{self.id}/{agency.slug}"


def _slug(name: str) -> str:
    return re.sub(r"\W+", "-", name).strip("-")


def _site(entry: SiteEntry, raw: dict[str, Any]) -> Site:
    agencies = tuple(
        Agency(name=a.name, slug=a.slug or _slug(a.name), column=a.column, cms=a.cms) for a in entry.agencies
    )
    return Site(
        id=entry.id,
        name=entry.name,
        province=entry.region.province,
        city=entry.region.city,
        district=entry.region.district,
        region_code=entry.region.code,
        portal=entry.portal,
        cms=entry.cms,
        directory=entry.directory,
        verified=entry.verified,
        allowed_hosts=tuple(entry.allowed_hosts),
        politeness=entry.politeness,
        budget=entry.budget,
        agencies=agencies,
        raw=raw,
    )


def _where(data: Any, loc: tuple[int | str, ...]) -> str:
    """'site 'x' politeness.delay' for a validation error location such as ('sites', 3, 'politeness', 'delay')."""
    if len(loc) < 2 or loc[0] != "sites" or not isinstance(loc[1], int):
        return ".".join(map(str, loc)) or "(top level)"
    entry = data["sites"][loc[1]]
    site_id = entry.get("id") if isinstance(entry, dict) else None
    head = f"site '{site_id}'" if isinstance(site_id, str) else f"sites[{loc[1]}]"
    rest = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in loc[2:]).lstrip(".")
    return f"{head} {rest}".strip()


def _message(error: dict[str, Any]) -> str:
    value = error.get("input")
    if error["type"] == "extra_forbidden":
        return "unknown field (misspelt? see the schema in README.md)"
    shown = (
        repr(value) if isinstance(value, (str, int, float, bool)) or value is None else type(value).__name__
    )
    return f"{error['msg'].removeprefix('Value error, ')} (got {shown})"


def load_registry(path: str | Path) -> list[Site]:
    """Read and validate a registry file; raise RegistryError naming the entry and field at fault."""
    try:
        data, lines = load_yaml(Path(path))
    except YamlRefused as exc:
        raise RegistryError(f"{path}{f':{exc.line}' if exc.line else ''}: {exc}") from None
    if not isinstance(data, dict):
        raise RegistryError(f"{path}: expected a mapping with a top-level 'sites' list")
    try:
        registry = RegistryFile.model_validate(data)
    except ValidationError as exc:
        error = exc.errors()[0]
        loc = tuple(error["loc"])
        if error["type"] == "missing":
            loc, message = loc[:-1], f"missing '{loc[-1]}'"
        else:
            message = _message(error)
        line = lines(loc)
        more = f" (and {exc.error_count() - 1} more)" if exc.error_count() > 1 else ""
        raise RegistryError(
            f"{path}{f':{line}' if line else ''}: {_where(data, loc)}: {message}{more}"
        ) from None
    return [_site(entry, raw) for entry, raw in zip(registry.sites, data["sites"], strict=True)]
