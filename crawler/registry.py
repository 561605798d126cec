"""The sites registry (sites.yml): district sites to crawl, their regions, agencies and report columns."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import yaml

CMS_KINDS = {"trs", "hanweb", "ucap", "gkmlpt", "static"}


class RegistryError(ValueError):
    """The registry file is malformed; the message names the entry and the field."""


@dataclass(frozen=True)
class Politeness:
    delay: float = 2.0  # seconds between requests to one host
    max_pages: int = 200  # listing pages walked per column per run
    revalidate_days: int = 7  # how often a known report is checked for edits
    concurrency: int = 2  # concurrent requests per host


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


def _require(entry: dict[str, Any], key: str, where: str) -> Any:
    if entry.get(key) in (None, ""):
        raise RegistryError(f"{where}: missing '{key}'")
    return entry[key]


def _politeness(values: dict[str, Any], where: str) -> Politeness:
    known = set(Politeness.__dataclass_fields__)
    unknown = set(values) - known
    if unknown:
        raise RegistryError(f"{where}.politeness: unknown keys {sorted(unknown)} (known: {sorted(known)})")
    return Politeness(**values)


def _site(entry: dict[str, Any], index: int) -> Site:
    where = f"sites[{index}]"
    site_id = _require(entry, "id", where)
    where = f"site '{site_id}'"
    region = _require(entry, "region", where)
    code = str(_require(region, "code", f"{where}.region"))
    if not re.fullmatch(r"\d{6}", code):
        raise RegistryError(f"{where}.region.code: '{code}' is not a 6-digit administrative code")
    cms = _require(entry, "cms", where)
    if cms not in CMS_KINDS:
        raise RegistryError(f"{where}.cms: '{cms}' is not one of {sorted(CMS_KINDS)}")
    agencies = []
    for j, a in enumerate(entry.get("agencies") or []):
        name = _require(a, "name", f"{where}.agencies[{j}]")
        slug = a.get("slug") or re.sub(r"\W+", "-", name).strip("-")
        if a.get("cms") and a["cms"] not in CMS_KINDS:
            raise RegistryError(f"{where}.agencies[{j}].cms: '{a['cms']}' unknown")
        agencies.append(Agency(name=name, slug=slug, column=a.get("column"), cms=a.get("cms")))
    if not agencies and not entry.get("directory"):
        raise RegistryError(f"{where}: needs 'agencies' or a 'directory' to discover them from")
    return Site(
        id=site_id,
        name=_require(entry, "name", where),
        province=_require(region, "province", f"{where}.region"),
        city=region.get("city") or "",
        district=region.get("district") or "",
        region_code=code,
        portal=_require(entry, "portal", where),
        cms=cms,
        directory=entry.get("directory"),
        verified=bool(entry.get("verified", False)),
        allowed_hosts=tuple(entry.get("allowed_hosts") or ()),
        politeness=_politeness(entry.get("politeness") or {}, where),
        agencies=tuple(agencies),
        raw=entry,
    )


def load_registry(path: str | Path) -> list[Site]:
    """Read and validate a registry file; raise RegistryError with the entry at fault."""
    try:
        data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise RegistryError(f"{path}: not valid YAML: {exc}") from exc
    if not isinstance(data, dict) or not isinstance(data.get("sites"), list):
        raise RegistryError(f"{path}: expected a top-level 'sites' list")
    sites = [_site(entry, i) for i, entry in enumerate(data["sites"])]
    ids = [s.id for s in sites]
    duplicates = {i for i in ids if ids.count(i) > 1}
    if duplicates:
        raise RegistryError(f"{path}: duplicate site ids {sorted(duplicates)}")
    return sites
