"""The real registry (sites.yml) loads, starts with 沙坡头区, and claims nothing was verified live."""

from __future__ import annotations

from pathlib import Path

from crawler.crawl.runner import site_settings
from crawler.registry import load_registry
from spiders import spider_for

SITES = Path(__file__).resolve().parents[2] / "sites.yml"


def test_real_registry() -> None:
    sites = load_registry(SITES)
    assert len(sites) >= 10
    first = sites[0]
    assert first.region_code == "640502" and first.directory == "https://www.spt.gov.cn/xxgk/bmxxgkml/"
    assert any(a.name == "沙坡头区政务服务中心" for a in first.agencies)
    assert len({s.province for s in sites}) >= 5
    assert not any(s.verified for s in sites)
    for site in sites:
        assert spider_for(site.cms).cms == site.cms
        assert site_settings(site, fast=False)["CONCURRENT_REQUESTS_PER_DOMAIN"] <= 2
        assert site.politeness.delay >= 1
