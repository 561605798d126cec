"""Archetype placeholder for ucap (filled in below)."""

from __future__ import annotations

from spiders.base import NianbaoSpider


class UcapSpider(NianbaoSpider):
    name = "ucap"
    cms = "ucap"
