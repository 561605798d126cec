"""SimulatedSites: builds every simulated site, serves each on its own 127.0.0.1 port, exposes truth and knobs."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import yaml

from simulator.sites.base import Site, SiteInfo, warm_attachments
from simulator.sites.faults import FaultsSite
from simulator.sites.gkmlpt import GkmlptSite
from simulator.sites.hanweb import HanwebSite
from simulator.sites.image_tables import ImageTablesSite
from simulator.sites.moved import MovedSite
from simulator.sites.server import RequestLog, RequestRecord, SiteServer
from simulator.sites.trs import TrsSite
from simulator.sites.ucap import UcapSite
from simulator.sites.units import UnitsSite


def _build_sites(
    seed: int, faults: bool, timeout_delay: float, flaky_failures: int, image_tables: bool = False
) -> list[Site]:
    sites: list[Site] = [
        TrsSite("spt", seed=seed, faults=faults),
        HanwebSite("lucheng", seed=seed, faults=faults),
        UcapSite("dayu", seed=seed, faults=faults),
        GkmlptSite("yantian", seed=seed, faults=faults),
    ]
    if faults:
        sites.append(
            FaultsSite(
                "faults", seed=seed, faults=faults, timeout_delay=timeout_delay, flaky_failures=flaky_failures
            )
        )
        sites.append(MovedSite("moved", seed=seed, faults=faults))
        sites.append(UnitsSite("xixia", seed=seed, faults=faults))
    if image_tables:  # opt-in: its table image is OCR'd by a normalize (tens of seconds)
        sites.append(ImageTablesSite("imgtables", seed=seed, faults=faults))
    return sites


class SimulatedSites:
    """Context manager running all simulated sites. `sites` maps site id → SiteInfo once started."""

    def __init__(
        self,
        *,
        faults: bool = True,
        seed: int = 0,
        port_base: int | None = None,
        timeout_delay: float = 12.0,
        flaky_failures: int = 2,
        image_tables: bool = False,
    ) -> None:
        if not 0 < timeout_delay <= 20:
            raise ValueError("timeout_delay must be in (0, 20] seconds")
        self.faults = faults
        self.seed = seed
        self.port_base = port_base
        self.timeout_delay = timeout_delay
        self.flaky_failures = flaky_failures
        self.image_tables = image_tables
        self._log = RequestLog()
        self._stop = threading.Event()
        self._sites: dict[str, Site] = {}
        self._servers: dict[str, SiteServer] = {}
        self.sites: dict[str, SiteInfo] = {}
        self._warm: threading.Thread | None = None

    # -- lifecycle -----------------------------------------------------------------------------------
    def start(self) -> SimulatedSites:
        if self._servers:
            return self
        self._stop.clear()
        built = _build_sites(
            self.seed, self.faults, self.timeout_delay, self.flaky_failures, self.image_tables
        )
        for n, site in enumerate(built):
            port = self.port_base + n if self.port_base else 0
            server = SiteServer(site.id, site.handle, self._log, self._stop, port=port)
            site.base_url = server.base_url
            self._sites[site.id] = site
            self._servers[site.id] = server
        for site in self._sites.values():
            site.bind(self._sites)
        self._warm = threading.Thread(
            target=warm_attachments, args=(list(self._sites.values()),), daemon=True, name="warm-attachments"
        )
        self._warm.start()
        for site_id, server in self._servers.items():
            server.start()
            site = self._sites[site_id]
            self.sites[site_id] = SiteInfo(
                id=site_id,
                kind=site.kind,
                name=site.name,
                base_url=server.base_url,
                port=server.port,
                pretends=site.pretends,
                region=dict(site.region),
            )
        return self

    def wait_until_warm(self, timeout: float = 300.0) -> bool:
        """Block until every PDF/DOCX attachment is rendered (a DOCX takes seconds on a loaded machine; a crawl
        with a short download timeout would otherwise time out on the first request for it)."""
        if self._warm is not None:
            self._warm.join(timeout)
        return self._warm is None or not self._warm.is_alive()

    def stop(self) -> None:
        self._stop.set()
        for server in self._servers.values():
            server.stop()
        self._servers.clear()

    def __enter__(self) -> SimulatedSites:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- truth ---------------------------------------------------------------------------------------
    def site(self, site_id: str) -> Site:
        return self._sites[site_id]

    def expected_reports(self) -> list[dict[str, Any]]:
        """Every report served, with where its fullest form lives; `reachable` False when a fault hides it."""
        return [r for site in self._sites.values() for r in site.expected_reports()]

    def expected_faults(self) -> list[dict[str, Any]]:
        """Every planted fault: url, the failure kind the crawler should record, and a note."""
        return [f for site in self._sites.values() for f in site.expected_faults()]

    def write_registry(self, path: str | Path, *, delay: float = 0.0, max_pages: int = 20) -> Path:
        """Write a sites.yml (crawler/registry.py schema) pointing at the running simulated sites."""
        entries = []
        for site in self._sites.values():
            entry = site.registry_entry()
            if not entry:
                continue
            entry.setdefault("verified", True)
            entry["politeness"] = {
                "delay": delay,
                "max_pages": max_pages,
                "revalidate_days": 0,
                "concurrency": 4,
            }
            entries.append(entry)
        out = Path(path)
        out.write_text(
            yaml.safe_dump({"sites": entries}, allow_unicode=True, sort_keys=False), encoding="utf-8"
        )
        return out

    # -- knobs ---------------------------------------------------------------------------------------
    def _unit_site(self, agency_slug: str) -> Site:
        for site in self._sites.values():
            if agency_slug in site.units:
                return site
        raise KeyError(f"no simulated agency {agency_slug!r}")

    def edit_report(self, agency_slug: str, year: int, new_text_suffix: str) -> None:
        """Silently edit a published report: same URL, new content, new ETag and Last-Modified."""
        self._unit_site(agency_slug).edit_report(agency_slug, year, new_text_suffix)

    def add_report(self, agency_slug: str, year: int, *, form: str = "html") -> dict[str, Any]:
        """Publish a new report at the top of the agency's listing; returns its expected_reports() row."""
        site = self._unit_site(agency_slug)
        item = site.add_report(agency_slug, year, form=form)
        return site.report_entry(site.units[agency_slug], item)

    def fail_requests(self, site_id: str, target: str, *, times: int, status: int = 500) -> None:
        """Answer the next `times` requests for `target` on one site (path + query as requested, as in
        `request_log`) with `status` before serving it normally again; `times=0` heals it at once."""
        self._sites[site_id].fail_requests(target, times, status)

    # -- request log ---------------------------------------------------------------------------------
    @property
    def request_log(self) -> list[RequestRecord]:
        return self._log.snapshot()

    def clear_log(self) -> None:
        self._log.clear()
