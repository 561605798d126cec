"""The registry schema (pydantic, strict): unknown keys, wrong types and impossible values are refused."""

from __future__ import annotations

import re
from datetime import date
from typing import Any, Literal
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

Cms = Literal["trs", "hanweb", "ucap", "gkmlpt", "static"]
CMS_KINDS = set(Cms.__args__)  # type: ignore[attr-defined]


class Strict(BaseModel):
    """No coercion ("false" is not a bool, "a.b" is not a list) and no unknown keys (a misspelt key is an error)."""

    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


def _http_url(value: str | None) -> str | None:
    if value is None:
        return None
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError("must be an http(s) URL with a host")
    return value


class Politeness(Strict):
    delay: float = Field(2.0, ge=0, le=600)  # seconds between requests to one host
    max_pages: int = Field(200, ge=1, le=10_000)  # listing pages walked per column per run
    revalidate_days: int = Field(7, ge=0, le=3650)  # how often a known report is checked for edits
    concurrency: int = Field(2, ge=1, le=16)  # concurrent requests per host (the crawler caps it at 2)


class Budget(Strict):
    """What one site may spend in one run; hitting a limit stops that site (failure kind budget_*), not the run."""

    megabytes: float = Field(500.0, gt=0)  # bytes downloaded (decompressed bodies)
    requests: int = Field(5000, ge=1)  # responses received, robots.txt and redirects included
    minutes: float = Field(180.0, gt=0)  # wall time since the site's crawl started

    @property
    def bytes(self) -> int:
        return int(self.megabytes * 1024 * 1024)

    @property
    def seconds(self) -> float:
        return self.minutes * 60


class Region(Strict):
    province: str = Field(min_length=1)
    city: str = ""
    district: str = ""
    code: str  # GB/T 2260 administrative division code

    @field_validator("code", mode="before")
    @classmethod
    def _code_digits(cls, value: Any) -> Any:
        value = str(value) if isinstance(value, int) and not isinstance(value, bool) else value
        if isinstance(value, str) and not re.fullmatch(r"\d{6}", value):
            raise ValueError("must be a 6-digit administrative code")
        return value


class AgencyEntry(Strict):
    name: str = Field(min_length=1)
    slug: str | None = Field(None, pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")
    column: str | None = None  # the 政府信息公开年报 column; discovered from the directory when absent
    cms: Cms | None = None  # overrides the site's CMS kind

    _column_url = field_validator("column")(_http_url)


class SiteEntry(Strict):
    id: str = Field(min_length=1, pattern=r"^[a-z0-9][a-z0-9_-]*$")
    name: str = Field(min_length=1)
    region: Region
    portal: str
    cms: Cms
    directory: str | None = None  # unit directory used to discover the agencies' columns
    allowed_hosts: list[str] = []
    verified: bool = False
    last_verified: date | None = None
    politeness: Politeness = Politeness()
    budget: Budget = Budget()
    agencies: list[AgencyEntry] = []

    _urls = field_validator("portal", "directory")(_http_url)

    @field_validator("allowed_hosts")
    @classmethod
    def _hosts(cls, hosts: list[str]) -> list[str]:
        for host in hosts:
            if not re.fullmatch(r"[A-Za-z0-9.-]+(:\d{1,5})?", host):
                raise ValueError(f"'{host}' is not a host name")
        return hosts

    @model_validator(mode="after")
    def _agencies(self) -> SiteEntry:
        if not self.agencies and not self.directory:
            raise ValueError("needs 'agencies' or a 'directory' to discover them from")
        seen: dict[str, int] = {}
        for i, agency in enumerate(self.agencies):
            slug = agency.slug or re.sub(r"\W+", "-", agency.name).strip("-")
            if slug in seen:
                raise ValueError(f"duplicate agency slug '{slug}' (agencies[{seen[slug]}] and agencies[{i}])")
            seen[slug] = i
        return self


class RegistryFile(Strict):
    sites: list[SiteEntry]
    defaults: Any = None  # free-form anchors (&polite) that entries refer to with aliases

    @model_validator(mode="after")
    def _unique_ids(self) -> RegistryFile:
        seen: dict[str, int] = {}
        for i, site in enumerate(self.sites):
            if site.id in seen:
                raise ValueError(f"duplicate site id '{site.id}' (sites[{seen[site.id]}] and sites[{i}])")
            seen[site.id] = i
        return self
