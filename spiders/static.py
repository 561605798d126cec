"""Archetypes E/F — query-parameter portals and small-vendor sites: generic links + 下一页 / ?page=N pagination."""

from __future__ import annotations

from spiders.base import NianbaoSpider


class StaticSpider(NianbaoSpider):
    """Generic listing reader: report-titled or dated links; follows 下一页 links (base behaviour)."""

    name = "static"
    cms = "static"
